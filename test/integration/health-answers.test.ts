/**
 * What the HTTP health probe tells about the answers it got, against the real engine: an app behind
 * a rate limiter (its 429s are honoured, and the answer that matters is the one shown) and an app
 * that answers in broken HTTP (said in words, not as a parser's error code).
 */
import assert from 'node:assert/strict';
import { afterAll, describe, test } from 'vitest';
import type { HttpAnswerReport } from '../../src/model/report.ts';
import { leftovers } from '../support/docker.ts';
import { containerExists, fixture, removeImage, runIdOf, runLocal, type LocalRun, type Report } from '../support/local-runner.ts';

const images: (string | null | undefined)[] = [];
afterAll(() => images.forEach(removeImage));

type AnswersReport = Report & { health: Report['health'] & { httpAnswers?: HttpAnswerReport[]; logLines?: number } };

async function check(name: string, args: string[]): Promise<LocalRun & { report: AnswersReport }> {
  const run = await runLocal(['--context', fixture(name), '--health-path', '/health', ...args], { cwd: fixture(name) });
  images.push(run.report?.image.ref);
  assert.ok(run.report, `no report; stderr:\n${run.stderr}`);
  assert.equal(run.report.build.status, 'success', `the build failed: ${run.report.build.failure?.message}`);
  const runId = runIdOf(run.report);
  assert.ok(runId, run.report.image.ref);
  assert.deepEqual(leftovers(runId), { containers: [], networks: [] });
  const id = run.report.health.container?.id;
  if (id) assert.equal(containerExists(id), false, 'the checked container was not removed');
  return run as LocalRun & { report: AnswersReport };
}

/** The requests the fixture logged, by the status it answered ("GET /health -> 429"). */
function requestsByStatus(report: AnswersReport): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of report.health.logs) {
    const m = /^GET \/health -> (\d{3})(?:\s+\(× (\d+)\))?$/.exec(line);
    if (m?.[1]) counts[m[1]] = (counts[m[1]] ?? 0) + Number(m[2] ?? 1);
  }
  return counts;
}

describe('an app behind a rate limiter (3 real answers, then 429)', { concurrent: true }, () => {
  for (const retryAfter of ['2', 'date']) {
    test(`its Retry-After (${retryAfter === 'date' ? 'an HTTP date' : 'seconds'}) is honoured, and the failure shows the 307 it answered first`, async () => {
      const { exitCode, report, stdout } = await check('rate-limited', [
        '--health-timeout',
        '8s',
        '--health-status',
        '200',
        '--env',
        `RETRY_AFTER=${retryAfter}`,
      ]);
      assert.equal(exitCode, 1);
      const health = report.health;
      assert.equal(health.status, 'unhealthy');
      // No request came before the time a 429 named: the app never answered 500.
      const requests = requestsByStatus(report);
      assert.equal(requests['500'], undefined, `requests: ${JSON.stringify(requests)}; log: ${health.logs.join(' | ')}`);
      assert.equal(requests['307'], 3);
      assert.ok((requests['429'] ?? 0) >= 1, JSON.stringify(requests));
      assert.match(health.reason ?? '', /answered 307 \(a redirect to \/health\/\), expected 200\b/);
      const answers = health.httpAnswers ?? [];
      const redirect = answers.find((a) => a.status === 307);
      assert.ok(redirect, JSON.stringify(answers));
      assert.equal(redirect.count, 3);
      assert.equal(redirect.location, '/health/');
      assert.equal(redirect.body, 'redirecting to /health/');
      assert.equal(redirect.transient, false);
      const limited = answers.find((a) => a.status === 429);
      assert.ok(limited, JSON.stringify(answers));
      assert.equal(limited.count, requests['429']);
      assert.equal(limited.transient, true);
      assert.equal(limited.retryAfterMs !== null && limited.retryAfterMs !== undefined && limited.retryAfterMs > 0, true, JSON.stringify(limited));
      assert.ok(redirect.firstMs <= redirect.lastMs && redirect.lastMs <= limited.firstMs, JSON.stringify(answers));
      // The terminal's evidence names it too, beside the last answer (a 429).
      assert.match(stdout, /first answer that was not transient: 307 \(redirect to \/health\/\)/);
      assert.match(stdout, /429 Too Many Requests|429 .*× \d+/);
    });
  }

  test('repeated 429 without Retry-After slow the probes down: the app logs a handful of requests, not one every 50 ms', async () => {
    const { exitCode, report } = await check('rate-limited', ['--health-timeout', '8s', '--health-status', '200', '--env', 'RETRY_AFTER=none']);
    assert.equal(exitCode, 1);
    const requests = requestsByStatus(report);
    assert.equal(requests['307'], 3);
    // Probing every 50 ms, then every 250 ms, sent about 65 requests in 8 s; backing off sends under 15.
    const total = Object.values(requests).reduce((a, b) => a + b, 0);
    assert.ok(total < 15, `the app got ${total} requests: ${JSON.stringify(requests)}`);
    assert.match(report.health.reason ?? '', /answered 307 \(a redirect to \/health\/\)/);
    const limited = (report.health.httpAnswers ?? []).find((a) => a.status === 429);
    assert.equal(limited?.retryAfterMs, null);
  });
});

describe('an app that answers in broken HTTP', () => {
  test('lines that end in a bare LF are named as such, not as a parser error code', async () => {
    const { exitCode, report, stdout } = await check('bare-lf', ['--health-timeout', '3s']);
    assert.equal(exitCode, 1);
    const reason = report.health.reason ?? '';
    assert.match(reason, /answered, but not in valid HTTP\/1\.1: lines end in LF without CR/);
    assert.doesNotMatch(reason, /HPE_|got no HTTP answer/);
    assert.match(reason, /HTTP\/1\.1 200 OK\\n/);
    const answer = (report.health.httpAnswers ?? []).find((a) => a.status === null && !a.transient);
    assert.ok(answer, JSON.stringify(report.health.httpAnswers));
    assert.match(answer.error ?? '', /lines end in LF without CR/);
    assert.match(stdout, /answered, but not in valid HTTP\/1\.1: lines end in LF without CR/);
  });
});

describe('an answer that waiting cannot change', () => {
  test('a steady redirect ends the wait well before a long timeout, saying why', async () => {
    // Every request gets the app's 307: no rate limit in the way.
    const { exitCode, report } = await check('rate-limited', ['--health-timeout', '120s', '--health-status', '200', '--env', 'ALLOW=100000']);
    assert.equal(exitCode, 1);
    assert.equal(report.health.status, 'unhealthy');
    assert.match(report.health.reason ?? '', /307.*the same answer for \d+s, which waiting will not change, so the wait ended early/);
    assert.doesNotMatch(report.health.reason ?? '', /not healthy after 120s/);
  });
});
