import { spawn } from 'node:child_process';
import { dockerCommand } from '../host/docker.ts';
import { StringDecoder } from 'node:string_decoder';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config/config.ts';
import type { Log } from '../host/log.ts';
import type { BuildReport, BuildStep } from '../model/report.ts';
import { cacheReportOff } from '../model/skipped.ts';
import { planBuild, type CachePlan } from './plan.ts';
import { buildErrorText, failureSource, parseSourceExcerpt, stepErrorText } from './failure.ts';
import { BuildProgress, inDockerfileOrder, isCancelled, vertexDurationMs, type Vertex } from './progress.ts';

export interface BuildOutcome {
  readonly report: BuildReport;
  /** Image config digest from buildx's metadata file, when the build succeeded. */
  readonly metadata: Record<string, unknown>;
  /** buildx's error as it printed it, to recognise BuildKit's own transient errors. */
  readonly rawError?: string;
}

/** Runs `docker buildx build` as an argument array (no shell), following its rawjson progress. */
export async function buildStage(config: Config, log: Log, cache: CachePlan = { from: undefined, to: undefined }, cancel?: AbortSignal): Promise<BuildOutcome> {
  let outcome = await buildOnce(config, log, cache, cancel);
  let spentMs = outcome.report.durationMs;
  // BuildKit on the containerd image store can lose a snapshot when builds run side by side
  // (moby/buildkit#6521, #6977): the same build passes when run again. On a busy engine the
  // race comes in bursts, so each new attempt waits a little longer first.
  for (let attempt = 2; attempt <= TRANSIENT_ATTEMPTS; attempt++) {
    const message = outcome.report.failure?.message ?? '';
    if (outcome.report.status === 'success' || cancel?.aborted || !isTransientEngineError(outcome.rawError ?? message)) break;
    const pauseMs = (attempt - 1) * TRANSIENT_PAUSE_MS;
    log.warning(`The build hit a transient BuildKit error (${message}); building again in ${pauseMs / 1000}s (attempt ${attempt} of ${TRANSIENT_ATTEMPTS}).`);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    outcome = await buildOnce(config, log, cache, cancel);
    spentMs += pauseMs + outcome.report.durationMs;
    outcome.report.durationMs = spentMs;
    outcome.report.attempts = attempt;
  }
  return outcome;
}

const TRANSIENT_ATTEMPTS = 3;
const TRANSIENT_PAUSE_MS = 1000;

/**
 * "failed to solve: not found" and missing snapshots: BuildKit's own races, not the Dockerfile's
 * fault. So is `image "…": already exists`: two builds exporting the same tag at one moment
 * collide on the containerd image store (docker/buildx#3576); the later one passes when run again.
 */
export function isTransientEngineError(message: string): boolean {
  return /failed to solve: (?:[^:]*: )?not found$|failed: not found$|snapshot [^ ]+ does not exist: not found|failed to prepare extraction snapshot|lease "[^"]+": not found|image "[^"]+": already exists/.test(
    message.trim(),
  );
}

async function buildOnce(config: Config, log: Log, cache: CachePlan, cancel: AbortSignal | undefined): Promise<BuildOutcome> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-build-'));
  const metadataFile = path.join(work, 'metadata.json');
  const plan = planBuild(config, metadataFile, cache);
  const progress = new BuildProgress((v) => {
    // As buildx prints them: CANCELED is a step BuildKit stopped or found it did not need.
    if (isStep(v))
      log.info(`${v.cached ? 'CACHED ' : isCancelled(v) ? 'CANCELED ' : ''}${v.name}${v.cached ? '' : ` (${formatSeconds(vertexDurationMs(v))})`}`);
  });
  const started = Date.now();
  // A multi-byte character may be split across chunks.
  const decoder = new StringDecoder('utf8');
  let exitCode: number;
  let stderrTail = '';
  let metadata: Record<string, unknown>;
  try {
    try {
      exitCode = await runBuildx(plan.args, { ...stringEnv(process.env), ...plan.env }, cancel, (chunk) => {
        const text = decoder.write(chunk);
        progress.write(text);
        stderrTail = (stderrTail + text).slice(-8000);
      });
    } catch (err) {
      const message = `could not run docker buildx: ${(err as Error).message}`;
      return { report: failedReport(Date.now() - started, config, null, message, []), metadata: {} };
    }
    metadata = await readMetadata(metadataFile);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  progress.end();
  const durationMs = Date.now() - started;

  const list = stepList(
    progress.steps(),
    config.dockerfileFacts.stages.map((st) => st.name),
    exitCode === 0,
  );
  const steps = { total: list.length, cached: list.filter((s) => s.cached).length, list };
  if (exitCode === 0) {
    return {
      report: { status: 'success', durationMs, steps, cache: cacheReportOff(null), builder: config.builder ?? null, failure: null },
      metadata,
    };
  }
  const failed = progress.failed();
  const errorLines = progress.otherLines.filter((l) => !l.startsWith('{'));
  const excerpt = parseSourceExcerpt(errorLines);
  const lastLine = errorLines.at(-1) ?? (stderrTail.trim().split('\n').at(-1) || `docker buildx exited with code ${exitCode}`);
  const message = failed ? `step ${failed.name} failed: ${stepErrorText(failed.error ?? 'unknown error')}` : buildErrorText(lastLine);
  const rawError = failed ? message : lastLine;
  // The excerpt is reported as the failure's source, with the file's own lines: not twice.
  const otherLogs = excerpt ? [...errorLines.slice(0, excerpt.from), ...errorLines.slice(excerpt.to + 1)] : errorLines;
  const logs = (failed?.logs.length ? failed.logs : otherLogs).slice(-50);
  const report = failedReport(durationMs, config, failed?.name ?? null, message, logs);
  if (report.failure && excerpt) {
    const source = failureSource(excerpt, config.dockerfile, await readText(config.dockerfile));
    report.failure.source = { ...source, lines: [...source.lines] };
  }
  report.steps = steps;
  return { report, metadata, rawError };
}

