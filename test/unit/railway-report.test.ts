import assert from 'node:assert/strict';
import { test } from 'vitest';
import { deployLine } from '../../src/model/format.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import type { CheckReport, DeployReport } from '../../src/model/report.ts';
import { SKIPPED_SIZE } from '../../src/model/skipped.ts';
import { renderTerminal } from '../../src/report/terminal.ts';
import { decideVerdict } from '../../src/report/verdict.ts';
import { cacheReportOff } from '../../src/cache/layer-cache.ts';

function deploy(extra: Partial<DeployReport>): DeployReport {
  return {
    status: 'success',
    deploymentId: 'd1',
    url: 'https://web-production.up.railway.app',
    reason: null,
    source: 'commit',
    image: null,
    commit: '9d3b2a1c0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c',
    railwayStatus: 'SUCCESS',
    durationMs: 42_000,
    logs: null,
    onApproval: 'fail',
    target: null,
    configDrift: [],
    smoke: null,
    apiRequests: 9,
    ...extra,
  };
}

function report(d: DeployReport | null): CheckReport {
  const r = {
    schemaVersion: 1,
    verdict: 'fail',
    reasons: [],
    startedAt: '',
    durationMs: 0,
    tool: { name: 'deploy-check', version: '0' },
    source: { context: '.', dockerfile: 'Dockerfile', target: null, commit: null, ref: null, runUrl: null },
    image: { id: 'sha256:x', ref: 'app:ci' },
    build: { status: 'success', durationMs: 1, steps: { total: 1, cached: 0, list: [] }, cache: cacheReportOff(null), builder: null, failure: null },
    health: {
      status: 'healthy',
      strategy: 'http',
      target: null,
      timeToHealthyMs: 5,
      timeoutMs: 1000,
      reason: null,
      container: null,
      lastHttp: null,
      healthLog: [],
      logs: [],
    },
    size: { ...SKIPPED_SIZE },
    hygiene: { status: 'skipped', findings: [] },
    deploy: d,
  } as unknown as CheckReport;
  decideVerdict(r);
  return r;
}

test('the verdict: failed, timed-out and errored deploys fail; a waiting one as deploy-wait-approval says', () => {
  assert.equal(report(deploy({})).verdict, 'pass');
  assert.equal(report(deploy({ status: 'skipped', reason: 'a pull request never deploys' })).verdict, 'pass');
  assert.equal(report(deploy({ status: 'triggered' })).verdict, 'pass');
  assert.equal(report(null).verdict, 'pass');
  const failed = report(deploy({ status: 'failed', railwayStatus: 'CRASHED', reason: 'it crashed' }));
  assert.deepEqual([failed.verdict, failed.reasons], ['fail', ['Deploy to Railway failed: it crashed']]);
  assert.deepEqual(report(deploy({ status: 'timeout', reason: 'still BUILDING' })).reasons, ['Deploy to Railway timed out: still BUILDING']);
  assert.equal(report(deploy({ status: 'error', reason: 'Not Authorized' })).verdict, 'fail');
  assert.deepEqual(report(deploy({ status: 'waiting', railwayStatus: 'NEEDS_APPROVAL', reason: 'r' })).reasons, [
    'Deploy to Railway is waiting for approval: r',
  ]);
  assert.equal(report(deploy({ status: 'waiting', railwayStatus: 'NEEDS_APPROVAL', onApproval: 'pass' })).verdict, 'pass');
});

test('one line for the deploy in the summary and the terminal', () => {
  assert.equal(deployLine(deploy({})), 'SUCCESS at https://web-production.up.railway.app, commit 9d3b2a1 in 42.0 s');
  assert.equal(
    deployLine(
      deploy({
        source: 'image',
        image: `127.0.0.1:5000/acme/shop@sha256:${'ab'.repeat(32)}`,
        smoke: { status: 'passed', url: 'u', httpStatus: 200, error: null, attempts: 2, durationMs: 10 },
      }),
    ),
    'SUCCESS at https://web-production.up.railway.app, image 127.0.0.1:5000/acme/shop@sha256:abababababab… in 42.0 s, smoke check passed (200)',
  );
  assert.equal(deployLine(deploy({ status: 'skipped', reason: 'deploy is "never"' })), 'skipped: deploy is "never"');
  assert.equal(deployLine(deploy({ status: 'error', railwayStatus: null, url: null, reason: 'x' })), 'error, commit 9d3b2a1 in 42.0 s');
});

test("the summary shows the deploy row, the failure with Railway's logs, and drift, escaped", () => {
  const md = renderMarkdown(
    report(
      deploy({
        status: 'failed',
        railwayStatus: 'FAILED',
        url: null,
        reason: 'ended FAILED: <script>alert(1)</script> | @team',
        logs: { build: ['ERROR: failed to solve', '```'], deploy: [], push: [] },
        configDrift: [{ setting: 'healthcheckPath', service: '/health', file: '/healthz', fileName: 'railway.json' }],
      }),
    ),
  );
  assert.match(
    md,
    /\| Deploy \| ❌ \| failed \(FAILED\) · commit <code>9d3b2a1<\/code> · in 42\.0 s · ended FAILED: &lt;script&gt;alert\(1\)&lt;\/script&gt; &#124; @\u200bteam \|/,
  );
  assert.match(md, /<summary>Railway build logs \(last 2 of 2\)<\/summary>\n\n````text\nERROR: failed to solve\n```\n````/);
  assert.match(md, /- railway\.json sets <code>healthcheckPath<\/code> to <code>\/healthz<\/code>, the service has <code>\/health<\/code>/);
  assert.doesNotMatch(md, /Railway deploy logs/);
});

test('the terminal shows the deploy line, the reason and the log tails', () => {
  const text = renderTerminal(
    report(deploy({ status: 'failed', railwayStatus: 'CRASHED', reason: 'it crashed', logs: { build: [], deploy: ['Traceback', 'boom'], push: [] } })),
  );
  assert.match(text, /✘ deploy {3}CRASHED at https:\/\/web-production\.up\.railway\.app, commit 9d3b2a1 in 42\.0 s/);
  assert.match(text, /Deploy to Railway failed: it crashed\n {2}last 2 lines of the Railway deploy log:\n {2}\| Traceback\n {2}\| boom/);
  assert.match(renderTerminal(report(deploy({ status: 'skipped', reason: 'local run' }))), /- deploy {3}skipped: local run/);
});
