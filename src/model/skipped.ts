import type { CacheReport, SizeReport } from './report.ts';

/** The size section of a run whose image was not measured (the build failed, or measuring did). */
export const SKIPPED_SIZE: SizeReport = {
  status: 'skipped',
  bytes: null,
  compressedBytes: null,
  uncompressedSource: 'unavailable',
  compressedSource: 'unavailable',
  store: null,
  measureMs: null,
  baseImage: null,
  layers: [],
  baseline: null,
  baselineNote: null,
  delta: null,
  budget: { metric: 'compressed', status: 'none', checks: [] },
  commentThreshold: { limit: '', bytes: null, percent: null, reached: null },
  baselineSaved: null,
  notes: [],
};

/** The layer cache section of a build that ran without the cache (note: why, when it was asked for). */
export function cacheReportOff(note: string | null, mode: CacheReport['mode'] = null): CacheReport {
  return {
    enabled: false,
    restored: false,
    key: null,
    matchedKey: null,
    saved: false,
    note,
    store: null,
    mode,
    exactHit: false,
    restoredBytes: null,
    restoreMs: null,
    saveReason: null,
    savedBytes: null,
    saveMs: null,
    timeSavedMs: null,
    warnings: [],
  };
}
