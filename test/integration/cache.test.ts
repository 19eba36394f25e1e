/**
 * The layer cache end to end: the bundled action (main + post steps) against the real engine
 * and @actions/cache, unmodified, against the local Actions cache service (Twirp + Azurite).
 * Between runs the engine forgets the fixture's build records (only this test's, by token), so a
 * CACHED step can only come from the restored cache.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { NODE24, REPO_ROOT, runActionSteps, type ActionRun } from '../support/action-runner.ts';
import { forgetBuildRecords } from '../support/buildkit.ts';
import { startCacheServer, type CacheServer } from '../support/cache-server.ts';
import { CLASSIC_ENGINE, dockerCli, engineAvailable, MAIN_ENGINE, unavailable } from '../support/docker.ts';

interface Fixture {
  dir: string;
  token: string;
}

/** A two-stage busybox app: a dependency stage (two RUN steps, one taking a second) and the app stage that copies www/. */
async function makeFixture(root: string, name: string): Promise<Fixture> {
  const token = `dc${randomBytes(5).toString('hex')}`;
  const dir = path.join(root, name);
  await mkdir(path.join(dir, 'www'), { recursive: true });
  await writeFile(
    path.join(dir, 'Dockerfile'),
    [
      `FROM deploy-check-test/busybox:latest AS deps-${token}`,
      `RUN echo "library ${token}" > /lib-1 && sleep 1`,
      `RUN echo "plugin ${token}" > /lib-2`,
      `FROM deploy-check-test/busybox:latest AS app-${token}`,
      `COPY --from=deps-${token} /lib-1 /lib-2 /opt/deps/`,
      'COPY www/ /www/',
      'EXPOSE 8000',
      `CMD ["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 8000 -h /www & wait"]`,
      '',
    ].join('\n'),
  );
  await writeFile(path.join(dir, 'www', 'health'), 'ok v1\n');
  return { dir, token };
}

interface Step {
  name: string;
  cached: boolean;
}
interface CacheSection {
  enabled: boolean;
  restored: boolean;
  key: string | null;
  matchedKey: string | null;
  saved: boolean;
  note: string | null;
  store: string | null;
  exactHit: boolean;
  restoredBytes: number | null;
  restoreMs: number | null;
  saveReason: string | null;
  savedBytes: number | null;
  saveMs: number | null;
  timeSavedMs: number | null;
  warnings: string[];
}

function buildOf(run: ActionRun): { status: string; steps: { total: number; cached: number; list: Step[] }; cache: CacheSection; builder: string | null } {
  assert.ok(run.report, `no report; stdout:\n${run.main.stdout}\nstderr:\n${run.main.stderr}`);
  return run.report['build'] as ReturnType<typeof buildOf>;
}

/** Steps of the dependency stage, and the app stage's copy of its output: everything but the application's own files. */
function dependencySteps(steps: Step[], token: string): Step[] {
  return steps.filter((s) => (s.name.includes(`[deps-${token} `) && !/ FROM /.test(s.name)) || s.name.includes('COPY --from='));
}

function annotations(run: ActionRun, kind: 'warning' | 'error'): string[] {
  return `${run.main.stdout}\n${run.post?.stdout ?? ''}`.split('\n').filter((l) => l.startsWith(`::${kind}`));
}

/** Removes the image a run built (the action leaves it for later steps) and the engine's build records of the fixture. */
function forget(run: ActionRun, fixture: Fixture, dockerHost = MAIN_ENGINE): void {
  const image = (run.report?.['image'] as { ref?: string } | undefined)?.ref;
  if (image) dockerCli(['rmi', '-f', image], dockerHost);
  if (dockerHost === MAIN_ENGINE) forgetBuildRecords(fixture.token, dockerHost);
}

function assertPassed(run: ActionRun): void {
  assert.equal(
    run.outputs['verdict'],
    'pass',
    `verdict ${run.outputs['verdict']}: ${JSON.stringify(run.report?.['reasons'])}\n${run.main.stdout.slice(-3000)}`,
  );
  assert.equal(run.main.exitCode, 0);
  assert.equal(run.post?.exitCode, 0);
  assert.deepEqual(annotations(run, 'error'), []);
}

