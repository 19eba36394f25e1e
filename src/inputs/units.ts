import { ConfigError } from './inputs.ts';

export interface StatusRange {
  readonly min: number;
  readonly max: number;
}

/** "200", "200-399" or "200,204,300-399". */
export function parseStatusRanges(input: string, raw: string): StatusRange[] {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.every((p) => p === '')) throw new ConfigError(input, 'is empty; use a status ("200"), a range ("200-399") or a list ("200,204")');
  // "200," is most likely a list cut short: refused rather than read as "200".
  if (parts.includes(''))
    throw new ConfigError(input, `"${raw.trim()}" has an empty entry between or after its commas; list statuses as "200,204" or "200-399"`);
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
