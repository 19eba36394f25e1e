import { ConfigError } from '../config/errors.ts';

/** A size budget or threshold: an absolute number of bytes, or a share of the baseline. */
export type SizeAmount =
  | { readonly kind: 'bytes'; readonly bytes: number; readonly raw: string }
  | { readonly kind: 'percent'; readonly percent: number; readonly raw: string };

// Decimal units are what registries, `docker images` and Railway show; binary ones are
// accepted for people who think in MiB. A bare K/M/G/T is decimal, as in `docker images`.
const FACTORS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1e3, kb: 1e3,
  m: 1e6, mb: 1e6,
  g: 1e9, gb: 1e9,
  t: 1e12, tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

const ACCEPTED = 'a number of bytes with an optional unit: B, kB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), e.g. "500MB" or "1.2GiB"';

/**
 * "500MB", "1.2GiB", "2048", and, when `percent` is allowed, "10%".
 * Negative values are refused: a budget cannot be below nothing.
 */
export function parseSizeAmount(input: string, raw: string, options: { percent: boolean }): SizeAmount {
  const text = raw.trim();
  const accepted = options.percent ? `${ACCEPTED}, or a percentage such as "10%"` : ACCEPTED;
  if (/^-/.test(text)) throw new ConfigError(input, `"${raw}" is negative; use ${accepted}`);
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (percent?.[1] !== undefined) {
    if (!options.percent) throw new ConfigError(input, `"${raw}" is a percentage, which this input does not take; use ${ACCEPTED}`);
    return { kind: 'percent', percent: Number(percent[1]), raw: text };
  }
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]*)$/.exec(text);
  const factor = m?.[2] !== undefined ? FACTORS[m[2].toLowerCase()] : undefined;
  if (!m || m[1] === undefined || factor === undefined) {
    throw new ConfigError(input, `"${raw}" is not a size; use ${accepted}`);
  }
  return { kind: 'bytes', bytes: Math.round(Number(m[1]) * factor), raw: text };
}
