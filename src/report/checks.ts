import type { CheckReport } from './model.ts';
import { arr, num, obj, present, str, type Fields } from './fields.ts';
import { formatBytes, formatDuration } from './format.ts';
import { escapeInline, inlineCode } from './escape.ts';

/**
 * One row per check of the report, with a state and a short reason, for the comment, the
 * job summary and the comment policy (`on-change`). Sections that another deploy-check
 * version does not write, or writes as null or "skipped", read as skipped.
 */
export type CheckState = 'pass' | 'warn' | 'fail' | 'skip' | 'pending';

export interface CheckRow {
  readonly name: 'Build' | 'Cache' | 'Health' | 'Size' | 'Hygiene' | 'Deploy';
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

/** Current, baseline and change of both sizes, computed from the numbers rather than trusted. */
export function sizeChanges(report: CheckReport): SizeChange[] {
  const size = present(report.size);
  if (!size) return [];
  const baseline = obj(size['baseline']);
  const make = (kind: SizeChange['kind'], currentKey: string): SizeChange => {
    const current = num(size[currentKey]);
    const base = baseline ? num(baseline[currentKey]) : null;
    const delta = current !== null && base !== null ? current - base : null;
    const percent = delta !== null && base !== null && base > 0 ? (delta / base) * 100 : null;
    return { kind, current, baseline: base, delta, percent };
  };
  return [make('compressed', 'compressedBytes'), make('uncompressed', 'bytes')];
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

/** Whether a budget (whatever its exact shape in this report version) says the image is over it. */
export function budgetBreaches(size: Fields): string[] {
  const budget = obj(size['budget']);
  if (!budget) return [];
  const out: string[] = [];
  const visit = (entry: Fields, name: string): void => {
    const status = str(entry['status']);
    const over = entry['exceeded'] === true || entry['ok'] === false || status === 'exceeded' || status === 'fail' || status === 'failed' || status === 'over';
    if (!over) return;
    const message = str(entry['message']) ?? str(entry['reason']);
    const limit = num(entry['limitBytes']) ?? num(entry['maxBytes']) ?? num(entry['limit']);
    out.push(message ?? `${name} over budget${limit !== null ? ` (limit ${formatBytes(limit)})` : ''}`);
  };
  visit(budget, 'size');
  for (const [name, value] of Object.entries(budget)) {
    const entry = obj(value);
    if (entry) visit(entry, name);
  }
  for (const value of arr(budget['checks'])) {
    const entry = obj(value);
    if (entry) visit(entry, str(entry['name']) ?? 'size');
  }
  return out;
}

export function checkRows(report: CheckReport): CheckRow[] {
  return [buildRow(report), cacheRow(report), healthRow(report), sizeRow(report), hygieneRow(report), deployRow(report)];
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
  return {
    name: 'Build',
    state: 'fail',
    reason: `failed${step ? ` at ${inlineCode(step, 60)}` : ''}${message ? `: ${escapeInline(message, 160)}` : ''}`,
  };
}

function cacheRow(report: CheckReport): CheckRow {
  const build = obj(report.build);
  const cache = build ? present(build['cache']) : null;
  const note = cache ? str(cache['note']) : null;
  if (!cache || cache['enabled'] === false) {
    return { name: 'Cache', state: 'skip', reason: note ? escapeInline(note, 160) : 'off' };
  }
  const restored = cache['restored'] === true;
  const saved = cache['saved'] === true;
  const matched = str(cache['matchedKey']);
  const key = str(cache['key']);
  const parts: string[] = [];
  if (restored) {
    const exact = matched !== null && key !== null && matched === key;
    parts.push(`restored${matched ? ` ${inlineCode(matched, 60)}${exact ? ' (exact)' : ''}` : ''}`);
  } else {
    parts.push('nothing restored (cold build)');
  }
  const savedBytes = num(cache['savedBytes']) ?? num(cache['sizeBytes']) ?? num(cache['bytes']);
  parts.push(saved ? `saved${savedBytes !== null ? ` ${formatBytes(savedBytes)}` : ''}` : 'not saved');
  if (note) parts.push(escapeInline(note, 120));
  const problem = str(cache['status']) === 'error' || str(cache['status']) === 'failed';
  return { name: 'Cache', state: problem || !restored ? 'warn' : 'pass', reason: parts.join(' · ') };
}

/** "HTTP GET /health", "Docker HEALTHCHECK", "TCP :8000", "log line /ready/". */
export function healthTarget(report: CheckReport): string {
  const health = obj(report.health);
  if (!health) return '';
  const strategy = str(health['strategy']) ?? '';
  const target = str(health['target']);
  const label: Record<string, string> = { http: 'HTTP', healthcheck: 'Docker HEALTHCHECK', tcp: 'TCP', log: 'log line' };
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
  if (health['status'] === 'unhealthy') {
    return { name: 'Health', state: 'fail', reason: `${reason ? escapeInline(reason, 160) : 'not healthy'}${how ? ` · ${how}` : ''}` };
  }
  return { name: 'Health', state: 'skip', reason: reason ? `skipped: ${escapeInline(reason, 120)}` : 'skipped' };
}

function sizeRow(report: CheckReport): CheckRow {
  const size = present(report.size);
  if (!size) return { name: 'Size', state: 'skip', reason: 'not measured' };
  const changes = sizeChanges(report);
  const [compressed, uncompressed] = changes;
  const parts: string[] = [];
  const describe = (c: SizeChange | undefined, label: string): void => {
    if (!c || c.current === null) return;
    const change = c.delta !== null && c.percent !== null ? ` (${formatSigned(c.delta)}, ${formatPercent(c.percent)})` : '';
    parts.push(`${formatBytes(c.current)} ${label}${change}`);
  };
  describe(compressed, 'compressed');
  describe(uncompressed, 'uncompressed');
  const breaches = budgetBreaches(size);
  const worst = worstSizePercent(changes);
  if (breaches.length) {
    return { name: 'Size', state: 'fail', reason: `${escapeInline(breaches.join('; '), 200)} · ${parts.join(' · ')}` };
  }
  if (worst === null) {
    const baselineNote = obj(size['baseline']) ? '' : ' · no baseline yet';
    return { name: 'Size', state: 'pass', reason: `${parts.join(' · ') || 'measured'}${baselineNote}` };
  }
  const icon = sizeIcon(worst);
  const state: CheckState = worst >= 10 ? 'warn' : 'pass';
  return { name: 'Size', state, reason: `${icon} ${parts.join(' · ')}` };
}

export interface Finding {
  readonly severity: 'error' | 'warning' | 'info';
  readonly id: string;
  readonly message: string;
  readonly file: string | null;
  readonly line: number | null;
}

export function hygieneFindings(report: CheckReport): Finding[] {
  const hygiene = present(report.hygiene);
  if (!hygiene) return [];
  return arr(hygiene['findings']).flatMap((value): Finding[] => {
    const f = obj(value);
    if (!f) return [];
    const severity = f['severity'] === 'error' || f['severity'] === 'warning' ? f['severity'] : 'info';
    return [{ severity, id: str(f['id']) ?? '', message: str(f['message']) ?? '', file: str(f['file']), line: num(f['line']) }];
  });
}

function hygieneRow(report: CheckReport): CheckRow {
  if (!present(report.hygiene)) return { name: 'Hygiene', state: 'skip', reason: 'not checked' };
  const findings = hygieneFindings(report);
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (errors.length) {
    return { name: 'Hygiene', state: 'fail', reason: `${count(errors.length, 'error')}${warnings.length ? `, ${count(warnings.length, 'warning')}` : ''}: ${escapeInline(errors[0]?.message ?? '', 120)}` };
  }
  if (warnings.length) {
    return { name: 'Hygiene', state: 'warn', reason: `${count(warnings.length, 'warning')}: ${escapeInline(warnings[0]?.message ?? '', 120)}` };
  }
  const notes = findings.length;
  return { name: 'Hygiene', state: 'pass', reason: notes ? `no problems · ${count(notes, 'note')}` : 'no findings' };
}

const DEPLOY_DONE = new Set(['success', 'succeeded', 'deployed', 'active', 'healthy']);
const DEPLOY_FAILED = new Set(['failed', 'failure', 'error', 'crashed', 'timeout', 'timed_out', 'removed', 'cancelled', 'canceled']);

export function deployState(status: string | null): CheckState {
  const s = (status ?? '').toLowerCase();
  if (DEPLOY_DONE.has(s)) return 'pass';
  if (DEPLOY_FAILED.has(s)) return 'fail';
  if (s === 'skipped' || s === 'not-run' || s === '') return 'skip';
  return 'pending';
}

function deployRow(report: CheckReport): CheckRow {
  const deploy = obj(report.deploy);
  if (!deploy) return { name: 'Deploy', state: 'skip', reason: 'not part of this run' };
  const status = str(deploy['status']);
  const state = deployState(status);
  const reason = str(deploy['reason']) ?? str(deploy['message']) ?? str(deploy['note']);
  const target = [str(deploy['service']), str(deploy['environment'])].filter((s): s is string => s !== null).map((s) => escapeInline(s, 40)).join(' / ');
  const parts = [escapeInline(status ?? 'unknown', 40)];
  if (target) parts.push(`to ${target}`);
  const duration = num(deploy['durationMs']);
  if (duration !== null && state !== 'skip') parts.push(`in ${formatDuration(duration)}`);
  if (reason) parts.push(escapeInline(reason, 120));
  return { name: 'Deploy', state, reason: parts.join(' · ') };
}
