import type { CacheReport, CheckReport, DeployReport } from './model.ts';
import { deployLine, describeCache, describeDrift, formatBytes, formatDuration, hygieneLine } from './format.ts';

/** Job summary (and later the PR comment body). Untrusted text is escaped before it reaches Markdown. */
export function renderMarkdown(report: CheckReport): string {
  const lines: string[] = [];
  lines.push(report.verdict === 'pass' ? `### ✅ deploy-check passed` : `### ❌ deploy-check failed: ${escapeInline(report.reasons[0] ?? '')}`);
  lines.push('', '| Check | | Result |', '|---|---|---|');
  const b = report.build;
  lines.push(`| Build | ${b.status === 'success' ? '✅' : '❌'} | ${b.status} in ${formatDuration(b.durationMs)}, ${b.steps.cached}/${b.steps.total} steps cached |`);
  lines.push(`| Layer cache | ${cacheIcon(b.cache)} | ${escapeInline(describeCache(b.cache, b.steps))} |`);
  const h = report.health;
  const hIcon = h.status === 'healthy' ? '✅' : h.status === 'skipped' ? '⚪' : '❌';
  lines.push(`| Health | ${hIcon} | ${h.status}${h.timeToHealthyMs !== null ? ` in ${formatDuration(h.timeToHealthyMs)}` : ''} (${escapeInline(h.strategy)}) |`);
  const s = report.size;
  if (s.status === 'measured') {
    const icon = s.budget.status === 'exceeded' ? '❌' : s.budget.status === 'unchecked' ? '⚠️' : '✅';
    lines.push(`| Size | ${icon} | ${formatBytes(s.compressedBytes)} compressed${s.compressedSource === 'engine-content-size' ? ' (approx.)' : ''}, ${formatBytes(s.bytes)} uncompressed${escapeInline(sizeChange(report))} |`);
  }
  const hy = report.hygiene;
  if (hy.status === 'checked') {
    const errors = hy.findings.filter((f) => f.severity === 'error').length;
    const icon = hy.findings.length === 0 ? '✅' : errors > 0 && hy.mode === 'fail' ? '❌' : '⚠️';
    lines.push(`| Hygiene | ${icon} | ${escapeInline(hygieneLine(hy))} |`);
  }
  const d = report.deploy;
  if (d) lines.push(`| Deploy | ${deployIcon(d)} | ${escapeInline(deployLine(d))} |`);
  if (s.status === 'measured') lines.push(...sizeDetails(report));
  if (b.failure) {
    lines.push('', `**Build failure** in \`${escapeInline(b.failure.step ?? 'build')}\`: ${escapeInline(b.failure.message)}`);
    lines.push(codeDetails('Build output', b.failure.logs));
  }
  if (h.status === 'unhealthy') {
    lines.push('', `**Health check failed**: ${escapeInline(h.reason ?? '')}`);
    if (h.container) lines.push(`- exit code: ${h.container.exitCode ?? 'still running'}, OOM-killed: ${h.container.oomKilled ? 'yes' : 'no'}`);
    if (h.lastHttp) lines.push(`- last HTTP status: ${h.lastHttp.status ?? 'none'}${h.lastHttp.body ? `, body: \`${escapeInline(h.lastHttp.body.slice(0, 200))}\`` : ''}`);
    lines.push(codeDetails('Container logs', h.logs));
  }
  if (hy.status === 'checked' && hy.findings.length > 0) {
    lines.push('', `**Hygiene findings**${hy.mode === 'warn' ? ' (reported only: hygiene is in warn mode)' : ''}`, '');
    for (const f of hy.findings) {
      const where = f.line !== null ? ` (line ${f.line})` : '';
      lines.push(`- ${f.severity === 'error' ? '🔴' : f.severity === 'warning' ? '🟡' : '⚪'} \`${f.id}\`${where}: ${escapeInline(f.message)}`);
    }
  }
  if (d && d.status !== 'success' && d.status !== 'skipped' && d.reason) {
    lines.push('', `**Deploy to Railway ${d.status}**: ${escapeInline(d.reason)}`);
    if (d.logs?.build.length) lines.push(codeDetails('Railway build logs', d.logs.build));
    if (d.logs?.deploy.length) lines.push(codeDetails('Railway deploy logs', d.logs.deploy));
    if (d.logs?.push.length) lines.push(codeDetails('docker push output', d.logs.push));
  }
  if (d?.configDrift.length) {
    lines.push('', '**Railway settings differ from the repository** (Railway applies the service\'s):');
    for (const drift of d.configDrift) lines.push(`- ${escapeInline(describeDrift(drift))}`);
  }
  return lines.join('\n') + '\n';
}

