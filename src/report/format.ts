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
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds === 0 || seconds === 60 ? `${Math.round(ms / 60_000)} min` : `${Math.floor(ms / 60_000)} min ${seconds} s`;
}
