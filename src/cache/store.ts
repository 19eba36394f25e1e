import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CacheKeys } from './key.ts';

export interface RestoredCache {
  readonly matchedKey: string;
  /** The entry's files (for the layer cache, a BuildKit local cache: index.json, blobs/). The store owns it. */
  readonly dir: string;
}

/** The store failed (unreachable, throttled, too slow): the build goes on without it. */
export class CacheStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CacheStoreError';
  }
}

/**
 * Where deploy-check keeps what it carries between runs (layer caches, size baselines, the
 * image checks' state): the GitHub Actions cache service in the action, a directory for the local
 * command. Every store keeps entries (directories) under immutable keys and finds the newest
 * entry by key prefix.
 */
export interface CacheStore {
  readonly kind: 'actions' | 'directory';
  /** For log lines: "the GitHub Actions cache", "directory /x". */
  readonly description: string;
  /** False when the run may only read (the Actions runner's ACTIONS_CACHE_MODE for untrusted events). */
  readonly writable: boolean;
  /** A directory on the filesystem the store keeps its entries on: entries made here can be moved, not copied. */
  workDir(): Promise<string>;
  /** The entry under keys.key, else the newest under a restore prefix; null when there is none. Throws CacheStoreError. */
  restore(keys: CacheKeys): Promise<RestoredCache | null>;
  /**
   * Stores dir under keys.key; the store takes the directory over. False when the store already
   * holds an entry under that key (another job saved it first). Throws CacheStoreError.
   */
  save(keys: CacheKeys, dir: string): Promise<boolean>;
  /**
   * The run is done with what restore(keys) and save(keys) left on disk: copies made for the
   * run are removed, a directory store's own entries stay. Never throws.
   */
  release(keys: CacheKeys): Promise<void>;
}

/** Total size of the files under dir, in bytes. */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const info = await stat(path.join(entry.parentPath, entry.name)).catch(() => undefined);
    total += info?.size ?? 0;
  }
  return total;
}

/**
 * A BuildKit local cache worth keeping: an OCI layout whose index names at least one cache
 * manifest that is present. A failed or interrupted export leaves none of that.
 */
export async function isUsableCache(dir: string): Promise<boolean> {
  try {
    const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as { manifests?: { digest?: unknown }[] };
    const manifests = index.manifests ?? [];
    if (manifests.length === 0) return false;
    for (const m of manifests) {
      const digest = typeof m.digest === 'string' ? m.digest : '';
      const [algorithm, hex] = digest.split(':');
      if (!algorithm || !hex) return false;
      const info = await stat(path.join(dir, 'blobs', algorithm, hex));
      if (info.size === 0) return false;
    }
    return true;
  } catch {
    return false;
  }
}
