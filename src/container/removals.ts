import type Docker from 'dockerode';

/**
 * Container removals still under way. Removing a container the run is done with costs the
 * engine a few hundred milliseconds (kill, unmount, network teardown); it runs while the next
 * container starts or the image checks finish, and is awaited before anything that needs the
 * container gone (its network coming down, the end of the run).
 */
export class PendingRemovals {
  readonly #pending = new Set<Promise<void>>();
  readonly #later: Docker.Container[] = [];

  /** Removed at the next `removeLater()` flush: the engine starts the next container faster when it is not busy removing one. */
  removeLater(container: Docker.Container): void {
    this.#later.push(container);
  }

  /** Starts the removals put off with `removeLater`. */
  flush(): void {
    for (const container of this.#later.splice(0)) this.remove(container);
  }

  /** Starts removing `container` (and its anonymous volumes); a container already gone is fine. */
  remove(container: Docker.Container): void {
    const removal = container.remove({ force: true, v: true }).then(
      () => undefined,
      () => undefined,
    );
    this.#pending.add(removal);
    void removal.finally(() => this.#pending.delete(removal));
  }

  /** Resolves once every removal started so far has ended. */
  async settled(): Promise<void> {
    this.flush();
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
