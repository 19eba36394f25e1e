import path from 'node:path';
import type { KeyValue } from '../inputs/lines.ts';
import type { ComposeModel, ComposeService, DependsCondition } from './model.ts';

/** A Compose project name unique to the run (lower case, digits, dashes: what Compose accepts). */
export function projectName(runId: string): string {
  return `deploy-check-${runId}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}

export type AppServiceChoice =
  { readonly ok: true; readonly service: string; readonly source: 'input' | 'build context' } | { readonly ok: false; readonly message: string };

/**
 * The service that is the app under check: the one named, else the one whose `build` context is
 * the checked context. Several such services (an app and its `migrate` one-shot built from the
 * same directory) narrow to the one no other of them depends on.
 */
export function chooseAppService(model: ComposeModel, context: string, named: string | undefined): AppServiceChoice {
  const names = Object.keys(model.services);
  if (named !== undefined) {
    return model.services[named]
      ? { ok: true, service: named, source: 'input' }
      : { ok: false, message: `no service "${named}" in the Compose file; services: ${names.join(', ') || '(none)'}` };
  }
  const same = names.filter((n) => {
    const build = model.services[n]?.build;
    return build !== undefined && samePath(build.context, context);
  });
  const top = same.filter((n) => !same.some((other) => other !== n && dependencyClosure(model, other).some((d) => d.name === n)));
  if (top.length === 1 && top[0] !== undefined) return { ok: true, service: top[0], source: 'build context' };
  const why = same.length === 0 ? `no service builds ${context}` : `several services build ${context} (${same.join(', ')})`;
  return { ok: false, message: `${why}; set "compose-service" to the app's service; services: ${names.join(', ') || '(none)'}` };
}

function samePath(a: string, b: string): boolean {
  return path.resolve(a).replace(/\/+$/, '') === path.resolve(b).replace(/\/+$/, '');
}

export interface Dependency {
  readonly name: string;
  /** What the services that need it wait for; the strongest when several do. */
  readonly condition: DependsCondition;
  /** The services it waits for itself (inside the closure). */
  readonly after: readonly string[];
}

const STRENGTH: Record<DependsCondition, number> = { service_started: 0, service_healthy: 1, service_completed_successfully: 2 };

/** The app's dependencies, transitively, dependencies first; never the app itself. */
export function dependencyClosure(model: ComposeModel, app: string): Dependency[] {
  const order: string[] = [];
  const seen = new Set<string>([app]);
  const visit = (name: string): void => {
    for (const dep of Object.keys(model.services[name]?.dependsOn ?? {})) {
      if (seen.has(dep) || !model.services[dep]) continue;
      seen.add(dep);
      visit(dep);
      order.push(dep);
    }
  };
  visit(app);
  const members = new Set([app, ...order]);
  return order.map((name) => {
    let condition: DependsCondition = 'service_started';
    for (const member of members) {
      const wanted = model.services[member]?.dependsOn[name]?.condition;
      if (wanted && STRENGTH[wanted] > STRENGTH[condition]) condition = wanted;
    }
    return { name, condition, after: Object.keys(model.services[name]?.dependsOn ?? {}).filter((d) => members.has(d)) };
  });
}

/** A service built from the checked context and Dockerfile runs the image deploy-check built rather than a second build. */
export function buildsCheckedImage(service: ComposeService, checked: { context: string; dockerfile: string; target: string | undefined }): boolean {
  const build = service.build;
  if (!build || !samePath(build.context, checked.context)) return false;
  return samePath(path.resolve(build.context, build.dockerfile ?? 'Dockerfile'), checked.dockerfile) && (build.target ?? undefined) === checked.target;
}

export interface OverrideOptions {
  readonly labels: Readonly<Record<string, string>>;
  /** Services that run the checked image instead of building it again. */
  readonly checkedImage: { readonly ref: string; readonly services: readonly string[] };
  /** While a dependency starts, its healthcheck runs this often (Engine 25+); null leaves it as written. */
  readonly startIntervalMs: number | null;
  readonly startPeriodMs: number;
}

/**
 * deploy-check's own Compose file, given after the user's: labels (so cleanup finds everything),
 * the checked image for services built from the same Dockerfile, and a frequent healthcheck
 * while a dependency starts (so readiness is seen within a quarter second, not an `interval`).
 */
