/**
 * The HTTP probe's answers: what it keeps of them, the pause they ask for (Retry-After, an
 * answer that does not change), the answer a failure is about, and broken HTTP in words.
 * Loopback servers stand in for a container's published port; the real engine is in
 * test/integration/health-answers.test.ts.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, test } from 'vitest';
import { parseStatusRanges } from '../../src/inputs/units.ts';
import { MAX_ANSWERS, HttpWait, isSettledAnswer, parseRetryAfter, rateLimitPauseMs, unchangedAnswerPauseMs } from '../../src/container/wait.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import type { HttpAnswerReport } from '../../src/model/report.ts';
import { renderTerminal } from '../../src/report/terminal.ts';
import { crashedReport } from '../support/reports.ts';

const servers: net.Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

async function listen(server: net.Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
}

/** A server that gives the n-th request the n-th answer (the last one from then on). */
function answering(...answers: { status: number; headers?: Record<string, string>; body?: string }[]): Promise<string> {
  let n = 0;
  return listen(
    http.createServer((_req, res) => {
      const a = answers[Math.min(n++, answers.length - 1)];
      if (a) res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers }).end(a.body ?? '');
    }),
  );
}

/** A server that writes these bytes to every connection, as they are. */
function raw(bytes: string): Promise<string> {
  return listen(net.createServer((socket) => socket.once('data', () => socket.end(bytes))));
}

const ONLY_200 = parseStatusRanges('health-status', '200');

describe('Retry-After', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  test("delay-seconds, an HTTP date counted from the answer's Date (else from now), and what cannot be read", () => {
    assert.equal(parseRetryAfter('120', now, null), 120_000);
    assert.equal(parseRetryAfter(' 0 ', now, null), 0);
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 12:00:05 GMT', now, 'Sun, 01 Mar 2026 12:00:01 GMT'), 4000);
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 12:00:05 GMT', now, null), 5000);
    assert.equal(parseRetryAfter('Sunday, 01-Mar-26 12:00:03 GMT', now, null), 3000);
    assert.equal(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now, null), 0, 'a time in the past: come back now');
    assert.equal(parseRetryAfter('99999999999', now, null), 3_600_000, 'capped at an hour');
    for (const unreadable of [null, '', '1.5', '-3', 'soon', '5 seconds']) assert.equal(parseRetryAfter(unreadable, now, null), null, String(unreadable));
  });

  test('repeated 429s that name no time wait 1 s, then twice as long each time, up to 16 s', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 12].map(rateLimitPauseMs), [1000, 2000, 4000, 8000, 16_000, 16_000, 16_000]);
  });

  test('an answer that has not changed for a second is asked for less often: a quarter of the time it stayed the same, at most 5 s', () => {
    assert.deepEqual([0, 100, 999, 1000, 8000, 20_000, 600_000].map(unchangedAnswerPauseMs), [0, 0, 0, 250, 2000, 5000, 5000]);
  });
});

