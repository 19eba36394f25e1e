/**
 * The Railway deploy gate end to end: the bundled action (dist/main.js + dist/post.js, run as a
 * GitHub runner does) builds and checks a real image on the engine, then deploys through the local
 * Railway API server (RAILWAY_GRAPHQL_ENDPOINT), and in image mode pushes to the real registries
 * on loopback (127.0.0.1:5000, and 127.0.0.1:5001 with basic auth).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, test } from 'vitest';
import { promisify } from 'node:util';
import { NODE24, REPO_ROOT, runActionSteps, type ActionRun } from '../support/action-runner.ts';
import { CLASSIC_ENGINE, MAIN_ENGINE, dockerCli, engineAvailable, leftovers, unavailable } from '../support/docker.ts';
import { pullRequestEvent, pushEvent } from '../support/github-server.ts';
import { RAILWAY_FIXTURE as F, startRailwayServer, type RailwayServer } from '../support/railway-server.ts';

const SHA = '9d3b2a1c0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c';
const PLAIN_REGISTRY = '127.0.0.1:5000';
const AUTH_REGISTRY = '127.0.0.1:5001';
const REGISTRY_USER = 'dcuser';
const REGISTRY_PASSWORD = 'dcpass';

interface Deploy {
  status: string;
  reason: string | null;
  railwayStatus: string | null;
  deploymentId: string | null;
  url: string | null;
  image: string | null;
  commit: string | null;
  logs: { build: string[]; deploy: string[]; push: string[] } | null;
}

const unique = (): string => `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

/** Runs the action on a push to main (unless told otherwise) with a token for the local Railway server. */
async function runAction(
  server: RailwayServer,
  inputs: Record<string, string>,
  options: { fixture?: string; event?: 'push' | 'pull_request'; image?: string; dockerHost?: string } = {},
): Promise<{ run: ActionRun; deploy: Deploy | null; image: string }> {
  const image = options.image ?? `deploy-check-test/railway-${unique()}:ci`;
  const event = options.event ?? 'push';
  const payload =
    event === 'push'
      ? pushEvent({ owner: 'acme', repo: 'shop', ref: 'main', sha: SHA })
      : pullRequestEvent({ owner: 'acme', repo: 'shop', number: 7, headRef: 'feature', headSha: SHA, baseRef: 'main' });
  try {
    const run = await runActionSteps({
      inputs: { context: `test/fixtures/${options.fixture ?? 'healthy'}`, image, 'railway-token': F.projectToken, 'deploy-timeout': '20s', ...inputs },
      env: {
        RAILWAY_GRAPHQL_ENDPOINT: server.url,
        ...(options.dockerHost ? { DOCKER_HOST: options.dockerHost } : {}),
        GITHUB_SHA: SHA,
        GITHUB_REF: event === 'push' ? 'refs/heads/main' : 'refs/pull/7/merge',
        ...(event === 'pull_request' ? { GITHUB_HEAD_REF: 'feature', GITHUB_BASE_REF: 'main' } : {}),
      },
      eventName: event,
      eventPayload: payload,
    });
    const deploy = (run.report?.['deploy'] ?? null) as Deploy | null;
    // Only this run's: other suites may share the engine.
    const runId = run.state['run-id'];
    assert.ok(runId, 'the main step saved its run id');
    assert.deepEqual(leftovers(runId, options.dockerHost), { containers: [], networks: [] }, 'the run left containers or networks behind');
    return { run, deploy, image };
  } finally {
    built.add(`${options.dockerHost ?? MAIN_ENGINE} ${image}`);
  }
}

/**
 * Removed when the file is done, not after each run: with the containerd image store, removing an
 * image while a parallel build of the same context exports its layers can fail that build ("not found").
 */
const built = new Set<string>();
afterAll(async () => {
  for (const entry of built) {
    const [host, image] = entry.split(' ');
    await removeImage(image ?? '', host);
  }
});

async function withServer(fn: (server: RailwayServer) => Promise<void>): Promise<void> {
  const server = await startRailwayServer();
  if (!server.schemaValidated) console.log(`note: Railway operations are not validated against the schema: ${server.schemaProblem ?? ''}`);
  try {
    await fn(server);
    assert.deepEqual(server.violations, [], "every operation is valid against Railway's schema");
  } finally {
    await server.close();
  }
}

