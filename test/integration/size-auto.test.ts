/**
 * `baseline: auto` through the bundled action and @actions/cache, unmodified, against the local
 * Actions cache service: a passing run on the default branch stores its report, a pull request
 * compares with it without rebuilding the base branch, and the newest stored report wins.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { runActionSteps, type ActionRun } from '../support/action-runner.ts';
import { startCacheServer, type CacheServer } from '../support/cache-server.ts';
import { engineAvailable, MAIN_ENGINE, unavailable } from '../support/docker.ts';
import { appDockerfile, BLOB_BYTES, BLOB_LINE, makeSizeFixture, MiB, removeImages, type SizeFixture, type SizeRunReport } from '../support/size-fixtures.ts';

const REPOSITORY = { id: 1, name: 'shop', full_name: 'acme/shop', default_branch: 'main', owner: { login: 'acme' } };

describe.skipIf(unavailable(!engineAvailable(MAIN_ENGINE) && 'no engine'))('baseline auto through the Actions cache', () => {
  let root: string;
  let fixture: SizeFixture;
  let server: CacheServer;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'size-auto-'));
    fixture = await makeSizeFixture(root, 'auto');
    server = await startCacheServer();
  });

  afterAll(async () => {
    // Unset when beforeAll failed: the cleanup must not hide that failure.
    await (server as CacheServer | undefined)?.close();
    if (fixture as SizeFixture | undefined) removeImages(fixture, MAIN_ENGINE);
    await rm(root, { recursive: true, force: true });
  });

  /** One job: the workspace's Dockerfile has or lacks the blob; the event decides the branch. */
  async function job(options: {
    withBlob: boolean;
    event: 'push' | 'pull_request';
    branch: string;
    inputs?: Record<string, string>;
    sha: string;
  }): Promise<{ run: ActionRun; report: SizeRunReport }> {
    await writeFile(path.join(fixture.dir, 'Dockerfile'), appDockerfile(options.withBlob));
    if (options.event === 'push') server.setRef(`refs/heads/${options.branch}`);
    else server.setRef('refs/pull/7/merge', 'refs/heads/main');
    const payload =
      options.event === 'push'
        ? { ref: `refs/heads/${options.branch}`, repository: REPOSITORY }
        : { number: 7, pull_request: { number: 7, base: { ref: 'main' }, head: { ref: options.branch } }, repository: REPOSITORY };
    const runJob = (): Promise<ActionRun> =>
      runActionSteps({
        cwd: fixture.dir,
        eventName: options.event,
        eventPayload: payload,
        // The layer cache shares the cache service; these tests count the baseline's entries alone.
        inputs: {
          'wait-for': 'log:ready',
          cache: 'false',
          image: `deploy-check-size-test/auto-${fixture.token}:${options.sha.slice(0, 7)}`,
          ...options.inputs,
        },
        // Each job is a workflow run of its own: its run id keys the stored baseline.
        env: { ...server.env(), GITHUB_SHA: options.sha, GITHUB_WORKSPACE: fixture.dir, GITHUB_RUN_ID: String(4000 + Number(options.sha[0])) },
      });
    let run = await runJob();
    // The engine's transient "failed to solve: not found" under shared load (see runCli): once more.
    if (/failed to solve: not found/.test(JSON.stringify((run.report as { build?: unknown } | null)?.build ?? ''))) run = await runJob();
    assert.ok(run.report, `no report\n${run.main.stdout}\n${run.main.stderr}`);
    return { run, report: run.report as unknown as SizeRunReport };
  }

  test('the default branch stores, a pull request compares, other branches compare without storing', async () => {
    const first = await job({ withBlob: false, event: 'push', branch: 'main', sha: '1'.repeat(40) });
    assert.equal(first.run.outputs['verdict'], 'pass', first.run.main.stdout);
    assert.match(first.report.size.baselineNote ?? '', /^no baseline yet: no passing run on main has stored one in the Actions cache$/);
    assert.equal(first.run.outputs['size-delta'], '');
    const savedKey = first.report.size.baselineSaved?.key ?? '';
    assert.match(savedKey, /^deploy-check-size-v1-auto-[a-f0-9]+-[a-f0-9]{12}-main~4001-1-[a-z0-9]+$/);
    assert.deepEqual(
      server.entries().map((e) => [e.key, e.ref]),
      [[savedKey, 'refs/heads/main']],
    );

    const pr = await job({ withBlob: true, event: 'pull_request', branch: 'feature', sha: '2'.repeat(40), inputs: { 'max-increase': '1MB' } });
    assert.equal(pr.run.outputs['verdict'], 'fail');
    const size = pr.report.size;
    assert.equal(size.baseline?.kind, 'auto');
    assert.equal(size.baseline.source, 'main (commit 1111111)');
    const delta = Number(pr.run.outputs['size-delta']);
    assert.ok(delta >= BLOB_BYTES && delta <= 5.5 * MiB, `size-delta ${delta}`);
    assert.ok(Number(pr.run.outputs['size-delta-percent']) > 100);
    assert.equal(pr.run.outputs['image-size-compressed'], String(size.compressedBytes));
    assert.deepEqual(
      size.delta?.layers.map((c) => [c.change, c.line]),
      [['added', BLOB_LINE]],
    );
    // The annotation sits on the Dockerfile line that added the bytes.
    const annotation = pr.run.main.stdout.split('\n').find((l) => l.startsWith('::error') && l.includes('max-increase'));
    assert.ok(annotation, pr.run.main.stdout);
    assert.match(annotation, new RegExp(`file=Dockerfile,line=${BLOB_LINE}\\b`));
    assert.match(
      annotation,
      /::Image size budget max-increase 1MB exceeded: the compressed image grew by 5\.\d MB .* against the baseline from main \(commit 1111111\); most of the growth is the new line 4: COPY blob\.bin \/data\/blob\.bin/,
    );
    assert.match(pr.run.summary, /Image size budget max-increase 1MB exceeded/);
    assert.match(pr.run.summary, /\| 🆕 \+5\.\d MB \| [^|]+ \| 4 \| <code>COPY blob\.bin \/data\/blob\.bin<\/code> <sub>\(new\)<\/sub> \|/);
    assert.equal(size.baselineSaved, null);

    const feature = await job({ withBlob: true, event: 'push', branch: 'feature', sha: '3'.repeat(40) });
    assert.equal(feature.run.outputs['verdict'], 'pass');
    assert.equal(feature.report.size.baseline?.source, 'main (commit 1111111)');
    assert.equal(feature.report.size.baselineSaved, null);
    assert.equal(server.entries().length, 1);
  });

  test('the newest report stored on the default branch is the baseline', async () => {
    const second = await job({ withBlob: true, event: 'push', branch: 'main', sha: '4'.repeat(40), inputs: { 'max-increase': '6MiB' } });
    assert.equal(second.run.outputs['verdict'], 'pass', second.run.main.stdout);
    assert.equal(second.report.size.baseline?.source, 'main (commit 1111111)');
    assert.ok(second.report.size.baselineSaved);

    const pr = await job({ withBlob: true, event: 'pull_request', branch: 'feature', sha: '5'.repeat(40), inputs: { 'max-increase': '1%' } });
    assert.equal(pr.report.size.baseline?.source, 'main (commit 4444444)');
    assert.equal(pr.run.outputs['verdict'], 'pass', pr.run.main.stdout);
    assert.ok(Math.abs(Number(pr.run.outputs['size-delta'])) < 1024, `size-delta ${pr.run.outputs['size-delta']}`);
    assert.equal(pr.report.size.commentThreshold.reached, false);
  });
});
