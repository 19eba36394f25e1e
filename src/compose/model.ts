/**
 * The part of a resolved Compose project (`docker compose config --format json`) that
 * deploy-check reads. Compose itself reads, interpolates and validates the file; this only
 * narrows its JSON to typed values.
 */
export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ComposeDependency {
  readonly condition: DependsCondition;
  readonly required: boolean;
}

export interface ComposeMount {
  readonly type: string;
  readonly source: string | undefined;
  readonly target: string;
}

export interface ComposeHealthcheck {
  readonly test: readonly string[] | undefined;
  readonly disable: boolean;
  readonly startPeriod: string | undefined;
}

export interface ComposeService {
  readonly name: string;
  readonly image: string | undefined;
  readonly build: { readonly context: string; readonly dockerfile: string | undefined; readonly target: string | undefined } | undefined;
  readonly dependsOn: Readonly<Record<string, ComposeDependency>>;
  /** Resolved `environment` and `env_file`; a variable listed without a value (null) is left out. */
  readonly environment: Readonly<Record<string, string>>;
  /** Network key → extra aliases. */
  readonly networks: Readonly<Record<string, readonly string[]>>;
  readonly networkMode: string | undefined;
  readonly volumes: readonly ComposeMount[];
  readonly healthcheck: ComposeHealthcheck | undefined;
  /** `container_name`: one fixed name on the whole engine, so deploy-check gives the run's container its own. */
  readonly containerName?: string | undefined;
}

export interface ComposeModel {
  readonly name: string;
  readonly services: Readonly<Record<string, ComposeService>>;
  /** Network key → the engine's network name and whether it exists outside the project. */
  readonly networks: Readonly<Record<string, { readonly name: string; readonly external: boolean }>>;
  readonly volumes: Readonly<Record<string, { readonly name: string; readonly external: boolean }>>;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const CONDITIONS: readonly DependsCondition[] = ['service_started', 'service_healthy', 'service_completed_successfully'];

/** Narrows Compose's resolved JSON; throws when it is not the shape `docker compose config` prints. */
export function parseComposeModel(text: string): ComposeModel {
  const raw: unknown = JSON.parse(text);
  if (!isObject(raw) || !isObject(raw['services'])) throw new Error('docker compose config printed no "services"');
  const services: Record<string, ComposeService> = {};
  for (const [name, value] of Object.entries(raw['services'])) {
    if (isObject(value)) services[name] = parseService(name, value);
  }
  const name = str(raw['name']) ?? '';
  return { name, services, networks: parseResources(raw['networks'], name), volumes: parseResources(raw['volumes'], name) };
}

function parseService(name: string, s: Json): ComposeService {
  const build =
    isObject(s['build']) && str(s['build']['context'])
      ? { context: str(s['build']['context']) ?? '', dockerfile: str(s['build']['dockerfile']), target: str(s['build']['target']) }
      : undefined;
  const dependsOn: Record<string, ComposeDependency> = {};
  if (isObject(s['depends_on'])) {
    for (const [dep, v] of Object.entries(s['depends_on'])) {
      const condition = isObject(v) ? str(v['condition']) : undefined;
      dependsOn[dep] = {
        condition: CONDITIONS.find((c) => c === condition) ?? 'service_started',
        required: !(isObject(v) && v['required'] === false),
      };
    }
  }
  const environment: Record<string, string> = {};
  if (isObject(s['environment'])) {
    for (const [k, v] of Object.entries(s['environment'])) if (typeof v === 'string') environment[k] = v;
  }
  const networks: Record<string, string[]> = {};
  if (isObject(s['networks'])) {
    for (const [k, v] of Object.entries(s['networks'])) {
      networks[k] = isObject(v) && Array.isArray(v['aliases']) ? v['aliases'].filter((a): a is string => typeof a === 'string') : [];
    }
  }
  const volumes: ComposeMount[] = Array.isArray(s['volumes'])
    ? s['volumes'].filter(isObject).map((v) => ({ type: str(v['type']) ?? 'volume', source: str(v['source']), target: str(v['target']) ?? '' }))
    : [];
  const hc = s['healthcheck'];
  const healthcheck = isObject(hc)
    ? {
        test: Array.isArray(hc['test']) ? hc['test'].filter((t): t is string => typeof t === 'string') : undefined,
        disable: hc['disable'] === true,
        startPeriod: str(hc['start_period']),
      }
    : undefined;
  return {
    name,
    image: str(s['image']),
    build,
    dependsOn,
    environment,
    networks,
    networkMode: str(s['network_mode']),
    volumes,
    healthcheck,
    containerName: str(s['container_name']),
  };
}

function parseResources(value: unknown, project: string): Record<string, { name: string; external: boolean }> {
  const out: Record<string, { name: string; external: boolean }> = {};
  if (!isObject(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    const external = isObject(v) && (v['external'] === true || isObject(v['external']));
    out[key] = { name: (isObject(v) ? str(v['name']) : undefined) ?? `${project}_${key}`, external };
  }
  return out;
}
