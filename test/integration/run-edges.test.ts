/**
 * Images that do not serve, against the real engine, through the local command and the bundled
 * action: nothing to run (no CMD/ENTRYPOINT), wait-for none, wait-for exit, and a process Docker
 * cannot start. Each gives the full report (build, size, hygiene) and leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, test } from 'vitest';
import type { CheckReport } from '../../src/model/report.ts';
import { runActionSteps } from '../support/action-runner.ts';
import { leftovers } from '../support/docker.ts';
import { REPO_ROOT } from '../support/action-runner.ts';
import { MACHINE_NODE, fixture, removeImage, runIdOf, runLocal, type Report } from '../support/local-runner.ts';

const images: (string | null | undefined)[] = [];
afterAll(() => images.forEach(removeImage));

interface Checked {
  exitCode: number | null;
  report: CheckReport;
  /** The terminal (local) or the job summary (action). */
  text: string;
}

async function viaLocal(name: string, inputs: Record<string, string>): Promise<Checked> {
  const args = Object.entries(inputs).flatMap(([k, v]) => [`--${k}`, v]);
  // The suite removes the images after the file (removal during a twin build trips BuildKit's race);
  // parity.test.ts checks that the local command removes its own tag.
  const run = await runLocal(['--context', fixture(name), ...args], { cwd: fixture(name) });
  assert.ok(run.report, `no report (exit ${run.exitCode}):\n${run.stderr}`);
  const report = run.report as unknown as CheckReport;
  images.push(report.image.ref);
  assert.deepEqual(leftovers(runIdOf(run.report)), { containers: [], networks: [] });
  return { exitCode: run.exitCode, report, text: run.stdout };
}

async function viaAction(name: string, inputs: Record<string, string>): Promise<Checked> {
  const run = await runActionSteps({ inputs: { context: fixture(name), ...inputs }, cwd: fixture(name) });
  assert.ok(run.report, `no report (exit ${run.main.exitCode}):\n${run.main.stdout}\n${run.main.stderr}`);
  const report = run.report as unknown as CheckReport;
  images.push(report.image.ref);
  assert.equal(run.post?.exitCode, 0);
  assert.deepEqual(leftovers(run.state['run-id']), { containers: [], networks: [] });
  assert.match(run.summary, /deploy-check (passed|failed)/);
  return { exitCode: run.main.exitCode, report, text: run.summary };
}

/** Build, size and hygiene ran whatever happened to the container. */
function assertFullReport(report: CheckReport): void {
  assert.equal(report.build.status, 'success', report.build.failure?.message);
  assert.match(report.image.id ?? '', /^sha256:/);
  assert.equal(report.size.status, 'measured');
  assert.equal(report.hygiene.status, 'checked');
}

describe.each([
  { entry: 'local command', check: viaLocal },
  { entry: 'action', check: viaAction },
])('images that do not serve, through the $entry', { concurrent: true }, ({ check }) => {
  test('no CMD and no ENTRYPOINT: one sentence naming command and wait-for: none, exit 1, full report', async () => {
    const { exitCode, report, text } = await check('no-cmd', {});
    assert.equal(exitCode, 1);
    assertFullReport(report);
    assert.equal(report.health.status, 'unhealthy');
    assert.equal(report.health.container, null);
    assert.equal(
      report.health.reason,
      'the image has nothing to run (no CMD or ENTRYPOINT): set "command" to the process to start, or "wait-for: none" to build, measure and check the image without running it',
    );
    assert.match(text, /nothing to run/);
  });

  test('wait-for: none passes without running a container, and the report says so', async () => {
    const { exitCode, report, text } = await check('no-cmd', { 'wait-for': 'none' });
    assert.equal(exitCode, 0, report.reasons.join('\n'));
    assertFullReport(report);
    assert.equal(report.health.status, 'skipped');
    assert.equal(report.health.strategy, 'none');
    assert.equal(report.health.container, null);
    assert.match(report.health.reason ?? '', /^wait-for: none: no container was run/);
    assert.match(text, /no container was run/);
  });

  test('wait-for: exit passes on exit code 0', async () => {
    const { exitCode, report } = await check('job', { 'wait-for': 'exit' });
    assert.equal(exitCode, 0, report.reasons.join('\n'));
    assert.equal(report.health.status, 'healthy');
    assert.equal(report.health.strategy, 'exit');
    assert.equal(report.health.container?.exitCode, 0);
    assert.ok((report.health.timeToHealthyMs ?? -1) >= 0);
    assert.deepEqual(report.health.logs, ['job started', 'processed 3 items']);
  });

  test('wait-for: exit fails on exit code 3, with the logs', async () => {
    const { exitCode, report, text } = await check('job', { 'wait-for': 'exit', env: 'JOB_EXIT=3' });
    assert.equal(exitCode, 1);
    assert.equal(report.health.status, 'unhealthy');
    assert.equal(report.health.container?.exitCode, 3);
    assert.equal(report.health.reason, 'the container exited with code 3; wait-for: exit passes only on exit code 0');
    assert.deepEqual([...report.health.logs].sort(), ['job failed: exit 3', 'job started', 'processed 3 items']);
    assert.match(text, /job failed: exit 3/);
  });

  test("a missing executable shows Docker's own reason", async () => {
    const { exitCode, report, text } = await check('start-error', {});
    assert.equal(exitCode, 1);
    assertFullReport(report);
    assert.match(report.health.startError ?? '', /exec: "\/bin\/sh": stat \/bin\/sh: no such file or directory/);
    assert.match(
      report.health.reason ?? '',
      /^the container never started: Docker could not run the image's own command: .*exec: "\/bin\/sh": stat \/bin\/sh: no such file or directory/,
    );
    assert.doesNotMatch(report.health.reason ?? '', /exited with code/);
    assert.equal(report.health.container?.started, false);
    assert.match(text, /stat \/bin\/sh: no such file or directory/);
    assert.match(text, /never started/);
    // Not "exit code: still running": it never ran.
    assert.doesNotMatch(text, /still running|exited with code unknown/);
  });
});

test('local command: a reader that goes away after the first line (| head -1) ends the run normally: a report, nothing left', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'deploy-check-epipe-'));
  const reportFile = path.join(dir, 'report.json');
  const child = spawn(MACHINE_NODE, [path.join(REPO_ROOT, 'dist/cli.js'), '--context', fixture('healthy'), '--report', reportFile], {
    cwd: fixture('healthy'),
    env: { DEPLOY_CHECK_NODE: process.execPath, ...process.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // As `head -1` does: read the first line, then close both pipes.
  child.stderr.once('data', () => {
    child.stdout.destroy();
    child.stderr.destroy();
  });
  // Before, each failed write reached the last-resort handler, which wrote again: the process spun and never exited.
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    assert.equal(exitCode, 0);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    assert.equal(report.verdict, 'pass');
    images.push(report.image.ref);
    assert.deepEqual(leftovers(runIdOf(report)), { containers: [], networks: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
