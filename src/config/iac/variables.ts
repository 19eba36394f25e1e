import type { KeyValue } from '../../inputs/lines.ts';
import type { DatabaseRun } from './databases.ts';
import { PRIVATE_DOMAIN_SUFFIX } from './databases.ts';
import type { IacService } from './graph.ts';

/** Values that live only in Railway (shared variables, preserved secrets), read through its API. */
export interface RemoteValues {
  readonly shared: Readonly<Record<string, string>>;
  readonly service: Readonly<Record<string, string>>;
  /** Set when railway-token was given and Railway did not give the values: why, in a sentence. */
  readonly unreadable?: string | undefined;
}

/** What of Railway's own values a service refers to: the values read through the API, and only these. */
export interface RemoteNeeds {
  /** Shared variables (`ctx.shared.X`, `${{shared.X}}`). */
  readonly shared: readonly string[];
  /** The service's variables whose value Railway keeps (`preserve()`). */
  readonly preserved: readonly string[];
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
  /** The values read from Railway's API, each with its name: masked whatever their length. */
  readonly fromRailway: readonly KeyValue[];
}

export interface ResolutionFacts {
  readonly databases: readonly DatabaseRun[];
  /** Railway's own variables for the deployment (RAILWAY_SERVICE_NAME, ...). */
  readonly provided: Readonly<Record<string, string>>;
  readonly remote: RemoteValues | undefined;
  readonly otherServices: readonly IacService[];
}

const TEMPLATE = /\$\{\{\s*(?:([\w-]+)\.)?([\w]+)\s*\}\}/g;

/** The shared variables and preserved values the service's variables need from Railway. */
export function remoteNeeds(service: IacService): RemoteNeeds {
  const shared = new Set<string>();
  const preserved: string[] = [];
  for (const [name, variable] of Object.entries(service.variables)) {
    if (variable.type === 'sharedReference') shared.add(variable.name);
    if (variable.type === 'preserve') preserved.push(name);
    if (variable.type === 'literal') for (const m of variable.value.matchAll(TEMPLATE)) if (m[1] === 'shared' && m[2]) shared.add(m[2]);
  }
  return { shared: [...shared], preserved };
}

/** Why a value that lives only in Railway is not here, for the variable's entry in `unavailable`. */
function notRead(remote: RemoteValues | undefined, what: string, missing: string): string {
  if (remote === undefined) return `${what} lives only in Railway (give railway-token to read it, or set it with env)`;
  if (remote.unreadable !== undefined) return `${what} lives only in Railway and could not be read (${remote.unreadable}); set it with env`;
  return `${missing}; set it with env`;
}

/** The variables the service gets, as Railway renders them, with where each came from. */
export function resolveVariables(service: IacService, facts: ResolutionFacts): VariableResolution {
  const env: KeyValue[] = Object.entries(facts.provided).map(([key, value]) => ({ key, value }));
  const sources: VariableSource[] = env.map((e) => ({ name: e.key, source: 'Railway' }));
  const unavailable: VariableSource[] = [];
  const secrets = new Set<string>(facts.databases.map((d) => d.password));
  const fromRailway = new Map<string, string>();
  const lookup = referenceLookup(facts, secrets, fromRailway);
  const ownValue = (name: string): string | undefined => env.find((e) => e.key === name)?.value;
  for (const [name, variable] of Object.entries(service.variables)) {
    let value: string | undefined;
    let source: string;
    let why: string | undefined;
    if (variable.type === 'literal') {
      const rendered = renderTemplate(variable.value, lookup, ownValue, facts.remote);
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
      if (value === undefined)
        why = notRead(facts.remote, `the shared variable ${variable.name}`, `Railway has no shared variable ${variable.name} in this environment`);
    } else if (variable.type === 'preserve') {
      source = 'preserve()';
      value = own(facts.remote?.service, name);
      if (value !== undefined) {
        secrets.add(value);
        fromRailway.set(name, value);
      } else why = notRead(facts.remote, 'its value (preserve())', `preserve() keeps the service's value in Railway, and the service has no ${name} there`);
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
  return {
    env,
    sources: dedupe(sources),
    unavailable,
    secrets: [...secrets].filter((s) => s.length > 0),
    fromRailway: [...fromRailway].map(([key, value]) => ({ key, value })),
  };
}

/** A name's value in a map read from Railway (JSON: only own string values count). */
function own(map: Readonly<Record<string, string>> | undefined, name: string): string | undefined {
  const value: unknown = map && Object.hasOwn(map, name) ? map[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

type Lookup = (resource: string, output: string) => string | undefined;

function referenceLookup(facts: ResolutionFacts, secrets: Set<string>, fromRailway: Map<string, string>): Lookup {
  return (resource, output) => {
    if (resource === 'shared') {
      const value = own(facts.remote?.shared, output);
      if (value !== undefined) {
        secrets.add(value);
        fromRailway.set(`shared.${output}`, value);
      }
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

function renderTemplate(
  text: string,
  lookup: Lookup,
  ownValue: (name: string) => string | undefined,
  remote: RemoteValues | undefined,
): { value: string | undefined; references: string[]; missing?: string } {
  const references: string[] = [];
  let missing: string | undefined;
  const value = text.replace(TEMPLATE, (whole, resource: string | undefined, output: string) => {
    references.push(resource ? `${resource}.${output}` : output);
    const found = resource ? lookup(resource, output) : ownValue(output);
    if (found === undefined)
      missing ??=
        resource === 'shared'
          ? `${whole} has no value here: ${notRead(remote, `the shared variable ${output}`, `Railway has no shared variable ${output} in this environment`)}`
          : `${whole} has no value here`;
    return found ?? '';
  });
  return missing === undefined ? { value, references } : { value: undefined, references, missing };
}

function dedupe(sources: VariableSource[]): VariableSource[] {
  const byName = new Map<string, VariableSource>();
  for (const s of sources) byName.set(s.name, s);
  return [...byName.values()];
}
