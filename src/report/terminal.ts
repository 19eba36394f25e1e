import { oneLine, visible } from '../host/log.ts';
import type { CheckReport, HttpAnswerReport } from '../model/report.ts';
import { parityFacts } from './checks.ts';
import { checkStates, serviceState, type CheckName, type CheckState } from './state.ts';
import { stripControls } from './escape.ts';
import {
  decisiveAnswer,
  deployLine,
  planLines,
  describeAnswerTimes,
  describeCache,
  describeDrift,
  describeHttpAnswer,
  formatBytes,
  formatDuration,
  hygieneLine,
  latestAnswer,
  preDeployOutcome,
  sourceLabel,
} from '../model/format.ts';

/** The terminal's mark of each check state: the states of the comment's icons, one to one. */
export const TERMINAL_MARK: Record<CheckState, string> = { pass: '✔', warn: '!', fail: '✘', skip: '-', pending: '⏳' };

/**
 * The local command's closing summary: verdict first, then each check, then the evidence of any
 * failure. Each entry is one line: control characters are shown written out, and untrusted text
 * with line breaks stays behind its entry's prefix (see quotedLines).
 */
export function renderTerminal(report: CheckReport): string {
  const out: string[] = ['', report.verdict === 'pass' ? `✔ deploy-check passed: ${report.image.ref}` : `✘ deploy-check failed: ${report.reasons[0] ?? ''}`];
  out.push(...checkLines(report), ...terminalPlan(report));
  out.push(...buildEvidence(report), ...servicesEvidence(report), ...preDeployEvidence(report), ...healthEvidence(report), ...deployEvidence(report));
  for (const drift of report.deploy?.configDrift ?? []) out.push(`  note: ${describeDrift(drift)}`);
  for (const reason of report.reasons.slice(1)) out.push(`  also: ${reason}`);
  return out.flatMap(quotedLines).join('\n');
}

/**
 * One line per check, its mark from checkStates (what the comment and the verdict read too).
 * Size and hygiene have no line when they did not run.
 */
function checkLines(report: CheckReport): string[] {
  const states = new Map(checkStates(report).map((s) => [s.name, s.state]));
  const mark = (name: CheckName): string => TERMINAL_MARK[states.get(name) ?? 'skip'];
  const { build: b, health: h } = report;
  const out = [
    `  ${mark('Build')} build    ${b.status} in ${formatDuration(b.durationMs)}, ${b.steps.cached}/${b.steps.total} steps cached`,
    `  ${mark('Cache')} cache    ${describeCache(b.cache, b.steps)}`,
    ...serviceLines(report, mark('Services')),
  ];
  const pre = report.preDeploy;
  if (pre) {
    const list = pre.commands.map((c) => `${c.command} → ${preDeployOutcome(c)} in ${formatDuration(c.durationMs)}`);
    out.push(`  ${mark('Pre-deploy')} predeploy ${pre.status} in ${formatDuration(pre.durationMs)}${list.length ? `: ${list.join('; ')}` : ''}`);
  }
  out.push(
    `  ${mark('Health')} health   ${h.status}` +
      (h.target ? ` (${h.target})` : '') +
      (h.timeToHealthyMs !== null ? ` in ${formatDuration(h.timeToHealthyMs)}` : '') +
      (h.status === 'skipped' && h.reason ? `: ${h.reason}` : ''),
  );
  const parity = h.parity ? parityText(report) : null;
  if (parity) out.push(`             ${parity}`);
  out.push(...sizeLines(report, mark('Size')), ...hygieneLines(report, mark('Hygiene')));
  if (report.deploy) out.push(`  ${mark('Deploy')} deploy   ${deployLine(report.deploy)}`);
  return out;
}

/** Each service with its own mark; Compose's failure on a line of its own when no service says it. */
function serviceLines(report: CheckReport, checkMark: string): string[] {
  const services = report.services ?? [];
  const out = services.map(
    (svc) =>
      `  ${TERMINAL_MARK[serviceState(svc)]} service  ${svc.name} ${svc.status}${svc.readyMs !== null ? ` in ${formatDuration(svc.readyMs)}` : ''} (${svc.condition})${svc.reason ? `: ${svc.reason}` : ''}`,
  );
  const failure = report.compose?.failure;
  if (failure && !services.some((s) => serviceState(s) === 'fail')) out.push(`  ${checkMark} services not started: ${failure}`);
  return out;
}

