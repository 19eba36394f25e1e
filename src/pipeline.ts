import type Docker from 'dockerode';
import pkg from '../package.json' with { type: 'json' };
import { buildImage } from './build/build.ts';
import { announceRailwaySettings, deployStage } from './deploy/railway/deploy.ts';
import type { RunEvent } from './deploy/railway/gate.ts';
import type { Config } from './config/config.ts';
import { runAndWait } from './container/run.ts';
import type { Log } from './host/log.ts';
import type { CheckReport, HealthReport, SourceInfo } from './report/model.ts';
import { SKIPPED_SIZE } from './report/skipped.ts';
import { decideVerdict } from './report/verdict.ts';
import { NO_BASELINE_SCOPE, type BaselineScope } from './size/baseline-store.ts';
import { runSizeStage, saveBaseline } from './size/stage.ts';

export { SKIPPED_SIZE };

export interface PipelineDeps {
  readonly docker: Docker;
  readonly log: Log;
  readonly source: Pick<SourceInfo, 'commit' | 'ref' | 'runUrl'> & Partial<Pick<SourceInfo, 'commitUrl' | 'pullRequest' | 'commentKey'>>;
  /** The workflow run's event, for the deploy gate; null or absent for the local command. */
  readonly event?: RunEvent | null;
  /** Where `baseline: auto` reads and stores baselines; none when absent. */
  readonly baselines?: BaselineScope;
}

/** build → measure → run and wait → verdict → deploy. Stages return their sections; nothing here prints the report. */
export async function runPipeline(config: Config, deps: PipelineDeps): Promise<CheckReport> {
  const { docker, log } = deps;
  const started = Date.now();
  const report = emptyReport(config, deps.source, started);
  announceRailwaySettings(config, log);

  const build = await log.group('Build', () => buildImage(config, log));
  report.build = build.report;
  if (build.report.status === 'failure') {
    log.error(`Build failed: ${build.report.failure?.message ?? ''}`, { file: config.dockerfile });
    return finish(report, started, config, deps);
  }
  report.image.id = (await docker.getImage(config.image).inspect()).Id;

  const baselines = deps.baselines ?? NO_BASELINE_SCOPE;
  report.size = await log.group('Measure', () => runSizeStage(config, { docker, log, baselines }));
  report.health = await log.group('Health check', () => runAndWait(config, docker, log));
  await finish(report, started, config, deps);
  // Only a run that passed everything, deploy included, becomes a baseline.
  await saveBaseline(config, report, baselines, log);
  return report;
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
      cache: { enabled: false, restored: false, key: null, matchedKey: null, saved: false, note: null },
      builder: config.builder ?? null, failure: null,
    },
    health: skippedHealth(config),
    size: { ...SKIPPED_SIZE },
    hygiene: { status: 'skipped', findings: [] },
    deploy: null,
  };
}
