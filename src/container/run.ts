import type Docker from 'dockerode';
import { formatStatusRanges } from '../inputs/units.ts';
import type { Config, HealthConfig } from '../config/config.ts';
import type { Log } from '../host/log.ts';
import type { HealthReport, ParityReport } from '../model/report.ts';
import { shellWrapHint } from './exec-form.ts';
import { containerName } from '../host/labels.ts';
import { keptLogLines } from './logs.ts';
import { dockerReason } from './pre-deploy.ts';
import type { PendingRemovals } from './removals.ts';
import { containerOptions, type RunParams } from './spec.ts';
import { HealthcheckWait, HttpWait, LogWait, TcpWait, type WaitStrategy } from './wait.ts';

/** Readiness is probed this often at first, so a fast app is seen within about this long... */
export const FAST_PROBE_MS = 50;
/** ...then less often, so a slow app's own log is not drowned in probe requests. */
export const SLOW_PROBE_MS = 250;
export const BACK_OFF_AFTER_MS = 2000;
/** Docker's own HEALTHCHECK is asked to run this often while the container starts. */
const HEALTHCHECK_START_INTERVAL_NS = 250_000_000;

/** The pause before the next probe, `waitingMs` after the wait began. */
export function probeIntervalMs(waitingMs: number): number {
  return waitingMs < BACK_OFF_AFTER_MS ? FAST_PROBE_MS : SLOW_PROBE_MS;
}

