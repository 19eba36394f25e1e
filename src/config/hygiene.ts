import { ConfigError, parseChoice } from '../inputs/inputs.ts';
import { FINDING_IDS, isFindingId, type FindingId } from '../model/findings.ts';

export type HygieneMode = 'secrets' | 'warn' | 'fail' | 'off';
const HYGIENE_MODES: Readonly<Record<HygieneMode, string>> = {
  secrets: 'the default: fail on secrets in the image, report the rest',
  warn: 'report findings, pass',
  fail: 'fail on every error finding',
  off: 'no hygiene check',
};

export interface HygieneConfig {
  /**
   * secrets (the default): a secret in the image fails the check, other findings are reported;
   * warn: nothing fails; fail: every error-severity finding fails it; off: not checked.
   */
  readonly mode: HygieneMode;
  /** Finding ids silenced by `hygiene-ignore`. */
  readonly ignore: readonly FindingId[];
}

/** Reads `hygiene` and `hygiene-ignore`. */
export function readHygieneConfig(read: (name: 'hygiene' | 'hygiene-ignore') => string): HygieneConfig {
  const mode = parseChoice('hygiene', read('hygiene'), HYGIENE_MODES, { fallback: 'secrets', what: 'hygiene mode' });
  const ids = read('hygiene-ignore')
    .split(/[\s,]+/)
    .map((id) => id.trim().toLowerCase())
    .filter(Boolean);
  const unknown = ids.filter((id) => !isFindingId(id));
  if (unknown.length > 0) {
    throw new ConfigError(
      'hygiene-ignore',
      `unknown finding id${unknown.length > 1 ? 's' : ''} ${unknown.map((id) => `"${id}"`).join(', ')}; valid ids: ${FINDING_IDS.join(', ')}`,
    );
  }
  return { mode, ignore: [...new Set(ids)].filter(isFindingId) };
}
