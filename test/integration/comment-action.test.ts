/**
 * The pull-request comment end to end: the bundled action (dist/main.js, dist/post.js) run as a
 * runner runs it, a real build of a tiny busybox app on the real engine, and the local GitHub
 * server (validated against GitHub's OpenAPI description) behind GITHUB_API_URL.
 */
import { afterAll, test } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runActionSteps, type ActionRun } from '../support/action-runner.ts';
import { RAILWAY_FIXTURE, startRailwayServer } from '../support/railway-server.ts';
import {
  GITHUB_ACTIONS_BOT,
  pushEvent,
  pullRequestEvent,
  startGitHubServer,
  workflowRunEvent,
  loadGitHubOpenApi,
  type GitHubServer,
  type GitHubServerOptions,
  type PullRequestSeed,
} from '../support/github-server.ts';
import { CLASSIC_ENGINE, MAIN_ENGINE, engineUsable, leftovers } from '../support/docker.ts';
import { harmfulHtml, toHtml } from '../support/html-check.ts';
import { HOSTILE, deployResult, passingReport } from '../support/reports.ts';

const owner = 'acme';
const repo = 'shop';
const HEAD_SHA = '1f2e3d4c5b6a79881726354433221100ffeeddcc';
const MARKER = '<!-- deploy-check:default -->';
/**
 * The classic-store engine, as on GitHub's stock runners. The comment does not depend on the image
 * store, and on the test bed's containerd-store engine concurrent `buildx build --load` runs often
 * fail with "failed to solve: not found" (two at once, from any suites), which these tests
 * (two runs of one pull request at once) would otherwise trip over.
 */
const ENGINE = engineUsable(CLASSIC_ENGINE) ? CLASSIC_ENGINE : MAIN_ENGINE;

interface App {
  dir: string;
  cleanup(): Promise<void>;
}

/** A busybox httpd app; `crashLog` makes it print that file and exit 1 instead. */
async function makeApp(crashLog?: string): Promise<App> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dc-comment-app-'));
  await mkdir(path.join(dir, 'www'));
  // Content of its own: layers shared with images that parallel suites delete can vanish mid-build.
  await writeFile(path.join(dir, 'www', 'health'), `ok ${path.basename(dir)} ${Date.now()}\n`);
  const cmd = crashLog === undefined ? `["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 8000 -h /www & wait"]` : `["sh", "-c", "cat /crash.log; exit 1"]`;
  if (crashLog !== undefined) await writeFile(path.join(dir, 'crash.log'), crashLog);
  await writeFile(
    path.join(dir, 'Dockerfile'),
    [
      'FROM deploy-check-test/busybox:latest',
      'COPY www/ /www/',
      ...(crashLog !== undefined ? ['COPY crash.log /crash.log'] : []),
      'EXPOSE 8000',
      `CMD ${cmd}`,
      '',
    ].join('\n'),
  );
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Images the runs built, removed when the file is done (not between runs: see ENGINE). */
const built = new Set<string>();
afterAll(async () => {
  for (const image of built) {
    await promisify(execFile)('docker', ['image', 'rm', '--force', image], { env: { ...process.env, DOCKER_HOST: ENGINE } }).catch(() => undefined);
  }
});

function rememberImage(run: ActionRun): void {
  const ref = (run.report?.['image'] as { ref?: unknown } | undefined)?.ref;
  if (typeof ref === 'string') built.add(ref);
}

function seed(overrides: Partial<PullRequestSeed> = {}): PullRequestSeed {
  return { owner, repo, number: 12, headRef: 'feature/orders-export', headSha: HEAD_SHA, baseRef: 'main', ...overrides };
}

async function withServer(options: GitHubServerOptions, body: (server: GitHubServer) => Promise<void>): Promise<void> {
  const server = await startGitHubServer(options);
  try {
    await body(server);
    assert.deepEqual(server.violations, [], "every request conforms to GitHub's description");
  } finally {
    await server.close();
  }
}

