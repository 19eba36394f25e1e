import type { CheckReport, DeployReport, DeployStatus, HygieneFinding, ServiceReport, SizeReport } from './model.ts';
import { formatBytes, formatDuration, preDeployOutcome, sourceLabel } from './format.ts';
import { escapeInline, inlineCode, safeUrl } from './escape.ts';

/**
 * One row per check of the report, with a state and a short reason, for the comment, the
 * job summary and the comment policy (`on-change`). The report is typed: one from a file was
 * checked against docs/report.schema.json before it got here.
 */
export type CheckState = 'pass' | 'warn' | 'fail' | 'skip' | 'pending';

export interface CheckRow {
  readonly name: 'Build' | 'Cache' | 'Services' | 'Pre-deploy' | 'Health' | 'Size' | 'Hygiene' | 'Deploy';
  readonly state: CheckState;
  /** Markdown, already escaped. */
  readonly reason: string;
}

export const STATE_ICON: Record<CheckState, string> = { pass: '✅', warn: '⚠️', fail: '❌', skip: '⚪', pending: '⏳' };

const NEUTRAL_PERCENT_VALUE = 1;
export const NEUTRAL_PERCENT = NEUTRAL_PERCENT_VALUE;

/**
 * The size change scale, on the larger of the compressed and uncompressed change in percent
 * of the baseline. Below NEUTRAL_PERCENT either way is noise (timestamps, package mirrors).
 */
export const SIZE_SCALE = [
  { icon: '🟢', label: 'shrank', test: (p: number) => p <= -NEUTRAL_PERCENT_VALUE },
  { icon: '⚪', label: `within ±${NEUTRAL_PERCENT_VALUE}%`, test: (p: number) => Math.abs(p) < NEUTRAL_PERCENT_VALUE },
  { icon: '🟡', label: 'grew < 5%', test: (p: number) => p < 5 },
  { icon: '🟠', label: 'grew < 10%', test: (p: number) => p < 10 },
  { icon: '🔴', label: 'grew ≥ 10%', test: () => true },
] as const;

export function sizeIcon(percent: number): string {
  return (SIZE_SCALE.find((s) => s.test(percent)) ?? SIZE_SCALE[4]).icon;
}

export interface SizeChange {
  readonly kind: 'compressed' | 'uncompressed';
  readonly current: number | null;
  readonly baseline: number | null;
  readonly delta: number | null;
  readonly percent: number | null;
}

/**
 * Current, baseline and change of both sizes. The report's own delta wins (it knows when two
 * figures were measured differently and are not comparable: null); without one, the change is
 * computed from the two figures.
 */
export function sizeChanges(report: CheckReport): SizeChange[] {
  const size = measured(report);
  if (!size) return [];
  const { baseline, delta } = size;
  const make = (kind: SizeChange['kind'], current: number | null, base: number | null, d: number | null, p: number | null): SizeChange => {
    if (delta) return { kind, current, baseline: base, delta: d, percent: p ?? (d !== null && base ? (d / base) * 100 : null) };
    const computed = current !== null && base !== null ? current - base : null;
    const percent = computed !== null && base !== null && base > 0 ? (computed / base) * 100 : null;
    return { kind, current, baseline: base, delta: computed, percent };
  };
  return [
    make('compressed', size.compressedBytes, baseline?.compressedBytes ?? null, delta?.compressedBytes ?? null, delta?.compressedPercent ?? null),
    make('uncompressed', size.bytes, baseline?.bytes ?? null, delta?.bytes ?? null, delta?.percent ?? null),
  ];
}

/** The size section when the image was measured. */
export function measured(report: CheckReport): SizeReport | null {
  return report.size.status === 'skipped' ? null : report.size;
}

/** The figure budgets use (the report's delta.metric), else the larger change of the two. */
export function headlineSizePercent(report: CheckReport, changes: readonly SizeChange[]): number | null {
  const metric = measured(report)?.delta?.metric;
  const chosen = changes.find((c) => c.kind === metric)?.percent;
  return chosen ?? worstSizePercent(changes);
}

/**
 * Whether the change is worth a mention: the report's own threshold (`size-comment-threshold`)
 * when it has one, else the neutral band of the scale.
 */
