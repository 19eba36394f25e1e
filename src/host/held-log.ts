import type { Annotation, Log } from './log.ts';

/**
 * A log that keeps what it is told until released, then passes it on in order, groups
 * included: two stages running at once never interleave their output.
 */
export class HeldLog implements Log {
  private readonly target: Log;
  private held: Line[] | undefined = [];
  private readonly groups: { title: string; lines: Line[] }[] = [];

  constructor(target: Log) {
    this.target = target;
  }

  private say(line: Line): void {
    const group = this.groups.at(-1);
    if (group) group.lines.push(line);
    else if (this.held) this.held.push(line);
    else void line(this.target);
  }

  info(message: string): void {
    this.say((l) => l.info(message));
  }

  warning(message: string, where?: Annotation): void {
    this.say((l) => l.warning(message, where));
  }

  error(message: string, where?: Annotation): void {
    this.say((l) => l.error(message, where));
  }

  debug(message: string): void {
    this.say((l) => l.debug(message));
  }

  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    const group = { title, lines: [] as Line[] };
    this.groups.push(group);
    try {
      return await fn();
    } finally {
      this.groups.pop();
      const lines = group.lines;
      this.say((l) =>
        l.group(title, async () => {
          for (const line of lines) await line(l);
        }),
      );
    }
  }

  /** Passes on what was held, groups closed before the next line; afterwards lines go straight through. */
  async release(): Promise<void> {
    const held = this.held ?? [];
    this.held = undefined;
    for (const line of held) await line(this.target);
  }
}

type Line = (log: Log) => unknown;