describe('HttpWait answers', () => {
  test('a 429 asks for its Retry-After; one without it for a pause that doubles; any other answer starts over', async () => {
    const url = await answering(
      { status: 429, headers: { 'retry-after': '7' }, body: 'slow down' },
      { status: 429, body: 'slow down' },
      { status: 429, body: 'slow down' },
      { status: 500, body: 'boom' },
    );
    const wait = new HttpWait(url, ONLY_200, undefined);
    await wait.probe(5000);
    assert.equal(wait.pauseMs(), 7000);
    await wait.probe(5000);
    assert.ok(wait.pauseMs() >= 2000 && wait.pauseMs() < 2100, String(wait.pauseMs()));
    await wait.probe(5000);
    assert.ok(wait.pauseMs() >= 4000 && wait.pauseMs() < 4100, String(wait.pauseMs()));
    await wait.probe(5000);
    assert.equal(wait.pauseMs(), 0, "a new answer is asked for again at the loop's own pace");
    const answers = wait.answers();
    assert.deepEqual(
      answers.map((a) => [a.status, a.count, a.transient, a.retryAfterMs]),
      [
        [429, 3, true, null],
        [500, 1, false, undefined],
      ],
    );
    assert.equal(answers[0]?.body, 'slow down');
  });

  test("no answer (nothing listening) reaches no app: no pause beyond the loop's own", async () => {
    const url = await listen(net.createServer((socket) => socket.destroy()));
    const wait = new HttpWait(url, ONLY_200, undefined, { containerPort: 8000 });
    await wait.probe(5000);
    await wait.probe(5000);
    assert.equal(wait.pauseMs(), 0);
    const [answer] = wait.answers();
    assert.equal(answer?.count, 2);
    assert.equal(answer.transient, true);
    assert.match(answer.error ?? '', /without answering: is it listening on 0\.0\.0\.0:8000\?/);
  });

  test('the failure names the first answer that was not transient, then every kind of answer in order', async () => {
    const url = await answering(
      { status: 503, body: 'starting' },
      { status: 307, headers: { location: '/health/' }, body: 'moved' },
      { status: 307, headers: { location: '/health/' }, body: 'moved' },
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 500, body: 'RateLimitExceeded: 429' },
    );
    const wait = new HttpWait(url, ONLY_200, undefined);
    for (let i = 0; i < 5; i++) await wait.probe(5000);
    assert.equal(wait.evidence.status, 500, 'the last answer is still the evidence of lastHttp');
    assert.match(
      wait.lastFailure(),
      /^GET http:\/\/127\.0\.0\.1:\d+\/health answered 307 \(a redirect to \/health\/\), expected 200; answers in order first seen: 503 × 1, 307 × 2, 429 \(rate limited\) × 1, 500 × 1$/,
    );
    const [first, redirect] = wait.answers();
    assert.ok(first && redirect);
    assert.ok(first.firstMs <= redirect.firstMs && redirect.firstMs <= redirect.lastMs);
    assert.ok(Date.parse(redirect.lastAt) >= Date.parse(redirect.firstAt));
  });

  test('only transient answers: the last one is named', async () => {
    const url = await answering({ status: 503, body: 'warming up' });
    const wait = new HttpWait(url, ONLY_200, undefined);
    await wait.probe(5000);
    assert.match(wait.lastFailure(), /answered 503, expected 200$/);
  });

  test(`bodies that differ each time fold into their status once there are ${MAX_ANSWERS} answers`, async () => {
    let n = 0;
    const url = await listen(http.createServer((_req, res) => res.writeHead(500).end(`request ${n++} failed`)));
    const wait = new HttpWait(url, ONLY_200, undefined);
    for (let i = 0; i < MAX_ANSWERS + 5; i++) await wait.probe(5000);
    const answers = wait.answers();
    assert.equal(answers.length, MAX_ANSWERS);
    assert.equal(
      answers.reduce((sum, a) => sum + a.count, 0),
      MAX_ANSWERS + 5,
    );
    assert.equal(answers.at(-1)?.count, 6);
  });
});

describe('an answer that is not valid HTTP', () => {
  test.each([
    [
      'lines that end in LF alone',
      'HTTP/1.1 200 OK\nContent-Length: 2\n\nok',
      /answered, but not in valid HTTP\/1\.1: lines end in LF without CR; it began "HTTP\/1\.1 200 OK\\nContent-Length: 2\\n\\nok"$/,
    ],
    [
      'another protocol',
      'SSH-2.0-OpenSSH_9.2\r\n',
      /answered, but not in valid HTTP\/1\.1: it does not begin with "HTTP\/" \(is the port serving TLS, HTTP\/2 or another protocol\?\); it began "SSH-2\.0-OpenSSH_9\.2\\r\\n"$/,
    ],
    ['a status that is not a number', 'HTTP/1.1 2x0 OK\r\n\r\n', /not in valid HTTP\/1\.1: its status code is not a three-digit number/],
    ['a CR alone', 'HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n', /not in valid HTTP\/1\.1: the HTTP parser says: expected LF after CR/],
  ])('%s is said in words, with the bytes it began with', async (_name, bytes, expected) => {
    const wait = new HttpWait(await raw(bytes), ONLY_200, undefined);
    assert.equal(await wait.probe(5000), false);
    const failure = wait.lastFailure();
    assert.match(failure, expected);
    assert.doesNotMatch(failure, /HPE_|got no HTTP answer/);
    const [answer] = wait.answers();
    assert.equal(answer?.transient, false, 'the app answered');
    assert.equal(answer.status, null);
    assert.match(wait.evidence.error ?? '', /^answered, but not in valid HTTP\/1\.1: /);
  });
});

