import type { Config } from '../../config/config.ts';
import type { Log } from '../../host/log.ts';
import { describeDrift, formatDuration } from '../../model/format.ts';
import type { CheckReport, DeployReport } from '../../model/report.ts';
import { RailwayApiError, RailwayClient, railwayEndpoint } from '../../railway/client.ts';
import { decideGate, type GateEvent } from './gate.ts';
import { failDeploy, followDeployment, LOG_LINES } from './follow.ts';
import { DEPLOY, SET_IMAGE_SOURCE, type TriggerData } from '../../railway/operations.ts';
import { deletePreview, ensurePreviewDomain, findOrCreatePreview, previewAction, previewName, type PreviewEvent } from './preview.ts';
import { PushError, pushCheckedImage, pushTag } from './push.ts';
import { describeLive, previousLive, type PreviousLive } from './rollback.ts';
import { findConfigDrift } from '../../config/railway-settings.ts';
import { resolveTarget, type RailwayTarget } from '../../railway/target.ts';
import { awaitCommitDeployment, commitDeployment, dashboardUrl, findTrigger, type TriggerEvent } from './trigger.ts';

/** What the deploy stage reads of the workflow run's event: src/github/context.ts's RunEvent is one. */
export type DeployEvent = GateEvent & PreviewEvent & TriggerEvent;

export interface DeployDeps {
  readonly log: Log;
  /** The workflow run's event; null for the local command. */
  readonly event: DeployEvent | null;
  /** The commit the checked image was built from (GITHUB_SHA). */
  readonly commit: string | null;
  /** Tests pass a client with a fake clock; otherwise one is made from the config. */
  readonly client?: RailwayClient;
}

/**
 * Says, before the checks run, which of the Railway service's settings the local health check
 * follows, and where the repository's railway.json/toml disagrees with the service.
 */
export function announceRailwaySettings(config: Config, log: Log): void {
  const lookup = config.railwayService;
  if (!lookup) return;
  if (!lookup.ok) {
    log.warning(
      `Could not read the Railway service's settings; the health check follows the inputs and ${config.railwayFile ? 'the railway file' : 'its defaults'}. ${lookup.error}`,
    );
    return;
  }
  const t = lookup.target;
  const h = config.health;
  log.info(
    `Railway service ${t.serviceName ?? t.serviceId} (${t.environmentName ?? t.environmentId}): health check path ${h.path ?? 'none'} (from ${h.pathSource ?? 'default'}), timeout ${formatDuration(h.timeoutMs)} (from ${h.timeoutSource})`,
  );
  for (const drift of findConfigDrift(lookup.settings, config.railwayFile)) {
    // railway.ts is what `railway config apply` writes into the service; a railway.json/toml gives way to the service.
    const follows =
      config.railwayFile?.label === '.railway/railway.ts'
        ? "deploy-check follows .railway/railway.ts, which `railway config apply` makes the service's settings"
        : "Railway follows the service's settings, and so does deploy-check";
    log.warning(`${describeDrift(drift)}; ${follows}`, config.railwayFile ? { file: config.railwayFile.file, title: 'Railway settings differ' } : undefined);
  }
}

