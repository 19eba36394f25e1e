import type { CheckReport, DeployReport, SizeReport, SizeWasted } from '../model/report.ts';
import { decisiveAnswer, describeAnswerTimes, describeHttpAnswer, formatBytes, formatDuration, latestAnswer, sourceLabel } from '../model/format.ts';
import { codeBlock, codeDetails, escapeInline, inlineCode, isSafeToken, safeUrl } from './escape.ts';
import {
  NEUTRAL_PERCENT,
  SIZE_SCALE,
  STATE_ICON,
  budgetProblems,
  checkRows,
  deployTarget,
  formatPercent,
  formatSigned,
  healthTarget,
  hygieneFindings,
  parityLine,
  sizeChangeNoticeable,
  sizeIcon,
} from './checks.ts';
import { measured, sizeChanges, type SizeChange } from './size-change.ts';
import { deployState } from './state.ts';

export { codeDetails, escapeInline } from './escape.ts';

/** How much evidence goes in; shortened step by step when the text must fit a limit. */
export interface RenderLimits {
  /** Container and build log lines (the last ones). */
  readonly logLines: number;
  /** Characters of one log line. */
  readonly lineChars: number;
  readonly layerRows: number;
  /** Rows of the full layer list (every layer with the Dockerfile line that made it). */
  readonly layerList: number;
  readonly findingRows: number;
  /** Docker HEALTHCHECK results shown. */
  readonly healthEntries: number;
}

export const FULL_LIMITS: RenderLimits = { logLines: 60, lineChars: 400, layerRows: 6, layerList: 40, findingRows: 30, healthEntries: 5 };
/** The job summary has room (1 MiB) for more evidence than a comment. */
export const SUMMARY_LIMITS: RenderLimits = { logLines: 200, lineChars: 2000, layerRows: 10, layerList: 200, findingRows: 100, healthEntries: 10 };
/** A step summary may hold 1 MiB; a UTF-16 unit is at most 3 bytes of UTF-8. */
export const SUMMARY_MAX_CHARS = 300_000;

export interface RenderOptions {
  readonly limits?: RenderLimits;
  /** Lines before everything else (the sticky comment's hidden marker). */
  readonly header?: readonly string[];
  /** Markdown sentences under the verdict, already safe (e.g. "the earlier failure is fixed"). */
  readonly notes?: readonly string[];
  /** Set when evidence was left out to fit: says where the whole report is (Markdown, safe). */
  readonly shortened?: string;
}

/**
 * The report as a person reads it, in the pull-request comment and the job summary alike:
 * the verdict in one line, a table of the checks, then the evidence of whatever needs a look.
 * Every string from the report is escaped (it may come from a branch name, a Dockerfile, a
 * container's logs or a fork's report file).
 */