export interface ImageHealthcheck {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

/** What the run mirrors of Railway, for the report (health.parity). */
export function parityReport(config: Config): ParityReport {
  return {
    enabled: config.parity.enabled,
    why: config.parity.why,
    port: config.parity.injectedPort ?? null,
    portSource: config.parity.portSource,
    host: config.parity.host ?? null,
    acceptedStatus: formatStatusRanges(config.health.status),
    statusSource: config.health.statusSource,
    startCommandSource: config.commandSource,
    startCommand: config.command ? [...config.command] : null,
    startCommandReplaces: config.command ? config.commandReplaces : null,
    timeoutSource: config.health.timeoutSource,
    pathSource: config.health.pathSource ?? null,
  };
}

/** The app's container, created and not yet started, or why there is none. */
export interface CreatedApp {
  readonly report: HealthReport;
  readonly strategyName: HealthConfig['strategy'];
  readonly hasHealthcheck: boolean;
  readonly hostMode: boolean;
  /** Undefined when there is nothing to start (report.reason says why) or the engine refused (createError). */
  readonly container: Docker.Container | undefined;
  readonly createError: unknown;
}

/**
 * Reads the image and creates the app's container without starting it. Creating is not
 * starting: it happens while the pre-deploy command runs, and Railway's order (the app starts
 * only once that command passed) is kept by `healthStage`.
 */
export async function createApp(config: Config, docker: Docker, params: RunParams): Promise<CreatedApp> {
  let image: Docker.ImageInspectInfo;
  try {
    image = await docker.getImage(params.image).inspect();
  } catch (err) {
    // Never rejects: it runs alongside the pre-deploy command, and its failure is the health check's.
    const report = { ...unhealthyReport(config, config.health.strategy), reason: `could not run the container: ${dockerReason(err)}` };
    return { report, strategyName: config.health.strategy, hasHealthcheck: false, hostMode: false, container: undefined, createError: err };
  }
  const imageHealthcheck = (image.Config as { Healthcheck?: ImageHealthcheck }).Healthcheck;
  const hasHealthcheck = definesHealthcheck(imageHealthcheck);
  const strategyName = strategyForImage(config.health, hasHealthcheck);
  const report = unhealthyReport(config, strategyName);
  const app = { report, strategyName, hasHealthcheck, hostMode: params.network === 'host', container: undefined, createError: undefined };
  if (strategyName === 'healthcheck' && !hasHealthcheck) {
    report.reason = 'wait-for is "healthcheck" but the image defines no HEALTHCHECK';
    return app;
  }
  const runs = image.Config as { Cmd?: string[] | null; Entrypoint?: string[] | null };
  if (!config.command?.length && !runs.Cmd?.length && !runs.Entrypoint?.length) {
    report.reason = NOTHING_TO_RUN;
    return app;
  }
  try {
    const container = await docker.createContainer(
      containerOptions(params, {
        name: containerName(params.runId),
        cmd: config.command,
        replacesEntrypoint: config.commandReplaces === 'ENTRYPOINT',
        publishPort: config.port,
        mountsVolumes: true,
        healthcheck:
          hasHealthcheck && strategyName === 'healthcheck'
            ? {
                ...imageHealthcheck,
                // Run the image's own check often while starting, so readiness is seen within a quarter second.
                StartPeriod: Math.max(imageHealthcheck?.StartPeriod ?? 0, config.health.timeoutMs * 1_000_000),
                StartInterval: HEALTHCHECK_START_INTERVAL_NS,
              }
            : undefined,
      }),
    );
    return { ...app, container };
  } catch (err) {
    return { ...app, createError: err };
  }
}

/** The health section before the container ran. */
function unhealthyReport(config: Config, strategy: HealthConfig['strategy']): HealthReport {
  return {
    status: 'unhealthy',
    strategy,
    target: null,
    timeToHealthyMs: null,
    timeoutMs: config.health.timeoutMs,
    reason: null,
    container: null,
    lastHttp: null,
    healthLog: [],
    logs: [],
    parity: parityReport(config),
    imageHealthcheck: null,
    startError: null,
    probes: 0,
  };
}

/**
 * Starts the container `createApp` made and waits until it is healthy, the container exits, the
 * timeout passes or the run is cancelled. Evidence is gathered before the container's removal
 * starts (`removals`).
 */
// The health stage's one sequence: start, wait, gather evidence before removal; splitting it would separate the evidence from its wait.
// eslint-disable-next-line max-lines-per-function
export async function healthStage(config: Config, log: Log, app: CreatedApp, removals: PendingRemovals, cancel?: AbortSignal): Promise<HealthReport> {
  const { report, strategyName, hasHealthcheck, hostMode, container } = app;
  if (report.reason !== null) return report;
  const hint = startCommandHint(config);
  if (hint) log.warning(`${hint.charAt(0).toUpperCase()}${hint.slice(1)}`);
  const port = config.port;
  const portKey = port !== undefined ? `${port}/tcp` : undefined;
  let strategy: WaitStrategy | undefined;
  let ranForMs: number | undefined;
  try {
    if (!container) throw app.createError;
    report.container = { id: container.id, exitCode: null, oomKilled: false, running: false, started: false };
    await container.start();
    // The pre-deploy command's containers go now, while the app boots: removing them while the
    // engine starts this one slowed the start more than it saved.
    removals.flush();
    let exited = false;
    // Asked once the container runs, 'not-running' answers at once if it has exited already.
    // (A 'next-exit' wait sent before start can reach the engine after a quick crash and then
    // wait for an exit that never comes.)
    const exit = container.wait({ condition: 'not-running' }).then(
      () => {
        exited = true;
      },
      () => {
        exited = true;
      },
    );
    if (strategyName === 'log' && config.health.logPattern) {
      const logWait = new LogWait(config.health.logPattern);
      strategy = logWait;
      await logWait.attach(container);
    }
    const info = await container.inspect();
    const startedAt = parseDockerTime(info.State.StartedAt) ?? Date.now();
    const running: Running = {
      container,
      startedAt,
      deadline: startedAt + config.health.timeoutMs,
      exit,
      cancelled: cancelPromise(cancel),
      cancel,
      hasExited: () => exited,
      markExited: () => (exited = true),
    };
    if (strategyName === 'exit') {
      ranForMs = await awaitExit(running, config, log, report);
    } else {
      if (!strategy) {
        const hostPort = hostMode ? port : Number(info.NetworkSettings.Ports[portKey ?? '']?.[0]?.HostPort);
        strategy = strategyFor(strategyName, container, config, hostPort, startedAt);
      }
      await probeUntilReady(running, strategy, config, report, log);
    }
  } catch (err) {
    report.reason = `could not run the container: ${dockerReason(err)}`;
  } finally {
    strategy?.close();
    if (container) {
      await collectEvidence(container, strategy, report, strategyName === 'http' && hasHealthcheck);
      removals.remove(container);
    }
  }
  settleVerdict(config, strategyName, ranForMs, report);
  if (report.status === 'unhealthy' && hint) report.reason = `${report.reason ?? 'not healthy'}; ${hint}`;
  const volume = volumeHint(config, report);
  if (volume) report.reason = `${report.reason ?? 'not healthy'}; ${volume}`;
  return report;
}

/**
 * The verdict once the container is gone: a clean exit passes `wait-for: exit`, and a container
 * that never started or exited early gets the sentence that says so.
 */
function settleVerdict(config: Config, strategyName: HealthConfig['strategy'], ranForMs: number | undefined, report: HealthReport): void {
  if (strategyName === 'exit' && ranForMs !== undefined && report.container?.exitCode === 0) {
    report.status = 'healthy';
    report.timeToHealthyMs = ranForMs;
    report.reason = null;
  } else if (report.status === 'unhealthy' && report.startError && report.container?.started === false) {
    report.reason = `the container never started: Docker could not run ${describeProcess(config)}: ${report.startError}`;
  } else if (report.status === 'unhealthy' && report.startError) {
    report.reason = `the container could not start: ${report.startError}`;
  } else if (strategyName === 'exit' && report.status === 'unhealthy' && report.container?.exitCode !== null && report.container?.exitCode !== undefined) {
    report.reason = `the container exited with code ${report.container.exitCode}${report.container.oomKilled ? ' (killed for lack of memory: OOM)' : ''}; wait-for: exit passes only on exit code 0`;
  } else if (report.status === 'unhealthy' && report.container?.exitCode !== null && report.container?.exitCode !== undefined) {
    report.reason = `the container exited with code ${report.container.exitCode}${report.container.oomKilled ? ' (killed for lack of memory: OOM)' : ''} before it became healthy`;
  }
}

/** Why the start command's $VARIABLES stay as written, when it runs as Railway runs it. */
function startCommandHint(config: Config): string | undefined {
  return config.command && config.commandReplaces === 'ENTRYPOINT' ? shellWrapHint(config.command, 'start command') : undefined;
}

const PERMISSION_DENIED = /permission denied|EACCES|PermissionError|unable to open database file|read-only file system/i;

/**
 * Railway mounts a service's volume empty and owned by root, and so does the check: a non-root
 * app that cannot write there fails on Railway too. Said when the app's log shows a refused write.
 */
function volumeHint(config: Config, report: HealthReport): string | undefined {
  const volumes = config.railwayIac?.service.volumes ?? [];
  if (report.status !== 'unhealthy' || volumes.length === 0 || !report.logs.some((l) => PERMISSION_DENIED.test(l))) return undefined;
  const paths = volumes.map((v) => v.mountPath).join(', ');
  return `Railway mounts the volume at ${paths} empty and owned by root, as this check does: an app running as a non-root user cannot write there unless it starts as root, hands the directory over (chown) and then drops privileges`;
}

/** What Docker was asked to run, for the sentence of a container that never started. */
function describeProcess(config: Config): string {
  if (!config.command) return "the image's own command";
  const where = config.commandSource === 'command input' ? 'the command input' : `the start command (${config.commandSource})`;
  return config.commandReplaces === 'ENTRYPOINT' ? `${where}, which replaces the image's ENTRYPOINT as on Railway` : where;
}

/** A started container and what the waits need of it. */
interface Running {
  readonly container: Docker.Container;
  /** When Docker started it (epoch ms). */
  readonly startedAt: number;
  readonly deadline: number;
  readonly exit: Promise<void>;
  readonly cancelled: Promise<void>;
  readonly cancel: AbortSignal | undefined;
  hasExited(): boolean;
  markExited(): void;
}

/** The readiness probe of a strategy that asks from outside (or Docker's own HEALTHCHECK). */
function strategyFor(
  name: HealthConfig['strategy'],
  container: Docker.Container,
  config: Config,
  hostPort: number | undefined,
  startedAt: number,
): WaitStrategy {
  if (name === 'healthcheck') return new HealthcheckWait(container);
  if (!hostPort) throw new Error(`Docker published no host port for container port ${config.port ?? '?'}`);
  if (name === 'http') {
    return new HttpWait(`http://127.0.0.1:${hostPort}${config.health.path ?? '/'}`, config.health.status, config.health.body, {
      host: config.parity.host,
      containerPort: config.port,
      railwayStatus: config.health.statusSource === 'railway',
      startedAt,
    });
  }
  return new TcpWait('127.0.0.1', hostPort);
}

/** `wait-for: exit`: until the container ends, the timeout passes or the run is cancelled; when it ended, how long it ran. */
async function awaitExit(running: Running, config: Config, log: Log, report: HealthReport): Promise<number | undefined> {
  report.target = 'exit code 0';
  log.info(`Waiting up to ${Math.round(config.health.timeoutMs / 1000)}s for the container to run to completion (exit code 0)`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, running.deadline - Date.now()))));
  const outcome = await Promise.race([running.exit.then(() => 'exited' as const), timeout, running.cancelled.then(() => 'cancelled' as const)]);
  // A pending timer would keep the local command alive until the timeout.
  clearTimeout(timer);
  if (outcome === 'cancelled') {
    report.status = 'cancelled';
    report.reason = `cancelled (${String(running.cancel?.reason)}) while the container ran`;
    return undefined;
  }
  if (outcome === 'timeout') {
    report.reason = `still running after ${Math.round(config.health.timeoutMs / 1000)}s; wait-for: exit expects the container to finish with exit code 0 within health-timeout`;
    return undefined;
  }
  return Math.max(0, Date.now() - running.startedAt);
}