/**
 * The deploy stage: decides whether to deploy (the gate), deploys exactly what passed, and waits for
 * Railway's verdict. A service whose own deployment trigger deploys the push is left to Railway
 * (deploy-trigger: auto); with railway-preview a pull request gets its own environment. Returns null
 * when no Railway token is configured. Never throws.
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
  const out = skippedReport(config, deps);
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
  const checksFailed = report.verdict === 'fail' ? (report.reasons[0] ?? 'a check failed') : null;
  const run: StageRun = {
    config,
    image: report.image.id ?? config.image,
    deps,
    client,
    out,
    log,
    resolve: async () => (lookup?.ok ? lookup.target : await resolveTarget(client, access)),
  };

  try {
    if (settings.preview && settings.mode !== 'never' && deps.event?.name.startsWith('pull_request')) {
      await previewStage(run, checksFailed);
      return done();
    }
    const gate = decideGate(settings.mode, deps.event, checksFailed);
    if (!gate.deploy) {
      out.reason = gate.reason;
      log.info(`Deploy skipped: ${gate.reason}`);
      return done();
    }
    log.info(`Deploying to Railway: ${gate.why}`);
    await deployRun(run);
  } catch (err) {
    if (err instanceof PushError) out.logs = { build: [], deploy: [], push: err.output.slice(-LOG_LINES) };
    failDeploy(out, 'error', `${err instanceof PushError ? 'Pushing the image failed: ' : ''}${(err as Error).message}`, log);
  }
  return done();
}

/** The deploy section before anything happened: skipped, with what is already known of the target. */
function skippedReport(config: Config, deps: DeployDeps): DeployReport {
  const settings = config.deploy;
  const lookup = config.railwayService;
  return {
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
    trigger: null,
    dashboardUrl: null,
    rollback: null,
    cancelled: false,
    preview: null,
  };
}

interface StageRun {
  readonly config: Config;
  /** The checked image by ID: the tag may name another run's build by now. */
  readonly image: string;
  readonly deps: DeployDeps;
  readonly client: RailwayClient;
  readonly out: DeployReport;
  readonly log: Log;
  readonly resolve: () => Promise<RailwayTarget>;
}

function describeTarget(target: RailwayTarget): string {
  return `${target.serviceName ?? target.serviceId} in ${target.projectName ?? target.projectId}/${target.environmentName ?? target.environmentId}`;
}

/** A run the gate let through: Railway's own trigger deploys the push, or deploy-check deploys through the API. */
async function deployRun(run: StageRun): Promise<void> {
  const { config, deps, client, out, log } = run;
  const settings = config.deploy;
  const target = await run.resolve();
  out.target = { ...target };
  if (settings.source === 'commit' && settings.trigger === 'auto' && deps.commit && mayHaveTrigger(config)) {
    const trigger = await lookupTrigger(run, target);
    if (trigger) {
      out.trigger = { repository: trigger.repository, branch: trigger.branch, checkSuites: trigger.checkSuites };
      await delegate(run, target, deps.commit, trigger.checkSuites);
      return;
    }
  }
  const previous = await readPrevious(run, target, null);
  const deploymentId = await startDeployment(run, target, deps.commit);
  out.dashboardUrl = dashboardUrl(target, deploymentId);
  await followDeployment({ client, settings, target, deploymentId, own: true, previous, log }, out);
}

/** Only a service built from a repository can have a deployment trigger (unknown settings: ask). */
function mayHaveTrigger(config: Config): boolean {
  const lookup = config.railwayService;
  return !lookup?.ok || lookup.settings.sourceRepo !== undefined;
}

/**
 * The service's trigger for this push, if any. A refusal (a token that may not read triggers) is
 * not worth failing a deploy for: deploy-check then deploys through the API, and says so.
 */
async function lookupTrigger(run: StageRun, target: RailwayTarget): Promise<TriggerData | null> {
  try {
    return await findTrigger(run.client, target, run.deps.event);
  } catch (err) {
    if (!(err instanceof RailwayApiError) || err.kind !== 'graphql') throw err;
    run.log.warning(
      `Could not read the service's deployment triggers (${err.detail}); deploying through the API. If Railway also deploys this push by itself, set deploy-trigger: api and switch the trigger off`,
    );
    return null;
  }
}

/** The deployment live before, read only when a failed smoke check could call for a rollback. */
async function readPrevious(run: StageRun, target: RailwayTarget, except: string | null): Promise<PreviousLive | null> {
  if (!run.config.deploy.smoke) return null;
  const previous = await previousLive(run.client, target, except);
  if ('found' in previous) run.log.info(`Live before this deployment: ${describeLive(previous.found)}`);
  return previous;
}

