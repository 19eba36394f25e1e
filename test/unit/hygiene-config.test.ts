import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, test } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError, type InputName } from '../../src/inputs/inputs.ts';
import { readHygieneConfig } from '../../src/config/hygiene.ts';
import { FINDING_IDS } from '../../src/model/findings.ts';
import { cacheReportOff } from '../../src/cache/layer-cache.ts';
import type { CheckReport, HygieneFinding } from '../../src/model/report.ts';
import { SKIPPED_SIZE } from '../../src/model/skipped.ts';
import { decideVerdict } from '../../src/report/verdict.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'hygiene-config-'));
writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\nEXPOSE 8000\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reader =
  (inputs: Partial<Record<InputName, string>>) =>
  (name: InputName): string =>
    inputs[name] ?? '';

test('hygiene mode: secrets by default, warn, fail, off; anything else names the input and the choices', () => {
  assert.deepEqual(
    readHygieneConfig(() => ''),
    { mode: 'secrets', ignore: [] },
  );
  assert.equal(readHygieneConfig((n) => (n === 'hygiene' ? 'warn' : '')).mode, 'warn');
  assert.equal(readHygieneConfig((n) => (n === 'hygiene' ? 'FAIL' : '')).mode, 'fail');
  assert.equal(readHygieneConfig((n) => (n === 'hygiene' ? 'off' : '')).mode, 'off');
  assert.throws(
    () => readHygieneConfig((n) => (n === 'hygiene' ? 'strict' : '')),
    (err: unknown) => err instanceof ConfigError && err.input === 'hygiene' && /warn.*fail.*off/.test(err.message),
  );
});

test('hygiene-ignore: comma or newline separated ids; unknown ids list the valid ones', () => {
  const ignore = readHygieneConfig((n) => (n === 'hygiene-ignore' ? 'root-user, package-cache\nno-healthcheck\n\nroot-user' : '')).ignore;
  assert.deepEqual(ignore, ['root-user', 'package-cache', 'no-healthcheck']);
  assert.throws(
    () => readHygieneConfig((n) => (n === 'hygiene-ignore' ? 'root-user,rooot-user' : '')),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.input === 'hygiene-ignore' &&
      err.message.includes('"rooot-user"') &&
      FINDING_IDS.every((id) => err.message.includes(id)),
  );
});

test('loadConfig reads the hygiene inputs and masks build args whose name is secret', async () => {
  const config = await loadConfig(
    reader({ context: dir, hygiene: 'fail', 'hygiene-ignore': 'no-dockerignore', 'build-args': 'API_TOKEN=tok-abc-123\nVERSION=1.2.3' }),
  );
  assert.deepEqual(config.hygiene, { mode: 'fail', ignore: ['no-dockerignore'] });
  assert.ok(config.secrets.includes('tok-abc-123'), 'BuildKit prints RUN steps with build args expanded');
  assert.ok(!config.secrets.includes('1.2.3'));
  await assert.rejects(loadConfig(reader({ context: dir, 'hygiene-ignore': 'nope' })), /Input "hygiene-ignore": unknown finding id "nope"/);
});

function report(mode: 'warn' | 'fail', severities: HygieneFinding['severity'][]): CheckReport {
  const findings: HygieneFinding[] = severities.map((severity, i) => ({
    id: severity === 'error' ? 'root-user' : 'no-healthcheck',
    severity,
    message: `finding ${i}`,
    file: null,
    line: null,
    layer: null,
    path: null,
    evidence: [],
  }));
  return {
    schemaVersion: 1,
    verdict: 'fail',
    reasons: [],
    startedAt: '',
    durationMs: 0,
    tool: { name: 'deploy-check', version: '0' },
    source: { context: '', dockerfile: '', target: null, commit: null, ref: null, runUrl: null },
    image: { id: 'sha256:x', ref: 'x' },
    build: { status: 'success', durationMs: 0, steps: { total: 0, cached: 0, list: [] }, cache: cacheReportOff(null), builder: null, failure: null },
    health: {
      status: 'healthy',
      strategy: 'http',
      target: null,
      timeToHealthyMs: 1,
      timeoutMs: 1,
      reason: null,
      container: null,
      lastHttp: null,
      healthLog: [],
      logs: [],
    },
    size: { ...SKIPPED_SIZE },
    hygiene: { status: 'checked', mode, findings },
    deploy: null,
  } as unknown as CheckReport;
}

test('verdict: warn reports error findings and passes; fail fails on them, not on warnings', () => {
  const warned = report('warn', ['error', 'warning']);
  decideVerdict(warned);
  assert.equal(warned.verdict, 'pass');

  const failed = report('fail', ['error', 'warning', 'error']);
  decideVerdict(failed);
  assert.equal(failed.verdict, 'fail');
  assert.match(failed.reasons[0] ?? '', /^Hygiene: finding 0 \[root-user\]; and 1 more error finding \(root-user\)$/);

  const warningsOnly = report('fail', ['warning', 'info']);
  decideVerdict(warningsOnly);
  assert.equal(warningsOnly.verdict, 'pass');
});