/**
 * Probes until ready (then healthy), the container exits, the timeout passes or the run is
 * cancelled; 50 ms, then 250 ms apart, or longer when the strategy's answers ask for it (an
 * answer that does not change, a 429), never past the deadline.
 */
async function probeUntilReady(running: Running, strategy: WaitStrategy, config: Config, report: HealthReport, log: Log): Promise<void> {
  report.target = strategy.target;
  const parityNote =
    config.parity.host && strategy instanceof HttpWait ? ` (Host: ${config.parity.host}, accepted: ${formatStatusRanges(config.health.status)})` : '';
  log.info(`Waiting up to ${Math.round(config.health.timeoutMs / 1000)}s for ${strategy.target}${parityNote}`);
  const waitStarted = Date.now();
  const probing = { fastProbes: 0, fastMs: 0, slowProbes: 0, slowMs: 0 };
  report.probing = probing;
  const tally = (): void => {
    const waited = Date.now() - waitStarted;
    probing.fastMs = Math.min(waited, BACK_OFF_AFTER_MS);
    probing.slowMs = Math.max(0, waited - BACK_OFF_AFTER_MS);
  };
  for (;;) {
    tally();
    if (running.cancel?.aborted) {
      report.status = 'cancelled';
      report.reason = `cancelled (${String(running.cancel.reason)}) while waiting for the container to become healthy`;
      return;
    }
    if (running.hasExited()) {
      report.reason = 'the container exited while deploy-check was waiting for it to become healthy';
      return;
    }
    const remaining = running.deadline - Date.now();
    if (remaining <= 0) {
      report.reason = `not healthy after ${Math.round(config.health.timeoutMs / 1000)}s: ${strategy.lastFailure()}`;
      return;
    }
    report.probes = (report.probes ?? 0) + 1;
    if (Date.now() - waitStarted < BACK_OFF_AFTER_MS) probing.fastProbes++;
    else probing.slowProbes++;
    if (await strategy.probe(remaining)) {
      const readyAt = Date.now();
      // A probe can pass against a container that has just died (Docker's port proxy still
      // accepts connections for a moment after the process exits): healthy means running.
      if (running.hasExited() || !(await running.container.inspect()).State.Running) {
        running.markExited();
        continue;
      }
      report.status = 'healthy';
      report.timeToHealthyMs = Math.max(0, readyAt - running.startedAt);
      tally();
      return;
    }
    const hopeless = strategy.hopeless?.() ?? null;
    if (hopeless !== null) {
      report.reason = hopeless;
      return;
    }
    const pause = Math.max(probeIntervalMs(Date.now() - waitStarted), strategy.pauseMs?.() ?? 0);
    await pauseUnless(Math.min(pause, Math.max(0, running.deadline - Date.now())), running.exit, running.cancelled);
  }
}

