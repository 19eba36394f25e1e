import path from 'node:path';
import type { IacDatabase, IacProject, IacService } from './graph.ts';

export type ServiceChoice = { readonly ok: true; readonly service: IacService; readonly how: string } | { readonly ok: false; readonly message: string };

export interface ChoiceFacts {
  /** `railway-service`, when it names a service of the file. */
  readonly named: string | undefined;
  /** owner/name of the repository being checked, when known. */
  readonly repository: string | undefined;
  readonly repoRoot: string;
  readonly context: string;
}

/**
 * The service under check: the one `railway-service` names; else the one built from this
 * repository with the context as its root directory; else the only one built from source.
 */
export function chooseService(project: IacProject, facts: ChoiceFacts): ServiceChoice {
  const all = project.services;
  const names = all.map((s) => s.name).join(', ') || '(none)';
  if (facts.named !== undefined) {
    const byName = all.find((s) => s.name === facts.named);
    if (byName) return { ok: true, service: byName, how: 'railway-service' };
    if (!/^[0-9a-f-]{36}$/i.test(facts.named)) return { ok: false, message: `has no service named "${facts.named}" (railway-service); services: ${names}` };
  }
  const fromSource = all.filter((s) => s.kind !== 'docker-image' && s.kind !== 'template' && s.source?.type !== 'image');
  const repo = facts.repository?.toLowerCase();
  const here = fromSource.filter((s) => s.source?.type === 'github' && (repo === undefined || s.source.repo?.toLowerCase() === repo) && sameRoot(s, facts));
  if (here.length === 1 && here[0])
    return { ok: true, service: here[0], how: `built from ${facts.repository ?? 'this repository'} with root directory ${rootOf(here[0])}` };
  const candidates = here.length > 1 ? here : fromSource;
  if (candidates.length === 1 && candidates[0]) return { ok: true, service: candidates[0], how: 'the only service built from source' };
  if (candidates.length === 0) return { ok: false, message: `has no service built from source to check; services: ${names}` };
  return { ok: false, message: `has several services this could be (${candidates.map((s) => s.name).join(', ')}); set "railway-service" to the one to check` };
}

function rootOf(service: IacService): string {
  return service.source?.rootDirectory ?? '/';
}

function sameRoot(service: IacService, facts: ChoiceFacts): boolean {
  const root = path.resolve(facts.repoRoot, `.${path.posix.sep}${rootOf(service).replace(/^\/+/, '')}`);
  return path.resolve(root) === path.resolve(facts.context);
}

/** The databases the service's variables reference, directly or through a `${{name.VAR}}` template. */
export function referencedDatabases(service: IacService, project: IacProject): IacDatabase[] {
  const wanted = new Set<string>();
  for (const variable of Object.values(service.variables)) {
    if (variable.type === 'reference') wanted.add(variable.resource);
    if (variable.type === 'literal') for (const [, name] of variable.value.matchAll(/\$\{\{\s*([\w-]+)\.[\w]+\s*\}\}/g)) wanted.add(`database.${name ?? ''}`);
  }
  return project.databases.filter((d) => wanted.has(d.address));
}

export interface NotMirrored {
  /** The graph's field, e.g. deploy.numReplicas. */
  readonly setting: string;
  readonly value: string;
  /** What Railway does with it that the check does not, in a phrase. */
  readonly effect: string;
}

const DEPLOY_EFFECTS: Readonly<Record<string, string>> = {
  numReplicas: 'Railway runs this many replicas; the check runs one',
  multiRegionConfig: 'Railway runs replicas in these regions; the check runs one, here',
  region: 'Railway runs the service in this region',
  restartPolicyType: 'Railway restarts the service by this policy; the check does not restart it',
  restartPolicyMaxRetries: 'Railway retries a crashed service this many times',
  sleepApplication: 'Railway puts the service to sleep when idle',
  overlapSeconds: 'Railway keeps the old deployment this long beside the new one',
  drainingSeconds: 'Railway gives the old deployment this long to stop',
  requiredMountPath: 'Railway requires a volume at this path',
  limitOverride: "Railway limits the service's CPU and memory",
  runtime: 'Railway runs the service on this runtime',
};

/** Settings that change what Railway does and that the check does not reproduce: listed, never dropped silently. */
export function notMirroredSettings(service: IacService): NotMirrored[] {
  const out: NotMirrored[] = [];
  for (const [key, value] of Object.entries(service.deploy)) {
    if (value === undefined || value === null || (key === 'numReplicas' && value === 1)) continue;
    out.push({ setting: `deploy.${key}`, value: JSON.stringify(value), effect: DEPLOY_EFFECTS[key] ?? 'not mirrored by the check' });
  }
  if (service.volumes.length)
    out.push({
      setting: 'volumeMounts',
      value: service.volumes.map((v) => v.mountPath).join(', '),
      effect:
        "mounted here empty and owned by root, as Railway mounts a new volume (the pre-deploy command gets none, as on Railway); the data Railway's volume holds is not",
    });
  if (service.tcpProxies.length)
    out.push({ setting: 'networking.tcpProxies', value: service.tcpProxies.join(', '), effect: 'Railway exposes these TCP ports publicly' });
  return out;
}

/**
 * What is wrong with the service's volume mount paths, or undefined: Railway mounts a volume at an
 * absolute path, and the check mounts one there too (a relative path would fail at the container's
 * creation with the engine's words instead).
 */
export function volumeMountProblem(service: IacService): string | undefined {
  // Control characters included: a path is a word in the engine's mount list, never a line of text.
  // eslint-disable-next-line no-control-regex
  const bad = service.volumes.find((v) => !v.mountPath.startsWith('/') || v.mountPath === '/' || /[\x00-\x1f\x7f]/.test(v.mountPath));
  if (!bad) return undefined;
  return `${service.address} volumeMounts: ${JSON.stringify(bad.mountPath)} is not a mount path Railway accepts; give an absolute path other than /, such as /data`;
}