describe('the answers in the reports', () => {
  const at = '2026-03-01T12:00:00.000Z';
  const answer = (a: Partial<HttpAnswerReport>): HttpAnswerReport => ({
    status: null,
    location: null,
    body: null,
    error: null,
    transient: false,
    count: 1,
    firstMs: 0,
    lastMs: 0,
    firstAt: at,
    lastAt: at,
    ...a,
  });
  function rateLimited(): ReturnType<typeof crashedReport> {
    const report = crashedReport();
    report.health.container = { id: 'c0ffee', exitCode: null, oomKilled: false, running: true };
    report.health.lastHttp = { status: 429, body: 'rate limit: 10 a minute', error: null };
    report.health.httpAnswers = [
      answer({ error: 'nothing accepted the connection: is the app listening on 0.0.0.0:8000?', transient: true, count: 4, lastMs: 150 }),
      answer({ status: 307, location: '/health/', body: 'redirecting\nto /health/', count: 10, firstMs: 210, lastMs: 1490 }),
      answer({ status: 429, body: 'rate limit: 10 a minute', transient: true, retryAfterMs: 6000, count: 8, firstMs: 1600, lastMs: 55_000 }),
    ];
    return report;
  }

  test('the terminal shows the first answer that was not transient and every distinct answer', () => {
    const text = renderTerminal(rateLimited());
    assert.match(text, /\n {2}first answer that was not transient: 307 \(redirect to \/health\/\) × 10 from 0\.2 s to 1\.5 s, body: redirecting\n/);
    assert.match(text, /\n {4}no answer: nothing accepted the connection: is the app listening on 0\.0\.0\.0:8000\? × 4 from 0\.0 s to 0\.1 s\n/);
    assert.match(text, /\n {4}429 \(Retry-After 6\.0 s\) × 8 from 1\.6 s to 55\.0 s: rate limit: 10 a minute\n/);
    assert.match(text, /last HTTP status: 429/);
  });

  test('the comment shows it among the facts, and the answers in a block', () => {
    const md = renderMarkdown(rateLimited());
    assert.match(md, /- first answer that was not transient: 307 \(redirect to \/health\/\) × 10 from 0\.2 s to 1\.5 s\n/);
    assert.match(
      md,
      /<summary>HTTP answers seen \(3 distinct, in order, times after the container started\)<\/summary>\n\n```text\n[^`]*307 \(redirect to \/health\/\) × 10 from 0\.2 s to 1\.5 s: redirecting\n/,
    );
  });

  test('when the last answer is the one that matters, it is not said twice', () => {
    const report = rateLimited();
    report.health.httpAnswers = [answer({ status: 500, body: 'boom', count: 3, lastMs: 900 })];
    assert.doesNotMatch(renderTerminal(report), /first answer that was not transient|answers seen/);
    assert.doesNotMatch(renderMarkdown(report), /first answer that was not transient|HTTP answers seen/);
  });
});

test('only a redirect or a 404 is an answer that waiting will not change', () => {
  assert.deepEqual([301, 302, 307, 308, 404].map(isSettledAnswer), [true, true, true, true, true]);
  assert.deepEqual([200, 429, 500, 502, 503, 401].map(isSettledAnswer), [false, false, false, false, false, false]);
});
