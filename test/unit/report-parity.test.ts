/**
 * How the comment, the summary and the terminal show Railway parity, the pre-deploy command and a
 * cancelled run, from a report alone (reporters read only the report).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { renderMarkdown } from '../../src/report/markdown.ts';
import type { CheckReport } from '../../src/model/report.ts';
import { renderTerminal } from '../../src/report/terminal.ts';
import { decideVerdict } from '../../src/report/verdict.ts';
import { passingReport } from '../support/reports.ts';

function withParity(report: CheckReport): CheckReport {
  report.health.parity = {
    enabled: true,
    why: 'railway.json found',
    port: 8080,
    portSource: 'Railway default',
    host: 'healthcheck.railway.app',
    acceptedStatus: '200',
    statusSource: 'railway',
    startCommandSource: 'railway.json',
    startCommand: ['uvicorn', 'app:app'],
    timeoutSource: 'railway default',
  };
  report.health.timeoutMs = 300_000;
  return report;
}

describe('Railway parity in the reports', () => {
  test('the comment shows what was mirrored in one line; the terminal too', () => {
    const report = withParity(passingReport());
    const md = renderMarkdown(report);
    const lines = md.split('\n').filter((l) => l.includes('Railway parity'));
    assert.equal(lines.length, 1, md);
    assert.match(
      lines[0] ?? '',
      /PORT=8080 \(Railway default\) · Host healthcheck\.railway\.app · only 200 passes · start command from railway\.json · timeout 5 min 0 s \(railway default\)/,
    );
    assert.match(renderTerminal(report), /Railway parity \(railway\.json found\): PORT=8080/);
  });

  test('a report of an earlier version (no parity, no preDeploy) renders as before', () => {
    const md = renderMarkdown(passingReport());
    assert.doesNotMatch(md, /Railway parity|Pre-deploy/);
  });

  test('a failed pre-deploy command: a row, a section with its output, the headline, the terminal', () => {
    const report = withParity(passingReport());
    report.preDeploy = {
      status: 'failed',
      source: 'railway.json',
      durationMs: 2100,
      reason: 'the pre-deploy command "alembic upgrade head" exited with code 1 after 2.0s; Railway would not start the deployment',
      commands: [
        {
          command: 'alembic upgrade head',
          exitCode: 1,
          durationMs: 2000,
          logs: ['INFO  Running upgrade', 'sqlalchemy.exc.OperationalError: could not connect'],
          error: null,
        },
      ],
    };
    report.health = {
      ...report.health,
      status: 'skipped',
      reason: 'the pre-deploy command did not pass, so the app was not started (as on Railway)',
      container: null,
    };
    decideVerdict(report);
    assert.equal(report.verdict, 'fail');
    assert.match(report.reasons[0] ?? '', /^Pre-deploy command failed: /);
    const md = renderMarkdown(report);
    assert.match(md, /\| Pre-deploy \| ❌ \| .*exited with code 1.* · the app was not started \|/);
    assert.match(md, /#### Pre-deploy command failed/);
    assert.match(md, /sqlalchemy\.exc\.OperationalError: could not connect/);
    const terminal = renderTerminal(report);
    assert.match(terminal, /✘ predeploy failed in 2\.1 s: alembic upgrade head → exit 1 in 2\.0 s/);
    assert.match(terminal, /\| sqlalchemy\.exc\.OperationalError: could not connect/);
  });

  test('a passing one shows its duration in the row', () => {
    const report = passingReport();
    report.preDeploy = {
      status: 'passed',
      source: 'railway.toml',
      durationMs: 1400,
      reason: null,
      commands: [{ command: 'python3 -m app.migrate', exitCode: 0, durationMs: 1300, logs: [], error: null }],
    };
    assert.match(renderMarkdown(report), /\| Pre-deploy \| ✅ \| passed in 1\.4 s · <code>python3 -m app\.migrate<\/code> exit 0 in 1\.3 s \|/);
  });

  test('a cancelled run says cancelled first, never an exit code', () => {
    const report = passingReport();
    report.health = {
      ...report.health,
      status: 'cancelled',
      reason: 'cancelled (SIGTERM) while waiting for the container to become healthy',
      timeToHealthyMs: null,
    };
    report.cancelled = { signal: 'SIGTERM', stage: 'the health check' };
    decideVerdict(report);
    assert.deepEqual(report.reasons, ['Cancelled: the run was stopped (SIGTERM) during the health check']);
    assert.match(renderMarkdown(report), /deploy-check failed: Cancelled: the run was stopped \(SIGTERM\)/);
  });
});
