import type { CheckReport } from './model.ts';
import { arr, lines, num, obj, present, str, type Fields } from './fields.ts';
import { formatBytes, formatDuration, sourceLabel } from './format.ts';
import { codeBlock, codeDetails, escapeInline, inlineCode, isSafeToken, safeUrl } from './escape.ts';
import {
  NEUTRAL_PERCENT,
  SIZE_SCALE,
  STATE_ICON,
  budgetProblems,
  checkRows,
  deployState,
  deployTarget,
  formatPercent,
  formatSigned,
  healthTarget,
  hygieneFindings,
  parityLine,
  sizeChangeNoticeable,
  sizeChanges,
  sizeIcon,
} from './checks.ts';

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
  const reasons = arr(report.reasons).map((r) => str(r)).filter((r): r is string => r !== null && r !== '');
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
  const source = obj(report.source) ?? {};
  const parts: string[] = [];
  const image = obj(report.image);
  const ref = image ? str(image['ref']) : null;
  if (ref) parts.push(inlineCode(ref, 80));
  const commit = str(source['commit']);
  if (commit && isSafeToken(commit, /^[0-9a-f]{7,64}$/i)) {
    const url = safeUrl(source['commitUrl']);
    parts.push(url ? `commit [<code>${shortSha(commit)}</code>](${url})` : `commit <code>${shortSha(commit)}</code>`);
  }
  const branch = str(source['ref']);
  if (branch) parts.push(`on ${inlineCode(branch.replace(/^refs\/heads\//, ''), 80)}`);
  const run = safeUrl(source['runUrl']);
  if (run) parts.push(`[workflow run](${run})`);
  const duration = num(report.durationMs);
  if (duration !== null) parts.push(formatDuration(duration));
  return parts.length ? `<sub>${parts.join(' · ')}</sub>` : '';
}

function footer(report: CheckReport): string {
  const tool = obj(report.tool);
  const version = tool ? str(tool['version']) : null;
  const started = str(report.startedAt);
  const when = started && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(started) ? ` · ${started.slice(0, 16).replace('T', ' ')} UTC` : '';
  const size = present(report.size);
  // The neutral band is the size stage's own threshold (size-comment-threshold) when it set one.
  const limit = str(obj(size?.['commentThreshold'])?.['limit']);
  const label = (s: (typeof SIZE_SCALE)[number]): string => (s.icon === '⚪' && limit ? `below ${escapeInline(limit, 20)}` : s.label);
  const scale = obj(size?.['baseline']) ? ` · size scale: ${SIZE_SCALE.map((s) => `${s.icon} ${label(s)}`).join(', ')}` : '';
  return `<sub>deploy-check${version ? ` ${escapeInline(version, 20)}` : ''}${when}${scale}</sub>`;
}

