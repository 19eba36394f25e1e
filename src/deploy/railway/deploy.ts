import type { Config } from '../../config/config.ts';
import type { Log } from '../../host/log.ts';
import { describeDrift, formatDuration } from '../../report/format.ts';
import type { CheckReport, DeployReport } from '../../report/model.ts';
import { RailwayClient, railwayEndpoint } from './client.ts';
import { decideGate, type RunEvent } from './gate.ts';
import { BUILD_LOGS, DEPLOY, DEPLOYMENT, DEPLOYMENT_LOGS, DOMAINS, SET_IMAGE_SOURCE, type LogLine } from './operations.ts';
import { PushError, pushCheckedImage, pushTag } from './push.ts';
import { findConfigDrift } from './settings.ts';
import { joinUrl, publicUrl, smokeCheck } from './smoke.ts';
import { describeStatus } from './status.ts';
import { resolveTarget, type RailwayTarget } from './target.ts';
import { waitForDeployment } from './wait.ts';

export interface DeployDeps {
  readonly log: Log;
  /** The workflow run's event; null for the local command. */
  readonly event: RunEvent | null;
  /** The commit the checked image was built from (GITHUB_SHA). */
  readonly commit: string | null;
  /** Tests pass a client with a fake clock; otherwise one is made from the config. */
  readonly client?: RailwayClient;
}

/** Lines of each Railway log kept in the report. */
const LOG_LINES = 30;

/**
 * Says, before the checks run, which of the Railway service's settings the local health check
 * follows, and where the repository's railway.json/toml disagrees with the service.
 */
export function announceRailwaySettings(config: Config, log: Log): void {
  const lookup = config.railwayService;
  if (!lookup) return;
  if (!lookup.ok) {
    log.warning(`Could not read the Railway service's settings; the health check follows the inputs and ${config.railwayFile ? 'the railway file' : 'its defaults'}. ${lookup.error}`);
    return;
  }
  const t = lookup.target;
  const h = config.health;
  log.info(
    `Railway service ${t.serviceName ?? t.serviceId} (${t.environmentName ?? t.environmentId}): health check path ${h.path ?? 'none'} (from ${h.pathSource ?? 'default'}), timeout ${formatDuration(h.timeoutMs)} (from ${h.timeoutSource})`,
  );
  for (const drift of findConfigDrift(lookup.settings, config.railwayFile)) {
    log.warning(`${describeDrift(drift)}; Railway follows the service's settings, and so does deploy-check`, config.railwayFile ? { file: config.railwayFile.file, title: 'Railway settings differ' } : undefined);
  }
}

/**
 * The deploy stage: decides whether to deploy (the gate), deploys exactly what passed, and waits for
 * Railway's verdict. Returns null when no Railway token is configured. Never throws.
 */
