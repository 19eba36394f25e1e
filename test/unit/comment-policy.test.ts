import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readPublishConfig } from '../../src/config/publish.ts';
import { pullRequestOf } from '../../src/github/context.ts';
import { readReportFile } from '../../src/publish/report-file.ts';
import { isOurs } from '../../src/publish/sticky.ts';
import { ConfigError, type InputName } from '../../src/inputs/inputs.ts';
import { commentMarker, formatMeta, isNewer, mayCreateComment, parseMeta, renderRunErrorComment, reportHasNews } from '../../src/report/comment.ts';
import { harmfulHtml, toHtml } from '../support/html-check.ts';
import { pullRequestEvent } from '../support/github-server.ts';
import { crashedReport, passingReport } from '../support/reports.ts';

const reader =
  (values: Partial<Record<InputName, string>>) =>
  (name: InputName): string =>
    values[name] ?? '';

test('publish inputs: defaults, accepted values, and errors that name the input', () => {
  assert.deepEqual(readPublishConfig(reader({})), { mode: 'check', reportFile: undefined, comment: 'auto', commentKey: undefined, token: undefined });
  assert.equal(readPublishConfig(reader({ comment: 'On-Change' })).comment, 'on-change');
  assert.equal(readPublishConfig(reader({ 'comment-key': 'services/worker' })).commentKey, 'services/worker');
  const fails = (values: Partial<Record<InputName, string>>, input: string, message: RegExp): void => {
    assert.throws(
      () => readPublishConfig(reader(values)),
      (e: unknown) => e instanceof ConfigError && e.input === input && message.test(e.message),
    );
  };
  fails({ comment: 'sometimes' }, 'comment', /auto, always, never, on-failure or on-change/);
  fails({ mode: 'deploy' }, 'mode', /use check .* or comment/);
  fails({ mode: 'comment' }, 'report-file', /needs the path of a report JSON/);
  fails({ 'comment-key': 'a -->' }, 'comment-key', /letters, digits/);
  fails({ 'comment-key': 'x'.repeat(65) }, 'comment-key', /up to 64/);
});

test('the token never appears in an error', () => {
  try {
    readPublishConfig(reader({ 'github-token': 'ghp_secret_value', comment: 'bad' }));
    assert.fail('should throw');
  } catch (err) {
    assert.doesNotMatch((err as Error).message, /ghp_secret_value/);
  }
});

test('meta round-trips and cannot end the HTML comment it sits in', () => {
  const meta = { runId: 42, runAttempt: 2, sha: 'a'.repeat(40), verdict: 'fail' as const };
  const body = `${commentMarker('default')}\n${formatMeta(meta)}\n### x`;
  assert.deepEqual(parseMeta(body), meta);
  const hostile = formatMeta({ runId: 1, runAttempt: 1, sha: '--> <img src=x>', verdict: 'pass' });
  assert.equal(hostile.indexOf('-->'), hostile.length - 3);
  assert.equal(parseMeta('no meta here'), null);
  assert.equal(parseMeta(`${commentMarker('default')}\n<!-- deploy-check-meta {broken -->`), null);
  assert.throws(() => commentMarker('x -->'));
});

test('a newer run (or a later attempt) is never overwritten by an older one', () => {
  const at = (runId: number | null, runAttempt: number | null = 1) => ({ runId, runAttempt, sha: null, verdict: null });
  assert.equal(isNewer(at(10), at(9)), true);
  assert.equal(isNewer(at(9), at(10)), false);
  assert.equal(isNewer(at(10, 2), at(10, 1)), true);
  assert.equal(isNewer(at(10, 1), at(10, 1)), false);
  assert.equal(isNewer(null, at(10)), false);
  assert.equal(isNewer(at(null), at(10)), false);
});

