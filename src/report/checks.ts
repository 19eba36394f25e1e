import type { CheckReport } from './model.ts';
import { arr, num, obj, present, str, type Fields } from './fields.ts';
import { formatBytes, formatDuration, sourceLabel } from './format.ts';
import { escapeInline, inlineCode, safeUrl } from './escape.ts';

/**
 * One row per check of the report, with a state and a short reason, for the comment, the
 * job summary and the comment policy (`on-change`). Sections that another deploy-check
 * version does not write, or writes as null or "skipped", read as skipped.
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
  { icon: '🟡', label: `grew < ${5}%`, test: (p: number) => p < 5 },
  { icon: '🟠', label: `grew < ${10}%`, test: (p: number) => p < 10 },
  { icon: '🔴', label: `grew ≥ ${10}%`, test: () => true },
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
  const size = present(report.size);
  if (!size) return [];
  const baseline = obj(size['baseline']);
  const delta = obj(size['delta']);
  const make = (kind: SizeChange['kind'], currentKey: string, deltaKey: string, percentKey: string): SizeChange => {
    const current = num(size[currentKey]);
    const base = baseline ? num(baseline[currentKey]) : null;
    if (delta && deltaKey in delta) {
      const d = num(delta[deltaKey]);
      const p = num(delta[percentKey]);
      return { kind, current, baseline: base, delta: d, percent: p ?? (d !== null && base ? (d / base) * 100 : null) };
    }
    const computed = current !== null && base !== null ? current - base : null;
    const percent = computed !== null && base !== null && base > 0 ? (computed / base) * 100 : null;
    return { kind, current, baseline: base, delta: computed, percent };
  };
  return [make('compressed', 'compressedBytes', 'compressedBytes', 'compressedPercent'), make('uncompressed', 'bytes', 'bytes', 'percent')];
}

/** The figure budgets use (the report's delta.metric), else the larger change of the two. */
export function headlineSizePercent(report: CheckReport, changes: readonly SizeChange[]): number | null {
  const metric = str(obj(present(report.size)?.['delta'])?.['metric']);
  const chosen = changes.find((c) => c.kind === metric)?.percent;
  return chosen ?? worstSizePercent(changes);
}

/**
 * Whether the change is worth a mention: the report's own threshold (`size-comment-threshold`)
 * when it has one, else the neutral band of the scale.
 */
