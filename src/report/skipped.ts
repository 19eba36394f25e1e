import type { SizeReport } from './model.ts';

/** The size section of a run whose image was not measured (the build failed, or measuring did). */
export const SKIPPED_SIZE: SizeReport = {
  status: 'skipped', bytes: null, compressedBytes: null, uncompressedSource: 'unavailable', compressedSource: 'unavailable',
  store: null, measureMs: null, baseImage: null, layers: [], baseline: null, baselineNote: null, delta: null,
  budget: { metric: 'compressed', status: 'none', checks: [] },
  commentThreshold: { limit: '', bytes: null, percent: null, reached: null },
  baselineSaved: null, notes: [],
};
