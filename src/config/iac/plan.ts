import type { IacDatabase, IacService, IacVariable } from './graph.ts';

/** One setting a pull request changes, as a reviewer reads it; null is "not set". */
export interface PlanChange {
  /** The graph's field, e.g. deploy.healthcheckPath, variables.REDIS_URL, databases.cache. */
  readonly field: string;
  readonly before: string | null;
  readonly after: string | null;
}

/**
 * What a pull request changes in the checked service's Railway configuration, against its base
 * commit: changed / unchanged, new-service (the base has no such service, or no file), or
 * unavailable (the base's file could not be read or evaluated; reason says why).
 */
export interface RailwayPlan {
  readonly base: string | null;
  readonly status: 'changed' | 'unchanged' | 'unavailable' | 'new-service';
  readonly changes: readonly PlanChange[];
  readonly reason: string | null;
}

/** One side of the comparison: the checked service (undefined when that side has none) and the project's databases. */
export interface PlanSide {
  readonly service: IacService | undefined;
  readonly databases: readonly IacDatabase[];
}

/**
 * What changes for a deploy of the checked service between the base's graph and the head's:
 * commands, health check, deploy settings, build, variables and databases. Variables are
 * compared by name and kind only: a value may be a secret, so none is ever shown.
 */
export function diffServices(base: PlanSide, head: PlanSide): PlanChange[] {
  const before = base.service ? settingsOf(base.service) : new Map<string, string>();
  const after = head.service ? settingsOf(head.service) : new Map<string, string>();
  const changes = compare(before, after);
  changes.push(...compareVariables(base.service?.variables ?? {}, head.service?.variables ?? {}));
  changes.push(...compare(databasesOf(base.databases), databasesOf(head.databases)));
  return changes;
}

/** Every key of either map whose value differs, in the head's order then the base's. */
function compare(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): PlanChange[] {
  const fields = [...new Set([...after.keys(), ...before.keys()])];
  return fields.map((field) => ({ field, before: before.get(field) ?? null, after: after.get(field) ?? null })).filter((c) => c.before !== c.after);
}

function settingsOf(service: IacService): Map<string, string> {
  const out = new Map<string, string>();
  const set = (field: string, value: string | undefined): void => {
    if (value !== undefined) out.set(field, value);
  };
  set('source.rootDirectory', service.source?.rootDirectory);
  set('build.builder', service.builder);
  set('build.dockerfilePath', service.dockerfilePath);
  set('deploy.startCommand', service.startCommand);
  set('deploy.preDeployCommand', service.preDeployCommand?.join(' && '));
  set('deploy.healthcheckPath', service.healthcheckPath);
  set('deploy.healthcheckTimeout', service.healthcheckTimeout === undefined ? undefined : `${service.healthcheckTimeout}s`);
  set('deploy.cronSchedule', service.cronSchedule);
  for (const [key, value] of Object.entries(service.deploy)) {
    if (value !== undefined && value !== null) set(`deploy.${key}`, typeof value === 'string' ? value : JSON.stringify(value));
  }
  if (service.volumes.length)
    set(
      'volumeMounts',
      service.volumes
        .map((v) => v.mountPath)
        .sort()
        .join(', '),
    );
  if (service.tcpProxies.length) set('networking.tcpProxies', [...service.tcpProxies].sort().join(', '));
  return out;
}

/**
 * Variables by name and kind. A literal whose value changed is said to have changed, without
 * either value: the value may be a secret.
 */
function compareVariables(base: Readonly<Record<string, IacVariable>>, head: Readonly<Record<string, IacVariable>>): PlanChange[] {
  const changes: PlanChange[] = [];
  for (const name of new Set([...Object.keys(head), ...Object.keys(base)])) {
    const was = base[name];
    const is = head[name];
    const before = was ? kindOf(was) : null;
    const after = is ? kindOf(is) : null;
    if (before !== after) changes.push({ field: `variables.${name}`, before, after });
    else if (was?.type === 'literal' && is?.type === 'literal' && was.value !== is.value)
      changes.push({ field: `variables.${name}`, before, after: 'literal, another value' });
  }
  return changes;
}

function kindOf(variable: IacVariable): string {
  switch (variable.type) {
    case 'literal':
      return 'literal';
    case 'reference':
      return `reference to ${variable.resource} ${variable.output}`;
    case 'sharedReference':
      return `shared variable ${variable.name}`;
    case 'preserve':
      return 'kept in Railway (preserve())';
    case 'unsupported':
      return variable.what;
  }
}

function databasesOf(databases: readonly IacDatabase[]): Map<string, string> {
  return new Map(databases.map((d) => [`databases.${d.name}`, d.image ? `${d.engine} (${d.image})` : d.engine]));
}
