/**
 * Timing rules for talking to Railway: how often to poll a deployment, how long to wait
 * before retrying a failed request, and how to read Retry-After. Pure, so they are unit-tested.
 */

export interface PollSchedule {
  readonly firstMs: number;
  readonly capMs: number;
}

/**
 * Polls start at about a second and grow to ten. Both scale down with a short timeout, so a
 * 3-second wait still looks a few dozen times (and tests need no hidden knob).
 */
export function pollSchedule(timeoutMs: number): PollSchedule {
  const firstMs = clamp(Math.round(timeoutMs / 100), 50, 1000);
  const capMs = clamp(Math.round(timeoutMs / 30), firstMs, 10_000);
  return { firstMs, capMs };
}

/** Grows by half each time, up to the cap; never sleeps past the deadline. */
export function nextPollDelay(previousMs: number | undefined, schedule: PollSchedule, remainingMs: number): number {
  const next = previousMs === undefined ? schedule.firstMs : Math.min(schedule.capMs, Math.round(previousMs * 1.5));
  return Math.max(0, Math.min(next, remainingMs));
}

/** Retry-After is seconds or an HTTP date; returns milliseconds, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export const RETRY_BASE_MS = 500;
export const RETRY_CAP_MS = 8000;
/** Attempts per request, the first included. */
export const MAX_ATTEMPTS = 5;

/**
 * Exponential backoff with jitter for transient failures: attempt 1 waits 250-500 ms,
 * attempt 2 500-1000 ms, ... never more than the cap. The jitter spreads retries of many
 * runners that failed together.
 */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export type FailureKind =
  /** HTTP 429. */
  | 'rate-limited'
  /** HTTP 500-599. */
  | 'server-error'
  /** The request never reached Railway (connection refused, DNS). */
  | 'not-sent'
  /** The connection broke or timed out: Railway may have acted on it. */
  | 'network';

export interface RetryQuestion {
  readonly kind: FailureKind;
  readonly status?: number;
  /** 1 after the first attempt failed. */
  readonly attempt: number;
  /** A mutation that may have run must not be sent twice (it would deploy twice). */
  readonly mutation: boolean;
  readonly retryAfterMs: number | undefined;
  readonly remainingMs: number;
  readonly random?: () => number;
}

export type RetryAnswer = { readonly retry: true; readonly delayMs: number } | { readonly retry: false; readonly why: string };

export function shouldRetry(q: RetryQuestion): RetryAnswer {
  if (q.attempt >= MAX_ATTEMPTS) return { retry: false, why: `gave up after ${q.attempt} attempts` };
  const idempotent = !q.mutation || q.kind === 'rate-limited' || q.kind === 'not-sent' || (q.kind === 'server-error' && q.status === 503);
  if (!idempotent) return { retry: false, why: 'a mutation that may have reached Railway is not repeated' };
  let delayMs: number;
  if (q.kind === 'rate-limited') {
    // Railway says when: waiting less only earns another 429.
    delayMs = q.retryAfterMs ?? retryDelay(q.attempt, q.random);
  } else {
    delayMs = Math.max(q.retryAfterMs ?? 0, retryDelay(q.attempt, q.random));
  }
  if (delayMs > q.remainingMs) {
    return { retry: false, why: `the next try would be in ${Math.ceil(delayMs / 1000)} s, past the time left (${Math.floor(q.remainingMs / 1000)} s)` };
  }
  return { retry: true, delayMs };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
