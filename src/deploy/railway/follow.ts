import type { Log } from '../../host/log.ts';
import { formatDuration } from '../../model/format.ts';
import type { DeployReport } from '../../model/report.ts';
import type { RailwayClient } from '../../railway/client.ts';
import type { DeployConfig } from '../../config/deploy.ts';
import { BUILD_LOGS, DEPLOYMENT, DEPLOYMENT_CANCEL, DEPLOYMENT_LOGS, DOMAINS, type LogLine } from '../../railway/operations.ts';
import { rollBack, type PreviousLive } from './rollback.ts';
import { joinUrl, publicUrl, smokeCheck } from './smoke.ts';
import { describeStatus } from './status.ts';
import type { RailwayTarget } from '../../railway/target.ts';
import { waitForDeployment } from './wait.ts';

/** Lines of each Railway log kept in the report. */
export const LOG_LINES = 30;

export interface Followed {
  readonly client: RailwayClient;
  readonly settings: DeployConfig;
  readonly target: RailwayTarget;
  readonly deploymentId: string;
  /** deploy-check started it (it may cancel it); false for Railway's own deployment of a push. */
  readonly own: boolean;
  /** Read before deploying, when a smoke check may call for a rollback. */
  readonly previous: PreviousLive | null;
  readonly log: Log;
}

/** Sets the report's status and reason for a deployment that did not go well, and says it. */
export function failDeploy(out: DeployReport, status: DeployReport['status'], reason: string, log: Log): void {
  out.status = status;
  out.reason = reason;
  log.error(reason);
}

/**
 * Follows one deployment to Railway's verdict and acts on it: the URL and smoke check on success
 * (a rollback when the smoke check fails), the logs on failure, a cancel when deploy-check's own
 * deployment has no verdict in time. Fills `out`; API errors propagate.
 */
export async function followDeployment(f: Followed, out: DeployReport): Promise<void> {
  const { client, settings, target, deploymentId, log } = f;
  out.deploymentId = deploymentId;
  if (!settings.wait) {
    const deployment = (await client.request(DEPLOYMENT, { id: deploymentId })).deployment;
    out.railwayStatus = deployment.status;
    out.url = await deploymentUrl(client, deployment, target);
    out.status = 'triggered';
    out.reason = "deploy-wait is false: deploy-check did not wait for Railway's verdict";
    return;
  }
  const outcome = await waitForDeployment(client, deploymentId, {
    timeoutMs: settings.timeoutMs,
    onStatus: (status) => log.info(`Railway deployment ${deploymentId}: ${status}`),
  });
  const status = outcome.deployment?.status ?? null;
  out.railwayStatus = status;
  const id = `Railway deployment ${deploymentId}`;
  switch (outcome.end) {
    case 'success': {
      out.status = 'success';
      out.url = outcome.deployment ? await deploymentUrl(client, outcome.deployment, target) : null;
      log.info(`${id} is ${status}${out.url ? ` at ${out.url}` : ''} after ${formatDuration(outcome.waitedMs)}`);
      if (settings.smoke) await smoke(f, out, id);
      return;
    }
    case 'failure': {
      out.logs = await railwayLogs(client, deploymentId);
      // A crash shows in the app's own output; a failed build in the build's.
      const first = status === 'CRASHED' ? out.logs.deploy : out.logs.build;
      const second = status === 'CRASHED' ? out.logs.build : out.logs.deploy;
      const tail = first.filter((l) => l.trim() !== '').at(-1) ?? second.filter((l) => l.trim() !== '').at(-1);
      failDeploy(
        out,
        'failed',
        `${id} ended ${status ?? 'unknown'}: ${describeStatus(status ?? '')}${tail ? `; last log line: ${tail.trim().slice(0, 300)}` : ''}`,
        log,
      );
      return;
    }
    case 'approval': {
      out.status = 'waiting';
      out.reason = `${id} is ${status ?? ''}: ${describeStatus(status ?? '')}; deploy-wait-approval is ${settings.onApproval}, so this ${settings.onApproval === 'fail' ? 'fails' : 'passes'} the run`;
      if (settings.onApproval === 'fail') log.error(out.reason);
      else log.warning(out.reason);
      return;
    }
    case 'waiting-for-ci': {
      // Waiting for this very run would only end at the timeout: Railway deploys once the checks pass.
      out.status = 'delegated';
      out.reason = `${id} is WAITING: ${describeStatus('WAITING')}; Railway deploys it once they pass, and a failed check stops it`;
      log.info(out.reason);
      return;
    }
    case 'timeout': {
      await timedOut(f, out, id, `it was still ${status ?? 'unknown'}, for ${formatDuration(outcome.statusHeldMs)}`);
      return;
    }
  }
}

