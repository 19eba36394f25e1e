import type Docker from 'dockerode';
import { rm } from 'node:fs/promises';
import pkg from '../package.json' with { type: 'json' };
import { buildImage, type BuildOutcome } from './build/build.ts';
import { cacheReportOff, failedOnCache, finishLayerCache, prepareLayerCache, type CacheContext } from './cache/layer-cache.ts';
import { announceRailwaySettings, deployStage } from './deploy/railway/deploy.ts';
import type { RunEvent } from './deploy/railway/gate.ts';
import type { Config } from './config/config.ts';
import { runAndWait } from './container/run.ts';
import type { Log } from './host/log.ts';
import { skippedHygiene } from './hygiene/check.ts';
import { startImageChecks } from './hygiene/image-checks.ts';
import type { CheckReport, HealthReport, SourceInfo } from './report/model.ts';
import { SKIPPED_SIZE } from './report/skipped.ts';
import { decideVerdict } from './report/verdict.ts';
import { NO_BASELINE_SCOPE, type BaselineScope } from './size/baseline-store.ts';
import { saveBaseline } from './size/stage.ts';

export { SKIPPED_SIZE };

export interface PipelineDeps {
  readonly docker: Docker;
  readonly log: Log;
  readonly source: Pick<SourceInfo, 'commit' | 'ref' | 'runUrl'> & Partial<Pick<SourceInfo, 'commitUrl' | 'pullRequest' | 'commentKey'>>;
  /** Where layer caches live; without it the build runs without one. */
  readonly cache?: CacheContext;
  /** The workflow run's event, for the deploy gate; null or absent for the local command. */
  readonly event?: RunEvent | null;
  /** Where `baseline: auto` reads and stores baselines; none when absent. */
  readonly baselines?: BaselineScope;
  /** Registers a secret value a stage found (e.g. in the image config): the entry masks it in every output. */
  readonly maskSecret?: (value: string) => void;
}

/** build → measure → run and wait → hygiene → verdict → deploy. Stages return their sections; nothing here prints the report. */
export async function runPipeline(config: Config, deps: PipelineDeps): Promise<CheckReport> {
  const { docker, log } = deps;
  const started = Date.now();
  const report = emptyReport(config, deps.source, started);
  announceRailwaySettings(config, log);

  const build = await buildWithCache(config, deps);
  report.build = build.report;
  if (build.report.status === 'failure') {
    log.error(`Build failed: ${build.report.failure?.message ?? ''}`, { file: config.dockerfile });
    return finish(report, started, config, deps);
  }
  report.image.id = (await docker.getImage(config.image).inspect()).Id;

  const baselines = deps.baselines ?? NO_BASELINE_SCOPE;
  // Size and hygiene read the image, not the container: they run while it starts and is
  // waited for; their log follows the health check's.
  const imageChecks = startImageChecks(config, { docker, log, baselines, maskSecret: deps.maskSecret ?? (() => undefined) });
  report.health = await log.group('Health check', () => runAndWait(config, docker, log));
  const checked = await imageChecks.done();
  report.size = checked.size;
  if (checked.hygiene) report.hygiene = checked.hygiene;
  await finish(report, started, config, deps);
  // Only a run that passed everything, deploy included, becomes a baseline.
  await saveBaseline(config, report, baselines, log);
  return report;
}

/** Restore the layer cache, build, save the cache (see finishLayerCache for why the save happens here). */
async function buildWithCache(config: Config, deps: PipelineDeps): Promise<BuildOutcome> {
  const { docker, log } = deps;
  const ctx: CacheContext = deps.cache ?? {
    store: null, missingStore: { reason: 'no cache store was given', warn: false }, revision: null,
    onDefaultBranch: null, ref: null, root: process.cwd(), rememberBuilder: () => {},
  };
  const prepared = await log.group('Layer cache: restore', () => prepareLayerCache(config, docker, log, ctx));
  const buildConfig = { ...config, builder: prepared.builder };
  let build = await log.group('Build', () => buildImage(buildConfig, log, prepared.plan));
  let cache = prepared.report;
  if ((prepared.plan.from || prepared.plan.to) && failedOnCache(build.report)) {
    const message = `The build failed on its layer cache (${build.report.failure?.message ?? ''}); building again without it.`;
    log.warning(message);
    if (prepared.exportDir) await rm(prepared.exportDir, { recursive: true, force: true });
    build = await log.group('Build (without the layer cache)', () => buildImage(buildConfig, log));
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

/** The checks' verdict, then the deploy gate (which deploys only what passed), then the final verdict. */
async function finish(report: CheckReport, started: number, config: Config, deps: PipelineDeps): Promise<CheckReport> {
  decideVerdict(report);
  if (config.deploy.railway) {
    report.deploy = await deps.log.group('Deploy to Railway', () =>
      deployStage(config, report, { log: deps.log, event: deps.event ?? null, commit: deps.source.commit }),
    );
    decideVerdict(report);
  }
  report.durationMs = Date.now() - started;
  return report;
}

function skippedHealth(config: Config): HealthReport {
  return {
    status: 'skipped', strategy: config.health.strategy, target: null, timeToHealthyMs: null, timeoutMs: config.health.timeoutMs,
    reason: 'the image was not built', container: null, lastHttp: null, healthLog: [], logs: [],
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
    tool: { name: 'deploy-check', version: pkg.version },
    source: {
      context: config.context, dockerfile: config.dockerfile, target: config.target ?? null,
      commitUrl: null, pullRequest: null, commentKey: null, ...source,
    },
    image: { id: null, ref: config.image },
    build: {
      status: 'failure', durationMs: 0, steps: { total: 0, cached: 0, list: [] },
      cache: cacheReportOff(null, config.cache.mode),
      builder: config.builder ?? null, failure: null,
    },
    health: skippedHealth(config),
    size: { ...SKIPPED_SIZE },
    hygiene: skippedHygiene(config.hygiene.mode, config.hygiene.mode === 'off' ? 'hygiene is off' : 'the image was not built'),
    deploy: null,
  };
}
