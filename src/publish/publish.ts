import { getOctokit } from '@actions/github';
import type { CheckReport } from '../model/report.ts';
import {
  hasDeployResult,
  mayCreateComment,
  renderCommentBody,
  renderRunErrorComment,
  commentMarker,
  type CommentMeta,
  type RunErrorSource,
} from '../report/comment.ts';
import { arr, num, obj, str, type Fields } from '../model/fields.ts';
import { COMMENT_KEY_PATTERN, DEFAULT_COMMENT_KEY, type PublishConfig } from '../config/publish.ts';
import { commitUrl, isDefaultBranchPush, isPullRequestEvent, runUrl, type RunContext } from '../github/context.ts';
import { isTransient, statusOf, upsertStickyComment, withOneRetry, type Octokit } from './sticky.ts';

/** What happened to the comment, in one sentence for the log and the job summary. */
export interface CommentResult {
  readonly id: number | null;
  readonly url: string | null;
  readonly sentence: string;
  /** warning: the user has something to fix; notice: worth knowing (a fork); info: nothing to do. */
  readonly level: 'info' | 'notice' | 'warning';
}

/** Where the comment goes and what it may do there. */
export interface CommentTarget {
  readonly issueNumber: number;
  readonly meta: CommentMeta;
  readonly mayCreate: boolean;
  readonly notes: readonly string[];
  /** The pull request's head is in a fork (its runs get a read-only token). */
  readonly fromFork: boolean;
}

export interface NoTarget {
  readonly none: string;
}

export const FORK_HINT =
  'Pull requests from forks get a read-only token: upload the report as an artifact and post it from a workflow_run workflow with `mode: comment` (README: "Pull requests from forks").';

export function octokitFor(token: string): Octokit {
  // getOctokit takes GITHUB_API_URL for GitHub Enterprise and the tests' local server.
  return getOctokit(token);
}

export function resolveCommentKey(input: string | undefined, report: CheckReport | null): string {
  if (input) return input;
  const fromReport = report?.source.commentKey;
  return fromReport && COMMENT_KEY_PATTERN.test(fromReport) ? fromReport : DEFAULT_COMMENT_KEY;
}

/** Posts or updates the comment; never throws: a comment that cannot be written is a sentence, not a failure. */
export async function postComment(octokit: Octokit, context: RunContext, report: CheckReport, key: string, target: CommentTarget): Promise<CommentResult> {
  try {
    const outcome = await withOneRetry(() =>
      upsertStickyComment(
        octokit,
        { owner: context.owner, repo: context.repo, issueNumber: target.issueNumber, marker: commentMarker(key) },
        {
          meta: target.meta,
          mayCreate: target.mayCreate,
          body: (previous) => renderCommentBody(report, { key, meta: target.meta, previous, notes: target.notes }).text,
        },
      ),
    );
    const where = `pull request #${target.issueNumber}`;
    const dupes =
      'removedDuplicates' in outcome && outcome.removedDuplicates > 0
        ? ` (removed ${outcome.removedDuplicates} duplicate${outcome.removedDuplicates === 1 ? '' : 's'})`
        : '';
    switch (outcome.action) {
      case 'created':
        return { id: outcome.id, url: outcome.url, sentence: `Posted the comment on ${where}: ${outcome.url}${dupes}`, level: 'info' };
      case 'updated':
        return { id: outcome.id, url: outcome.url, sentence: `Updated the comment on ${where}: ${outcome.url}${dupes}`, level: 'info' };
      case 'unchanged':
        return { id: outcome.id, url: outcome.url, sentence: `The comment on ${where} already says this: ${outcome.url}${dupes}`, level: 'info' };
      case 'kept-newer':
        return {
          id: outcome.id,
          url: outcome.url,
          sentence: `Left the comment on ${where} as it is: a newer run already wrote it: ${outcome.url}`,
          level: 'info',
        };
      case 'not-created':
        return { id: null, url: null, sentence: `No comment on ${where}: nothing to report under the comment policy`, level: 'info' };
    }
  } catch (err) {
    return refusal(err, target);
  }
}

function refusal(err: unknown, target: Pick<CommentTarget, 'issueNumber' | 'fromFork'>): CommentResult {
  const status = statusOf(err);
  const message = (err instanceof Error ? err.message.split('\n')[0] : undefined) ?? String(err);
  if (isTransient(err)) {
    return {
      id: null,
      url: null,
      sentence: `No comment on pull request #${target.issueNumber}: GitHub answered HTTP ${status} twice (${message}); the job summary has the report`,
      level: 'warning',
    };
  }
  if (status === 403 || status === 404 || status === 401) {
    const hint = target.fromFork ? FORK_HINT : 'Give the job `permissions: pull-requests: write` (or pass a token that has it as `github-token`).';
    return {
      id: null,
      url: null,
      sentence: `No comment on pull request #${target.issueNumber}: the token may not write there (HTTP ${status}: ${message}). ${hint}`,
      level: target.fromFork ? 'notice' : 'warning',
    };
  }
  return { id: null, url: null, sentence: `No comment on pull request #${target.issueNumber}: ${message}`, level: 'warning' };
}

