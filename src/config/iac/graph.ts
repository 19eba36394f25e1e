/**
 * The part of Railway's project graph (what `.railway/railway.ts` returns, see Railway's SDK
 * `railway/iac`) that deploy-check reads, narrowed from JSON to typed values. The file is
 * repository code: nothing in it is trusted to have the SDK's shapes.
 */
export type IacVariable =
  | { readonly type: 'literal'; readonly value: string }
  | { readonly type: 'reference'; readonly resource: string; readonly output: string }
  | { readonly type: 'sharedReference'; readonly name: string }
  | { readonly type: 'preserve' }
  | { readonly type: 'unsupported'; readonly what: string };

export interface IacSource {
  readonly type: string;
  readonly repo: string | undefined;
  readonly branch: string | undefined;
  readonly rootDirectory: string | undefined;
  readonly image: string | undefined;
}

export interface IacService {
  readonly name: string;
  readonly address: string;
  /** github, docker-image, template, empty, function. */
  readonly kind: string;
  readonly source: IacSource | undefined;
  readonly builder: string | undefined;
  readonly dockerfilePath: string | undefined;
  readonly startCommand: string | undefined;
  readonly preDeployCommand: readonly string[] | undefined;
  readonly healthcheckPath: string | undefined;
  /** Seconds, as Railway takes it. */
  readonly healthcheckTimeout: number | undefined;
  readonly cronSchedule: string | undefined;
  /** Every other deploy setting, as written (replicas, restart policy, sleep, ...). */
  readonly deploy: Readonly<Record<string, unknown>>;
  readonly variables: Readonly<Record<string, IacVariable>>;
  /** The service's volumes: where each is mounted, and its name when the file gives one (volume("data")). */
  readonly volumes: readonly IacVolume[];
  readonly tcpProxies: readonly string[];
}

export interface IacVolume {
  readonly mountPath: string;
  readonly name: string | undefined;
}

export interface IacDatabase {
  readonly name: string;
  readonly address: string;
  /** postgres, mysql, redis, mongo. */
  readonly engine: string;
  readonly image: string;
}

export interface IacProject {
  readonly name: string;
  readonly services: readonly IacService[];
  readonly databases: readonly IacDatabase[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Narrows the file's value; a message (not a throw) when it is not a project. */
export function readProject(value: unknown): { ok: true; project: IacProject } | { ok: false; message: string } {
  if (!isObject(value)) return { ok: false, message: `returned ${Array.isArray(value) ? 'a list' : typeof value}, not a project` };
  const resources = value['resources'];
  if (!Array.isArray(resources)) return { ok: false, message: 'returned an object without "resources": build it with project("name", { resources: [...] })' };
  const nodes = (resources as unknown[]).flat(Infinity).filter(isObject);
  const services: IacService[] = [];
  const databases: IacDatabase[] = [];
  for (const node of nodes) {
    const name = str(node['name']);
    if (name === undefined) continue;
    if (node['type'] === 'service') services.push(readService(name, node));
    if (node['type'] === 'database')
      databases.push({ name, address: str(node['address']) ?? `database.${name}`, engine: str(node['engine']) ?? 'postgres', image: str(node['image']) ?? '' });
  }
  return { ok: true, project: { name: str(value['name']) ?? '', services, databases } };
}

function readService(name: string, node: Json): IacService {
  const source = isObject(node['source']) ? node['source'] : undefined;
  const build = isObject(node['build']) ? node['build'] : {};
  const deploy = isObject(node['deploy']) ? node['deploy'] : {};
  const { startCommand, preDeployCommand, healthcheckPath, healthcheckTimeout, cronSchedule, ...rest } = deploy;
  const timeout = typeof healthcheckTimeout === 'number' && healthcheckTimeout > 0 ? healthcheckTimeout : undefined;
  const networking = isObject(node['networking']) ? node['networking'] : {};
  return {
    name,
    address: str(node['address']) ?? `service.${name}`,
    kind: str(node['kind']) ?? 'empty',
    source: source && {
      type: str(source['type']) ?? 'empty',
      repo: str(source['repo']),
      branch: str(source['branch']),
      rootDirectory: str(source['rootDirectory']),
      image: str(source['image']),
    },
    builder: str(build['builder']),
    dockerfilePath: str(build['dockerfilePath']),
    startCommand: str(startCommand)?.trim(),
    preDeployCommand: commands(preDeployCommand),
    healthcheckPath: str(healthcheckPath)?.trim(),
    healthcheckTimeout: timeout,
    cronSchedule: str(cronSchedule),
    deploy: rest,
    variables: readVariables(node['variables']),
    volumes: [
      ...Object.keys(isObject(node['volumeMounts']) ? node['volumeMounts'] : {}).map((mountPath) => ({ mountPath, name: undefined })),
      ...attachedVolumes(node['volumeAttachments']),
    ],
    tcpProxies: Object.keys(isObject(networking['tcpProxies']) ? networking['tcpProxies'] : {}),
  };
}

function commands(value: unknown): string[] | undefined {
  const list = (Array.isArray(value) ? value : [value])
    .filter((c): c is string => typeof c === 'string')
    .map((c) => c.trim())
    .filter(Boolean);
  return list.length ? list : undefined;
}

/** volumeAttachments: { <volume name>: { volume, mountPath } }, as the SDK writes `volumeMounts: { "/data": volume("data") }`. */
function attachedVolumes(value: unknown): IacVolume[] {
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([name, a]) => (isObject(a) && typeof a['mountPath'] === 'string' ? [{ mountPath: a['mountPath'], name }] : []));
}

function readVariables(value: unknown): Record<string, IacVariable> {
  const out: Record<string, IacVariable> = {};
  if (!isObject(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string') out[key] = { type: 'literal', value: v };
    else if (!isObject(v)) out[key] = { type: 'unsupported', what: typeof v };
    else if (v['type'] === 'literal') out[key] = { type: 'literal', value: typeof v['value'] === 'string' ? v['value'] : JSON.stringify(v['value'] ?? '') };
    else if (v['type'] === 'reference' && str(v['resource']) && str(v['output']))
      out[key] = { type: 'reference', resource: String(v['resource']), output: String(v['output']) };
    else if (v['type'] === 'sharedReference' && str(v['name'])) out[key] = { type: 'sharedReference', name: String(v['name']) };
    else if (v['type'] === 'preserve') out[key] = { type: 'preserve' };
    else out[key] = { type: 'unsupported', what: `a ${str(v['type']) ?? 'raw'} value` };
  }
  return out;
}
