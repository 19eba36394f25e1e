import type { TokenType } from './access.ts';
import { parseRetryAfter, shouldRetry, type FailureKind } from './backoff.ts';
import type { Operation } from './operations.ts';

export const DEFAULT_ENDPOINT = 'https://backboard.railway.com/graphql/v2';

/** Railway's own SDK lets RAILWAY_GRAPHQL_ENDPOINT override the endpoint; so does deploy-check. */
export function railwayEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return env['RAILWAY_GRAPHQL_ENDPOINT']?.trim() || DEFAULT_ENDPOINT;
}

/** A request Railway refused or that never got an answer; the message says what to do about it. */
export class RailwayApiError extends Error {
  readonly operation: string;
  readonly kind: 'graphql' | 'http' | 'network' | 'rate-limited';
  /** Railway's own words (GraphQL error messages, HTTP status). */
  readonly detail: string;
  constructor(operation: string, kind: RailwayApiError['kind'], detail: string, message: string) {
    super(message);
    this.name = 'RailwayApiError';
    this.operation = operation;
    this.kind = kind;
    this.detail = detail;
  }
}

export interface RailwayClientOptions {
  readonly endpoint: string;
  readonly token: string;
  readonly tokenType: TokenType;
  /** railway-token-type was auto: the advice says how the type was chosen. */
  readonly tokenTypeGuessed?: boolean;
  /** Tells the user about waits they would otherwise wonder about (rate limits, retries). */
  readonly onRetry?: (message: string) => void;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface RequestOptions {
  /** No retry is scheduled past this moment (epoch ms); default two minutes from now. */
  readonly deadline?: number;
}

const REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_REQUEST_BUDGET_MS = 120_000;

interface GraphqlResponse {
  data?: unknown;
  errors?: { message?: unknown }[];
}

/** GraphQL over fetch, with bounded retries; the token only ever goes into a header. */
export class RailwayClient {
  /** Operation names in the order they were sent (retries included), for the report and tests. */
  readonly sent: string[] = [];
  private readonly options: RailwayClientOptions;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(options: RailwayClientOptions) {
    this.options = options;
    this.fetchImpl = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }

  get tokenType(): TokenType {
    return this.options.tokenType;
  }

  async request<TData, TVariables>(op: Operation<TData, TVariables>, variables: TVariables, options: RequestOptions = {}): Promise<TData> {
    const deadline = options.deadline ?? this.now() + DEFAULT_REQUEST_BUDGET_MS;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'deploy-check' };
    // Railway tells the token kinds apart by header; there is no header for team tokens.
    if (this.options.tokenType === 'project') headers['Project-Access-Token'] = this.options.token;
    else headers['Authorization'] = `Bearer ${this.options.token}`;
    const body = JSON.stringify({ query: op.document, variables, operationName: op.name });

