import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { imageScopeHash, newestKeys, RUN_KEY_SEPARATOR, type CacheKeys, type ImageScope } from '../cache/key.ts';
import type { CacheStore, RestoredCache } from '../cache/store.ts';

/**
 * Where the `auto` baseline lives between runs: the Actions cache in the action, a directory
 * for the local command. Each entry holds one report.json; the newest one under a key prefix wins.
 */
export class BaselineStore {
  /** For notes: "the Actions cache", "directory ./baselines". */
  readonly description: string;
  private readonly entries: CacheStore;

  constructor(entries: CacheStore) {
    this.entries = entries;
    this.description = entries.description;
  }

  async restore(prefix: string): Promise<{ key: string; content: string } | null> {
    const keys = newestKeys(prefix);
    try {
      const entry = await this.entries.restore(keys);
      if (!entry) return null;
      return { key: entry.matchedKey, content: await readFile(path.join(entry.dir, REPORT_FILE), 'utf8') };
    } finally {
      await this.entries.release(keys);
    }
  }

  async save(key: string, content: string): Promise<void> {
    const prefix = key.slice(0, key.lastIndexOf(RUN_KEY_SEPARATOR) + 1);
    const keys: CacheKeys = { key, prefix, restoreKeys: [prefix] };
    const dir = await mkdtemp(path.join(await this.entries.workDir(), 'deploy-check-baseline-'));
    try {
      await writeFile(path.join(dir, REPORT_FILE), content);
      // @actions/cache reports a refused save (an existing key, a denied write) as -1, with a warning.
      if (!(await this.entries.save(keys, dir))) throw new Error(`the cache did not accept key ${key}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await this.entries.release(keys);
    }
  }
}

const REPORT_FILE = 'report.json';

/**
 * What the `auto` baseline may do in this run: the store, the branch whose baseline counts,
 * and whether this run's report becomes the newest one (runs on the default branch only).
 */
export interface BaselineScope {
  readonly store: BaselineStore | null;
  /** Why there is no store, for the report's note. */
  readonly unavailable: string | null;
  /** The base branch (a PR's target, the default branch for pushes). */
  readonly branch: string | null;
  /** True when this run's report should be stored as the branch's newest baseline. */
  readonly save: boolean;
  /** Unique per run, so each save is a new cache entry. */
  readonly runKey: string;
}

export const NO_BASELINE_SCOPE: BaselineScope = { store: null, unavailable: 'no baseline store is configured', branch: null, save: false, runKey: 'none' };

/**
 * One key family per image: the Dockerfile (relative to the workspace), the target and the
 * image's repository, so that several images built in one repository keep separate baselines.
 */
export function baselineKeyPrefix(image: ImageScope, branch: string): string {
  const hash = imageScopeHash(image);
  const name =
    image.imageRepository
      .split('/')
      .at(-1)
      ?.replace(/[^a-zA-Z0-9._-]+/g, '-')
      .slice(0, 40) || 'image';
  // "~" cannot occur in a git branch name, so the prefix of "main" never matches "main-old".
  return `deploy-check-size-v1-${name}-${hash}-${branch.replace(/[\s,~]+/g, '-')}${RUN_KEY_SEPARATOR}`;
}

/** The repository part of an image reference (no tag, no digest): stable across runs. */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}

/**
 * The local command's baselines (--baseline-dir): one JSON file per entry, named after its key,
 * all in one directory. An entry restored is a copy in a temporary directory, removed on release.
 */
export class BaselineDirectory implements CacheStore {
  readonly kind = 'directory';
  readonly writable = true;
  readonly description: string;
  private readonly dir: string;
  private readonly copies = new Map<string, string>();

  constructor(dir: string) {
    this.dir = dir;
    this.description = `directory ${dir}`;
  }

  /** Entries are written from the system's temporary directory: nothing but entries lands in the baseline directory. */
  workDir(): Promise<string> {
    return Promise.resolve(os.tmpdir());
  }

  /** Nothing is ever saved under keys.key (see newestKeys): the newest file under a restore prefix. */
  async restore(keys: CacheKeys): Promise<RestoredCache | null> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return null;
    }
    for (const prefix of keys.restoreKeys) {
      const candidates = await Promise.all(
        names
          .filter((n) => n.startsWith(encodeURIComponent(prefix)) && n.endsWith('.json'))
          .map(async (n) => ({ n, mtime: (await stat(path.join(this.dir, n))).mtimeMs })),
      );
      const newest = candidates.sort((a, b) => b.mtime - a.mtime || b.n.localeCompare(a.n))[0];
      if (!newest) continue;
      const copy = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-baseline-'));
      this.copies.set(keys.prefix, copy);
      await copyFile(path.join(this.dir, newest.n), path.join(copy, REPORT_FILE));
      return { matchedKey: decodeURIComponent(newest.n.slice(0, -'.json'.length)), dir: copy };
    }
    return null;
  }

  async save(keys: CacheKeys, dir: string): Promise<boolean> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(path.join(this.dir, `${encodeURIComponent(keys.key)}.json`), await readFile(path.join(dir, REPORT_FILE)));
    await rm(dir, { recursive: true, force: true });
    return true;
  }

  async release(keys: CacheKeys): Promise<void> {
    const copy = this.copies.get(keys.prefix);
    this.copies.delete(keys.prefix);
    if (copy) await rm(copy, { recursive: true, force: true }).catch(() => undefined);
  }
}
