import type Docker from 'dockerode';
import pkg from '../package.json' with { type: 'json' };
import { buildImage } from './build/build.ts';
import { announceRailwaySettings, deployStage } from './deploy/railway/deploy.ts';
import type { RunEvent } from './deploy/railway/gate.ts';
import type { Config } from './config/config.ts';
import { runAndWait } from './container/run.ts';
import type { Log } from './host/log.ts';
import { checkHygiene, skippedHygiene } from './hygiene/check.ts';
import type { CheckReport, HealthReport, SizeReport, SourceInfo } from './report/model.ts';
import { decideVerdict } from './report/verdict.ts';
import { measureImage } from './size/measure.ts';

export interface PipelineDeps {
  readonly docker: Docker;
  readonly log: Log;
  readonly source: Pick<SourceInfo, 'commit' | 'ref' | 'runUrl'>;
  /** The workflow run's event, for the deploy gate; null or absent for the local command. */
  readonly event?: RunEvent | null;
  /** Registers a secret value a stage found (e.g. in the image config): the entry masks it in every output. */
  readonly maskSecret?: (value: string) => void;
}

/** build → measure → run and wait → hygiene → verdict → deploy. Stages return their sections; nothing here prints the report. */
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

  report.size = await log.group('Measure', () => measureImage(docker, config.image));
  report.health = await log.group('Health check', () => runAndWait(config, docker, log));
  if (config.hygiene.mode !== 'off') {
    report.hygiene = await log.group('Hygiene', () => checkHygiene(config, { docker, log, maskSecret: deps.maskSecret ?? (() => undefined) }));
  }
  return finish(report, started, config, deps);
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

export const SKIPPED_SIZE: SizeReport = {
  status: 'skipped', bytes: null, compressedBytes: null, layers: [], baseline: null, delta: null, budget: {},
};

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
    source: { context: config.context, dockerfile: config.dockerfile, target: config.target ?? null, ...source },
    image: { id: null, ref: config.image },
    build: {
      status: 'failure', durationMs: 0, steps: { total: 0, cached: 0, list: [] },
      cache: { enabled: false, restored: false, key: null, matchedKey: null, saved: false, note: null },
      builder: config.builder ?? null, failure: null,
    },
    health: skippedHealth(config),
    size: { ...SKIPPED_SIZE },
    hygiene: skippedHygiene(config.hygiene.mode, config.hygiene.mode === 'off' ? 'hygiene is off' : 'the image was not built'),
    deploy: null,
  };
}
