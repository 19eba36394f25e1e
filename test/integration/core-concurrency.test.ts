/**
 * Several checks at once on one engine (parallel jobs on a self-hosted runner, or a developer
 * running the local command while CI runs): each builds, starts and removes only its own.
 */
import assert from 'node:assert/strict';
import { afterAll, test } from 'vitest';
import { runActionSteps } from '../support/action-runner.ts';
import { leftovers } from '../support/docker.ts';
import { containerExists, fixture, removeImage, runIdOf, runLocal, type Report } from '../support/local-runner.ts';

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
