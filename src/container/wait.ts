import http from 'node:http';
import net from 'node:net';
import type Docker from 'dockerode';
import { statusMatches, formatStatusRanges, type StatusRange } from '../inputs/units.ts';
import type { HttpAnswerReport } from '../model/report.ts';

/**
 * A wait strategy answers one question, cheaply and repeatedly: is the container ready yet?
 * The loop in run.ts owns the clock, the exit watch and the evidence.
 */
export interface WaitStrategy {
  readonly name: 'http' | 'healthcheck' | 'tcp' | 'log';
  /** What is probed, for the report ("GET http://127.0.0.1:32768/health"). */
  readonly target: string;
  probe(budgetMs: number): Promise<boolean>;
  /** Why it is not ready, after the last probe. */
  lastFailure(): string;
  /** The least pause before the next probe that the answers so far ask for (0: the loop's own pace). */
  pauseMs?(): number;
  /** A sentence when the answers can no longer turn into a pass by waiting: the wait ends then. */
  hopeless?(): string | null;
  close(): void;
}

export interface HttpEvidence {
  status: number | null;
  body: string | null;
  error: string | null;
  /** The Location header of a redirect. */
  location: string | null;
  /** The Host header sent (Railway parity), else null. */
  host: string | null;
}

export const BODY_EVIDENCE_CHARS = 500;
/** The body's first characters that tell one answer from another. */
export const ANSWER_BODY_CHARS = 200;
/** Distinct answers kept; past it, a new body counts into an earlier answer of the same status. */
export const MAX_ANSWERS = 20;
/** An answer that has not changed for this long starts to be asked for less often. */
export const UNCHANGED_GRACE_MS = 1000;
/** The longest pause an unchanged answer earns (it grows with the time the answer has not changed). */
export const MAX_UNCHANGED_PAUSE_MS = 5000;
/**
 * A redirect or a 404 that has not changed for this long is the app's answer, not a start-up
 * state: waiting for the rest of the timeout (Railway's is 300 s) cannot turn it into a pass.
 */
export const HOPELESS_AFTER_MS = 10_000;
/** Repeated 429s without Retry-After: 1 s, then twice as long each time, up to this. */
export const MAX_RATE_LIMIT_PAUSE_MS = 16_000;
/** A Retry-After beyond this is read as this (the health timeout ends the wait sooner anyway). */
const MAX_RETRY_AFTER_MS = 3_600_000;

export interface HttpWaitOptions {
  /** Host header to send (Railway's health check sends healthcheck.railway.app); default 127.0.0.1:<port>. */
  readonly host?: string | undefined;
  /** The port inside the container, for the sentences that say where the app should listen. */
  readonly containerPort?: number | undefined;
  /** Only 200 passes because Railway accepts nothing else: failures say so. */
  readonly railwayStatus?: boolean;
  /** When the container started (epoch ms): the answers' times count from it. Default: now. */
  readonly startedAt?: number;
}

/** One distinct answer and the short label it has in the reason's list of answers. */
interface Tally {
  readonly answer: HttpAnswerReport;
  readonly label: string;
  readonly key: string;
}

export class HttpWait implements WaitStrategy {
  readonly name = 'http';
  readonly target: string;
  readonly evidence: HttpEvidence = { status: null, body: null, error: null, location: null, host: null };
  private readonly url: string;
  private readonly status: readonly StatusRange[];
  private readonly body: RegExp | undefined;
  private readonly options: HttpWaitOptions;
  private readonly origin: number;
  private readonly tallies: Tally[] = [];
  /** The answer that has not changed (status and Location, or what was wrong), and since when. */
  private unchanged: { shape: string; since: number } | undefined;
  private limitedInARow = 0;
  private pause = 0;
  /** The last answer was a redirect or a 404 that the accepted statuses do not take. */
  private lastHopeless = false;

  constructor(url: string, status: readonly StatusRange[], body: RegExp | undefined, options: HttpWaitOptions = {}) {
    this.url = url;
    this.status = status;
    this.body = body;
    this.options = options;
    this.origin = options.startedAt ?? Date.now();
    this.evidence.host = options.host ?? null;
    this.target = `GET ${url}`;
  }

