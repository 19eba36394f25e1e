/**
 * Wait strategies other than HTTP, against the real engine: a log line, the image's own
 * HEALTHCHECK (chosen by wait-for auto, also when inherited from a base image), and TCP.
 */
import assert from 'node:assert/strict';
import { afterAll, describe, test } from 'vitest';
import { buildHelperImage, fixture, removeImage, runLocal, tempApp, uniqueImage, type LocalRun, type Report } from '../support/local-runner.ts';

const images: (string | null | undefined)[] = [];
const apps: (() => Promise<void>)[] = [];
afterAll(async () => {
  images.forEach(removeImage);
  await Promise.all(apps.map((remove) => remove()));
});

async function check(context: string, args: string[]): Promise<LocalRun & { report: Report }> {
  const run = await runLocal(['--context', context, ...args], { cwd: context });
  images.push(run.report?.image.ref);
  assert.ok(run.report, `no report; stderr:\n${run.stderr}`);
  assert.equal(run.report.build.status, 'success', `the build failed: ${run.report.build.failure?.message}`);
  return run as LocalRun & { report: Report };
}

async function app(files: Record<string, string>): Promise<string> {
  const { dir, remove } = await tempApp(files);
  apps.push(remove);
  return dir;
}

const IDLE = 'trap "exit 0" TERM; while :; do sleep 1 & wait; done';

describe('wait-for log:<regex>', { concurrent: true }, () => {
  test('ready when the line appears (after about 1 s)', async () => {
    const { exitCode, report } = await check(fixture('log-ready'), ['--wait-for', 'log:server ready to accept \\w+']);
    assert.equal(exitCode, 0, report.reasons.join('\n'));
    assert.equal(report.health.strategy, 'log');
    assert.equal(report.health.target, 'log line /server ready to accept \\w+/');
    assert.equal(report.health.status, 'healthy');
    const ms = report.health.timeToHealthyMs ?? 0;
    assert.ok(ms >= 900 && ms < report.health.timeoutMs, `time to healthy ${ms} ms`);
  });

  test('a line that never comes fails at the timeout, with the logs that did come', async () => {
    const { exitCode, report } = await check(fixture('log-ready'), ['--wait-for', 'log:^listening on', '--health-timeout', '2s']);
    assert.equal(exitCode, 1);
    assert.equal(report.health.status, 'unhealthy');
    assert.match(report.health.reason ?? '', /not healthy after 2s: no log line matched \/\^listening on\//);
    assert.ok(report.health.logs.includes('loading configuration'));
  });

  test('a crash while waiting for a log line fails at once', async () => {
    const { exitCode, report, elapsedMs } = await check(fixture('crash'), ['--wait-for', 'log:ready', '--health-timeout', '120']);
    assert.equal(exitCode, 1);
    assert.equal(report.health.container?.exitCode, 3);
    assert.ok(report.health.logs.includes('fatal: cannot connect to database'));
    assert.ok(elapsedMs < 60_000, `took ${elapsedMs} ms`);
  });
});

describe("the image's HEALTHCHECK", { concurrent: true }, () => {
  test('wait-for auto on an image with a HEALTHCHECK and no port uses it', async () => {
    const { exitCode, report } = await check(fixture('healthcheck-only'), []);
    assert.equal(exitCode, 0, report.reasons.join('\n'));
    assert.equal(report.health.strategy, 'healthcheck');
    assert.equal(report.health.target, 'Docker HEALTHCHECK');
    assert.equal(report.health.status, 'healthy');
    const ms = report.health.timeToHealthyMs ?? 0;
    assert.ok(ms >= 900 && ms < 30_000, `time to healthy ${ms} ms`);
    assert.equal(report.health.healthLog.at(-1)?.exitCode, 0);
  });

  test('wait-for auto prefers the HEALTHCHECK over a bare port when no health path is known', async () => {
    const { exitCode, report } = await check(fixture('healthy'), []);
    assert.equal(exitCode, 0, report.reasons.join('\n'));
    assert.equal(report.health.strategy, 'healthcheck');
    assert.equal(report.health.status, 'healthy');
  });

  test('a HEALTHCHECK inherited from the base image is found in the built image', async () => {
    const baseRef = uniqueImage('hc-base');
    const base = await app({ Dockerfile: 'FROM deploy-check-test/busybox:latest\nHEALTHCHECK --interval=1s CMD ["test", "-f", "/tmp/ready"]\n' });
    await buildHelperImage(baseRef, base);
    images.push(baseRef);
    // The Dockerfile alone shows only a port, so the configuration says tcp; nothing listens.
    const dir = await app({ Dockerfile: `FROM ${baseRef}\nEXPOSE 8000\nCMD ["sh", "-c", "touch /tmp/ready; ${IDLE.replace(/"/g, '\\"')}"]\n` });
    const { exitCode, report } = await check(dir, []);
    assert.equal(exitCode, 0, report.reasons.join('\n'));
    assert.equal(report.health.strategy, 'healthcheck');
    assert.equal(report.health.status, 'healthy');
  });

  test('a failing HEALTHCHECK fails at the timeout with the check output', async () => {
    const dir = await app({
      Dockerfile: `FROM deploy-check-test/busybox:latest\nHEALTHCHECK --interval=1s CMD ["sh", "-c", "echo database unreachable; exit 1"]\nCMD ["sh", "-c", "${IDLE.replace(/"/g, '\\"')}"]\n`,
    });
    const { exitCode, report } = await check(dir, ['--health-timeout', '3']);
    assert.equal(exitCode, 1);
    assert.equal(report.health.strategy, 'healthcheck');
    assert.equal(report.health.status, 'unhealthy');
    assert.match(report.health.reason ?? '', /not healthy after 3s: Docker health status is "starting"; last check exited 1: database unreachable/);
    assert.ok(report.health.healthLog.length > 0);
    assert.equal(report.health.healthLog.at(-1)?.output, 'database unreachable');
  });

  test('wait-for healthcheck on an image without one fails with a reason, without starting it', async () => {
    const { exitCode, report } = await check(fixture('never-healthy'), ['--wait-for', 'healthcheck']);
    assert.equal(exitCode, 1);
    assert.match(report.health.reason ?? '', /defines no HEALTHCHECK/);
    assert.equal(report.health.container, null);
  });
});

describe('wait-for tcp', () => {
  test('ready once the port is really listened on', async () => {
    const { exitCode, report } = await check(fixture('healthy'), ['--wait-for', 'tcp']);
    assert.equal(exitCode, 0, report.reasons.join('\n'));
    assert.equal(report.health.strategy, 'tcp');
    assert.match(report.health.target ?? '', /^TCP 127\.0\.0\.1:\d+$/);
  });
});
