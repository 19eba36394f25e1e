import { Validator, type OutputUnit } from '@cfworker/json-schema';
import schema from '../../docs/report.schema.json' with { type: 'json' };
import type { CheckReport } from '../model/report.ts';

/** A report file read at the boundary: typed when it matches docs/report.schema.json, else what is wrong and where. */
export type ReportCheck = { readonly ok: true; readonly report: CheckReport } | { readonly ok: false; readonly problems: string[] };

// Draft 7 is what the schema generator writes; every error is collected so the deepest ones can be told.
const validator = new Validator(schema, '7', false);

/** Keywords that only say "something below failed"; the errors worth telling are under them. */
const BRANCHES = new Set(['$ref', 'properties', 'items', 'additionalItems', 'anyOf', 'allOf', 'oneOf', 'if', 'then', 'else']);

/** At most this many problems are told: enough to see a pattern, short enough for one log line. */
const MAX_PROBLEMS = 3;

/** Checks a parsed report against the published schema. Newer fields are accepted; wrong types and missing fields are not. */
export function checkReport(value: unknown): ReportCheck {
  const result = validator.validate(value);
  if (result.valid) return { ok: true, report: value as CheckReport };
  return { ok: false, problems: describe(result.errors) };
}

/**
 * The deepest errors, one sentence each, naming the field by its path ("size.layers[2].bytes").
 * An error at a field that has errors below it only repeats them (e.g. a union's "or null"
 * branch), so it is left out; type errors at one field are merged into one "expected a or b".
 */
function describe(errors: readonly OutputUnit[]): string[] {
  const leaves = errors.filter((e) => !BRANCHES.has(e.keyword));
  const deepest = leaves.filter((e) => !leaves.some((o) => o.instanceLocation.startsWith(`${e.instanceLocation}/`) && o.keyword !== 'required'));
  const problems = new Map<string, string>();
  const expected = new Map<string, { actual: string; types: Set<string> }>();
  for (const e of deepest) {
    const where = fieldPath(e.instanceLocation);
    const type = /^Instance type "([^"]+)" is invalid\. Expected "(.+)"\.$/.exec(e.error);
    if (e.keyword === 'type' && type?.[1] !== undefined && type[2] !== undefined) {
      const entry = expected.get(where) ?? { actual: type[1], types: new Set<string>() };
      for (const t of type[2].split('", "')) entry.types.add(t);
      expected.set(where, entry);
      problems.set(where, '');
      continue;
    }
    const missing = /^Instance does not have required property "(.+)"\.$/.exec(e.error);
    if (e.keyword === 'required' && missing?.[1] !== undefined) {
      const field = joinPath(where, missing[1]);
      problems.set(field, `${field} is missing`);
      continue;
    }
    problems.set(`${where} ${e.keyword}`, `${where || 'the report'}: ${e.error.replace(/^Instance /, 'it ')}`);
  }
  for (const [where, { actual, types }] of expected) {
    problems.set(where, `${where || 'the report'} is ${article(actual)}, not ${[...types].map(article).join(' or ')}`);
  }
  return [...problems.values()].filter(Boolean).slice(0, MAX_PROBLEMS);
}

/** "#/size/layers/2/bytes" → "size.layers[2].bytes" (JSON Pointer escapes undone). */
function fieldPath(pointer: string): string {
  const parts = pointer
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : joinPath(out, part)), '');
}

function joinPath(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

function article(type: string): string {
  return type === 'null' ? 'null' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}
