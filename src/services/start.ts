import type Docker from 'dockerode';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/config.ts';
import { LABEL_RUN, runLabels } from '../host/labels.ts';
import { lastLogLines } from '../container/logs.ts';
import type { Log } from '../host/log.ts';
import type { ComposeReport, ServiceReport } from '../model/report.ts';
import { composeWarnings, isComposeWarning, runCompose, startCompose, type ComposeProject, type ComposeResult } from '../compose/compose.ts';
import { lastLines, type ComposeConfig } from '../config/compose.ts';
import { appPlacement, buildsCheckedImage, composeOverride, containerNames, dependencyClosure, type AppPlacement, type Dependency } from '../compose/plan.ts';
import { parseContainerStatus, progressOf, type ContainerState, type Progress } from './progress.ts';

/** Dependencies are looked at this often while they start. */
const POLL_MS = 100;
/** A dependency's healthcheck runs this often while it starts (Engine 25+), instead of its `interval`. */
const START_INTERVAL_MS = 250;
const LOG_LINES_FAILED = 100;
const LOG_LINES_READY = 20;
/** A failed dependency's last lines repeated in the run's log. */
const LOG_LINES_IN_LOG = 5;
const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';

export type ServicesConfig = Pick<Config, 'runId' | 'image' | 'context' | 'dockerfile' | 'target' | 'env' | 'health'>;

export interface StartedServices {
  readonly compose: ComposeReport;
  readonly services: ServiceReport[];
  /** Every dependency met its condition: the app may start. */
  readonly ready: boolean;
  readonly placement: AppPlacement;
  /**
   * `down -v`: containers, networks, volumes and built images of the project; harmless to call
   * twice. The project's containers go at once; its networks once `othersGone` settles (the
   * app's container, removed meanwhile, is on them).
   */
  stop(othersGone?: Promise<unknown>): Promise<void>;
}

/**
 * Starts the app service's dependencies (never the app) with `docker compose up` under the run's
 * own project, and waits for each as its `depends_on` condition says, within the health timeout.
 */