/**
 * A deployment with no verdict within deploy-timeout: its logs, and a cancel when deploy-check
 * started it; Railway's own deployment of a push is left running.
 */
async function timedOut(f: Followed, out: DeployReport, id: string, stillWas: string): Promise<void> {
  const { client, settings, deploymentId, log } = f;
  out.logs = await railwayLogs(client, deploymentId);
  if (!f.own) {
    failDeploy(
      out,
      'timeout',
      `${id} had no verdict within ${formatDuration(settings.timeoutMs)} (deploy-timeout): ${stillWas}; it is Railway's own deployment of the push, so deploy-check left it running`,
      log,
    );
    return;
  }
  const cancel = await cancelDeployment(client, deploymentId);
  out.cancelled = cancel === null;
  const after =
    cancel === null
      ? 'deploy-check cancelled it (deploymentCancel) so that it cannot go live later unobserved'
      : `cancelling it failed (${cancel}): it may still go live later`;
  failDeploy(out, 'timeout', `${id} had no verdict within ${formatDuration(settings.timeoutMs)} (deploy-timeout): ${stillWas}; ${after}`, log);
}

/** Null when cancelled, else Railway's words. */
async function cancelDeployment(client: RailwayClient, deploymentId: string): Promise<string | null> {
  try {
    const done = (await client.request(DEPLOYMENT_CANCEL, { id: deploymentId })).deploymentCancel;
    return done ? null : 'Railway answered false';
  } catch (err) {
    return (err as Error).message;
  }
}

async function smoke(f: Followed, out: DeployReport, id: string): Promise<void> {
  const { settings, log } = f;
  if (!settings.smoke) return;
  if (!out.url) {
    failDeploy(out, 'failed', `smoke-path is set but ${id} has no public URL (give the service a domain in Railway)`, log);
    return;
  }
  const url = joinUrl(out.url, settings.smoke.path);
  log.info(`Smoke check: GET ${url}, up to ${formatDuration(settings.smoke.timeoutMs)}`);
  out.smoke = await smokeCheck(url, settings.smoke.timeoutMs);
  if (out.smoke.status === 'passed') {
    log.info(`Smoke check passed: ${out.smoke.httpStatus ?? ''} after ${out.smoke.attempts} attempt(s)`);
    return;
  }
  const seen = out.smoke.httpStatus !== null ? `it answered ${out.smoke.httpStatus}` : `no answer (${out.smoke.error ?? 'unknown'})`;
  const failure = `${id} is live but the smoke check GET ${url} got ${seen} within ${formatDuration(settings.smoke.timeoutMs)} (smoke-timeout)`;
  out.rollback = await rollBack(f.client, f.previous ?? { none: 'the deployment live before was not read' }, settings.rollback);
  const rollback = out.rollback;
  const then =
    rollback.status === 'rolled-back' ? `; ${rollback.reason}` : rollback.status === 'off' ? `; ${rollback.reason}` : `; no rollback: ${rollback.reason}`;
  if (rollback.status === 'rolled-back') log.info(`Railway: ${rollback.reason}`);
  failDeploy(out, 'failed', `${failure}${then}`, log);
}

export async function deploymentUrl(
  client: RailwayClient,
  deployment: { url: string | null; staticUrl: string | null },
  target: RailwayTarget,
): Promise<string | null> {
  const direct = deployment.staticUrl || deployment.url;
  if (direct) return publicUrl(direct);
  try {
    const domains = (await client.request(DOMAINS, { environmentId: target.environmentId, projectId: target.projectId, serviceId: target.serviceId })).domains;
    const domain = domains.customDomains[0]?.domain ?? domains.serviceDomains[0]?.domain;
    return domain ? publicUrl(domain) : null;
  } catch {
    return null;
  }
}

async function railwayLogs(client: RailwayClient, deploymentId: string): Promise<{ build: string[]; deploy: string[]; push: string[] }> {
  const read = async (kind: 'build' | 'deploy'): Promise<string[]> => {
    try {
      const lines: LogLine[] =
        kind === 'build'
          ? (await client.request(BUILD_LOGS, { deploymentId, limit: 100 })).buildLogs
          : (await client.request(DEPLOYMENT_LOGS, { deploymentId, limit: 100 })).deploymentLogs;
      return lines.slice(-LOG_LINES).map((l) => l.message);
    } catch (err) {
      return [`(Railway's ${kind} logs could not be read: ${(err as Error).message})`];
    }
  };
  return { build: await read('build'), deploy: await read('deploy'), push: [] };
}
