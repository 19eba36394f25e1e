/**
 * Every state of every check, through every output: the terminal, the pull-request comment and
 * the job summary show the state checkStates decides, and the verdict fails exactly when a check
 * does. Reports are fabricated from the passing one, changed one check at a time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { STATE_ICON } from '../../src/report/checks.ts';
import { renderCommentBody } from '../../src/report/comment.ts';
import { renderMarkdownWithin, SHORTENING, SUMMARY_LIMITS, SUMMARY_MAX_CHARS } from '../../src/report/markdown.ts';
import type { CheckReport, ServiceReport } from '../../src/model/report.ts';
import { checkStates, type CheckName, type CheckState } from '../../src/report/state.ts';
import { renderTerminal, TERMINAL_MARK } from '../../src/report/terminal.ts';
import { decideVerdict } from '../../src/report/verdict.ts';
import { deployResult, passingReport } from '../support/reports.ts';

interface Case {
  readonly check: CheckName;
  readonly state: CheckState;
  readonly what: string;
  readonly change: (report: CheckReport) => void;
}

function service(name: string, status: ServiceReport['status']): ServiceReport {
  const failed = status === 'failed' || status === 'exited';
  return {
    name,
    image: 'db:ci',
    condition: 'service_healthy',
    status,
    readyMs: status === 'ready' ? 2400 : null,
    reason: failed ? 'it exited with code 1' : null,
    exitCode: failed ? 1 : null,
    restarts: 0,
    healthLog: [],
    logs: ['starting'],
  };
}

function withCompose(report: CheckReport, services: ServiceReport[], failure: string | null = null): void {
  report.services = services;
  report.compose = {
    file: '/src/compose.yml',
    project: 'deploy-check-x',
    service: 'api',
    serviceSource: 'build context',
    networks: [],
    droppedMounts: [],
    durationMs: 5000,
    failure,
    warnings: [],
  };
}

function budget(report: CheckReport, status: 'exceeded' | 'unchecked'): void {
  report.size.budget.checks = [{ name: 'max-size', limit: '100MB', status, actual: 104_900_000, message: `max-size 100MB ${status}`, layer: null }];
  report.size.budget.status = status;
}

function findings(report: CheckReport, severity: 'error' | 'warning' | 'info', mode: 'fail' | 'warn' | 'secrets' = 'fail'): void {
  report.hygiene.mode = mode;
  report.hygiene.findings = [{ id: 'root-user', severity, message: 'runs as root', file: 'Dockerfile', line: 3, layer: null, path: null, evidence: [] }];
}

const CASES: readonly Case[] = [
  { check: 'Build', state: 'pass', what: 'built', change: () => undefined },
  {
    check: 'Build',
    state: 'fail',
    what: 'failed',
    change: (r) => {
      r.build.status = 'failure';
      r.build.failure = { message: 'RUN pip install failed', step: '[3/5] RUN pip install', logs: ['error'], source: null };
    },
  },
  { check: 'Cache', state: 'pass', what: 'restored', change: () => undefined },
  { check: 'Cache', state: 'warn', what: 'restored with a warning', change: (r) => void r.build.cache.warnings.push('could not save: 429') },
  { check: 'Cache', state: 'skip', what: 'cold (nothing restored)', change: (r) => void (r.build.cache.restored = false) },
  { check: 'Cache', state: 'skip', what: 'off', change: (r) => void (r.build.cache.enabled = false) },
  { check: 'Services', state: 'pass', what: 'every service ready', change: (r) => withCompose(r, [service('db', 'ready'), service('seed', 'skipped')]) },
  { check: 'Services', state: 'fail', what: 'a service failed', change: (r) => withCompose(r, [service('db', 'ready'), service('migrate', 'failed')]) },
  { check: 'Services', state: 'fail', what: 'a service exited', change: (r) => withCompose(r, [service('migrate', 'exited')]) },
  {
    check: 'Services',
    state: 'fail',
    what: 'Compose failed before any service',
    change: (r) => withCompose(r, [], 'docker compose up failed: pull access denied'),
  },
  {
    check: 'Services',
    state: 'fail',
    what: 'Compose failed after the services were ready',
    change: (r) => withCompose(r, [service('db', 'ready')], 'network gone'),
  },
  { check: 'Services', state: 'skip', what: 'Compose with no dependency', change: (r) => withCompose(r, []) },
  ...(['passed', 'failed', 'skipped', 'cancelled'] as const).map((status): Case => ({
    check: 'Pre-deploy',
    state: status === 'passed' ? 'pass' : status === 'failed' ? 'fail' : 'skip',
    what: status,
    change: (r) => {
      r.preDeploy = {
        status,
        source: 'railway.ts',
        reason: status === 'passed' ? null : `pre-deploy ${status}`,
        durationMs: 1400,
        commands: [{ command: 'alembic upgrade head', exitCode: status === 'failed' ? 1 : 0, durationMs: 1300, logs: ['boom'], error: null }],
      };
    },
  })),
  { check: 'Health', state: 'pass', what: 'healthy', change: () => undefined },
  {
    check: 'Health',
    state: 'fail',
    what: 'unhealthy',
    change: (r) => Object.assign(r.health, { status: 'unhealthy', reason: 'exited with code 1', timeToHealthyMs: null }),
  },
  {
    check: 'Health',
    state: 'skip',
    what: 'skipped',
    change: (r) => Object.assign(r.health, { status: 'skipped', reason: 'the build failed', timeToHealthyMs: null }),
  },
  {
    check: 'Health',
    state: 'skip',
    what: 'cancelled',
    change: (r) => {
      Object.assign(r.health, { status: 'cancelled', reason: 'cancelled (SIGTERM)', timeToHealthyMs: null });
      r.cancelled = { signal: 'SIGTERM', stage: 'the health check' };
    },
  },
  { check: 'Size', state: 'pass', what: 'grew within the budgets', change: () => undefined },
  { check: 'Size', state: 'fail', what: 'over a budget', change: (r) => budget(r, 'exceeded') },
  { check: 'Size', state: 'warn', what: 'a budget not checked', change: (r) => budget(r, 'unchecked') },
  {
    check: 'Size',
    state: 'warn',
    what: 'grew 10% or more',
    change: (r) => {
      if (r.size.delta) Object.assign(r.size.delta, { percent: 12, compressedPercent: 12.5 });
    },
  },
  {
    check: 'Size',
    state: 'pass',
    what: 'no baseline yet',
    change: (r) => Object.assign(r.size, { baseline: null, delta: null, baselineNote: 'no baseline yet' }),
  },
  { check: 'Size', state: 'skip', what: 'not measured', change: (r) => Object.assign(r.size, { status: 'skipped', baseline: null, delta: null }) },
  { check: 'Hygiene', state: 'pass', what: 'notes only', change: (r) => findings(r, 'info') },
  { check: 'Hygiene', state: 'warn', what: 'a warning', change: (r) => findings(r, 'warning') },
  { check: 'Hygiene', state: 'warn', what: 'an error in warn mode', change: (r) => findings(r, 'error', 'warn') },
  { check: 'Hygiene', state: 'fail', what: 'an error', change: (r) => findings(r, 'error') },
  {
    check: 'Hygiene',
    state: 'skip',
    what: 'skipped',
    change: (r) => Object.assign(r.hygiene, { status: 'skipped', findings: [], reason: 'the build failed' }),
  },
  { check: 'Deploy', state: 'skip', what: 'not part of the run', change: () => undefined },
  {
    check: 'Deploy',
    state: 'skip',
    what: 'skipped',
    change: (r) => void (r.deploy = deployResult({ status: 'skipped', reason: 'local run', railwayStatus: null })),
  },
  { check: 'Deploy', state: 'pass', what: 'deployed', change: (r) => void (r.deploy = deployResult()) },
  ...(['failed', 'timeout', 'error'] as const).map((status): Case => ({
    check: 'Deploy',
    state: 'fail',
    what: status,
    change: (r) => void (r.deploy = deployResult({ status, railwayStatus: 'CRASHED', reason: `deployment ${status}` })),
  })),
  {
    check: 'Deploy',
    state: 'fail',
    what: 'waiting for approval, deploy-wait-approval: fail',
    change: (r) => void (r.deploy = deployResult({ status: 'waiting', onApproval: 'fail', railwayStatus: 'NEEDS_APPROVAL', url: null })),
  },
  // The run passes, but nothing is live yet: pending, in every output (never ✔ in the terminal).
  {
    check: 'Deploy',
    state: 'pending',
    what: 'waiting for approval, deploy-wait-approval: pass',
    change: (r) => void (r.deploy = deployResult({ status: 'waiting', onApproval: 'pass', railwayStatus: 'NEEDS_APPROVAL', url: null })),
  },
  {
    check: 'Deploy',
    state: 'pending',
    what: 'started, not waited for',
    change: (r) => void (r.deploy = deployResult({ status: 'triggered', railwayStatus: 'BUILDING', url: null })),
  },
  {
    check: 'Deploy',
    state: 'pending',
    what: "handed to Railway's Wait for CI",
    change: (r) => void (r.deploy = deployResult({ status: 'delegated', railwayStatus: 'WAITING', url: null })),
  },
];

/** What the terminal shows of each check: its line's mark, or nothing (Size and Hygiene when not run). */
const TERMINAL_LABEL: Record<CheckName, RegExp> = {
  Build: /^ {2}(\S+) build {4}/,
  Cache: /^ {2}(\S+) cache {4}/,
  Services: /^ {2}(\S+) services? /,
  'Pre-deploy': /^ {2}(\S+) predeploy /,
  Health: /^ {2}(\S+) health {3}/,
  Size: /^ {2}(\S+) size {5}/,
  Hygiene: /^ {2}(\S+) hygiene {2}/,
  Deploy: /^ {2}(\S+) deploy {3}/,
};

