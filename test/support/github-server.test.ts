import { test } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getOctokit } from '@actions/github';
import { loadGitHubOpenApi, pullRequestEvent, pushEvent, startGitHubServer, workflowRunEvent } from './github-server.ts';
import type { GitHubServer, GitHubServerOptions } from './github-server.ts';

const owner = 'acme';
const repo = 'shop-api';
const headSha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

async function withServer(options: GitHubServerOptions, body: (server: GitHubServer) => Promise<void> | void): Promise<void> {
  const server = await startGitHubServer(options);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : undefined;
}

test('starts on loopback and says how long loading the description took', async () => {
  const started = performance.now();
  await withServer({}, (server) => {
    const ms = performance.now() - started;
    console.log(`github-server started in ${ms.toFixed(0)} ms (description loaded in ${server.specLoadMs.toFixed(0)} ms)`);
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(server.specLoadMs > 0, 'the description load is timed');
  });
});

test('a sticky comment lifecycle through octokit: create, list, update, delete', async () => {
  await withServer({}, async (server) => {
    const octokit = getOctokit('ghs_installation_token', { baseUrl: server.url });
    const created = await octokit.rest.issues.createComment({ owner, repo, issue_number: 12, body: '<!-- deploy-check -->\nfirst' });
    assert.equal(created.status, 201);
    assert.equal(created.data.user?.login, 'github-actions[bot]');
    assert.equal(created.data.user.type, 'Bot');
    assert.equal(created.data.user.id, 41898282);
    assert.match(created.data.html_url, /^https:\/\/github\.com\/acme\/shop-api\/issues\/12#issuecomment-\d+$/);

    const listed = await octokit.rest.issues.listComments({ owner, repo, issue_number: 12 });
    assert.deepEqual(
      listed.data.map((c) => c.id),
      [created.data.id],
    );

    const updated = await octokit.rest.issues.updateComment({ owner, repo, comment_id: created.data.id, body: '<!-- deploy-check -->\nsecond' });
    assert.equal(updated.data.body, '<!-- deploy-check -->\nsecond');
    const fetched = await octokit.rest.issues.getComment({ owner, repo, comment_id: created.data.id });
    assert.equal(fetched.data.body, '<!-- deploy-check -->\nsecond');

    const deleted = await octokit.rest.issues.deleteComment({ owner, repo, comment_id: created.data.id });
    assert.equal(deleted.status, 204);
    assert.deepEqual(server.comments(owner, repo, 12), []);
    await assert.rejects(octokit.rest.issues.getComment({ owner, repo, comment_id: created.data.id }), (e) => statusOf(e) === 404);

    assert.deepEqual(server.violations, []);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.operationId} ${r.status}`),
      [
        'POST issues/create-comment 201',
        'GET issues/list-comments 200',
        'PATCH issues/update-comment 200',
        'GET issues/get-comment 200',
        'DELETE issues/delete-comment 204',
        'GET issues/get-comment 404',
      ],
    );
  });
});

test('pagination beyond 100 comments follows the Link header', async () => {
  await withServer({ comments: [{ owner, repo, issueNumber: 3, count: 250, body: (i) => `comment ${i}` }] }, async (server) => {
    const octokit = getOctokit('t', { baseUrl: server.url });
    const all = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: 3, per_page: 100 });
    assert.equal(all.length, 250);
    assert.equal(all[249]?.body, 'comment 249');
    const pages = server.requests.map((r) => r.query['page'] ?? '1');
    assert.deepEqual(pages, ['1', '2', '3']);

    const first = await fetch(`${server.url}/repos/${owner}/${repo}/issues/3/comments?per_page=100`);
    assert.equal(
      first.headers.get('link'),
      `<${server.url}/repos/${owner}/${repo}/issues/3/comments?per_page=100&page=2>; rel="next", ` +
        `<${server.url}/repos/${owner}/${repo}/issues/3/comments?per_page=100&page=3>; rel="last"`,
    );
    const middle = await fetch(`${server.url}/repos/${owner}/${repo}/issues/3/comments?per_page=100&page=2`);
    assert.match(middle.headers.get('link') ?? '', /page=1>; rel="prev", .*page=3>; rel="next", .*page=3>; rel="last", .*page=1>; rel="first"$/);
    // GitHub caps per_page at 100.
    const capped = (await (await fetch(`${server.url}/repos/${owner}/${repo}/issues/3/comments?per_page=500`)).json()) as unknown[];
    assert.equal(capped.length, 100);
    assert.deepEqual(server.violations, []);
  });
});

test('a read-only token (fork pull request) cannot comment', async () => {
  await withServer({ readOnly: true }, async (server) => {
    const octokit = getOctokit('ghs_fork_token', { baseUrl: server.url });
    await assert.rejects(octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'x' }), (e: unknown) => {
      assert.equal(statusOf(e), 403);
      assert.match(String(e), /Resource not accessible by integration/);
      return true;
    });
    server.readOnly = false;
    const ok = await octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'x' });
    assert.equal(ok.status, 201);
    assert.deepEqual(server.violations, []);
  });
});

test('GET /user: 403 for an installation token, the user for a personal token', async () => {
  const tokens = { ghp_personal: { login: 'octo-dev', id: 4242, type: 'User' as const } };
  await withServer({ tokens }, async (server) => {
    const bot = getOctokit('ghs_installation', { baseUrl: server.url });
    await assert.rejects(bot.rest.users.getAuthenticated(), (e) => statusOf(e) === 403);
    const person = getOctokit('ghp_personal', { baseUrl: server.url });
    const me = await person.rest.users.getAuthenticated();
    assert.equal(me.data.login, 'octo-dev');
    const comment = await person.rest.issues.createComment({ owner, repo, issue_number: 5, body: 'by a person' });
    assert.equal(comment.data.user?.login, 'octo-dev');
    assert.deepEqual(server.violations, []);
  });
  await withServer({ rejectUnknownTokens: true, tokens }, async (server) => {
    const stranger = getOctokit('nope', { baseUrl: server.url });
    await assert.rejects(stranger.rest.issues.listComments({ owner, repo, issue_number: 1 }), (e) => statusOf(e) === 401);
  });
});

test('pull requests: get one, and find them by commit', async () => {
  const pulls = [{ owner, repo, number: 9, headRef: 'feature/x', headSha, baseRef: 'main', fork: true }];
  await withServer({ pulls }, async (server) => {
    const octokit = getOctokit('t', { baseUrl: server.url });
    const pr = await octokit.rest.pulls.get({ owner, repo, pull_number: 9 });
    assert.equal(pr.data.head.sha, headSha);
    assert.equal(pr.data.head.repo.full_name, 'acme-fork/shop-api');
    assert.equal(pr.data.base.repo.full_name, 'acme/shop-api');
    const byCommit = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: headSha });
    assert.deepEqual(
      byCommit.data.map((p) => p.number),
      [9],
    );
    const none = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: 'f'.repeat(40) });
    assert.deepEqual(none.data, []);
    await assert.rejects(octokit.rest.pulls.get({ owner, repo, pull_number: 10 }), (e) => statusOf(e) === 404);
    assert.deepEqual(server.violations, []);
  });
});

test('requests GitHub would reject are answered with an error and recorded', async () => {
  await withServer({}, async (server) => {
    const octokit = getOctokit('t', { baseUrl: server.url });
    // Routes typed as plain strings, so TypeScript lets through what GitHub would refuse.
    const create: string = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments';
    const list: string = 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments';
    await assert.rejects(octokit.request(create, { owner, repo, issue_number: 1, body: 42 }), (e) => statusOf(e) === 422);
    await assert.rejects(octokit.request(list, { owner, repo, issue_number: 'one' }), (e) => statusOf(e) === 422);
    await assert.rejects(octokit.request('GET /repos/{owner}/{repo}/no-such-thing', { owner, repo }), (e) => statusOf(e) === 404);
    await assert.rejects(octokit.request('GET /repos/{owner}/{repo}/issues', { owner, repo }), (e) => statusOf(e) === 501);
    assert.deepEqual(
      server.violations.map((v) => [v.kind, v.operationId, v.errors[0]]),
      [
        ['request', 'issues/create-comment', 'body/body must be string'],
        ['request', 'issues/list-comments', 'path/issue_number must be integer'],
        ['unknown-operation', null, "GET /repos/acme/shop-api/no-such-thing is not in GitHub's REST description"],
        ['unimplemented', 'issues/list-for-repo', 'issues/list-for-repo exists on GitHub but the local server does not implement it'],
      ],
    );
  });
});

test('a comment longer than GitHub allows is refused like GitHub does', async () => {
  await withServer({}, async (server) => {
    const octokit = getOctokit('t', { baseUrl: server.url });
    await assert.rejects(octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'x'.repeat(65537) }), (e: unknown) => {
      assert.equal(statusOf(e), 422);
      assert.match(String(e), /Body is too long/);
      return true;
    });
    assert.deepEqual(server.violations, []);
  });
});

test('delays and injected failures', async () => {
  await withServer({ delayMs: 150 }, async (server) => {
    const octokit = getOctokit('t', { baseUrl: server.url });
    const started = performance.now();
    await octokit.rest.issues.listComments({ owner, repo, issue_number: 1 });
    assert.ok(performance.now() - started >= 140);
    server.delayMs = 0;
    server.failNext(1, { status: 502, match: /^POST / });
    await assert.rejects(octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'x' }), (e) => statusOf(e) === 502);
    const second = await octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'x' });
    assert.equal(second.status, 201);
  });
});

test('event payloads conform to the webhook schemas and feed @actions/github context', async () => {
  const api = await loadGitHubOpenApi();
  const pr = pullRequestEvent({ owner, repo, number: 9, headRef: 'feature/x', headSha, baseRef: 'main', fork: true });
  assert.deepEqual(api.validateWebhook('pull-request-opened', pr), []);
  const sync = pullRequestEvent({ owner, repo, number: 9, headRef: 'feature/x', headSha, baseRef: 'main', action: 'synchronize' });
  assert.deepEqual(api.validateWebhook('pull-request-synchronize', sync), []);
  const push = pushEvent({ owner, repo, ref: 'main', sha: headSha });
  assert.deepEqual(api.validateWebhook('push', push), []);
  // The validator does reject a broken payload.
  assert.notDeepEqual(api.validateWebhook('push', { ...push, after: 7 }), []);

  const dir = await mkdtemp(join(tmpdir(), 'gh-event-'));
  try {
    const eventPath = join(dir, 'event.json');
    await writeFile(eventPath, JSON.stringify(pr));
    const script =
      "import { context } from '@actions/github';" +
      'console.log(JSON.stringify({ issue: context.issue, repo: context.repo, head: context.payload.pull_request?.head, base: context.payload.pull_request?.base?.ref }));';
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url),
      env: { ...process.env, GITHUB_EVENT_PATH: eventPath, GITHUB_EVENT_NAME: 'pull_request', GITHUB_REPOSITORY: `${owner}/${repo}` },
    });
    const seen = JSON.parse(stdout) as {
      issue: { number: number; owner: string; repo: string };
      head: { sha: string; ref: string; repo: { full_name: string } };
      base: string;
    };
    assert.deepEqual(seen.issue, { owner, repo, number: 9 });
    assert.equal(seen.head.sha, headSha);
    assert.equal(seen.head.ref, 'feature/x');
    assert.equal(seen.head.repo.full_name, 'acme-fork/shop-api');
    assert.equal(seen.base, 'main');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('holdTogether answers matching requests only once all of them arrived', async () => {
  await withServer({}, async (server) => {
    const octokit = getOctokit('ghs_installation_token', { baseUrl: server.url });
    server.holdTogether(/^GET \/repos\/acme\/shop-api\/issues\/1\/comments/, 2);
    const order: string[] = [];
    const first = octokit.rest.issues.listComments({ owner, repo, issue_number: 1 }).then(() => order.push('first answered'));
    await new Promise((r) => setTimeout(r, 200));
    order.push('second sent');
    const second = octokit.rest.issues.listComments({ owner, repo, issue_number: 1 }).then(() => order.push('second answered'));
    await Promise.all([first, second]);
    assert.deepEqual(order.slice(0, 1), ['second sent'], 'the first request waited for the second');
    assert.deepEqual(server.violations, []);
  });
});

test("workflow_run payloads are valid against GitHub's webhook schema, for forks and pushes too", async () => {
  const spec = await loadGitHubOpenApi();
  for (const options of [
    { owner, repo, runId: 1, headSha, headBranch: 'feature', pullRequests: [{ number: 3 }] },
    { owner, repo, runId: 2, headSha, headBranch: 'feature', fork: true },
    { owner, repo, runId: 3, headSha, headBranch: 'main', event: 'push' as const, conclusion: 'failure' as const },
  ]) {
    assert.deepEqual(spec.validateWebhook('workflow-run-completed', workflowRunEvent(options)), []);
  }
});