function sizeLines(report: CheckReport, mark: string): string[] {
  const s = report.size;
  if (s.status !== 'measured') return [];
  const out = [`  ${mark} size     ${formatBytes(s.compressedBytes)} compressed, ${formatBytes(s.bytes)} uncompressed${terminalSizeChange(report)}`];
  for (const c of (s.delta?.layers ?? []).slice(0, 5)) {
    const figure = s.delta?.metric === 'uncompressed' ? (c.bytes ?? c.compressedBytes) : (c.compressedBytes ?? c.bytes);
    const amount = figure === null ? 'n/a' : figure > 0 ? `+${formatBytes(figure)}` : formatBytes(figure);
    out.push(
      `             ${amount.padStart(9)}  ${c.change === 'base-image' ? 'base image' : c.change}${c.line !== null ? ` line ${c.line}` : ''}: ${c.instruction.slice(0, 80)}`,
    );
  }
  const wasted = s.wasted;
  // A few bytes of a file rewritten (an /etc/passwd line added) are not worth a line.
  if (wasted && (wasted.bytes >= 1_000_000 || wasted.percent >= 1)) {
    const worst = wasted.layers[0];
    out.push(
      `             wasted ${formatBytes(wasted.bytes)} (${wasted.percent.toFixed(1)}%)${worst ? `, most from ${worst.line !== null ? `line ${worst.line}: ` : ''}${worst.instruction.slice(0, 60)} (${formatBytes(worst.bytes)})` : ''}`,
    );
  }
  return out;
}

function hygieneLines(report: CheckReport, mark: string): string[] {
  const hy = report.hygiene;
  if (hy.status !== 'checked') return [];
  const out = [`  ${mark} hygiene  ${hygieneLine(hy)}`];
  for (const f of hy.findings) out.push(`      ${f.severity.padEnd(7)} ${f.id}${f.line !== null ? ` (line ${f.line})` : ''}: ${oneLine(f.message)}`);
  return out;
}

/** The headline already says "Build failed at <file:lines>: <message>": here the lines as written, then the output. */
function buildEvidence(report: CheckReport): string[] {
  const failure = report.build.failure;
  if (!failure) return [];
  const out: string[] = [];
  const source = failure.source;
  if (source) {
    out.push('', `Failing instruction, ${sourceLabel(source)}:`);
    const width = String(source.endLine).length;
    source.lines.forEach((text, i) => out.push(`  ${String(source.line + i).padStart(width)} > ${text}`));
  }
  out.push('', `Build output${failure.step ? ` of ${failure.step}` : ''} (last ${Math.min(failure.logs.length, 20)} lines):`);
  for (const line of failure.logs.slice(-20)) out.push(`  | ${line}`);
  return out;
}

function servicesEvidence(report: CheckReport): string[] {
  const out: string[] = [];
  for (const svc of (report.services ?? []).filter((x) => serviceState(x) === 'fail')) {
    out.push('', `Service ${svc.name} (${svc.image ?? '?'}) ${svc.status}: ${svc.reason ?? ''}`);
    for (const line of svc.logs.slice(-20)) out.push(`  | ${line}`);
  }
  return out;
}

function preDeployEvidence(report: CheckReport): string[] {
  const pre = report.preDeploy;
  if (pre?.status !== 'failed') return [];
  const out = ['', `Pre-deploy command failed: ${pre.reason ?? ''}`];
  const last = pre.commands.at(-1);
  if (last?.error) out.push(`  Docker: ${last.error}`);
  for (const line of last?.logs ?? []) out.push(`  | ${line}`);
  return out;
}

function healthEvidence(report: CheckReport): string[] {
  const h = report.health;
  if (h.status !== 'unhealthy') return [];
  const out = ['', `Health check failed: ${h.reason ?? ''}`];
  if (h.container?.started === false) out.push(`  the container never started (no exit code); Docker's reason: ${h.startError ?? 'not given'}`);
  else if (h.startError) out.push(`  Docker could not start the container: ${h.startError}`);
  if (h.container && h.container.started !== false)
    out.push(
      `  container exit code: ${h.container.exitCode ?? (h.container.running ? 'still running' : 'unknown')}, OOM-killed: ${h.container.oomKilled ? 'yes' : 'no'}`,
    );
  out.push(...terminalAnswers(h.httpAnswers ?? []));
  if (h.lastHttp) {
    const redirect =
      h.lastHttp.status !== null && h.lastHttp.status >= 300 && h.lastHttp.status < 400 ? ` (redirect to ${h.lastHttp.location ?? 'no Location given'})` : '';
    out.push(
      `  last HTTP status: ${h.lastHttp.status ?? `none (${h.lastHttp.error ?? ''})`}${redirect}${h.lastHttp.host ? `, sent with Host: ${h.lastHttp.host}` : ''}${h.lastHttp.body ? `, body: ${oneLine(h.lastHttp.body.slice(0, 200).trimEnd())}` : ''}`,
    );
  }
  if (h.imageHealthcheck) out.push(`  the image's own HEALTHCHECK said "${h.imageHealthcheck.status}" (a second opinion only)`);
  for (const entry of h.healthLog.slice(-3)) out.push(`  health check exit ${entry.exitCode}: ${entry.output.split('\n')[0] ?? ''}`);
  if (h.logs.length) {
    const total = h.logLines ?? h.logs.length;
    out.push(total > h.logs.length ? `  the container's log (first and last lines of ${total}):` : `  the container's log (${total} lines):`);
    for (const line of h.logs) out.push(`  | ${line}`);
  }
  return out;
}

