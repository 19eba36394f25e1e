/**
 * Load: an app that prints a gigabyte before it fails, and an error deploy-check did not expect
 * (thrown in a stream handler, outside any try): each run still ends in a verdict, a report (the
 * action: its summary and outputs) and the clean-up.
 */
import assert from 'node:assert/strict';
import { afterAll, describe, test } from 'vitest';
import { runActionSteps } from '../support/action-runner.ts';
import { dockerCli, leftovers } from '../support/docker.ts';
import { fixture, removeImage, runIdOf, runLocal } from '../support/local-runner.ts';

const images: string[] = [];
afterAll(() => images.forEach(removeImage));

function imageExists(ref: string): boolean {
  return dockerCli(['image', 'ls', '-q', ref]).trim() !== '';
}

describe('load', () => {
  test('a gigabyte of app output, then exit 1: a verdict, a report with the head and tail of the log, nothing left', async () => {
    const context = fixture('huge-output');
    const run = await runLocal(['--context', context, '--health-timeout', '600s', '--wait-for', 'tcp'], { cwd: context, keepImage: false });
    const report = run.report;
    assert.ok(report, `no report (exit ${run.exitCode}):\n${run.stderr.slice(-3000)}`);
    assert.equal(run.exitCode, 1, run.stderr.slice(-3000));
    assert.equal(report.verdict, 'fail');
    assert.equal(report.health.status, 'unhealthy');
    assert.equal(report.health.container?.exitCode, 1);
    assert.equal(report.internalError ?? null, null);
    // The first line, the cause at the end, and a count of what was left out.
    assert.equal(report.health.logs[0], 'booting huge-output fixture');
    // Its stderr line may come before stdout's last (empty) one: the streams are not ordered.
    assert.ok(report.health.logs.slice(-3).includes('fatal: gave up after a gigabyte of output'), report.health.logs.slice(-5).join('\n'));
    assert.ok((report.health.logLines ?? 0) > 1_000_000, `log lines ${report.health.logLines}`);
    assert.ok(JSON.stringify(report.health.logs).length < 400_000, 'the kept log is bounded');
    const runId = runIdOf(report);
    assert.ok(runId);
    assert.deepEqual(leftovers(runId), { containers: [], networks: [] });
    assert.equal(imageExists(report.image.ref), false, `${report.image.ref} was left behind`);
  });

  test('local command: an unexpected error in a stream handler still ends in a verdict, a report and the clean-up', async () => {
    const context = fixture('crash');
    const run = await runLocal(['--context', context], { cwd: context, keepImage: false, env: { DEPLOY_CHECK_TEST_THROW_IN_LOG_STREAM: '1' } });
    const report = run.report;
    assert.ok(report, `no report (exit ${run.exitCode}):\n${run.stderr.slice(-3000)}`);
    assert.equal(run.exitCode, 1, run.stderr);
    assert.equal(report.verdict, 'fail');
    assert.match(report.internalError ?? '', /DEPLOY_CHECK_TEST_THROW_IN_LOG_STREAM/);
    assert.match(report.reasons[0] ?? '', /^deploy-check failed unexpectedly: /);
    assert.doesNotMatch(run.stderr, /^\s+at /m, 'a stack trace was printed');
    const runId = runIdOf(report);
    assert.ok(runId);
    assert.deepEqual(leftovers(runId), { containers: [], networks: [] });
    assert.equal(imageExists(report.image.ref), false, `${report.image.ref} was left behind`);
  });

  test('action: an unexpected error in a stream handler still writes the summary and the outputs, and cleans up', async () => {
    const context = fixture('crash');
    const image = `deploy-check-test/load-action:${process.pid}`;
    images.push(image);
    const run = await runActionSteps({ inputs: { context, image }, cwd: context, env: { DEPLOY_CHECK_TEST_THROW_IN_LOG_STREAM: '1' } });
    assert.equal(run.main.exitCode, 1, run.main.stdout);
    assert.equal(run.outputs['verdict'], 'fail');
    assert.ok(run.outputs['report'], 'no report output');
    assert.match(run.summary, /failed unexpectedly/);
    assert.deepEqual(leftovers(run.state['run-id']), { containers: [], networks: [] });
  });
});
