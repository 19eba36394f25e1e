import type Docker from 'dockerode';
import { rm } from 'node:fs/promises';
import { toolVersion } from '../host/version.ts';
import { buildStage, type BuildOutcome } from '../build/build.ts';
import { chooseBuilder } from '../build/builder.ts';
import { cacheReportOff, failedOnCache, finishLayerCache, layerCacheWanted, prepareLayerCache, type CacheContext } from '../cache/layer-cache.ts';
import { announceRailwaySettings, deployStage, type DeployEvent } from '../deploy/railway/deploy.ts';
import { SHORT_SECRET_CHARS, type Config } from '../config/config.ts';
import { createApp, parityReport, healthStage, type CreatedApp } from '../container/run.ts';
import { preDeployStage } from '../container/pre-deploy.ts';
import { holdTag } from '../host/labels.ts';
import { PendingRemovals } from '../container/removals.ts';
import { runParams, type RunExtras } from '../container/spec.ts';
import type { Log } from '../host/log.ts';
import { skippedHygiene } from '../hygiene/check.ts';
import { imageChecksStage } from '../hygiene/image-checks.ts';
import type { CheckReport, HealthReport, RailwayPlanReport, SourceInfo } from '../model/report.ts';
import { SKIPPED_SIZE } from '../model/skipped.ts';
import { decideVerdict } from '../report/verdict.ts';
import { NO_BASELINE_SCOPE, type BaselineScope } from '../size/baseline-store.ts';
import { saveBaseline } from '../size/stage.ts';
import { explainAppFailure, explainPreDeployFailure, servicesFailedHealth, servicesStage, withServices } from '../services/stage.ts';
import type { StartedServices } from '../services/start.ts';
import { announceRailwayConfig, announceRailwayPlan, railwayConfigReport, startRailwayPlan } from './railway-config.ts';

export { SKIPPED_SIZE };

export interface PipelineDeps {
  readonly docker: Docker;
  readonly log: Log;
  readonly source: Pick<SourceInfo, 'commit' | 'ref' | 'runUrl'> & Partial<Pick<SourceInfo, 'commitUrl' | 'pullRequest' | 'commentKey'>>;
  /** Where layer caches live; without it the build runs without one. */
  readonly cache?: CacheContext;
  /** The workflow run's event, for the deploy gate; null or absent for the local command. */
  readonly event?: DeployEvent | null;
  /** Where `baseline: auto` reads and stores baselines; none when absent. */
  readonly baselines?: BaselineScope;
  /** Registers a secret value a stage found (e.g. in the image config): the entry masks it in every output. */
  readonly maskSecret?: (value: string) => void;
  /**
   * Aborted (with the signal's name as reason) when the run is cancelled: stages stop and say so.
   * Aborted with an Error when deploy-check itself failed unexpectedly: the report says so.
   */
  readonly cancel?: AbortSignal;
  /** Network, aliases and variables the app and its pre-deploy command get beyond the inputs (e.g. from services started first). */
  readonly run?: RunExtras;
  /** Settles once the state the image checks remember between runs is in place (the action restores it while the image builds). */
  readonly stateRestored?: Promise<unknown>;
  /** The pull request's base commit (null when its event names none): the report says what it changes in Railway's configuration. Absent outside pull requests. */
  readonly railwayBase?: string | null;
}

