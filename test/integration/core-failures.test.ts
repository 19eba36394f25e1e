/**
 * Apps that fail in the ways real services do, against the real engine: each fails, fast where
 * it can, with the evidence a person needs in the report, and leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { afterAll, describe, test } from 'vitest';
import { runActionSteps } from '../support/action-runner.ts';
import { leftovers } from '../support/docker.ts';
import { containerExists, fixture, removeImage, runIdOf, runLocal, type LocalRun, type Report } from '../support/local-runner.ts';

const images: (string | null | undefined)[] = [];
afterAll(() => images.forEach(removeImage));

async function check(name: string, args: string[]): Promise<LocalRun & { report: Report }> {
  const run = await runLocal(['--context', fixture(name), ...args], { cwd: fixture(name), marks: { health: /^▸ Health check$/m } });
  images.push(run.report?.image.ref);
  assert.ok(run.report, `no report; stderr:\n${run.stderr}`);
  if (name !== 'build-error') assert.equal(run.report.build.status, 'success', `the build failed: ${run.report.build.failure?.message}`);
  const runId = runIdOf(run.report);
  assert.ok(runId, run.report.image.ref);
  assert.deepEqual(leftovers(runId), { containers: [], networks: [] });
  const id = run.report.health.container?.id;
  if (id) assert.equal(containerExists(id), false, 'the checked container was not removed');
  return run as LocalRun & { report: Report };
}

describe('failing apps', { concurrent: true }, () => {
  test('an app that crashes on start fails within seconds, with its exit code and its logs', async () => {
    const { exitCode, report, stdout, elapsedMs } = await check('crash', ['--health-timeout', '120']);
    assert.equal(exitCode, 1);
    assert.equal(report.verdict, 'fail');
    assert.equal(report.health.status, 'unhealthy');
    assert.equal(report.health.container?.exitCode, 3);
    assert.equal(report.health.container?.oomKilled, false);
    assert.deepEqual(report.health.logs, ['booting crash fixture', 'fatal: cannot connect to database']);
    assert.match(report.health.reason ?? '', /exited with code 3/);
    assert.match(report.reasons[0] ?? '', /exited with code 3/);
    // It did not wait out the 120 s health timeout.
    assert.ok(elapsedMs < 60_000, `took ${elapsedMs} ms`);
    assert.match(stdout, /container exit code: 3/);
    assert.match(stdout, /fatal: cannot connect to database/);
  });

  test('a health endpoint that answers 500 fails, showing the status and the body', async () => {
    const { exitCode, report, stdout } = await check('http500', ['--health-path', '/health', '--health-timeout', '3s']);
    assert.equal(exitCode, 1);
    assert.equal(report.health.status, 'unhealthy');
    assert.equal(report.health.strategy, 'http');
    assert.equal(report.health.lastHttp?.status, 500);
    assert.match(report.health.lastHttp?.body ?? '', /database unavailable/);
    assert.match(report.health.reason ?? '', /answered 500, expected 200-399/);
    assert.match(stdout, /last HTTP status: 500, body: database unavailable/);
  });

  test('an app that never becomes healthy fails once the health timeout has passed, not much later', async () => {
    const timeoutMs = 3000;
    const { exitCode, report, elapsedMs, marks } = await check('never-healthy', ['--health-timeout', '3']);
    assert.equal(exitCode, 1);
    assert.equal(report.health.status, 'unhealthy');
    assert.equal(report.health.strategy, 'tcp');
    assert.equal(report.health.timeoutMs, timeoutMs);
    assert.match(report.health.reason ?? '', /not healthy after 3s/);
    assert.equal(report.health.container?.running, true);
    assert.deepEqual(report.health.logs, ['starting up']);
    // The health phase to the end of the run: starting the container, waiting, evidence, cleanup.
    const healthPhase = elapsedMs - (marks['health'] ?? NaN);
    assert.ok(healthPhase > timeoutMs, `failed after ${healthPhase} ms, before the timeout`);
    assert.ok(healthPhase < timeoutMs + 10_000, `failed ${healthPhase - timeoutMs} ms after the timeout`);
  });

  test('an app that becomes ready after 3 s reports about 3 s to healthy', async () => {
    const { exitCode, report } = await check('slow-start', ['--health-path', '/health']);
    assert.equal(exitCode, 0, report.reasons.join('\n'));
    assert.equal(report.health.status, 'healthy');
    const ms = report.health.timeToHealthyMs ?? 0;
    assert.ok(ms >= 2900 && ms <= 6000, `time to healthy ${ms} ms`);
  });

  test('a Dockerfile with an error fails with the failing step named and its last output lines', async () => {
    // No EXPOSE: the log strategy lets the configuration through to the build.
    const { exitCode, report, stdout, stderr } = await check('build-error', ['--wait-for', 'log:never']);
    assert.equal(exitCode, 1);
    assert.equal(report.build.status, 'failure');
    assert.equal(report.build.failure?.step, "[3/3] RUN sh -c 'echo about to fail; exit 7'");
    assert.match(report.build.failure?.message ?? '', /exit code: 7/);
    assert.deepEqual(report.build.failure?.logs.slice(-1), ['about to fail']);
    assert.equal(report.build.steps.total, 3);
    assert.equal(report.health.status, 'skipped');
    assert.equal(report.health.container, null);
    assert.equal(report.image.id, null);
    assert.match(report.reasons[0] ?? '', /^Build failed at Dockerfile:3: step \[3\/3\] RUN sh -c 'echo about to fail; exit 7' failed: exit code: 7$/);
    assert.match(stdout, /Build output of \[3\/3\] RUN sh -c 'echo about to fail; exit 7'/);
    assert.match(stdout, /\| about to fail/);
    // Said once: the headline, not again as a log line.
    assert.match(stdout, /^✘ deploy-check failed: Build failed at Dockerfile:3: step \[3\/3\]/m);
    assert.doesNotMatch(stderr, /Build failed/);
  });
});

describe('failures through the action', () => {
  test('the crash evidence reaches the outputs, the summary and the failed step', async () => {
    const run = await runActionSteps({ inputs: { context: fixture('crash'), 'health-timeout': '120' }, cwd: fixture('crash') });
    images.push((run.report as Report | null)?.image.ref);
    assert.equal(run.main.exitCode, 1, `main step:\n${run.main.stdout}\n${run.main.stderr}`);
    assert.equal(run.post?.exitCode, 0);
    assert.equal(run.outputs['verdict'], 'fail');
    assert.equal(run.outputs['healthy'], 'false');
    assert.equal(run.outputs['time-to-healthy-ms'], '');
    assert.match(run.summary, /exited with code 3/);
    assert.match(run.summary, /fatal: cannot connect to database/);
    assert.match(run.main.stdout, /::error::.*exited with code 3/);
    assert.deepEqual(leftovers(run.state['run-id']), { containers: [], networks: [] });
  });

  test('a build error names the step in the summary', async () => {
    const run = await runActionSteps({ inputs: { context: fixture('build-error'), 'wait-for': 'log:never' }, cwd: fixture('build-error') });
    assert.equal(run.main.exitCode, 1);
    assert.equal(run.outputs['verdict'], 'fail');
    assert.equal(run.outputs['image-id'], '');
    assert.match(run.summary, /RUN sh -c &#39;echo about to fail; exit 7&#39;|RUN sh -c 'echo about to fail; exit 7'/);
    assert.match(run.summary, /about to fail/);
  });
});