function deployEvidence(report: CheckReport): string[] {
  const d = report.deploy;
  if (!d || d.status === 'success' || d.status === 'skipped' || !d.reason) return [];
  const out = ['', `Deploy to Railway ${d.status}: ${d.reason}`];
  for (const [kind, lines] of Object.entries(d.logs ?? {})) {
    if (lines.length === 0) continue;
    out.push(`  last ${Math.min(lines.length, 20)} lines of the ${kind === 'push' ? 'docker push output' : `Railway ${kind} log`}:`);
    for (const line of lines.slice(-20)) out.push(`  | ${line}`);
  }
  return out;
}

/**
 * One entry of the summary as lines. Text from the app or the repository that brings its own
 * line breaks (a reason, a log line, a step name) continues behind a "| " at the entry's
 * indentation: never at column 0, where it could pass for the command's own words.
 */
function quotedLines(entry: string): string[] {
  const [first = '', ...rest] = visible(entry).split('\n');
  const prefix = /^\s*\| /.exec(first)?.[0] ?? `${/^\s*/.exec(first)?.[0] ?? ''}  | `;
  return [first, ...rest.map((line) => `${prefix}${line}`)];
}

/** What the pull request changes in Railway's configuration: one line per change. */
function terminalPlan(report: CheckReport): string[] {
  const plan = report.railway?.plan;
  if (!plan || plan.status === 'unchanged') return [];
  const base = plan.base ? ` against ${plan.base.slice(0, 12)}` : '';
  if (plan.status === 'unavailable') return [`  - railway  ${stripControls(plan.reason ?? 'base configuration not available')}`];
  const head = `  - railway  configuration changes${base}${plan.reason ? ` (${plan.reason})` : ''}:`;
  return [head, ...planLines(plan).map((line) => `             ${line}`)].map(stripControls);
}

/** The answer the failure is about when the last one hides it, then every distinct answer. */
function terminalAnswers(answers: readonly HttpAnswerReport[]): string[] {
  const out: string[] = [];
  const decisive = decisiveAnswer(answers);
  if (decisive && decisive !== latestAnswer(answers)) {
    out.push(
      `  first answer that was not transient: ${describeHttpAnswer(decisive)} ${describeAnswerTimes(decisive)}${decisive.body ? `, body: ${firstLine(decisive.body, 200)}` : ''}`,
    );
  }
  if (answers.length < 2) return out;
  out.push(`  answers seen, in order (times after the container started):`);
  for (const a of answers.slice(0, 10)) out.push(`    ${describeHttpAnswer(a)} ${describeAnswerTimes(a)}${a.body ? `: ${firstLine(a.body, 120)}` : ''}`);
  if (answers.length > 10) out.push(`    … ${answers.length - 10} more in the JSON report`);
  return out;
}

/** An app's text on one terminal line, without what the terminal would interpret. */
function firstLine(text: string, maxChars: number): string {
  return stripControls(text.split(/\r?\n/)[0] ?? '').slice(0, maxChars);
}

/** The parity line in plain text. */
function parityText(report: CheckReport): string | null {
  const facts = parityFacts(report);
  if (!facts) return null;
  return facts.enabled ? `Railway parity (${facts.why}): ${facts.parts.join(' · ')}` : `Railway parity: off (${facts.why})`;
}

function terminalSizeChange(report: CheckReport): string {
  const { delta, baseline, baselineNote } = report.size;
  if (!delta || !baseline) return baselineNote ? ` (${baselineNote})` : '';
  const bytes = delta.metric === 'compressed' ? delta.compressedBytes : delta.bytes;
  const percent = delta.metric === 'compressed' ? delta.compressedPercent : delta.percent;
  if (bytes === null) return ` (not comparable with ${baseline.source})`;
  return `, ${bytes > 0 ? '+' : ''}${formatBytes(bytes)}${percent === null ? '' : ` (${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%)`} ${delta.metric} against ${baseline.source}`;
}