test('comment policies decide only whether a new comment may be created', () => {
  const pass = passingReport();
  pass.hygiene.findings = [];
  (pass.size as unknown as Record<string, unknown>)['commentThreshold'] = { limit: '1%', bytes: null, percent: 1, reached: false };
  const fail = crashedReport();
  assert.equal(reportHasNews(pass), false);
  assert.equal(reportHasNews(fail), true);
  const grown = passingReport();
  grown.hygiene.findings = [];
  assert.equal(reportHasNews(grown), true, 'a size change beyond the neutral band is news');
  const table: Array<[Parameters<typeof mayCreateComment>[0], boolean, boolean]> = [
    ['auto', true, true],
    ['always', true, true],
    ['never', false, false],
    ['on-failure', false, true],
    ['on-change', false, true],
  ];
  for (const [policy, onPass, onFail] of table) {
    assert.equal(mayCreateComment(policy, pass), onPass, `${policy} on a quiet pass`);
    assert.equal(mayCreateComment(policy, fail), onFail, `${policy} on a failure`);
  }
});

test('ours: our marker on the first line, by the poster (or by a bot when only "some app" is known)', () => {
  const marker = commentMarker('api');
  const c = (body: string, login: string, type = 'Bot') => ({ id: 1, body, html_url: 'https://github.com/a/b/pull/1#issuecomment-1', user: { login, type } });
  const bot = { login: null, how: 'installation' as const };
  const alice = { login: 'alice', how: 'user' as const };
  assert.equal(isOurs(c(`${marker}\nx`, 'github-actions[bot]'), marker, bot), true);
  assert.equal(isOurs(c(`${marker}\nx`, 'mallory', 'User'), marker, bot), false);
  assert.equal(isOurs(c(`quote:\n${marker}`, 'github-actions[bot]'), marker, bot), false);
  assert.equal(isOurs(c(`${commentMarker('web')}\nx`, 'github-actions[bot]'), marker, bot), false);
  assert.equal(isOurs(c(`${marker}\nx`, 'Alice', 'User'), marker, alice), true);
  assert.equal(isOurs(c(`${marker}\nx`, 'github-actions[bot]'), marker, alice), false);
});

test('pull request facts from a real-shaped payload, forks included', () => {
  const base = { owner: 'acme', repo: 'shop', number: 7, headRef: 'f', headSha: 'b'.repeat(40), baseRef: 'main', baseSha: 'c'.repeat(40) };
  assert.deepEqual(pullRequestOf(pullRequestEvent(base)), { number: 7, headSha: 'b'.repeat(40), baseSha: 'c'.repeat(40), fromFork: false });
  assert.deepEqual(pullRequestOf(pullRequestEvent({ ...base, fork: true })), { number: 7, headSha: 'b'.repeat(40), baseSha: 'c'.repeat(40), fromFork: true });
  assert.equal(pullRequestOf({}), null);
});

test('a report file must be a report: one with fields of the wrong type is refused', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dc-report-file-'));
  try {
    const file = path.join(dir, 'r.json');
    await writeFile(file, '{"verdict":"pass"}');
    await assert.rejects(
      readReportFile(file),
      (e: unknown) => e instanceof ConfigError && e.input === 'report-file' && /schemaVersion is missing/.test(e.message),
    );
    await writeFile(file, 'not json');
    await assert.rejects(readReportFile(file), /is not JSON/);
    await assert.rejects(readReportFile(path.join(dir, 'missing.json')), /cannot read/);
    await writeFile(file, JSON.stringify({ ...passingReport(), reasons: 'x', source: 5 }));
    await assert.rejects(readReportFile(file), /reasons is a string, not an array; source is a number, not an object/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a run that could not start: the message is escaped, the marker and meta lead', () => {
  const meta = { runId: 7, runAttempt: 1, sha: 'c'.repeat(40), verdict: 'fail' as const };
  const text = renderRunErrorComment(
    'Input "port": "<img src=x>" is not a port @team',
    { commit: 'c'.repeat(40), commitUrl: 'https://github.com/a/b/commit/cc', runUrl: 'https://github.com/a/b/actions/runs/7', ref: 'feat/</details>' },
    'default',
    meta,
  );
  assert.ok(text.startsWith(`${commentMarker('default')}\n${formatMeta(meta)}\n### ❌ deploy-check could not run`));
  assert.deepEqual(parseMeta(text), meta);
  assert.deepEqual(harmfulHtml(toHtml(text)), []);
  assert.match(text, /Input &quot;port&quot;: &quot;&lt;img src=x&gt;&quot; is not a port @\u200bteam/);
});