/** build → measure → run and wait → hygiene → verdict → deploy. Stages return their sections; nothing here prints the report. */
export async function runPipeline(given: Config, deps: PipelineDeps): Promise<CheckReport> {
  const { docker, log } = deps;
  const started = Date.now();
  if (!given.railwayPending) announce(given, log);
  const { config, build, beside } = await buildBesideRailway(given, deps);
  // With railway.ts evaluated beside the build, what the run mirrors is known now: said after the build's log.
  if (given.railwayPending) announce(config, log);
  const report = emptyReport(config, deps.source, started);
  const { plan } = beside;
  report.build = build.report;
  // Databases started beside the build go down with any run that stops before the app.
  const stopEarlyServices = beside.stopServices;
  if (build.report.status === 'failure') {
    await stopEarlyServices();
    // Said once, by the verdict (the action annotates the Dockerfile with it).
    return decideThenDeploy(report, started, config, deps, plan);
  }
  try {
    // By the run's own tag: the `image` tag may already name another run's build of it.
    report.image.id = (await docker.getImage(holdTag(config.runId)).inspect()).Id;
  } catch (err) {
    await stopEarlyServices();
    // buildx loaded the image into another engine than the one deploy-check talks to.
    report.build.status = 'failure';
    report.build.failure = {
      step: null,
      message: `the build succeeded but the engine deploy-check runs containers on has no image ${config.image} (${(err as Error).message}); the builder${config.builder ? ` "${config.builder}"` : ''} must load into the engine of DOCKER_HOST or the current docker context`,
      logs: [],
    };
    return decideThenDeploy(report, started, config, deps, plan);
  }
  // From here on the image is named by its ID: another run may move the same tag to its own
  // image at any moment (two jobs sharing an `image` input), and must not change what is checked.
  const image = report.image.id;

  if (deps.cancel?.aborted) {
    await stopEarlyServices();
    report.health = { ...skippedHealth(config, 'the run was cancelled'), status: 'cancelled' };
    return decideThenDeploy(report, started, config, deps, plan);
  }
  const baselines = deps.baselines ?? NO_BASELINE_SCOPE;
  // The Compose services the app needs start while the image is measured; they go down (down -v)
  // once the app's container is gone, whatever happened. The pre-deploy command and the app run
  // on their network, after they are ready.
  const starting = beside.services ?? (config.health.strategy === 'none' ? Promise.resolve(null) : servicesStage(config, image, docker, log, deps.cancel));
  // Size and hygiene read the image, not the container: they run while the services and the
  // container start and the health wait runs; their log follows.
  const imageChecks = imageChecksStage(config, {
    image,
    docker,
    log,
    baselines,
    maskSecret: deps.maskSecret ?? (() => undefined),
    ...(deps.stateRestored ? { after: deps.stateRestored } : {}),
  });
  // Containers the run is done with are removed while it goes on; all are gone before it ends.
  const removals = new PendingRemovals();
  await runApp(report, { config, image, deps, starting, removals });
  const checked = await imageChecks.done();
  await removals.settled();
  report.size = checked.size;
  if (checked.hygiene && !deps.cancel?.aborted) report.hygiene = checked.hygiene;
  await decideThenDeploy(report, started, config, deps, plan);
  // Only a run that passed everything, deploy included, becomes a baseline.
  await saveBaseline(config, report, baselines, log);
  return report;
}

/** What runApp needs: the image by ID, the services starting beside it, the pending removals. */
interface AppRun {
  readonly config: Config;
  readonly image: string;
  readonly deps: PipelineDeps;
  readonly starting: Promise<StartedServices | null>;
  readonly removals: PendingRemovals;
}

/**
 * The app as Railway runs it, into the report: the services it needs, the pre-deploy command,
 * then its container and the health wait. The services go down (down -v) once the app's
 * container is gone, whatever happened.
 */
async function runApp(report: CheckReport, run: AppRun): Promise<void> {
  const { config, image, deps, starting, removals } = run;
  const { docker, log } = deps;
  let services: StartedServices | null = null;
  let app: Promise<CreatedApp> | undefined;
  try {
    services = await starting;
    if (services) {
      report.services = services.services;
      report.compose = services.compose;
    }
    const servicesFailed = services !== null && !services.ready;
    const params = runParams(config, image, withServices(config, deps.run, services));
    if (config.health.strategy === 'none') {
      const reason = 'wait-for: none: no container was run (the image was built, measured and checked)';
      if (config.preDeploy) report.preDeploy = { status: 'skipped', source: config.preDeploy.source, reason, durationMs: 0, commands: [] };
      report.health = skippedHealth(config, reason);
    } else if (servicesFailed && services) {
      if (config.preDeploy) {
        report.preDeploy = {
          status: 'skipped',
          source: config.preDeploy.source,
          reason: `the ${config.compose?.generated ? 'databases' : 'Compose services'} it needs did not become ready`,
          durationMs: 0,
          commands: [],
        };
      }
      report.health = servicesFailedHealth(skippedHealth(config), services);
    } else if (config.preDeploy && !deps.cancel?.aborted) {
      const preDeploy = config.preDeploy;
      // The app's container is created while the command runs, and started only once it passed.
      app = createApp(config, docker, params);
      const pre = await log.group(`Pre-deploy command (${preDeploy.source} deploy.preDeployCommand)`, () =>
        preDeployStage(preDeploy, docker, log, params, removals, deps.cancel),
      );
      report.preDeploy = explainPreDeployFailure(pre, config, services);
    }
    if (config.health.strategy === 'none' || servicesFailed) {
      // Said above: nothing to run.
    } else if (deps.cancel?.aborted) {
      report.health = { ...skippedHealth(config, 'the run was cancelled'), status: 'cancelled' };
    } else if (report.preDeploy && report.preDeploy.status !== 'passed') {
      report.health = skippedHealth(config, 'the pre-deploy command did not pass, so the app was not started (as on Railway)');
    } else {
      const created = await (app ?? createApp(config, docker, params));
      app = undefined;
      report.health = explainAppFailure(await log.group('Health check', () => healthStage(config, log, created, removals, deps.cancel)), config, services);
    }
  } finally {
    // An app created for a run that stopped before starting it.
    const unstarted = app ? (await app).container : undefined;
    if (unstarted) removals.remove(unstarted);
    services ??= await starting.catch(() => null);
    // The services' containers go while the app's is removed; their networks once it is gone.
    await services?.stop(removals.settled());
  }
}

