/**
 * Railway the way teams run it, end to end through the bundled action (dist/main.js + dist/post.js
 * run as a runner runs them) on a real build of a tiny busybox app: services linked to the
 * repository with deployment triggers ("Wait for CI"), a rollback after a failed smoke check, a
 * cancel at deploy-timeout, and a preview environment per pull request with its sticky comment.
 * The local Railway server validates every request against the project's SDL; the local GitHub
 * server validates against GitHub's OpenAPI description.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { RailwayClient } from '../../src/railway/client.ts';
import { findOrCreatePreview } from '../../src/deploy/railway/preview.ts';
import { runActionSteps, type ActionRun } from '../support/action-runner.ts';
import { CLASSIC_ENGINE, MAIN_ENGINE, engineUsable, leftovers } from '../support/docker.ts';
import { pullRequestEvent, pushEvent, startGitHubServer, type GitHubServer, type PullRequestSeed } from '../support/github-server.ts';
import { RAILWAY_FIXTURE as F, startRailwayServer, type RailwayServer } from '../support/railway-server.ts';

const SHA = '9d3b2a1c0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c';
const PREVIOUS_SHA = '0a1b2c3d4e5f60718293a4b5c6d7e8f901234567';
const HEAD_SHA = '1f2e3d4c5b6a79881726354433221100ffeeddcc';
const HEAD_SHA_2 = '2e3d4c5b6a79881726354433221100ffeeddcc1f';
const MERGE_SHA = 'e'.repeat(40);
/** See comment-action.test.ts: the classic store avoids "failed to solve: not found" under parallel builds. */
const ENGINE = engineUsable(CLASSIC_ENGINE) ? CLASSIC_ENGINE : MAIN_ENGINE;

interface Deploy {
  status: string;
  reason: string | null;
  railwayStatus: string | null;
  deploymentId: string | null;
  url: string | null;
  commit: string | null;
  trigger: { repository: string; branch: string; checkSuites: boolean } | null;
  dashboardUrl: string | null;
  rollback: { status: string; to: string | null; commit: string | null; reason: string } | null;
  cancelled: boolean;
  preview: {
    action: string;
    pullRequest: number;
    environmentName: string;
    environmentId: string | null;
    created: boolean;
    url: string | null;
    reason: string | null;
  } | null;
}

let appDir = '';
let failingDir = '';
const built = new Set<string>();

/** A busybox httpd app of its own content; `broken` answers 500 on /health. */
async function makeApp(broken: boolean): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dc-railway-app-'));
  await mkdir(path.join(dir, 'www', 'cgi-bin'), { recursive: true });
  await writeFile(path.join(dir, 'www', 'health'), `ok ${path.basename(dir)} ${Date.now()}\n`);
  const lines = ['FROM deploy-check-test/busybox:latest', 'COPY www/ /www/'];
  if (broken) {
    await writeFile(path.join(dir, 'www', 'cgi-bin', 'health'), '#!/bin/sh\necho "Status: 500 Internal Server Error"\necho\necho broken\n', { mode: 0o755 });
  }
  lines.push('EXPOSE 8000', `CMD ["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 8000 -h /www & wait"]`, '');
  await writeFile(path.join(dir, 'Dockerfile'), lines.join('\n'));
  return dir;
}

beforeAll(async () => {
  appDir = await makeApp(false);
  failingDir = await makeApp(true);
});

afterAll(async () => {
  for (const image of built) {
    await promisify(execFile)('docker', ['image', 'rm', '--force', image], { env: { ...process.env, DOCKER_HOST: ENGINE } }).catch(() => undefined);
  }
  await rm(appDir, { recursive: true, force: true });
  await rm(failingDir, { recursive: true, force: true });
});

interface RunOptions {
  event?: 'push' | 'pull_request';
  payload?: unknown;
  env?: Record<string, string>;
  github?: GitHubServer;
  broken?: boolean;
}