// Compose's up, the readiness wait and the clean-up of a failed start share the project's state; one sequence in its order.
// eslint-disable-next-line max-lines-per-function
export async function startServices(
  config: ServicesConfig,
  compose: ComposeConfig,
  deps: { docker: Docker; log: Log; cancel?: AbortSignal | undefined },
): Promise<StartedServices> {
  const { docker, log } = deps;
  const { model, service: app } = compose;
  const closure = dependencyClosure(model, app);
  const full = appPlacement(model, app, config.env);
  announcePlacement(log, full);
  // Without dependencies no project is started, so there is no network to join.
  const placement: AppPlacement = closure.length ? full : { ...full, networks: [] };
  const report: ComposeReport = {
    file: compose.file,
    project: compose.project,
    service: app,
    serviceSource: compose.serviceSource,
    // The app joins the first (the run parameters take one network).
    networks: placement.networks.slice(0, 1).map((n) => n.name),
    droppedMounts: [...full.droppedMounts],
    durationMs: 0,
    failure: null,
    warnings: [],
  };
  const warn = (warnings: readonly string[]): void => keepWarnings(report, warnings, log);
  warn(compose.warnings ?? []);
  if (closure.length === 0) {
    log.info(`Compose: "${app}" has no depends_on; nothing to start`);
    return { compose: report, services: [], ready: true, placement, stop: async () => {} };
  }

  const dir = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-compose-'));
  const checkedServices = closure
    .map((d) => d.name)
    .filter((n) => {
      const s = model.services[n];
      return s !== undefined && buildsCheckedImage(s, config);
    });
  const override = await writeOverride(dir, model, closure, config, checkedServices, docker);
  const source = compose.generated ? await writeGenerated(dir, compose.generated) : compose.file;
  for (const n of containerNames(model, closure)) {
    log.info(
      `Compose: container_name "${n.fixed}" of "${n.service}" is replaced by "${n.name}" for this run, so another run or a running stack cannot collide with it; "${n.fixed}" stays its name on the project's networks`,
    );
  }
  const project: ComposeProject = { project: compose.project, files: [source, override] };
  let stopped: Promise<void> | null = null;
  // down -v semantics through the engine, all at once: containers (with their anonymous
  // volumes), then the project's networks and named volumes and the images Compose built for it.
  const stop = (othersGone?: Promise<unknown>): Promise<void> => {
    stopped ??= (async () => {
      const failed = await removeProject(docker, project.project, config.runId, othersGone);
      if (failed.length) log.warning(`Compose: could not remove ${failed.join(', ')} of project ${project.project}`);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  log.info(`Compose: starting ${closure.map((d) => `${d.name} (${d.condition})`).join(', ')} for "${app}" as project ${project.project}`);
  const toBuild = closure.map((d) => d.name).filter((n) => model.services[n]?.build && !checkedServices.includes(n));
  if (toBuild.length) {
    const built = await runCompose(project, ['build', ...toBuild]);
    warn(composeWarnings(built.stderr));
    if (built.code !== 0) {
      report.failure = `docker compose build ${toBuild.join(' ')} failed: ${composeError(built.stderr)}`;
      const services = closure.map((d) =>
        failedWithout(d, model.services[d.name]?.image ?? null, toBuild.includes(d.name) ? `its build failed: ${composeError(built.stderr)}` : null),
      );
      return { compose: report, services, ready: false, placement, stop };
    }
  }
  const outcome = await upAndWait(project, closure, config.health.timeoutMs, { docker, log, cancel: deps.cancel });
  report.durationMs = outcome.durationMs;
  report.failure = outcome.failure;
  warn(outcome.warnings);
  if (outcome.failure === null) await ensureNetworks(docker, placement, config.runId);
  const services = await evidence(docker, closure, outcome, model, checkedServices, config.image);
  for (const s of services) {
    if (s.status === 'ready') log.info(`Compose: ${s.name} ready after ${s.readyMs ?? 0} ms (${s.condition})`);
    else log.error(`Compose: ${s.name} ${s.status}: ${s.reason ?? ''}${lastWords(s.logs)}`);
  }
  return { compose: report, services, ready: outcome.failure === null, placement, stop };
}

/** Compose's warnings go to the log and the report's compose section, each once however often Compose repeats them. */
function keepWarnings(report: ComposeReport, warnings: readonly string[], log: Log): void {
  for (const warning of warnings) {
    if (report.warnings.includes(warning)) continue;
    report.warnings.push(warning);
    log.warning(`Compose: ${warning}`);
  }
}

/** A failed dependency's last log lines for its log line (the report keeps 100). */
function lastWords(logs: readonly string[]): string {
  const lines = logs
    .filter((l) => l.trim())
    .slice(-LOG_LINES_IN_LOG)
    .map((l) => l.trim().slice(0, 200));
  return lines.length ? `; its last log lines: ${lines.join(' | ')}` : '';
}

function announcePlacement(log: Log, placement: AppPlacement): void {
  const app = placement.service;
  for (const mount of placement.droppedMounts) {
    log.info(`Compose: the bind mount ${mount} of "${app}" is left out: it would hide the image under check`);
  }
  for (const sentence of placement.ignored) log.info(`Compose: of "${app}", ${sentence}`);
  const [primary, ...others] = placement.networks;
  if (primary && others.length) {
    log.info(`Compose: "${app}" is on ${placement.networks.map((n) => n.name).join(', ')}; the app joins ${primary.name}, its first`);
  }
}

/** deploy-check's Compose file next to the user's (see composeOverride); returns its path. */
async function writeOverride(
  dir: string,
  model: ComposeConfig['model'],
  closure: readonly Dependency[],
  config: ServicesConfig,
  checkedServices: readonly string[],
  docker: Docker,
): Promise<string> {
  const file = path.join(dir, 'deploy-check.override.json');
  const override = composeOverride(model, closure, {
    labels: runLabels(config.runId),
    checkedImage: { ref: config.image, services: checkedServices },
    startIntervalMs: (await supportsStartInterval(docker)) ? START_INTERVAL_MS : null,
    startPeriodMs: config.health.timeoutMs,
  });
  await writeFile(file, JSON.stringify(override, null, 2));
  return file;
}

async function writeGenerated(dir: string, document: Readonly<Record<string, unknown>>): Promise<string> {
  const file = path.join(dir, 'railway.compose.json');
  await writeFile(file, JSON.stringify(document, null, 2));
  return file;
}

interface WaitOutcome {
  readonly progress: Map<string, Progress>;
  readonly readyMs: Map<string, number>;
  readonly containers: Map<string, ContainerState>;
  readonly failure: string | null;
  readonly durationMs: number;
  /** Compose's warnings while it started them. */
  readonly warnings: readonly string[];
}

// The wait's loop over the dependencies' progress, with its cancel and timeout branches beside it.
// eslint-disable-next-line max-lines-per-function
async function upAndWait(
  project: ComposeProject,
  closure: readonly Dependency[],
  timeoutMs: number,
  deps: { docker: Docker; log: Log; cancel?: AbortSignal | undefined },
): Promise<WaitOutcome> {
  const { docker, log, cancel } = deps;
  const started = Date.now();
  const deadline = started + timeoutMs;
  const up = startCompose(project, ['up', '--detach', ...closure.map((d) => d.name)]);
  const upState: { result: ComposeResult | null } = { result: null };
  void up.done.then((r) => (upState.result = r));
  const readyMs = new Map<string, number>();
  const progress = new Map<string, Progress>();
  let containers = new Map<string, ContainerState>();
  let failure: string | null = null;
  let announced = false;
  for (;;) {
    const finished = upState.result;
    containers = await listProject(docker, project.project, started);
    for (const dep of closure) {
      const p = progressOf(dep.condition, containers.get(dep.name));
      progress.set(dep.name, p);
      if (p.kind === 'ready' && !readyMs.has(dep.name)) readyMs.set(dep.name, Date.now() - started);
    }
    const pending = closure.filter((d) => progress.get(d.name)?.kind === 'pending');
    if (!announced && pending.length && closure.some((d) => containers.has(d.name))) {
      announced = true;
      log.info(
        `Compose: waiting up to ${Math.round(timeoutMs / 1000)}s for ${pending.map((d) => `${d.name} (${waitingOn(progress.get(d.name))})`).join(', ')}`,
      );
    }
    const bad = closure.find((d) => progress.get(d.name)?.kind === 'failed' || progress.get(d.name)?.kind === 'exited');
    if (bad) {
      failure = `${bad.name}: ${reasonOf(progress.get(bad.name))}`;
      break;
    }
    if (closure.every((d) => progress.get(d.name)?.kind === 'ready')) break;
    if (finished && finished.code !== 0) {
      const error = composeError(finished.stderr);
      failure = `docker compose up failed: ${error}`;
      // A container Compose created but could not start (no such executable, a port taken) failed with Compose's error.
      for (const d of closure) {
        if (progress.get(d.name)?.kind === 'pending' && containers.get(d.name)?.state === 'created')
          progress.set(d.name, { kind: 'failed', reason: `it could not be started: ${error}` });
      }
      break;
    }
    if (cancel?.aborted) {
      failure = `cancelled (${String(cancel.reason)}) while waiting for ${closure
        .filter((d) => progress.get(d.name)?.kind === 'pending')
        .map((d) => d.name)
        .join(', ')}`;
      break;
    }
    if (Date.now() >= deadline) {
      const waiting = closure.filter((d) => progress.get(d.name)?.kind === 'pending');
      failure = `not ready after ${Math.round(timeoutMs / 1000)}s: ${waiting.map((d) => `${d.name} (waiting for ${waitingOn(progress.get(d.name))})`).join(', ')}`;
      for (const d of waiting) {
        if (containers.has(d.name))
          progress.set(d.name, { kind: 'failed', reason: `not ready after ${Math.round(timeoutMs / 1000)}s: waiting for ${waitingOn(progress.get(d.name))}` });
      }
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const durationMs = Date.now() - started;
  // Compose may still wait for a dependency it will never see healthy; the project goes down next.
  up.stop();
  const result = await up.done;
  if (result.stderr.trim()) log.debug(`docker compose up: ${lastLines(result.stderr, 10)}`);
  return { progress, readyMs, containers, failure, durationMs, warnings: composeWarnings(result.stderr) };
}

/** Compose's error lines without its progress lines (" Container x  Started"). */
export function composeError(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(Container|Network|Volume|Image)\s/.test(l) && !isComposeWarning(l));
  return lines.slice(-3).join(' | ') || lastLines(stderr, 3);
}

function reasonOf(p: Progress | undefined): string {
  return p && (p.kind === 'failed' || p.kind === 'exited') ? p.reason : 'not ready';
}

function waitingOn(p: Progress | undefined): string {
  return p?.kind === 'pending' ? p.waitingOn : 'its container';
}

async function listProject(docker: Docker, project: string, sinceMs: number): Promise<Map<string, ContainerState>> {
  const list = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${COMPOSE_PROJECT_LABEL}=${project}`] }) });
  const out = new Map<string, ContainerState>();
  await Promise.all(
    list.map(async (c) => {
      const service = c.Labels[COMPOSE_SERVICE_LABEL];
      if (service && c.Labels['com.docker.compose.oneoff'] !== 'True')
        out.set(service, await withRestarts(docker, parseContainerStatus(c.Id, c.State, c.Status), sinceMs));
    }),
  );
  return out;
}

/**
 * The state as inspect gives it, with the restart count and policy the list leaves out: a
 * crash-looping container spends most of its time "restarting" and may be "running" when listed.
 */
async function withRestarts(docker: Docker, listed: ContainerState, sinceMs: number): Promise<ContainerState> {
  const info = await docker
    .getContainer(listed.id)
    .inspect()
    .catch(() => null);
  if (!info) return listed;
  const state = info.State.Status;
  const health = info.State.Health?.Status;
  const restarts = info.RestartCount;
  // A restarted container that runs again reports exit code 0: its last exit is in the engine's events.
  const exitCode =
    state === 'exited' || state === 'dead' || state === 'restarting'
      ? info.State.ExitCode
      : restarts > 0
        ? await lastExitCode(docker, listed.id, sinceMs)
        : null;
  return {
    id: listed.id,
    state,
    exitCode,
    restarts,
    restartPolicy: info.HostConfig.RestartPolicy?.Name || undefined,
    health: health === 'healthy' || health === 'unhealthy' || health === 'starting' ? health : null,
  };
}

/** The exit code of the container's last `die` event since the run started it; null when the engine has none. */
async function lastExitCode(docker: Docker, id: string, sinceMs: number): Promise<number | null> {
  try {
    // With `until` the engine sends the events so far and ends the stream.
    const stream = await docker.getEvents({
      since: Math.floor(sinceMs / 1000),
      until: Number((Date.now() / 1000).toFixed(3)),
      filters: { type: ['container'], container: [id], event: ['die'] },
    });
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    const codes = text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => (JSON.parse(l) as { Actor?: { Attributes?: Record<string, string> } }).Actor?.Attributes?.['exitCode']);
    const last = codes.at(-1);
    return last !== undefined && /^-?\d+$/.test(last) ? Number(last) : null;
  } catch {
    return null;
  }
}

/** Each dependency's section: status, timing, image, health checks and logs. */
async function evidence(
  docker: Docker,
  closure: readonly Dependency[],
  outcome: WaitOutcome,
  model: ComposeConfig['model'],
  checked: readonly string[],
  checkedImage: string,
): Promise<ServiceReport[]> {
  return Promise.all(
    closure.map(async (dep): Promise<ServiceReport> => {
      const state = outcome.containers.get(dep.name);
      const p = outcome.progress.get(dep.name);
      const base = failedWithout(dep, checked.includes(dep.name) ? checkedImage : (model.services[dep.name]?.image ?? null), null);
      if (!state) return { ...base, reason: outcome.failure ? 'not started: Compose stopped before it (see the failed service)' : 'not started' };
      const container = docker.getContainer(state.id);
      const ready = p?.kind === 'ready';
      const [info, logs] = await Promise.all([container.inspect().catch(() => null), lastLogLines(container, ready ? LOG_LINES_READY : LOG_LINES_FAILED)]);
      const health = (info?.State as { Health?: { Log?: { Output: string }[] } } | undefined)?.Health;
      return {
        ...base,
        image: base.image ?? info?.Config.Image ?? null,
        status: ready ? 'ready' : p?.kind === 'exited' ? 'exited' : p?.kind === 'pending' ? 'skipped' : 'failed',
        readyMs: outcome.readyMs.get(dep.name) ?? null,
        reason: ready
          ? null
          : p?.kind === 'pending'
            ? `stopped waiting for ${p.waitingOn}: ${outcome.failure?.startsWith('cancelled') ? 'the run was cancelled' : 'another service failed'}`
            : reasonOf(p),
        exitCode: state.exitCode,
        restarts: state.restarts ?? info?.RestartCount ?? null,
        healthLog: (health?.Log ?? []).slice(-3).map((l) => l.Output.trim()),
        logs,
      };
    }),
  );
}

function failedWithout(dep: Dependency, image: string | null, reason: string | null): ServiceReport {
  return {
    name: dep.name,
    image,
    condition: dep.condition,
    status: reason ? 'failed' : 'skipped',
    readyMs: null,
    reason,
    exitCode: null,
    restarts: null,
    healthLog: [],
    logs: [],
  };
}

/** `start_interval` needs Engine 25 (API 1.44); older engines keep the healthcheck as written. */
async function supportsStartInterval(docker: Docker): Promise<boolean> {
  try {
    const [major = 0, minor = 0] = (await docker.version()).ApiVersion.split('.').map(Number);
    return major > 1 || (major === 1 && minor >= 44);
  } catch {
    return false;
  }
}

/** Compose creates only the networks its started services use; the app may be on others too. */
async function ensureNetworks(docker: Docker, placement: AppPlacement, runId: string): Promise<void> {
  for (const network of placement.networks) {
    if (network.external) continue;
    const exists = await docker
      .getNetwork(network.name)
      .inspect()
      .then(
        () => true,
        () => false,
      );
    if (!exists) await docker.createNetwork({ Name: network.name, Labels: runLabels(runId) });
  }
}

/** Removes a project's containers, networks, volumes and built images; returns what could not be removed. */
async function removeProject(docker: Docker, project: string, runId: string, othersGone?: Promise<unknown>): Promise<string[]> {
  const byProject = JSON.stringify({ label: [`${COMPOSE_PROJECT_LABEL}=${project}`] });
  const byRun = JSON.stringify({ label: [`${LABEL_RUN}=${runId}`] });
  const failed: string[] = [];
  const attempt = (what: string, op: Promise<unknown>): Promise<void> =>
    op.then(
      () => undefined,
      (err: unknown) => {
        if (!/no such|not found|404/i.test((err as Error).message)) failed.push(what);
      },
    );
  const containers = await docker.listContainers({ all: true, filters: byProject }).catch(() => []);
  await Promise.all(containers.map((c) => attempt(`container ${c.Names[0] ?? c.Id}`, docker.getContainer(c.Id).remove({ force: true, v: true }))));
  // A network goes only once no container is on it.
  await othersGone?.catch(() => undefined);
  const [networks, volumes, images] = await Promise.all([
    docker.listNetworks({ filters: byRun }).catch(() => []),
    // The engine answers `Volumes: null` when there are none, whatever the types say.
    docker.listVolumes({ filters: byProject }).then(
      (r) => (r.Volumes as typeof r.Volumes | null) ?? [],
      () => [],
    ),
    docker.listImages({ filters: byRun }).catch(() => []),
  ]);
  await Promise.all([
    ...networks.map((n) => attempt(`network ${n.Name}`, docker.getNetwork(n.Id).remove())),
    ...volumes.map((v) => attempt(`volume ${v.Name}`, docker.getVolume(v.Name).remove())),
    ...images.flatMap((i) => (i.RepoTags?.length ? i.RepoTags : [i.Id]).map((ref) => attempt(`image ${ref}`, docker.getImage(ref).remove({ force: true })))),
  ]);
  return failed;
}