export function sizeChangeNoticeable(report: CheckReport): boolean {
  const reached = measured(report)?.commentThreshold.reached;
  if (typeof reached === 'boolean') return reached;
  const percent = headlineSizePercent(report, sizeChanges(report));
  return percent !== null && Math.abs(percent) >= NEUTRAL_PERCENT_VALUE;
}

/** The change that decides the icon: the larger increase (or smaller decrease) of the two. */
export function worstSizePercent(changes: readonly SizeChange[]): number | null {
  const percents = changes.map((c) => c.percent).filter((p): p is number => p !== null);
  return percents.length ? Math.max(...percents) : null;
}

export function formatSigned(bytes: number): string {
  return bytes > 0 ? `+${formatBytes(bytes)}` : bytes < 0 ? `−${formatBytes(-bytes)}` : '±0 B';
}

export function formatPercent(percent: number): string {
  const sign = percent > 0 ? '+' : percent < 0 ? '−' : '±';
  const abs = Math.abs(percent);
  return `${sign}${abs >= 10 ? abs.toFixed(0) : abs.toFixed(1)}%`;
}

/** Budget checks the image is over (or that could not be checked), as sentences. */
export function budgetProblems(size: SizeReport): { exceeded: string[]; unchecked: string[] } {
  const exceeded: string[] = [];
  const unchecked: string[] = [];
  for (const check of size.budget.checks) {
    const message = check.message || `${check.name} ${check.limit}`;
    if (check.status === 'exceeded') exceeded.push(message);
    else if (check.status === 'unchecked') unchecked.push(message);
  }
  return { exceeded, unchecked };
}

export function checkRows(report: CheckReport): CheckRow[] {
  const services = servicesRow(report);
  const preDeploy = preDeployRow(report);
  return [
    buildRow(report), cacheRow(report), ...(services ? [services] : []), ...(preDeploy ? [preDeploy] : []),
    healthRow(report), sizeRow(report), hygieneRow(report), deployRow(report),
  ];
}

/** The Compose services the app needed at start; no row when the run started none. */
export function servicesRow(report: CheckReport): CheckRow | null {
  const services = report.services ?? [];
  const compose = report.compose;
  if (services.length === 0 && !compose) return null;
  const failure = compose?.failure;
  if (services.length === 0) {
    return failure ? { name: 'Services', state: 'fail', reason: escapeInline(failure, 200) } : { name: 'Services', state: 'skip', reason: 'none started (the app service has no depends_on)' };
  }
  const describe = (s: ServiceReport): string => {
    const name = inlineCode(s.name, 40);
    const { status, readyMs: ms, reason: why } = s;
    if (status === 'ready') return `${name} ${s.condition === 'service_completed_successfully' ? 'done' : 'ready'}${ms !== null ? ` in ${formatDuration(ms)}` : ''}`;
    return `${name} ${escapeInline(status)}${why && status !== 'skipped' ? `: ${escapeInline(why, 120)}` : ''}`;
  };
  const failed = services.some((s) => s.status === 'failed' || s.status === 'exited');
  return { name: 'Services', state: failed || failure ? 'fail' : 'pass', reason: services.map(describe).join(' · ') };
}

/** Only when the report has a pre-deploy section (a railway.json/toml deploy.preDeployCommand under parity). */
function preDeployRow(report: CheckReport): CheckRow | null {
  const pre = report.preDeploy;
  if (!pre) return null;
  const { status, reason } = pre;
  const list = pre.commands.map((c) => `${inlineCode(c.command, 60)} ${preDeployOutcome(c)} in ${formatDuration(c.durationMs)}`);
  if (status === 'passed') return { name: 'Pre-deploy', state: 'pass', reason: `passed in ${formatDuration(pre.durationMs)} · ${list.join(' · ')}` };
  if (status === 'failed') {
    return { name: 'Pre-deploy', state: 'fail', reason: `${reason ? escapeInline(reason, 200) : 'failed'} · the app was not started` };
  }
  return { name: 'Pre-deploy', state: 'skip', reason: `${escapeInline(status, 20)}${reason ? `: ${escapeInline(reason, 160)}` : ''}` };
}