/** What the run mirrors of Railway, once per run. */
function announce(config: Config, log: Log): void {
  announceRailwayConfig(config, log);
  announceRailwaySettings(config, log);
  warnShortSecrets(config, log);
  log.info(describeParity(config));
}

/** What runs beside the build once the whole Config is known. */
interface BesideBuild {
  /** The base's railway.ts, evaluated while the image builds; the report waits for it at the end. */
  readonly plan: Promise<RailwayPlanReport | null>;
  /** The databases of railway.ts: images only, so they need nothing of the build and start beside it. */
  readonly services: Promise<StartedServices | null> | undefined;
  /** A run that ends before its app stops waiting for them and takes them down. */
  readonly stopServices: () => Promise<void>;
}

function startBesideBuild(config: Config, deps: PipelineDeps): BesideBuild {
  const plan = startRailwayPlan(config, deps.railwayBase);
  if (!config.compose?.generated || config.health.strategy === 'none') return { plan, services: undefined, stopServices: async () => {} };
  const giveUp = new AbortController();
  const cancel = deps.cancel ? AbortSignal.any([deps.cancel, giveUp.signal]) : giveUp.signal;
  const services = servicesStage(config, config.image, deps.docker, deps.log, cancel);
  // Awaited after the build (or stopped when the run ends early); never an unhandled rejection meanwhile.
  services.catch(() => undefined);
  const stopServices = async (): Promise<void> => {
    giveUp.abort('the run ended before the app started');
    await (await services.catch(() => null))?.stop();
  };
  return { plan, services, stopServices };
}

/**
 * The build and the whole Config. While .railway/railway.ts is evaluated (`railwayPending`), the
 * build starts with the Dockerfile the inputs name; when the file names another
 * (build.dockerfilePath), that build is stopped and the named one built: the check always builds
 * what Railway builds. A file that fails stops the build and leaves no image of it behind.
 */
async function buildBesideRailway(given: Config, deps: PipelineDeps): Promise<{ config: Config; build: BuildOutcome; beside: BesideBuild }> {
  const pending = given.railwayPending;
  if (!pending) {
    const beside = startBesideBuild(given, deps);
    return { config: given, build: await buildWithCache(given, deps), beside };
  }
  const stop = new AbortController();
  const first = buildWithCache(given, { ...deps, cancel: deps.cancel ? AbortSignal.any([deps.cancel, stop.signal]) : stop.signal });
  let config: Config;
  try {
    config = await pending;
  } catch (err) {
    stop.abort('the Railway configuration is not valid');
    await dropBuild(first, given, deps.docker);
    throw err;
  }
  // Values only the file (or Railway) knows: masked before anything can print them.
  for (const secret of config.secrets) deps.maskSecret?.(secret);
  const beside = startBesideBuild(config, deps);
  if (config.dockerfile === given.dockerfile) return { config, build: await first, beside };
  deps.log.info(
    `${config.railwayFile?.label ?? "Railway's configuration"} names ${config.dockerfile} (build.dockerfilePath): the build of ${given.dockerfile} is stopped and that Dockerfile is built, as Railway builds it`,
  );
  stop.abort('another Dockerfile');
  const dropped = await dropBuild(first, given, deps.docker);
  // The builder the first build prepared (a builder of the run's own is made once).
  return { config, build: await buildWithCache({ ...config, builder: dropped?.report.builder ?? config.builder }, deps), beside };
}

