import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CacheKeys } from './key.ts';
import { CacheStoreError, type CacheStore, type RestoredCache } from './store.ts';

const short = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * The local command's store (--cache-dir): one folder per key prefix, one entry per key, each
 * holding the key and the BuildKit cache. Only the newest entry of a prefix is kept, so the
 * folder holds one cache per image, however many builds run.
 */
export class DirectoryStore implements CacheStore {
  readonly kind = 'directory';
  readonly writable = true;
  readonly description: string;
  private readonly root: string;

  constructor(root: string) {
    this.root = root;
    this.description = `directory ${root}`;
  }

  async workDir(): Promise<string> {
    const dir = path.join(this.root, '.work');
    await this.guard(() => mkdir(dir, { recursive: true }));
    return dir;
  }

  async restore(keys: CacheKeys): Promise<RestoredCache | null> {
    const entries = await this.entries(keys.prefix);
    const exact = entries.find((e) => e.key === keys.key);
    const match = exact ?? keys.restoreKeys.map((p) => entries.find((e) => e.key.startsWith(p))).find((e) => e !== undefined);
    return match ? { matchedKey: match.key, dir: path.join(match.dir, 'cache') } : null;
  }

  async save(keys: CacheKeys, dir: string): Promise<boolean> {
    const slot = this.slot(keys.prefix);
    const target = path.join(slot, short(keys.key));
    const partial = path.join(slot, `.${short(keys.key)}.${process.pid}.partial`);
    await this.guard(async () => {
      await rm(partial, { recursive: true, force: true });
      await mkdir(partial, { recursive: true });
      try {
        await rename(dir, path.join(partial, 'cache'));
      } catch {
        // Another filesystem: copy instead.
        await cp(dir, path.join(partial, 'cache'), { recursive: true });
        await rm(dir, { recursive: true, force: true });
      }
      await writeFile(path.join(partial, 'key'), keys.key);
      await rm(target, { recursive: true, force: true });
      await rename(partial, target);
    });
    // Older entries of the same image: the new one supersedes them.
    for (const entry of await this.entries(keys.prefix)) {
      if (entry.dir !== target) await rm(entry.dir, { recursive: true, force: true });
    }
    return true;
  }

  /** Entries are this store's own: they stay. */
  async release(): Promise<void> {
    // Nothing was copied for the run.
  }

  private slot(prefix: string): string {
    return path.join(this.root, short(prefix));
  }

  /** The prefix's entries, newest first. */
  private async entries(prefix: string): Promise<{ key: string; dir: string; time: number }[]> {
    const slot = this.slot(prefix);
    let names: string[];
    try {
      names = await readdir(slot);
    } catch {
      return [];
    }
    const found: { key: string; dir: string; time: number }[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const dir = path.join(slot, name);
      try {
        const key = await readFile(path.join(dir, 'key'), 'utf8');
        found.push({ key, dir, time: (await stat(path.join(dir, 'key'))).mtimeMs });
      } catch {
        // Not an entry (or a damaged one): ignored.
      }
    }
    return found.sort((a, b) => b.time - a.time);
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new CacheStoreError(`${this.description}: ${(err as Error).message}`);
    }
  }
}