/** What the run mirrored of Railway (health.parity), as plain phrases; null when the report has none. */
export function parityFacts(report: CheckReport): { enabled: boolean; why: string; parts: string[] } | null {
  const parity = report.health.parity;
  if (!parity) return null;
  const { why, port, portSource } = parity;
  if (!parity.enabled) return { enabled: false, why, parts: [] };
  const parts = [port !== null ? `PORT=${port} (${portSource})` : `port from ${portSource}`];
  if (parity.host) parts.push(`Host ${parity.host}`);
  parts.push(parity.statusSource === 'railway' ? 'only 200 passes' : `accepted ${parity.acceptedStatus} (health-status)`);
  const commandSource = parity.startCommandSource;
  parts.push(commandSource === 'image' ? "the image's CMD" : `start command from ${commandSource}`);
  if (parity.pathSource) parts.push(`health path from ${parity.pathSource}`);
  const notMirrored = report.railway?.notMirrored ?? [];
  if (notMirrored.length) parts.push(`not mirrored: ${notMirrored.map((n) => n.setting.replace(/^deploy\./, '')).join(', ')}`);
  parts.push(`timeout ${formatDuration(report.health.timeoutMs)} (${parity.timeoutSource})`);
  return { enabled: true, why, parts };
}

/** parityFacts as one line of Markdown. */
export function parityLine(report: CheckReport): string | null {
  const facts = parityFacts(report);
  if (!facts) return null;
  const why = escapeInline(facts.why, 80);
  if (!facts.enabled) return `Railway parity: off (${why})`;
  return `Railway parity (${why}): ${facts.parts.map((p) => escapeInline(p, 80)).join(' · ')}`;
}

function buildRow(report: CheckReport): CheckRow {
  const { build } = report;
  if (build.status === 'success') {
    return { name: 'Build', state: 'pass', reason: `built in ${formatDuration(build.durationMs)} · ${build.steps.cached}/${build.steps.total} steps cached` };
  }
  const step = build.failure?.step;
  const message = build.failure?.message;
  const source = build.failure?.source;
  const where = source ? ` at ${inlineCode(sourceLabel(source), 60)}` : '';
  return {
    name: 'Build',
    state: 'fail',
    reason: `failed${where}${step ? ` ${where ? 'in' : 'at'} ${inlineCode(step, 60)}` : ''}${message ? `: ${escapeInline(message, 160)}` : ''}`,
  };
}

function cacheRow(report: CheckReport): CheckRow {
  const cache = report.build.cache;
  const note = cache.note;
  if (!cache.enabled) {
    return { name: 'Cache', state: 'skip', reason: `off${note ? `: ${escapeInline(note, 160)}` : ''}` };
  }
  const warnings = cache.warnings;
  const parts: string[] = [];
  if (cache.restored) {
    const matched = cache.matchedKey;
    const exact = cache.exactHit || (matched !== null && matched === cache.key);
    const bytes = cache.restoredBytes;
    parts.push(`restored ${exact ? 'an exact match' : matched ? inlineCode(matched, 60) : 'a cache'}${bytes !== null ? ` (${formatBytes(bytes)})` : ''}`);
    const saved = cache.timeSavedMs;
    if (saved !== null && saved > 0) parts.push(`about ${formatDuration(saved)} of build time saved`);
  } else {
    parts.push(note ? `nothing restored: ${escapeInline(note, 120)}` : 'no cache yet (cold build)');
  }
  if (cache.saved) {
    const bytes = cache.savedBytes;
    parts.push(`saved${bytes !== null ? ` ${formatBytes(bytes)}` : ''}`);
  } else {
    const why = cache.saveReason;
    parts.push(`not saved${why ? `: ${escapeInline(why, 100)}` : ''}`);
  }
  if (warnings.length) parts.push(escapeInline(warnings.join('; '), 200));
  const state: CheckState = warnings.length ? 'warn' : cache.restored ? 'pass' : 'skip';
  return { name: 'Cache', state, reason: parts.join(' · ') };
}

