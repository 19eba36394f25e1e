import path from 'node:path';
import type { RailwayFileConfig } from '../../config/railway-file.ts';
import type { ConfigDrift } from '../../report/model.ts';
import { RailwayClient, railwayEndpoint } from './client.ts';
import type { RailwayAccess } from './config.ts';
import { SERVICE_INSTANCE } from './operations.ts';
import { resolveTarget, type RailwayTarget } from './target.ts';

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
  | { readonly ok: true; readonly target: RailwayTarget; readonly settings: RailwayServiceSettings; readonly requests: number }
  | { readonly ok: false; readonly error: string; readonly requests: number };

export type ServiceLookupFn = (access: RailwayAccess) => Promise<ServiceLookup>;

/** The lookup the entries hand to loadConfig; `say` hears about rate limits and retries. */
export function serviceLookup(say: (message: string) => void): ServiceLookupFn {
  return (access) => lookupRailwayService(access, new RailwayClient({ endpoint: railwayEndpoint(), token: access.token, tokenType: access.tokenType, tokenTypeGuessed: access.tokenTypeGuessed, onRetry: say }));
}

/** Never throws: without Railway's settings the checks still run on the file's settings (with a warning). */
export async function lookupRailwayService(access: RailwayAccess, client?: RailwayClient): Promise<ServiceLookup> {
  const api = client ?? new RailwayClient({ endpoint: railwayEndpoint(), token: access.token, tokenType: access.tokenType, tokenTypeGuessed: access.tokenTypeGuessed });
  try {
    const target = await resolveTarget(api, access);
    const instance = (await api.request(SERVICE_INSTANCE, { environmentId: target.environmentId, serviceId: target.serviceId })).serviceInstance;
    const text = (v: string | null | undefined): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
    return {
      ok: true,
      target: { ...target, serviceName: target.serviceName ?? instance.serviceName },
      settings: {
        healthcheckPath: text(instance.healthcheckPath),
        healthcheckTimeoutMs: typeof instance.healthcheckTimeout === 'number' && instance.healthcheckTimeout > 0 ? instance.healthcheckTimeout * 1000 : undefined,
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
