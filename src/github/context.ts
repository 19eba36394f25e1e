import { readFileSync } from 'node:fs';
import { num, obj, str, type Fields } from '../model/fields.ts';

/**
 * What the runner tells about the run: its environment variables and the event payload. This
 * module is the one reader of the event payload (GITHUB_EVENT_PATH); the rest of deploy-check
 * reads the payload through a RunContext.
 */
export interface RunContext {
  readonly eventName: string;
  readonly owner: string;
  readonly repo: string;
  readonly serverUrl: string;
  readonly apiUrl: string;
  readonly sha: string | null;
  /** refs/heads/main, refs/pull/12/merge, ... */
  readonly ref: string | null;
  /** The pull request's head branch on pull-request events. */
  readonly headRef: string | null;
  readonly runId: number | null;
  readonly runAttempt: number | null;
  readonly defaultBranch: string | null;
  readonly pullRequest: PullRequestFacts | null;
  readonly payload: Fields;
}

export interface PullRequestFacts {
  readonly number: number;
  readonly headSha: string | null;
  /** The commit the pull request is compared with (pull_request.base.sha). */
  readonly baseSha: string | null;
  /** The head branch lives in another repository: GitHub hands such runs a read-only token. */
  readonly fromFork: boolean;
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const payload = readEventPayload(env);
  const [owner = '', repo = ''] = (env['GITHUB_REPOSITORY'] ?? '').split('/');
  const repository = obj(payload['repository']);
  const positive = (v: string | undefined): number | null => (v && /^\d+$/.test(v) ? Number(v) : null);
  return {
    eventName: env['GITHUB_EVENT_NAME'] ?? '',
    owner,
    repo,
    serverUrl: (env['GITHUB_SERVER_URL'] ?? 'https://github.com').replace(/\/+$/, ''),
    apiUrl: (env['GITHUB_API_URL'] ?? 'https://api.github.com').replace(/\/+$/, ''),
    sha: env['GITHUB_SHA'] || null,
    ref: env['GITHUB_REF'] || null,
    headRef: env['GITHUB_HEAD_REF'] || null,
    runId: positive(env['GITHUB_RUN_ID']),
    runAttempt: positive(env['GITHUB_RUN_ATTEMPT']),
    defaultBranch: repository ? str(repository['default_branch']) : null,
    pullRequest: pullRequestOf(payload),
    payload,
  };
}

/** The event payload file; an absent or unreadable one reads as an empty payload. */
function readEventPayload(env: NodeJS.ProcessEnv): Fields {
  const eventPath = env['GITHUB_EVENT_PATH'];
  if (!eventPath) return {};
  try {
    return obj(JSON.parse(readFileSync(eventPath, 'utf8'))) ?? {};
  } catch {
    return {};
  }
}

/**
 * The workflow run's event as the deploy stage reads it (the gate, the preview environment, the
 * deployment trigger each take the part they need); null for the local command.
 */
export interface RunEvent {
  /** GITHUB_EVENT_NAME: push, pull_request, release, workflow_dispatch, ... */
  readonly name: string;
  /** GITHUB_REF, e.g. refs/heads/main. */
  readonly ref: string | null;
  /** payload.repository.default_branch. */
  readonly defaultBranch: string | null;
  /** payload.action, e.g. "published" for a release, "closed" for a pull request. */
  readonly action: string | null;
  /** GITHUB_REPOSITORY (owner/name): the repository a deployment trigger must name. */
  readonly repository?: string | null;
  /** The pull request of a pull_request event. */
  readonly pullRequest?: PullRequestEvent | null;
}

export interface PullRequestEvent {
  readonly number: number;
  /** pull_request.head.sha: the commit Railway has (GITHUB_SHA is a merge commit it does not). */
  readonly headSha: string;
  /** pull_request.head.repo.full_name; another repository than the base means a fork. */
  readonly headRepository: string | null;
  readonly baseRepository: string | null;
}

/** The run's event; null outside a workflow run (no GITHUB_EVENT_NAME). Empty strings read as absent. */
export function runEventOf(context: RunContext, env: NodeJS.ProcessEnv = process.env): RunEvent | null {
  if (!context.eventName) return null;
  const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const payload = context.payload;
  const repository = obj(payload['repository']);
  const pr = obj(payload['pull_request']);
  const head = pr ? obj(pr['head']) : null;
  const base = pr ? obj(pr['base']) : null;
  const fullName = (side: Fields | null): string | null => {
    const repo = side ? obj(side['repo']) : null;
    return repo ? text(repo['full_name']) : null;
  };
  const number = pr ? num(pr['number']) : null;
  const headSha = head ? text(head['sha']) : null;
  return {
    name: context.eventName,
    ref: context.ref,
    defaultBranch: repository ? text(repository['default_branch']) : null,
    action: text(payload['action']),
    repository: text(env['GITHUB_REPOSITORY']) ?? (repository ? text(repository['full_name']) : null),
    pullRequest: number !== null && headSha ? { number, headSha, headRepository: fullName(head), baseRepository: fullName(base) } : null,
  };
}

/** The pull request of a pull_request / pull_request_target payload. */
export function pullRequestOf(payload: Fields): PullRequestFacts | null {
  const pr = obj(payload['pull_request']);
  const number = pr ? num(pr['number']) : null;
  if (!pr || number === null) return null;
  const head = obj(pr['head']);
  const base = obj(pr['base']);
  const headRepo = head ? obj(head['repo']) : null;
  const baseRepo = base ? obj(base['repo']) : null;
  const headName = headRepo ? str(headRepo['full_name']) : null;
  const baseName = baseRepo ? str(baseRepo['full_name']) : null;
  return {
    number,
    headSha: head ? str(head['sha']) : null,
    baseSha: base ? str(base['sha']) : null,
    // A deleted fork leaves head.repo null: still a fork.
    fromFork: headName === null || (baseName !== null && headName.toLowerCase() !== baseName.toLowerCase()),
  };
}

export function isPullRequestEvent(context: RunContext): boolean {
  return context.pullRequest !== null && (context.eventName === 'pull_request' || context.eventName === 'pull_request_target');
}

/** A push to the repository's default branch, where deploys happen. */
export function isDefaultBranchPush(context: RunContext): boolean {
  return context.eventName === 'push' && context.defaultBranch !== null && context.ref === `refs/heads/${context.defaultBranch}`;
}

export function commitUrl(context: Pick<RunContext, 'serverUrl' | 'owner' | 'repo'>, sha: string | null): string | null {
  if (!sha || !/^[0-9a-f]{7,64}$/i.test(sha) || !context.owner) return null;
  return `${context.serverUrl}/${context.owner}/${context.repo}/commit/${sha}`;
}

export function runUrl(context: Pick<RunContext, 'serverUrl' | 'owner' | 'repo' | 'runId'>): string | null {
  return context.owner && context.runId !== null ? `${context.serverUrl}/${context.owner}/${context.repo}/actions/runs/${context.runId}` : null;
}
