import * as cache from '@actions/cache';
import { createHash } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CacheKeys } from './key.ts';
import { CacheStoreError, isUsableCache, type CacheStore, type RestoredCache } from './store.ts';

/** Cache operations given up on after their time limit; they may still hold sockets open. */
let abandoned = 0;

/** True when a restore or save was given up on: the step should end without waiting for it. */
export function hasAbandonedCacheWork(): boolean {
  return abandoned > 0;
}

/** The two calls of @actions/cache deploy-check makes (a stand-in in unit tests). */
export interface ActionsCacheApi {
  restoreCache(
    paths: string[],
    primaryKey: string,
    restoreKeys?: string[],
    options?: { timeoutInMs?: number; segmentTimeoutInMs?: number },
  ): Promise<string | undefined>;
  saveCache(paths: string[], key: string): Promise<number>;
}

/** Whether the job was given a cache service (ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL): the one place that decides it. */
export function actionsCacheAvailable(): boolean {
  return cache.isFeatureAvailable();
}

export interface ActionsCacheStoreOptions {
  /**
   * Entries are restored into and saved from `${root}/${name}${hash of the key prefix}`. The
   * service's cache version hashes that path: it must stay the same for a family of keys.
   */
  readonly root: string;
  readonly name: string;
  /** Bound of each call; null: unbounded, and @actions/cache's own annotations reach the log. */
  readonly timeoutMs: number | null;
  readonly description: string;
  /** What a restored entry must hold to be used (the layer cache's: a BuildKit cache). */
  readonly holds?: { readonly what: string; readonly check: (dir: string) => Promise<boolean> };
  /** Refuse to save after a restore was given up on: its late extraction would meet the save in the same folder. */
  readonly guardAbandonedRestore?: boolean;
  readonly api?: ActionsCacheApi;
}

/**
 * The GitHub Actions cache service through @actions/cache. Its cache version hashes the paths
 * it is given, so every run restores a family of keys into, and saves it from, the same path:
 * one folder per key prefix (see the three families below).
 */
export class ActionsCacheStore implements CacheStore {
  readonly kind = 'actions';
  readonly description: string;
  /** @actions/cache's rule: the runner's ACTIONS_CACHE_MODE none or read forbids saving (unknown modes allow it). */
  readonly writable = !['none', 'read'].includes((process.env['ACTIONS_CACHE_MODE'] ?? '').trim().toLowerCase());
  private readonly options: ActionsCacheStoreOptions;
  private readonly api: ActionsCacheApi;
  /** Set when a restore was abandoned (see guardAbandonedRestore). */
  private unsettled = false;

  constructor(options: ActionsCacheStoreOptions) {
    this.options = options;
    this.description = options.description;
    this.api = options.api ?? cache;
  }

  async workDir(): Promise<string> {
    await mkdir(this.options.root, { recursive: true });
    return this.options.root;
  }

  async restore(keys: CacheKeys): Promise<RestoredCache | null> {
    const dir = this.folder(keys.prefix);
    await rm(dir, { recursive: true, force: true });
    await mkdir(path.dirname(dir), { recursive: true });
    const { timeoutMs, holds } = this.options;
    const matchedKey = await this.call('restore', () =>
      timeoutMs === null
        ? this.api.restoreCache([dir], keys.key, [...keys.restoreKeys])
        : this.api.restoreCache([dir], keys.key, [...keys.restoreKeys], {
            // Bounds each download request and each stuck segment, so an abandoned restore ends too.
            timeoutInMs: Math.min(timeoutMs, 60_000),
            segmentTimeoutInMs: timeoutMs,
          }),
    );
    if (!matchedKey) return null;
    if (holds && !(await holds.check(dir))) {
      throw new CacheStoreError(`the entry "${matchedKey}" holds no ${holds.what}`);
    }
    return { matchedKey, dir };
  }

  async save(keys: CacheKeys, dir: string): Promise<boolean> {
    if (this.unsettled) throw new CacheStoreError('the restore of this run never finished, so nothing is saved next to it');
    const target = this.folder(keys.prefix);
    await rm(target, { recursive: true, force: true });
    await rename(dir, target);
    // -1 without a warning: the key was reserved by another job (keys are immutable).
    const id = await this.call('save', () => this.api.saveCache([target], keys.key));
    return id !== -1;
  }

  async release(keys: CacheKeys): Promise<void> {
    await rm(this.folder(keys.prefix), { recursive: true, force: true }).catch(() => undefined);
  }

  private folder(prefix: string): string {
    return path.join(this.options.root, `${this.options.name}${createHash('sha256').update(prefix).digest('hex').slice(0, 16)}`);
  }

  private async call<T>(what: 'restore' | 'save', fn: () => Promise<T>): Promise<T> {
    const { timeoutMs } = this.options;
    if (timeoutMs === null) return fn();
    return callActionsCache(what, timeoutMs, fn, () => {
      if (what === 'restore' && this.options.guardAbandonedRestore) this.unsettled = true;
    });
  }
}