/** An image with no CMD and no ENTRYPOINT, and no `command`: Docker has nothing to start. */
export const NOTHING_TO_RUN =
  'the image has nothing to run (no CMD or ENTRYPOINT): set "command" to the process to start, or "wait-for: none" to build, measure and check the image without running it';

/** Resolves when the run is cancelled (never without a signal). */
function cancelPromise(cancel: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!cancel) return;
    if (cancel.aborted) resolve();
    cancel.addEventListener('abort', () => resolve(), { once: true });
  });
}

async function collectEvidence(container: Docker.Container, strategy: WaitStrategy | undefined, report: HealthReport, secondOpinion: boolean): Promise<void> {
  // Both are asked at once: this sits between "healthy" and the end of the run.
  const logs = keptLogLines(container);
  try {
    const info = await container.inspect();
    const started = !info.State.StartedAt.startsWith('0001-');
    report.container = {
      id: container.id,
      running: info.State.Running,
      started,
      exitCode: info.State.Running || !started ? null : info.State.ExitCode,
      oomKilled: info.State.OOMKilled,
    };
    const stateError = (info.State as { Error?: string }).Error;
    if (stateError) report.startError = stateError;
    const health = info.State.Health as { Status?: string; Log?: { ExitCode: number; Output: string; Start: string }[] } | undefined;
    report.healthLog = (health?.Log ?? []).map((l) => ({ exitCode: l.ExitCode, output: l.Output.trim(), start: l.Start }));
    if (secondOpinion && health?.Status) {
      report.imageHealthcheck = { status: health.Status, lastOutput: report.healthLog.at(-1)?.output ?? null };
    }
  } catch {
    // The container is gone already; keep what we have.
  }
  if (strategy instanceof HttpWait) {
    report.lastHttp = { ...strategy.evidence };
    report.httpAnswers = strategy.answers();
  }
  if (strategy instanceof HealthcheckWait && report.healthLog.length === 0) report.healthLog = strategy.log;
  const kept = await logs;
  report.logLines = kept.count;
  report.logs = kept.lines;
}

export function definesHealthcheck(healthcheck: ImageHealthcheck | undefined): boolean {
  return Boolean(healthcheck?.Test?.length && healthcheck.Test[0] !== 'NONE');
}

/**
 * `wait-for: auto` decided from the Dockerfile alone; a HEALTHCHECK the image inherits from its
 * base image only shows in the built image, and it says more than an open port does.
 */
export function strategyForImage(health: Pick<HealthConfig, 'strategy' | 'automatic'>, imageHasHealthcheck: boolean): HealthConfig['strategy'] {
  return health.automatic && health.strategy === 'tcp' && imageHasHealthcheck ? 'healthcheck' : health.strategy;
}

/** Docker reports times with nanoseconds; Date.parse wants at most milliseconds. */
export function parseDockerTime(text: string | undefined): number | undefined {
  if (!text || text.startsWith('0001-')) return undefined;
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(ms) ? undefined : ms;
}

/** Waits `ms`, or less when one of `events` comes first; the timer goes with it (a 16 s pause must not keep the local command alive). */
async function pauseUnless(ms: number, ...events: Promise<void>[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), ...events]);
  clearTimeout(timer);
}
