/**
 * Several checks at once on one engine (parallel jobs on a self-hosted runner, or a developer
 * running the local command while CI runs): each builds, starts and removes only its own.
 */
import assert from 'node:assert/strict';
import { afterAll, test } from 'vitest';
import { runActionSteps } from '../support/action-runner.ts';
import { dockerCli, leftovers } from '../support/docker.ts';
import { containerExists, fixture, lostBuild, removeImage, runIdOf, runLocal, type LocalRun, type Report } from '../support/local-runner.ts';

const images: (string | null | undefined)[] = [];
afterAll(() => images.forEach(removeImage));

test('three runs of the same app at once all pass, each with its own container and port', async () => {
  const context = fixture('slow-start');
  const args = ['--context', context, '--health-path', '/health'];
  const [a, b, c] = await Promise.all([
    runLocal(args, { cwd: context }),
    runLocal(args, { cwd: context }),
    runActionSteps({ inputs: { context, 'health-path': '/health' }, cwd: context }),
  ]);
  const reports = [a.report, b.report, c.report as Report | null];
  images.push(...reports.map((r) => r?.image.ref));
  assert.equal(a.exitCode, 0, a.stdout + a.stderr);
  assert.equal(b.exitCode, 0, b.stdout + b.stderr);
  assert.equal(c.main.exitCode, 0, c.main.stdout);
  assert.equal(c.outputs['verdict'], 'pass');

  const ok = reports.filter((r): r is Report => r !== null);
  assert.equal(ok.length, 3);
  for (const r of ok) {
    assert.equal(r.health.status, 'healthy');
    // slow-start listens after 3 s: each run waited for its own container, not a neighbour's.
    assert.ok((r.health.timeToHealthyMs ?? 0) >= 2900, `time to healthy ${r.health.timeToHealthyMs}`);
  }
  assert.equal(new Set(ok.map((r) => r.image.ref)).size, 3);
  assert.equal(new Set(ok.map((r) => r.health.container?.id)).size, 3);
  assert.equal(new Set(ok.map((r) => r.health.target)).size, 3);
  for (const r of ok) {
    const id = r.health.container?.id;
    assert.ok(id);
    assert.equal(containerExists(id), false);
  }
  for (const runId of [runIdOf(a.report), runIdOf(b.report), c.state['run-id']]) {
    assert.ok(runId);
    assert.deepEqual(leftovers(runId), { containers: [], networks: [] });
  }
});

test('two runs given the same image tag at once each check their own build: a crashing app fails every time', async () => {
  const holdTags = (): string[] => dockerCli(['image', 'ls', 'deploy-check-run', '--format', '{{.Repository}}:{{.Tag}}']).split('\n').filter(Boolean);
  const heldBefore = new Set(holdTags());
  const args = (name: string, tag: string): string[] => ['--context', fixture(name), '--image', tag, '--health-path', '/health', '--health-timeout', '20s'];
  for (let pair = 1; pair <= 3; pair++) {
    // A tag the user named (--image) is theirs: no run removes it, so the test does.
    const tag = `deploy-check-test/shared-tag:${process.pid}-${pair}`;
    images.push(tag);
    const [crash, healthy] = await runPair(() =>
      Promise.all([runLocal(args('crash', tag), { cwd: fixture('crash') }), runLocal(args('healthy', tag), { cwd: fixture('healthy') })]),
    );
    assert.equal(crash.report?.verdict, 'fail', `pair ${pair}: the crashing app passed: ${crash.report?.health.status} ${crash.stderr.slice(-2000)}`);
    assert.equal(crash.exitCode, 1);
    assert.equal(crash.report.build.status, 'success', `pair ${pair}: ${JSON.stringify(crash.report.build.failure)}`);
    assert.equal(crash.report.health.container?.exitCode, 3, `pair ${pair}: ${JSON.stringify(crash.report.health)}`);
    assert.equal(healthy.exitCode, 0, `pair ${pair}: ${healthy.stderr.slice(-2000)}`);
    assert.equal(healthy.report?.health.status, 'healthy');
    assert.notEqual(crash.report.image.id, healthy.report.image.id);
    // The run's own second tag went with its cleanup.
    assert.deepEqual(
      holdTags().filter((t) => !heldBefore.has(t)),
      [],
      `pair ${pair}: hold tags left`,
    );
  }
});

/**
 * The pair again, a little later, when the engine lost one of its builds to another test file's
 * prune (the layer-cache tests prune BuildKit's records): what is checked here is the tags.
 */
async function runPair(once: () => Promise<[LocalRun, LocalRun]>): Promise<[LocalRun, LocalRun]> {
  for (let attempt = 1; ; attempt++) {
    const runs = await once();
    if (attempt >= 3 || !runs.some((run) => lostBuild(run.report))) return runs;
    await new Promise((resolve) => setTimeout(resolve, 3000 * attempt));
  }
}
