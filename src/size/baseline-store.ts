import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Where the `auto` baseline lives between runs: the Actions cache in the action, a directory
 * for the local command. Entries are immutable; the newest one under a key prefix wins.
 */
export interface BaselineStore {
  /** For notes: "the Actions cache", "directory ./baselines". */
  readonly description: string;
  restore(prefix: string): Promise<{ key: string; content: string } | null>;
  save(key: string, content: string): Promise<void>;
}

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

/** What tells one image of a repository from another, for cache keys. */
export interface ImageScope {
  readonly dockerfile: string;
  readonly target: string | undefined;
  readonly imageRepository: string;
  /** The workspace the Dockerfile path is taken relative to. */
  readonly cwd: string;
}

/** 12 hex characters naming an image's scope, the same on every machine. */
export function imageScopeHash(image: ImageScope): string {
  const relative = path.relative(image.cwd, image.dockerfile).split(path.sep).join('/');
  return createHash('sha256').update(`${relative}\n${image.target ?? ''}\n${image.imageRepository}`).digest('hex').slice(0, 12);
}

/**
 * One key family per image: the Dockerfile (relative to the workspace), the target and the
 * image's repository, so that several images built in one repository keep separate baselines.
 */
export function baselineKeyPrefix(image: ImageScope, branch: string): string {
  const hash = imageScopeHash(image);
  const name = image.imageRepository.split('/').at(-1)?.replace(/[^a-zA-Z0-9._-]+/g, '-').slice(0, 40) || 'image';
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

/** The local command's store: one JSON file per entry in a directory. */
export class DirectoryBaselineStore implements BaselineStore {
  readonly description: string;
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    this.description = `directory ${dir}`;
  }

  async restore(prefix: string): Promise<{ key: string; content: string } | null> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return null;
    }
    const candidates = await Promise.all(
      names
        .filter((n) => n.startsWith(encodeURIComponent(prefix)) && n.endsWith('.json'))
        .map(async (n) => ({ n, mtime: (await stat(path.join(this.dir, n))).mtimeMs })),
    );
    const newest = candidates.sort((a, b) => b.mtime - a.mtime || b.n.localeCompare(a.n))[0];
    if (!newest) return null;
    return { key: decodeURIComponent(newest.n.slice(0, -'.json'.length)), content: await readFile(path.join(this.dir, newest.n), 'utf8') };
  }

  async save(key: string, content: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(path.join(this.dir, `${encodeURIComponent(key)}.json`), content);
  }
}

/** Minimal surface of @actions/cache, so the store can be given another implementation. */
export interface ActionsCacheApi {
  isFeatureAvailable(): boolean;
  restoreCache(paths: string[], primaryKey: string, restoreKeys?: string[]): Promise<string | undefined>;
  saveCache(paths: string[], key: string): Promise<number>;
}

/**
 * The action's store: each baseline is a one-file cache entry. The cache's version hashes the
 * paths, so the file sits at the same path in every run: a directory under the system temp dir
 * named after the key prefix.
 */
export class ActionsCacheBaselineStore implements BaselineStore {
  readonly description = 'the Actions cache';
  private readonly cache: ActionsCacheApi;

  constructor(cache: ActionsCacheApi) {
    this.cache = cache;
  }

  private directory(prefix: string): string {
    return path.join(os.tmpdir(), `deploy-check-size-${createHash('sha256').update(prefix).digest('hex').slice(0, 16)}`);
  }

  async restore(prefix: string): Promise<{ key: string; content: string } | null> {
    const dir = this.directory(prefix);
    await rm(dir, { recursive: true, force: true });
    try {
      // No entry is ever saved under the primary key itself: the prefix alone picks the newest.
      const key = await this.cache.restoreCache([dir], `${prefix}latest`, [prefix]);
      if (!key) return null;
      return { key, content: await readFile(path.join(dir, 'report.json'), 'utf8') };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async save(key: string, content: string): Promise<void> {
    const dir = this.directory(key.slice(0, key.lastIndexOf(RUN_KEY_SEPARATOR) + 1));
    await mkdir(dir, { recursive: true });
    try {
      await writeFile(path.join(dir, 'report.json'), content);
      // @actions/cache reports a refused save (an existing key, a denied write) as -1, with a warning.
      const id = await this.cache.saveCache([dir], key);
      if (id === -1) throw new Error(`the cache did not accept key ${key}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

const RUN_KEY_SEPARATOR = '~';

export function saveKey(prefix: string, runKey: string): string {
  return `${prefix}${runKey.replace(/[\s,~]+/g, '-')}`;
}
