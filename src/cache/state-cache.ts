/**
 * deploy-check's state between runs (per-layer hygiene facts, layer sizes and diff ids: a few kB
 * per layer) lives in a directory on the machine. A GitHub-hosted runner (or any ephemeral one)
 * starts every job with that directory empty, so each run would read every layer of the image
 * again. There the action carries the state in the Actions cache: restored while the image
 * builds, saved after the image checks when they learned something no entry held.
 *
 * A runner whose state directory already holds facts keeps its own (a self-hosted machine): the
 * cache is not used. Entries are per image (like the size baseline's) and hold only the facts of
 * the layers this run used, so they stay small however many images the machine has seen.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { imageScopeHash, newestKeys, runEntryKeys, type ImageScope } from './key.ts';
import type { CacheStore } from './store.ts';

/** A file of the state directory, relative to it, with its content's hash. */
type Snapshot = Map<string, string>;

export interface StateCacheOptions {
  /** The Actions cache's store for the state (actionsStateStore), bounded by its own timeout. */
  readonly store: CacheStore;
  readonly stateDir: string;
  /** Key family of this image (see stateKeyPrefix). */
  readonly prefix: string;
  /** Unique per run: entries are immutable. */
  readonly runKey: string;
  /** Whether this run may save (cache-save, the runner's cache mode). */
  readonly save: boolean;
  readonly log: (message: string) => void;
}

export interface StateRestore {
  /** Why the cache is not used in this run, or null when it is. */
  readonly unused: string | null;
  readonly key: string | null;
  readonly files: number;
}

/**
 * Below this many bytes of layers read, the facts learnt are not worth a save: about 0.1 s to
 * read again on the containerd store, a few tenths to compress again on the classic one, while
 * a save to the Actions cache takes around a second.
 */
export const SAVE_AFTER_BYTES = 5_000_000;

/** One key family per image, as for baselines ("~" cannot occur in the hash). */
export function stateKeyPrefix(image: ImageScope): string {
  return `deploy-check-state-v1-${imageScopeHash(image)}~`;
}

export class StateCache {
  private readonly options: StateCacheOptions;
  /** Files modified after this (ms) were used by this run: the newest restored file's time, or none. */
  private usedAfter = -Infinity;
  private restored: Snapshot | null = null;

  constructor(options: StateCacheOptions) {
    this.options = options;
  }

  /** Fills an empty state directory from the newest entry of this image. Never throws. */
  async restore(): Promise<StateRestore> {
    const { stateDir, prefix, store } = this.options;
    if (await holdsFiles(stateDir)) {
      return { unused: `the state directory ${stateDir} holds this runner's own`, key: null, files: 0 };
    }
    const keys = newestKeys(prefix);
    try {
      const entry = await store.restore(keys);
      this.restored = new Map();
      if (!entry) return { unused: null, key: null, files: 0 };
      const { files, newestMs } = await copyInto(entry.dir, stateDir);
      this.usedAfter = newestMs;
      this.restored = await snapshot(stateDir);
      this.options.log(`State: ${files} file(s) of per-layer facts from the Actions cache (${entry.matchedKey})`);
      return { unused: null, key: entry.matchedKey, files };
    } catch (err) {
      this.restored = new Map();
      this.options.log(`State: not restored from the Actions cache (${(err as Error).message}); the image checks read every layer`);
      return { unused: null, key: null, files: 0 };
    } finally {
      await store.release(keys);
    }
  }

  /**
   * Saves the files this run used when any is new or changed since the restore: the facts of
   * this image's layers (touched by the run, see LayerFactsMemo) and the size memos. A run that
   * read fewer than SAVE_AFTER_BYTES of new layers (a source-only change) does not save: reading
   * them again costs the next run less than a save costs this one. Never throws.
   */
  async save(layerBytesRead: number | null): Promise<string | null> {
    const { stateDir, prefix, runKey, store } = this.options;
    if (this.restored === null || !this.options.save) return null;
    if (layerBytesRead !== null && layerBytesRead < SAVE_AFTER_BYTES) return null;
    const now = await snapshot(stateDir);
    const used = await usedAfter(stateDir, now, this.usedAfter);
    if (!used.some((file) => this.restored?.get(file) !== now.get(file))) return null;
    const keys = runEntryKeys(prefix, runKey);
    let packed: string | undefined;
    try {
      packed = await mkdtemp(path.join(await store.workDir(), 'deploy-check-pack-'));
      for (const file of used) {
        await mkdir(path.dirname(path.join(packed, file)), { recursive: true });
        await copyFile(path.join(stateDir, file), path.join(packed, file));
      }
      if (!(await store.save(keys, packed))) throw new Error(`the cache did not accept key ${keys.key}`);
      this.options.log(`State: ${used.length} file(s) saved in the Actions cache (${keys.key})`);
      return keys.key;
    } catch (err) {
      this.options.log(`State: not saved in the Actions cache (${(err as Error).message})`);
      return null;
    } finally {
      if (packed) await rm(packed, { recursive: true, force: true });
      await store.release(keys);
    }
  }
}

/** Whether any file is under dir (a self-hosted runner's state can be megabytes: nothing is read). */
async function holdsFiles(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir, { withFileTypes: true, recursive: true })).some((entry) => entry.isFile());
  } catch {
    return false;
  }
}

/** Every file under dir (relative paths) with the hash of its content; empty when there is no dir. */
async function snapshot(dir: string): Promise<Snapshot> {
  const out: Snapshot = new Map();
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const content = await readFile(full).catch(() => null);
    if (content) out.set(path.relative(dir, full), createHash('sha256').update(content).digest('hex'));
  }
  return out;
}

/**
 * The files this run used: top-level memos (they hold every layer's sizes, and are small) and
 * the per-layer facts read or written after the restore (the memo touches what it reads).
 */
async function usedAfter(dir: string, files: Snapshot, afterMs: number): Promise<string[]> {
  const used: string[] = [];
  for (const file of files.keys()) {
    const info = await stat(path.join(dir, file)).catch(() => null);
    if (info && (!file.includes(path.sep) || info.mtimeMs > afterMs)) used.push(file);
  }
  return used.sort();
}

/**
 * Copies the restored files into the state directory, keeping their times (those of the run that
 * saved them): a restored file this run does not touch stays at most as new as the newest of
 * them, and is not carried into the next entry.
 */
async function copyInto(from: string, to: string): Promise<{ files: number; newestMs: number }> {
  const entries = await readdir(from, { withFileTypes: true, recursive: true });
  let copied = 0;
  let newestMs = -Infinity;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const source = path.join(entry.parentPath, entry.name);
    const target = path.join(to, path.relative(from, source));
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(source, target);
    const info = await stat(source);
    await utimes(target, info.atime, info.mtime);
    newestMs = Math.max(newestMs, info.mtimeMs);
    copied++;
  }
  return { files: copied, newestMs };
}
