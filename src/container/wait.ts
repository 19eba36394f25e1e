import http from 'node:http';
import net from 'node:net';
import type Docker from 'dockerode';
import { statusMatches, formatStatusRanges, type StatusRange } from '../config/units.ts';

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

export interface HttpWaitOptions {
  /** Host header to send (Railway's health check sends healthcheck.railway.app); default 127.0.0.1:<port>. */
  readonly host?: string | undefined;
  /** The port inside the container, for the sentences that say where the app should listen. */
  readonly containerPort?: number | undefined;
  /** Only 200 passes because Railway accepts nothing else: failures say so. */
  readonly railwayStatus?: boolean;
}

export class HttpWait implements WaitStrategy {
  readonly name = 'http';
  readonly target: string;
  readonly evidence: HttpEvidence = { status: null, body: null, error: null, location: null, host: null };
  private readonly url: string;
  private readonly status: readonly StatusRange[];
  private readonly body: RegExp | undefined;
  private readonly options: HttpWaitOptions;

  constructor(url: string, status: readonly StatusRange[], body: RegExp | undefined, options: HttpWaitOptions = {}) {
    this.url = url;
    this.status = status;
    this.body = body;
    this.options = options;
    this.evidence.host = options.host ?? null;
    this.target = `GET ${url}`;
  }

  async probe(budgetMs: number): Promise<boolean> {
    const answer = await httpGet(this.url, Math.max(50, Math.min(budgetMs, 5000)), this.options.host);
    if ('error' in answer) {
      this.evidence.error = answer.error;
      return false;
    }
    this.evidence.status = answer.status;
    this.evidence.body = answer.body.slice(0, BODY_EVIDENCE_CHARS);
    this.evidence.location = answer.location;
    this.evidence.error = null;
    return statusMatches(this.status, answer.status) && (this.body === undefined || this.body.test(answer.body));
  }

  lastFailure(): string {
    const e = this.evidence;
    if (e.status === null) return `${this.target} got no HTTP answer: ${describeHttpError(e.error, this.options.containerPort)}`;
    if (!statusMatches(this.status, e.status)) {
      const redirect = e.status >= 300 && e.status < 400 ? ` (a redirect to ${e.location ?? 'no Location given'})` : '';
      const rule = this.options.railwayStatus ? ': Railway accepts only 200' : `, expected ${formatStatusRanges(this.status)}`;
      return `${this.target}${e.host ? ` (Host: ${e.host})` : ''} answered ${e.status}${redirect}${rule}`;
    }
    return `${this.target} answered ${e.status} but the body did not match /${this.body?.source ?? ''}/`;
  }

  close(): void {}
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

type HttpAnswer = { status: number; body: string; location: string | null } | { error: string };

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
      const location = typeof response.headers.location === 'string' ? response.headers.location : null;
      const finish = (): void => settle({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), location });
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        length += chunk.length;
        if (length >= BODY_READ_LIMIT) finish();
      });
      response.on('end', finish);
      response.on('error', finish);
      response.on('aborted', finish);
    });
    const timer = setTimeout(() => settle({ error: 'timed out' }), timeoutMs);
    request.on('error', (err: NodeJS.ErrnoException) => settle({ error: describeRequestError(err) }));
  });
}

function describeRequestError(err: NodeJS.ErrnoException): string {
  if (err.code === 'ECONNRESET' && err.message === 'socket hang up') return CLOSED_BEFORE_ANSWER;
  return err.code ?? err.message;
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
    const stream = (await container.logs({ stdout: true, stderr: true, follow: true })) as NodeJS.ReadableStream;
    this.stream = stream;
    stream.on('data', (chunk: Buffer) => {
      // Frame headers may split across chunks; the pattern only needs the text, so strip them loosely.
      this.text = (this.text + chunk.toString('utf8').replace(/[\u0000-\u0002]\u0000\u0000\u0000[\s\S]{4}/g, '\n')).slice(-65536);
      if (this.pattern.test(this.text)) this.matched = true;
    });
    stream.on('error', () => {});
  }

  async probe(): Promise<boolean> {
    return this.matched;
  }

  lastFailure(): string {
    return `no log line matched /${this.pattern.source}/`;
  }

  close(): void {
    const s = this.stream as unknown as { destroy?: () => void } | undefined;
    s?.destroy?.();
  }
}