/**
 * Railway deploys the push by itself: deploy-check starts nothing. With "Wait for CI" Railway waits
 * for this very run, so deploy-check does not wait for Railway; without it, it follows Railway's
 * deployment of the commit as it would its own.
 */
async function delegate(run: StageRun, target: RailwayTarget, commit: string, checkSuites: boolean): Promise<void> {
  const { config, client, out, log } = run;
  const settings = config.deploy;
  const branch = out.trigger?.branch ?? '';
  const repository = out.trigger?.repository ?? '';
  const short = commit.slice(0, 7);
  if (checkSuites) {
    const railways = await commitDeployment(client, target, commit);
    out.status = 'delegated';
    out.deploymentId = railways?.id ?? null;
    out.railwayStatus = railways?.status ?? null;
    out.dashboardUrl = dashboardUrl(target, railways?.id ?? null);
    out.reason = `Railway deploys commit ${short} by itself once this workflow's checks pass ("Wait for CI" on the service's ${branch} trigger for ${repository})${railways ? `: its deployment ${railways.id} is ${railways.status}` : ''}; deploy-check started no deployment, and a failure of deploy-check would have stopped Railway's`;
    log.info(`${out.reason}: ${out.dashboardUrl}`);
    return;
  }
  log.info(
    `The service's deployment trigger deploys pushes to ${branch} of ${repository}: following Railway's own deployment of ${short} instead of starting one`,
  );
  const railways = await awaitCommitDeployment(client, target, commit, settings.timeoutMs);
  if (!railways) {
    failDeploy(
      out,
      'timeout',
      `the service's deployment trigger for ${branch} of ${repository} created no deployment of commit ${short} within ${Math.round(settings.timeoutMs / 1000)} s (deploy-timeout); is the trigger's repository the one this workflow runs in? deploy-trigger: api deploys through the API instead`,
      log,
    );
    return;
  }
  out.dashboardUrl = dashboardUrl(target, railways.id);
  const previous = await readPrevious(run, target, railways.id);
  await followDeployment({ client, settings, target, deploymentId: railways.id, own: false, previous, log }, out);
}

/** Starts a deployment of the commit, or pushes the checked image and deploys it; returns the deployment's id. */
async function startDeployment(run: StageRun, target: RailwayTarget, commit: string | null): Promise<string> {
  const { config, client, out, log } = run;
  const settings = config.deploy;
  const lookup = config.railwayService;
  const where = describeTarget(target);
  if (settings.source === 'commit') {
    if (!commit) {
      throw new Error(
        'deploy-source is "commit" but the commit of this run is unknown (a local run outside a git checkout?); use deploy-source: image, or run in GitHub Actions',
      );
    }
    const id = (await client.request(DEPLOY, { serviceId: target.serviceId, environmentId: target.environmentId, commitSha: commit })).serviceInstanceDeployV2;
    log.info(`Railway deployment ${id} of commit ${commit.slice(0, 12)} to ${where}`);
    return id;
  }
  const pushed = await pushCheckedImage({
    localImage: run.image,
    pushImage: settings.pushImage ?? '',
    tag: pushTag(commit, config.runId),
    credentials: config.registry,
    log,
  });
  out.image = pushed.pinned;
  log.info(`Pushed ${pushed.tagged} (${pushed.digest}) in ${formatDuration(pushed.durationMs)}`);
  if (config.registry?.password.startsWith('ghs_')) {
    log.warning(
      "registry-password is the job's GITHUB_TOKEN: it expires when the job ends, so Railway could not pull this private image again later (restart, scale); hand Railway a token that lasts (a read:packages PAT) or make the package public",
    );
  }
  if (lookup?.ok && lookup.settings.sourceRepo && !lookup.settings.sourceImage) {
    // Railway keeps one source per service: pointing it at an image replaces the repository link.
    log.warning(
      `The Railway service was built from the repository ${lookup.settings.sourceRepo}; deploy-source: image switches it to the pushed image, so pushes to that repository no longer deploy it by themselves`,
    );
  }
  await client.request(SET_IMAGE_SOURCE, {
    serviceId: target.serviceId,
    environmentId: target.environmentId,
    input: {
      source: { image: pushed.pinned },
      ...(config.registry ? { registryCredentials: { username: config.registry.username, password: config.registry.password } } : {}),
    },
  });
  const id = (await client.request(DEPLOY, { serviceId: target.serviceId, environmentId: target.environmentId })).serviceInstanceDeployV2;
  log.info(`Railway deployment ${id} of ${pushed.pinned} to ${where}`);
  return id;
}

