import assert from 'node:assert/strict';
import { test } from 'vitest';
import { MAX_ATTEMPTS, nextPollDelay, parseRetryAfter, pollSchedule, retryDelay, shouldRetry } from '../../src/railway/backoff.ts';

test('polls start at a second and grow by half to ten seconds for the default 15-minute timeout', () => {
  const schedule = pollSchedule(15 * 60_000);
  assert.deepEqual(schedule, { firstMs: 1000, capMs: 10_000 });
  const delays: number[] = [];
  let d: number | undefined;
  for (let i = 0; i < 8; i++) delays.push((d = nextPollDelay(d, schedule, Infinity)));
  assert.deepEqual(delays, [1000, 1500, 2250, 3375, 5063, 7595, 10_000, 10_000]);
});

test('a short timeout polls proportionally faster, and no poll sleeps past the deadline', () => {
  assert.deepEqual(pollSchedule(3000), { firstMs: 50, capMs: 100 });
  assert.deepEqual(pollSchedule(60_000), { firstMs: 600, capMs: 2000 });
  assert.equal(nextPollDelay(8000, pollSchedule(15 * 60_000), 1234), 1234);
  assert.equal(nextPollDelay(8000, pollSchedule(15 * 60_000), -5), 0);
});

test('Retry-After is read as seconds or as an HTTP date', () => {
  const now = Date.parse('2026-08-01T12:00:00Z');
  assert.equal(parseRetryAfter('1', now), 1000);
  assert.equal(parseRetryAfter(' 120 ', now), 120_000);
  assert.equal(parseRetryAfter('0.5', now), 500);
  assert.equal(parseRetryAfter('Sat, 01 Aug 2026 12:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Sat, 01 Aug 2026 11:59:00 GMT', now), 0);
  assert.equal(parseRetryAfter(null, now), undefined);
  assert.equal(parseRetryAfter('soon', now), undefined);
});

test('transient failures back off exponentially with jitter, capped', () => {
  assert.equal(
    retryDelay(1, () => 0),
    250,
  );
  assert.equal(
    retryDelay(1, () => 1),
    500,
  );
  assert.equal(
    retryDelay(2, () => 0),
    500,
  );
  assert.equal(
    retryDelay(3, () => 1),
    2000,
  );
  assert.equal(
    retryDelay(10, () => 1),
    8000,
  );
  for (let i = 0; i < 50; i++) {
    const d = retryDelay(2);
    assert.ok(d >= 500 && d <= 1000, String(d));
  }
});

test('a 429 waits exactly as long as Retry-After says, when the time is there', () => {
  assert.deepEqual(shouldRetry({ kind: 'rate-limited', attempt: 1, mutation: false, retryAfterMs: 3000, remainingMs: 60_000 }), { retry: true, delayMs: 3000 });
  // Rate-limited requests were refused, not run: a mutation may be repeated.
  assert.deepEqual(shouldRetry({ kind: 'rate-limited', attempt: 1, mutation: true, retryAfterMs: 1000, remainingMs: 60_000 }), { retry: true, delayMs: 1000 });
  const tooLong = shouldRetry({ kind: 'rate-limited', attempt: 1, mutation: false, retryAfterMs: 3_600_000, remainingMs: 60_000 });
  assert.equal(tooLong.retry, false);
  assert.match(tooLong.why, /next try would be in 3600 s, past the time left \(60 s\)/);
});

test('5xx and network errors retry queries, never a mutation that may have run', () => {
  const fixed = () => 0.5;
  assert.deepEqual(
    shouldRetry({ kind: 'server-error', status: 502, attempt: 1, mutation: false, retryAfterMs: undefined, remainingMs: 60_000, random: fixed }),
    { retry: true, delayMs: 375 },
  );
  assert.equal(shouldRetry({ kind: 'network', attempt: 2, mutation: false, retryAfterMs: undefined, remainingMs: 60_000 }).retry, true);
  assert.equal(shouldRetry({ kind: 'server-error', status: 500, attempt: 1, mutation: true, retryAfterMs: undefined, remainingMs: 60_000 }).retry, false);
  assert.equal(shouldRetry({ kind: 'network', attempt: 1, mutation: true, retryAfterMs: undefined, remainingMs: 60_000 }).retry, false);
  // 503 and a refused connection mean the request was not acted on.
  assert.equal(shouldRetry({ kind: 'server-error', status: 503, attempt: 1, mutation: true, retryAfterMs: undefined, remainingMs: 60_000 }).retry, true);
  assert.equal(shouldRetry({ kind: 'not-sent', attempt: 1, mutation: true, retryAfterMs: undefined, remainingMs: 60_000 }).retry, true);
});

test('retries are bounded', () => {
  const last = shouldRetry({ kind: 'server-error', status: 502, attempt: MAX_ATTEMPTS, mutation: false, retryAfterMs: undefined, remainingMs: 60_000 });
  assert.equal(last.retry, false);
  assert.match(last.why, new RegExp(`gave up after ${MAX_ATTEMPTS} attempts`));
});
