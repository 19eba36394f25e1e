import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import type { CheckReport, HygieneFinding, SizeBudgetCheck } from '../../src/model/report.ts';
import { decideVerdict, verdictOf } from '../../src/report/verdict.ts';
import { crashedReport, deployResult, passingReport } from '../support/reports.ts';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function finding(id: string, severity: HygieneFinding['severity']): HygieneFinding {
  return { id, severity, message: `${id} found`, file: 'Dockerfile', line: 3, layer: null, path: null, evidence: [] };
}

function budget(status: SizeBudgetCheck['status'], message: string): SizeBudgetCheck {
  return { name: 'max-size', limit: '100MB', status, actual: 120_000_000, message, layer: null };
}

describe('verdictOf', () => {
  test('a report whose checks all passed passes with no reasons', () => {
    assert.deepEqual(verdictOf(passingReport()), { verdict: 'pass', reasons: [] });
  });

  test('reads only the checks: the stored verdict and reasons do not matter', () => {
    const report = passingReport();
    report.verdict = 'fail';
    report.reasons = ['stale'];
    assert.deepEqual(verdictOf(report), { verdict: 'pass', reasons: [] });
  });

  test('is pure: a frozen report gives the same answer twice and is left as it was', () => {
    const report = deepFreeze(crashedReport());
    const before = JSON.stringify(report);
    const first = verdictOf(report);
    assert.deepEqual(verdictOf(report), first);
    assert.equal(first.verdict, 'fail');
    assert.equal(JSON.stringify(report), before);
  });

  test('a failed build and an unhealthy container each give a reason, in pipeline order', () => {
    const report = crashedReport();
    report.build.status = 'failure';
    report.build.failure = { message: 'RUN pip install failed' } as NonNullable<CheckReport['build']['failure']>;
    assert.deepEqual(verdictOf(report).reasons, [
      'Build failed: RUN pip install failed',
      'Health check failed: the container exited with code 1 before it became healthy',
    ]);
  });

  test('an exceeded budget fails; one that could not be checked does not', () => {
    const report = passingReport();
    report.size.budget.checks = [budget('unchecked', 'no baseline'), budget('exceeded', 'The image is 120 MB, over max-size 100MB')];
    assert.deepEqual(verdictOf(report), { verdict: 'fail', reasons: ['The image is 120 MB, over max-size 100MB'] });
    report.size.budget.checks = [budget('unchecked', 'no baseline')];
    assert.equal(verdictOf(report).verdict, 'pass');
  });

  test('hygiene errors fail only under hygiene: fail, summarised after the first', () => {
    const report = passingReport();
    report.hygiene.findings = [finding('root-user', 'error'), finding('secret-env', 'error'), finding('secret-env', 'error'), finding('apt-lists', 'warning')];
    report.hygiene.mode = 'fail';
    assert.deepEqual(verdictOf(report).reasons, ['Hygiene: root-user found [root-user]; and 2 more error findings (secret-env)']);
    report.hygiene.mode = 'warn';
    assert.equal(verdictOf(report).verdict, 'pass');
    report.hygiene.findings = [finding('apt-lists', 'warning')];
    report.hygiene.mode = 'fail';
    assert.equal(verdictOf(report).verdict, 'pass');
  });

  test('a deploy that failed or timed out fails; one waiting for approval as deploy-wait-approval says', () => {
    const report = passingReport();
    report.deploy = deployResult({ status: 'timeout', reason: 'still BUILDING after 15m' });
    assert.deepEqual(verdictOf(report).reasons, ['Deploy to Railway timed out: still BUILDING after 15m']);
    report.deploy = deployResult({ status: 'waiting', onApproval: 'pass' });
    assert.equal(verdictOf(report).verdict, 'pass');
    report.deploy = deployResult({ status: 'waiting', onApproval: 'fail', reason: null, railwayStatus: 'NEEDS_APPROVAL' });
    assert.deepEqual(verdictOf(report).reasons, ['Deploy to Railway is waiting for approval: NEEDS_APPROVAL']);
  });

  test('decideVerdict writes verdictOf’s answer into the report', () => {
    const report = crashedReport();
    report.verdict = 'pass';
    report.reasons = [];
    decideVerdict(report);
    assert.deepEqual({ verdict: report.verdict, reasons: report.reasons }, verdictOf(report));
    assert.equal(report.verdict, 'fail');
  });
});