  async probe(budgetMs: number): Promise<boolean> {
    const answer = await httpGet(this.url, Math.max(50, Math.min(budgetMs, 5000)), this.options.host);
    const now = Date.now();
    if ('error' in answer) {
      // The status of an earlier answer stays beside the error: a last probe that timed out must not hide it.
      this.evidence.error = answer.malformed ? `answered, but ${answer.error}` : answer.error;
      this.record(now, answer.malformed ? malformedAnswer(answer.error) : unansweredAnswer(answer.error, this.options.containerPort));
      this.pace(now, answer.malformed ? `malformed ${answer.error}` : undefined);
      return false;
    }
    this.evidence.status = answer.status;
    this.evidence.body = answer.body.slice(0, BODY_EVIDENCE_CHARS);
    this.evidence.location = answer.location;
    this.evidence.error = null;
    const retryAfterMs = answer.status === 429 ? parseRetryAfter(answer.retryAfter, now, answer.date) : null;
    this.record(now, httpAnswer(answer, retryAfterMs));
    this.pace(now, `${answer.status} ${answer.location ?? ''}`, answer.status === 429 ? retryAfterMs : undefined);
    const passes = statusMatches(this.status, answer.status) && (this.body === undefined || this.body.test(answer.body));
    this.lastHopeless = !statusMatches(this.status, answer.status) && isSettledAnswer(answer.status);
    return passes;
  }

  hopeless(): string | null {
    if (!this.lastHopeless || this.unchanged === undefined) return null;
    const sameForMs = Date.now() - this.unchanged.since;
    if (sameForMs < HOPELESS_AFTER_MS) return null;
    const railway = this.options.railwayStatus ? '; Railway would fail the deploy the same way at the end of its healthcheckTimeout' : '';
    return `${this.lastFailure()}; the same answer for ${Math.round(sameForMs / 1000)}s, which waiting will not change, so the wait ended early${railway}`;
  }

  pauseMs(): number {
    return this.pause;
  }

  /** The distinct answers so far, in the order first seen. */
  answers(): HttpAnswerReport[] {
    return this.tallies.map((t) => ({ ...t.answer }));
  }

  lastFailure(): string {
    const decisive = this.tallies.find((t) => !t.answer.transient) ?? this.tallies.at(-1);
    if (!decisive) return `${this.target} got no HTTP answer: no attempt was made`;
    return `${this.describe(decisive.answer)}${this.summary()}`;
  }

  close(): void {}

  private describe(a: HttpAnswerReport): string {
    if (a.status === null) return a.transient ? `${this.target} got no HTTP answer: ${a.error ?? ''}` : `${this.target} answered, but ${a.error ?? ''}`;
    if (!statusMatches(this.status, a.status)) {
      const redirect = a.status >= 300 && a.status < 400 ? ` (a redirect to ${a.location ?? 'no Location given'})` : '';
      const rule = this.options.railwayStatus ? ': Railway accepts only 200' : `, expected ${formatStatusRanges(this.status)}`;
      return `${this.target}${this.options.host ? ` (Host: ${this.options.host})` : ''} answered ${a.status}${redirect}${rule}`;
    }
    return `${this.target} answered ${a.status} but the body did not match /${this.body?.source ?? ''}/`;
  }

  /** "; answers in order first seen: no answer yet × 4, 307 × 3, 429 (rate limited) × 2" when there was more than one kind. */
  private summary(): string {
    const groups = new Map<string, number>();
    for (const t of this.tallies) groups.set(t.label, (groups.get(t.label) ?? 0) + t.answer.count);
    if (groups.size < 2) return '';
    const shown = [...groups].slice(0, 6).map(([label, count]) => `${label} × ${count}`);
    return `; answers in order first seen: ${shown.join(', ')}${groups.size > 6 ? ', …' : ''}`;
  }

  private record(now: number, seen: Omit<HttpAnswerReport, 'count' | 'firstMs' | 'lastMs' | 'firstAt' | 'lastAt'> & { label: string }): void {
    const { label, ...answer } = seen;
    const key = JSON.stringify([answer.status, answer.location, answer.body, answer.error]);
    const same = (t: Tally): boolean => t.key === key;
    // Bodies that differ each time (a request id, a timestamp) must not grow the list without end.
    const sameStatus = (t: Tally): boolean => t.answer.status === answer.status && (answer.status !== null || t.answer.error === answer.error);
    const tally = this.tallies.find(same) ?? (this.tallies.length >= MAX_ANSWERS ? this.tallies.findLast(sameStatus) : undefined);
    const ms = Math.max(0, now - this.origin);
    const at = new Date(now).toISOString();
    if (!tally) {
      this.tallies.push({ key, label, answer: { ...answer, count: 1, firstMs: ms, lastMs: ms, firstAt: at, lastAt: at } });
      return;
    }
    tally.answer.count++;
    tally.answer.lastMs = ms;
    tally.answer.lastAt = at;
    if (answer.retryAfterMs !== undefined) tally.answer.retryAfterMs = answer.retryAfterMs;
  }

