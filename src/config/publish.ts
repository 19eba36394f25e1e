import { ConfigError, parseChoice, type InputReader } from '../inputs/inputs.ts';

/**
 * When to post the pull-request comment. An existing comment is always brought up to date,
 * whatever the policy, so that a problem that went away is not left standing on the PR.
 * - auto: on pull-request runs (and, after a deploy on the default branch, on the PR the commit came from);
 * - always: also on other events whose commit belongs to a pull request (push, workflow_dispatch);
 * - never: no comment, no GitHub API call;
 * - on-failure: a new comment only when the verdict is fail;
 * - on-change: a new comment only when a check failed or warned, or the size moved past the neutral band.
 */
export type CommentPolicy = 'auto' | 'always' | 'never' | 'on-failure' | 'on-change';
export const COMMENT_POLICIES: readonly CommentPolicy[] = ['auto', 'always', 'never', 'on-failure', 'on-change'];

/** check: build, run and report; comment: post the comment of a report file (fork-safe second workflow). */
export type ActionMode = 'check' | 'comment';
const ACTION_MODES: Readonly<Record<ActionMode, string>> = { check: 'build, run and report', comment: 'post the comment of a report-file' };

export const DEFAULT_COMMENT_KEY = 'default';
/** A key goes into a hidden HTML comment: letters, digits and . _ / - only, so it can never end it. */
export const COMMENT_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;

export interface PublishConfig {
  readonly mode: ActionMode;
  /** mode comment: the report to post. */
  readonly reportFile: string | undefined;
  readonly comment: CommentPolicy;
  /** Empty input: the report's own key in mode comment, else "default". */
  readonly commentKey: string | undefined;
  /** Never printed; registered as a secret. */
  readonly token: string | undefined;
}

export function readPublishConfig(read: InputReader): PublishConfig {
  const get = (name: Parameters<InputReader>[0]): string => read(name).trim();
  const mode = parseChoice('mode', get('mode'), ACTION_MODES, { fallback: 'check', what: 'mode' });
  const comment = parseChoice('comment', get('comment'), COMMENT_POLICIES, { fallback: 'auto', what: 'comment policy' });
  const key = get('comment-key');
  if (key !== '' && !COMMENT_KEY_PATTERN.test(key)) {
    throw new ConfigError('comment-key', `"${key}" is not a comment key; use up to 64 letters, digits, ".", "_", "/" or "-", e.g. "api" or "services/worker"`);
  }
  const reportFile = get('report-file') || undefined;
  if (mode === 'comment' && reportFile === undefined) {
    throw new ConfigError('report-file', 'mode "comment" needs the path of a report JSON (the check run\'s `report` output, e.g. downloaded from an artifact)');
  }
  return { mode, reportFile, comment, commentKey: key || undefined, token: get('github-token') || undefined };
}
