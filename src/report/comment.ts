import type { CheckReport } from '../model/report.ts';
import type { CommentPolicy } from '../config/publish.ts';
import { COMMENT_KEY_PATTERN } from '../config/publish.ts';
import { checkRows, sizeChangeNoticeable } from './checks.ts';
import { escapeInline, inlineCode, safeUrl } from './escape.ts';
import { renderMarkdownWithin } from './markdown.ts';
import { obj } from '../model/fields.ts';

/** GitHub refuses comment bodies over 65,536 characters; the margin absorbs any difference in counting. */
export const COMMENT_MAX_CHARS = 65_000;

/** The first line of every comment deploy-check owns: how it finds its comment again. */
export function commentMarker(key: string): string {
  if (!COMMENT_KEY_PATTERN.test(key)) throw new Error(`invalid comment key ${JSON.stringify(key)}`);
  return `<!-- deploy-check:${key} -->`;
}

/**
 * What the comment says about itself, on its hidden second line: the run that wrote it (a
 * slower, older run must not overwrite a newer one's comment) and its verdict (so the next
 * run can say that a failure went away). Only digits, hex and fixed words: it sits in an
 * HTML comment and must not be able to end it.
 */
export interface CommentMeta {
  readonly runId: number | null;
  readonly runAttempt: number | null;
  readonly sha: string | null;
  readonly verdict: 'pass' | 'fail' | null;
}

const META_PREFIX = '<!-- deploy-check-meta ';

export function formatMeta(meta: CommentMeta): string {
  const sha = meta.sha && /^[0-9a-f]{7,64}$/i.test(meta.sha) ? meta.sha : null;
  const safe = { run: meta.runId, attempt: meta.runAttempt, sha, verdict: meta.verdict };
  return `${META_PREFIX}${JSON.stringify(safe)} -->`;
}

export function parseMeta(body: string): CommentMeta | null {
  const line = body.split('\n', 3)[1] ?? '';
  if (!line.startsWith(META_PREFIX) || !line.endsWith(' -->')) return null;
  try {
    const raw = obj(JSON.parse(line.slice(META_PREFIX.length, -4)));
    if (!raw) return null;
    const int = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
    return {
      runId: int(raw['run']),
      runAttempt: int(raw['attempt']),
      sha: typeof raw['sha'] === 'string' ? raw['sha'] : null,
      verdict: raw['verdict'] === 'pass' || raw['verdict'] === 'fail' ? raw['verdict'] : null,
    };
  } catch {
    return null;
  }
}

/** Whether the comment a run found was written by a later run (or a later attempt of the same run). */
export function isNewer(existing: CommentMeta | null, ours: CommentMeta): boolean {
  if (!existing || existing.runId === null || ours.runId === null) return false;
  if (existing.runId !== ours.runId) return existing.runId > ours.runId;
  return (existing.runAttempt ?? 0) > (ours.runAttempt ?? 0);
}

/** Something a reader should look at: a failed or warning check, or a size change outside the neutral band. */
export function reportHasNews(report: CheckReport): boolean {
  if (report.verdict !== 'pass') return true;
  if (checkRows(report).some((r) => r.state === 'fail' || r.state === 'warn')) return true;
  return sizeChangeNoticeable(report);
}

/** Whether this run may create a new comment (an existing one is updated regardless). */
export function mayCreateComment(policy: CommentPolicy, report: CheckReport): boolean {
  switch (policy) {
    case 'never':
      return false;
    case 'on-failure':
      return report.verdict !== 'pass';
    case 'on-change':
      return reportHasNews(report);
    default:
      return true;
  }
}

export interface CommentBodyOptions {
  readonly key: string;
  readonly meta: CommentMeta;
  /** What the comment said before this run, when it exists. */
  readonly previous: CommentMeta | null;
  /** Extra sentences (Markdown, already safe) under the verdict. */
  readonly notes?: readonly string[];
}

/** The whole comment: marker, meta, then the report within GitHub's size limit. */
export function renderCommentBody(report: CheckReport, options: CommentBodyOptions): { text: string; shortened: boolean } {
  const notes = [...(options.notes ?? [])];
  const previous = options.previous;
  if (previous?.verdict === 'fail' && report.verdict === 'pass') {
    const sha = previous.sha && /^[0-9a-f]{7,64}$/i.test(previous.sha) ? ` at <code>${previous.sha.slice(0, 7)}</code>` : '';
    notes.unshift(`> 🎉 The failure reported earlier${sha} is gone: every check passes now.`);
  }
  const key = options.key;
  const header = [commentMarker(key), formatMeta(options.meta)];
  if (key !== 'default') notes.unshift(`<sub>Comment key ${escapeInline(key)}</sub>`);
  const run = safeUrl(report.source.runUrl);
  const shortened = `Shortened to fit a comment: the complete report is in the ${run ? `[job summary](${run})` : 'job summary'}.`;
  return renderMarkdownWithin(report, COMMENT_MAX_CHARS, { header, notes, shortened });
}

/** Whether a report carries a deploy result worth telling the pull request about. */
export function hasDeployResult(report: CheckReport): boolean {
  return report.deploy !== null && report.deploy.status !== 'skipped';
}

export interface RunErrorSource {
  readonly commit: string | null;
  readonly commitUrl: string | null;
  readonly runUrl: string | null;
  readonly ref: string | null;
}

/**
 * When deploy-check could not run at all (a configuration error, an engine that does not
 * answer), the comment must not keep saying what an earlier run found: it says this run failed
 * and why. The job summary gets the same text.
 */
export function renderRunError(message: string, source: RunErrorSource, header: readonly string[] = []): string {
  const parts: string[] = [];
  if (source.commit && /^[0-9a-f]{7,64}$/i.test(source.commit)) {
    const url = safeUrl(source.commitUrl);
    parts.push(url ? `commit [<code>${source.commit.slice(0, 7)}</code>](${url})` : `commit <code>${source.commit.slice(0, 7)}</code>`);
  }
  if (source.ref) parts.push(`on ${inlineCode(source.ref.replace(/^refs\/heads\//, ''), 80)}`);
  const run = safeUrl(source.runUrl);
  if (run) parts.push(`[workflow run](${run})`);
  return [
    ...header,
    '### ❌ deploy-check could not run',
    parts.length ? `<sub>${parts.join(' · ')}</sub>` : '',
    '',
    escapeInline(message, 2000),
    '',
    '<sub>No check ran, so nothing was built, measured or deployed; the results of earlier runs no longer apply.</sub>',
    '',
  ].join('\n');
}

export function renderRunErrorComment(message: string, source: RunErrorSource, key: string, meta: CommentMeta): string {
  return renderRunError(message, source, [commentMarker(key), formatMeta(meta)]);
}