  /**
   * The pause the last answer asks for. An answer that has not changed for a second is asked
   * for less and less often (a quarter of the time it has stayed the same, at most 5 s): each
   * probe is a request in the app's log and a token of its rate limiter. A 429 is honoured: its
   * Retry-After, else a pause that doubles while the 429s go on. No answer (nothing listens
   * yet) reaches the app: the loop's own fast pace stays.
   */
  private pace(now: number, shape: string | undefined, retryAfterMs?: number | null): void {
    if (shape === undefined) {
      this.unchanged = undefined;
      this.limitedInARow = 0;
      this.pause = 0;
      return;
    }
    if (this.unchanged?.shape !== shape) this.unchanged = { shape, since: now };
    this.pause = unchangedAnswerPauseMs(now - this.unchanged.since);
    // undefined: not a 429; null: a 429 that named no time.
    if (retryAfterMs === undefined) {
      this.limitedInARow = 0;
      return;
    }
    this.limitedInARow++;
    this.pause = Math.max(this.pause, retryAfterMs ?? rateLimitPauseMs(this.limitedInARow));
  }
}

/** A redirect or "not found": the app's routing answering, which does not change while it starts. */
export function isSettledAnswer(status: number): boolean {
  return (status >= 300 && status < 400) || status === 404;
}

/**
 * The pause an answer earns by staying the same for `sameForMs`: none in its first second, so an
 * app that answers "starting" for a moment is seen healthy as soon as before; then a quarter of
 * that time (at most 5 s), so an app that becomes healthy is seen at most a quarter late.
 */
export function unchangedAnswerPauseMs(sameForMs: number): number {
  if (sameForMs < UNCHANGED_GRACE_MS) return 0;
  return Math.min(MAX_UNCHANGED_PAUSE_MS, Math.floor(sameForMs / 4));
}

/** The pause after the `inARow`-th 429 in a row that named no time: 1 s, 2 s, 4 s, ... 16 s. */
export function rateLimitPauseMs(inARow: number): number {
  return Math.min(MAX_RATE_LIMIT_PAUSE_MS, 1000 * 2 ** Math.max(0, inARow - 1));
}

/**
 * A Retry-After header in ms from now: delay-seconds ("120") or an HTTP date, counted from the
 * answer's own Date header when it has one (the app's clock, not ours). null when absent or
 * unreadable.
 */
