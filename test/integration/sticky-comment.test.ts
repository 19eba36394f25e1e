/**
 * The sticky comment against the local GitHub server (every request validated against
 * GitHub's OpenAPI description), through the same octokit the action bundles.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { getOctokit } from '@actions/github';
import { upsertStickyComment, whoPosts, type StickyRequest } from '../../src/publish/sticky.ts';
import { commentMarker, formatMeta, parseMeta, type CommentMeta } from '../../src/report/comment.ts';
import { GITHUB_ACTIONS_BOT, startGitHubServer, type GitHubIdentity, type GitHubServer, type GitHubServerOptions } from '../support/github-server.ts';

const owner = 'acme';
const repo = 'shop';
const pr = 12;
const marker = commentMarker('default');
const target = { owner, repo, issueNumber: pr, marker };

async function withServer(options: GitHubServerOptions, body: (server: GitHubServer) => Promise<void>): Promise<void> {
  const server = await startGitHubServer(options);
  try {
    await body(server);
    assert.deepEqual(server.violations, [], "every request conforms to GitHub's description");
  } finally {
    await server.close();
  }
}

function request(runId: number, text: string, mayCreate = true): StickyRequest {
  const meta: CommentMeta = { runId, runAttempt: 1, sha: 'a'.repeat(40), verdict: 'pass' };
  return { meta, mayCreate, body: () => `${marker}\n${formatMeta(meta)}\n${text}` };
}

const octokitOf = (server: GitHubServer, token = 'ghs_installation') => getOctokit(token, { baseUrl: server.url });

test('first run creates, the next updates the same comment, an identical body is left alone', async () => {
  await withServer({}, async (server) => {
    const octokit = octokitOf(server);
    const first = await upsertStickyComment(octokit, target, request(100, 'first'));
    assert.equal(first.action, 'created');
    const second = await upsertStickyComment(octokit, target, request(101, 'second'));
    assert.equal(second.action, 'updated');
    assert.ok('id' in first && 'id' in second && first.id === second.id);
    const third = await upsertStickyComment(octokit, target, request(101, 'second'));
    assert.equal(third.action, 'unchanged');
    const comments = server.comments(owner, repo, pr);
    assert.equal(comments.length, 1);
    assert.match(comments[0]?.body ?? '', /second$/);
    assert.equal(comments[0]?.user.login, 'github-actions[bot]');
  });
});

test('GITHUB_TOKEN cannot read GET /user: the identity falls back to bots, a personal token reads itself', async () => {
  const alice: GitHubIdentity = { login: 'alice', id: 7, type: 'User' };
  await withServer({ tokens: { ghp_alice: alice } }, async (server) => {
    assert.deepEqual(await whoPosts(octokitOf(server)), { login: null, how: 'installation' });
    assert.deepEqual(await whoPosts(octokitOf(server, 'ghp_alice')), { login: 'alice', how: 'user' });
  });
});

test('a comment with our marker by someone else is neither updated nor deleted', async () => {
  const mallory: GitHubIdentity = { login: 'mallory', id: 666, type: 'User' };
  await withServer({ comments: [{ owner, repo, issueNumber: pr, body: `${marker}\nfake results`, user: mallory }] }, async (server) => {
    const outcome = await upsertStickyComment(octokitOf(server), target, request(100, 'real'));
    assert.equal(outcome.action, 'created');
    const comments = server.comments(owner, repo, pr);
    assert.deepEqual(
      comments.map((c) => c.user.login),
      ['mallory', 'github-actions[bot]'],
    );
    assert.match(comments[0]?.body ?? '', /fake results/);
  });
});

test("with a personal token only that person's comments count, not the bot's", async () => {
  const alice: GitHubIdentity = { login: 'alice', id: 7, type: 'User' };
  await withServer(
    { tokens: { ghp_alice: alice }, comments: [{ owner, repo, issueNumber: pr, body: `${marker}\nby the bot`, user: GITHUB_ACTIONS_BOT }] },
    async (server) => {
      const outcome = await upsertStickyComment(octokitOf(server, 'ghp_alice'), target, request(100, 'by alice'));
      assert.equal(outcome.action, 'created');
      assert.deepEqual(
        server.comments(owner, repo, pr).map((c) => c.user.login),
        ['github-actions[bot]', 'alice'],
      );
      const again = await upsertStickyComment(octokitOf(server, 'ghp_alice'), target, request(101, 'by alice again'));
      assert.equal(again.action, 'updated');
      assert.equal(server.comments(owner, repo, pr).length, 2);
    },
  );
});

test("another GitHub App's installation token finds its own comment again", async () => {
  const app: GitHubIdentity = { login: 'shop-ci[bot]', id: 99, type: 'Bot', canReadUser: false };
  await withServer({ tokens: { ghs_app: app } }, async (server) => {
    await upsertStickyComment(octokitOf(server, 'ghs_app'), target, request(100, 'one'));
    const again = await upsertStickyComment(octokitOf(server, 'ghs_app'), target, request(101, 'two'));
    assert.equal(again.action, 'updated');
    const comments = server.comments(owner, repo, pr);
    assert.equal(comments.length, 1);
    assert.equal(comments[0]?.user.login, 'shop-ci[bot]');
  });
});

test('more than 100 comments: ours is found on a later page and updated', async () => {
  await withServer({}, async (server) => {
    server.seedComments({ owner, repo, issueNumber: pr, count: 130, body: (i) => `review remark ${i}` });
    server.seedComments({ owner, repo, issueNumber: pr, body: `${marker}\nold`, user: GITHUB_ACTIONS_BOT });
    server.seedComments({ owner, repo, issueNumber: pr, count: 90, body: (i) => `later remark ${i}` });
    const outcome = await upsertStickyComment(octokitOf(server), target, request(100, 'new'));
    assert.equal(outcome.action, 'updated');
    const pages = server.requests.filter((r) => r.operationId === 'issues/list-comments').map((r) => r.query['page'] ?? '1');
    assert.deepEqual(pages, ['1', '2', '3']);
    const ours = server.comments(owner, repo, pr).filter((c) => c.body.startsWith(marker));
    assert.equal(ours.length, 1);
    assert.match(ours[0]?.body ?? '', /new$/);
    assert.equal(server.comments(owner, repo, pr).length, 221);
  });
});

test('two runs at the same moment both create, then settle on the oldest comment', async () => {
  await withServer({}, async (server) => {
    // Both first listings are answered only when both arrived: each sees no comment and creates one.
    server.holdTogether(/^GET \/repos\/acme\/shop\/issues\/12\/comments/, 2);
    // And both second listings too: each sees both comments.
    server.holdTogether(/^GET \/repos\/acme\/shop\/issues\/12\/comments/, 2);
    const [a, b] = await Promise.all([
      upsertStickyComment(octokitOf(server), target, request(200, 'run 200')),
      upsertStickyComment(octokitOf(server), target, request(201, 'run 201')),
    ]);
    const creates = server.requests.filter((r) => r.operationId === 'issues/create-comment');
    assert.equal(creates.length, 2, 'the race really happened');
    const comments = server.comments(owner, repo, pr);
    assert.equal(comments.length, 1);
    assert.ok('id' in a && 'id' in b);
    assert.equal(a.id, comments[0]?.id);
    assert.equal(b.id, comments[0]?.id);
    // The newer run's report wins, whichever finished last.
    assert.match(comments[0]?.body ?? '', /run 201$/);
    assert.equal(parseMeta(comments[0]?.body ?? '')?.runId, 201);
  });
});

test('duplicates left by an earlier race are removed, the oldest is kept', async () => {
  await withServer({}, async (server) => {
    const seeded = server.seedComments({ owner, repo, issueNumber: pr, count: 3, body: (i) => `${marker}\nold ${i}`, user: GITHUB_ACTIONS_BOT });
    const outcome = await upsertStickyComment(octokitOf(server), target, request(100, 'new'));
    assert.equal(outcome.action, 'updated');
    assert.ok('removedDuplicates' in outcome && outcome.removedDuplicates === 2);
    assert.deepEqual(
      server.comments(owner, repo, pr).map((c) => c.id),
      [seeded[0]?.id],
    );
  });
});

test('an older run does not overwrite what a newer run wrote', async () => {
  await withServer({}, async (server) => {
    const octokit = octokitOf(server);
    await upsertStickyComment(octokit, target, request(300, 'newer'));
    const outcome = await upsertStickyComment(octokit, target, request(299, 'older'));
    assert.equal(outcome.action, 'kept-newer');
    assert.match(server.comments(owner, repo, pr)[0]?.body ?? '', /newer$/);
  });
});

test('policy that forbids creating still updates an existing comment (the problem went away)', async () => {
  await withServer({}, async (server) => {
    const octokit = octokitOf(server);
    assert.equal((await upsertStickyComment(octokit, target, request(100, 'nothing', false))).action, 'not-created');
    assert.equal(server.comments(owner, repo, pr).length, 0);
    await upsertStickyComment(octokit, target, request(101, 'failed'));
    assert.equal((await upsertStickyComment(octokit, target, request(102, 'fixed', false))).action, 'updated');
    assert.match(server.comments(owner, repo, pr)[0]?.body ?? '', /fixed$/);
  });
});

test('a push to the default branch that deployed finds the merged pull request through the commit', async () => {
  const mergeSha = '9'.repeat(40);
  await withServer(
    { pulls: [{ owner, repo, number: pr, headRef: 'feature/x', headSha: 'b'.repeat(40), baseRef: 'main', state: 'closed', mergeCommitSha: mergeSha }] },
    async (server) => {
      const { checkRunTarget } = await import('../../src/publish/publish.ts');
      const { passingReport, deployResult } = await import('../support/reports.ts');
      const report = passingReport();
      report.deploy = deployResult({ url: null });
      const context = {
        eventName: 'push',
        owner,
        repo,
        serverUrl: 'https://github.com',
        apiUrl: server.url,
        sha: mergeSha,
        ref: 'refs/heads/main',
        headRef: null,
        runId: 9,
        runAttempt: 1,
        defaultBranch: 'main',
        pullRequest: null,
        payload: {},
      };
      const config = { mode: 'check' as const, reportFile: undefined, comment: 'auto' as const, commentKey: undefined, token: 't' };
      const target = await checkRunTarget(octokitOf(server), config, context, report);
      assert.ok(!('none' in target));
      assert.equal(target.issueNumber, pr);
      assert.equal(target.mayCreate, false, 'after the merge only an existing comment is updated');
      assert.match(target.notes.join(''), /Merged/);
      const quiet = await checkRunTarget(octokitOf(server), config, { ...context, ref: 'refs/heads/other' }, report);
      assert.ok('none' in quiet);
    },
  );
});

test('a server error or a rate limit gets one more try of the whole lookup, which finds what the first wrote', async () => {
  const { withOneRetry, isTransient } = await import('../../src/publish/sticky.ts');
  await withServer({}, async (server) => {
    const octokit = octokitOf(server);
    const waits: number[] = [];
    const wait = (ms: number): Promise<void> => {
      waits.push(ms);
      return Promise.resolve();
    };
    // The first listing fails (502): the whole lookup runs again after a pause.
    server.failNext(1, { status: 502, match: /^GET \/repos\/acme\/shop\/issues\/12\/comments/ });
    const first = await withOneRetry(() => upsertStickyComment(octokit, target, request(100, 'one')), wait);
    assert.equal(first.action, 'created');
    server.failNext(1, { status: 403, body: { message: 'You have exceeded a secondary rate limit.' }, headers: { 'retry-after': '3' }, match: /^PATCH / });
    const second = await withOneRetry(() => upsertStickyComment(octokit, target, request(101, 'two')), wait);
    assert.equal(second.action, 'updated');
    assert.deepEqual(waits, [2000, 3000]);
    assert.equal(server.comments(owner, repo, pr).length, 1);
    // A plain refusal is not retried.
    server.readOnly = true;
    await assert.rejects(
      withOneRetry(() => upsertStickyComment(octokit, target, request(102, 'three')), wait),
      (e: unknown) => !isTransient(e),
    );
    assert.equal(waits.length, 2);
  });
});