async function removeImage(ref: string, dockerHost = MAIN_ENGINE): Promise<void> {
  await promisify(execFile)('docker', ['image', 'rm', '--force', ref], { env: { ...process.env, DOCKER_HOST: dockerHost } }).catch(() => undefined);
}

/** The value appears nowhere but in the runner's own ::add-mask:: command, which the runner consumes. */
function assertNowhere(run: ActionRun, secret: string): void {
  const visible = run.allText.split('\n').filter((l) => !l.startsWith('::add-mask::'));
  assert.ok(!visible.some((l) => l.includes(secret)), 'a secret reached the log');
  assert.ok(!run.summary.includes(secret), 'a secret reached the summary');
  assert.ok(!JSON.stringify(run.report).includes(secret), 'a secret reached the report');
  assert.ok(!Object.values(run.outputs).some((v) => v.includes(secret)), 'a secret reached an output');
}

/** Asks the registry itself whether it holds this manifest (image index or manifest). */
async function registryHolds(registry: string, pinned: string, auth?: string): Promise<boolean> {
  const [name, digest] = pinned.replace(`${registry}/`, '').split('@');
  const res = await fetch(`http://${registry}/v2/${name}/manifests/${digest}`, {
    method: 'HEAD',
    headers: {
      accept: [
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.docker.distribution.manifest.list.v2+json',
        'application/vnd.docker.distribution.manifest.v2+json',
      ].join(', '),
      ...(auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}),
    },
  });
  return res.status === 200 && res.headers.get('docker-content-digest') === digest;
}

/**
 * The pushed manifest is the checked image: with the containerd image store the image's ID is the
 * digest that was pushed; with the classic store it is the config digest the pushed manifest names.
 */
async function assertSameImage(registry: string, pinned: string, run: ActionRun, auth?: string): Promise<void> {
  const id = (run.report?.['image'] as { id?: string } | undefined)?.id;
  assert.ok(id, 'the report names the checked image');
  const [name, digest] = pinned.replace(`${registry}/`, '').split('@');
  if (digest === id) return;
  const get = async (ref: string): Promise<{ config?: { digest: string }; manifests?: { digest: string }[] }> => {
    const res = await fetch(`http://${registry}/v2/${name}/manifests/${ref}`, {
      headers: {
        accept:
          'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json',
        ...(auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}),
      },
    });
    assert.equal(res.status, 200);
    return (await res.json()) as { config?: { digest: string }; manifests?: { digest: string }[] };
  };
  const top = await get(digest ?? '');
  const manifests = top.manifests ? await Promise.all(top.manifests.map((m) => get(m.digest))) : [top];
  assert.ok(
    manifests.some((m) => m.config?.digest === id),
    `${pinned} is not the checked image ${id}`,
  );
}

async function privateDockerConfigs(): Promise<string[]> {
  return (await readdir(os.tmpdir())).filter((n) => n.startsWith('deploy-check-docker-config-'));
}