function cacheIcon(cache: CacheReport): string {
  if (cache.warnings.length > 0) return '⚠️';
  return cache.restored ? '✅' : '⚪';
}

/** "; +5.2 MB (+82.9%) against main (commit abc1234)", or the reason there is no comparison. */
function sizeChange(report: CheckReport): string {
  const { delta, baseline, baselineNote } = report.size;
  if (!delta || !baseline) return baselineNote ? `; ${baselineNote}` : '';
  const bytes = delta.metric === 'compressed' ? delta.compressedBytes : delta.bytes;
  const percent = delta.metric === 'compressed' ? delta.compressedPercent : delta.percent;
  if (bytes === null) return `; not comparable with ${baseline.source}`;
  return `; ${signedBytes(bytes)}${percent === null ? '' : ` (${percent >= 0 ? '+' : ''}${percent.toFixed(1)}%)`} ${delta.metric} against ${baseline.source}`;
}

function signedBytes(bytes: number | null): string {
  if (bytes === null) return 'n/a';
  return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes);
}

/** Budget sentences, the layers that changed, and every layer with the line that made it. */
function sizeDetails(report: CheckReport): string[] {
  const s = report.size;
  const out: string[] = [];
  for (const check of s.budget.checks) {
    if (check.status !== 'pass') out.push('', `**Size budget**: ${escapeInline(check.message)}`);
  }
  const changes = s.delta?.layers ?? [];
  if (changes.length > 0) {
    out.push('', '| Layer change | Line | Instruction | Compressed | Uncompressed |', '|---|---|---|---|---|');
    for (const c of changes.slice(0, 10)) {
      const what = c.change === 'base-image' ? 'base image' : c.change;
      out.push(`| ${what} | ${c.line ?? ''} | ${escapeInline(c.instruction.slice(0, 100))} | ${signedBytes(c.compressedBytes)} | ${signedBytes(c.bytes)} |`);
    }
    if (changes.length > 10) out.push(`| … ${changes.length - 10} more | | | | |`);
  }
  if (s.layers.length > 0) {
    const rows = s.layers.map((l) => `| ${l.line ?? ''} | ${escapeInline(l.instruction.slice(0, 100))}${l.base ? ' (base image)' : ''} | ${formatBytes(l.compressedBytes)} | ${formatBytes(l.bytes)} |`);
    out.push('', '<details><summary>Image layers</summary>', '', '| Line | Instruction | Compressed | Uncompressed |', '|---|---|---|---|', ...rows, '', '</details>');
  }
  return out;
}

function deployIcon(d: DeployReport): string {
  if (d.status === 'success') return '✅';
  if (d.status === 'skipped') return '⚪';
  if (d.status === 'triggered') return '🚀';
  if (d.status === 'waiting') return d.onApproval === 'pass' ? '⏸️' : '❌';
  return '❌';
}

/** Inline text in a table cell or sentence: no HTML, no pipes, no mentions, no line breaks. */
export function escapeInline(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/`/g, '&#96;')
    .replace(/@/g, '@\u200b')
    .replace(/!\[/g, '!\u200b[');
}

/** A collapsed block of log lines; the fence is longer than any backtick run inside, so logs cannot close it. */
export function codeDetails(title: string, lines: readonly string[]): string {
  const body = lines.map((l) => l.replace(/@/g, '@\u200b')).join('\n');
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `\n<details><summary>${escapeInline(title)}</summary>\n\n${fence}text\n${body}\n${fence}\n\n</details>\n`;
}