/** Several lines (one per Compose service) show as the worst of their marks. */
function terminalMark(text: string, check: CheckName): string | null {
  const marks = text.split('\n').flatMap((line) => TERMINAL_LABEL[check].exec(line)?.[1] ?? []);
  if (marks.length === 0) return null;
  const order: CheckState[] = ['fail', 'pending', 'warn', 'pass', 'skip'];
  return order.map((s) => TERMINAL_MARK[s]).find((m) => marks.includes(m)) ?? marks.join(' ');
}

/** The icon of the check's row in the table of a comment or summary. */
function tableIcon(markdown: string, check: CheckName): string | null {
  const row = markdown.split('\n').find((line) => line.startsWith(`| ${check} | `));
  return row?.split(' | ')[1] ?? null;
}

function outputs(report: CheckReport): { terminal: string; comment: string; summary: string } {
  const meta = { runId: 1, runAttempt: 1, sha: null, verdict: report.verdict };
  return {
    terminal: renderTerminal(report),
    comment: renderCommentBody(report, { key: 'default', meta, previous: null }).text,
    summary: renderMarkdownWithin(report, SUMMARY_MAX_CHARS, { ladder: [SUMMARY_LIMITS, ...SHORTENING] }).text,
  };
}

describe('one state per check, in every output', () => {
  test('the table covers every state each check can take', () => {
    const covered = new Set(CASES.map((c) => `${c.check}:${c.state}`));
    for (const key of [
      'Build:fail',
      'Cache:warn',
      'Services:fail',
      'Pre-deploy:skip',
      'Health:skip',
      'Size:warn',
      'Hygiene:warn',
      'Deploy:pending',
      'Deploy:fail',
    ]) {
      assert.ok(covered.has(key), key);
    }
  });

  test.each(CASES)('$check $what: $state everywhere', ({ check, state, change }) => {
    const report = passingReport();
    change(report);
    decideVerdict(report);
    const states = checkStates(report);
    const decided = states.find((s) => s.name === check)?.state ?? 'skip';
    assert.equal(decided, state);

    // The verdict fails exactly when a check fails (or the run was cancelled), with that check's reasons.
    const failing = states.filter((s) => s.state === 'fail');
    assert.equal(report.verdict, failing.length || report.cancelled ? 'fail' : 'pass');
    assert.deepEqual(report.reasons, [...(report.cancelled ? [report.reasons[0]] : []), ...failing.flatMap((s) => s.reasons)]);

    const { terminal, comment, summary } = outputs(report);
    for (const { name, state: each } of states) {
      const mark = terminalMark(terminal, name);
      // The terminal leaves out only a check that did not run (no deploy at all, size not measured...).
      if (mark === null) assert.match(`${name} ${each}`, /^(Services|Size|Hygiene|Deploy) skip$/);
      else assert.equal(`${name} ${mark}`, `${name} ${TERMINAL_MARK[each]}`, terminal);
      assert.equal(`${name} ${tableIcon(comment, name)}`, `${name} ${STATE_ICON[each]}`, comment);
      assert.equal(`${name} ${tableIcon(summary, name)}`, `${name} ${STATE_ICON[each]}`, summary);
    }
    // The deploy section's own icon says the same.
    if (check === 'Deploy' && state !== 'skip') {
      for (const text of [comment, summary]) assert.match(text, new RegExp(`#### Deploy\\n\\n${STATE_ICON[state]} `));
    }
  });
});