/** "HTTP GET /health", "Docker HEALTHCHECK", "TCP :8000", "log line /ready/". */
export function healthTarget(report: CheckReport): string {
  const { strategy, target } = report.health;
  const label: Record<string, string> = { http: 'HTTP', healthcheck: 'Docker HEALTHCHECK', tcp: 'TCP', log: 'log line', exit: 'run to completion', none: 'not run' };
  const name = label[strategy] ?? escapeInline(strategy, 40);
  if (!target) return name;
  // The probe's host port is an accident of this run; the path is what the reader recognises.
  const shown = strategy === 'http' ? target.replace(/^(\w+ )?https?:\/\/[^/]+/, (_m, verb: string | undefined) => verb ?? '') : target;
  return `${name} ${inlineCode(shown, 80)}`;
}

function healthRow(report: CheckReport): CheckRow {
  const { health } = report;
  const reason = health.reason;
  const how = healthTarget(report);
  if (health.status === 'healthy') {
    const ttl = health.timeToHealthyMs;
    return { name: 'Health', state: 'pass', reason: `healthy${ttl !== null ? ` in ${formatDuration(ttl)}` : ''}${how ? ` · ${how}` : ''}` };
  }
  if (health.status === 'cancelled') {
    return { name: 'Health', state: 'skip', reason: reason ? `cancelled: ${escapeInline(reason, 120)}` : 'cancelled' };
  }
  if (health.status === 'unhealthy') {
    return { name: 'Health', state: 'fail', reason: `${reason ? escapeInline(reason, 160) : 'not healthy'}${how ? ` · ${how}` : ''}` };
  }
  return { name: 'Health', state: 'skip', reason: reason ? `skipped: ${escapeInline(reason, 120)}` : 'skipped' };
}

function sizeRow(report: CheckReport): CheckRow {
  const size = measured(report);
  if (!size) return { name: 'Size', state: 'skip', reason: 'not measured' };
  const changes = sizeChanges(report);
  const approx = size.compressedSource === 'engine-content-size' ? ' (approx.)' : '';
  const parts: string[] = [];
  for (const c of changes) {
    if (c.current === null) continue;
    const label = c.kind === 'compressed' ? `compressed${approx}` : 'uncompressed';
    const change = c.delta !== null ? ` (${formatSigned(c.delta)}${c.percent !== null ? `, ${formatPercent(c.percent)}` : ''})` : '';
    parts.push(`${formatBytes(c.current)} ${label}${change}`);
  }
  const { exceeded, unchecked } = budgetProblems(size);
  if (exceeded.length) return { name: 'Size', state: 'fail', reason: `${escapeInline(exceeded.join('; '), 240)} · ${parts.join(' · ')}` };
  const baseline = size.baseline;
  const percent = headlineSizePercent(report, changes);
  if (!baseline || percent === null) {
    const why = size.baselineNote ?? (baseline ? 'not comparable with the baseline' : 'no baseline yet');
    return { name: 'Size', state: unchecked.length ? 'warn' : 'pass', reason: `${parts.join(' · ') || 'measured'} · ${escapeInline(why, 120)}` };
  }
  const icon = sizeChangeNoticeable(report) ? sizeIcon(percent) : '⚪';
  const state: CheckState = unchecked.length || percent >= 10 ? 'warn' : 'pass';
  const extra = unchecked.length ? ` · ${escapeInline(unchecked.join('; '), 160)}` : '';
  return { name: 'Size', state, reason: `${icon} ${parts.join(' · ')}${extra}` };
}

/** The hygiene findings when the check ran (not skipped, not off). */
export function hygieneFindings(report: CheckReport): HygieneFinding[] {
  return report.hygiene.status === 'skipped' ? [] : report.hygiene.findings;
}

function hygieneRow(report: CheckReport): CheckRow {
  const hygiene = report.hygiene;
  if (hygiene.status === 'skipped' || hygiene.mode === 'off') {
    const reason = hygiene.reason;
    return { name: 'Hygiene', state: 'skip', reason: reason ? `not checked: ${escapeInline(reason, 120)}` : 'not checked' };
  }
  const findings = hygieneFindings(report);
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const user = hygiene.user;
  const runsAs = user ? ` · runs as ${inlineCode(user, 40)}` : '';
  // In warn mode the findings are reported but never fail the run: the icon must not say they do.
  const failing = hygiene.mode !== 'warn';
  if (errors.length) {
    return {
      name: 'Hygiene',
      state: failing ? 'fail' : 'warn',
      reason: `${count(errors.length, 'error')}${warnings.length ? `, ${count(warnings.length, 'warning')}` : ''}: ${escapeInline(errors[0]?.message ?? '', 120)}${failing ? '' : ' (warn mode)'}${runsAs}`,
    };
  }
  if (warnings.length) {
    return { name: 'Hygiene', state: 'warn', reason: `${count(warnings.length, 'warning')}: ${escapeInline(warnings[0]?.message ?? '', 120)}${runsAs}` };
  }
  const notes = findings.length;
  return { name: 'Hygiene', state: 'pass', reason: `${notes ? `no problems · ${count(notes, 'note')}` : 'no findings'}${runsAs}` };
}

