import type { getOctokit } from '@actions/github';
import { isNewer, parseMeta, type CommentMeta } from '../report/comment.ts';

export type Octokit = ReturnType<typeof getOctokit>;

/** Who posts: a personal token reads itself at GET /user; an installation token cannot (403). */
export interface PosterIdentity {
  /** The login comments are matched on; null when only "some GitHub App" is known. */
  readonly login: string | null;
  readonly how: 'user' | 'installation';
}

export async function whoPosts(octokit: Octokit): Promise<PosterIdentity> {
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return { login: data.login, how: 'user' };
  } catch (err) {
    const status = statusOf(err);
    // 403 "Resource not accessible by integration": GITHUB_TOKEN or another GitHub App's
    // installation token. Which app is not knowable with that token, so a comment is ours when
    // a bot wrote it (only apps installed on the repository are bots) and it carries our marker.
    if (status === 403 || status === 404) return { login: null, how: 'installation' };
    throw err;
  }
}

export interface IssueCommentLike {
  readonly id: number;
  readonly body?: string | null;
  readonly html_url: string;
  readonly user: { readonly login: string; readonly type?: string } | null;
}

export function isOurs(comment: IssueCommentLike, marker: string, identity: PosterIdentity): boolean {
  const firstLine = (comment.body ?? '').split('\n', 1)[0]?.trim();
  if (firstLine !== marker || !comment.user) return false;
  if (identity.login !== null) return comment.user.login.toLowerCase() === identity.login.toLowerCase();
  return comment.user.type === 'Bot';
}

export interface StickyTarget {
  readonly owner: string;
  readonly repo: string;
  readonly issueNumber: number;
  readonly marker: string;
}

export interface StickyRequest {
  readonly meta: CommentMeta;
  /** May this run create a comment when none exists (the policy)? */
  readonly mayCreate: boolean;
  /** The body, knowing what the comment it replaces said (null when there is none). */
  readonly body: (previous: CommentMeta | null) => string;
}

export type StickyOutcome =
  | { readonly action: 'created' | 'updated' | 'unchanged'; readonly id: number; readonly url: string; readonly removedDuplicates: number }
  | { readonly action: 'kept-newer'; readonly id: number; readonly url: string; readonly removedDuplicates: number }
  | { readonly action: 'not-created' };

export function statusOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'status' in err) {
    const status = err.status;
    if (typeof status === 'number') return status;
  }
  return undefined;
}

async function listOurs(octokit: Octokit, target: StickyTarget, identity: PosterIdentity): Promise<IssueCommentLike[]> {
  const all = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  });
  return all.filter((c) => isOurs(c, target.marker, identity)).sort((a, b) => a.id - b.id);
}

/** Deletes duplicates; one that is already gone (a concurrent run deleted it) is fine. */
async function removeDuplicates(octokit: Octokit, target: StickyTarget, duplicates: readonly IssueCommentLike[]): Promise<number> {
  let removed = 0;
  for (const duplicate of duplicates) {
    try {
      await octokit.rest.issues.deleteComment({ owner: target.owner, repo: target.repo, comment_id: duplicate.id });
      removed++;
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }
  return removed;
}

async function bringUpToDate(
  octokit: Octokit,
  target: StickyTarget,
  kept: IssueCommentLike,
  request: StickyRequest,
  removedDuplicates: number,
): Promise<StickyOutcome> {
  const previous = parseMeta(kept.body ?? '');
  if (isNewer(previous, request.meta)) return { action: 'kept-newer', id: kept.id, url: kept.html_url, removedDuplicates };
  const body = request.body(previous);
  if (body === kept.body) return { action: 'unchanged', id: kept.id, url: kept.html_url, removedDuplicates };
  const { data } = await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: kept.id, body });
  return { action: 'updated', id: data.id, url: data.html_url, removedDuplicates };
}

/**
 * One comment per pull request and marker, updated in place. Two runs at the same time may
 * both find none and both create one: each then lists again, keeps the oldest (lowest id),
 * deletes the others and writes into the kept one, so both end on the same single comment.
 */
export async function upsertStickyComment(octokit: Octokit, target: StickyTarget, request: StickyRequest, identity?: PosterIdentity): Promise<StickyOutcome> {
  const me = identity ?? (await whoPosts(octokit));
  const ours = await listOurs(octokit, target, me);
  const [first, ...extra] = ours;
  if (first) {
    const removed = await removeDuplicates(octokit, target, extra);
    return bringUpToDate(octokit, target, first, request, removed);
  }
  if (!request.mayCreate) return { action: 'not-created' };

  const { data: created } = await octokit.rest.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    body: request.body(null),
  });
  // The created comment names the poster exactly, also for an installation token.
  const exact: PosterIdentity = created.user ? { login: created.user.login, how: me.how } : me;
  const after = await listOurs(octokit, target, exact);
  const [kept, ...others] = after;
  if (!kept || kept.id === created.id) {
    const removed = await removeDuplicates(octokit, target, others);
    return { action: 'created', id: created.id, url: created.html_url, removedDuplicates: removed };
  }
  const removed = await removeDuplicates(octokit, target, others);
  return bringUpToDate(octokit, target, kept, request, removed);
}

/** A rate limit or a server error: worth one more try, unlike a refusal. */
export function isTransient(err: unknown): boolean {
  const status = statusOf(err);
  if (status === undefined) return false;
  if (status >= 500 || status === 429) return true;
  return status === 403 && err instanceof Error && /rate limit/i.test(err.message);
}

/** Seconds GitHub asks to wait (Retry-After), bounded so a run never waits long for a comment. */
export function retryDelayMs(err: unknown, fallbackMs = 2000, maxMs = 20_000): number {
  const headers = (err as { response?: { headers?: Record<string, string | undefined> } }).response?.headers;
  const after = Number(headers?.['retry-after']);
  return Number.isFinite(after) && after >= 0 ? Math.min(after * 1000, maxMs) : fallbackMs;
}

/**
 * The whole lookup-and-write again after a transient error: safe, because each attempt starts by
 * listing, finds what the previous one may have written, and removes duplicates.
 */
export async function withOneRetry<T>(
  attempt: () => Promise<T>,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  try {
    return await attempt();
  } catch (err) {
    if (!isTransient(err)) throw err;
    await wait(retryDelayMs(err));
    return attempt();
  }
}
