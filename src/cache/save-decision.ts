import type { CacheSave } from '../config/cache.ts';

/**
 * Half of a repository's 10 GB Actions cache: one entry larger than that would leave no room
 * for a second one, so every save would evict the entry the next run needs.
 */
export const MAX_ENTRY_BYTES = 5_000_000_000;

export interface SaveDecision {
  readonly save: boolean;
  /** A sentence for the log and the report. */
  readonly reason: string;
}

export interface SaveFacts {
  readonly policy: CacheSave;
  /** The restored entry has exactly this run's key. */
  readonly exactHit: boolean;
  /** null when the run cannot tell (no event payload naming the default branch). */
  readonly onDefaultBranch: boolean | null;
  /** The ref, for the sentence. */
  readonly ref: string | null;
  /** The store lets this run read only (ACTIONS_CACHE_MODE read or none, set by the runner for untrusted events). */
  readonly readOnly: boolean;
  /** The store failed during the restore (down, throttled, too slow): saving would fail the same way or mix with a late restore. */
  readonly storeFailed: boolean;
  /** 'pending' before the build: decides whether the build exports a cache at all. */
  readonly build: 'pending' | 'succeeded' | 'failed';
  /** Bytes of the exported cache; null when the export is missing, empty or damaged. Ignored while pending. */
  readonly exportedBytes: number | null;
}

/** Whether this run saves its layer cache, and why. Checked before the build (to skip a useless export) and after it. */
export function decideSave(f: SaveFacts): SaveDecision {
  if (f.policy === 'never') return { save: false, reason: 'cache-save is never' };
  if (f.readOnly) return { save: false, reason: "this run may only read the cache (the runner's ACTIONS_CACHE_MODE)" };
  if (f.storeFailed) return { save: false, reason: 'the cache store failed during the restore' };
  if (f.exactHit) {
    return { save: false, reason: "the restored entry already has this run's key, and keys cannot be overwritten (an identical run saved it)" };
  }
  if (f.policy === 'default-branch' && f.onDefaultBranch !== true) {
    return {
      save: false,
      reason:
        f.onDefaultBranch === null
          ? 'cache-save is default-branch, and this run cannot tell which branch is the default'
          : `cache-save is default-branch, and this run is on ${f.ref ?? 'another ref'}`,
    };
  }
  if (f.build === 'pending') return { save: true, reason: 'the cache will be saved if the build succeeds' };
  if (f.build === 'failed') return { save: false, reason: 'the build failed, so its cache is incomplete' };
  if (f.exportedBytes === null || f.exportedBytes === 0) return { save: false, reason: 'the build exported no usable cache' };
  if (f.exportedBytes > MAX_ENTRY_BYTES) {
    return {
      save: false,
      reason: `the cache is ${f.exportedBytes} bytes, more than half of the repository's 10 GB cache; use cache-mode: min to keep only the final stage's layers`,
    };
  }
  return { save: true, reason: f.policy === 'default-branch' ? 'cache-save is default-branch, and this run is on the default branch' : 'cache-save is always' };
}
