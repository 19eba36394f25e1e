import type Docker from 'dockerode';
import type { Config, HealthConfig } from '../config/config.ts';
import type { Log } from '../host/log.ts';
import type { HealthReport } from '../report/model.ts';
import { containerName, runLabels } from './labels.ts';
import { lastLogLines } from './logs.ts';
import { HealthcheckWait, HttpWait, LogWait, TcpWait, type WaitStrategy } from './wait.ts';

/** How often readiness is probed: readiness is seen within about this long. */
export const POLL_INTERVAL_MS = 50;
/** Docker's own HEALTHCHECK is asked to run this often while the container starts. */
const HEALTHCHECK_START_INTERVAL_NS = 250_000_000;

export interface ImageHealthcheck {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

/**
 * Starts the image and waits until it is healthy, the container exits, or the timeout passes.
 * The container is always removed before this returns; evidence is gathered first.
 */
export async function runAndWait(config: Config, docker: Docker, log: Log): Promise<HealthReport> {
  const image = await docker.getImage(config.image).inspect();
  const imageHealthcheck = (image.Config as { Healthcheck?: ImageHealthcheck }).Healthcheck;
  const hasHealthcheck = definesHealthcheck(imageHealthcheck);
  const strategyName = strategyForImage(config.health, hasHealthcheck);

  const report: HealthReport = {
    status: 'unhealthy',
    strategy: strategyName,
    target: null,
    timeToHealthyMs: null,
    timeoutMs: config.health.timeoutMs,
    reason: null,
    container: null,
    lastHttp: null,
    healthLog: [],
    logs: [],
  };
  if (strategyName === 'healthcheck' && !hasHealthcheck) {
    report.reason = 'wait-for is "healthcheck" but the image defines no HEALTHCHECK';
    return report;
  }

  const port = config.port;
  const hostMode = config.network === 'host';
  const portKey = port !== undefined ? `${port}/tcp` : undefined;
  const container = await docker.createContainer({
    name: containerName(config.runId),
    Image: config.image,
    Labels: runLabels(config.runId),
    Env: config.env.map((e) => `${e.key}=${e.value}`),
    ...(config.command ? { Cmd: [...config.command] } : {}),
    ...(portKey ? { ExposedPorts: { [portKey]: {} } } : {}),
    ...(hasHealthcheck && strategyName === 'healthcheck'
      ? {
          Healthcheck: {
            ...imageHealthcheck,
            // Run the image's own check often while starting, so readiness is seen within a quarter second.
            StartPeriod: Math.max(imageHealthcheck?.StartPeriod ?? 0, config.health.timeoutMs * 1_000_000),
            StartInterval: HEALTHCHECK_START_INTERVAL_NS,
          },
        }
      : {}),
    HostConfig: {
      ...(portKey && !hostMode ? { PortBindings: { [portKey]: [{ HostIp: '127.0.0.1', HostPort: '' }] } } : {}),
      ...(config.network ? { NetworkMode: config.network } : {}),
      ...(config.addHosts.length ? { ExtraHosts: [...config.addHosts] } : {}),
    },
  });
  report.container = { id: container.id, exitCode: null, oomKilled: false, running: false };

  let strategy: WaitStrategy | undefined;
  try {
    await container.start();
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
    const deadline = startedAt + config.health.timeoutMs;

    if (!strategy) {
      if (strategyName === 'healthcheck') strategy = new HealthcheckWait(container);
      else {
        const hostPort = hostMode ? port : Number(info.NetworkSettings.Ports?.[portKey ?? '']?.[0]?.HostPort);
        if (!hostPort) throw new Error(`Docker published no host port for container port ${port ?? '?'}`);
        strategy =
          strategyName === 'http'
            ? new HttpWait(`http://127.0.0.1:${hostPort}${config.health.path ?? '/'}`, config.health.status, config.health.body)
            : new TcpWait('127.0.0.1', hostPort);
      }
    }
    report.target = strategy.target;
    log.info(`Waiting up to ${Math.round(config.health.timeoutMs / 1000)}s for ${strategy.target}`);

    for (;;) {
      if (exited) {
        report.reason = 'the container exited while deploy-check was waiting for it to become healthy';
        break;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        report.reason = `not healthy after ${Math.round(config.health.timeoutMs / 1000)}s: ${strategy.lastFailure()}`;
        break;
      }
      if (await strategy.probe(remaining)) {
        const readyAt = Date.now();
        // A probe can pass against a container that has just died (Docker's port proxy still
        // accepts connections for a moment after the process exits): healthy means running.
        if (exited || !(await container.inspect()).State.Running) {
          exited = true;
          continue;
        }
        report.status = 'healthy';
        report.timeToHealthyMs = Math.max(0, readyAt - startedAt);
        break;
      }
      await Promise.race([delay(POLL_INTERVAL_MS), exit]);
    }
  } catch (err) {
    report.reason = `could not run the container: ${(err as Error).message}`;
  } finally {
    strategy?.close();
    await collectEvidence(container, strategy, report);
    await container.remove({ force: true, v: true }).catch(() => {});
  }
  if (report.status === 'unhealthy' && report.container?.exitCode !== null && report.container?.exitCode !== undefined) {
    report.reason = `the container exited with code ${report.container.exitCode}${report.container.oomKilled ? ' (killed for lack of memory: OOM)' : ''} before it became healthy`;
  }
  return report;
}

async function collectEvidence(container: Docker.Container, strategy: WaitStrategy | undefined, report: HealthReport): Promise<void> {
  // Both are asked at once: this sits between "healthy" and the end of the run.
  const logs = lastLogLines(container, 100);
  try {
    const info = await container.inspect();
    report.container = {
      id: container.id,
      running: info.State.Running,
      exitCode: info.State.Running ? null : info.State.ExitCode,
      oomKilled: info.State.OOMKilled,
    };
    const health = info.State.Health as { Log?: { ExitCode: number; Output: string; Start: string }[] } | undefined;
    report.healthLog = (health?.Log ?? []).map((l) => ({ exitCode: l.ExitCode, output: l.Output.trim(), start: l.Start }));
  } catch {
    // The container is gone already; keep what we have.
  }
  if (strategy instanceof HttpWait) report.lastHttp = { ...strategy.evidence };
  if (strategy instanceof HealthcheckWait && report.healthLog.length === 0) report.healthLog = strategy.log;
  report.logs = await logs;
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

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
