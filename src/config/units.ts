import { ConfigError } from './errors.ts';

/** Durations are seconds, or a number with `ms`, `s` or `m`: "30", "1.5m", "250ms". */
export function parseDuration(input: string, raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(raw);
  if (!m || m[1] === undefined) {
    throw new ConfigError(input, `"${raw}" is not a duration; use seconds ("30"), or a number with s or m ("45s", "2m")`);
  }
  const value = Number(m[1]);
  const factor = m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000;
  const ms = Math.round(value * factor);
  if (ms <= 0) throw new ConfigError(input, `"${raw}" must be greater than zero`);
  return ms;
}

export interface StatusRange {
  readonly min: number;
  readonly max: number;
}

/** "200", "200-399" or "200,204,300-399". */
export function parseStatusRanges(input: string, raw: string): StatusRange[] {
  const parts = raw.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new ConfigError(input, 'is empty; use a status ("200"), a range ("200-399") or a list ("200,204")');
  return parts.map((part) => {
    const m = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(part);
    const min = Number(m?.[1]);
    const max = m?.[2] === undefined ? min : Number(m[2]);
    if (!m || min < 100 || max > 599 || max < min) {
      throw new ConfigError(input, `"${part}" is not an HTTP status or range; use e.g. "200", "200-399" or "200,204"`);
    }
    return { min, max };
  });
}

export function statusMatches(ranges: readonly StatusRange[], status: number): boolean {
  return ranges.some((r) => status >= r.min && status <= r.max);
}

export function formatStatusRanges(ranges: readonly StatusRange[]): string {
  return ranges.map((r) => (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`)).join(',');
}

export function parsePort(input: string, raw: string): number {
  const m = /^\s*(\d+)(?:\/tcp)?\s*$/i.exec(raw);
  const port = Number(m?.[1]);
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(input, `"${raw}" is not a TCP port; use a number from 1 to 65535`);
  }
  return port;
}
