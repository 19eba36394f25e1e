import path from 'node:path';
import type { RemoteNeeds, RemoteValues } from './iac/variables.ts';
import type { RailwayFileConfig } from './railway-file.ts';
import type { ConfigDrift } from '../model/report.ts';
import { RailwayClient, railwayEndpoint } from '../railway/client.ts';
import type { RailwayAccess } from '../railway/access.ts';
import { SERVICE_INSTANCE, VARIABLES, type VariableMap } from '../railway/operations.ts';
import { resolveTarget, type RailwayTarget } from '../railway/target.ts';

/** The service instance's own settings: what Railway will actually apply. */
export interface RailwayServiceSettings {
  readonly healthcheckPath: string | undefined;
  readonly healthcheckTimeoutMs: number | undefined;
  readonly dockerfilePath: string | undefined;
  readonly sourceImage: string | undefined;
  readonly sourceRepo: string | undefined;
  /** The service's start command, set in the dashboard (railway.json/toml's deploy.startCommand wins). */
  readonly startCommand?: string | undefined;
  readonly preDeployCommand?: readonly string[] | undefined;
}

/** What the settings lookup found before the checks ran; the deploy reuses the target. */
export type ServiceLookup =
  | {
      readonly ok: true;
      readonly target: RailwayTarget;
      readonly settings: RailwayServiceSettings;
      readonly requests: number;
      /** The values that live only in Railway that the checked file needs (masked by loadConfig); only when it needs some. */
      readonly remote?: RemoteValues | undefined;
    }
  | { readonly ok: false; readonly error: string; readonly requests: number };

/** `needs`: the values that live only in Railway to read too (none: no variables are requested). */
export type ServiceLookupFn = (access: RailwayAccess, needs?: RemoteNeeds) => Promise<ServiceLookup>;

/** The lookup the entries hand to loadConfig; `say` hears about rate limits and retries. */
export function serviceLookup(say: (message: string) => void): ServiceLookupFn {
  return (access, needs) =>
    lookupRailwayService(
      access,
      new RailwayClient({
        endpoint: railwayEndpoint(),
        token: access.token,
        tokenType: access.tokenType,
        tokenTypeGuessed: access.tokenTypeGuessed,
        onRetry: say,
      }),
      needs,
    );
}

/** Never throws: without Railway's settings the checks still run on the file's settings (with a warning). */
export async function lookupRailwayService(access: RailwayAccess, client?: RailwayClient, needs?: RemoteNeeds): Promise<ServiceLookup> {
  const api =
    client ?? new RailwayClient({ endpoint: railwayEndpoint(), token: access.token, tokenType: access.tokenType, tokenTypeGuessed: access.tokenTypeGuessed });
  try {
    const target = await resolveTarget(api, access);
    const instance = (await api.request(SERVICE_INSTANCE, { environmentId: target.environmentId, serviceId: target.serviceId })).serviceInstance;
    const text = (v: string | null | undefined): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
    const remote = needs ? await readRemoteValues(api, target, needs) : undefined;
    return {
      ok: true,
      remote,
      target: { ...target, serviceName: target.serviceName ?? instance.serviceName },
      settings: {
        healthcheckPath: text(instance.healthcheckPath),
        healthcheckTimeoutMs:
          typeof instance.healthcheckTimeout === 'number' && instance.healthcheckTimeout > 0 ? instance.healthcheckTimeout * 1000 : undefined,
        dockerfilePath: text(instance.dockerfilePath),
        sourceImage: text(instance.source?.image),
        sourceRepo: text(instance.source?.repo),
        startCommand: text(instance.startCommand),
        preDeployCommand: commandList(instance.preDeployCommand),
      },
      requests: api.sent.length,
    };
  } catch (err) {
    return { ok: false, error: (err as Error).message, requests: api.sent.length };
  }
}

/**
 * One request for exactly the values the file refers to; the rest of what Railway answers is
 * dropped at once. A refusal leaves them unavailable, saying why, and the checks go on.
 */
async function readRemoteValues(api: RailwayClient, target: RailwayTarget, needs: RemoteNeeds): Promise<RemoteValues> {
  try {
    const data = await api.request(VARIABLES, {
      projectId: target.projectId,
      environmentId: target.environmentId,
      serviceId: target.serviceId,
      withShared: needs.shared.length > 0,
      withService: needs.preserved.length > 0,
    });
    return { shared: picked(data.shared, needs.shared), service: picked(data.service, needs.preserved) };
  } catch (err) {
    return { shared: {}, service: {}, unreadable: (err as Error).message };
  }
}

/** The named string values of a map Railway answered (JSON: anything else is ignored). */
function picked(map: VariableMap | undefined, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const given: unknown = map;
  if (typeof given !== 'object' || given === null) return out;
  for (const name of names) {
    const value: unknown = Object.hasOwn(given, name) ? (given as Record<string, unknown>)[name] : undefined;
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/**
 * The values that live only in Railway as the lookup left them: read, or why not (the token was
 * given, so "give railway-token" would be the wrong advice). Undefined without a lookup.
 */
export function remoteValuesOf(lookup: ServiceLookup | undefined): RemoteValues | undefined {
  if (!lookup) return undefined;
  if (!lookup.ok) return { shared: {}, service: {}, unreadable: `the Railway service could not be read: ${lookup.error}` };
  return lookup.remote;
}

/** The schema's JSON preDeployCommand: a list of strings, or one string; anything else is ignored. */
function commandList(value: unknown): string[] | undefined {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  const commands = list.map((c) => c.trim()).filter(Boolean);
  return commands.length ? commands : undefined;
}

/**
 * Only settings the file states are compared: a file that says nothing leaves the service's
 * setting in force, which is no disagreement.
 */
export function findConfigDrift(settings: RailwayServiceSettings, file: RailwayFileConfig | undefined, cwd = process.cwd()): ConfigDrift[] {
  if (!file) return [];
  const relative = path.relative(cwd, file.file);
  const fileName = relative && !relative.startsWith('..') ? relative : file.file;
  const drift: ConfigDrift[] = [];
  if (file.healthcheckPath !== undefined && file.healthcheckPath !== settings.healthcheckPath) {
    drift.push({ setting: 'healthcheckPath', service: settings.healthcheckPath ?? null, file: file.healthcheckPath, fileName });
  }
  if (file.healthcheckTimeoutMs !== undefined && file.healthcheckTimeoutMs !== settings.healthcheckTimeoutMs) {
    drift.push({
      setting: 'healthcheckTimeout',
      service: settings.healthcheckTimeoutMs === undefined ? null : settings.healthcheckTimeoutMs / 1000,
      file: file.healthcheckTimeoutMs / 1000,
      fileName,
    });
  }
  const norm = (p: string | undefined): string | undefined => (p === undefined ? undefined : path.posix.normalize(p.replace(/^\.\//, '')));
  if (file.dockerfilePath !== undefined && norm(file.dockerfilePath) !== norm(settings.dockerfilePath ?? 'Dockerfile')) {
    drift.push({ setting: 'dockerfilePath', service: settings.dockerfilePath ?? null, file: file.dockerfilePath, fileName });
  }
  return drift;
}