function metaOf(context: RunContext, sha: string | null, report: CheckReport): CommentMeta {
  return { runId: context.runId, runAttempt: context.runAttempt, sha, verdict: report.verdict === 'pass' ? 'pass' : 'fail' };
}

/** The pull request a commit on the default branch came from: the one it merged as, else the one it heads. */
async function pullRequestOfCommit(octokit: Octokit, context: RunContext, sha: string): Promise<{ number: number; fromFork: boolean } | null> {
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: context.owner, repo: context.repo, commit_sha: sha });
  const pick = data.find((p) => p.merge_commit_sha === sha) ?? data.find((p) => p.head.sha === sha) ?? null;
  if (!pick) return null;
  // GitHub sends `repo: null` when the fork was deleted, whatever the OpenAPI types say.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  const fromFork = (pick.head.repo?.full_name ?? '').toLowerCase() !== `${context.owner}/${context.repo}`.toLowerCase();
  return { number: pick.number, fromFork };
}

/** Whether this run would look for a pull request to comment on at all. */
export function commentExpected(config: PublishConfig, context: RunContext, report: CheckReport): boolean {
  if (config.comment === 'never') return false;
  if (isPullRequestEvent(context)) return true;
  return config.comment === 'always' || (isDefaultBranchPush(context) && hasDeployResult(report));
}

/** mode check: the pull request of this run, or after a deploy on the default branch the one the commit came from. */
export async function checkRunTarget(octokit: Octokit, config: PublishConfig, context: RunContext, report: CheckReport): Promise<CommentTarget | NoTarget> {
  if (isPullRequestEvent(context) && context.pullRequest) {
    const pr = context.pullRequest;
    return {
      issueNumber: pr.number,
      meta: metaOf(context, pr.headSha, report),
      mayCreate: mayCreateComment(config.comment, report),
      notes: [],
      fromFork: pr.fromFork,
    };
  }
  const sha = context.sha;
  const deployed = isDefaultBranchPush(context) && hasDeployResult(report);
  if (sha && (deployed || config.comment === 'always')) {
    let pr: { number: number; fromFork: boolean } | null;
    try {
      pr = await pullRequestOfCommit(octokit, context, sha);
    } catch (err) {
      return { none: `No comment: could not look up the pull request of ${sha.slice(0, 7)} (${(err as Error).message.split('\n')[0]})` };
    }
    if (!pr) return { none: `No comment: commit ${sha.slice(0, 7)} belongs to no pull request` };
    const notes = deployed ? [`> 🚀 Merged: this is the run of the merge commit on the default branch, with its deployment.`] : [];
    // After a merge the comment is news only if it exists already (or the policy says always).
    const mayCreate = deployed ? config.comment === 'always' : mayCreateComment(config.comment, report);
    return { issueNumber: pr.number, meta: metaOf(context, sha, report), mayCreate, notes, fromFork: pr.fromFork };
  }
  return { none: `No comment: a ${context.eventName || 'non-pull-request'} run (comment: ${config.comment} comments on pull requests)` };
}

/**
 * mode comment in a workflow_run workflow: the report file was written by the pull request's
 * own run, which a fork controls entirely, so the pull request it names is only a claim. The
 * number used is one GitHub itself vouches for: listed in the event's pull_requests with the
 * run's head SHA, or (GitHub leaves that list empty for forks) the claimed pull request whose
 * current head is the SHA the event says the run built. A fork can thus only ever comment on
 * its own pull request, and only while the report still describes its head.
 */
