import { oneLine, visible } from '../host/log.ts';
import type { CheckReport, HttpAnswerReport } from './model.ts';
import { parityFacts } from './checks.ts';
import { stripControls } from './escape.ts';
import { decisiveAnswer, deployLine, planLines, describeAnswerTimes, describeCache, describeDrift, describeHttpAnswer, formatBytes, formatDuration, hygieneLine, latestAnswer, preDeployOutcome, sourceLabel } from './format.ts';

/**
 * The local command's closing summary: verdict first, then each check, then the evidence of any
 * failure. Each entry is one line: control characters are shown written out, and untrusted text
 * with line breaks stays behind its entry's prefix (see quotedLines).
 */
export function renderTerminal(report: CheckReport): string {
  const out: string[] = [];
  const mark = (ok: boolean | null): string => (ok === null ? '-' : ok ? '✔' : '✘');
  out.push('');
  out.push(report.verdict === 'pass' ? `✔ deploy-check passed: ${report.image.ref}` : `✘ deploy-check failed: ${report.reasons[0] ?? ''}`);
  const b = report.build;
  out.push(`  ${mark(b.status === 'success')} build    ${b.status} in ${formatDuration(b.durationMs)}, ${b.steps.cached}/${b.steps.total} steps cached`);
  out.push(`  ${mark(b.cache.enabled && b.cache.warnings.length === 0 ? true : b.cache.warnings.length > 0 ? false : null)} cache    ${describeCache(b.cache, b.steps)}`);
  for (const svc of report.services ?? []) {
    const ok = svc.status === 'ready' ? true : svc.status === 'skipped' ? null : false;
    out.push(`  ${mark(ok)} service  ${svc.name} ${svc.status}${svc.readyMs !== null ? ` in ${formatDuration(svc.readyMs)}` : ''} (${svc.condition})${svc.reason ? `: ${svc.reason}` : ''}`);
  }
  const pre = report.preDeploy;
  if (pre) {
    const list = pre.commands.map((c) => `${c.command} → ${preDeployOutcome(c)} in ${formatDuration(c.durationMs)}`);
    out.push(`  ${mark(pre.status === 'passed' ? true : pre.status === 'failed' ? false : null)} predeploy ${pre.status} in ${formatDuration(pre.durationMs)}${list.length ? `: ${list.join('; ')}` : ''}`);
  }
  const h = report.health;
  out.push(
    `  ${mark(h.status === 'skipped' || h.status === 'cancelled' ? null : h.status === 'healthy')} health   ${h.status}` +
      (h.target ? ` (${h.target})` : '') +
      (h.timeToHealthyMs !== null ? ` in ${formatDuration(h.timeToHealthyMs)}` : '') +
      (h.status === 'skipped' && h.reason ? `: ${h.reason}` : ''),
  );
  const parity = h.parity ? parityText(report) : null;
  if (parity) out.push(`             ${parity}`);
  const s = report.size;
  if (s.status === 'measured') {
    out.push(`  ${mark(s.budget.status !== 'exceeded')} size     ${formatBytes(s.compressedBytes)} compressed, ${formatBytes(s.bytes)} uncompressed${terminalSizeChange(report)}`);
    for (const c of (s.delta?.layers ?? []).slice(0, 5)) {
      const figure = s.delta?.metric === 'uncompressed' ? (c.bytes ?? c.compressedBytes) : (c.compressedBytes ?? c.bytes);
      const amount = figure === null ? 'n/a' : figure > 0 ? `+${formatBytes(figure)}` : formatBytes(figure);
      out.push(`             ${amount.padStart(9)}  ${c.change === 'base-image' ? 'base image' : c.change}${c.line !== null ? ` line ${c.line}` : ''}: ${c.instruction.slice(0, 80)}`);
    }
  }
  const wasted = s.status === 'measured' ? s.wasted : null;
  // A few bytes of a file rewritten (an /etc/passwd line added) are not worth a line.
  if (wasted && (wasted.bytes >= 1_000_000 || wasted.percent >= 1)) {
    const worst = wasted.layers[0];
    out.push(`             wasted ${formatBytes(wasted.bytes)} (${wasted.percent.toFixed(1)}%)${worst ? `, most from ${worst.line !== null ? `line ${worst.line}: ` : ''}${worst.instruction.slice(0, 60)} (${formatBytes(worst.bytes)})` : ''}`);
  }
  const hy = report.hygiene;
  if (hy.status === 'checked') {
    const errors = hy.findings.filter((f) => f.severity === 'error').length;
    const problems = hy.findings.filter((f) => f.severity !== 'info').length;
    const icon = problems === 0 ? mark(true) : errors > 0 && hy.mode !== 'warn' ? mark(false) : '!';
    out.push(`  ${icon} hygiene  ${hygieneLine(hy)}`);
    for (const f of hy.findings) {
      out.push(`      ${f.severity.padEnd(7)} ${f.id}${f.line !== null ? ` (line ${f.line})` : ''}: ${oneLine(f.message)}`);
    }
  }
  const d = report.deploy;
  if (d) {
    const ok = d.status === 'skipped' || d.status === 'triggered' ? null : d.status === 'success' || (d.status === 'waiting' && d.onApproval === 'pass');
    out.push(`  ${mark(ok)} deploy   ${deployLine(d)}`);
  }
  out.push(...terminalPlan(report));
  if (b.failure) {
    // The headline already says "Build failed at <file:lines>: <message>": here the lines as
    // written, then the output.
    const source = b.failure.source;
    if (source) {
      out.push('', `Failing instruction, ${sourceLabel(source)}:`);
      const width = String(source.endLine).length;
      source.lines.forEach((text, i) => out.push(`  ${String(source.line + i).padStart(width)} > ${text}`));
    }
    out.push('', `Build output${b.failure.step ? ` of ${b.failure.step}` : ''} (last ${Math.min(b.failure.logs.length, 20)} lines):`);
    for (const line of b.failure.logs.slice(-20)) out.push(`  | ${line}`);
  }
  for (const svc of (report.services ?? []).filter((x) => x.status === 'failed' || x.status === 'exited')) {
    out.push('', `Service ${svc.name} (${svc.image ?? '?'}) ${svc.status}: ${svc.reason ?? ''}`);
    for (const line of svc.logs.slice(-20)) out.push(`  | ${line}`);
  }
  if (pre?.status === 'failed') {
    out.push('', `Pre-deploy command failed: ${pre.reason ?? ''}`);
    const last = pre.commands.at(-1);
    if (last?.error) out.push(`  Docker: ${last.error}`);
    for (const line of last?.logs ?? []) out.push(`  | ${line}`);
  }
  if (h.status === 'unhealthy') {
    out.push('', `Health check failed: ${h.reason ?? ''}`);
    if (h.container?.started === false) out.push(`  the container never started (no exit code); Docker's reason: ${h.startError ?? 'not given'}`);
    else if (h.startError) out.push(`  Docker could not start the container: ${h.startError}`);
    if (h.container && h.container.started !== false) out.push(`  container exit code: ${h.container.exitCode ?? (h.container.running ? 'still running' : 'unknown')}, OOM-killed: ${h.container.oomKilled ? 'yes' : 'no'}`);
    out.push(...terminalAnswers(h.httpAnswers ?? []));
    if (h.lastHttp) {
      const redirect = h.lastHttp.status !== null && h.lastHttp.status >= 300 && h.lastHttp.status < 400 ? ` (redirect to ${h.lastHttp.location ?? 'no Location given'})` : '';
      out.push(`  last HTTP status: ${h.lastHttp.status ?? `none (${h.lastHttp.error ?? ''})`}${redirect}${h.lastHttp.host ? `, sent with Host: ${h.lastHttp.host}` : ''}${h.lastHttp.body ? `, body: ${oneLine(h.lastHttp.body.slice(0, 200).trimEnd())}` : ''}`);
    }
    if (h.imageHealthcheck) out.push(`  the image's own HEALTHCHECK said "${h.imageHealthcheck.status}" (a second opinion only)`);
    for (const entry of h.healthLog.slice(-3)) out.push(`  health check exit ${entry.exitCode}: ${entry.output.split('\n')[0] ?? ''}`);
    if (h.logs.length) {
      const total = h.logLines ?? h.logs.length;
      out.push(total > h.logs.length ? `  the container's log (first and last lines of ${total}):` : `  the container's log (${total} lines):`);
      for (const line of h.logs) out.push(`  | ${line}`);
    }
  }
  if (d && d.status !== 'success' && d.status !== 'skipped' && d.reason) {
    out.push('', `Deploy to Railway ${d.status}: ${d.reason}`);
    for (const [kind, lines] of Object.entries(d.logs ?? {})) {
      if (lines.length === 0) continue;
      out.push(`  last ${Math.min(lines.length, 20)} lines of the ${kind === 'push' ? 'docker push output' : `Railway ${kind} log`}:`);
      for (const line of lines.slice(-20)) out.push(`  | ${line}`);
    }
  }
  for (const drift of d?.configDrift ?? []) out.push(`  note: ${describeDrift(drift)}`);
  for (const reason of report.reasons.slice(1)) out.push(`  also: ${reason}`);
  return out.flatMap(quotedLines).join('\n');
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
    out.push(`  first answer that was not transient: ${describeHttpAnswer(decisive)} ${describeAnswerTimes(decisive)}${decisive.body ? `, body: ${firstLine(decisive.body, 200)}` : ''}`);
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

