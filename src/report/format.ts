import type { BuildReport, CacheReport } from './model.ts';

/** Human units for the reporters: bytes in MB/GB (decimal, as registries and `docker images` show them), durations in s. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'n/a';
  const abs = Math.abs(bytes);
  const sign = bytes < 0 ? '-' : '';
  if (abs < 1000) return `${sign}${abs} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = abs;
  let unit = 'B';
  for (const u of units) {
    value /= 1000;
    unit = u;
    if (value < 1000) break;
  }
  return `${sign}${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${unit}`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return 'n/a';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** One line on the layer cache for the reporters: what was restored, what it saved, what was stored. */
export function describeCache(cache: CacheReport, steps: BuildReport['steps']): string {
  if (!cache.enabled) return `off${cache.note ? `: ${cache.note}` : ''}`;
  const parts: string[] = [];
  if (cache.restored) {
    parts.push(`restored ${cache.exactHit ? 'this run\'s key' : cache.matchedKey ?? ''} (${formatBytes(cache.restoredBytes)} in ${formatDuration(cache.restoreMs)})`);
    parts.push(`${steps.cached}/${steps.total} steps cached${cache.timeSavedMs !== null ? `, about ${formatDuration(cache.timeSavedMs)} of build time saved` : ''}`);
  } else {
    parts.push(cache.note ? `not restored: ${cache.note}` : 'no cache yet');
  }
  if (cache.saved) parts.push(`saved ${formatBytes(cache.savedBytes)} in ${formatDuration(cache.saveMs)}`);
  else if (cache.saveReason) parts.push(`not saved: ${cache.saveReason}`);
  return parts.join('; ');
}
