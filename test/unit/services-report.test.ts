import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { checkRows } from '../../src/report/checks.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import type { CheckReport, ServiceReport } from '../../src/model/report.ts';
import { renderTerminal } from '../../src/report/terminal.ts';
import { decideVerdict } from '../../src/report/verdict.ts';
import { HOSTILE, passingReport } from '../support/reports.ts';
import { harmfulHtml, toHtml } from '../support/html-check.ts';

const db: ServiceReport = {
  name: 'db',
  image: 'pgvector/pgvector:pg17',
  condition: 'service_healthy',
  status: 'ready',
  readyMs: 2400,
  reason: null,
  exitCode: null,
  restarts: 0,
  healthLog: [],
  logs: ['database system is ready to accept connections'],
};
const migrate: ServiceReport = {
  name: 'migrate',
  image: 'app:ci',
  condition: 'service_completed_successfully',
  status: 'failed',
  readyMs: null,
  reason: 'it exited with code 1 (service_completed_successfully needs 0)',
  exitCode: 1,
  restarts: 0,
  healthLog: [],
  logs: ['Running upgrade  -> 0002', 'ERROR: relation "items" does not exist'],
};

function withServices(services: ServiceReport[]): CheckReport {
  const report = passingReport();
  report.services = services;
  report.compose = {
    file: '/src/docker-compose.yml',
    project: 'deploy-check-x',
    service: 'api',
    serviceSource: 'build context',
    networks: ['deploy-check-x_default'],
    droppedMounts: [],
    durationMs: 5000,
    failure: null,
    warnings: [],
  };
  return report;
}

describe('Services in the report', () => {
  test('no Compose: no Services row, verdict unchanged', () => {
    const report = passingReport();
    assert.equal(
      checkRows(report).some((r) => r.name === 'Services'),
      false,
    );
    decideVerdict(report);
    assert.equal(report.verdict, 'pass');
  });

  test('ready services: a passing row with each condition and time', () => {
    const report = withServices([db, { ...migrate, status: 'ready', reason: null, exitCode: 0, readyMs: 4100 }]);
    const row = checkRows(report).find((r) => r.name === 'Services');
    assert.equal(row?.state, 'pass');
    assert.match(row.reason, /<code>db<\/code> ready in 2\.4 s · <code>migrate<\/code> done in 4\.1 s/);
    decideVerdict(report);
    assert.equal(report.verdict, 'pass');
  });

  test('a failed one-shot: the verdict says which and why; comment and terminal show its logs', () => {
    const report = withServices([db, migrate]);
    report.health = { ...report.health, status: 'skipped', reason: 'the app was not started' };
    decideVerdict(report);
    assert.equal(report.verdict, 'fail');
    assert.equal(report.reasons[0], 'Service "migrate" failed: it exited with code 1 (service_completed_successfully needs 0)');
    assert.equal(checkRows(report).find((r) => r.name === 'Services')?.state, 'fail');
    const markdown = renderMarkdown(report);
    assert.match(markdown, /#### Services failed/);
    assert.match(markdown, /ERROR: relation "items" does not exist/);
    const terminal = renderTerminal(report);
    assert.match(terminal, /✘ service {2}migrate failed \(service_completed_successfully\)/);
    assert.match(terminal, /\| ERROR: relation "items" does not exist/);
  });

  test('Compose could not start anything: the failure is the reason', () => {
    const report = withServices([]);
    assert.ok(report.compose);
    report.compose = { ...report.compose, failure: 'docker compose up failed: pull access denied for private/db' };
    decideVerdict(report);
    assert.match(report.reasons[0] ?? '', /Compose services could not be started: docker compose up failed: pull access denied/);
    assert.equal(checkRows(report).find((r) => r.name === 'Services')?.state, 'fail');
  });

  test('a report of an older version (no services field) renders as before', () => {
    const report = passingReport();
    delete report.services;
    delete report.compose;
    assert.doesNotThrow(() => renderMarkdown(report));
  });

  test("hostile service names, images, reasons and logs (a fork's report file) render as text", () => {
    for (const hostile of HOSTILE) {
      const report = withServices([{ ...migrate, name: hostile, image: hostile, reason: hostile, healthLog: [hostile], logs: [hostile, `ERROR ${hostile}`] }]);
      assert.ok(report.compose);
      report.compose = { ...report.compose, failure: hostile };
      decideVerdict(report);
      const html = toHtml(renderMarkdown(report));
      assert.deepEqual(harmfulHtml(html), [], `${hostile} → ${html}`);
    }
  });
});