/**
 * The layer cache's entries: BuildKit caches, in a folder under RUNNER_TEMP (emptied by the
 * runner after each job), bounded by cache-timeout.
 */
export function actionsLayerStore(timeoutMs: number, tempDir?: string): ActionsCacheStore {
  return new ActionsCacheStore({
    root: path.join(tempDir ?? (process.env['RUNNER_TEMP'] || os.tmpdir()), 'deploy-check-cache'),
    name: '',
    timeoutMs,
    description: 'the GitHub Actions cache',
    holds: { what: 'BuildKit cache', check: isUsableCache },
    guardAbandonedRestore: true,
  });
}

/** The image checks' state (see state-cache.ts): a few kB per layer. */
export function actionsStateStore(timeoutMs: number, api?: ActionsCacheApi): ActionsCacheStore {
  return new ActionsCacheStore({ root: os.tmpdir(), name: 'deploy-check-state-', timeoutMs, description: 'the Actions cache', ...(api ? { api } : {}) });
}

/** The size baselines (one report.json per entry); their calls are not bounded. */
export function actionsBaselineStore(api?: ActionsCacheApi): ActionsCacheStore {
  return new ActionsCacheStore({ root: os.tmpdir(), name: 'deploy-check-size-', timeoutMs: null, description: 'the Actions cache', ...(api ? { api } : {}) });
}

/** The problems @actions/cache announces while calls are under way, one list per call. */
const listeners = new Set<string[]>();
let untappedWrite: typeof process.stdout.write | undefined;

/** Collects @actions/cache's annotations into `problems` (and keeps them off stdout) until the returned function is called. */
function collectAnnotations(problems: string[]): () => void {
  listeners.add(problems);
  if (untappedWrite === undefined) {
    // Kept unbound on purpose: the very same function is put back afterwards.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const write = process.stdout.write;
    untappedWrite = write;
    process.stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
      // The log's own stop-commands blocks (app output quoted while a call runs) are one write each: not the cache's words.
      let stopToken: string | undefined;
      const kept = text
        .split(/(?<=\n)/)
        .filter((line) => {
          const bare = line.trimEnd();
          if (stopToken !== undefined) {
            if (bare === `::${stopToken}::`) stopToken = undefined;
            return true;
          }
          stopToken = /^::stop-commands::(.+)$/.exec(bare)?.[1];
          const m = /^::(warning|error)(?: [^:]*)?::(.*)$/.exec(bare);
          // Calls that overlap (the layer cache and the state) cannot tell whose message it is: each hears it.
          if (m) for (const list of listeners) list.push(firstLine(decodeCommand(m[2] ?? '')));
          return !m;
        })
        .join('');
      if (kept === '') return true;
      return (write as (this: NodeJS.WriteStream, c: string, ...r: unknown[]) => boolean).call(this, kept, ...rest);
    };
  }
  return () => {
    listeners.delete(problems);
    if (listeners.size === 0 && untappedWrite !== undefined) {
      process.stdout.write = untappedWrite;
      untappedWrite = undefined;
    }
  };
}

/**
 * One @actions/cache call, bounded by `timeoutMs`. @actions/cache reports failures only as
 * warning and error annotations on stdout (and then answers "no cache"). They are collected here
 * so that the run says once, in its own words, what went wrong, instead of a miss looking like a
 * failure or an error annotation alarming a reader over an optional cache. A call given up on is
 * counted (see hasAbandonedCacheWork) and reported to `onAbandoned`.
 */
export async function callActionsCache<T>(what: string, timeoutMs: number, fn: () => Promise<T>, onAbandoned: () => void = () => undefined): Promise<T> {
  const problems: string[] = [];
  const stopCollecting = collectAnnotations(problems);
  let timer: NodeJS.Timeout | undefined;
  // Widened on purpose: the callback below sets it, which control-flow narrowing does not see.
  let settled = false as boolean;
  const work = fn().finally(() => {
    settled = true;
  });
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CacheStoreError(`the ${what} took longer than ${Math.round(timeoutMs / 1000)} s (cache-timeout)`)), timeoutMs);
    });
    const result = await Promise.race([work, timeout]);
    if (problems.length > 0) throw new CacheStoreError(problems.join('; '));
    return result;
  } catch (err) {
    if (!settled) {
      abandoned++;
      onAbandoned();
      work.catch(() => undefined);
    }
    if (err instanceof CacheStoreError) throw err;
    throw new CacheStoreError((err as Error).message);
  } finally {
    clearTimeout(timer);
    stopCollecting();
  }
}

/** The gist of an @actions/cache message: its first line, without the operation it names (the caller says it). */
function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/^Failed to (restore|save): /, '').trim();
}

/** Workflow commands escape %, CR and LF. */
function decodeCommand(text: string): string {
  return text.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%').trim();
}
