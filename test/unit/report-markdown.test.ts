import { test } from 'vitest';
import assert from 'node:assert/strict';
import { codeBlock, codeDetails, escapeInline, safeUrl, stripControls } from '../../src/report/escape.ts';
import { renderMarkdown, renderMarkdownWithin, layerChanges } from '../../src/report/markdown.ts';
import { checkRows, sizeIcon, SIZE_SCALE } from '../../src/report/checks.ts';
import { COMMENT_MAX_CHARS, renderCommentBody } from '../../src/report/comment.ts';
import type { CheckReport } from '../../src/model/report.ts';
import { SKIPPED_SIZE } from '../../src/model/skipped.ts';
import { checkReport } from '../../src/report/validate.ts';
import { HOSTILE, crashedReport, deployResult, hostileReport, passingReport } from '../support/reports.ts';
import { harmfulHtml, toHtml } from '../support/html-check.ts';

const meta = { runId: 4242, runAttempt: 1, sha: 'a'.repeat(40), verdict: 'fail' as const };

test('escapeInline keeps each hostile string as text', () => {
  for (const hostile of HOSTILE) {
    const escaped = escapeInline(hostile);
    assert.doesNotMatch(escaped, /[<>|`\n]/, hostile);
    assert.doesNotMatch(escaped, /!\[/, hostile);
    assert.doesNotMatch(escaped, /@[a-z]/i, hostile);
    assert.doesNotMatch(escaped, /(?<!&)#\d/, hostile);
    const html = toHtml(`| a | b |\n|---|---|\n| ${escaped} | x |\n`);
    assert.deepEqual(harmfulHtml(html), [], `${hostile} → ${html}`);
  }
});

test('escapeInline: the text a reader sees is the text that came in', () => {
  const html = toHtml(escapeInline('a <b> | c & `d` *e* _f_ [g](h) ![i](j) \\'));
  const text = html
    .replace(/<\/?p>/g, '')
    .trim()
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
  assert.equal(text, 'a <b> | c & `d` *e* _f_ [g](h) ![i](j) \\');
});

test('escapeInline: mentions and references are broken by an invisible space, not removed', () => {
  assert.equal(escapeInline('@org/team #12'), '@\u200borg/team #\u200b12');
  assert.equal(escapeInline('mail me@x'), 'mail me@\u200bx');
  assert.equal(escapeInline('fixes GH-12'), 'fixes GH-\u200b12');
});

test('escapeInline: one line, limited length, no terminal escapes or bidi overrides', () => {
  assert.equal(escapeInline('a\nb\r\nc'), 'a b c');
  assert.equal(Array.from(escapeInline('x'.repeat(500), 100)).length, 100);
  assert.equal(stripControls('\u001b[31mred\u001b[0m \u202eevil'), 'red evil');
});

test('codeBlock: a fence longer than any backtick run inside, so logs cannot close it', () => {
  const block = codeBlock(['```', '````', 'ok']);
  assert.ok(block.startsWith('`````text\n'));
  assert.ok(block.endsWith('\n`````'));
  const html = toHtml(codeDetails('logs </details>', ['```', '</details>', '<img src=x>', '@org/team', '<!-- -->']));
  assert.deepEqual(harmfulHtml(html), []);
  assert.match(html, /&lt;\/details&gt;/);
});

test('codeBlock: very long lines are cut and say by how much', () => {
  const block = codeBlock(['y'.repeat(1000)], 100);
  assert.match(block, /y{100} … \(900 more characters\)/);
});

test('safeUrl: http(s) only, nothing that ends a Markdown link', () => {
  assert.equal(safeUrl('javascript:alert(1)'), null);
  assert.equal(safeUrl('data:text/html,x'), null);
  assert.equal(safeUrl(42), null);
  assert.equal(safeUrl('https://github.com/a/b/actions/runs/1'), 'https://github.com/a/b/actions/runs/1');
  assert.doesNotMatch(safeUrl('https://x.dev/a)b(c') ?? '', /[()]/);
});

test('a passing report: verdict first, then the checks table with all six checks', () => {
  const md = renderMarkdown(passingReport());
  const lines = md.split('\n');
  assert.match(lines[0] ?? '', /^### ✅ deploy-check passed/);
  for (const name of ['Build', 'Cache', 'Health', 'Size', 'Hygiene', 'Deploy']) assert.match(md, new RegExp(`^\\| ${name} \\| `, 'm'));
  assert.match(md, /\| Compressed \| 105 MB \| 98\.7 MB \| \+6\.2 MB \| \+6\.3% \| 🟠 \|/);
  assert.match(md, /🔴 \+6\.2 MB \| 54\.6 MB \| 14 \| <code>COPY --from=builder/);
  assert.match(md, /\[<code>3f768f7<\/code>\]\(https:\/\/github\.com\/acme\/shop\/commit\/3f768f7/);
  assert.match(md, /\[workflow run\]\(https:\/\/github\.com\/acme\/shop\/actions\/runs\/4242\)/);
  assert.deepEqual(harmfulHtml(toHtml(md)), []);
});

test('a crashed container: exit code, OOM flag and the last log lines inside <details>', () => {
  const r = crashedReport();
  if (r.health.container) r.health.container.oomKilled = true;
  const md = renderMarkdown(r);
  assert.match(md, /^### ❌ deploy-check failed: Health check failed/m);
  assert.match(md, /container exited with code 1/);
  assert.match(md, /out of memory \(OOM\)/);
  assert.match(md, /<details open><summary>Container logs \(8 lines\)<\/summary>\n\n```text\nTraceback/);
  assert.match(md, /KeyError: 'DATABASE_URL'\n```\n\n<\/details>/);
  assert.deepEqual(harmfulHtml(toHtml(md)), []);
});

test('a report full of hostile strings renders harmlessly', () => {
  const md = renderCommentBody(hostileReport(), { key: 'default', meta, previous: null }).text;
  const html = toHtml(md);
  assert.deepEqual(harmfulHtml(html), []);
  // The marker is the first line; anywhere else (log lines) it is code, not an HTML comment.
  assert.ok(md.startsWith('<!-- deploy-check:default -->\n'));
  const outsideCode = html.replace(/<pre>[\s\S]*?<\/pre>/g, '');
  assert.equal(outsideCode.split('<!-- deploy-check:default -->').length - 1, 1);
});

test('sections that are absent or malformed never reach the renderer: the report file is refused, naming the field', () => {
  const r = passingReport() as unknown as Record<string, unknown>;
  const variants: Array<[string, unknown, RegExp]> = [
    ['size', null, /^size is null, not an object$/],
    ['size', { status: 'skipped' }, /^size\.bytes is missing$/],
    ['hygiene', undefined, /^hygiene is missing$/],
    ['hygiene', 'skipped', /^hygiene is a string, not an object$/],
    ['build', { status: 'success', durationMs: 'x', steps: null, cache: null }, /^build\.(durationMs is a string|steps is null|cache is null)/],
    [
      'health',
      { status: 'unhealthy', logs: 'one\ntwo', container: null, healthLog: [{ exitCode: 1, output: 'curl: (7)' }] },
      /^health\.(logs is a string|healthLog\[0\]\.start is missing)/,
    ],
    ['source', {}, /^source\.\w+ is missing$/],
  ];
  for (const [section, value, problem] of variants) {
    const checked = checkReport(JSON.parse(JSON.stringify({ ...r, [section]: value })));
    assert.equal(checked.ok, false, `${section}=${JSON.stringify(value)}`);
    assert.match(checked.problems[0] ?? '', problem, `${section}=${JSON.stringify(value)}`);
  }
});

test('skipped sections read as skipped', () => {
  const skipped: CheckReport = {
    ...passingReport(),
    size: SKIPPED_SIZE,
    hygiene: { status: 'skipped', findings: [], reason: 'the image was not built' },
    deploy: deployResult({ status: 'skipped', reason: 'not on the default branch' }),
  };
  assert.equal(checkReport(JSON.parse(JSON.stringify(skipped))).ok, true);
  const rows = Object.fromEntries(checkRows(skipped).map((row) => [row.name, row.state]));
  assert.deepEqual(rows, { Build: 'pass', Cache: 'pass', Health: 'pass', Size: 'skip', Hygiene: 'skip', Deploy: 'skip' });
  const md = renderMarkdown(skipped);
  assert.match(md, /\| Hygiene \| ⚪ \| not checked: the image was not built \|/);
  assert.deepEqual(harmfulHtml(toHtml(md)), []);
});

test('deploy results: done, failed with logs, waiting, skipped, drift', () => {
  const r = passingReport();
  r.deploy = deployResult();
  let md = renderMarkdown(r);
  assert.match(
    md,
    /\| Deploy \| ✅ \| deployed \(SUCCESS\) · to shop-api \/ production · \[shop-api-production\.up\.railway\.app\]\(https:\/\/shop-api-production\.up\.railway\.app\/\) · commit <code>9999999<\/code> · in 1 min 24 s \|/,
  );
  assert.match(md, /\[shop-api-production\.up\.railway\.app\]\(https:\/\/shop-api-production\.up\.railway\.app\/\)/);
  assert.deepEqual(harmfulHtml(toHtml(md), ['github.com', 'shop-api-production.up.railway.app']), []);
  r.deploy = deployResult({
    status: 'failed',
    railwayStatus: 'CRASHED',
    reason: 'Railway reports CRASHED',
    logs: { build: [], deploy: ['Healthcheck failed!', '@everyone </details>'], push: [] },
  });
  md = renderMarkdown(r);
  assert.match(md, /\| Deploy \| ❌ \| failed \(CRASHED\)/);
  assert.match(md, /<summary>Railway deploy logs \(last 2 of 2\)<\/summary>[\s\S]*Healthcheck failed!/);
  assert.doesNotMatch(md, /Railway build logs/);
  assert.deepEqual(harmfulHtml(toHtml(md), ['github.com', 'shop-api-production.up.railway.app']), []);
  r.deploy = deployResult({ status: 'waiting', railwayStatus: 'NEEDS_APPROVAL', onApproval: 'pass' });
  assert.match(renderMarkdown(r), /\| Deploy \| ⏳ \| waiting for approval on Railway \(NEEDS&#95;APPROVAL\)/);
  r.deploy = deployResult({ status: 'waiting', railwayStatus: 'NEEDS_APPROVAL', onApproval: 'fail' });
  assert.match(renderMarkdown(r), /\| Deploy \| ❌ \| waiting for approval/);
  r.deploy = deployResult({ status: 'skipped', reason: 'a pull request never deploys', url: null });
  assert.match(renderMarkdown(r), /\| Deploy \| ⚪ \| skipped: a pull request never deploys \|/);
  r.deploy = deployResult({ configDrift: [{ setting: 'healthcheckPath', service: '/healthz', file: '/health', fileName: 'railway.json' }] });
  assert.match(renderMarkdown(r), /- railway\.json sets <code>healthcheckPath<\/code> to <code>\/health<\/code>, the service has <code>\/healthz<\/code>/);
});

test('size scale: shrank, noise, and three steps of growth', () => {
  assert.deepEqual([-5, -0.5, 0, 0.9, 1, 4.9, 5, 9.9, 10, 300].map(sizeIcon), ['🟢', '⚪', '⚪', '⚪', '🟡', '🟡', '🟠', '🟠', '🔴', '🔴']);
  assert.equal(SIZE_SCALE.length, 5);
});

test("layer changes: the size stage's own comparison, else matched against the baseline's layers", () => {
  const r = passingReport();
  assert.deepEqual(
    layerChanges(r).map((c) => [c.instruction, c.delta, c.bytes]),
    [
      ['COPY --from=builder /opt/venv /opt/venv', 6_150_000, 54_600_000],
      ['COPY app/ /app/app/', 50_000, 4_200_000],
    ],
  );
  const md = renderMarkdown(r);
  assert.match(md, /\| 🔴 \+6\.2 MB \| 54\.6 MB \| 14 \| <code>COPY --from=builder \/opt\/venv \/opt\/venv<\/code> \|/);
  assert.match(md, /was <code>COPY app \/app\/app<\/code>/);
  // An older shape: no delta.layers, but the baseline lists its layers.
  const old = passingReport() as unknown as { size: Record<string, unknown> };
  old.size['delta'] = null;
  old.size['baseline'] = {
    source: 'main',
    bytes: 296_100_000,
    compressedBytes: 98_700_000,
    layers: [
      { instruction: 'FROM python:3.12-slim', line: 1, bytes: 120_000_000 },
      { instruction: 'COPY --from=builder /opt/venv /opt/venv', line: 14, bytes: 149_800_000 },
      { instruction: 'RUN rm -rf /tmp/x', line: 20, bytes: 1_000 },
    ],
  };
  const changes = layerChanges(old as unknown as CheckReport);
  assert.deepEqual(
    changes.map((c) => [c.delta, c.change]),
    [
      [0, null],
      [14_200_000, 'added'],
      [22_100_000, null],
      [12_300_000, 'added'],
      [-1_000, 'removed'],
    ],
  );
});

test('size: budgets over or unchecked, not comparable figures, no baseline yet', () => {
  const r = passingReport() as unknown as { size: Record<string, unknown> } & CheckReport;
  (r.size['budget'] as unknown as { status: string; checks: Array<Record<string, unknown>> }).checks[0] = {
    name: 'max-size',
    limit: '100MB',
    status: 'exceeded',
    actual: 104_900_000,
    message: '105 MB compressed is over max-size 100MB; most from line 14',
    layer: null,
  };
  let md = renderMarkdown(r);
  assert.match(md, /\| Size \| ❌ \| 105 MB compressed is over max-size 100MB/);
  assert.match(md, /❌ \*\*Over budget:\*\* 105 MB compressed/);
  const notComparable = passingReport() as unknown as { size: Record<string, unknown> } & CheckReport;
  (notComparable.size['delta'] as unknown as Record<string, unknown>)['bytes'] = null;
  (notComparable.size['delta'] as unknown as Record<string, unknown>)['percent'] = null;
  md = renderMarkdown(notComparable);
  assert.match(md, /\| Uncompressed \| 318 MB \| 296 MB \| not comparable \|/);
  const first = passingReport() as unknown as { size: Record<string, unknown> } & CheckReport;
  first.size['baseline'] = null;
  first.size['delta'] = null;
  first.size['baselineNote'] = 'no baseline yet: the first run on main saves one';
  md = renderMarkdown(first);
  assert.match(md, /\| Size \| ✅ \| 105 MB compressed · 318 MB uncompressed · no baseline yet: the first run on main saves one \|/);
});

test('a 200 kB log becomes a comment under the limit that says what it left out', () => {
  const r = crashedReport();
  r.health.logs = Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(2000)}`);
  const full = renderMarkdown(r, { limits: { logLines: 100, lineChars: 5000, layerRows: 6, layerList: 40, findingRows: 30, healthEntries: 5 } });
  assert.ok(full.length > 200_000);
  const { text } = renderCommentBody(r, { key: 'default', meta, previous: null });
  assert.ok(text.length <= COMMENT_MAX_CHARS, `${text.length}`);
  assert.match(text, /Container logs \(first and last lines, 60 of 100\)/);
  assert.match(text, /line 99 x+ … \(\d+ more characters\)/);
  assert.deepEqual(harmfulHtml(toHtml(text)), []);
});

test('shortening drops log lines first and points to the job summary', () => {
  const r = crashedReport();
  r.health.logs = Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(2000)}`);
  const budget = 12_000;
  const { text, shortened } = renderMarkdownWithin(r, budget, { shortened: 'Shortened to fit a comment: see the job summary.' });
  assert.ok(shortened);
  assert.ok(text.length <= budget, `${text.length}`);
  assert.match(text, /> ✂️ Shortened to fit a comment: see the job summary\./);
  assert.match(text, /Container logs \(first and last lines, (25|10|3) of 100\)/);
  // The verdict, the table and the size section survive.
  assert.match(text, /^### ❌ deploy-check failed/m);
  assert.match(text, /\| Size \|/);
  assert.match(text, /#### Size/);
});

test('the last resort cuts at a line and closes what it opened', () => {
  const r = crashedReport();
  r.hygiene.findings = Array.from({ length: 3000 }, (_, i) => ({
    id: `r${i}`,
    severity: 'error' as const,
    message: 'm'.repeat(200),
    file: null,
    line: null,
    layer: null,
    path: null,
    evidence: [],
  }));
  r.reasons = Array.from({ length: 400 }, () => 'x'.repeat(300));
  const { text, shortened } = renderMarkdownWithin(r, 20_000);
  assert.ok(shortened);
  assert.ok(text.length <= 20_000, `${text.length}`);
  assert.match(text, /Cut here/);
  assert.deepEqual(harmfulHtml(toHtml(text)), []);
});

test('a passing run after a failing one says the failure is gone', () => {
  const text = renderCommentBody(passingReport(), {
    key: 'default',
    meta,
    previous: { runId: 4000, runAttempt: 1, sha: 'b'.repeat(40), verdict: 'fail' },
  }).text;
  assert.match(text, /The failure reported earlier at <code>bbbbbbb<\/code> is gone/);
});