function buildSection(report: CheckReport, limits: RenderLimits): string[] {
  const build = obj(report.build);
  const failure = build ? obj(build['failure']) : null;
  if (!build || build['status'] === 'success' || !failure) return [];
  const step = str(failure['step']);
  const source = failureSource(failure);
  const where = [source ? inlineCode(sourceLabel(source), 160) : null, step ? inlineCode(step, 160) : null].filter((w) => w !== null).join(', step ');
  const out = ['', '#### Build failed', '', `${where ? `At ${where}: ` : ''}${escapeInline(str(failure['message']) ?? 'unknown error', 400)}`];
  if (source && source.lines.length > 0) out.push('', sourceBlock(source, limits));
  const logs = lines(failure['logs']);
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

function failureSource(failure: Fields): { file: string; line: number; endLine: number; lines: string[] } | null {
  const source = obj(failure['source']);
  const file = source ? str(source['file']) : null;
  const line = source ? num(source['line']) : null;
  if (!source || file === null || line === null) return null;
  return { file, line, endLine: num(source['endLine']) ?? line, lines: lines(source['lines']) };
}

/** A failed pre-deploy command's output (a passing one shows in the checks table). */
function preDeploySection(report: CheckReport, limits: RenderLimits): string[] {
  const pre = obj(report.preDeploy);
  if (!pre || pre['status'] !== 'failed') return [];
  const out = ['', '#### Pre-deploy command failed', ''];
  const reason = str(pre['reason']);
  if (reason) out.push(escapeInline(reason, 400));
  const failed = arr(pre['commands']).map(obj).filter((c): c is Fields => c !== null).at(-1);
  if (failed) {
    const error = str(failed['error']);
    if (error) out.push('', `Docker: ${escapeInline(error, 300)}`);
    const logs = lines(failed['logs']);
    out.push(...evidence(`Output of ${str(failed['command']) ?? 'the command'} (${logs.length} lines)`, logs, limits, true, true));
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
  const failed = arr(report.services).map(obj).filter((s): s is NonNullable<ReturnType<typeof obj>> => s !== null && (s['status'] === 'failed' || s['status'] === 'exited'));
  if (failed.length === 0) return [];
  const out = ['', '#### Services failed', ''];
  for (const s of failed) {
    const name = str(s['name']) ?? '?';
    const image = str(s['image']);
    out.push(`- ${inlineCode(name, 40)}${image ? ` (${inlineCode(image, 80)})` : ''}, waited for ${inlineCode(str(s['condition']) ?? '?', 40)}: ${escapeInline(str(s['reason']) ?? '', 240)}`);
    const checks = arr(s['healthLog']).map(str).filter((l): l is string => l !== null && l !== '');
    if (checks.length) out.push(`  last healthcheck: ${escapeInline(checks.at(-1) ?? '', 200)}`);
  }
  for (const s of failed) out.push(...evidence(`${str(s['name']) ?? '?'} logs (last ${arr(s['logs']).length} lines)`, arr(s['logs']).map((l) => str(l) ?? ''), limits, true));
  return out;
}

function healthSection(report: CheckReport, limits: RenderLimits): string[] {
  const health = obj(report.health);
  if (!health || health['status'] !== 'unhealthy') return [];
  const out = ['', '#### Health check failed', ''];
  const facts: string[] = [];
  const how = healthTarget(report);
  if (how) facts.push(`probe: ${how}`);
  const timeout = num(health['timeoutMs']);
  if (timeout !== null) facts.push(`timeout ${formatDuration(timeout)}`);
  const container = obj(health['container']);
  if (container) {
    const exit = num(container['exitCode']);
    const running = container['running'] === true;
    facts.push(running ? 'container still running' : `container exited with code ${exit ?? 'unknown'}`);
    if (container['oomKilled'] === true) facts.push('**killed for running out of memory (OOM)**');
  }
  const lastHttp = obj(health['lastHttp']);
  if (lastHttp) {
    const status = num(lastHttp['status']);
    const error = str(lastHttp['error']);
    const location = str(lastHttp['location']);
    const redirect = status !== null && status >= 300 && status < 400 ? ` (a redirect to ${inlineCode(location ?? 'no Location given', 120)})` : '';
    facts.push(status !== null ? `last HTTP answer: ${status}${redirect}` : `last HTTP attempt: ${escapeInline(error ?? 'no answer', 160)}`);
    const host = str(lastHttp['host']);
    if (host) facts.push(`sent with ${inlineCode(`Host: ${host}`, 80)}, as Railway's health check does`);
  }
  const startError = str(health['startError']);
  if (startError) facts.push(`Docker could not start it: ${inlineCode(startError, 240)}`);
  const second = obj(health['imageHealthcheck']);
  if (second) facts.push(`the image's own HEALTHCHECK said ${inlineCode(str(second['status']) ?? '?', 20)} (a second opinion only)`);
  // The reason itself is in the checks table (and often the headline); here only the evidence.
  for (const fact of facts) out.push(`- ${fact}`);
  const body = lastHttp ? str(lastHttp['body']) : null;
  if (body && limits.logLines > 0) out.push(...evidence('Last HTTP response body', body.split(/\r?\n/).slice(0, 20), limits));
  const healthLog = arr(health['healthLog'])
    .map(obj)
    .filter((e): e is Fields => e !== null)
    .slice(-limits.healthEntries)
    .map((e) => `[exit ${num(e['exitCode']) ?? '?'}] ${(str(e['output']) ?? '').trim().replace(/\r?\n/g, ' ⏎ ')}`);
  if (healthLog.length) out.push(...evidence(`Docker health log (last ${healthLog.length})`, healthLog, limits));
  const logs = lines(health['logs']);
  const total = num(health['logLines']) ?? logs.length;
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
 * figure its budgets use; else per-layer deltas on the layers; else matched by instruction
 * against the baseline's layers.
 */
export function layerChanges(report: CheckReport): LayerChange[] {
  const size = present(report.size);
  if (!size) return [];
  const delta = obj(size['delta']);
  const layers = arr(size['layers']).map(obj).filter((l): l is Fields => l !== null);
  if (delta && Array.isArray(delta['layers'])) {
    const metric = str(delta['metric']);
    const key = metric === 'compressed' ? 'compressedBytes' : 'bytes';
    return arr(delta['layers']).map(obj).filter((l): l is Fields => l !== null).map((l) => {
      const instruction = str(l['instruction']) ?? '';
      const line = num(l['line']);
      const current = layers.find((c) => str(c['instruction']) === instruction && num(c['line']) === line);
      return {
        instruction,
        line,
        bytes: l['change'] === 'removed' ? null : current ? num(current[key]) ?? num(current['bytes']) : null,
        delta: num(l[key]) ?? num(l['bytes']),
        change: str(l['change']),
        previousInstruction: str(l['previousInstruction']),
      };
    });
  }
  const baseline = obj(size['baseline']);
  const baseLayers = baseline ? arr(baseline['layers']).map(obj).filter((l): l is Fields => l !== null) : [];
  const pool = new Map<string, number[]>();
  for (const layer of baseLayers) {
    const key = str(layer['instruction']) ?? '';
    const list = pool.get(key) ?? [];
    list.push(num(layer['bytes']) ?? 0);
    pool.set(key, list);
  }
  const out: LayerChange[] = layers.map((layer) => {
    const instruction = str(layer['instruction']) ?? '';
    const bytes = num(layer['bytes']) ?? 0;
    let d = num(layer['deltaBytes']) ?? num(layer['delta']);
    let change: string | null = null;
    if (d === null && baseLayers.length) {
      const previous = pool.get(instruction)?.shift();
      d = previous === undefined ? bytes : bytes - previous;
      change = previous === undefined ? 'added' : null;
    }
    return { instruction, line: num(layer['line']), bytes, delta: d, change, previousInstruction: null };
  });
  for (const [instruction, rest] of pool) {
    for (const bytes of rest) out.push({ instruction, line: null, bytes: null, delta: -bytes, change: 'removed', previousInstruction: null });
  }
  return out;
}

/** Wasted space: the total, and the layers that waste most with their Dockerfile lines. */
function wastedLines(wasted: Fields | null): string[] {
  const bytes = wasted ? num(wasted['bytes']) : null;
  const share = wasted ? num(wasted['percent']) : null;
  if (!wasted || !bytes || (bytes < 1_000_000 && (share ?? 0) < 1)) return [];
  const percent = num(wasted['percent']);
  const top = arr(wasted['layers']).map(obj).filter((l): l is Fields => l !== null).slice(0, 3);
  const where = top.map((l) => {
    const line = num(l['line']);
    return `${line !== null ? `line ${line}: ` : ''}${inlineCode(str(l['instruction']) ?? '', 60)} ${formatBytes(num(l['bytes']))}`;
  });
  return ['', `<sub>Wasted space: ${formatBytes(bytes)}${percent !== null ? ` (${percent.toFixed(1)}%)` : ''} of files a later layer deletes or overwrites${where.length ? `; most from ${where.join(', ')}` : ''}</sub>`];
}

function sizeSection(report: CheckReport, limits: RenderLimits): string[] {
  const size = present(report.size);
  if (!size) return [];
  const changes = sizeChanges(report).filter((c) => c.current !== null);
  const out: string[] = ['', '#### Size', ''];
  const baseline = obj(size['baseline']);
  const approx = size['compressedSource'] === 'engine-content-size' ? ' (approx.)' : '';
  const noticeable = sizeChangeNoticeable(report);
  if (baseline) {
    out.push('| | Current | Baseline | Δ | % | |', '|:--|--:|--:|--:|--:|:-:|');
    for (const c of changes) {
      const label = c.kind === 'compressed' ? `Compressed${approx}` : 'Uncompressed';
      const delta = c.delta !== null ? formatSigned(c.delta) : 'not comparable';
      const percent = c.percent !== null ? formatPercent(c.percent) : '';
      const icon = c.percent === null ? '' : noticeable ? sizeIcon(c.percent) : '⚪';
      out.push(`| ${label} | ${formatBytes(c.current)} | ${formatBytes(c.baseline)} | ${delta} | ${percent} | ${icon} |`);
    }
    const source = str(baseline['source']);
    if (source) out.push('', `<sub>Baseline: ${escapeInline(source, 160)}</sub>`);
  } else {
    out.push('| | Current |', '|:--|--:|');
    for (const c of changes) out.push(`| ${c.kind === 'compressed' ? `Compressed${approx}` : 'Uncompressed'} | ${formatBytes(c.current)} |`);
    out.push('', `<sub>${escapeInline(str(size['baselineNote']) ?? 'No baseline to compare with yet.', 200)}</sub>`);
  }
  const { exceeded, unchecked } = budgetProblems(size);
  for (const problem of exceeded) out.push('', `❌ **Over budget:** ${escapeInline(problem, 300)}`);
  for (const problem of unchecked) out.push('', `⚠️ **Budget not checked:** ${escapeInline(problem, 300)}`);
  const delta = obj(size['delta']);
  const notes = [...arr(delta?.['notes']), ...arr(size['notes'])].map(str).filter((n): n is string => n !== null && n !== '');
  if (delta?.['baseImageChanged'] === true) {
    const ref = str(obj(size['baseImage'])?.['ref']);
    notes.unshift(`The base image changed${ref ? `: now ${ref}` : ''}.`);
  }
  for (const note of notes.slice(0, 5)) out.push('', `<sub>${escapeInline(note, 240)}</sub>`);
  out.push(...wastedLines(obj(size['wasted'])));

  const layers = layerChanges(report);
  const withDelta = layers.filter((l) => l.delta !== null && l.delta !== 0);
  if (withDelta.length && limits.layerRows > 0) {
    const top = [...withDelta].sort((a, b) => Math.abs(b.delta ?? 0) - Math.abs(a.delta ?? 0)).slice(0, limits.layerRows);
    // When the image as a whole did not move, the layer detail is there but out of the way.
    const title = `Layers that changed most (${top.length} of ${withDelta.length})`;
    out.push('', noticeable ? `${title}:` : `<details><summary>${title}</summary>`, '', '| Δ | Now | Line | Instruction |', '|--:|--:|--:|:--|');
    for (const l of top) {
      const d = l.delta ?? 0;
      const before = l.bytes !== null ? l.bytes - d : null;
      const pct = before !== null && before > 0 ? (d / before) * 100 : null;
      const icon = l.change === 'removed' || d < 0 ? '🟢' : l.change === 'added' || pct === null ? '🆕' : Math.abs(pct) < NEUTRAL_PERCENT ? '⚪' : sizeIcon(pct);
      const what = l.change === 'removed' ? ' <sub>(removed)</sub>' : l.change === 'base-image' ? ' <sub>(base image)</sub>' : l.change === 'added' ? ' <sub>(new)</sub>' : '';
      const was = l.previousInstruction ? `<br><sub>was ${inlineCode(l.previousInstruction, 80)}</sub>` : '';
      out.push(`| ${icon} ${formatSigned(d)} | ${l.bytes !== null ? formatBytes(l.bytes) : '–'} | ${l.line ?? ''} | ${inlineCode(l.instruction, 90)}${what}${was} |`);
    }
    if (!noticeable) out.push('', '</details>');
  }
  // Every layer with the Dockerfile line that made it, largest first, out of the way.
  const current = arr(size['layers']).map(obj).filter((l): l is Fields => l !== null);
  if (current.length && limits.layerList > 0) {
    const rows = [...current].sort((a, b) => (num(b['bytes']) ?? 0) - (num(a['bytes']) ?? 0)).slice(0, limits.layerList);
    const shown = rows.length < current.length ? `largest ${rows.length} of ${current.length}` : `${current.length}`;
    out.push('', `<details><summary>Image layers (${shown})</summary>`, '', '| Compressed | Uncompressed | Line | Instruction |', '|--:|--:|--:|:--|');
    for (const l of rows) {
      out.push(`| ${formatBytes(num(l['compressedBytes']))} | ${formatBytes(num(l['bytes']))} | ${num(l['line']) ?? ''} | ${inlineCode(str(l['instruction']) ?? '', 90)}${l['base'] === true ? ' <sub>(base image)</sub>' : ''} |`);
    }
    out.push('', '</details>');
  }
  return out;
}

function hygieneSection(report: CheckReport, limits: RenderLimits): string[] {
  const findings = hygieneFindings(report);
  if (findings.length === 0) return [];
  const hygiene = present(report.hygiene);
  const order = { error: 0, warning: 1, info: 2 } as const;
  const sorted = [...findings].sort((a, b) => order[a.severity] - order[b.severity]);
  const shown = sorted.slice(0, Math.max(limits.findingRows, 1));
  const icon = { error: '❌', warning: '⚠️', info: 'ℹ️' } as const;
  const warnMode = hygiene?.['mode'] === 'warn';
  const out = ['', `#### Hygiene${warnMode ? ' <sub>(warn mode: reported, never failing)</sub>' : ''}`, ''];
  const context = obj(hygiene?.['context']);
  const contextBytes = context ? num(context['bytes']) : null;
  if (context && contextBytes !== null) {
    const files = num(context['files']);
    const ignore = str(context['ignoreFile']);
    out.push(`<sub>Build context: ${formatBytes(contextBytes)}${files !== null ? ` in ${files} files` : ''}${ignore ? `, filtered by ${escapeInline(ignore.split('/').pop() ?? ignore, 40)}` : ', no ignore file'}</sub>`, '');
  }
  const root = str(obj(report.source)?.['context']);
  const fileName = (file: string): string => (root && file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file.split('/').pop() ?? file);
  for (const f of shown) {
    const line = f.line ?? f.layerLine;
    const place = f.file ? `${fileName(f.file)}${line !== null ? `:${line}` : ''}` : f.path ?? (line !== null ? `line ${line}` : null);
    const where = place ? ` <sub>${escapeInline(place, 80)}</sub>` : '';
    out.push(`- ${icon[f.severity]} ${f.id ? `${inlineCode(f.id, 40)} ` : ''}${escapeInline(f.message, 300)}${where}`);
    if (limits.logLines > 0) for (const line of f.evidence.slice(0, 3)) out.push(`  - <sub>${escapeInline(line, 200)}</sub>`);
  }
  if (sorted.length > shown.length) out.push(`- … and ${sorted.length - shown.length} more in the job summary`);
  const suppressed = num(hygiene?.['suppressed']);
  if (suppressed) out.push('', `<sub>${suppressed} finding${suppressed === 1 ? '' : 's'} silenced by hygiene-ignore.</sub>`);
  return out;
}

/** The pull request's preview environment: its URL, or what happened to it. */
function previewLines(deploy: Fields): string[] {
  const preview = obj(deploy['preview']);
  if (!preview) return [];
  const name = inlineCode(str(preview['environmentName']) ?? 'preview', 60);
  const url = safeUrl(preview['url']);
  switch (str(preview['action'])) {
    case 'deployed':
      return [`🔎 Preview environment ${name}${preview['created'] === true ? ' (created by this run)' : ''}${url ? `: [${escapeInline(url.replace(/^https?:\/\//, '').replace(/\/$/, ''), 80)}](${url})` : ''}`];
    case 'deleted':
      return [`🧹 Preview environment ${name} deleted: the pull request was closed.`];
    case 'already-gone':
      return [`🧹 Preview environment ${name}: already gone when the pull request was closed.`];
    default: {
      const reason = str(preview['reason']);
      return [`Preview environment ${name} not updated${reason ? `: ${escapeInline(reason, 200)}` : ''}.`];
    }
  }
}

function deploySection(report: CheckReport, limits: RenderLimits): string[] {
  const deploy = obj(report.deploy);
  if (!deploy) return [];
  const status = str(deploy['status']);
  const state = deployState(status, str(deploy['onApproval']));
  const preview = previewLines(deploy);
  if (state === 'skip') return preview.length ? ['', '#### Deploy', '', ...preview] : [];
  const out = ['', '#### Deploy', ''];
  const url = safeUrl(deploy['url']);
  const id = str(deploy['deploymentId']);
  const facts: string[] = [`${STATE_ICON[state]} ${escapeInline(str(deploy['railwayStatus']) ?? status ?? 'unknown', 40)}`];
  const target = deployTarget(deploy);
  if (target) facts.push(target);
  if (url) facts.push(`[${escapeInline(url.replace(/^https?:\/\//, '').replace(/\/$/, ''), 80)}](${url})`);
  const dashboard = safeUrl(deploy['dashboardUrl']);
  if (id) facts.push(dashboard ? `deployment [${inlineCode(id, 60)}](${dashboard})` : `deployment ${inlineCode(id, 60)}`);
  else if (dashboard) facts.push(`[Railway dashboard](${dashboard})`);
  out.push(facts.join(' · '));
  if (preview.length) out.push('', ...preview);
  const trigger = obj(deploy['trigger']);
  if (status === 'delegated') {
    out.push('', `⏳ Railway deploys this commit by itself once this workflow's checks pass${trigger ? ` ("Wait for CI" on the service's ${inlineCode(str(trigger['branch']) ?? '', 60)} trigger)` : ''}; a failure of deploy-check would have stopped it.`);
  } else if (trigger) {
    out.push('', `Railway's own deployment of the push (the service's ${inlineCode(str(trigger['branch']) ?? '', 60)} deployment trigger), followed by deploy-check.`);
  }
  const rollback = obj(deploy['rollback']);
  if (rollback) {
    const icon = rollback['status'] === 'rolled-back' ? '↩️' : '⚠️';
    out.push('', `${icon} ${escapeInline(str(rollback['reason']) ?? '', 300)}`);
  }
  if (deploy['cancelled'] === true) out.push('', '🛑 deploy-check cancelled the deployment at deploy-timeout, so it cannot go live later unobserved.');
  // The checks table has the reason already; only a long one is given whole here.
  const reason = str(deploy['reason']);
  if (reason && state !== 'pass' && reason.length > 160) out.push('', escapeInline(reason, 400));
  const smoke = obj(deploy['smoke']);
  if (smoke && smoke['status'] !== 'passed') {
    const error = str(smoke['error']);
    out.push('', `Smoke check ${escapeInline(str(smoke['status']) ?? '', 20)}: ${num(smoke['httpStatus']) ?? 'no answer'}${error ? ` (${escapeInline(error, 160)})` : ''}`);
  }
  const drift = arr(deploy['configDrift']).map(obj).filter((d): d is Fields => d !== null);
  if (drift.length) {
    out.push('', 'Railway settings differ from the repository (Railway applies the service\'s):');
    const show = (v: unknown): string => (v === null || v === undefined ? 'not set' : typeof v === 'number' ? `${v} s` : inlineCode(String(v), 60));
    for (const d of drift) out.push(`- ${escapeInline(str(d['fileName']) ?? 'railway.json', 40)} sets ${inlineCode(str(d['setting']) ?? '', 40)} to ${show(d['file'])}, the service has ${show(d['service'])}`);
  }
  if ((state === 'fail' || state === 'pending') && deploy['logs']) {
    const logs = deploy['logs'];
    const groups: Array<[string, string[]]> = Array.isArray(logs) || typeof logs === 'string'
      ? [['Deployment logs', lines(logs)]]
      : [['Railway build logs', lines(obj(logs)?.['build'])], ['Railway deploy logs', lines(obj(logs)?.['deploy'])], ['docker push output', lines(obj(logs)?.['push'])]];
    for (const [title, group] of groups) out.push(...evidence(`${title} (last ${Math.min(group.length, limits.logLines)} of ${group.length})`, group, limits));
  }
  return out;
}
