/**
 * Reads of JSON that nothing vouches for: GitHub's event payload and the metadata hidden in a
 * comment. A field of the wrong type reads as absent. (Report files are checked against the
 * schema instead: src/report/validate.ts.)
 */
export type Fields = Record<string, unknown>;

export function obj(value: unknown): Fields | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : null;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
