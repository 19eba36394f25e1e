/**
 * The per-layer facts the image checks remember, carried in the Actions cache for runners whose
 * state directory starts empty in every job (GitHub's own): the bundled action, @actions/cache
 * unmodified, the local Actions cache service, the example app on the real engine. Each job here
 * gets a fresh state directory, as a hosted runner would.
 */
import assert from 'node:assert/strict';
import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { CheckReport } from '../../src/model/report.ts';
import { runActionSteps, type ActionRun } from '../support/action-runner.ts';
import { startCacheServer, type CacheServer } from '../support/cache-server.ts';
import { dockerCli, engineAvailable, MAIN_ENGINE, unavailable } from '../support/docker.ts';

const REPOSITORY = { id: 1, name: 'shop', full_name: 'acme/shop', default_branch: 'main', owner: { login: 'acme' } };
const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/fastapi');

describe.skipIf(unavailable(!engineAvailable(MAIN_ENGINE) && 'no engine'))('state in the Actions cache', () => {
  let root: string;
  let app: string;
  let server: CacheServer;
  const images: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'state-cache-'));
    app = path.join(root, 'app');
    await cp(EXAMPLE, app, { recursive: true });
    server = await startCacheServer();
  });

  afterAll(async () => {
    await (server as CacheServer | undefined)?.close();
    for (const image of images) dockerCli(['image', 'rm', '--force', image]);
    await rm(root, { recursive: true, force: true });
  });

  /** One job on a fresh runner: a source-only change first, as a new commit would bring. */
  async function job(
    n: number,
    inputs: Record<string, string> = {},
    repository = 'deploy-check-test/state-cache',
  ): Promise<{ run: ActionRun; report: CheckReport }> {
    await appendFile(path.join(app, 'app', '__init__.py'), `# commit ${n} ${Date.now()}\n`);
    const image = `${repository}:${process.pid}-${n}`;
    images.push(image);
    server.setRef('refs/heads/main');
    const run = await runActionSteps({
      cwd: app,
      eventName: 'push',
      eventPayload: { ref: 'refs/heads/main', repository: REPOSITORY },
      // The layer cache and the baseline share the service; this test is about the state entries.
      inputs: { context: app, image, cache: 'true', baseline: 'none', ...inputs },
      env: { ...server.env(), GITHUB_WORKSPACE: app, GITHUB_RUN_ID: String(5000 + n), GITHUB_SHA: String(n).repeat(40) },
    });
    assert.ok(run.report, `no report\n${run.main.stdout}\n${run.main.stderr}`);
    const report = run.report as unknown as CheckReport;
    assert.equal(report.verdict, 'pass', `${report.reasons.join('\n')}\n${run.main.stdout}`);
    return { run, report };
  }

  const stateEntries = (): string[] =>
    server
      .entries()
      .filter((e) => e.key.startsWith('deploy-check-state-v1-'))
      .map((e) => e.key);

  test('the first job reads every layer and saves; the next job, on an empty runner, reads only the changed layer', async () => {
    const first = await job(1);
    const cold = first.report.hygiene.scan;
    assert.ok(cold);
    assert.equal(cold.layersReused, 0, JSON.stringify(cold));
    assert.equal(cold.layersScanned, cold.layers);
    assert.ok(cold.bytesRead > 10_000_000, `the cold scan read ${cold.bytesRead} bytes`);
    const saved = stateEntries();
    assert.equal(saved.length, 1, JSON.stringify(server.entries().map((e) => e.key)));
    // The facts of this image's layers and the size memos: kilobytes, not the layers.
    const bytes = server.entries().find((e) => e.key === saved[0])?.sizeBytes ?? -1;
    assert.ok(bytes > 0 && bytes < 200_000, `the state entry holds ${bytes} bytes`);
    console.log(`state entry: ${bytes} bytes for ${cold.layers} layers (${cold.bytesRead} bytes read by the cold scan)`);
    assert.match(first.run.main.stdout, /State: \d+ file\(s\) saved in the Actions cache \(deploy-check-state-v1-[a-f0-9]{12}~5001-1-/);

    const second = await job(2);
    const warm = second.report.hygiene.scan;
    assert.ok(warm);
    assert.match(second.run.main.stdout, new RegExp(`State: \\d+ file\\(s\\) of per-layer facts from the Actions cache \\(${saved[0] ?? ''}\\)`));
    assert.equal(warm.layers, cold.layers);
    assert.equal(warm.layersScanned, 1, JSON.stringify(warm));
    assert.equal(warm.layersReused, cold.layers - 1);
    assert.ok(warm.bytesRead < 100_000, `the warm scan read ${warm.bytesRead} bytes`);
    // The same findings as the cold run.
    assert.deepEqual(
      second.report.hygiene.findings.map((f) => f.id),
      first.report.hygiene.findings.map((f) => f.id),
    );
    // The changed layer was small: reading it again is cheaper than a save, so no new entry.
    assert.deepEqual(stateEntries(), saved);
    assert.doesNotMatch(second.run.main.stdout, /State: .*saved/);
  });

  test('cache-save: never restores but does not save; cache: false leaves the Actions cache alone', async () => {
    const before = stateEntries();
    const readOnly = await job(3, { 'cache-save': 'never' });
    assert.match(readOnly.run.main.stdout, /State: \d+ file\(s\) of per-layer facts from the Actions cache/);
    assert.equal(readOnly.report.hygiene.scan?.layersScanned, 1);
    // Another image (its own key family, nothing to restore) reads every layer, and still saves nothing.
    const other = await job(5, { 'cache-save': 'never' }, 'deploy-check-test/state-cache-other');
    const otherScan = other.report.hygiene.scan;
    assert.ok(otherScan);
    assert.equal(otherScan.layersReused, 0);
    assert.ok(otherScan.bytesRead > 10_000_000, `${otherScan.bytesRead} bytes read`);
    assert.deepEqual(stateEntries(), before);

    const off = await job(4, { cache: 'false' });
    assert.doesNotMatch(off.run.main.stdout, /State: /);
    assert.equal(off.report.hygiene.scan?.layersReused, 0);
    assert.deepEqual(stateEntries(), before);
  });
});