export function composeOverride(model: ComposeModel, deps: readonly Dependency[], options: OverrideOptions): Record<string, unknown> {
  const services: Record<string, unknown> = {};
  for (const dep of deps) {
    const service = model.services[dep.name];
    if (!service) continue;
    const entry: Record<string, unknown> = { labels: { ...options.labels } };
    if (options.checkedImage.services.includes(dep.name)) entry['image'] = options.checkedImage.ref;
    else if (service.build) entry['build'] = { labels: { ...options.labels } };
    Object.assign(entry, ownContainerName(model, service));
    const hc = service.healthcheck;
    if (options.startIntervalMs !== null && hc && !hc.disable && hc.test?.length && hc.test[0] !== 'NONE') {
      entry['healthcheck'] = {
        start_period: `${Math.max(options.startPeriodMs, durationMs(hc.startPeriod))}ms`,
        start_interval: `${options.startIntervalMs}ms`,
      };
    }
    services[dep.name] = entry;
  }
  const labelled = (resources: ComposeModel['networks']): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(resources)
        .filter(([, r]) => !r.external)
        .map(([key]) => [key, { labels: { ...options.labels } }]),
    );
  const override: Record<string, unknown> = { services };
  const networks = labelled(model.networks);
  const volumes = labelled(model.volumes);
  if (Object.keys(networks).length) override['networks'] = networks;
  if (Object.keys(volumes).length) override['volumes'] = volumes;
  return override;
}

/** A fixed `container_name` made the run's own (see containerNames); the fixed name stays a network alias, so peers still reach it by that name. */
function ownContainerName(model: ComposeModel, service: ComposeService): Record<string, unknown> {
  const fixed = service.containerName;
  if (!fixed) return {};
  const entry: Record<string, unknown> = { container_name: runContainerName(model, fixed) };
  // network_mode (host, service:x) has no aliases; without it Compose lists every network (default included).
  if (!service.networkMode) entry['networks'] = Object.fromEntries(Object.keys(service.networks).map((key) => [key, { aliases: [fixed] }]));
  return entry;
}

function runContainerName(model: ComposeModel, fixed: string): string {
  return `${model.name}-${fixed}`;
}

/**
 * The dependencies whose `container_name` the run replaces: a fixed name exists once per engine,
 * so a second run at once (or a developer's running stack) would fail with a name conflict.
 */
export function containerNames(model: ComposeModel, deps: readonly Dependency[]): { service: string; fixed: string; name: string }[] {
  return deps.flatMap((dep) => {
    const fixed = model.services[dep.name]?.containerName;
    return fixed ? [{ service: dep.name, fixed, name: runContainerName(model, fixed) }] : [];
  });
}

/** Compose's duration strings as printed by `config` ("1m30s", "500ms", "10s"); 0 when absent. */
export function durationMs(text: string | undefined): number {
  if (!text) return 0;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/([\d.]+)(h|ms|m|s|us|µs|ns)/g)) {
    const value = Number(n);
    total += unit === 'h' ? value * 3_600_000 : unit === 'm' ? value * 60_000 : unit === 's' ? value * 1000 : unit === 'ms' ? value : 0;
  }
  return Math.round(total);
}

export interface AppNetwork {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly external: boolean;
}

/** How the app container joins the project, as Compose would run the service, minus what deploy-check does its own way. */
export interface AppPlacement {
  readonly service: string;
  readonly networks: readonly AppNetwork[];
  /** The service's resolved environment, overridden by the `env` / `env-file` inputs. */
  readonly env: readonly KeyValue[];
  /** Bind mounts left out: a mount of the source would hide the image under check. */
  readonly droppedMounts: readonly string[];
  /** Settings of the service deploy-check does not use, each in a sentence. */
  readonly ignored: readonly string[];
}

export function appPlacement(model: ComposeModel, app: string, inputEnv: readonly KeyValue[]): AppPlacement {
  const service = model.services[app];
  if (!service) throw new Error(`no service "${app}"`);
  const overridden = new Set(inputEnv.map((e) => e.key));
  const env = [
    ...Object.entries(service.environment)
      .filter(([k]) => !overridden.has(k))
      .map(([key, value]) => ({ key, value })),
    ...inputEnv,
  ];
  const keys = Object.keys(service.networks);
  const networks = (keys.length ? keys : ['default']).map((key) => ({
    name: model.networks[key]?.name ?? `${model.name}_${key}`,
    // Under Compose its container_name resolves too; deploy-check names the app's container itself.
    aliases: [...new Set([app, ...(service.containerName ? [service.containerName] : []), ...(service.networks[key] ?? [])])],
    external: model.networks[key]?.external ?? false,
  }));
  const droppedMounts = service.volumes.filter((v) => v.type === 'bind').map((v) => `${v.source ?? '?'}:${v.target}`);
  const ignored: string[] = [];
  const others = service.volumes.filter((v) => v.type !== 'bind');
  if (others.length) ignored.push(`volumes ${others.map((v) => `${v.source ?? '(anonymous)'}:${v.target}`).join(', ')} are not mounted`);
  if (service.networkMode) ignored.push(`network_mode "${service.networkMode}" is not used: the app joins the project's networks`);
  return { service: app, networks, env, droppedMounts, ignored };
}