const sha = (n: number): string => String(n).repeat(40).slice(0, 40);

describe.skipIf(unavailable(!engineAvailable(MAIN_ENGINE) && 'no Docker engine'))('layer cache through the Actions cache service', () => {
  let server: CacheServer;
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'dc-cache-it-'));
    server = await startCacheServer();
    // A runner's RUNNER_TEMP exists before any step runs (the report file goes there).
    await mkdir(server.env()['RUNNER_TEMP'] ?? root, { recursive: true });
  });
  afterAll(async () => {
    // Unset when beforeAll failed: the cleanup must not hide that failure.
    await (server as CacheServer | undefined)?.close();
    await rm(root, { recursive: true, force: true });
  });

  const run = (fixture: Fixture, extra: { inputs?: Record<string, string>; env?: Record<string, string>; eventName?: string; eventPayload?: unknown } = {}) =>
    runActionSteps({
      // The size baseline uses the same cache service, and hygiene findings are warnings too: these
      // tests count the layer cache's own warnings.
      inputs: { 'health-path': '/health', 'health-timeout': '30s', baseline: 'none', hygiene: 'off', ...extra.inputs },
      env: { ...server.env(), ...extra.env },
      cwd: fixture.dir,
      eventName: extra.eventName ?? 'push',
      eventPayload: extra.eventPayload ?? { repository: { default_branch: 'main' } },
    });

  test('cold run saves; a source-only change restores it with every dependency step CACHED; an identical run skips the save', async () => {
    server.setRef('refs/heads/main');
    const fixture = await makeFixture(root, 'cycle');

    const cold = await run(fixture, { env: { GITHUB_SHA: sha(1) } });
    assertPassed(cold);
    const coldBuild = buildOf(cold);
    assert.equal(cold.outputs['cache-hit'], 'false');
    assert.equal(coldBuild.cache.enabled, true);
    assert.equal(coldBuild.cache.store, 'actions');
    assert.equal(coldBuild.cache.restored, false);
    assert.equal(coldBuild.cache.saved, true, coldBuild.cache.saveReason ?? '');
    assert.ok((coldBuild.cache.savedBytes ?? 0) > 0);
    for (const step of dependencySteps(coldBuild.steps.list, fixture.token)) assert.equal(step.cached, false, `${step.name} is built cold`);
    // The default prefix: the Dockerfile's path from the workspace, then # and the run's fingerprint.
    assert.match(cold.outputs['cache-key'] ?? '', /^deploy-check-linux-[a-z0-9]+-Dockerfile#[0-9a-f]{16}$/);
    assert.equal(coldBuild.cache.key, cold.outputs['cache-key']);
    const coldEntry = server.entries().find((e) => e.key === cold.outputs['cache-key']);
    assert.ok(coldEntry?.finalized, 'the cold run saved an entry under its key');
    assert.equal(coldEntry.ref, 'refs/heads/main');
    forget(cold, fixture);

    // A new commit that changes only the application's files.
    await writeFile(path.join(fixture.dir, 'www', 'health'), 'ok v2\n');
    const warm = await run(fixture, { env: { GITHUB_SHA: sha(2) } });
    assertPassed(warm);
    const warmBuild = buildOf(warm);
    assert.equal(warm.outputs['cache-hit'], 'true');
    assert.equal(warmBuild.cache.matchedKey, cold.outputs['cache-key']);
    assert.equal(warmBuild.cache.exactHit, false);
    assert.ok((warmBuild.cache.restoredBytes ?? 0) > 0);
    assert.equal(typeof warmBuild.cache.restoreMs, 'number');
    const deps = dependencySteps(warmBuild.steps.list, fixture.token);
    assert.equal(deps.length, 3, JSON.stringify(warmBuild.steps.list));
    for (const step of deps) assert.equal(step.cached, true, `${step.name} should come from the restored cache`);
    const app = warmBuild.steps.list.find((s) => s.name.includes('COPY www/'));
    assert.equal(app?.cached, false, 'the changed application files are built anew');
    // The dependency stage's `sleep 1` was recorded when it was built, so the saving is known.
    assert.ok((warmBuild.cache.timeSavedMs ?? 0) >= 1000, `timeSavedMs ${warmBuild.cache.timeSavedMs}`);
    assert.equal(warmBuild.cache.saved, true);
    assert.notEqual(warm.outputs['cache-key'], cold.outputs['cache-key']);
    assert.match(warm.main.stdout, /Restored layer cache .*#[0-9a-f]{16}/);
    forget(warm, fixture);

    // The same commit again (a re-run): the exact key is there, and keys cannot be overwritten.
    // Layer cache entries only: a passing run on the default branch also stores its size baseline.
    const entriesBefore = server.entries().filter((e) => e.key.startsWith('deploy-check-') && !e.key.startsWith('deploy-check-size-')).length;
    const callsBefore = server.calls.length;
    const again = await run(fixture, { env: { GITHUB_SHA: sha(2) } });
    assertPassed(again);
    const againBuild = buildOf(again);
    assert.equal(againBuild.cache.exactHit, true);
    assert.equal(againBuild.cache.matchedKey, warm.outputs['cache-key']);
    assert.equal(againBuild.cache.saved, false);
    assert.match(againBuild.cache.saveReason ?? '', /already has this run's key/);
    assert.match(again.main.stdout, /Layer cache will not be saved: the restored entry already has this run's key/);
    assert.equal(server.entries().filter((e) => e.key.startsWith('deploy-check-') && !e.key.startsWith('deploy-check-size-')).length, entriesBefore);
    const saves = server.calls
      .slice(callsBefore)
      .filter((c) => c.method === 'CreateCacheEntry' && (c.body as { key?: string }).key === again.outputs['cache-key']);
    assert.deepEqual(saves, [], 'no save was attempted');
    for (const step of dependencySteps(againBuild.steps.list, fixture.token)) assert.equal(step.cached, true);
    assert.deepEqual(annotations(again, 'warning'), []);
    assert.deepEqual(server.violations, []);
    forget(again, fixture);
  });

  test('a pull request restores its base branch cache; with cache-save default-branch it saves nothing', async () => {
    server.setRef('refs/heads/main');
    const fixture = await makeFixture(root, 'pull-request');
    const inputs = { 'cache-key': `shop-api-${fixture.token}`, 'cache-save': 'default-branch' };
    const onMain = await run(fixture, { inputs, env: { GITHUB_SHA: sha(3) } });
    assertPassed(onMain);
    assert.equal(buildOf(onMain).cache.saved, true, buildOf(onMain).cache.saveReason ?? '');
    assert.match(buildOf(onMain).cache.saveReason ?? '', /default branch/);
    forget(onMain, fixture);

    server.setRef('refs/pull/9/merge', 'refs/heads/main');
    await writeFile(path.join(fixture.dir, 'www', 'health'), 'ok from the pull request\n');
    const pr = await run(fixture, {
      inputs,
      eventName: 'pull_request',
      eventPayload: { repository: { default_branch: 'main' }, pull_request: { number: 9, head: { ref: 'feature' }, base: { ref: 'main' } } },
      env: { GITHUB_SHA: sha(4), GITHUB_REF: 'refs/pull/9/merge', GITHUB_HEAD_REF: 'feature', GITHUB_BASE_REF: 'main' },
    });
    assertPassed(pr);
    const prBuild = buildOf(pr);
    assert.equal(prBuild.cache.matchedKey, onMain.outputs['cache-key']);
    assert.equal(pr.outputs['cache-hit'], 'true');
    for (const step of dependencySteps(prBuild.steps.list, fixture.token)) assert.equal(step.cached, true, step.name);
    assert.equal(prBuild.cache.saved, false);
    assert.match(prBuild.cache.saveReason ?? '', /default-branch, and this run is on refs\/pull\/9\/merge/);
    assert.equal(server.entries().filter((e) => e.ref === 'refs/pull/9/merge').length, 0);
    forget(pr, fixture);
    server.setRef('refs/heads/main');
  });

  for (const failure of ['down', 'throttle'] as const) {
    test(`cache service ${failure}: one warning, an uncached build, a passing check`, async () => {
      server.setRef('refs/heads/main');
      const fixture = await makeFixture(root, `service-${failure}`);
      await server.setFailure(failure);
      let result: ActionRun;
      try {
        result = await run(fixture, { inputs: { 'cache-key': `svc-${fixture.token}` }, env: { GITHUB_SHA: sha(5) } });
      } finally {
        await server.setFailure(null);
      }
      assertPassed(result);
      const build = buildOf(result);
      assert.equal(build.status, 'success');
      assert.equal(result.outputs['cache-hit'], 'false');
      assert.equal(build.cache.restored, false);
      assert.equal(build.cache.saved, false);
      assert.match(build.cache.saveReason ?? '', /store failed/);
      const warnings = annotations(result, 'warning');
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(
        warnings[0] ?? '',
        failure === 'down' ? /Layer cache unavailable \(the GitHub Actions cache: .*(ECONNREFUSED|connect)/ : /Layer cache unavailable .*(429|[Rr]ate limit)/,
      );
      assert.deepEqual(build.cache.warnings.length, 1);
      forget(result, fixture);
    });
  }

  test('a cache service slower than cache-timeout: the build goes on without it and the step ends', async () => {
    const fixture = await makeFixture(root, 'service-slow');
    await server.setFailure('slow', 20_000);
    let result: ActionRun;
    try {
      result = await run(fixture, { inputs: { 'cache-key': `slow-${fixture.token}`, 'cache-timeout': '2s' }, env: { GITHUB_SHA: sha(6) } });
    } finally {
      await server.setFailure(null);
    }
    assertPassed(result);
    const build = buildOf(result);
    assert.equal(build.status, 'success');
    assert.equal(build.cache.restored, false);
    assert.equal(build.cache.saved, false);
    const warnings = annotations(result, 'warning');
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /took longer than 2 s \(cache-timeout\)/);
    forget(result, fixture);
  });

  test('cache: false builds without the cache and says so', async () => {
    const fixture = await makeFixture(root, 'off');
    const calls = server.calls.length;
    const result = await run(fixture, { inputs: { cache: 'false' } });
    assertPassed(result);
    const build = buildOf(result);
    assert.equal(build.cache.enabled, false);
    assert.match(build.cache.note ?? '', /cache input is false/);
    assert.equal(result.outputs['cache-hit'], 'false');
    assert.equal(server.calls.length, calls);
    forget(result, fixture);
  });
});

describe.skipIf(unavailable(!engineAvailable(CLASSIC_ENGINE) && 'no classic-store engine'))('builders that cannot export a cache (classic image store)', () => {
  let server: CacheServer;
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'dc-cache-classic-'));
    server = await startCacheServer();
    // A runner's RUNNER_TEMP exists before any step runs (the report file goes there).
    await mkdir(server.env()['RUNNER_TEMP'] ?? root, { recursive: true });
  });
  afterAll(async () => {
    // Unset when beforeAll failed: the cleanup must not hide that failure.
    await (server as CacheServer | undefined)?.close();
    await rm(root, { recursive: true, force: true });
  });

  const builders = (): string => execFileSync('docker', ['buildx', 'ls'], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: CLASSIC_ENGINE } });

  test('no builder input: a docker-container builder is tried, cannot start here, and the build runs uncached with one warning', async () => {
    const fixture = await makeFixture(root, 'classic');
    const result = await runActionSteps({
      inputs: { 'health-path': '/health', 'health-timeout': '30s', baseline: 'none', hygiene: 'off' },
      env: { ...server.env(), DOCKER_HOST: CLASSIC_ENGINE, GITHUB_SHA: sha(7) },
      cwd: fixture.dir,
    });
    assertPassed(result);
    const build = buildOf(result);
    assert.equal(build.status, 'success');
    assert.equal(build.cache.enabled, false);
    assert.match(build.cache.note ?? '', /docker-container builder could not start/);
    assert.match(
      result.main.stdout,
      /Layer cache: builder "default" uses the docker driver on an engine without the containerd image store.*creating a docker-container builder/,
    );
    const warnings = annotations(result, 'warning');
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /Layer cache off: .*Building without the cache/);
    assert.equal(result.outputs['cache-hit'], 'false');
    // The builder was named for the run, remembered for the post step, and is gone.
    assert.match(result.state['builder'] ?? '', /^deploy-check-/);
    assert.ok(!builders().includes(result.state['builder'] ?? '?'), builders());
    // (The state the image checks remember has entries of its own, see state-cache.test.ts.)
    const layerCacheCalls = server.calls.filter((c) => !JSON.stringify(c.body).includes('deploy-check-state-v1-'));
    assert.equal(layerCacheCalls.length, 0, 'nothing is restored for a build that cannot use it');
    assert.ok(server.calls.length > 0, 'the state the image checks remember is still restored from the Actions cache');
    forget(result, fixture, CLASSIC_ENGINE);
  });

  test('a builder input that cannot export: one warning naming the input, no builder created', async () => {
    const fixture = await makeFixture(root, 'classic-named');
    const result = await runActionSteps({
      inputs: { 'health-path': '/health', 'health-timeout': '30s', builder: 'default', baseline: 'none', hygiene: 'off' },
      env: { ...server.env(), DOCKER_HOST: CLASSIC_ENGINE, GITHUB_SHA: sha(8) },
      cwd: fixture.dir,
    });
    assertPassed(result);
    const warnings = annotations(result, 'warning');
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /the "builder" input names it/);
    assert.equal(result.state['builder'], undefined);
    forget(result, fixture, CLASSIC_ENGINE);
  });
});