async function runAction(railway: RailwayServer, inputs: Record<string, string>, options: RunOptions = {}): Promise<{ run: ActionRun; deploy: Deploy | null }> {
  const event = options.event ?? 'push';
  const image = `deploy-check-test/railway-wf-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}:ci`;
  built.add(image);
  const payload = options.payload ?? pushEvent({ owner: 'acme', repo: 'shop', ref: 'main', sha: SHA });
  const run = await runActionSteps({
    inputs: {
      context: options.broken ? failingDir : appDir,
      image,
      'health-path': options.broken ? '/cgi-bin/health' : '/health',
      'health-timeout': options.broken ? '3s' : '30s',
      'railway-token': F.projectToken,
      'deploy-timeout': '20s',
      ...(options.github ? { 'github-token': 'ghs_installation_token' } : {}),
      ...inputs,
    },
    eventName: event,
    eventPayload: payload,
    env: {
      DOCKER_HOST: ENGINE,
      RAILWAY_GRAPHQL_ENDPOINT: railway.url,
      GITHUB_SHA: event === 'push' ? SHA : MERGE_SHA,
      GITHUB_REF: event === 'push' ? 'refs/heads/main' : 'refs/pull/7/merge',
      ...(options.github ? { GITHUB_API_URL: options.github.url } : {}),
      ...options.env,
    },
  });
  const runId = run.state['run-id'];
  if (runId) assert.deepEqual(leftovers(runId, ENGINE), { containers: [], networks: [] }, 'the run left containers or networks behind');
  return { run, deploy: (run.report?.['deploy'] ?? null) as Deploy | null };
}

async function withRailway(fn: (server: RailwayServer) => Promise<void>): Promise<void> {
  const server = await startRailwayServer();
  try {
    await fn(server);
    assert.deepEqual(server.violations, [], 'every request is valid against the Railway SDL');
  } finally {
    await server.close();
  }
}

function explain(run: ActionRun): string {
  return `exit ${run.main.exitCode}\n${run.main.stdout.slice(-4000)}\n${run.main.stderr.slice(-2000)}`;
}