export function parseRetryAfter(value: string | null, now: number, date: string | null): number | null {
  const text = value?.trim() ?? '';
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  // Only the HTTP date forms ("Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 ...", asctime):
  // Date.parse alone reads "1.5" as a date in 2001.
  if (!/^[A-Za-z]{3,9},? [\dA-Za-z]/.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  const sent = date ? Date.parse(date) : NaN;
  return Math.min(Math.max(0, at - (Number.isNaN(sent) ? now : sent)), MAX_RETRY_AFTER_MS);
}

/** An HTTP answer as one of the distinct answers. */
function httpAnswer(
  answer: HttpResponse,
  retryAfterMs: number | null,
): Omit<HttpAnswerReport, 'count' | 'firstMs' | 'lastMs' | 'firstAt' | 'lastAt'> & { label: string } {
  const limited = answer.status === 429;
  return {
    status: answer.status,
    location: answer.location,
    body: answer.body.slice(0, ANSWER_BODY_CHARS),
    error: null,
    transient: limited || answer.status === 503,
    ...(limited ? { retryAfterMs } : {}),
    label: limited ? '429 (rate limited)' : String(answer.status),
  };
}

function malformedAnswer(error: string): Omit<HttpAnswerReport, 'count' | 'firstMs' | 'lastMs' | 'firstAt' | 'lastAt'> & { label: string } {
  return { status: null, location: null, body: null, error, transient: false, label: 'not valid HTTP' };
}

function unansweredAnswer(
  error: string,
  containerPort: number | undefined,
): Omit<HttpAnswerReport, 'count' | 'firstMs' | 'lastMs' | 'firstAt' | 'lastAt'> & { label: string } {
  const label = error === 'timed out' ? 'no answer in time' : 'no answer';
  return { status: null, location: null, body: null, error: describeHttpError(error, containerPort), transient: true, label };
}

/** A failed request as a sentence that points at the fix. */
export function describeHttpError(error: string | null, containerPort: number | undefined): string {
  const where = `0.0.0.0:${containerPort ?? 'PORT'}`;
  if (error === null) return 'no attempt was made';
  if (error === CLOSED_BEFORE_ANSWER || error === 'ECONNRESET') {
    return `the app closed the connection without answering: is it listening on ${where}?`;
  }
  if (error === 'ECONNREFUSED') return `nothing accepted the connection: is the app listening on ${where}?`;
  if (error === 'timed out') return 'the app accepted the connection but did not answer in time';
  return error;
}

const CLOSED_BEFORE_ANSWER = 'connection closed before an answer';

/** Enough of a body to match `health-body` against; a health endpoint that streams forever is cut here. */
const BODY_READ_LIMIT = 65_536;

interface HttpResponse {
  status: number;
  body: string;
  location: string | null;
  retryAfter: string | null;
  date: string | null;
}

/** An answer, or why there was none; `malformed`: the app answered, but not in HTTP that parses (error says how). */
type HttpAnswer = HttpResponse | { error: string; malformed: boolean };

/**
 * One GET on a fresh connection. Not fetch(): Node 20's fetch does not notice when Docker's
 * port proxy accepts the connection and closes it (nothing listens in the container yet) and
 * hangs until its timeout, which delays readiness by seconds; node:http reports the reset at once.
 */
function httpGet(url: string, timeoutMs: number, host: string | undefined): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: HttpAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(answer);
    };
    const headers: Record<string, string> = { 'user-agent': 'deploy-check', connection: 'close', ...(host ? { host } : {}) };
    const request = http.get(url, { agent: false, headers }, (response) => {
      const chunks: Buffer[] = [];
      let length = 0;
      const header = (name: string): string | null => {
        const value = response.headers[name];
        return typeof value === 'string' ? value : null;
      };
      const finish = (): void =>
        settle({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          location: header('location'),
          retryAfter: header('retry-after'),
          date: header('date'),
        });
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        length += chunk.length;
        if (length >= BODY_READ_LIMIT) finish();
      });
      response.on('end', finish);
      response.on('error', finish);
      response.on('aborted', finish);
    });
    const timer = setTimeout(() => settle({ error: 'timed out', malformed: false }), timeoutMs);
    request.on('error', (err: ParseError) => settle(describeRequestError(err)));
  });
}

/** Node's HTTP parser errors carry the parser's reason and the bytes it choked on. */
type ParseError = NodeJS.ErrnoException & { reason?: string; rawPacket?: Buffer };

function describeRequestError(err: ParseError): { error: string; malformed: boolean } {
  if (err.code?.startsWith('HPE_')) return { error: describeMalformed(err), malformed: true };
  if (err.code === 'ECONNRESET' && err.message === 'socket hang up') return { error: CLOSED_BEFORE_ANSWER, malformed: false };
  return { error: err.code ?? err.message, malformed: false };
}

/** What Node's HTTP parser found wrong, in words a person can fix (its codes name the parser's state). */
const MALFORMED_HTTP: Readonly<Record<string, string>> = {
  HPE_CR_EXPECTED: 'lines end in LF without CR',
  HPE_LF_EXPECTED: 'a CR is not followed by LF',
  HPE_INVALID_CONSTANT: 'it does not begin with "HTTP/" (is the port serving TLS, HTTP/2 or another protocol?)',
  HPE_INVALID_VERSION: 'the HTTP version in its status line is not valid',
  HPE_INVALID_STATUS: 'its status code is not a three-digit number',
  HPE_INVALID_HEADER_TOKEN: 'a header line holds a character HTTP does not allow there (a header name with a space?)',
  HPE_INVALID_CONTENT_LENGTH: 'its Content-Length header is not a number',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'it sends both Content-Length and Transfer-Encoding',
  HPE_INVALID_TRANSFER_ENCODING: 'its Transfer-Encoding header is not valid',
  HPE_INVALID_CHUNK_SIZE: 'a chunk size in its chunked body is not valid',
  HPE_HEADER_OVERFLOW: 'its headers are larger than Node accepts (16 KiB)',
};

/** How many of the bytes the app sent are quoted. */
const MALFORMED_QUOTE_BYTES = 80;

function describeMalformed(err: ParseError): string {
  const reason = err.reason ? err.reason.charAt(0).toLowerCase() + err.reason.slice(1) : (err.code ?? 'unknown');
  const what = MALFORMED_HTTP[err.code ?? ''] ?? `the HTTP parser says: ${reason}`;
  const raw = err.rawPacket?.subarray(0, MALFORMED_QUOTE_BYTES).toString('latin1');
  // JSON quoting shows the line ends and control bytes that are the point here.
  const began = raw ? `; it began ${JSON.stringify(raw)}${(err.rawPacket?.length ?? 0) > MALFORMED_QUOTE_BYTES ? '…' : ''}` : '';
  return `not in valid HTTP/1.1: ${what}${began}`;
}