/** Waits for a stopped build; an image it finished anyway loses the run's tags (and the `image` tag, when that names it). */
async function dropBuild(build: Promise<BuildOutcome>, config: Config, docker: Docker): Promise<BuildOutcome | undefined> {
  const outcome = await build.catch(() => undefined);
  if (outcome?.report.status !== 'success') return outcome;
  const id = await docker
    .getImage(holdTag(config.runId))
    .inspect()
    .then(
      (i) => i.Id,
      () => undefined,
    );
  const tagged = await docker
    .getImage(config.image)
    .inspect()
    .then(
      (i) => i.Id,
      () => undefined,
    );
  if (id !== undefined && tagged === id)
    await docker
      .getImage(config.image)
      .remove()
      .catch(() => undefined);
  await docker
    .getImage(holdTag(config.runId))
    .remove()
    .catch(() => undefined);
  return outcome;
}

/** Once per run: a short secret is easy to guess, and masking it hides those characters everywhere. */
function warnShortSecrets(config: Config, log: Log): void {
  const names = config.shortSecrets;
  if (names.length === 0) return;
  log.warning(
    `Short secrets are weak: ${names.join(', ')} ${names.length === 1 ? 'has' : 'have'} fewer than ${SHORT_SECRET_CHARS} characters. ` +
      'deploy-check masks them anyway, so the same characters are also hidden wherever else they appear in its output; a long random value avoids both.',
  );
}

/** Restore the layer cache, build, save the cache (see finishLayerCache for why the save happens here). */
async function buildWithCache(config: Config, deps: PipelineDeps): Promise<BuildOutcome> {
  const { docker, log } = deps;
  const ctx: CacheContext = deps.cache ?? {
    store: null,
    missingStore: { reason: 'no cache store was given', warn: false },
    revision: null,
    onDefaultBranch: null,
    ref: null,
    root: process.cwd(),
    rememberBuilder: () => {},
  };
  const prepared = await log.group('Layer cache: restore', async () => {
    // Only a build that exports a cache needs a builder other than the configured one.
    const builder = layerCacheWanted(config, ctx)
      ? await chooseBuilder(config, docker, log, ctx.rememberBuilder)
      : { name: config.builder, cannotExport: null };
    return prepareLayerCache(config, builder, log, ctx);
  });
  const buildConfig = { ...config, builder: prepared.builder };
  let build = await log.group('Build', () => buildStage(buildConfig, log, prepared.plan, deps.cancel));
  let cache = prepared.report;
  if ((prepared.plan.from || prepared.plan.to) && failedOnCache(build.report) && !deps.cancel?.aborted) {
    const message = `The build failed on its layer cache (${build.report.failure?.message ?? ''}); building again without it.`;
    log.warning(message);
    if (prepared.exportDir) await rm(prepared.exportDir, { recursive: true, force: true });
    build = await log.group('Build (without the layer cache)', () => buildStage(buildConfig, log, undefined, deps.cancel));
    cache = { ...cacheReportOff(message, config.cache.mode), key: cache.key, store: cache.store, warnings: [...cache.warnings, message] };
  } else if (prepared.plan.to) {
    cache = await log.group('Layer cache: save', () => finishLayerCache(prepared, build.report, config, log, ctx));
  } else {
    cache = await finishLayerCache(prepared, build.report, config, log, ctx);
  }
  build.report.cache = cache;
  build.report.builder = prepared.builder ?? null;
  return build;
}

/** The end of every run, early or not: the checks' verdict, then the deploy it allows, then the final verdict. */
async function decideThenDeploy(
  report: CheckReport,
  started: number,
  config: Config,
  deps: PipelineDeps,
  plan: Promise<RailwayPlanReport | null>,
): Promise<CheckReport> {
  await decide(report, deps, plan);
  await deploy(report, config, deps);
  report.durationMs = Date.now() - started;
  return report;
}

