import type { CheckReport, DeployReport, DeployStatus, HygieneFinding, ServiceReport, SizeReport } from '../model/report.ts';
import { formatBytes, formatDuration, preDeployOutcome, sourceLabel } from '../model/format.ts';
import { escapeInline, inlineCode, safeUrl } from './escape.ts';
import { headlineSizePercent, measured, sizeChanges } from './size-change.ts';
import { checkStates, type CheckName, type CheckState } from './state.ts';

/**
 * One row per check of the report, with its state (decided by checkStates, as for the verdict
 * and the terminal) and a short reason, for the comment, the job summary and the comment policy
 * (`on-change`). The report is typed: one from a file was checked against
 * docs/report.schema.json before it got here.
 */
export interface CheckRow {
  readonly name: CheckName;
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

/** How each row words its check; the state is given, never decided here. */
const ROW_REASON: Record<CheckName, (report: CheckReport, state: CheckState) => string> = {
  Build: buildReason,
  Cache: cacheReason,
  Services: servicesReason,
  'Pre-deploy': preDeployReason,
  Health: healthReason,
  Size: sizeReason,
  Hygiene: hygieneReason,
  Deploy: deployReason,
};

export function checkRows(report: CheckReport): CheckRow[] {
  return checkStates(report).map(({ name, state }) => ({ name, state, reason: ROW_REASON[name](report, state) }));
}

/** The Compose services the app needed at start (the row is there only when the run had Compose). */
function servicesReason(report: CheckReport): string {
  const services = report.services ?? [];
  const failure = report.compose?.failure;
  if (services.length === 0) return failure ? escapeInline(failure, 200) : 'none started (the app service has no depends_on)';
  const describe = (s: ServiceReport): string => {
    const name = inlineCode(s.name, 40);
    const { status, readyMs: ms, reason: why } = s;
    if (status === 'ready')
      return `${name} ${s.condition === 'service_completed_successfully' ? 'done' : 'ready'}${ms !== null ? ` in ${formatDuration(ms)}` : ''}`;
    return `${name} ${escapeInline(status)}${why && status !== 'skipped' ? `: ${escapeInline(why, 120)}` : ''}`;
  };
  return services.map(describe).join(' · ');
}

/** Only when the report has a pre-deploy section (a railway.json/toml deploy.preDeployCommand under parity). */
function preDeployReason(report: CheckReport, state: CheckState): string {
  const pre = report.preDeploy;
  if (!pre) return '';
  const { status, reason } = pre;
  const list = pre.commands.map((c) => `${inlineCode(c.command, 60)} ${preDeployOutcome(c)} in ${formatDuration(c.durationMs)}`);
  if (state === 'pass') return `passed in ${formatDuration(pre.durationMs)} · ${list.join(' · ')}`;
  if (state === 'fail') return `${reason ? escapeInline(reason, 200) : 'failed'} · the app was not started`;
  return `${escapeInline(status, 20)}${reason ? `: ${escapeInline(reason, 160)}` : ''}`;
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

function buildReason(report: CheckReport, state: CheckState): string {
  const { build } = report;
  if (state === 'pass') return `built in ${formatDuration(build.durationMs)} · ${build.steps.cached}/${build.steps.total} steps cached`;
  const step = build.failure?.step;
  const message = build.failure?.message;
  const source = build.failure?.source;
  const where = source ? ` at ${inlineCode(sourceLabel(source), 60)}` : '';
  return `failed${where}${step ? ` ${where ? 'in' : 'at'} ${inlineCode(step, 60)}` : ''}${message ? `: ${escapeInline(message, 160)}` : ''}`;
}

function cacheReason(report: CheckReport): string {
  const cache = report.build.cache;
  const note = cache.note;
  if (!cache.enabled) return `off${note ? `: ${escapeInline(note, 160)}` : ''}`;
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
  return parts.join(' · ');
}

/** "HTTP GET /health", "Docker HEALTHCHECK", "TCP :8000", "log line /ready/". */
export function healthTarget(report: CheckReport): string {
  const { strategy, target } = report.health;
  const label: Record<string, string> = {
    http: 'HTTP',
    healthcheck: 'Docker HEALTHCHECK',
    tcp: 'TCP',
    log: 'log line',
    exit: 'run to completion',
    none: 'not run',
  };
  const name = label[strategy] ?? escapeInline(strategy, 40);
  if (!target) return name;
  // The probe's host port is an accident of this run; the path is what the reader recognises.
  const shown = strategy === 'http' ? target.replace(/^(\w+ )?https?:\/\/[^/]+/, (_m, verb: string | undefined) => verb ?? '') : target;
  return `${name} ${inlineCode(shown, 80)}`;
}

function healthReason(report: CheckReport, state: CheckState): string {
  const { health } = report;
  const reason = health.reason;
  const how = healthTarget(report);
  if (state === 'pass') {
    const ttl = health.timeToHealthyMs;
    return `healthy${ttl !== null ? ` in ${formatDuration(ttl)}` : ''}${how ? ` · ${how}` : ''}`;
  }
  if (state === 'fail') return `${reason ? escapeInline(reason, 160) : 'not healthy'}${how ? ` · ${how}` : ''}`;
  const word = health.status === 'cancelled' ? 'cancelled' : 'skipped';
  return reason ? `${word}: ${escapeInline(reason, 120)}` : word;
}

function sizeReason(report: CheckReport, state: CheckState): string {
  const size = measured(report);
  const { exceeded, unchecked } = budgetProblems(report.size);
  if (!size) return state === 'fail' ? escapeInline(exceeded.join('; '), 240) : 'not measured';
  const changes = sizeChanges(report);
  const approx = size.compressedSource === 'engine-content-size' ? ' (approx.)' : '';
  const parts: string[] = [];
  for (const c of changes) {
    if (c.current === null) continue;
    const label = c.kind === 'compressed' ? `compressed${approx}` : 'uncompressed';
    const change = c.delta !== null ? ` (${formatSigned(c.delta)}${c.percent !== null ? `, ${formatPercent(c.percent)}` : ''})` : '';
    parts.push(`${formatBytes(c.current)} ${label}${change}`);
  }
  if (state === 'fail') return `${escapeInline(exceeded.join('; '), 240)} · ${parts.join(' · ')}`;
  const baseline = size.baseline;
  const percent = headlineSizePercent(report, changes);
  if (!baseline || percent === null) {
    const why = size.baselineNote ?? (baseline ? 'not comparable with the baseline' : 'no baseline yet');
    return `${parts.join(' · ') || 'measured'} · ${escapeInline(why, 120)}`;
  }
  const icon = sizeChangeNoticeable(report) ? sizeIcon(percent) : '⚪';
  const extra = unchecked.length ? ` · ${escapeInline(unchecked.join('; '), 160)}` : '';
  return `${icon} ${parts.join(' · ')}${extra}`;
}

/** The hygiene findings when the check ran (not skipped, not off). */
export function hygieneFindings(report: CheckReport): HygieneFinding[] {
  return report.hygiene.status === 'skipped' ? [] : report.hygiene.findings;
}

function hygieneReason(report: CheckReport, state: CheckState): string {
  const hygiene = report.hygiene;
  if (state === 'skip') {
    const reason = hygiene.reason;
    return reason ? `not checked: ${escapeInline(reason, 120)}` : 'not checked';
  }
  // A failing check names its errors even when a report says it was skipped (the verdict reads them).
  const findings = state === 'fail' ? hygiene.findings : hygieneFindings(report);
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const user = hygiene.user;
  const runsAs = user ? ` · runs as ${inlineCode(user, 40)}` : '';
  if (errors.length) {
    // In warn mode the findings are reported but never fail the run: the state says so.
    const failing = state === 'fail';
    return `${count(errors.length, 'error')}${warnings.length ? `, ${count(warnings.length, 'warning')}` : ''}: ${escapeInline(errors[0]?.message ?? '', 120)}${failing ? '' : ' (warn mode)'}${runsAs}`;
  }
  if (warnings.length) return `${count(warnings.length, 'warning')}: ${escapeInline(warnings[0]?.message ?? '', 120)}${runsAs}`;
  const notes = findings.length;
  return `${notes ? `no problems · ${count(notes, 'note')}` : 'no findings'}${runsAs}`;
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

function deployReason(report: CheckReport, state: CheckState): string {
  const deploy = report.deploy;
  if (!deploy) return 'not part of this run';
  const { status, reason } = deploy;
  if (state === 'skip') return reason ? `skipped: ${escapeInline(reason, 160)}` : 'skipped';
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
  return parts.join(' · ');
}