export function renderMarkdown(report: CheckReport, options: RenderOptions = {}): string {
  const limits = options.limits ?? FULL_LIMITS;
  const out: string[] = [...(options.header ?? [])];
  const rows = checkRows(report);
  const verdict = report.verdict === 'pass' ? 'pass' : 'fail';
  const reasons = report.reasons.filter((r) => r !== '');
  const warnings = rows.filter((r) => r.state === 'warn').length;

  if (verdict === 'pass') {
    out.push(`### ✅ deploy-check passed${warnings ? ` with ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`);
  } else {
    out.push(`### ❌ deploy-check failed${reasons[0] ? `: ${escapeInline(reasons[0], 200)}` : ''}`);
  }
  out.push(subline(report));
  for (const note of options.notes ?? []) out.push('', note);
  if (options.shortened) out.push('', `> ✂️ ${options.shortened}`);
  if (reasons.length > 1) {
    out.push('');
    for (const reason of reasons.slice(1)) out.push(`- also: ${escapeInline(reason, 200)}`);
  }

  out.push('', '| Check | | Result |', '|:--|:-:|:--|');
  for (const row of rows) out.push(`| ${row.name} | ${STATE_ICON[row.state]} | ${row.reason} |`);
  const parity = parityLine(report);
  if (parity) out.push('', `<sub>${parity}</sub>`);

  out.push(...railwayPlanSection(report));
  out.push(...buildSection(report, limits));
  out.push(...servicesSection(report, limits));
  out.push(...preDeploySection(report, limits));
  out.push(...healthSection(report, limits));
  out.push(...sizeSection(report, limits));
  out.push(...hygieneSection(report, limits));
  out.push(...deploySection(report, limits));
  out.push('', footer(report));
  return out.join('\n') + '\n';
}

/** The limits tried in turn until the text fits: logs go first, then tables, then line length. */
export const SHORTENING: readonly RenderLimits[] = [
  FULL_LIMITS,
  { ...FULL_LIMITS, logLines: 25, lineChars: 300 },
  { ...FULL_LIMITS, logLines: 10, lineChars: 200, healthEntries: 3 },
  { logLines: 3, lineChars: 160, layerRows: 5, layerList: 10, findingRows: 10, healthEntries: 2 },
  { logLines: 0, lineChars: 120, layerRows: 3, layerList: 0, findingRows: 5, healthEntries: 0 },
];

/**
 * The report rendered within `maxChars` (GitHub counts characters; UTF-16 code units are
 * never fewer, so this errs on the safe side): the first set of limits that fits wins, and as
 * a last resort the text is cut at a line boundary with closing tags and a pointer to the summary.
 */
export function renderMarkdownWithin(
  report: CheckReport,
  maxChars: number,
  options: Omit<RenderOptions, 'limits'> & { readonly ladder?: readonly RenderLimits[] } = {},
): { text: string; shortened: boolean } {
  const ladder = options.ladder ?? SHORTENING;
  const note = options.shortened ?? 'Shortened to fit: the complete evidence is in the JSON report.';
  for (const [index, limits] of ladder.entries()) {
    const text = renderMarkdown(report, { ...options, limits, shortened: index > 0 ? note : undefined });
    if (text.length <= maxChars) return { text, shortened: index > 0 };
  }
  const last = ladder[ladder.length - 1] ?? FULL_LIMITS;
  const text = renderMarkdown(report, { ...options, limits: last, shortened: note });
  const tail = `\n\n</details>\n\n> ✂️ Cut here. ${note}\n`;
  let cut = text.slice(0, Math.max(0, maxChars - tail.length));
  cut = cut.slice(0, Math.max(0, cut.lastIndexOf('\n')));
  // An unbalanced fence or <details> would swallow the closing note; close whatever is open.
  const fences = cut.match(/^`{3,}/gm) ?? [];
  if (fences.length % 2 === 1) cut += `\n${fences[fences.length - 1] ?? '```'}`;
  const opened = (cut.match(/<details/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length;
  return { text: `${cut}${opened > 0 ? tail : tail.replace('\n\n</details>', '')}`, shortened: true };
}

function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

function subline(report: CheckReport): string {
  const { source } = report;
  const parts: string[] = [];
  if (report.image.ref) parts.push(inlineCode(report.image.ref, 80));
  const commit = source.commit;
  if (commit && isSafeToken(commit, /^[0-9a-f]{7,64}$/i)) {
    const url = safeUrl(source.commitUrl);
    parts.push(url ? `commit [<code>${shortSha(commit)}</code>](${url})` : `commit <code>${shortSha(commit)}</code>`);
  }
  const branch = source.ref;
  if (branch) parts.push(`on ${inlineCode(branch.replace(/^refs\/heads\//, ''), 80)}`);
  const run = safeUrl(source.runUrl);
  if (run) parts.push(`[workflow run](${run})`);
  parts.push(formatDuration(report.durationMs));
  return `<sub>${parts.join(' · ')}</sub>`;
}

function footer(report: CheckReport): string {
  const version = report.tool.version;
  const started = report.startedAt;
  const when = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(started) ? ` · ${started.slice(0, 16).replace('T', ' ')} UTC` : '';
  const size = measured(report);
  // The neutral band is the size stage's own threshold (size-comment-threshold) when it set one.
  const limit = size?.commentThreshold.limit;
  const label = (s: (typeof SIZE_SCALE)[number]): string => (s.icon === '⚪' && limit ? `below ${escapeInline(limit, 20)}` : s.label);
  const scale = size?.baseline ? ` · size scale: ${SIZE_SCALE.map((s) => `${s.icon} ${label(s)}`).join(', ')}` : '';
  return `<sub>deploy-check${version ? ` ${escapeInline(version, 20)}` : ''}${when}${scale}</sub>`;
}

/** Rows of the plan table; a pull request that rewrites more is summed up, the JSON report has every row. */
const PLAN_ROWS = 40;

/**
 * What the pull request changes in Railway's configuration of the checked service, as an
 * infrastructure-as-code plan: nothing when nothing changed, a line when the base could not be read.
 */
function railwayPlanSection(report: CheckReport): string[] {
  const plan = report.railway?.plan;
  if (!plan || plan.status === 'unchanged') return [];
  const base = isSafeToken(plan.base, /^[0-9a-f]{7,64}$/i) ? ` <code>${shortSha(plan.base)}</code>` : '';
  if (plan.status === 'unavailable')
    return ['', `<sub>Railway configuration changes: ${escapeInline(plan.reason ?? 'base configuration not available', 300)}</sub>`];
  if (plan.changes.length === 0 && !plan.reason) return [];
  const service = report.railway?.service ? ` of ${inlineCode(report.railway.service, 60)}` : '';
  const why = plan.status === 'new-service' ? ` New service: ${escapeInline(plan.reason ?? 'the base has no such service', 200)}.` : '';
  const out = ['', '#### Railway configuration changes', '', `Against the base commit${base}${service}.${why}`];
  if (plan.changes.length === 0) return out;
  const cell = (value: string | null): string => (value === null ? '—' : inlineCode(value, 160));
  out.push('', '| Setting | Before | After |', '|:--|:--|:--|');
  for (const change of plan.changes.slice(0, PLAN_ROWS)) out.push(`| ${inlineCode(change.field, 80)} | ${cell(change.before)} | ${cell(change.after)} |`);
  if (plan.changes.length > PLAN_ROWS) out.push('', `<sub>… ${plan.changes.length - PLAN_ROWS} more in the JSON report.</sub>`);
  return out;
}

function buildSection(report: CheckReport, limits: RenderLimits): string[] {
  const { failure } = report.build;
  if (report.build.status === 'success' || !failure) return [];
  const { step, source } = failure;
  const where = [source ? inlineCode(sourceLabel(source), 160) : null, step ? inlineCode(step, 160) : null].filter((w) => w !== null).join(', step ');
  const out = ['', '#### Build failed', '', `${where ? `At ${where}: ` : ''}${escapeInline(failure.message || 'unknown error', 400)}`];
  if (source && source.lines.length > 0) out.push('', sourceBlock(source, limits));
  const logs = failure.logs;
  out.push(...evidence(`Build output (last ${Math.min(logs.length, limits.logLines)} of ${logs.length} lines)`, logs, limits, true));
  return out;
}

/** The failing instruction's lines as the Dockerfile has them, numbered as BuildKit prints them. */
function sourceBlock(source: { line: number; lines: string[] }, limits: RenderLimits): string {
  const shown = source.lines.slice(0, MAX_SOURCE_LINES);
  const width = String(source.line + shown.length - 1).length;
  const numbered = shown.map((text, i) => `${String(source.line + i).padStart(width)} | ${text}`);
  if (source.lines.length > shown.length) numbered.push(`… ${source.lines.length - shown.length} more lines`);
  return codeBlock(numbered, limits.lineChars);
}

const MAX_SOURCE_LINES = 30;

/** A failed pre-deploy command's output (a passing one shows in the checks table). */
function preDeploySection(report: CheckReport, limits: RenderLimits): string[] {
  const pre = report.preDeploy;
  if (pre?.status !== 'failed') return [];
  const out = ['', '#### Pre-deploy command failed', ''];
  if (pre.reason) out.push(escapeInline(pre.reason, 400));
  const failed = pre.commands.at(-1);
  if (failed) {
    const { error, logs } = failed;
    if (error) out.push('', `Docker: ${escapeInline(error, 300)}`);
    out.push(...evidence(`Output of ${failed.command || 'the command'} (${logs.length} lines)`, logs, limits, true, true));
    if (logs.length === 0 && !error) out.push('', '<sub>The command wrote no output.</sub>');
  }
  return out;
}

function evidence(title: string, logLines: string[], limits: RenderLimits, open = false, keepHead = false): string[] {
  if (logLines.length === 0) return [];
  if (limits.logLines === 0) return ['', `<sub>${escapeInline(title.replace(/ \(.*\)$/, ''))}: left out here, see the job summary.</sub>`];
  const shown = keepHead ? headAndTail(logLines, limits.logLines) : logLines.slice(-limits.logLines);
  return ['', codeDetails(title, shown, limits.lineChars, open)];
}

/** A container's first lines say why it failed to start, its last where it stood: both stay when lines must go. */
export function headAndTail(logLines: readonly string[], max: number): string[] {
  if (logLines.length <= max) return [...logLines];
  const head = Math.ceil(max * 0.4);
  const tail = Math.max(0, max - head);
  return [...logLines.slice(0, head), `… ${logLines.length - head - tail} more lines here in the JSON report …`, ...(tail ? logLines.slice(-tail) : [])];
}

/** The logs of each Compose service that failed the run. */
function servicesSection(report: CheckReport, limits: RenderLimits): string[] {
  const failed = (report.services ?? []).filter((s) => s.status === 'failed' || s.status === 'exited');
  if (failed.length === 0) return [];
  const out = ['', '#### Services failed', ''];
  for (const s of failed) {
    out.push(
      `- ${inlineCode(s.name, 40)}${s.image ? ` (${inlineCode(s.image, 80)})` : ''}, waited for ${inlineCode(s.condition, 40)}: ${escapeInline(s.reason ?? '', 240)}`,
    );
    const checks = s.healthLog.filter((l) => l !== '');
    if (checks.length) out.push(`  last healthcheck: ${escapeInline(checks.at(-1) ?? '', 200)}`);
  }
  for (const s of failed) out.push(...evidence(`${s.name} logs (last ${s.logs.length} lines)`, s.logs, limits, true));
  return out;
}

function healthSection(report: CheckReport, limits: RenderLimits): string[] {
  const { health } = report;
  if (health.status !== 'unhealthy') return [];
  const out = ['', '#### Health check failed', ''];
  const facts: string[] = [];
  const how = healthTarget(report);
  if (how) facts.push(`probe: ${how}`);
  facts.push(`timeout ${formatDuration(health.timeoutMs)}`);
  const { container, lastHttp } = health;
  if (container) {
    facts.push(
      container.started === false
        ? 'container never started'
        : container.running
          ? 'container still running'
          : `container exited with code ${container.exitCode ?? 'unknown'}`,
    );
    if (container.oomKilled) facts.push('**killed for running out of memory (OOM)**');
  }
  const answers = health.httpAnswers ?? [];
  const decisive = decisiveAnswer(answers);
  // The last answer can hide the one that matters (a 429 after the app's real answer, a 307).
  if (decisive && decisive !== latestAnswer(answers)) {
    facts.push(`first answer that was not transient: ${escapeInline(describeHttpAnswer(decisive), 200)} ${escapeInline(describeAnswerTimes(decisive), 60)}`);
  }
  if (lastHttp) {
    const { status, error, location } = lastHttp;
    const redirect = status !== null && status >= 300 && status < 400 ? ` (a redirect to ${inlineCode(location ?? 'no Location given', 120)})` : '';
    facts.push(status !== null ? `last HTTP answer: ${status}${redirect}` : `last HTTP attempt: ${escapeInline(error ?? 'no answer', 160)}`);
    const host = lastHttp.host;
    if (host) facts.push(`sent with ${inlineCode(`Host: ${host}`, 80)}, as Railway's health check does`);
  }
  const startError = health.startError;
  if (startError) facts.push(`Docker could not start it: ${inlineCode(startError, 240)}`);
  const second = health.imageHealthcheck;
  if (second) facts.push(`the image's own HEALTHCHECK said ${inlineCode(second.status, 20)} (a second opinion only)`);
  // The reason itself is in the checks table (and often the headline); here only the evidence.
  for (const fact of facts) out.push(`- ${fact}`);
  const body = lastHttp?.body;
  if (body && limits.logLines > 0) out.push(...evidence('Last HTTP response body', body.split(/\r?\n/).slice(0, 20), limits));
  if (answers.length > 1) {
    const lines = answers.map((a) => `${describeHttpAnswer(a)} ${describeAnswerTimes(a)}${a.body ? `: ${a.body.split(/\r?\n/)[0] ?? ''}` : ''}`);
    out.push(...evidence(`HTTP answers seen (${answers.length} distinct, in order, times after the container started)`, lines, limits, false, true));
  }
  const healthLog = health.healthLog.slice(-limits.healthEntries).map((e) => `[exit ${e.exitCode}] ${e.output.trim().replace(/\r?\n/g, ' ⏎ ')}`);
  if (healthLog.length) out.push(...evidence(`Docker health log (last ${healthLog.length})`, healthLog, limits));
  const logs = health.logs;
  const total = health.logLines ?? logs.length;
  const shown = Math.min(logs.length, limits.logLines);
  const what = total > shown ? `first and last lines, ${shown} of ${total}` : `${total} lines`;
  out.push(...evidence(`Container logs (${what})`, logs, limits, true, true));
  if (logs.length === 0) out.push('', '<sub>The container wrote no logs.</sub>');
  return out;
}

interface LayerChange {
  readonly instruction: string;
  readonly line: number | null;
  /** Current size; null for a layer that is gone. */
  readonly bytes: number | null;
  /** null when there is no baseline to compare with. */
  readonly delta: number | null;
  readonly change: string | null;
  readonly previousInstruction: string | null;
}

/**
 * Per-layer changes: the report's own comparison (size.delta.layers) when it has one, in the
 * figure its budgets use; else matched by instruction against the baseline's layers.
 */
export function layerChanges(report: CheckReport): LayerChange[] {
  const size = measured(report);
  if (!size) return [];
  const { delta, layers } = size;
  if (delta) {
    const compressed = delta.metric === 'compressed';
    return delta.layers.map((l) => {
      const current = layers.find((c) => c.instruction === l.instruction && c.line === l.line);
      return {
        instruction: l.instruction,
        line: l.line,
        bytes: l.change === 'removed' || !current ? null : ((compressed ? current.compressedBytes : null) ?? current.bytes),
        delta: (compressed ? l.compressedBytes : null) ?? l.bytes,
        change: l.change,
        previousInstruction: l.previousInstruction,
      };
    });
  }
  const baseLayers = size.baseline?.layers ?? [];
  const pool = new Map<string, number[]>();
  for (const layer of baseLayers) {
    const list = pool.get(layer.instruction) ?? [];
    list.push(layer.bytes);
    pool.set(layer.instruction, list);
  }
  const out: LayerChange[] = layers.map((layer) => {
    const { instruction, bytes } = layer;
    let d: number | null = null;
    let change: string | null = null;
    if (baseLayers.length) {
      const previous = pool.get(instruction)?.shift();
      d = previous === undefined ? bytes : bytes - previous;
      change = previous === undefined ? 'added' : null;
    }
    return { instruction, line: layer.line, bytes, delta: d, change, previousInstruction: null };
  });
  for (const [instruction, rest] of pool) {
    for (const bytes of rest) out.push({ instruction, line: null, bytes: null, delta: -bytes, change: 'removed', previousInstruction: null });
  }
  return out;
}

/** Wasted space: the total, and the layers that waste most with their Dockerfile lines. */
function wastedLines(wasted: SizeWasted | null | undefined): string[] {
  if (!wasted) return [];
  const { bytes, percent } = wasted;
  if (!bytes || (bytes < 1_000_000 && percent < 1)) return [];
  const where = wasted.layers.slice(0, 3).map((l) => `${l.line !== null ? `line ${l.line}: ` : ''}${inlineCode(l.instruction, 60)} ${formatBytes(l.bytes)}`);
  return [
    '',
    `<sub>Wasted space: ${formatBytes(bytes)} (${percent.toFixed(1)}%) of files a later layer deletes or overwrites${where.length ? `; most from ${where.join(', ')}` : ''}</sub>`,
  ];
}

function sizeSection(report: CheckReport, limits: RenderLimits): string[] {
  const size = measured(report);
  if (!size) return [];
  const noticeable = sizeChangeNoticeable(report);
  const out: string[] = ['', '#### Size', '', ...sizeTable(report, size, noticeable)];
  const { exceeded, unchecked } = budgetProblems(size);
  for (const problem of exceeded) out.push('', `❌ **Over budget:** ${escapeInline(problem, 300)}`);
  for (const problem of unchecked) out.push('', `⚠️ **Budget not checked:** ${escapeInline(problem, 300)}`);
  for (const note of sizeNotes(size).slice(0, 5)) out.push('', `<sub>${escapeInline(note, 240)}</sub>`);
  out.push(...wastedLines(size.wasted), ...changedLayersTable(report, limits, noticeable), ...layerList(size, limits));
  return out;
}

/** Current figures, and the baseline's with the change when there is one. */
function sizeTable(report: CheckReport, size: SizeReport, noticeable: boolean): string[] {
  const changes = sizeChanges(report).filter((c) => c.current !== null);
  const approx = size.compressedSource === 'engine-content-size' ? ' (approx.)' : '';
  const label = (c: SizeChange): string => (c.kind === 'compressed' ? `Compressed${approx}` : 'Uncompressed');
  const baseline = size.baseline;
  if (!baseline) {
    const rows = changes.map((c) => `| ${label(c)} | ${formatBytes(c.current)} |`);
    return ['| | Current |', '|:--|--:|', ...rows, '', `<sub>${escapeInline(size.baselineNote ?? 'No baseline to compare with yet.', 200)}</sub>`];
  }
  const out = ['| | Current | Baseline | Δ | % | |', '|:--|--:|--:|--:|--:|:-:|'];
  for (const c of changes) {
    const delta = c.delta !== null ? formatSigned(c.delta) : 'not comparable';
    const percent = c.percent !== null ? formatPercent(c.percent) : '';
    const icon = c.percent === null ? '' : noticeable ? sizeIcon(c.percent) : '⚪';
    out.push(`| ${label(c)} | ${formatBytes(c.current)} | ${formatBytes(c.baseline)} | ${delta} | ${percent} | ${icon} |`);
  }
  if (baseline.source) out.push('', `<sub>Baseline: ${escapeInline(baseline.source, 160)}</sub>`);
  return out;
}

/** The comparison's notes and the size stage's, a changed base image first. */
function sizeNotes(size: SizeReport): string[] {
  const { delta } = size;
  const notes = [...(delta?.notes ?? []), ...size.notes].filter((n) => n !== '');
  if (delta?.baseImageChanged) {
    const ref = size.baseImage?.ref;
    notes.unshift(`The base image changed${ref ? `: now ${ref}` : ''}.`);
  }
  return notes;
}

/** The layers whose size moved most; out of the way when the image as a whole did not move. */
function changedLayersTable(report: CheckReport, limits: RenderLimits, noticeable: boolean): string[] {
  const withDelta = layerChanges(report).filter((l) => l.delta !== null && l.delta !== 0);
  if (!withDelta.length || limits.layerRows <= 0) return [];
  const top = [...withDelta].sort((a, b) => Math.abs(b.delta ?? 0) - Math.abs(a.delta ?? 0)).slice(0, limits.layerRows);
  const title = `Layers that changed most (${top.length} of ${withDelta.length})`;
  const out = ['', noticeable ? `${title}:` : `<details><summary>${title}</summary>`, '', '| Δ | Now | Line | Instruction |', '|--:|--:|--:|:--|'];
  out.push(...top.map(changedLayerRow));
  if (!noticeable) out.push('', '</details>');
  return out;
}

function changedLayerRow(l: LayerChange): string {
  const d = l.delta ?? 0;
  const before = l.bytes !== null ? l.bytes - d : null;
  const pct = before !== null && before > 0 ? (d / before) * 100 : null;
  const icon = l.change === 'removed' || d < 0 ? '🟢' : l.change === 'added' || pct === null ? '🆕' : Math.abs(pct) < NEUTRAL_PERCENT ? '⚪' : sizeIcon(pct);
  const what =
    l.change === 'removed' ? ' <sub>(removed)</sub>' : l.change === 'base-image' ? ' <sub>(base image)</sub>' : l.change === 'added' ? ' <sub>(new)</sub>' : '';
  const was = l.previousInstruction ? `<br><sub>was ${inlineCode(l.previousInstruction, 80)}</sub>` : '';
  return `| ${icon} ${formatSigned(d)} | ${l.bytes !== null ? formatBytes(l.bytes) : '–'} | ${l.line ?? ''} | ${inlineCode(l.instruction, 90)}${what}${was} |`;
}

/** Every layer with the Dockerfile line that made it, largest first, out of the way. */
function layerList(size: SizeReport, limits: RenderLimits): string[] {
  const current = size.layers;
  if (!current.length || limits.layerList <= 0) return [];
  const rows = [...current].sort((a, b) => b.bytes - a.bytes).slice(0, limits.layerList);
  const shown = rows.length < current.length ? `largest ${rows.length} of ${current.length}` : `${current.length}`;
  const out = ['', `<details><summary>Image layers (${shown})</summary>`, '', '| Compressed | Uncompressed | Line | Instruction |', '|--:|--:|--:|:--|'];
  for (const l of rows) {
    out.push(
      `| ${formatBytes(l.compressedBytes)} | ${formatBytes(l.bytes)} | ${l.line ?? ''} | ${inlineCode(l.instruction, 90)}${l.base ? ' <sub>(base image)</sub>' : ''} |`,
    );
  }
  out.push('', '</details>');
  return out;
}

function hygieneSection(report: CheckReport, limits: RenderLimits): string[] {
  const findings = hygieneFindings(report);
  if (findings.length === 0) return [];
  const hygiene = report.hygiene;
  const order = { error: 0, warning: 1, info: 2 } as const;
  const sorted = [...findings].sort((a, b) => order[a.severity] - order[b.severity]);
  const shown = sorted.slice(0, Math.max(limits.findingRows, 1));
  const icon = { error: '❌', warning: '⚠️', info: 'ℹ️' } as const;
  const warnMode = hygiene.mode === 'warn';
  const out = ['', `#### Hygiene${warnMode ? ' <sub>(warn mode: reported, never failing)</sub>' : ''}`, ''];
  const context = hygiene.context;
  if (context) {
    const ignore = context.ignoreFile;
    out.push(
      `<sub>Build context: ${formatBytes(context.bytes)} in ${context.files} files${ignore ? `, filtered by ${escapeInline(ignore.split('/').pop() ?? ignore, 40)}` : ', no ignore file'}</sub>`,
      '',
    );
  }
  const root = report.source.context;
  const fileName = (file: string): string => (root && file.startsWith(`${root}/`) ? file.slice(root.length + 1) : (file.split('/').pop() ?? file));
  for (const f of shown) {
    const line = f.line ?? f.layer?.line ?? null;
    const place = f.file ? `${fileName(f.file)}${line !== null ? `:${line}` : ''}` : (f.path ?? (line !== null ? `line ${line}` : null));
    const where = place ? ` <sub>${escapeInline(place, 80)}</sub>` : '';
    out.push(`- ${icon[f.severity]} ${f.id ? `${inlineCode(f.id, 40)} ` : ''}${escapeInline(f.message, 300)}${where}`);
    if (limits.logLines > 0) for (const line of f.evidence.slice(0, 3)) out.push(`  - <sub>${escapeInline(line, 200)}</sub>`);
  }
  if (sorted.length > shown.length) out.push(`- … and ${sorted.length - shown.length} more in the job summary`);
  const suppressed = hygiene.suppressed;
  if (suppressed) out.push('', `<sub>${suppressed} finding${suppressed === 1 ? '' : 's'} silenced by hygiene-ignore.</sub>`);
  return out;
}

/** The pull request's preview environment: its URL, or what happened to it. */
function previewLines(deploy: DeployReport): string[] {
  const preview = deploy.preview;
  if (!preview) return [];
  const name = inlineCode(preview.environmentName || 'preview', 60);
  const url = safeUrl(preview.url);
  switch (preview.action) {
    case 'deployed':
      return [
        `🔎 Preview environment ${name}${preview.created ? ' (created by this run)' : ''}${url ? `: [${escapeInline(url.replace(/^https?:\/\//, '').replace(/\/$/, ''), 80)}](${url})` : ''}`,
      ];
    case 'deleted':
      return [`🧹 Preview environment ${name} deleted: the pull request was closed.`];
    case 'already-gone':
      return [`🧹 Preview environment ${name}: already gone when the pull request was closed.`];
    case 'skipped': {
      const reason = preview.reason;
      return [`Preview environment ${name} not updated${reason ? `: ${escapeInline(reason, 200)}` : ''}.`];
    }
  }
}

function deploySection(report: CheckReport, limits: RenderLimits): string[] {
  const deploy = report.deploy;
  if (!deploy) return [];
  const { status } = deploy;
  const state = deployState(deploy);
  const preview = previewLines(deploy);
  if (state === 'skip') return preview.length ? ['', '#### Deploy', '', ...preview] : [];
  const out = ['', '#### Deploy', ''];
  const url = safeUrl(deploy.url);
  const id = deploy.deploymentId;
  const facts: string[] = [`${STATE_ICON[state]} ${escapeInline(deploy.railwayStatus ?? status, 40)}`];
  const target = deployTarget(deploy);
  if (target) facts.push(target);
  if (url) facts.push(`[${escapeInline(url.replace(/^https?:\/\//, '').replace(/\/$/, ''), 80)}](${url})`);
  const dashboard = safeUrl(deploy.dashboardUrl);
  if (id) facts.push(dashboard ? `deployment [${inlineCode(id, 60)}](${dashboard})` : `deployment ${inlineCode(id, 60)}`);
  else if (dashboard) facts.push(`[Railway dashboard](${dashboard})`);
  out.push(facts.join(' · '));
  if (preview.length) out.push('', ...preview);
  const trigger = deploy.trigger;
  if (status === 'delegated') {
    out.push(
      '',
      `⏳ Railway deploys this commit by itself once this workflow's checks pass${trigger ? ` ("Wait for CI" on the service's ${inlineCode(trigger.branch, 60)} trigger)` : ''}; a failure of deploy-check would have stopped it.`,
    );
  } else if (trigger) {
    out.push('', `Railway's own deployment of the push (the service's ${inlineCode(trigger.branch, 60)} deployment trigger), followed by deploy-check.`);
  }
  const rollback = deploy.rollback;
  if (rollback) {
    const icon = rollback.status === 'rolled-back' ? '↩️' : '⚠️';
    out.push('', `${icon} ${escapeInline(rollback.reason, 300)}`);
  }
  if (deploy.cancelled) out.push('', '🛑 deploy-check cancelled the deployment at deploy-timeout, so it cannot go live later unobserved.');
  // The checks table has the reason already; only a long one is given whole here.
  const reason = deploy.reason;
  if (reason && state !== 'pass' && reason.length > 160) out.push('', escapeInline(reason, 400));
  const smoke = deploy.smoke;
  if (smoke && smoke.status !== 'passed') {
    const error = smoke.error;
    out.push('', `Smoke check ${escapeInline(smoke.status, 20)}: ${smoke.httpStatus ?? 'no answer'}${error ? ` (${escapeInline(error, 160)})` : ''}`);
  }
  const drift = deploy.configDrift;
  if (drift.length) {
    out.push('', "Railway settings differ from the repository (Railway applies the service's):");
    const show = (v: string | number | null): string => (v === null ? 'not set' : typeof v === 'number' ? `${v} s` : inlineCode(v, 60));
    for (const d of drift)
      out.push(`- ${escapeInline(d.fileName, 40)} sets ${inlineCode(d.setting, 40)} to ${show(d.file)}, the service has ${show(d.service)}`);
  }
  if ((state === 'fail' || state === 'pending') && deploy.logs) {
    const { logs } = deploy;
    const groups: Array<[string, string[]]> = [
      ['Railway build logs', logs.build],
      ['Railway deploy logs', logs.deploy],
      ['docker push output', logs.push],
    ];
    for (const [title, group] of groups) out.push(...evidence(`${title} (last ${Math.min(group.length, limits.logLines)} of ${group.length})`, group, limits));
  }
  return out;
}