    for (let attempt = 1; ; attempt++) {
      this.sent.push(op.name);
      let failure: { kind: FailureKind; status?: number; retryAfterMs?: number; detail: string };
      try {
        const res = await this.fetchImpl(this.options.endpoint, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(Math.max(1000, Math.min(REQUEST_TIMEOUT_MS, deadline - this.now()))),
        });
        const text = await res.text();
        if (res.status === 429) {
          failure = { kind: 'rate-limited', status: 429, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.now()), detail: 'HTTP 429' };
        } else if (res.status >= 500) {
          failure = {
            kind: 'server-error',
            status: res.status,
            retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), this.now()),
            detail: `HTTP ${res.status}`,
          };
        } else {
          return this.answer(op, res.status, text);
        }
      } catch (err) {
        if (err instanceof RailwayApiError) throw err;
        failure = describeNetworkFailure(err);
      }
      const decision = shouldRetry({
        kind: failure.kind,
        ...(failure.status !== undefined ? { status: failure.status } : {}),
        attempt,
        mutation: op.kind === 'mutation',
        retryAfterMs: failure.retryAfterMs,
        remainingMs: deadline - this.now(),
        ...(this.options.random ? { random: this.options.random } : {}),
      });
      if (!decision.retry) throw this.giveUp(op, failure, decision.why);
      this.options.onRetry?.(
        failure.kind === 'rate-limited'
          ? `Railway's rate limit was reached (${op.name}); trying again in ${formatSeconds(decision.delayMs)}${failure.retryAfterMs !== undefined ? ' as its Retry-After asks' : ''}`
          : `Railway ${op.name}: ${failure.detail}; trying again in ${formatSeconds(decision.delayMs)} (attempt ${attempt + 1})`,
      );
      await this.sleep(decision.delayMs);
    }
  }

  private answer<TData>(op: Operation<TData, unknown>, status: number, text: string): TData {
    let parsed: GraphqlResponse;
    try {
      parsed = JSON.parse(text) as GraphqlResponse;
    } catch {
      throw new RailwayApiError(
        op.name,
        'http',
        `HTTP ${status}`,
        `Railway answered ${op.name} with HTTP ${status} and no GraphQL body${status === 401 || status === 403 ? `: ${authAdvice(this.options.tokenType, op.name, this.options.tokenTypeGuessed ?? false)}` : ''}`,
      );
    }
    const messages = (parsed.errors ?? []).map((e) => (typeof e.message === 'string' ? e.message : JSON.stringify(e)));
    if (messages.length > 0 || parsed.data === null || parsed.data === undefined) {
      const detail = messages.join('; ') || `HTTP ${status} without data`;
      throw new RailwayApiError(
        op.name,
        'graphql',
        detail,
        explainGraphqlError(op.name, detail, this.options.tokenType, this.options.tokenTypeGuessed ?? false),
      );
    }
    return parsed.data as TData;
  }

  private giveUp(op: Operation<unknown, unknown>, failure: { kind: FailureKind; detail: string; retryAfterMs?: number }, why: string): RailwayApiError {
    if (failure.kind === 'rate-limited') {
      return new RailwayApiError(
        op.name,
        'rate-limited',
        failure.detail,
        `Railway's rate limit refused ${op.name} (HTTP 429${failure.retryAfterMs !== undefined ? `, Retry-After ${formatSeconds(failure.retryAfterMs)}` : ''}) and deploy-check ${why}. Railway allows 100 requests an hour on the free plan, 1000 on hobby; runs sharing a token share the limit`,
      );
    }
    const kind = failure.kind === 'server-error' ? 'http' : 'network';
    return new RailwayApiError(op.name, kind, failure.detail, `Railway did not answer ${op.name} (${failure.detail}); ${why}`);
  }
}

/** Turns Railway's terse messages into what the user should change, naming the inputs. */
export function explainGraphqlError(operation: string, detail: string, tokenType: TokenType, guessed = false): string {
  const head = `Railway refused ${operation}: "${detail}"`;
  if (/not authori[sz]ed|unauthori[sz]ed|forbidden/i.test(detail)) return `${head}. ${authAdvice(tokenType, operation, guessed)}`;
  if (/project token not found/i.test(detail)) {
    return `${head}. railway-token was sent as a project token and Railway does not know it: it was revoked, or it is an account/workspace token (then set railway-token-type: account and railway-project)`;
  }
  if (/project not found/i.test(detail)) {
    return `${head}. Check railway-project (an ID from the project's settings, or its exact name) and that railway-token belongs to the workspace that owns it`;
  }
  if (/service not found|serviceinstance not found|service instance not found/i.test(detail)) {
    return `${head}. Check railway-service and railway-environment: the service must exist in that environment`;
  }
  if (/environment not found/i.test(detail)) return `${head}. Check railway-environment (an ID, or the environment's name such as "production")`;
  if (/commit not found/i.test(detail)) {
    return `${head}. Railway cannot find this commit in the service's repository: the commit must be pushed to the GitHub repository the service is connected to (or use deploy-source: image)`;
  }
  return head;
}

function authAdvice(tokenType: TokenType, operation: string, guessed: boolean): string {
  if (tokenType === 'project') {
    const how = guessed ? 'railway-token-type: auto chose project because railway-project is not set' : 'railway-token-type: project';
    return `railway-token was sent as a project token (${how}), which reaches one environment of one project and only deploy-related operations. ${operation} needs the token of the project and environment the service lives in (Project Settings → Tokens); to reach other projects or environments use an account or workspace token with railway-token-type: account and railway-project`;
  }
  const how = guessed ? 'railway-token-type: auto chose account because railway-project is set' : 'railway-token-type: account';
  return `railway-token was sent as an account or workspace token (${how}). It must belong to an account or workspace that can reach railway-project: a workspace token only reaches that workspace's projects. A project token needs railway-token-type: project (and no railway-project)`;
}

function describeNetworkFailure(err: unknown): { kind: FailureKind; detail: string } {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return { kind: 'network', detail: 'no answer within the request timeout' };
  const code = e.cause?.code ?? '';
  // The request provably never left: safe to repeat even a mutation.
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return { kind: 'not-sent', detail: code };
  }
  return { kind: 'network', detail: code || e.cause?.message || e.message || String(err) };
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