export async function workflowRunTarget(
  octokit: Octokit,
  config: PublishConfig,
  context: RunContext,
  report: CheckReport,
): Promise<{ target: CommentTarget; report: CheckReport } | NoTarget> {
  const run = obj(context.payload['workflow_run']);
  const claimed = report.source.pullRequest;
  if (!run) {
    // Same-repository use (e.g. a later job of a pull_request workflow): the event names the PR.
    if (isPullRequestEvent(context) && context.pullRequest) {
      const pr = context.pullRequest;
      const meta = metaOf(context, pr.headSha, report);
      return { target: { issueNumber: pr.number, meta, mayCreate: mayCreateComment(config.comment, report), notes: [], fromFork: pr.fromFork }, report };
    }
    return { none: `No comment: mode comment runs in a workflow_run (or pull_request) workflow; this is a ${context.eventName || 'different'} run` };
  }
  const headSha = str(run['head_sha']);
  if (!headSha || !/^[0-9a-f]{40,64}$/i.test(headSha)) return { none: 'No comment: the workflow_run event carries no head SHA' };
  const runId = num(run['id']);
  const meta: CommentMeta = { runId, runAttempt: num(run['run_attempt']), sha: headSha, verdict: report.verdict === 'pass' ? 'pass' : 'fail' };
  const headRepo = str(obj(run['head_repository'])?.['full_name']);
  const fromFork = headRepo !== null && headRepo.toLowerCase() !== `${context.owner}/${context.repo}`.toLowerCase();

  // What GitHub says, not what the file says.
  const htmlUrl = str(run['html_url']);
  const trusted: CheckReport = {
    ...report,
    source: {
      ...report.source,
      commit: headSha,
      commitUrl: commitUrl(context, headSha),
      runUrl: htmlUrl && htmlUrl.startsWith(`${context.serverUrl}/`) ? htmlUrl : null,
      ref: str(run['head_branch']),
    },
    // A fork's run never deploys; a deploy section in its report could only carry a link to
    // wherever the fork likes, under this repository's bot's name.
    deploy: fromFork ? null : report.deploy,
  };
  const notes: string[] = [];
  const conclusion = str(run['conclusion']);
  if (report.verdict === 'pass' && conclusion !== null && conclusion !== 'success') {
    notes.push(
      `> ⚠️ The workflow run that wrote this report ended with **${conclusion === 'failure' || conclusion === 'cancelled' || conclusion === 'timed_out' ? conclusion.replace('_', ' ') : 'another conclusion'}**.`,
    );
  }

  if (str(run['event']) === 'push') {
    const sha = headSha;
    const deployed = hasDeployResult(report) && str(run['head_branch']) === context.defaultBranch;
    if (!deployed && config.comment !== 'always') return { none: 'No comment: the run was a push, not a pull request' };
    const pr = await pullRequestOfCommit(octokit, context, sha).catch(() => null);
    if (!pr) return { none: `No comment: commit ${sha.slice(0, 7)} belongs to no pull request` };
    if (deployed) notes.push('> 🚀 Merged: this is the run of the merge commit on the default branch, with its deployment.');
    return { target: { issueNumber: pr.number, meta, mayCreate: config.comment === 'always', notes, fromFork: pr.fromFork }, report: trusted };
  }

  const number = await vouchedPullRequest(octokit, context, run, headSha, claimed);
  if (typeof number !== 'number') return number;
  const reportFor = { ...trusted, source: { ...trusted.source, pullRequest: number } };
  return { target: { issueNumber: number, meta, mayCreate: mayCreateComment(config.comment, report), notes, fromFork }, report: reportFor };
}

/**
 * The number of the pull request GitHub vouches for: one the event lists with the run's head SHA
 * (the claimed one first), else the claimed one while its current head is that SHA.
 */
async function vouchedPullRequest(octokit: Octokit, context: RunContext, run: Fields, headSha: string, claimed: number | null): Promise<number | NoTarget> {
  const listed = arr(run['pull_requests'])
    .map(obj)
    .filter((p) => p !== null && str(obj(p['head'])?.['sha']) === headSha)
    .map((p) => num(p?.['number']))
    .filter((n): n is number => n !== null);
  let number: number | null = null;
  if (claimed !== null && listed.includes(claimed)) number = claimed;
  else if (listed.length > 0) number = listed[0] ?? null;
  else if (claimed !== null) {
    try {
      const { data: pr } = await octokit.rest.pulls.get({ owner: context.owner, repo: context.repo, pull_number: claimed });
      if (pr.head.sha !== headSha) {
        return {
          none: `No comment: the report names pull request #${claimed}, whose head is ${pr.head.sha.slice(0, 7)}, not ${headSha.slice(0, 7)} that the run built (a newer push, or a report that does not belong there)`,
        };
      }
      number = pr.number;
    } catch (err) {
      return { none: `No comment: pull request #${claimed} named by the report cannot be read (${(err as Error).message.split('\n')[0]})` };
    }
  }
  if (number === null) return { none: `No comment: no pull request has head ${headSha.slice(0, 7)}` };
  return number;
}

/** What a run that could not check anything tells its pull request (and its job summary). */
export function runErrorSource(context: RunContext): RunErrorSource {
  const sha = context.pullRequest?.headSha ?? context.sha;
  return { commit: sha, commitUrl: commitUrl(context, sha), runUrl: runUrl(context), ref: context.headRef || context.ref };
}

/**
 * A pull-request run that failed before any check: its comment says so rather than keep showing
 * an earlier run's results. Never throws.
 */
export async function postRunError(config: PublishConfig, context: RunContext, message: string): Promise<CommentResult | null> {
  const pr = context.pullRequest;
  if (config.comment === 'never' || !config.token || !isPullRequestEvent(context) || !pr) return null;
  const key = resolveCommentKey(config.commentKey, null);
  const meta: CommentMeta = { runId: context.runId, runAttempt: context.runAttempt, sha: pr.headSha, verdict: 'fail' };
  const source = runErrorSource(context);
  const octokit = octokitFor(config.token);
  try {
    const outcome = await withOneRetry(() =>
      upsertStickyComment(
        octokit,
        { owner: context.owner, repo: context.repo, issueNumber: pr.number, marker: commentMarker(key) },
        { meta, mayCreate: true, body: () => renderRunErrorComment(message, source, key, meta) },
      ),
    );
    if (outcome.action === 'not-created' || outcome.action === 'kept-newer') return null;
    return {
      id: outcome.id,
      url: outcome.url,
      sentence: `The comment on pull request #${pr.number} says this run could not check anything: ${outcome.url}`,
      level: 'info',
    };
  } catch (err) {
    return refusal(err, { issueNumber: pr.number, fromFork: pr.fromFork });
  }
}
