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

/**
 * The GitHub Actions cache service through @actions/cache. Its cache version hashes the paths
 * it is given, so every run of an image restores into, and saves from, the same path: one
 * folder per key prefix under RUNNER_TEMP (emptied by the runner after each job).
 */
export class ActionsCacheStore implements CacheStore {
  readonly kind = 'actions';
  readonly description = 'the GitHub Actions cache';
  /** @actions/cache's rule: the runner's ACTIONS_CACHE_MODE none or read forbids saving (unknown modes allow it). */
  readonly writable = !['none', 'read'].includes((process.env['ACTIONS_CACHE_MODE'] ?? '').trim().toLowerCase());
  private readonly timeoutMs: number;
  private readonly root: string;
  /** Set when a restore was abandoned: its late extraction must not meet a save into the same folder. */
  private unsettled = false;

  constructor(options: { timeoutMs: number; tempDir?: string }) {
    this.timeoutMs = options.timeoutMs;
    this.root = path.join(options.tempDir ?? (process.env['RUNNER_TEMP'] || os.tmpdir()), 'deploy-check-cache');
  }

  /** Whether the job was given a cache service (ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL). */
  static available(): boolean {
    return cache.isFeatureAvailable();
  }

  async workDir(): Promise<string> {
    await mkdir(this.root, { recursive: true });
    return this.root;
  }

  async restore(keys: CacheKeys): Promise<RestoredCache | null> {
    const dir = this.folder(keys.prefix);
    await rm(dir, { recursive: true, force: true });
    await mkdir(path.dirname(dir), { recursive: true });
    const matchedKey = await this.call('restore', () =>
      cache.restoreCache([dir], keys.key, [...keys.restoreKeys], {
        // Bounds each download request and each stuck segment, so an abandoned restore ends too.
        timeoutInMs: Math.min(this.timeoutMs, 60_000),
        segmentTimeoutInMs: this.timeoutMs,
      }),
    );
    if (matchedKey === undefined) return null;
    if (!(await isUsableCache(dir))) {
      throw new CacheStoreError(`the entry "${matchedKey}" holds no BuildKit cache`);
    }
    return { matchedKey, dir };
  }

  async save(keys: CacheKeys, dir: string): Promise<boolean> {
    if (this.unsettled) throw new CacheStoreError('the restore of this run never finished, so nothing is saved next to it');
    const target = this.folder(keys.prefix);
    await rm(target, { recursive: true, force: true });
    await rename(dir, target);
    // -1 without a warning: the key was reserved by another job (keys are immutable).
    const id = await this.call('save', () => cache.saveCache([target], keys.key));
    return id !== -1;
  }

  private folder(prefix: string): string {
    return path.join(this.root, createHash('sha256').update(prefix).digest('hex').slice(0, 16));
  }

  private async call<T>(what: 'restore' | 'save', fn: () => Promise<T>): Promise<T> {
    return callActionsCache(what, this.timeoutMs, fn, () => {
      if (what === 'restore') this.unsettled = true;
    });
  }
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
