import type {
  BuildReport,
  CacheReport,
  ConfigDrift,
  DeployReport,
  HttpAnswerReport,
  HygieneReport,
  PreDeployCommandReport,
  RailwayPlanReport,
} from './report.ts';

/** Human units for the reporters: bytes in MB/GB (decimal, as registries and `docker images` show them), durations in s. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'n/a';
  const abs = Math.abs(bytes);
  const sign = bytes < 0 ? '-' : '';
  if (abs < 1000) return `${sign}${abs} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = abs;
  let unit = 'B';
  for (const u of units) {
    value /= 1000;
    unit = u;
    if (value < 1000) break;
  }
  return `${sign}${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${unit}`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return 'n/a';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** One line on the layer cache for the reporters: what was restored, what it saved, what was stored. */
export function describeCache(cache: CacheReport, steps: BuildReport['steps']): string {
  if (!cache.enabled) return `off${cache.note ? `: ${cache.note}` : ''}`;
  const parts: string[] = [];
  if (cache.restored) {
    parts.push(
      `restored ${cache.exactHit ? "this run's key" : (cache.matchedKey ?? '')} (${formatBytes(cache.restoredBytes)} in ${formatDuration(cache.restoreMs)})`,
    );
    parts.push(
      `${steps.cached}/${steps.total} steps cached${cache.timeSavedMs !== null ? `, about ${formatDuration(cache.timeSavedMs)} of build time saved` : ''}`,
    );
  } else {
    parts.push(cache.note ? `not restored: ${cache.note}` : 'no cache yet');
  }
  if (cache.saved) parts.push(`saved ${formatBytes(cache.savedBytes)} in ${formatDuration(cache.saveMs)}`);
  else if (cache.saveReason) parts.push(`not saved: ${cache.saveReason}`);
  return parts.join('; ');
}

/** The deploy section in one line, for the summary table and the terminal. */
export function deployLine(d: DeployReport): string {
  if (d.status === 'skipped') return `skipped: ${d.reason ?? ''}`;
  const what = d.source === 'image' ? (d.image ? `image ${shortDigest(d.image)}` : 'image') : d.commit ? `commit ${d.commit.slice(0, 7)}` : 'commit';
  const status = d.railwayStatus ?? d.status;
  const parts = [`${status}${d.url ? ` at ${d.url}` : ''}`, `${what} in ${formatDuration(d.durationMs)}`];
  if (d.smoke) parts.push(`smoke check ${d.smoke.status}${d.smoke.httpStatus !== null ? ` (${d.smoke.httpStatus})` : ''}`);
  if (d.status === 'triggered') parts.push('not waited for');
  if (d.status === 'timeout') parts.push('timed out');
  if (d.status === 'error' && !d.railwayStatus) parts[0] = 'error';
  if (d.status === 'delegated') parts.push('Railway deploys it once the checks pass');
  if (d.rollback) parts.push(d.rollback.reason);
  if (d.cancelled) parts.push('cancelled');
  if (d.preview?.url) parts.push(`preview ${d.preview.url}`);
  return parts.join(', ');
}

/** name@sha256:0123456789ab… — enough of the digest to recognise it. */
function shortDigest(ref: string): string {
  return ref.replace(/@sha256:([a-f0-9]{12})[a-f0-9]+$/, '@sha256:$1…');
}

export function describeDrift(d: ConfigDrift): string {
  const show = (v: string | number | null): string => (v === null ? 'not set' : typeof v === 'number' ? `${v} s` : `"${v}"`);
  return `${d.fileName} sets ${d.setting} to ${show(d.file)} but the Railway service has ${show(d.service)}`;
}

/** "2 errors, 1 warning; runs as app, context 1.2 MB" (plain text: callers escape). */
export function hygieneLine(hy: HygieneReport): string {
  const count = (sev: string): number => hy.findings.filter((f) => f.severity === sev).length;
  const parts: string[] = [];
  const errors = count('error');
  const warnings = count('warning');
  if (errors) parts.push(`${errors} error${errors > 1 ? 's' : ''}`);
  if (warnings) parts.push(`${warnings} warning${warnings > 1 ? 's' : ''}`);
  const notes = count('info');
  const head = parts.length ? parts.join(', ') : notes ? `no problems, ${notes} note${notes > 1 ? 's' : ''}` : 'no findings';
  const ctx = hy.context ? `, context ${formatBytes(hy.context.bytes)}` : '';
  return `${head}; runs as ${hy.user ?? 'root'}${ctx}${hy.suppressed ? `, ${hy.suppressed} ignored` : ''}`;
}

/** "Dockerfile.ci:6" or "Dockerfile.ci:6-9": where a build failed, as a person looks it up. */
export function sourceLabel(source: { file: string; line: number; endLine: number }): string {
  const name = source.file.split(/[\\/]/).at(-1) ?? source.file;
  return `${name}:${source.line}${source.endLine > source.line ? `-${source.endLine}` : ''}`;
}

/**
 * The HTTP answer a failed health check is about: the first that was not transient (a 307 the
 * app gave before its rate limiter answered 429), else the last one. Null without answers.
 */
export function decisiveAnswer(answers: readonly HttpAnswerReport[] | null | undefined): HttpAnswerReport | null {
  if (!answers?.length) return null;
  return answers.find((a) => !a.transient) ?? latestAnswer(answers);
}

/** The answer that came last. */
export function latestAnswer(answers: readonly HttpAnswerReport[]): HttpAnswerReport | null {
  return answers.reduce<HttpAnswerReport | null>((latest, a) => (latest === null || a.lastMs >= latest.lastMs ? a : latest), null);
}

/** "307 (redirect to /health/)", "429 (Retry-After 2.0 s)", or why there was no answer. */
export function describeHttpAnswer(a: HttpAnswerReport): string {
  if (a.status === null) return a.transient ? `no answer: ${a.error ?? ''}` : `answered, but ${a.error ?? ''}`;
  const redirect = a.status >= 300 && a.status < 400 ? ` (redirect to ${a.location ?? 'no Location given'})` : '';
  const retry = a.retryAfterMs === undefined ? '' : a.retryAfterMs === null ? ' (no Retry-After)' : ` (Retry-After ${formatDuration(a.retryAfterMs)})`;
  return `${a.status}${redirect}${retry}`;
}

/** How often and when, in seconds after the container started: "× 3 from 0.2 s to 0.4 s". */
export function describeAnswerTimes(a: HttpAnswerReport): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  return a.count === 1 ? `once at ${s(a.firstMs)}` : `× ${a.count} from ${s(a.firstMs)} to ${s(a.lastMs)}`;
}

/** How a pre-deploy command ended, a few words ("exit 3", "still running, stopped"). */
export function preDeployOutcome(c: PreDeployCommandReport): string {
  if (c.exitCode !== null) return `exit ${c.exitCode}`;
  return c.stillRunningAfterMs ? 'still running, stopped' : 'did not start';
}

/** "deploy.healthcheckPath: /health → /ready", one per change of Railway's configuration (the log and the terminal). */
export function planLines(plan: RailwayPlanReport): string[] {
  // Repository text on one line each: a line break in a command must not start a line of the log of its own.
  return plan.changes.map((c) => `${c.field}: ${c.before ?? '(not set)'} → ${c.after ?? '(not set)'}`.replace(/[\r\n]+/g, ' '));
}