/** How the run ended (cancelled, an internal error), the pull request's Railway plan, and the checks' verdict. */
async function decide(report: CheckReport, deps: PipelineDeps, plan: Promise<RailwayPlanReport | null>): Promise<void> {
  const reason: unknown = deps.cancel?.reason;
  // An error reason is the entry's last-resort handler's: the run stopped on it, not on a signal.
  if (reason instanceof Error) report.internalError = reason.message;
  else if (deps.cancel?.aborted) report.cancelled = { signal: String(reason), stage: cancelledStage(report) };
  // A cancelled run has seconds left: it does not wait for the base's evaluation.
  if (report.railway && !deps.cancel?.aborted) {
    report.railway.plan = await plan;
    announceRailwayPlan(report.railway.plan, deps.log);
  }
  decideVerdict(report);
}

/** The deploy gate (it deploys only what passed) when Railway is configured, then the final verdict. */
async function deploy(report: CheckReport, config: Config, deps: PipelineDeps): Promise<void> {
  if (!config.deploy.railway || deps.cancel?.aborted) return;
  report.deploy = await deps.log.group('Deploy to Railway', () =>
    deployStage(config, report, { log: deps.log, event: deps.event ?? null, commit: deps.source.commit }),
  );
  decideVerdict(report);
}

/** One line at the start of the run: what is mirrored of Railway, or why nothing is. */
export function describeParity(config: Config): string {
  const p = config.parity;
  if (!p.enabled) return `Railway parity: off (${p.why})`;
  const port = p.injectedPort !== undefined ? `PORT=${p.injectedPort} (${p.portSource})` : `port ${config.port ?? '?'} (${p.portSource})`;
  const status =
    config.health.statusSource === 'railway'
      ? 'only 200 passes'
      : `accepted ${config.health.status.map((r) => (r.min === r.max ? r.min : `${r.min}-${r.max}`)).join(',')} (health-status)`;
  const command = config.commandSource === 'image' ? "the image's CMD" : `start command from ${config.commandSource}`;
  return `Railway parity: on (${p.why}): ${port}, Host ${p.host ?? '-'}, ${status}, ${command}, timeout ${Math.round(config.health.timeoutMs / 1000)}s (${config.health.timeoutSource})`;
}

/** Where the run stood when it was cancelled, for the sentence. */
function cancelledStage(report: CheckReport): string {
  if (report.build.status === 'failure') return 'the build';
  if (report.preDeploy?.status === 'cancelled') return 'the pre-deploy command';
  if (report.health.status === 'cancelled') return 'the health check';
  return 'the checks';
}

function skippedHealth(config: Config, reason = 'the image was not built'): HealthReport {
  return {
    status: 'skipped',
    strategy: config.health.strategy,
    target: null,
    timeToHealthyMs: null,
    timeoutMs: config.health.timeoutMs,
    reason,
    container: null,
    lastHttp: null,
    healthLog: [],
    logs: [],
    parity: parityReport(config),
  };
}

/** The report before any stage ran: every check skipped, verdict fail until decided. */
export function emptyReport(config: Config, source: PipelineDeps['source'], started: number): CheckReport {
  return {
    schemaVersion: 1,
    verdict: 'fail',
    reasons: [],
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    tool: { name: 'deploy-check', version: toolVersion() },
    source: {
      context: config.context,
      dockerfile: config.dockerfile,
      target: config.target ?? null,
      commitUrl: null,
      pullRequest: null,
      commentKey: null,
      ...source,
    },
    image: { id: null, ref: config.image },
    build: {
      status: 'failure',
      durationMs: 0,
      steps: { total: 0, cached: 0, list: [] },
      cache: cacheReportOff(null, config.cache.mode),
      builder: config.builder ?? null,
      failure: null,
    },
    preDeploy: null,
    health: skippedHealth(config),
    services: [],
    compose: null,
    railway: railwayConfigReport(config),
    size: { ...SKIPPED_SIZE },
    hygiene: skippedHygiene(config.hygiene.mode, config.hygiene.mode === 'off' ? 'hygiene is off' : 'the image was not built'),
    deploy: null,
  };
}