export async function deployStage(config: Config, report: CheckReport, deps: DeployDeps): Promise<DeployReport | null> {
  const settings = config.deploy;
  const access = settings.railway;
  const { log } = deps;
  if (!access) {
    log.debug('No railway-token: deploying is not configured');
    return null;
  }
  const started = Date.now();
  const lookup = config.railwayService;
  const out: DeployReport = {
    status: 'skipped',
    deploymentId: null,
    url: null,
    reason: null,
    source: settings.source,
    image: null,
    commit: deps.commit,
    railwayStatus: null,
    durationMs: 0,
    logs: null,
    onApproval: settings.onApproval,
    target: lookup?.ok ? { ...lookup.target } : null,
    configDrift: lookup?.ok ? findConfigDrift(lookup.settings, config.railwayFile) : [],
    smoke: null,
    apiRequests: lookup?.requests ?? 0,
  };
  const client =
    deps.client ??
    new RailwayClient({
      endpoint: railwayEndpoint(),
      token: access.token,
      tokenType: access.tokenType,
      tokenTypeGuessed: access.tokenTypeGuessed,
      onRetry: (m) => log.info(m),
    });
  const done = (): DeployReport => {
    out.durationMs = Date.now() - started;
    out.apiRequests = (lookup?.requests ?? 0) + client.sent.length;
    return out;
  };

  const gate = decideGate(settings.mode, deps.event, report.verdict === 'fail' ? (report.reasons[0] ?? 'a check failed') : null);
  if (!gate.deploy) {
    out.reason = gate.reason;
    log.info(`Deploy skipped: ${gate.reason}`);
    return done();
  }
  log.info(`Deploying to Railway: ${gate.why}`);

  try {
    const target: RailwayTarget = lookup?.ok ? lookup.target : await resolveTarget(client, access);
    out.target = { ...target };
    const where = `${target.serviceName ?? target.serviceId} in ${target.projectName ?? target.projectId}/${target.environmentName ?? target.environmentId}`;

    let deploymentId: string;
    if (settings.source === 'commit') {
      if (!deps.commit) {
        return fail(out, 'error', 'deploy-source is "commit" but the commit of this run is unknown (a local run outside a git checkout?); use deploy-source: image, or run in GitHub Actions', done);
      }
      deploymentId = (await client.request(DEPLOY, { serviceId: target.serviceId, environmentId: target.environmentId, commitSha: deps.commit })).serviceInstanceDeployV2;
      log.info(`Railway deployment ${deploymentId} of commit ${deps.commit.slice(0, 12)} to ${where}`);
    } else {
      const pushed = await pushCheckedImage({
        localImage: config.image,
        pushImage: settings.pushImage ?? '',
        tag: pushTag(deps.commit, config.runId),
        credentials: config.registry,
        log,
      });
      out.image = pushed.pinned;
      log.info(`Pushed ${pushed.tagged} (${pushed.digest}) in ${formatDuration(pushed.durationMs)}`);
      if (config.registry?.password.startsWith('ghs_')) {
        log.warning('registry-password is the job\'s GITHUB_TOKEN: it expires when the job ends, so Railway could not pull this private image again later (restart, scale); hand Railway a token that lasts (a read:packages PAT) or make the package public');
      }
      if (lookup?.ok && lookup.settings.sourceRepo && !lookup.settings.sourceImage) {
        // Railway keeps one source per service: pointing it at an image replaces the repository link.
        log.warning(`The Railway service was built from the repository ${lookup.settings.sourceRepo}; deploy-source: image switches it to the pushed image, so pushes to that repository no longer deploy it by themselves`);
      }
      await client.request(SET_IMAGE_SOURCE, {
        serviceId: target.serviceId,
        environmentId: target.environmentId,
        input: { source: { image: pushed.pinned }, ...(config.registry ? { registryCredentials: { username: config.registry.username, password: config.registry.password } } : {}) },
      });
      deploymentId = (await client.request(DEPLOY, { serviceId: target.serviceId, environmentId: target.environmentId })).serviceInstanceDeployV2;
      log.info(`Railway deployment ${deploymentId} of ${pushed.pinned} to ${where}`);
    }
    out.deploymentId = deploymentId;

    if (!settings.wait) {
      const deployment = (await client.request(DEPLOYMENT, { id: deploymentId })).deployment;
      out.railwayStatus = deployment.status;
      out.url = await deploymentUrl(client, deployment, target);
      out.status = 'triggered';
      out.reason = 'deploy-wait is false: deploy-check did not wait for Railway\'s verdict';
      return done();
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
        if (settings.smoke) {
          if (!out.url) return fail(out, 'failed', `smoke-path is set but ${id} has no public URL (give the service a domain in Railway)`, done);
          const url = joinUrl(out.url, settings.smoke.path);
          log.info(`Smoke check: GET ${url}, up to ${formatDuration(settings.smoke.timeoutMs)}`);
          out.smoke = await smokeCheck(url, settings.smoke.timeoutMs);
          if (out.smoke.status === 'failed') {
            const seen = out.smoke.httpStatus !== null ? `it answered ${out.smoke.httpStatus}` : `no answer (${out.smoke.error ?? 'unknown'})`;
            return fail(out, 'failed', `${id} is live but the smoke check GET ${url} got ${seen} within ${formatDuration(settings.smoke.timeoutMs)} (smoke-timeout)`, done);
          }
          log.info(`Smoke check passed: ${out.smoke.httpStatus ?? ''} after ${out.smoke.attempts} attempt(s)`);
        }
        return done();
      }
      case 'failure': {
        out.logs = await railwayLogs(client, deploymentId);
        // A crash shows in the app's own output; a failed build in the build's.
        const first = status === 'CRASHED' ? out.logs.deploy : out.logs.build;
        const second = status === 'CRASHED' ? out.logs.build : out.logs.deploy;
        const tail = first.filter((l) => l.trim() !== '').at(-1) ?? second.filter((l) => l.trim() !== '').at(-1);
        return fail(out, 'failed', `${id} ended ${status ?? 'unknown'}: ${describeStatus(status ?? '')}${tail ? `; last log line: ${tail.trim().slice(0, 300)}` : ''}`, done);
      }
      case 'approval': {
        out.status = 'waiting';
        out.reason = `${id} is ${status ?? ''}: ${describeStatus(status ?? '')}; deploy-wait-approval is ${settings.onApproval}, so this ${settings.onApproval === 'fail' ? 'fails' : 'passes'} the run`;
        if (settings.onApproval === 'fail') log.error(out.reason);
        else log.warning(out.reason);
        return done();
      }
      case 'timeout': {
        out.logs = await railwayLogs(client, deploymentId);
        return fail(
          out,
          'timeout',
          `${id} had no verdict within ${formatDuration(settings.timeoutMs)} (deploy-timeout): it was still ${status ?? 'unknown'}, for ${formatDuration(outcome.statusHeldMs)}; the deployment goes on at Railway, deploy-check stopped waiting`,
          done,
        );
      }
    }
  } catch (err) {
    if (err instanceof PushError) out.logs = { build: [], deploy: [], push: err.output.slice(-LOG_LINES) };
    return fail(out, 'error', `${err instanceof PushError ? 'Pushing the image failed: ' : ''}${(err as Error).message}`, done);
  }

  function fail(report: DeployReport, status: DeployReport['status'], reason: string, finish: () => DeployReport): DeployReport {
    report.status = status;
    report.reason = reason;
    log.error(reason);
    return finish();
  }
}

async function deploymentUrl(client: RailwayClient, deployment: { url: string | null; staticUrl: string | null }, target: RailwayTarget): Promise<string | null> {
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