/**
 * railway-preview on a pull_request event: the pull request's head commit (or the checked image)
 * goes to its own environment pr-<number>, created from railway-environment; closing the pull
 * request deletes it.
 */
// Each branch of a pull request's event (opened, closed, checks failed) is a few lines of one decision, read together.
// eslint-disable-next-line max-lines-per-function
async function previewStage(run: StageRun, checksFailed: string | null): Promise<void> {
  const { config, deps, client, out, log } = run;
  const action = previewAction(deps.event);
  const skip = (number: number, reason: string): void => {
    out.reason = reason;
    out.preview = { action: 'skipped', pullRequest: number, environmentName: previewName(number), environmentId: null, created: false, url: null, reason };
    log.info(`Preview skipped: ${reason}`);
  };
  if (action.kind === 'none') {
    if (action.number === null) {
      out.reason = action.reason;
      log.info(`Deploy skipped: ${action.reason}`);
    } else {
      skip(action.number, action.reason);
    }
    return;
  }
  const name = previewName(action.number);
  const target = await run.resolve();
  if (action.kind === 'delete') {
    const deleted = await deletePreview(client, target.projectId, action.number);
    const reason =
      deleted > 0
        ? `the pull request was closed: preview environment ${name} deleted`
        : `the pull request was closed: preview environment ${name} was already gone`;
    out.reason = reason;
    out.preview = {
      action: deleted > 0 ? 'deleted' : 'already-gone',
      pullRequest: action.number,
      environmentName: name,
      environmentId: null,
      created: false,
      url: null,
      reason,
    };
    log.info(reason);
    return;
  }
  out.commit = config.deploy.source === 'commit' ? action.headSha : deps.commit;
  if (checksFailed !== null) {
    skip(action.number, `a check failed (${checksFailed}); only a pull request that passed every check is deployed to ${name}`);
    return;
  }
  const environment = await findOrCreatePreview(client, target, action.number);
  log.info(
    `Preview environment ${name} (${environment.id}) ${environment.created ? `created from ${target.environmentName ?? target.environmentId}` : 'exists'}`,
  );
  const preview: RailwayTarget = { ...target, environmentId: environment.id, environmentName: name };
  out.target = { ...preview };
  out.preview = {
    action: 'deployed',
    pullRequest: action.number,
    environmentName: name,
    environmentId: environment.id,
    created: environment.created,
    url: null,
    reason: null,
  };
  const domain = await ensurePreviewDomain(client, target, preview);
  if (domain === null)
    log.warning(
      `Preview environment ${name} has no public domain, and ${target.environmentName ?? target.environmentId} has none to follow: give the service a domain in Railway to get a preview URL`,
    );
  const previous = await readPrevious(run, preview, null);
  const deploymentId = await startDeployment(run, preview, out.commit);
  out.dashboardUrl = dashboardUrl(preview, deploymentId);
  await followDeployment({ client, settings: config.deploy, target: preview, deploymentId, own: true, previous, log }, out);
  out.preview.url = out.url;
  if (out.status !== 'success' && out.status !== 'triggered') out.preview.reason = out.reason;
}
