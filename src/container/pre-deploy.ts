import type Docker from 'dockerode';
import type { PreDeployConfig } from '../config/config.ts';
import { splitCommandWords } from '../inputs/lines.ts';
import type { Log } from '../host/log.ts';
import type { PreDeployCommandReport, PreDeployReport } from '../model/report.ts';
import { shellWrapHint } from './exec-form.ts';
import { containerName } from '../host/labels.ts';
import { keptLogLines } from './logs.ts';
import type { PendingRemovals } from './removals.ts';
import { containerOptions, type RunParams } from './spec.ts';

/** How many of a still-running command's last lines its failure sentence quotes. */
const LAST_LINES_QUOTED = 3;

/**
 * Railway's pre-deploy step: each command in a one-off container of the image, in place of its
 * ENTRYPOINT (exec form, as a start command), with the same environment and network as the app,
 * one after the other; the first that fails stops the deployment (docs.railway.com, "Add a
 * Pre-Deploy Command"). Railway documents no limit beyond "a reasonable amount of time": a command
 * still running after `preDeploy.timeoutMs` (the health timeout) is stopped and fails, so a hung
 * migration (or an entrypoint that serves) cannot hang the check. Every container is removed:
 * the removal starts once its logs are read and goes on while the next container starts (`removals`).
 */
export async function preDeployStage(
  preDeploy: PreDeployConfig,
  docker: Docker,
  log: Log,
  params: RunParams,
  removals: PendingRemovals,
  cancel?: AbortSignal,
): Promise<PreDeployReport> {
  const started = Date.now();
  const report: PreDeployReport = { status: 'passed', source: preDeploy.source, reason: null, durationMs: 0, commands: [] };
  for (const [index, command] of preDeploy.commands.entries()) {
    if (cancel?.aborted) {
      report.status = 'cancelled';
      report.reason = `cancelled (${String(cancel.reason)}) before "${command}" ran`;
      break;
    }
    log.info(`$ ${command}`);
    const argv = splitCommandWords('preDeployCommand', command);
    const hint = shellWrapHint(argv, 'pre-deploy command');
    if (hint) log.warning(`${hint.charAt(0).toUpperCase()}${hint.slice(1)}`);
    const name = `${containerName(params.runId)}-predeploy-${index + 1}`;
    const result = await runOne({ command, argv, name, timeoutMs: preDeploy.timeoutMs }, docker, params, removals, cancel);
    report.commands.push(result.report);
    for (const line of result.report.logs) log.info(`  | ${line}`);
    log.info(`  ${describeResult(result.report)}`);
    if (result.cancelled) {
      report.status = 'cancelled';
      report.reason = `cancelled (${String(cancel?.reason)}) while "${command}" ran`;
      break;
    }
    if (result.report.stillRunningAfterMs) {
      report.status = 'failed';
      report.reason = stillRunningSentence(result.report, result.lastLines);
      break;
    }
    if (result.report.exitCode !== 0) {
      report.status = 'failed';
      report.reason = `the pre-deploy command "${command}" ${describeResult(result.report)}; Railway would not start the deployment${hint ? `; ${hint}` : ''}`;
      break;
    }
  }
  report.durationMs = Date.now() - started;
  return report;
}

function describeResult(r: PreDeployCommandReport): string {
  if (r.stillRunningAfterMs) return `was still running after ${formatSeconds(r.stillRunningAfterMs)} (the health timeout); stopped`;
  if (r.error !== null) return `never started: ${r.error}`;
  return `exited with code ${r.exitCode ?? '?'} after ${formatSeconds(r.durationMs)}`;
}

/** One sentence: the command is still running, the bound it met, what it printed last. */
function stillRunningSentence(r: PreDeployCommandReport, lastLines: readonly string[]): string {
  const printed = lastLines.length ? `its last output: ${lastLines.map((l) => JSON.stringify(l)).join(', ')}` : 'it printed nothing';
  return (
    `the pre-deploy command "${r.command}" was still running after ${formatSeconds(r.stillRunningAfterMs ?? 0)} (the health timeout) and was stopped ` +
    `(Railway starts the deployment only once it exits); ${printed}`
  );
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

interface OneCommand {
  readonly command: string;
  /** The command's words: they replace the image's ENTRYPOINT and CMD. */
  readonly argv: readonly string[];
  readonly name: string;
  readonly timeoutMs: number;
}

async function runOne(
  one: OneCommand,
  docker: Docker,
  params: RunParams,
  removals: PendingRemovals,
  cancel: AbortSignal | undefined,
): Promise<{ report: PreDeployCommandReport; cancelled: boolean; lastLines: string[] }> {
  const report: PreDeployCommandReport = { command: one.command, exitCode: null, durationMs: 0, logs: [], error: null };
  const started = Date.now();
  let container: Docker.Container | undefined;
  let cancelled = false;
  let stillRunning = false;
  let last: string[] = [];
  try {
    // Exec form in place of the ENTRYPOINT, as Railway runs it: no shell, no $VARIABLE expansion,
    // and an image whose ENTRYPOINT script starts the server runs the migration, not the server.
    container = await docker.createContainer(containerOptions(params, { name: one.name, cmd: one.argv, replacesEntrypoint: true }));
    await container.start();
    const outcome = await waitForExit(container, one.timeoutMs, cancel);
    report.durationMs = Date.now() - started;
    if (outcome === 'cancelled') cancelled = true;
    else if (outcome === 'timeout') {
      stillRunning = true;
      report.stillRunningAfterMs = one.timeoutMs;
    } else {
      report.exitCode = outcome.exitCode;
    }
    const kept = await keptLogLines(container);
    report.logs = kept.lines;
    last = kept.last;
  } catch (err) {
    report.durationMs = Date.now() - started;
    report.error = dockerReason(err);
  } finally {
    // A command still running is stopped now rather than with the next start: nothing follows it.
    if (container && stillRunning) removals.remove(container);
    else if (container) removals.removeLater(container);
  }
  return { report, cancelled, lastLines: last.slice(-LAST_LINES_QUOTED) };
}

async function waitForExit(
  container: Docker.Container,
  timeoutMs: number,
  cancel: AbortSignal | undefined,
): Promise<{ exitCode: number } | 'cancelled' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      container.wait({ condition: 'not-running' }).then((r: { StatusCode: number }) => ({ exitCode: r.StatusCode })),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
      new Promise<'cancelled'>((resolve) => {
        if (!cancel) return;
        if (cancel.aborted) resolve('cancelled');
        onAbort = () => resolve('cancelled');
        cancel.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) cancel?.removeEventListener('abort', onAbort);
  }
}

/** The engine's own sentence ("(HTTP code 400) bad parameter - ..." becomes its message part). */
export function dockerReason(err: unknown): string {
  const e = err as { json?: { message?: unknown }; message?: unknown };
  const message = typeof e.json?.message === 'string' ? e.json.message : String(e.message ?? err);
  return message.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').trim();
}