async function runOnPullRequest(
  server: GitHubServer,
  app: App,
  pr: PullRequestSeed,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<ActionRun> {
  const run = await runActionSteps({
    inputs: { context: app.dir, 'health-path': '/health', 'health-timeout': '30s', 'github-token': 'ghs_installation_token', ...inputs },
    eventName: 'pull_request',
    eventPayload: pullRequestEvent({ ...pr, action: 'synchronize' }),
    env: {
      DOCKER_HOST: ENGINE,
      GITHUB_API_URL: server.url,
      GITHUB_HEAD_REF: pr.headRef,
      GITHUB_BASE_REF: pr.baseRef,
      GITHUB_REF: `refs/pull/${pr.number}/merge`,
      GITHUB_SHA: 'e'.repeat(40),
      ...env,
    },
  });
  // Only this run's: other suites may be using the engine at the same time.
  rememberImage(run);
  const runId = run.state['run-id'];
  if (runId) assert.deepEqual(leftovers(runId, ENGINE), { containers: [], networks: [] });
  return run;
}

function explain(run: ActionRun): string {
  return `exit ${run.main.exitCode}\n${run.main.stdout.slice(-3000)}\n${run.main.stderr.slice(-2000)}`;
}

test('first run creates the comment, the second updates it; outputs and summary match', async () => {
  const app = await makeApp();
  try {
    await withServer({ pulls: [seed()] }, async (server) => {
      const first = await runOnPullRequest(server, app, seed());
      assert.equal(first.main.exitCode, 0, explain(first));
      const comments = server.comments(owner, repo, 12);
      assert.equal(comments.length, 1);
      const comment = comments[0];
      assert.ok(comment);
      assert.equal(first.outputs['comment-id'], String(comment.id));
      assert.equal(first.outputs['comment-url'], `https://github.com/acme/shop/pull/12#issuecomment-${comment.id}`);
      assert.ok(comment.body.startsWith(`${MARKER}\n`));
      assert.match(comment.body, /### ✅ deploy-check passed/);
      assert.match(comment.body, /commit \[<code>1f2e3d4<\/code>\]\(https:\/\/github\.com\/acme\/shop\/commit\/1f2e3d4c/);
      assert.match(comment.body, /\[workflow run\]\(https:\/\/github\.com\/acme\/shop\/actions\/runs\/4242\)/);
      assert.equal(first.report?.['source'] && (first.report['source'] as Record<string, unknown>)['pullRequest'], 12);
      // The job summary holds the same report, and says what happened to the comment.
      assert.match(first.summary, /### ✅ deploy-check passed/);
      assert.match(first.summary, /💬 Posted the comment on pull request #\u200b12/);

      const second = await runOnPullRequest(server, app, seed(), {}, { GITHUB_RUN_ID: '4243' });
      assert.equal(second.main.exitCode, 0, explain(second));
      const after = server.comments(owner, repo, 12);
      assert.equal(after.length, 1, 'no second comment');
      assert.equal(after[0]?.id, comment.id);
      assert.match(after[0].body, /actions\/runs\/4243/);
      assert.equal(second.outputs['comment-id'], String(comment.id));
      assert.match(second.allText, /Updated the comment on pull request #12/);
      const ops = server.requests.map((r) => r.operationId);
      assert.equal(ops.filter((o) => o === 'issues/create-comment').length, 1);
      assert.equal(ops.filter((o) => o === 'issues/update-comment').length, 1);

      // The fork-safe comment workflow, run for the same (non-fork) pull request, finds the same
      // comment with the same content and leaves it alone.
      const reportFile = path.join(app.dir, 'report.json');
      await writeFile(reportFile, JSON.stringify(second.report));
      const forkSafe = await runActionSteps({
        inputs: { mode: 'comment', 'report-file': reportFile, 'github-token': 'ghs_installation_token' },
        eventName: 'workflow_run',
        eventPayload: workflowRunEvent({ owner, repo, runId: 4243, headSha: HEAD_SHA, headBranch: 'feature/orders-export', pullRequests: [{ number: 12 }] }),
        env: { GITHUB_API_URL: server.url, GITHUB_RUN_ID: '4300' },
        post: false,
      });
      assert.equal(forkSafe.main.exitCode, 0, explain(forkSafe));
      assert.match(forkSafe.main.stdout, /The comment on pull request #12 already says this/);
      assert.equal(server.requests.filter((r) => r.operationId === 'issues/update-comment').length, 1);
    });
  } finally {
    await app.cleanup();
  }
});

test('two runs of the same pull request at once end with one comment', async () => {
  // Two runners, two checkouts of the same commit.
  const app = await makeApp();
  const twin = await makeApp();
  try {
    await withServer({ pulls: [seed()] }, async (server) => {
      // Force the worst interleaving: both list before either creates, both list again after both created.
      server.holdTogether(/^GET \/repos\/acme\/shop\/issues\/12\/comments/, 2, 120_000);
      server.holdTogether(/^GET \/repos\/acme\/shop\/issues\/12\/comments/, 2, 120_000);
      const [a, b] = await Promise.all([
        runOnPullRequest(server, app, seed(), {}, { GITHUB_RUN_ID: '5000' }),
        runOnPullRequest(server, twin, seed(), {}, { GITHUB_RUN_ID: '5001' }),
      ]);
      assert.equal(a.main.exitCode, 0, explain(a));
      assert.equal(b.main.exitCode, 0, explain(b));
      assert.equal(server.requests.filter((r) => r.operationId === 'issues/create-comment').length, 2, 'both runs created a comment');
      const comments = server.comments(owner, repo, 12);
      assert.equal(comments.length, 1);
      assert.equal(a.outputs['comment-id'], String(comments[0]?.id));
      assert.equal(b.outputs['comment-id'], String(comments[0]?.id));
      assert.match(comments[0]?.body ?? '', /actions\/runs\/5001/, "the newer run's report stays");
    });
  } finally {
    await app.cleanup();
    await twin.cleanup();
  }
});

test('more than 100 comments on the pull request: ours is found on page 2 and updated in place', async () => {
  const app = await makeApp();
  try {
    await withServer({ pulls: [seed()] }, async (server) => {
      server.seedComments({ owner, repo, issueNumber: 12, count: 120, body: (i) => `review remark ${i}` });
      const [old] = server.seedComments({ owner, repo, issueNumber: 12, body: `${MARKER}\nan old report`, user: GITHUB_ACTIONS_BOT });
      server.seedComments({ owner, repo, issueNumber: 12, count: 30, body: (i) => `later remark ${i}` });
      const run = await runOnPullRequest(server, app, seed());
      assert.equal(run.main.exitCode, 0, explain(run));
      assert.equal(run.outputs['comment-id'], String(old?.id));
      const ours = server.comments(owner, repo, 12).filter((c) => c.body.startsWith(MARKER));
      assert.equal(ours.length, 1);
      assert.match(ours[0]?.body ?? '', /deploy-check passed/);
      assert.equal(server.comments(owner, repo, 12).length, 151);
      assert.ok(server.requests.some((r) => r.operationId === 'issues/list-comments' && r.query['page'] === '2'));
    });
  } finally {
    await app.cleanup();
  }
});

test("a fork's read-only token: 403 on creating the comment, the run passes, the summary says why and what to do", async () => {
  const app = await makeApp();
  try {
    const pr = seed({ fork: true });
    await withServer({ pulls: [pr], readOnly: true }, async (server) => {
      const run = await runOnPullRequest(server, app, pr);
      assert.equal(run.main.exitCode, 0, explain(run));
      assert.equal(run.outputs['verdict'], 'pass');
      assert.equal(run.outputs['comment-id'], '');
      assert.equal(server.comments(owner, repo, 12).length, 0);
      assert.ok(server.requests.some((r) => r.operationId === 'issues/create-comment' && r.status === 403));
      assert.match(run.summary, /### ✅ deploy-check passed/);
      assert.match(run.summary, /No comment on pull request #\u200b12: the token may not write there \(HTTP 403/);
      assert.match(run.summary, /workflow_run workflow with `mode: comment`/);
      assert.match(run.main.stdout, /::notice::No comment on pull request #12/);
      assert.doesNotMatch(run.main.stdout, /::error::/);
    });
  } finally {
    await app.cleanup();
  }
});

test('a hostile branch name and hostile log lines are rendered harmlessly', async () => {
  const app = await makeApp([...HOSTILE.flatMap((h) => h.split('\n')), '@everyone', '`````', ''].join('\n'));
  const branch = 'feat/</details><img/src=x/onerror=alert(1)>|pipes|@acme/team#1';
  try {
    const pr = seed({ headRef: branch });
    await withServer({ pulls: [pr] }, async (server) => {
      const run = await runOnPullRequest(server, app, pr);
      assert.equal(run.main.exitCode, 1, explain(run));
      assert.equal(run.outputs['verdict'], 'fail');
      const body = server.comments(owner, repo, 12)[0]?.body ?? '';
      assert.match(body, /### ❌ deploy-check failed/);
      assert.match(body, /Container logs/);
      assert.match(body, /<code>feat\/&lt;\/details&gt;&lt;img\/src=x\/onerror=alert\(1\)&gt;&#124;pipes&#124;@\u200bacme\/team#\u200b1<\/code>/);
      assert.deepEqual(harmfulHtml(toHtml(body)), []);
      assert.deepEqual(harmfulHtml(toHtml(run.summary)), []);
    });
  } finally {
    await app.cleanup();
  }
});

test("a 200 kB container log still makes a comment under GitHub's limit", async () => {
  const log = Array.from({ length: 100 }, (_, i) => `${String(i).padStart(3, '0')} ${'x'.repeat(2000)}`).join('\n') + '\n';
  const app = await makeApp(log);
  try {
    await withServer({ pulls: [seed()] }, async (server) => {
      const run = await runOnPullRequest(server, app, seed());
      assert.equal(run.main.exitCode, 1, explain(run));
      const body = server.comments(owner, repo, 12)[0]?.body ?? '';
      assert.ok(body.length > 10_000 && body.length <= 65_536, `comment of ${body.length} characters: ${body}\n${explain(run)}`);
      assert.match(body, /099 x+ … \(\d+ more characters\)/);
      assert.ok(run.summary.length > body.length, 'the job summary has more of the log');
    });
  } finally {
    await app.cleanup();
  }
});

test("workflow_run mode posts the comment of a fork's report file, for the pull request GitHub vouches for", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dc-comment-report-'));
  try {
    const report = passingReport();
    report.source.pullRequest = 12;
    report.source.runUrl = 'https://evil.example/phish';
    report.source.commit = 'f'.repeat(40);
    report.deploy = deployResult({ url: 'https://evil.example/' });
    const file = path.join(dir, 'report.json');
    await writeFile(file, JSON.stringify(report));
    const pr = seed({ fork: true });
    const payload = workflowRunEvent({ owner, repo, runId: 7777, headSha: HEAD_SHA, headBranch: pr.headRef, fork: true, pullRequests: [] });
    assert.deepEqual((await loadGitHubOpenApi()).validateWebhook('workflow-run-completed', payload), []);

    await withServer({ pulls: [pr, seed({ number: 13, headSha: 'c'.repeat(40), headRef: 'other' })] }, async (server) => {
      const run = await runActionSteps({
        inputs: { mode: 'comment', 'report-file': file, 'github-token': 'ghs_installation_token' },
        eventName: 'workflow_run',
        eventPayload: payload,
        env: { GITHUB_API_URL: server.url, GITHUB_RUN_ID: '8888' },
        post: false,
      });
      assert.equal(run.main.exitCode, 0, explain(run));
      const comments = server.comments(owner, repo, 12);
      assert.equal(comments.length, 1);
      const body = comments[0]?.body ?? '';
      assert.equal(run.outputs['comment-id'], String(comments[0]?.id));
      // What GitHub says wins over what the file says.
      assert.match(body, /\[workflow run\]\(https:\/\/github\.com\/acme\/shop\/actions\/runs\/7777\)/);
      assert.match(body, /commit \[<code>1f2e3d4<\/code>\]/);
      assert.doesNotMatch(body, /evil\.example/);
      assert.deepEqual(harmfulHtml(toHtml(body)), []);
      assert.match(run.summary, /### ✅ deploy-check passed/);
      assert.ok(server.requests.some((r) => r.operationId === 'pulls/get'));
      assert.ok(!server.requests.some((r) => r.operationId === 'issues/create-comment' && r.path.includes('/13/')));

      // The same report claiming another pull request: refused, nothing posted there.
      report.source.pullRequest = 13;
      await writeFile(file, JSON.stringify(report));
      const refused = await runActionSteps({
        inputs: { mode: 'comment', 'report-file': file, 'github-token': 'ghs_installation_token' },
        eventName: 'workflow_run',
        eventPayload: payload,
        env: { GITHUB_API_URL: server.url },
        post: false,
      });
      assert.equal(refused.main.exitCode, 0, explain(refused));
      assert.equal(server.comments(owner, repo, 13).length, 0);
      assert.match(refused.main.stdout, /::warning::No comment: the report names pull request #13, whose head is ccccccc, not 1f2e3d4/);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("after a deploy on the default branch, the merged pull request's comment shows the deployment", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dc-comment-deploy-'));
  try {
    const mergeSha = '9'.repeat(40);
    const report = passingReport();
    report.source.pullRequest = null;
    report.source.ref = 'refs/heads/main';
    report.deploy = deployResult();
    await mkdir(path.join(dir, 'artifact', 'api'), { recursive: true });
    await writeFile(path.join(dir, 'artifact', 'api', 'deploy-check-report-1.json'), JSON.stringify(report));
    const payload = workflowRunEvent({ owner, repo, runId: 9100, headSha: mergeSha, headBranch: 'main', event: 'push' });
    assert.deepEqual((await loadGitHubOpenApi()).validateWebhook('workflow-run-completed', payload), []);
    await withServer({ pulls: [seed({ state: 'closed', mergeCommitSha: mergeSha })] }, async (server) => {
      const [old] = server.seedComments({
        owner,
        repo,
        issueNumber: 12,
        body: `${MARKER}\n<!-- deploy-check-meta {"run":9000,"attempt":1,"sha":"${HEAD_SHA}","verdict":"pass"} -->\nthe pull request's report`,
        user: GITHUB_ACTIONS_BOT,
      });
      // A directory of reports, as actions/download-artifact leaves it.
      const run = await runActionSteps({
        inputs: { mode: 'comment', 'report-file': path.join(dir, 'artifact'), 'github-token': 'ghs_installation_token' },
        eventName: 'workflow_run',
        eventPayload: payload,
        env: { GITHUB_API_URL: server.url, GITHUB_RUN_ID: '9101' },
        post: false,
      });
      assert.equal(run.main.exitCode, 0, explain(run));
      const comments = server.comments(owner, repo, 12);
      assert.equal(comments.length, 1);
      assert.equal(comments[0]?.id, old?.id);
      const body = comments[0]?.body ?? '';
      assert.match(body, /🚀 Merged/);
      assert.match(body, /\| Deploy \| ✅ \| deployed/);
      assert.match(body, /\[shop-api-production\.up\.railway\.app\]\(https:\/\/shop-api-production\.up\.railway\.app\/\)/);
      assert.match(body, /commit \[<code>9999999<\/code>\]/);
      assert.ok(server.requests.some((r) => r.operationId === 'repos/list-pull-requests-associated-with-commit'));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a run that cannot start says so in the comment instead of leaving an earlier "passed" standing', async () => {
  const app = await makeApp();
  try {
    await withServer({ pulls: [seed()] }, async (server) => {
      const [old] = server.seedComments({
        owner,
        repo,
        issueNumber: 12,
        body: `${MARKER}\n<!-- deploy-check-meta {"run":4000,"attempt":1,"sha":"${'b'.repeat(40)}","verdict":"pass"} -->\n### ✅ deploy-check passed`,
        user: GITHUB_ACTIONS_BOT,
      });
      const run = await runOnPullRequest(server, app, seed(), { port: 'eighty' });
      assert.equal(run.main.exitCode, 1, explain(run));
      assert.match(run.main.stdout, /::error::Input "port"/);
      const comments = server.comments(owner, repo, 12);
      assert.equal(comments.length, 1);
      assert.equal(comments[0]?.id, old?.id);
      assert.match(comments[0]?.body ?? '', /### ❌ deploy-check could not run/);
      assert.match(comments[0]?.body ?? '', /Input &quot;port&quot;/);
      assert.doesNotMatch(comments[0]?.body ?? '', /passed/);
      assert.match(run.summary, /### ❌ deploy-check could not run/);
      assert.equal(run.outputs['comment-id'], String(old?.id));
    });
  } finally {
    await app.cleanup();
  }
});

test("a push to main that deploys to Railway updates the merged pull request's comment with the deployment", async () => {
  const app = await makeApp();
  const mergeSha = '3f2c1b0a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b';
  const railway = await startRailwayServer();
  try {
    await withServer({ pulls: [seed({ state: 'closed', mergeCommitSha: mergeSha })] }, async (server) => {
      const [old] = server.seedComments({
        owner,
        repo,
        issueNumber: 12,
        body: `${MARKER}\n<!-- deploy-check-meta {"run":4000,"attempt":1,"sha":"${HEAD_SHA}","verdict":"pass"} -->\nthe pull request's report`,
        user: GITHUB_ACTIONS_BOT,
      });
      const run = await runActionSteps({
        inputs: { context: app.dir, 'github-token': 'ghs_installation_token', 'railway-token': RAILWAY_FIXTURE.projectToken, 'deploy-timeout': '20s' },
        eventName: 'push',
        eventPayload: pushEvent({ owner, repo, ref: 'main', sha: mergeSha }),
        env: {
          DOCKER_HOST: ENGINE,
          GITHUB_API_URL: server.url,
          RAILWAY_GRAPHQL_ENDPOINT: railway.url,
          GITHUB_SHA: mergeSha,
          GITHUB_REF: 'refs/heads/main',
          GITHUB_RUN_ID: '9200',
        },
      });
      rememberImage(run);
      assert.equal(run.main.exitCode, 0, explain(run));
      assert.equal((run.report?.['deploy'] as { status?: string } | null)?.status, 'success');
      const comments = server.comments(owner, repo, 12);
      assert.equal(comments.length, 1);
      assert.equal(comments[0]?.id, old?.id);
      const body = comments[0]?.body ?? '';
      assert.match(body, /🚀 Merged/);
      assert.match(
        body,
        /\| Deploy \| ✅ \| deployed \(SUCCESS\) · to web \/ production · \[web-production\.up\.railway\.app\]\([^)]+\) · commit <code>3f2c1b0<\/code>/,
      );
      assert.match(body, /\[web-production\.up\.railway\.app\]\(https:\/\/web-production\.up\.railway\.app\/\)/);
      assert.match(body, /commit \[<code>3f2c1b0<\/code>\]\(https:\/\/github\.com\/acme\/shop\/commit\/3f2c1b0/);
      assert.equal(run.outputs['comment-id'], String(old?.id));
      assert.ok(server.requests.some((r) => r.operationId === 'repos/list-pull-requests-associated-with-commit' && r.path.includes(mergeSha)));
      assert.deepEqual(railway.violations, []);
    });
  } finally {
    await railway.close();
    await app.cleanup();
  }
});
