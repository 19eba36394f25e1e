/**
 * The example FastAPI service end to end, through the bundled entries: the action's main and
 * post steps under Node 24 (the action's runtime) and the local command under the machine's Node.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, test } from 'vitest';
import { NODE24, REPO_ROOT, runActionSteps } from '../support/action-runner.ts';
import { dockerCli, leftovers } from '../support/docker.ts';
import { MACHINE_NODE, containerExists, removeImage, runIdOf, runLocal, type Report } from '../support/local-runner.ts';

const images: (string | null | undefined)[] = [];
afterAll(() => images.forEach(removeImage));

/** What any passing run of the example must show, whichever entry ran it. */
function assertPlausible(report: Report): void {
  assert.equal(report.verdict, 'pass', report.reasons.join('\n'));
  assert.deepEqual(report.reasons, []);
  assert.equal(report.build.status, 'success');
  // base: FROM, RUN apt-get; runtime: WORKDIR, RUN useradd, COPY app/.
  assert.equal(report.build.steps.total, 5, report.build.steps.list.map((s) => s.name).join('\n'));
  assert.ok(report.build.steps.cached <= report.build.steps.total);
  assert.ok(report.build.durationMs > 0);
  assert.match(report.image.id ?? '', /^sha256:[0-9a-f]{64}$/);
  assert.equal(dockerCli(['image', 'inspect', '--format', '{{.Id}}', report.image.ref]).trim(), report.image.id);
  assert.equal(report.health.status, 'healthy');
  // railway.json's preDeployCommand: the migrations ran in a one-off container before the app.
  const preDeploy = (report as unknown as { preDeploy?: { status: string; commands: { command: string; exitCode: number; logs: string[] }[] } }).preDeploy;
  assert.equal(preDeploy?.status, 'passed');
  assert.equal(preDeploy.commands[0]?.command, 'python3 -m app.migrate');
  assert.ok(preDeploy.commands[0].logs.includes('migrate: applied 0001_create_items'), preDeploy.commands[0].logs.join('\n'));
  // railway.json's healthcheckPath and the Dockerfile's only EXPOSE.
  assert.equal(report.health.strategy, 'http');
  assert.match(report.health.target ?? '', /^GET http:\/\/127\.0\.0\.1:\d+\/health$/);
  assert.equal(report.health.timeoutMs, 60_000);
  assert.ok((report.health.timeToHealthyMs ?? 0) > 0, `time to healthy ${report.health.timeToHealthyMs}`);
  assert.ok((report.health.timeToHealthyMs ?? Infinity) < report.health.timeoutMs);
  assert.equal(report.health.lastHttp?.status, 200);
  assert.match(report.health.lastHttp.body ?? '', /"status":\s*"ok"/);
  assert.ok((report.size.bytes ?? 0) > 50_000_000, `size ${report.size.bytes}`);
  assert.ok(report.durationMs >= report.build.durationMs);
  const id = report.health.container?.id;
  assert.ok(id);
  assert.equal(containerExists(id), false, 'the checked container was not removed');
}

describe('examples/fastapi end to end', () => {
  test('the action (dist/main.js then dist/post.js, Node 24) passes with outputs, summary and report', async () => {
    assert.match(execFileSync(NODE24, ['--version'], { encoding: 'utf8' }), /^v24\./);
    const run = await runActionSteps({ inputs: { context: 'examples/fastapi' } });
    const report = run.report as Report | null;
    images.push(report?.image.ref);
    assert.equal(run.main.exitCode, 0, run.main.stdout + run.main.stderr);
    assert.equal(run.post?.exitCode, 0);
    assert.ok(report);
    assertPlausible(report);

    assert.equal(run.outputs['verdict'], 'pass');
    assert.equal(run.outputs['image-id'], report.image.id);
    assert.equal(run.outputs['healthy'], 'true');
    assert.equal(Number(run.outputs['time-to-healthy-ms']), report.health.timeToHealthyMs);
    assert.ok(Number(run.outputs['time-to-healthy-ms']) > 0);
    assert.equal(Number(run.outputs['image-size']), report.size.bytes);
    assert.match(run.summary, /deploy-check passed/);
    assert.match(run.summary, /Build/);
    assert.match(run.summary, /healthy in/);
    // Each phase is a collapsible group in the job log.
    for (const phase of ['Build', 'Health check']) assert.match(run.main.stdout, new RegExp(`^::group::${phase}`, 'm'));
    assert.match(run.main.stdout, /deploy-check passed/);

    const runId = run.state['run-id'];
    assert.ok(runId);
    assert.deepEqual(leftovers(runId), { containers: [], networks: [] });
  });

  test(`the local command (node dist/cli.js under ${MACHINE_NODE}) passes with the same report`, async () => {
    assert.match(execFileSync(MACHINE_NODE, ['--version'], { encoding: 'utf8' }), /^v\d+\./);
    const run = await runLocal(['--context', 'examples/fastapi'], { cwd: REPO_ROOT });
    images.push(run.report?.image.ref);
    assert.equal(run.exitCode, 0, run.stdout + run.stderr);
    assert.ok(run.report);
    assertPlausible(run.report);
    // The checkout's commit, as git names it (read from git's files).
    assert.equal(run.report.source.commit, execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim());
    assert.match(run.stdout, /✔ deploy-check passed: deploy-check-local\/fastapi:/);
    assert.match(run.stdout, /health +healthy \(GET http:\/\/127\.0\.0\.1:\d+\/health\) in /);
    assert.match(run.stderr, /^▸ Build$/m);
    assert.deepEqual(leftovers(runIdOf(run.report)), { containers: [], networks: [] });
  });
});
