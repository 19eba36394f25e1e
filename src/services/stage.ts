import type Docker from 'dockerode';
import type { Config } from '../config/config.ts';
import type { KeyValue } from '../config/lines.ts';
import type { Log } from '../host/log.ts';
import type { HealthReport } from '../report/model.ts';
import { diagnoseUnreachableService } from './diagnose.ts';
import { startServices, type StartedServices } from './start.ts';

/** Where the app (and its pre-deploy command) runs when Compose services were started for it. */
export interface ServicesRunExtras {
  readonly network: string | undefined;
  readonly networkAliases: readonly string[];
  /** The service's resolved environment without the variables the `env` / `env-file` inputs set (those win). */
  readonly extraEnv: readonly KeyValue[];
  /** Networks beyond the first the service is on (the app joins the first only). */
  readonly otherNetworks: readonly string[];
}

/** Starts the Compose dependencies when compose-file is set; null without it. */
export async function servicesStage(config: Config, docker: Docker, log: Log, cancel?: AbortSignal): Promise<StartedServices | null> {
  const compose = config.compose;
  if (!compose) return null;
  // Not a log group: it runs while the image is measured (which has its own).
  log.info(`Compose services (${compose.project}): starting what "${compose.service}" depends on`);
  return startServices(config, compose, { docker, log, cancel });
}

export function runExtras(config: Pick<Config, 'env'>, started: StartedServices): ServicesRunExtras {
  const fromInputs = new Set(config.env.map((e) => e.key));
  const [first, ...others] = started.placement.networks;
  return {
    network: first?.name,
    networkAliases: first ? [...first.aliases] : [],
    extraEnv: started.placement.env.filter((e) => !fromInputs.has(e.key)),
    otherNetworks: others.map((n) => n.name),
  };
}

/** The health section when the dependencies did not come up: the app was not started. */
export function servicesFailedHealth(health: HealthReport, started: StartedServices): HealthReport {
  const failed = started.services.filter((s) => s.status === 'failed' || s.status === 'exited').map((s) => s.name);
  return {
    ...health,
    status: 'skipped',
    reason: `the app was not started: the Compose service${failed.length === 1 ? '' : 's'} it needs ${failed.length ? `(${failed.join(', ')}) ` : ''}did not become ready`,
  };
}

/** A failed app whose log shows it could not reach a Compose service: the reason says which and why. */
export function explainAppFailure(health: HealthReport, config: Config, started: StartedServices | null): HealthReport {
  if (health.status !== 'unhealthy' || !config.compose) return health;
  const sentence = diagnoseUnreachableService(health.logs, config.compose.model, config.compose.service, started?.services ?? []);
  return sentence ? { ...health, reason: `${health.reason ?? 'not healthy'}. ${sentence}` } : health;
}