export function sizeChangeNoticeable(report: CheckReport): boolean {
  const threshold = obj(present(report.size)?.['commentThreshold']);
  const reached = threshold ? threshold['reached'] : undefined;
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
export function budgetProblems(size: Fields): { exceeded: string[]; unchecked: string[] } {
  const budget = obj(size['budget']);
  const exceeded: string[] = [];
  const unchecked: string[] = [];
  if (!budget) return { exceeded, unchecked };
  const checks = arr(budget['checks']).map(obj).filter((c): c is Fields => c !== null);
  for (const check of checks) {
    const status = str(check['status']);
    const message = str(check['message']) ?? `${str(check['name']) ?? 'size'} ${str(check['limit']) ?? ''}`.trim();
    if (status === 'exceeded') exceeded.push(message);
    else if (status === 'unchecked') unchecked.push(message);
  }
  if (checks.length === 0 && budget['status'] === 'exceeded') exceeded.push(str(budget['message']) ?? 'over the size budget');
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
  const services = arr(report.services).map(obj).filter((s): s is Fields => s !== null);
  const compose = obj(report.compose);
  if (services.length === 0 && !compose) return null;
  const failure = compose ? str(compose['failure']) : null;
  if (services.length === 0) {
    return failure ? { name: 'Services', state: 'fail', reason: escapeInline(failure, 200) } : { name: 'Services', state: 'skip', reason: 'none started (the app service has no depends_on)' };
  }
  const describe = (s: Fields): string => {
    const name = inlineCode(str(s['name']) ?? '?', 40);
    const status = str(s['status']) ?? '?';
    const ms = num(s['readyMs']);
    if (status === 'ready') return `${name} ${str(s['condition']) === 'service_completed_successfully' ? 'done' : 'ready'}${ms !== null ? ` in ${formatDuration(ms)}` : ''}`;
    const why = str(s['reason']);
    return `${name} ${escapeInline(status)}${why && status !== 'skipped' ? `: ${escapeInline(why, 120)}` : ''}`;
  };
  const failed = services.some((s) => s['status'] === 'failed' || s['status'] === 'exited');
  return { name: 'Services', state: failed || failure ? 'fail' : 'pass', reason: services.map(describe).join(' · ') };
}

/** Only when the report has a pre-deploy section (a railway.json/toml deploy.preDeployCommand under parity). */
function preDeployRow(report: CheckReport): CheckRow | null {
  const pre = obj(report.preDeploy);
  if (!pre) return null;
  const commands = arr(pre['commands']).map(obj).filter((c): c is Fields => c !== null);
  const status = str(pre['status']);
  const duration = num(pre['durationMs']);
  const list = commands.map((c) => {
    const exit = num(c['exitCode']);
    return `${inlineCode(str(c['command']) ?? '', 60)} ${exit === null ? 'did not start' : `exit ${exit}`} in ${formatDuration(num(c['durationMs']))}`;
  });
  if (status === 'passed') return { name: 'Pre-deploy', state: 'pass', reason: `passed in ${formatDuration(duration)} · ${list.join(' · ')}` };
  if (status === 'failed') {
    const reason = str(pre['reason']);
    return { name: 'Pre-deploy', state: 'fail', reason: `${reason ? escapeInline(reason, 200) : 'failed'} · the app was not started` };
  }
  const reason = str(pre['reason']);
  return { name: 'Pre-deploy', state: 'skip', reason: `${escapeInline(status ?? 'skipped', 20)}${reason ? `: ${escapeInline(reason, 160)}` : ''}` };
}

/** What the run mirrored of Railway (health.parity), as plain phrases; null when the report has none. */
export function parityFacts(report: CheckReport): { enabled: boolean; why: string; parts: string[] } | null {
  const parity = obj(obj(report.health)?.['parity']);
  if (!parity) return null;
  const why = str(parity['why']) ?? '';
  if (parity['enabled'] !== true) return { enabled: false, why, parts: [] };
  const port = num(parity['port']);
  const portSource = str(parity['portSource']) ?? '';
  const parts = [port !== null ? `PORT=${port} (${portSource})` : `port from ${portSource}`];
  const host = str(parity['host']);
  if (host) parts.push(`Host ${host}`);
  parts.push(parity['statusSource'] === 'railway' ? 'only 200 passes' : `accepted ${str(parity['acceptedStatus']) ?? ''} (health-status)`);
  const commandSource = str(parity['startCommandSource']);
  parts.push(commandSource === 'image' || commandSource === null ? "the image's CMD" : `start command from ${commandSource}`);
  const timeout = num(obj(report.health)?.['timeoutMs']);
  parts.push(`timeout ${formatDuration(timeout)} (${str(parity['timeoutSource']) ?? ''})`);
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
  const build = obj(report.build);
  if (!build) return { name: 'Build', state: 'skip', reason: 'not run' };
  const steps = obj(build['steps']);
  const total = steps ? num(steps['total']) : null;
  const cached = steps ? num(steps['cached']) : null;
  const duration = num(build['durationMs']);
  if (build['status'] === 'success') {
    const parts = [`built in ${formatDuration(duration)}`];
    if (total !== null && cached !== null) parts.push(`${cached}/${total} steps cached`);
    return { name: 'Build', state: 'pass', reason: parts.join(' · ') };
  }
  const failure = obj(build['failure']);
  const step = failure ? str(failure['step']) : null;
  const message = failure ? str(failure['message']) : null;
  const source = failure ? obj(failure['source']) : null;
  const file = source ? str(source['file']) : null;
  const line = source ? num(source['line']) : null;
  const where = file !== null && line !== null ? ` at ${inlineCode(sourceLabel({ file, line, endLine: num(source?.['endLine']) ?? line }), 60)}` : '';
  return {
    name: 'Build',
    state: 'fail',
    reason: `failed${where}${step ? ` ${where ? 'in' : 'at'} ${inlineCode(step, 60)}` : ''}${message ? `: ${escapeInline(message, 160)}` : ''}`,
  };
}

function cacheRow(report: CheckReport): CheckRow {
  const build = obj(report.build);
  const cache = build ? present(build['cache']) : null;
  const note = cache ? str(cache['note']) : null;
  if (!cache || cache['enabled'] === false) {
    return { name: 'Cache', state: 'skip', reason: `off${note ? `: ${escapeInline(note, 160)}` : ''}` };
  }
  const warnings = arr(cache['warnings']).map(str).filter((w): w is string => w !== null);
  const parts: string[] = [];
  const restored = cache['restored'] === true;
  if (restored) {
    const matched = str(cache['matchedKey']);
    const exact = cache['exactHit'] === true || (matched !== null && matched === str(cache['key']));
    const bytes = num(cache['restoredBytes']);
    parts.push(`restored ${exact ? 'an exact match' : matched ? inlineCode(matched, 60) : 'a cache'}${bytes !== null ? ` (${formatBytes(bytes)})` : ''}`);
    const saved = num(cache['timeSavedMs']);
    if (saved !== null && saved > 0) parts.push(`about ${formatDuration(saved)} of build time saved`);
  } else {
    parts.push(note ? `nothing restored: ${escapeInline(note, 120)}` : 'no cache yet (cold build)');
  }
  if (cache['saved'] === true) {
    const bytes = num(cache['savedBytes']);
    parts.push(`saved${bytes !== null ? ` ${formatBytes(bytes)}` : ''}`);
  } else {
    const why = str(cache['saveReason']);
    parts.push(`not saved${why ? `: ${escapeInline(why, 100)}` : ''}`);
  }
  if (warnings.length) parts.push(escapeInline(warnings.join('; '), 200));
  const state: CheckState = warnings.length ? 'warn' : restored ? 'pass' : 'skip';
  return { name: 'Cache', state, reason: parts.join(' · ') };
}

/** "HTTP GET /health", "Docker HEALTHCHECK", "TCP :8000", "log line /ready/". */
export function healthTarget(report: CheckReport): string {
  const health = obj(report.health);
  if (!health) return '';
  const strategy = str(health['strategy']) ?? '';
  const target = str(health['target']);
  const label: Record<string, string> = { http: 'HTTP', healthcheck: 'Docker HEALTHCHECK', tcp: 'TCP', log: 'log line', exit: 'run to completion', none: 'not run' };
  const name = label[strategy] ?? escapeInline(strategy, 40);
  if (!target) return name;
  // The probe's host port is an accident of this run; the path is what the reader recognises.
  const shown = strategy === 'http' ? target.replace(/^(\w+ )?https?:\/\/[^/]+/, (_m, verb: string | undefined) => verb ?? '') : target;
  return `${name} ${inlineCode(shown, 80)}`;
}

function healthRow(report: CheckReport): CheckRow {
  const health = obj(report.health);
  if (!health) return { name: 'Health', state: 'skip', reason: 'not run' };
  const reason = str(health['reason']);
  const how = healthTarget(report);
  if (health['status'] === 'healthy') {
    const ttl = num(health['timeToHealthyMs']);
    return { name: 'Health', state: 'pass', reason: `healthy${ttl !== null ? ` in ${formatDuration(ttl)}` : ''}${how ? ` · ${how}` : ''}` };
  }
  if (health['status'] === 'cancelled') {
    return { name: 'Health', state: 'skip', reason: reason ? `cancelled: ${escapeInline(reason, 120)}` : 'cancelled' };
  }
  if (health['status'] === 'unhealthy') {
    return { name: 'Health', state: 'fail', reason: `${reason ? escapeInline(reason, 160) : 'not healthy'}${how ? ` · ${how}` : ''}` };
  }
  return { name: 'Health', state: 'skip', reason: reason ? `skipped: ${escapeInline(reason, 120)}` : 'skipped' };
}

function sizeRow(report: CheckReport): CheckRow {
  const size = present(report.size);
  if (!size) return { name: 'Size', state: 'skip', reason: 'not measured' };
  const changes = sizeChanges(report);
  const approx = size['compressedSource'] === 'engine-content-size' ? ' (approx.)' : '';
  const parts: string[] = [];
  for (const c of changes) {
    if (c.current === null) continue;
    const label = c.kind === 'compressed' ? `compressed${approx}` : 'uncompressed';
    const change = c.delta !== null ? ` (${formatSigned(c.delta)}${c.percent !== null ? `, ${formatPercent(c.percent)}` : ''})` : '';
    parts.push(`${formatBytes(c.current)} ${label}${change}`);
  }
  const { exceeded, unchecked } = budgetProblems(size);
  if (exceeded.length) return { name: 'Size', state: 'fail', reason: `${escapeInline(exceeded.join('; '), 240)} · ${parts.join(' · ')}` };
  const baseline = obj(size['baseline']);
  const percent = headlineSizePercent(report, changes);
  if (!baseline || percent === null) {
    const why = str(size['baselineNote']) ?? (baseline ? 'not comparable with the baseline' : 'no baseline yet');
    return { name: 'Size', state: unchecked.length ? 'warn' : 'pass', reason: `${parts.join(' · ') || 'measured'} · ${escapeInline(why, 120)}` };
  }
  const icon = sizeChangeNoticeable(report) ? sizeIcon(percent) : '⚪';
  const state: CheckState = unchecked.length || percent >= 10 ? 'warn' : 'pass';
  const extra = unchecked.length ? ` · ${escapeInline(unchecked.join('; '), 160)}` : '';
  return { name: 'Size', state, reason: `${icon} ${parts.join(' · ')}${extra}` };
}

export interface Finding {
  readonly severity: 'error' | 'warning' | 'info';
  readonly id: string;
  readonly message: string;
  readonly file: string | null;
  readonly line: number | null;
  /** The path inside the image or the build context. */
  readonly path: string | null;
  readonly evidence: string[];
  /** The Dockerfile line of the layer that holds the evidence. */
  readonly layerLine: number | null;
}

export function hygieneFindings(report: CheckReport): Finding[] {
  const hygiene = present(report.hygiene);
  if (!hygiene) return [];
  return arr(hygiene['findings']).flatMap((value): Finding[] => {
    const f = obj(value);
    if (!f) return [];
    const severity = f['severity'] === 'error' || f['severity'] === 'warning' ? f['severity'] : 'info';
    const evidence = arr(f['evidence']).map(str).filter((e): e is string => e !== null);
    return [{
      severity, id: str(f['id']) ?? '', message: str(f['message']) ?? '', file: str(f['file']), line: num(f['line']), path: str(f['path']), evidence,
      layerLine: num(obj(f['layer'])?.['line']),
    }];
  });
}

function hygieneRow(report: CheckReport): CheckRow {
  const hygiene = present(report.hygiene);
  if (!hygiene || hygiene['mode'] === 'off') {
    const reason = hygiene ? str(hygiene['reason']) : str(obj(report.hygiene)?.['reason']);
    return { name: 'Hygiene', state: 'skip', reason: reason ? `not checked: ${escapeInline(reason, 120)}` : 'not checked' };
  }
  const findings = hygieneFindings(report);
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const user = str(hygiene['user']);
  const runsAs = user ? ` · runs as ${inlineCode(user, 40)}` : '';
  // In warn mode the findings are reported but never fail the run: the icon must not say they do.
  const failing = hygiene['mode'] !== 'warn';
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

/** "shop-api / production", from the names Railway gave (or the report's own fields). */
export function deployTarget(deploy: Fields): string {
  const target = obj(deploy['target']);
  const names = [
    str(target?.['serviceName']) ?? str(deploy['service']),
    str(target?.['environmentName']) ?? str(deploy['environment']),
  ].filter((s): s is string => s !== null);
  return names.map((n) => escapeInline(n, 40)).join(' / ');
}

/** "commit 9d3b2a1" or "image registry/app@sha256:0123456789ab…": what Railway was given. */
export function deployedWhat(deploy: Fields): string {
  const image = str(deploy['image']);
  if (deploy['source'] === 'image' && image) return `image ${inlineCode(image.replace(/@sha256:([a-f0-9]{12})[a-f0-9]+$/, '@sha256:$1…'), 90)}`;
  const commit = str(deploy['commit']);
  return commit && /^[0-9a-f]{7,64}$/i.test(commit) ? `commit <code>${commit.slice(0, 7)}</code>` : '';
}

const DEPLOY_WORDS: Record<string, string> = {
  success: 'deployed',
  triggered: 'deployment started (not waited for)',
  waiting: 'waiting for approval on Railway',
  delegated: 'Railway deploys it once the checks pass',
  failed: 'failed',
  timeout: 'no verdict from Railway in time',
  error: 'could not deploy',
};

function deployRow(report: CheckReport): CheckRow {
  const deploy = obj(report.deploy);
  if (!deploy) return { name: 'Deploy', state: 'skip', reason: 'not part of this run' };
  const status = str(deploy['status']);
  const state = deployState(status, str(deploy['onApproval']));
  const reason = str(deploy['reason']) ?? str(deploy['message']) ?? str(deploy['note']);
  if (state === 'skip') return { name: 'Deploy', state, reason: reason ? `skipped: ${escapeInline(reason, 160)}` : 'skipped' };
  const railway = str(deploy['railwayStatus']);
  const parts = [`${escapeInline(DEPLOY_WORDS[status ?? ''] ?? status ?? 'unknown', 60)}${railway ? ` (${escapeInline(railway, 30)})` : ''}`];
  const target = deployTarget(deploy);
  if (target) parts.push(`to ${target}`);
  const url = safeUrl(deploy['url']);
  if (url && state === 'pass') parts.push(`[${escapeInline(url.replace(/^https?:\/\//, '').replace(/\/$/, ''), 80)}](${url})`);
  const what = deployedWhat(deploy);
  if (what) parts.push(what);
  const duration = num(deploy['durationMs']);
  if (duration !== null) parts.push(`in ${formatDuration(duration)}`);
  const smoke = obj(deploy['smoke']);
  if (smoke) parts.push(`smoke check ${escapeInline(str(smoke['status']) ?? '?', 20)}${num(smoke['httpStatus']) !== null ? ` (${num(smoke['httpStatus'])})` : ''}`);
  const rollback = obj(deploy['rollback']);
  if (rollback && rollback['status'] === 'rolled-back') parts.push(escapeInline(str(rollback['reason']) ?? 'rolled back', 120));
  if (reason && state !== 'pass') parts.push(escapeInline(reason, 160));
  return { name: 'Deploy', state, reason: parts.join(' · ') };
}