describe('deploy gate through the action', { concurrent: true }, () => {
  test('a push with passing checks deploys the commit once and reports SUCCESS and the URL', async () => {
    await withServer(async (server) => {
      const { run, deploy } = await runAction(server, {});
      assert.equal(run.main.exitCode, 0, run.main.stdout);
      assert.equal(deploy?.status, 'success', deploy?.reason ?? run.main.stdout);
      assert.equal(server.mutationCounts['serviceInstanceDeployV2'], 1);
      assert.equal(server.mutationCounts['serviceInstanceUpdate'] ?? 0, 0);
      assert.equal(server.deployments[0]?.commitSha, SHA);
      assert.equal(run.outputs['deployment-status'], 'SUCCESS');
      assert.equal(run.outputs['deployment-id'], server.deployments[0].id);
      assert.equal(run.outputs['deployment-url'], 'https://web-production.up.railway.app');
      assert.equal(deploy.commit, SHA);
      assert.match(run.summary, /\| Deploy \| ✅ \| deployed \(SUCCESS\)[^|\n]* · commit <code>9d3b2a1<\/code> · in /);
      assert.match(run.summary, /\[web-production\.up\.railway\.app\]\(https:\/\/web-production\.up\.railway\.app\/\)/);
      // The local check followed the service's own health check settings.
      assert.match(run.main.stdout, /health check path \/health \(from railway service\)/);
      assertNowhere(run, F.projectToken);
    });
  });

  test('a failing health check never calls a deploy mutation', async () => {
    await withServer(async (server) => {
      const { run, deploy } = await runAction(server, { 'health-timeout': '3s' }, { fixture: 'http500' });
      assert.equal(run.report?.['verdict'], 'fail');
      assert.equal(deploy?.status, 'skipped');
      assert.match(deploy.reason ?? '', /a check failed \(Health check failed: .*answered 500/);
      assert.deepEqual(server.mutationCounts, {});
      assert.equal(run.outputs['deployment-status'], 'skipped');
      assert.equal(run.outputs['deployment-id'], '');
      assert.match(run.summary, /\| Deploy \| ⚪ \| skipped: a check failed/);
    });
  });

  test('a pull request never deploys under deploy: auto', async () => {
    await withServer(async (server) => {
      const { run, deploy } = await runAction(server, {}, { event: 'pull_request' });
      assert.equal(run.report?.['verdict'], 'pass');
      assert.equal(deploy?.status, 'skipped');
      assert.equal(deploy.reason, 'a pull request never deploys under deploy: auto (pull_request)');
      assert.deepEqual(server.mutationCounts, {});
      assert.equal(server.deployments.length, 0);
    });
  });
});

describe('image mode: the checked image, pinned by digest', () => {
  test('pushes to the registry on loopback and points the service at a digest the registry holds', async () => {
    await withServer(async (server) => {
      const repository = `${PLAIN_REGISTRY}/deploy-check-test/railway-${unique()}`;
      const { run, deploy } = await runAction(server, { 'deploy-source': 'image', 'push-image': repository });
      assert.equal(deploy?.status, 'success', deploy?.reason ?? run.main.stdout);
      const pinned = deploy.image ?? '';
      assert.match(pinned, new RegExp(`^${repository.replace(/[.]/g, '\\.')}@sha256:[a-f0-9]{64}$`));
      assert.equal(server.serviceUpdates.length, 1);
      assert.deepEqual(server.serviceUpdates[0]?.input, { source: { image: pinned } });
      assert.ok(await registryHolds(PLAIN_REGISTRY, pinned), `${PLAIN_REGISTRY} does not hold ${pinned}`);
      await assertSameImage(PLAIN_REGISTRY, pinned, run);
      // Then deployed once, without a commit (the image is the source).
      assert.equal(server.mutationCounts['serviceInstanceDeployV2'], 1);
      assert.equal(server.deployments[0]?.commitSha, null);
      assert.equal(server.deployments[0].image, pinned);
      // The fixture's service was linked to a repository: switching it is said out loud.
      assert.match(
        run.main.stdout,
        /::warning::The Railway service was built from the repository acme\/shop-api; deploy-source: image switches it to the pushed image/,
      );
      const order = server.calls.map((c) => c.operationName).filter((n) => n === 'SetImageSource' || n === 'Deploy');
      assert.deepEqual(order, ['SetImageSource', 'Deploy']);
      // The push tag (the commit) was only an extra name: it is gone from the engine, the checked image stays until the test removes it.
      assert.equal(dockerCli(['image', 'ls', '-q', `${repository}:${SHA}`]).trim(), '');
    });
  });

  test("the same on an engine without the containerd image store (as GitHub's stock runners)", async (t) => {
    if (unavailable(!engineAvailable(CLASSIC_ENGINE) && `no classic-store engine at ${CLASSIC_ENGINE} (scripts/testbed.sh starts one)`)) {
      t.skip();
      return;
    }
    await withServer(async (server) => {
      const repository = `${PLAIN_REGISTRY}/deploy-check-test/railway-classic-${unique()}`;
      const { run, deploy } = await runAction(server, { 'deploy-source': 'image', 'push-image': repository }, { dockerHost: CLASSIC_ENGINE });
      assert.equal(deploy?.status, 'success', deploy?.reason ?? run.main.stdout);
      const pinned = deploy.image ?? '';
      assert.ok(await registryHolds(PLAIN_REGISTRY, pinned), `${PLAIN_REGISTRY} does not hold ${pinned}`);
      await assertSameImage(PLAIN_REGISTRY, pinned, run);
      assert.deepEqual(server.serviceUpdates[0]?.input, { source: { image: pinned } });
    });
  });

  test('with basic auth: credentials only in a private docker config, handed to Railway, never printed', async () => {
    await withServer(async (server) => {
      const before = await privateDockerConfigs();
      const repository = `${AUTH_REGISTRY}/deploy-check-test/railway-${unique()}`;
      const { run, deploy } = await runAction(server, {
        'deploy-source': 'image',
        'push-image': repository,
        'registry-username': REGISTRY_USER,
        'registry-password': REGISTRY_PASSWORD,
      });
      assert.equal(deploy?.status, 'success', deploy?.reason ?? run.main.stdout);
      const pinned = deploy.image ?? '';
      assert.ok(await registryHolds(AUTH_REGISTRY, pinned, `${REGISTRY_USER}:${REGISTRY_PASSWORD}`), `${AUTH_REGISTRY} does not hold ${pinned}`);
      await assertSameImage(AUTH_REGISTRY, pinned, run, `${REGISTRY_USER}:${REGISTRY_PASSWORD}`);
      assert.deepEqual(server.serviceUpdates[0]?.input, {
        source: { image: pinned },
        registryCredentials: { username: REGISTRY_USER, password: REGISTRY_PASSWORD },
      });
      assertNowhere(run, REGISTRY_PASSWORD);
      assertNowhere(run, F.projectToken);
      assert.deepEqual(await privateDockerConfigs(), before, 'the private docker config is removed');
    });
  });

  test('a registry that refuses the credentials fails the push clearly and deploys nothing', async () => {
    await withServer(async (server) => {
      const repository = `${AUTH_REGISTRY}/deploy-check-test/railway-${unique()}`;
      const wrong = `wrong-${unique()}`;
      const { run, deploy } = await runAction(server, {
        'deploy-source': 'image',
        'push-image': repository,
        'registry-username': REGISTRY_USER,
        'registry-password': wrong,
      });
      assert.equal(deploy?.status, 'error');
      assert.match(deploy.reason ?? '', /^Pushing the image failed: docker push .* failed: .*\(the registry refused registry-username\/registry-password/);
      assert.ok((deploy.logs?.push.length ?? 0) > 0);
      assert.deepEqual(server.mutationCounts, {});
      assert.equal(run.report?.['verdict'], 'fail');
      assertNowhere(run, wrong);
    });
  });
});

describe('each way a deployment can end gives its own message within the timeout', { concurrent: true }, () => {
  const cases: {
    name: string;
    scenario?: Parameters<RailwayServer['setScenario']>[1];
    inputs?: Record<string, string>;
    prepare?: (s: RailwayServer) => void;
    expect: { status: string; output: string; message: RegExp; verdict: 'pass' | 'fail' };
  }[] = [
    {
      name: 'build fails',
      scenario: 'build-fails',
      expect: {
        status: 'failed',
        output: 'FAILED',
        verdict: 'fail',
        message: /ended FAILED: the build or deploy failed at Railway; last log line: ERROR: failed to solve/,
      },
    },
    {
      name: 'crashes',
      scenario: 'crashes',
      expect: {
        status: 'failed',
        output: 'CRASHED',
        verdict: 'fail',
        message: /ended CRASHED: the service started and then crashed at Railway; last log line: ModuleNotFoundError/,
      },
    },
    {
      name: 'needs approval',
      scenario: 'needs-approval',
      expect: {
        status: 'waiting',
        output: 'NEEDS_APPROVAL',
        verdict: 'fail',
        message: /NEEDS_APPROVAL: the deployment waits for a person to approve it in Railway; deploy-wait-approval is fail/,
      },
    },
    {
      name: 'never finishes (timeout)',
      scenario: 'never-finishes',
      inputs: { 'deploy-timeout': '3s' },
      expect: {
        status: 'timeout',
        output: 'DEPLOYING',
        verdict: 'fail',
        message: /had no verdict within 3\.0 s \(deploy-timeout\): it was still DEPLOYING, for /,
      },
    },
    {
      name: 'removed',
      scenario: 'removed',
      expect: { status: 'failed', output: 'REMOVED', verdict: 'fail', message: /ended REMOVED: the deployment was removed before it went live/ },
    },
    { name: '429 then success', prepare: (s) => s.rateLimitNext(2, 1), expect: { status: 'success', output: 'SUCCESS', verdict: 'pass', message: /^$/ } },
    {
      name: 'Not Authorized',
      inputs: { 'railway-token': 'expired-project-token-4711' },
      expect: {
        status: 'error',
        output: 'error',
        verdict: 'fail',
        message:
          /Railway refused ProjectToken: "Not Authorized"\. railway-token was sent as a project token \(railway-token-type: auto chose project because railway-project is not set\)/,
      },
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      await withServer(async (server) => {
        if (c.scenario) server.setScenario(F.serviceId, c.scenario);
        c.prepare?.(server);
        const { run, deploy } = await runAction(server, c.inputs ?? {});
        assert.equal(deploy?.status, c.expect.status, `${deploy?.reason ?? ''}\n${run.main.stdout}`);
        assert.equal(run.outputs['deployment-status'], c.expect.output);
        assert.equal(run.report?.['verdict'], c.expect.verdict);
        assert.match(deploy.reason ?? '', c.expect.message);
        if (c.expect.verdict === 'fail') {
          // The headline of the failed run, as the runner shows it, and in the summary.
          assert.match(run.main.stdout, /::error::Deploy to Railway (failed|timed out|is waiting for approval): /);
          assert.match(run.summary, /### ❌ deploy-check failed: Deploy to Railway/);
          assert.equal(run.main.exitCode, 1);
        }
        if (c.name === '429 then success') {
          assert.equal(server.calls.filter((x) => x.status === 429).length, 2);
          assert.match(run.main.stdout, /Railway's rate limit was reached \(ProjectToken\); trying again in 1\.0 s as its Retry-After asks/);
          assert.equal(server.mutationCounts['serviceInstanceDeployV2'], 1);
        }
        if (c.name === 'Not Authorized') {
          assert.match(run.main.stdout, /::warning::Could not read the Railway service's settings/);
          assert.deepEqual(server.mutationCounts, {});
          assertNowhere(run, 'expired-project-token-4711');
        }
        if (c.scenario === 'build-fails') assert.match(run.summary, /<summary>Railway build logs \(last \d+ of \d+\)<\/summary>[\s\S]*fastapi==99\.0/);
        if (c.scenario === 'crashes') assert.match(run.summary, /<summary>Railway deploy logs \(last \d+ of \d+\)<\/summary>[\s\S]*Traceback/);
      });
    });
  }
});

describe('the local command', () => {
  test("deploy: auto means never locally; --deploy always deploys the checkout's HEAD", async () => {
    await withServer(async (server) => {
      const image = `deploy-check-test/railway-${unique()}:ci`;
      const cli = (extra: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
        new Promise((resolve) => {
          execFile(
            NODE24,
            [
              path.join(REPO_ROOT, 'dist/cli.js'),
              '--context',
              'test/fixtures/healthy',
              '--image',
              image,
              '--railway-token',
              F.projectToken,
              '--deploy-timeout',
              '20s',
              ...extra,
            ],
            { cwd: REPO_ROOT, env: { ...process.env, RAILWAY_GRAPHQL_ENDPOINT: server.url } },
            (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
          );
        });
      built.add(`${MAIN_ENGINE} ${image}`);
      {
        const auto = await cli([]);
        assert.equal(auto.code, 0, auto.stderr);
        assert.match(auto.stdout, /- deploy {3}skipped: deploy is "auto" and this is a local run: auto deploys only from GitHub Actions; pass --deploy always/);
        assert.equal(server.deployments.length, 0);

        const always = await cli(['--deploy', 'always']);
        assert.equal(always.code, 0, always.stderr + always.stdout);
        const head = (await promisify(execFile)('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT })).stdout.trim();
        assert.equal(server.deployments[0]?.commitSha, head);
        assert.match(always.stdout, /✔ deploy {3}SUCCESS at https:\/\/web-production\.up\.railway\.app, commit [0-9a-f]{7} in /);
        assert.ok(!(always.stdout + always.stderr).includes(F.projectToken));
      }
    });
  });
});