/** A stand-in for the deployed app's public URL, answering every request with `status`. */
async function publicApp(status: number): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(status === 200 ? 'ok' : 'broken');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe.concurrent('services linked to the repository (deployment triggers)', () => {
  test('"Wait for CI": no deploy mutation, Railway\'s own WAITING deployment reported as delegated, the step passes', async () => {
    await withRailway(async (railway) => {
      railway.service(F.serviceId).triggers = [{ repository: 'acme/shop', branch: 'main', checkSuites: true }];
      const railways = railway.githubPush({ sha: SHA });
      const { run, deploy } = await runAction(railway, {});
      assert.equal(run.main.exitCode, 0, explain(run));
      assert.equal(deploy?.status, 'delegated', deploy?.reason ?? explain(run));
      assert.equal(deploy.deploymentId, railways.id);
      assert.equal(deploy.railwayStatus, 'WAITING');
      assert.deepEqual(deploy.trigger, { repository: 'acme/shop', branch: 'main', checkSuites: true });
      assert.equal(deploy.dashboardUrl, `https://railway.com/project/${F.projectId}/service/${F.serviceId}?environmentId=${F.environmentId}&id=${railways.id}`);
      assert.deepEqual(railway.mutationCounts, {}, 'deploy-check started no deployment');
      assert.equal(railway.deployments.length, 1);
      assert.equal(run.outputs['deployment-id'], railways.id);
      assert.match(run.summary, /Railway deploys this commit by itself once this workflow's checks pass/);
      assert.match(
        deploy.reason ?? '',
        /Railway deploys commit 9d3b2a1 by itself once this workflow's checks pass \("Wait for CI" on the service's main trigger for acme\/shop\)/,
      );
      // WAITING is never an approval.
      assert.doesNotMatch(`${run.summary}\n${run.main.stdout}`, /approv/i);
    });
  });

  test('no "Wait for CI": follows Railway\'s own deployment of the commit and fails when it fails', async () => {
    await withRailway(async (railway) => {
      railway.service(F.serviceId).triggers = [{ repository: 'acme/shop', branch: 'main', checkSuites: false }];
      const railways = railway.githubPush({ sha: SHA, scenario: 'build-fails' });
      const { run, deploy } = await runAction(railway, {});
      assert.notEqual(run.main.exitCode, 0, explain(run));
      assert.equal(deploy?.status, 'failed', explain(run));
      assert.equal(deploy.deploymentId, railways.id);
      assert.equal(deploy.railwayStatus, 'FAILED');
      assert.equal(deploy.trigger?.checkSuites, false);
      assert.match(
        deploy.reason ?? '',
        new RegExp(`Railway deployment ${railways.id} ended FAILED: the build or deploy failed at Railway; last log line: ERROR: failed to solve`),
      );
      assert.deepEqual(railway.mutationCounts, {}, 'no second deployment of the same commit');
      assert.ok(railways.seenStatuses.length >= 2, "deploy-check polled Railway's deployment");
      assert.equal(run.report?.['verdict'], 'fail');
    });
  });

  test('deploy-trigger: api deploys through the API even with a trigger; a deployment Railway holds WAITING is never an approval', async () => {
    await withRailway(async (railway) => {
      railway.service(F.serviceId).triggers = [{ repository: 'acme/shop', branch: 'main', checkSuites: true }];
      railway.setScenario(F.serviceId, 'waiting-for-ci');
      const { run, deploy } = await runAction(railway, { 'deploy-trigger': 'api' });
      assert.equal(railway.mutationCounts['serviceInstanceDeployV2'], 1);
      assert.equal(railway.deployments[0]?.commitSha, SHA);
      assert.equal(deploy?.trigger, null);
      assert.equal(deploy.railwayStatus, 'WAITING');
      assert.equal(deploy.status, 'delegated', explain(run));
      // deploy-wait-approval is fail by default: WAITING is not a person, so the step passes.
      assert.equal(run.main.exitCode, 0, explain(run));
      assert.doesNotMatch(`${run.summary}\n${deploy.reason ?? ''}`, /approv|person/i);
      assert.match(deploy.reason ?? '', /is WAITING: Railway holds the deployment until the commit's GitHub checks pass/);
    });
  });
});

test('a token that may not read deployment triggers deploys through the API with a warning; a service without a repository is not asked', async () => {
  await withRailway(async (railway) => {
    railway.refusedFields.add('deploymentTriggers');
    const refused = await runAction(railway, {});
    assert.equal(refused.run.main.exitCode, 0, explain(refused.run));
    assert.equal(refused.deploy?.status, 'success');
    assert.equal(railway.mutationCounts['serviceInstanceDeployV2'], 1);
    assert.match(refused.run.main.stdout, /::warning::Could not read the service's deployment triggers \(Not Authorized\); deploying through the API/);
  });
  await withRailway(async (railway) => {
    railway.service(F.serviceId).source = { image: 'ghcr.io/acme/shop@sha256:' + '1'.repeat(64), repo: null };
    const { run, deploy } = await runAction(railway, {});
    assert.equal(run.main.exitCode, 0, explain(run));
    assert.equal(deploy?.status, 'success');
    assert.equal(railway.calls.filter((c) => c.operationName === 'DeploymentTriggers').length, 0);
  });
});

describe('rollback and cancel', () => {
  test('a deployment that fails its smoke check after SUCCESS is rolled back to the previous SUCCESS deployment; deploy-rollback: false leaves it', async () => {
    const app = await publicApp(500);
    try {
      await withRailway(async (railway) => {
        const older = railway.seedDeployment({ commitSha: 'f'.repeat(40), status: 'SUCCESS', createdAt: new Date(Date.now() - 7200_000) });
        const live = railway.seedDeployment({ commitSha: PREVIOUS_SHA, status: 'SUCCESS' });
        railway.setDeploymentUrl(F.serviceId, app.url);
        const { run, deploy } = await runAction(railway, { 'smoke-path': '/health', 'smoke-timeout': '2s' });
        assert.notEqual(run.main.exitCode, 0, explain(run));
        assert.equal(deploy?.status, 'failed');
        assert.equal(deploy.railwayStatus, 'SUCCESS');
        assert.deepEqual(deploy.rollback, { to: live.id, commit: PREVIOUS_SHA, status: 'rolled-back', reason: `rolled back to ${live.id} (0a1b2c3)` });
        assert.deepEqual(
          railway.rollbacks.map((r) => r.to),
          [live.id],
        );
        assert.notEqual(live.id, older.id);
        assert.match(run.main.stdout, new RegExp(`rolled back to ${live.id} \\(0a1b2c3\\)`));
        assert.match(run.summary, new RegExp(`↩️ rolled back to ${live.id} \\(0a1b2c3\\)`));
        assert.match(
          deploy.reason ?? '',
          /is live but the smoke check GET http:\/\/127\.0\.0\.1:\d+\/health got it answered 500 within 2\.0 s \(smoke-timeout\); rolled back to /,
        );
      });

      await withRailway(async (railway) => {
        const live = railway.seedDeployment({ commitSha: PREVIOUS_SHA, status: 'SUCCESS' });
        railway.setDeploymentUrl(F.serviceId, app.url);
        const { run, deploy } = await runAction(railway, { 'smoke-path': '/health', 'smoke-timeout': '2s', 'deploy-rollback': 'false' });
        assert.notEqual(run.main.exitCode, 0, explain(run));
        assert.equal(deploy?.status, 'failed');
        assert.equal(deploy.rollback?.status, 'off');
        assert.equal(deploy.rollback.to, live.id);
        assert.equal(railway.mutationCounts['deploymentRollback'] ?? 0, 0);
        assert.deepEqual(railway.rollbacks, []);
        assert.match(deploy.reason ?? '', /deploy-rollback is false: the deployment that failed its smoke check stays live/);
      });
    } finally {
      await new Promise((resolve) => app.server.close(resolve));
    }
  });

  test("a deployment of deploy-check's own still not final at deploy-timeout is cancelled", async () => {
    await withRailway(async (railway) => {
      railway.setScenario(F.serviceId, 'never-finishes');
      const { run, deploy } = await runAction(railway, { 'deploy-timeout': '3s' });
      assert.notEqual(run.main.exitCode, 0, explain(run));
      assert.equal(deploy?.status, 'timeout');
      assert.equal(deploy.cancelled, true);
      assert.equal(railway.mutationCounts['deploymentCancel'], 1);
      assert.equal(railway.deployments[0]?.cancelled, true);
      assert.match(
        deploy.reason ?? '',
        /had no verdict within 3\.0 s \(deploy-timeout\).*deploy-check cancelled it \(deploymentCancel\) so that it cannot go live later unobserved/,
      );
      assert.match(run.summary, /deploy-check cancelled the deployment at deploy-timeout/);
    });
  });
});

describe('a preview environment per pull request', () => {
  const pr: PullRequestSeed = { owner: 'acme', repo: 'shop', number: 7, headRef: 'feature/export', headSha: HEAD_SHA, baseRef: 'main' };
  const previewInputs = {
    'railway-token': F.accountToken,
    'railway-token-type': 'account',
    'railway-project': F.projectId,
    'railway-environment': 'production',
    'railway-preview': 'true',
  };
  const prEnv = (seed: PullRequestSeed): Record<string, string> => ({ GITHUB_HEAD_REF: seed.headRef, GITHUB_BASE_REF: seed.baseRef });
  const comment = (github: GitHubServer): string =>
    github
      .comments('acme', 'shop', 7)
      .map((c) => c.body)
      .join('\n');

  test('created once, the head commit deployed only after the checks pass, the URL in the comment; closing deletes it', async () => {
    const github = await startGitHubServer({ pulls: [pr] });
    try {
      await withRailway(async (railway) => {
        // A pull request whose checks fail gets no environment.
        const failing = await runAction(railway, previewInputs, {
          event: 'pull_request',
          payload: pullRequestEvent({ ...pr, action: 'opened' }),
          env: prEnv(pr),
          github,
          broken: true,
        });
        assert.notEqual(failing.run.main.exitCode, 0);
        assert.equal(failing.deploy?.status, 'skipped');
        assert.equal(failing.deploy.preview?.action, 'skipped');
        assert.deepEqual(railway.mutationCounts, {}, 'nothing created or deployed before the checks pass');
        assert.match(comment(github), /Preview environment <code>pr-7<\/code> not updated: a check failed/);

        const first = await runAction(railway, previewInputs, {
          event: 'pull_request',
          payload: pullRequestEvent({ ...pr, action: 'synchronize' }),
          env: prEnv(pr),
          github,
        });
        assert.equal(first.run.main.exitCode, 0, explain(first.run));
        assert.equal(first.deploy?.status, 'success', first.deploy?.reason ?? '');
        const environment = railway.environments(F.projectId).find((e) => e.name === 'pr-7');
        assert.ok(environment, 'pr-7 exists');
        assert.equal(environment.isEphemeral, true);
        assert.equal(environment.sourceEnvironmentId, F.environmentId);
        assert.equal(railway.mutationCounts['environmentCreate'], 1);
        assert.equal(railway.mutationCounts['serviceDomainCreate'], 1, 'the copy got a domain of its own, as production has one');
        assert.equal(first.deploy.preview?.created, true);
        // The head commit, not GITHUB_SHA's merge commit Railway does not have.
        assert.deepEqual(
          railway.deployments.map((d) => [d.environmentId, d.commitSha]),
          [[environment.id, HEAD_SHA]],
        );
        assert.equal(first.deploy.preview.url, 'https://web-pr-7.up.railway.app');
        assert.equal(first.run.outputs['preview-url'], 'https://web-pr-7.up.railway.app');
        assert.match(
          comment(github),
          /🔎 Preview environment <code>pr-7<\/code> \(created by this run\): \[web-pr-7\.up\.railway\.app\]\(https:\/\/web-pr-7\.up\.railway\.app\/?\)/,
        );
        assert.match(first.run.summary, /web-pr-7\.up\.railway\.app/);

        const pushed = { ...pr, headSha: HEAD_SHA_2 };
        const second = await runAction(railway, previewInputs, {
          event: 'pull_request',
          payload: pullRequestEvent({ ...pushed, action: 'synchronize' }),
          env: prEnv(pushed),
          github,
        });
        assert.equal(second.run.main.exitCode, 0, explain(second.run));
        assert.equal(railway.mutationCounts['environmentCreate'], 1, 'the second push reuses pr-7');
        assert.equal(railway.mutationCounts['serviceDomainCreate'], 1, 'and its domain');
        assert.equal(second.deploy?.preview?.url, 'https://web-pr-7.up.railway.app');
        assert.equal(second.deploy.preview.created, false);
        assert.deepEqual(
          railway.deployments.map((d) => [d.environmentId, d.commitSha]),
          [
            [environment.id, HEAD_SHA],
            [environment.id, HEAD_SHA_2],
          ],
        );
        assert.equal(railway.deployments.filter((d) => d.environmentId === F.environmentId).length, 0, 'production untouched');

        const closed = await runAction(railway, previewInputs, {
          event: 'pull_request',
          payload: { ...pullRequestEvent({ ...pushed, action: 'opened' }), action: 'closed' },
          env: prEnv(pushed),
          github,
        });
        assert.equal(closed.run.main.exitCode, 0, explain(closed.run));
        assert.equal(closed.deploy?.preview?.action, 'deleted');
        assert.deepEqual(railway.deletedEnvironments, [environment.id]);
        assert.equal(
          railway.environments(F.projectId).some((e) => e.name === 'pr-7'),
          false,
        );
        assert.match(comment(github), /🧹 Preview environment <code>pr-7<\/code> deleted: the pull request was closed\./);
        assert.equal(github.comments('acme', 'shop', 7).length, 1, 'one sticky comment throughout');

        // Closed again (a re-run): already gone is fine.
        const again = await runAction(railway, previewInputs, {
          event: 'pull_request',
          payload: { ...pullRequestEvent({ ...pushed, action: 'opened' }), action: 'closed' },
          env: prEnv(pushed),
          github,
        });
        assert.equal(again.run.main.exitCode, 0, explain(again.run));
        assert.equal(again.deploy?.preview?.action, 'already-gone');
        assert.equal(railway.mutationCounts['environmentDelete'], 1);
      });
      assert.deepEqual(github.violations, []);
    } finally {
      await github.close();
    }
  });

  test('a pull request from a fork creates nothing', async () => {
    const fork: PullRequestSeed = { ...pr, number: 8, fork: true };
    const github = await startGitHubServer({ pulls: [fork] });
    try {
      await withRailway(async (railway) => {
        const { run, deploy } = await runAction(railway, previewInputs, {
          event: 'pull_request',
          payload: pullRequestEvent({ ...fork, action: 'opened' }),
          env: prEnv(fork),
          github,
        });
        assert.equal(run.main.exitCode, 0, explain(run));
        assert.equal(deploy?.status, 'skipped');
        assert.match(deploy.reason ?? '', /comes from acme-fork\/shop, not from acme\/shop: a fork gets no preview environment/);
        assert.deepEqual(railway.mutationCounts, {});
        assert.equal(railway.environments(F.projectId).length, 2);
      });
    } finally {
      await github.close();
    }
  });

  test('a project token with railway-preview fails in one sentence naming railway-token-type', async () => {
    await withRailway(async (railway) => {
      const { run } = await runAction(
        railway,
        { 'railway-preview': 'true' },
        { event: 'pull_request', payload: pullRequestEvent({ ...pr, action: 'opened' }), env: prEnv(pr) },
      );
      assert.notEqual(run.main.exitCode, 0);
      const line = run.main.stdout.split('\n').find((l) => l.startsWith('::error::'));
      assert.match(
        line ?? '',
        /^::error::Input "railway-preview": creating an environment per pull request needs an account or workspace token, and railway-token is used as a project token \(railway-token-type: auto, because railway-project is not set\): pass an account or workspace token with railway-token-type: account and railway-project$/,
      );
      assert.deepEqual(railway.mutationCounts, {});
    });
  });

  test('two runs creating pr-<n> at once end with one environment', async () => {
    await withRailway(async (railway) => {
      railway.environmentCreateDelayMs = 300;
      const client = (): RailwayClient => new RailwayClient({ endpoint: railway.url, token: F.accountToken, tokenType: 'account' });
      const target = {
        projectId: F.projectId,
        projectName: 'shop',
        environmentId: F.environmentId,
        environmentName: 'production',
        serviceId: F.serviceId,
        serviceName: 'web',
      };
      const [a, b] = await Promise.all([findOrCreatePreview(client(), target, 9), findOrCreatePreview(client(), target, 9)]);
      assert.equal(railway.mutationCounts['environmentCreate'], 2, 'both raced to create it');
      assert.equal(a.id, b.id, 'both use the same one');
      assert.deepEqual(
        railway
          .environments(F.projectId)
          .filter((e) => e.name === 'pr-9')
          .map((e) => e.id),
        [a.id],
      );
      assert.equal(railway.deletedEnvironments.length, 1);
      assert.equal([a.created, b.created].filter(Boolean).length, 1);
    });
  });
});
