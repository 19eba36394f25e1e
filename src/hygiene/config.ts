import { ConfigError } from '../config/errors.ts';
import { FINDING_IDS, isFindingId, type FindingId } from './findings.ts';

export type HygieneMode = 'warn' | 'fail' | 'off';

export interface HygieneConfig {
  /** warn: findings are reported, the check passes; fail: an error-severity finding fails it; off: not checked. */
  readonly mode: HygieneMode;
  /** Finding ids silenced by `hygiene-ignore`. */
  readonly ignore: readonly FindingId[];
}

/** Reads `hygiene` and `hygiene-ignore`. */
export function readHygieneConfig(read: (name: 'hygiene' | 'hygiene-ignore') => string): HygieneConfig {
  const rawMode = read('hygiene').trim().toLowerCase() || 'warn';
  if (rawMode !== 'warn' && rawMode !== 'fail' && rawMode !== 'off') {
    throw new ConfigError('hygiene', `"${rawMode}" is not a hygiene mode; use warn (report findings, pass), fail (fail on error findings) or off`);
  }
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
  return { mode: rawMode, ignore: [...new Set(ids)].filter(isFindingId) };
}
