import type { KeyValue } from '../lines.ts';
import type { DatabaseRun } from './databases.ts';
import { PRIVATE_DOMAIN_SUFFIX } from './databases.ts';
import type { IacService } from './graph.ts';

/** Values that live only in Railway (shared variables, preserved secrets), read through its API. */
export interface RemoteValues {
  readonly shared: Readonly<Record<string, string>>;
  readonly service: Readonly<Record<string, string>>;
}

export interface VariableSource {
  readonly name: string;
  /** Where the value came from, e.g. "literal", "database.postgres DATABASE_URL", "Railway", "shared SECRET_KEY". */
  readonly source: string;
}

export interface VariableResolution {
  readonly env: readonly KeyValue[];
  readonly sources: readonly VariableSource[];
  /** Variables the app gets on Railway but not here, each with why (the `env` input can supply them). */
  readonly unavailable: readonly VariableSource[];
  /** Values to mask: database credentials, values from Railway's API. */
  readonly secrets: readonly string[];
}

export interface ResolutionFacts {
  readonly databases: readonly DatabaseRun[];
  /** Railway's own variables for the deployment (RAILWAY_SERVICE_NAME, ...). */
  readonly provided: Readonly<Record<string, string>>;
  readonly remote: RemoteValues | undefined;
  readonly otherServices: readonly IacService[];
}

const TEMPLATE = /\$\{\{\s*(?:([\w-]+)\.)?([\w]+)\s*\}\}/g;

/** The variables the service gets, as Railway renders them, with where each came from. */
export function resolveVariables(service: IacService, facts: ResolutionFacts): VariableResolution {
  const env: KeyValue[] = Object.entries(facts.provided).map(([key, value]) => ({ key, value }));
  const sources: VariableSource[] = env.map((e) => ({ name: e.key, source: 'Railway' }));
  const unavailable: VariableSource[] = [];
  const secrets = new Set<string>(facts.databases.map((d) => d.password));
  const lookup = referenceLookup(facts, secrets);
  const own = (name: string): string | undefined => env.find((e) => e.key === name)?.value;
  for (const [name, variable] of Object.entries(service.variables)) {
    let value: string | undefined;
    let source: string;
    let why: string | undefined;
    if (variable.type === 'literal') {
      const rendered = renderTemplate(variable.value, lookup, own);
      value = rendered.value;
      source = rendered.references.length ? `literal with ${rendered.references.join(', ')}` : 'literal';
      why = rendered.missing;
    } else if (variable.type === 'reference') {
      source = `${variable.resource} ${variable.output}`;
      const resource = variable.resource.replace(/^(database|service)\./, '');
      value = lookup(resource, variable.output);
      if (value === undefined) why = `${variable.resource} gives no ${variable.output} here`;
    } else if (variable.type === 'sharedReference') {
      source = `shared ${variable.name}`;
      value = lookup('shared', variable.name);
      if (value === undefined) why = `the shared variable ${variable.name} lives only in Railway (give railway-token to read it, or set it with env)`;
    } else if (variable.type === 'preserve') {
      source = 'preserve()';
      value = facts.remote?.service[name];
      if (value !== undefined) secrets.add(value);
      else why = 'its value is kept in Railway (preserve()); give railway-token to read it, or set it with env';
    } else {
      source = variable.what;
      why = `${variable.what} is not understood by deploy-check`;
    }
    if (value === undefined) {
      unavailable.push({ name, source: why ?? source });
      continue;
    }
    const at = env.findIndex((e) => e.key === name);
    if (at >= 0) env.splice(at, 1);
    env.push({ key: name, value });
    sources.push({ name, source });
  }
  return { env, sources: dedupe(sources), unavailable, secrets: [...secrets].filter((s) => s.length > 0) };
}

type Lookup = (resource: string, output: string) => string | undefined;

function referenceLookup(facts: ResolutionFacts, secrets: Set<string>): Lookup {
  return (resource, output) => {
    if (resource === 'shared') {
      const value = facts.remote?.shared[output];
      if (value !== undefined) secrets.add(value);
      return value;
    }
    const db = facts.databases.find((d) => d.name === resource);
    if (db) return db.outputs[output];
    const other = facts.otherServices.find((s) => s.name === resource);
    if (!other) return undefined;
    if (output === 'RAILWAY_PRIVATE_DOMAIN') return `${other.name}${PRIVATE_DOMAIN_SUFFIX}`;
    if (output === 'RAILWAY_SERVICE_NAME') return other.name;
    const literal = other.variables[output];
    return literal?.type === 'literal' ? literal.value : undefined;
  };
}

function renderTemplate(text: string, lookup: Lookup, own: (name: string) => string | undefined): { value: string | undefined; references: string[]; missing?: string } {
  const references: string[] = [];
  let missing: string | undefined;
  const value = text.replace(TEMPLATE, (whole, resource: string | undefined, output: string) => {
    references.push(resource ? `${resource}.${output}` : output);
    const found = resource ? lookup(resource, output) : own(output);
    if (found === undefined) missing ??= `${whole} has no value here${resource === 'shared' ? ' (a shared variable lives only in Railway: give railway-token to read it, or set it with env)' : ''}`;
    return found ?? '';
  });
  return missing === undefined ? { value, references } : { value: undefined, references, missing };
}

function dedupe(sources: VariableSource[]): VariableSource[] {
  const byName = new Map<string, VariableSource>();
  for (const s of sources) byName.set(s.name, s);
  return [...byName.values()];
}
