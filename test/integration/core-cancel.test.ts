/**
 * Cancellation: a run interrupted while it waits for the container leaves nothing behind,
 * whether it is the action (main step killed with SIGINT, then the post step, as a runner does
 * when a job is cancelled) or the local command (Ctrl-C).
 */
import assert from 'node:assert/strict';
import { afterAll, describe, test } from 'vitest';
import { runActionSteps } from '../support/action-runner.ts';
import { dockerCli, leftovers } from '../support/docker.ts';
import { fixture, removeImage, runLocal, uniqueImage } from '../support/local-runner.ts';

const images: string[] = [];
afterAll(() => images.forEach(removeImage));

/** Containers of an image, running or not. */
function containersOf(image: string): string[] {
  return dockerCli(['ps', '-aq', '--filter', `ancestor=${image}`]).split('\n').filter(Boolean);
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
});
