/**
 * Defensive reads of a CheckReport for the reporters. A report may come from a run that
 * skipped a stage, from an older or newer deploy-check, or (in the fork-safe comment flow)
 * from a file that someone else wrote: a field of the wrong type reads as absent.
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

export function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** A section that is there and not explicitly skipped. */
export function present(value: unknown): Fields | null {
  const o = obj(value);
  if (!o) return null;
  return o['status'] === 'skipped' ? null : o;
}

/** Lines of text from a field that should be a string array (or one string with newlines). */
export function lines(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\r?\n/);
  return arr(value).map((l) => (typeof l === 'string' ? l : JSON.stringify(l) ?? ''));
}