describe.skipIf(unavailable(!engineAvailable(MAIN_ENGINE) && 'no Docker engine'))('local command with --cache-dir', () => {
  test('cold run fills the directory, the next run after a source change restores every dependency step from it', async (t) => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'dc-cache-local-'));
    t.onTestFinished(() => rm(root, { recursive: true, force: true }));
    const fixture = await makeFixture(root, 'local');
    const cacheDir = path.join(root, 'layer-cache');
    const cli = (report: string): { code: number; report: { image: { ref: string }; build: ReturnType<typeof buildOf> } } => {
      let code = 0;
      try {
        execFileSync(
          NODE24,
          [path.join(REPO_ROOT, 'dist/cli.js'), '--context', fixture.dir, '--health-path', '/health', '--cache-dir', cacheDir, '--report', report],
          {
            cwd: root,
            stdio: 'pipe',
          },
        );
      } catch (err) {
        code = (err as { status: number }).status;
      }
      return { code, report: JSON.parse(execFileSync('cat', [report], { encoding: 'utf8' })) as { image: { ref: string }; build: ReturnType<typeof buildOf> } };
    };
    const cold = cli(path.join(root, 'cold.json'));
    assert.equal(cold.code, 0);
    assert.equal(cold.report.build.cache.store, 'directory');
    assert.equal(cold.report.build.cache.saved, true);
    dockerCli(['rmi', '-f', cold.report.image.ref]);
    forgetBuildRecords(fixture.token);

    await writeFile(path.join(fixture.dir, 'www', 'health'), 'ok local change\n');
    const warm = cli(path.join(root, 'warm.json'));
    assert.equal(warm.code, 0);
    assert.equal(warm.report.build.cache.matchedKey, cold.report.build.cache.key);
    for (const step of dependencySteps(warm.report.build.steps.list, fixture.token)) assert.equal(step.cached, true, step.name);
    assert.equal(warm.report.build.cache.saved, true);
    dockerCli(['rmi', '-f', warm.report.image.ref]);
    forgetBuildRecords(fixture.token);
  });
});
