import type Docker from 'dockerode';
import type { PreDeployConfig } from '../config/config.ts';
import { parseCommand } from '../config/lines.ts';
import type { Log } from '../host/log.ts';
import type { PreDeployCommandReport, PreDeployReport } from '../report/model.ts';
import { containerName } from './labels.ts';
import { allLogLines, compactLogLines } from './logs.ts';
import type { PendingRemovals } from './removals.ts';
import { containerOptions, type RunParams } from './spec.ts';

/** Railway documents no limit beyond "a reasonable amount of time"; a hung migration must not hang the check. */
export const PRE_DEPLOY_TIMEOUT_MS = 10 * 60_000;

/**
 * Railway's pre-deploy step: each command in a one-off container of the image, with the same
 * environment and network as the app, one after the other; the first that fails stops the
 * deployment (docs.railway.com, "Add a Pre-Deploy Command"). Every container is removed: the
 * removal starts once its logs are read and goes on while the next container starts (`removals`).
 */
export async function runPreDeploy(
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
    const result = await runOne(command, `${containerName(params.runId)}-predeploy-${index + 1}`, docker, params, removals, cancel);
    report.commands.push(result.report);
    for (const line of result.report.logs) log.info(`  | ${line}`);
    log.info(`  ${describeResult(result.report)}`);
    if (result.cancelled) {
      report.status = 'cancelled';
      report.reason = `cancelled (${String(cancel?.reason)}) while "${command}" ran`;
      break;
    }
    if (result.report.exitCode !== 0) {
      report.status = 'failed';
      report.reason = `the pre-deploy command "${command}" ${describeResult(result.report)}; Railway would not start the deployment`;
      break;
    }
  }
  report.durationMs = Date.now() - started;
  return report;
}

function describeResult(r: PreDeployCommandReport): string {
  if (r.error !== null) return `could not start: ${r.error}`;
  return `exited with code ${r.exitCode ?? '?'} after ${(r.durationMs / 1000).toFixed(1)}s`;
}

async function runOne(
  command: string,
  name: string,
  docker: Docker,
  params: RunParams,
  removals: PendingRemovals,
  cancel: AbortSignal | undefined,
): Promise<{ report: PreDeployCommandReport; cancelled: boolean }> {
  const report: PreDeployCommandReport = { command, exitCode: null, durationMs: 0, logs: [], error: null };
  const started = Date.now();
  let container: Docker.Container | undefined;
  let cancelled = false;
  try {
    // Exec form, as Railway runs a start command of a Dockerfile service: no shell, no $VARIABLE expansion.
    const cmd = parseCommand('preDeployCommand', command);
    container = await docker.createContainer(containerOptions(params, { name, cmd }));
    await container.start();
    const outcome = await waitForExit(container, cancel);
    report.durationMs = Date.now() - started;
    if (outcome === 'cancelled') cancelled = true;
    else if (outcome === 'timeout') report.error = `still running after ${PRE_DEPLOY_TIMEOUT_MS / 60_000} minutes; stopped`;
    else report.exitCode = outcome.exitCode;
    report.logs = compactLogLines(await allLogLines(container));
  } catch (err) {
    report.durationMs = Date.now() - started;
    report.error = dockerReason(err);
  } finally {
    if (container) removals.removeLater(container);
  }
  return { report, cancelled };
}

async function waitForExit(container: Docker.Container, cancel: AbortSignal | undefined): Promise<{ exitCode: number } | 'cancelled' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      container.wait({ condition: 'not-running' }).then((r: { StatusCode: number }) => ({ exitCode: r.StatusCode })),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), PRE_DEPLOY_TIMEOUT_MS))),
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
