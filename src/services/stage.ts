import type Docker from 'dockerode';
import type { Config } from '../config/config.ts';
import type { RunExtras } from '../container/spec.ts';
import type { Log } from '../host/log.ts';
import type { HealthReport, PreDeployReport } from '../model/report.ts';
import { diagnoseUnreachableService } from './diagnose.ts';
import { startServices, type StartedServices } from './start.ts';

/** Starts the Compose dependencies when compose-file is set; null without it. */
/** `image`: the built image's ID, which services built from the checked Dockerfile run. */
export async function servicesStage(config: Config, image: string, docker: Docker, log: Log, cancel?: AbortSignal): Promise<StartedServices | null> {
  const compose = config.compose;
  if (!compose) return null;
  if (config.network) {
    log.warning(`Input "network": "${config.network}" is not used: with compose-file the app joins the Compose project's network`);
  }
  // Not a log group: it runs while the image is measured (which has its own).
  log.info(`Compose services (${compose.project}): starting what "${compose.service}" depends on`);
  return startServices({ ...config, image }, compose, { docker, log, cancel });
}

/**
 * The run parameters' extras once Compose services run: the app (and its pre-deploy command)
 * joins the project's first network under the service's name and aliases, with the service's
 * resolved environment except what the inputs set (they win) and, under Railway parity, PORT
 * (Railway's own wins). A network the caller gave (the `network` input) gives way to the project's.
 */
export function withServices(config: Pick<Config, 'env' | 'parity'>, extras: RunExtras | undefined, started: StartedServices | null): RunExtras | undefined {
  if (!started) return extras;
  const [first] = started.placement.networks;
  const fromInputs = new Set(config.env.map((e) => e.key));
  if (config.parity.injectedPort !== undefined) fromInputs.add('PORT');
  return {
    network: first?.name ?? extras?.network,
    networkAliases: [...(first?.aliases ?? []), ...(extras?.networkAliases ?? [])],
    extraEnv: [...started.placement.env.filter((e) => !fromInputs.has(e.key)), ...(extras?.extraEnv ?? [])],
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

/** The same for a failed pre-deploy command (migrations are often the first to need the database). */
export function explainPreDeployFailure(pre: PreDeployReport, config: Config, started: StartedServices | null): PreDeployReport {
  if (pre.status !== 'failed' || !config.compose) return pre;
  const logs = pre.commands.flatMap((c) => c.logs);
  const sentence = diagnoseUnreachableService(logs, config.compose.model, config.compose.service, started?.services ?? []);
  return sentence ? { ...pre, reason: `${pre.reason ?? 'failed'}. ${sentence}` } : pre;
}