const DEPLOY_DONE = new Set(['success', 'succeeded', 'deployed', 'active', 'healthy', 'sleeping']);
const DEPLOY_FAILED = new Set(['failed', 'failure', 'error', 'crashed', 'timeout', 'timed_out', 'removed', 'cancelled', 'canceled']);

export function deployState(status: string | null, onApproval: string | null = null): CheckState {
  const s = (status ?? '').toLowerCase();
  if (DEPLOY_DONE.has(s)) return 'pass';
  if (DEPLOY_FAILED.has(s)) return 'fail';
  if (s === 'waiting' && onApproval === 'fail') return 'fail';
  if (s === 'skipped' || s === 'not-run' || s === '') return 'skip';
  return 'pending';
}

/** "shop-api / production", from the names Railway gave. */
export function deployTarget(deploy: DeployReport): string {
  const names = [deploy.target?.serviceName, deploy.target?.environmentName].filter((n): n is string => typeof n === 'string' && n !== '');
  return names.map((n) => escapeInline(n, 40)).join(' / ');
}

/** "commit 9d3b2a1" or "image registry/app@sha256:0123456789ab…": what Railway was given. */
export function deployedWhat(deploy: DeployReport): string {
  const { image, commit } = deploy;
  if (deploy.source === 'image' && image) return `image ${inlineCode(image.replace(/@sha256:([a-f0-9]{12})[a-f0-9]+$/, '@sha256:$1…'), 90)}`;
  return commit && /^[0-9a-f]{7,64}$/i.test(commit) ? `commit <code>${commit.slice(0, 7)}</code>` : '';
}

const DEPLOY_WORDS: Record<DeployStatus, string> = {
  skipped: 'skipped',
  success: 'deployed',
  triggered: 'deployment started (not waited for)',
  waiting: 'waiting for approval on Railway',
  delegated: 'Railway deploys it once the checks pass',
  failed: 'failed',
  timeout: 'no verdict from Railway in time',
  error: 'could not deploy',
};

function deployRow(report: CheckReport): CheckRow {
  const deploy = report.deploy;
  if (!deploy) return { name: 'Deploy', state: 'skip', reason: 'not part of this run' };
  const { status, reason } = deploy;
  const state = deployState(status, deploy.onApproval);
  if (state === 'skip') return { name: 'Deploy', state, reason: reason ? `skipped: ${escapeInline(reason, 160)}` : 'skipped' };
  const railway = deploy.railwayStatus;
  const parts = [`${escapeInline(DEPLOY_WORDS[status], 60)}${railway ? ` (${escapeInline(railway, 30)})` : ''}`];
  const target = deployTarget(deploy);
  if (target) parts.push(`to ${target}`);
  const url = safeUrl(deploy.url);
  if (url && state === 'pass') parts.push(`[${escapeInline(url.replace(/^https?:\/\//, '').replace(/\/$/, ''), 80)}](${url})`);
  const what = deployedWhat(deploy);
  if (what) parts.push(what);
  parts.push(`in ${formatDuration(deploy.durationMs)}`);
  const smoke = deploy.smoke;
  if (smoke) parts.push(`smoke check ${escapeInline(smoke.status, 20)}${smoke.httpStatus !== null ? ` (${smoke.httpStatus})` : ''}`);
  const rollback = deploy.rollback;
  if (rollback?.status === 'rolled-back') parts.push(escapeInline(rollback.reason || 'rolled back', 120));
  if (reason && state !== 'pass') parts.push(escapeInline(reason, 160));
  return { name: 'Deploy', state, reason: parts.join(' · ') };
}