/** How long buildx has to leave after SIGINT before it is killed: well inside the run's cancel grace. */
const BUILDX_STOP_MS = 3000;

/**
 * Runs `docker <args>` (no shell) and resolves with its exit code. A cancelled run sends buildx
 * SIGINT, as a terminal's Ctrl-C does to the whole process group: buildx cancels the build and
 * exits, so a signal to deploy-check's process alone stops the build too.
 */
function runBuildx(args: readonly string[], env: Record<string, string>, cancel: AbortSignal | undefined, stderr: (chunk: Buffer) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    if (cancel?.aborted) {
      reject(new Error(`the run was cancelled (${String(cancel.reason)}) before the build started`));
      return;
    }
    // Its own process group: the docker CLI (when buildx is not run directly) runs buildx as a plugin process, and a signal must
    // reach both (killing the CLI alone leaves the plugin holding the pipe, so 'close' never comes).
    const command = dockerCommand(args, env);
    const child = spawn(command.file, command.args, { env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const signalGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    // buildx can sit on a SIGINT that comes while it opens its session (seen: over 10 s on a
    // loaded engine); the client is killed if it has not left by then (BuildKit drops the
    // build with the session).
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      signalGroup('SIGINT');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), BUILDX_STOP_MS).unref();
    };
    // Outside deploy-check's group, a build must not outlive a run that leaves early.
    const killOnExit = (): void => signalGroup('SIGKILL');
    process.once('exit', killOnExit);
    const done = (): void => {
      clearTimeout(killTimer);
      cancel?.removeEventListener('abort', stop);
      process.removeListener('exit', killOnExit);
    };
    cancel?.addEventListener('abort', stop, { once: true });
    child.stderr.on('data', stderr);
    child.on('error', (err) => {
      done();
      reject(err);
    });
    child.on('close', (code) => {
      done();
      // Ended by a signal: no code.
      resolve(code ?? 1);
    });
  });
}

/** buildx's metadata file; none when the build failed. */
async function readMetadata(file: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * The report's steps, in the Dockerfile's order. In a build that succeeded, a step BuildKit
 * cancelled did no work because its result was not needed (a later step came from the cache,
 * as on an exact layer-cache hit): it counts as cached. In a failed build it was stopped.
 */
export function stepList(steps: readonly Vertex[], stageNames: readonly (string | undefined)[], succeeded: boolean): BuildStep[] {
  return inDockerfileOrder(steps, stageNames).map((v) => {
    const skipped = succeeded && isCancelled(v);
    return { name: v.name, cached: v.cached || skipped, durationMs: vertexDurationMs(v), error: skipped ? null : (v.error ?? null) };
  });
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

function failedReport(durationMs: number, config: Config, step: string | null, message: string, logs: string[]): BuildReport {
  return {
    status: 'failure',
    durationMs,
    steps: { total: 0, cached: 0, list: [] },
    cache: cacheReportOff(null),
    builder: config.builder ?? null,
    failure: { step, message, logs },
  };
}

function isStep(v: Vertex): boolean {
  return /^\[[^\]]*\d+\/\d+\]/.test(v.name);
}

function formatSeconds(ms: number | null): string {
  return ms === null ? '?' : `${(ms / 1000).toFixed(1)}s`;
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