/**
 * TCP readiness. Docker's userland proxy accepts a connection on the published port even
 * when nothing listens in the container, then closes it: a connection only counts once it
 * has stayed open for a moment (or sent data).
 */
export class TcpWait implements WaitStrategy {
  readonly name = 'tcp';
  readonly target: string;
  private readonly host: string;
  private readonly port: number;
  private failure = 'no attempt yet';

  constructor(host: string, port: number) {
    this.host = host;
    this.port = port;
    this.target = `TCP ${host}:${port}`;
  }

  probe(budgetMs: number): Promise<boolean> {
    // The proxy closes a connection it cannot forward as soon as its own dial fails; on a
    // loaded machine that can take tens of milliseconds, so the hold leaves a wide margin.
    const holdMs = 150;
    return new Promise((resolve) => {
      const socket = net.connect({ host: this.host, port: this.port });
      let settled = false;
      const done = (ok: boolean, why: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!ok) this.failure = why;
        socket.destroy();
        resolve(ok);
      };
      const timer = setTimeout(() => done(false, 'connect timed out'), Math.max(50, Math.min(budgetMs, 3000)));
      socket.once('connect', () => {
        clearTimeout(timer);
        setTimeout(() => done(true, ''), holdMs);
      });
      socket.once('data', () => done(true, ''));
      socket.once('end', () => done(false, 'connection closed at once (nothing listening in the container)'));
      socket.once('close', () => done(false, 'connection closed at once (nothing listening in the container)'));
      socket.once('error', (err: NodeJS.ErrnoException) => done(false, err.code ?? err.message));
    });
  }

  lastFailure(): string {
    return `${this.target}: ${this.failure}`;
  }

  close(): void {}
}

export interface HealthLogEntry {
  exitCode: number;
  output: string;
  start: string;
}

/** The image's own HEALTHCHECK, as Docker runs it. */
export class HealthcheckWait implements WaitStrategy {
  readonly name = 'healthcheck';
  readonly target = 'Docker HEALTHCHECK';
  private readonly container: Docker.Container;
  private status = 'starting';
  log: HealthLogEntry[] = [];

  constructor(container: Docker.Container) {
    this.container = container;
  }

  async probe(): Promise<boolean> {
    const info = await this.container.inspect();
    const health = info.State.Health as { Status?: string; Log?: { ExitCode: number; Output: string; Start: string }[] } | undefined;
    this.status = health?.Status ?? 'none';
    this.log = (health?.Log ?? []).map((l) => ({ exitCode: l.ExitCode, output: l.Output.trim(), start: l.Start }));
    return this.status === 'healthy';
  }

  lastFailure(): string {
    const last = this.log.at(-1);
    return `Docker health status is "${this.status}"${last ? `; last check exited ${last.exitCode}: ${last.output.split('\n')[0]}` : ''}`;
  }

  close(): void {}
}

/** Ready when a line the container wrote matches the pattern. Follows the log stream instead of polling it. */
export class LogWait implements WaitStrategy {
  readonly name = 'log';
  readonly target: string;
  private readonly pattern: RegExp;
  private text = '';
  private matched = false;
  private stream: NodeJS.ReadableStream | undefined;

  constructor(pattern: RegExp) {
    this.pattern = pattern;
    this.target = `log line /${pattern.source}/`;
  }

  async attach(container: Docker.Container): Promise<void> {
    const stream = await container.logs({ stdout: true, stderr: true, follow: true });
    this.stream = stream;
    stream.on('data', (chunk: Buffer) => {
      // Frame headers may split across chunks; the pattern only needs the text, so strip them loosely.
      // Drops the 8-byte frame headers of Docker's multiplexed log stream (stream 0-2, 0 0 0, size).
      // eslint-disable-next-line no-control-regex
      this.text = (this.text + chunk.toString('utf8').replace(/[\u0000-\u0002]\u0000\u0000\u0000[\s\S]{4}/g, '\n')).slice(-65536);
      if (this.pattern.test(this.text)) this.matched = true;
    });
    stream.on('error', () => {});
  }

  probe(): Promise<boolean> {
    return Promise.resolve(this.matched);
  }

  lastFailure(): string {
    return `no log line matched /${this.pattern.source}/`;
  }

  close(): void {
    const s = this.stream as unknown as { destroy?: () => void } | undefined;
    s?.destroy?.();
  }
}
