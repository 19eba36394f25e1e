/**
 * Cancellation: a run interrupted while it waits for the container leaves nothing behind,
 * whether it is the action (main step killed with SIGINT, then the post step, as a runner does
 * when a job is cancelled) or the local command (Ctrl-C).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, test } from 'vitest';
import { runActionSteps } from '../support/action-runner.ts';
import { dockerCli, leftovers } from '../support/docker.ts';
import { fixture, removeImage, runLocal, uniqueImage } from '../support/local-runner.ts';

const images: string[] = [];
afterAll(() => images.forEach(removeImage));

/** Containers of an image, running or not. */
function containersOf(image: string): string[] {
  return dockerCli(['ps', '-aq', '--filter', `ancestor=${image}`])
    .split('\n')
    .filter(Boolean);
}

describe('cancellation', { concurrent: true }, () => {
  test('action: main step killed with SIGINT mid-wait, then the post step: nothing left', async () => {
    const image = uniqueImage('cancel-action');
    images.push(image);
    const run = await runActionSteps({
      inputs: { context: fixture('never-healthy'), image, 'health-timeout': '120' },
      cwd: fixture('never-healthy'),
      killWhen: /Waiting up to 120s for TCP/,
    });
    // The main step stops the run itself, reports it cancelled and removes the container.
    assert.equal(run.main.exitCode, 1, `main ended with ${run.main.signal ?? run.main.exitCode}:\n${run.main.stdout}`);
    assert.match(run.main.stdout, /SIGINT: cancelling the run/);
    const runId = run.state['run-id'];
    assert.ok(runId, 'main saved its run id before starting work');
    assert.equal(run.post?.exitCode, 0, run.post?.stdout);
    assert.deepEqual(leftovers(runId), { containers: [], networks: [] });
    assert.deepEqual(containersOf(image), []);
  });

  test('action: killed during the build, the post step finds nothing to remove and succeeds', async () => {
    const image = uniqueImage('cancel-build');
    images.push(image);
    const run = await runActionSteps({
      inputs: { context: fixture('never-healthy'), image },
      cwd: fixture('never-healthy'),
      killWhen: /::group::Build/,
    });
    // The build finishes, then the run stops: cancelled, failed.
    assert.equal(run.main.exitCode, 1, run.main.stdout);
    assert.equal(run.post?.exitCode, 0);
    assert.deepEqual(leftovers(run.state['run-id']), { containers: [], networks: [] });
  });

  test('local command: SIGINT mid-wait removes the container and exits 130', async () => {
    const image = uniqueImage('cancel-local');
    images.push(image);
    let seenRunning: string[] = [];
    const run = await runLocal(['--context', fixture('never-healthy'), '--image', image, '--health-timeout', '120'], {
      cwd: fixture('never-healthy'),
      interruptWhen: /Waiting up to 120s/,
      onBeforeInterrupt: () => {
        seenRunning = containersOf(image);
      },
    });
    assert.match(run.stderr, /Waiting up to 120s/, `the run never reached the wait (exit ${run.exitCode}):\n${run.stderr}`);
    assert.equal(seenRunning.length, 1, 'the container was running when the interrupt came');
    assert.equal(run.exitCode, 130, run.stderr);
    assert.match(run.stderr, /SIGINT: removing this run's containers/);
    assert.deepEqual(containersOf(image), []);
  });

  test('local command: a run that does not stop within the grace period after SIGINT is reported "cancelled" from what is known, cleaned up and left with 130', async () => {
    const image = uniqueImage('cancel-slow');
    images.push(image);
    const run = await runLocal(['--context', fixture('never-healthy'), '--image', image, '--health-timeout', '120'], {
      cwd: fixture('never-healthy'),
      interruptWhen: /Waiting up to 120s/,
      // The signal does not reach the stages: the run goes on waiting, as a stage that ignores its cancel would.
      env: { DEPLOY_CHECK_TEST_SLOW_STOP: '1' },
    });
    assert.match(run.stderr, /SIGINT: removing this run's containers/, `the run was never interrupted (exit ${run.exitCode}):\n${run.stderr}`);
    assert.equal(run.exitCode, 130, run.stderr);
    const report = run.report;
    assert.ok(report, `no report file:\n${run.stderr}`);
    assert.equal(report.cancelled?.signal, 'SIGINT');
    assert.match(report.cancelled.stage, /did not stop within 10 s/);
    assert.equal(report.verdict, 'fail');
    assert.match(report.reasons[0] ?? '', /^Cancelled: the run was stopped \(SIGINT\)/);
    assert.match(run.stdout, /Cancelled/, 'the terminal report was printed too');
    assert.deepEqual(containersOf(image), []);
  });
});

/** The pid and metadata file of the `docker buildx build` whose arguments hold `marker`, once it runs (waits up to 60 s). */
function waitForBuildx(marker: string): { pid: number; metadataFile: string } {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 600; i++) {
    const found = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
      .split('\n')
      .find((line) => line.includes('buildx build') && line.includes(marker));
    const metadataFile = found?.match(/--metadata-file (\S+)/)?.[1];
    if (found && metadataFile) return { pid: Number(found.trim().split(/\s+/)[0]), metadataFile };
    Atomics.wait(pause, 0, 0, 100);
  }
  throw new Error(`no docker buildx process with ${marker} appeared`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('local command: SIGINT to its process alone during a build step stops buildx, reports "cancelled" and exits 130', async () => {
  const context = fixture('slow-build');
  const marker = `RUN_ID=cancel-${process.pid}-${Date.now()}`;
  let buildx: { pid: number; metadataFile: string } | undefined;
  // runLocal signals the command's pid only, not its process group (as `kill -INT PID` does).
  const run = await runLocal(['--context', context, '--build-arg', marker, '--wait-for', 'log:ready'], {
    cwd: context,
    interruptWhen: /▸ Build/,
    onBeforeInterrupt: () => {
      buildx = waitForBuildx(marker);
    },
  });
  assert.ok(buildx, 'buildx was running when the interrupt came');
  assert.equal(run.exitCode, 130, run.stderr);
  const report = run.report;
  assert.ok(report, `no report: the run did not stop by itself within the grace period:\n${run.stderr}`);
  assert.deepEqual(report.cancelled, { signal: 'SIGINT', stage: 'the build' });
  assert.equal(report.verdict, 'fail');
  assert.equal(processAlive(buildx.pid), false, `docker buildx (pid ${buildx.pid}) still runs after deploy-check exited`);
  // Nor the buildx plugin the docker CLI started.
  assert.deepEqual(
    execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(marker)),
    [],
  );
  assert.equal(existsSync(path.dirname(buildx.metadataFile)), false, `${path.dirname(buildx.metadataFile)} was left behind`);
});
