import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { SCHEMA_FILE, reportSchemaText } from '../../scripts/report-schema.mjs';
import { ConfigError } from '../../src/inputs/inputs.ts';
import { readReportFile } from '../../src/publish/report-file.ts';
import type { CheckReport } from '../../src/model/report.ts';
import { checkReport } from '../../src/report/validate.ts';
import { crashedReport, deployResult, hostileReport, passingReport } from '../support/reports.ts';

/** The report as JSON, with one field set by path (a string where a number belongs, and so on). */
function tampered(report: CheckReport, set: (r: Record<string, unknown> & CheckReport) => void): unknown {
  const copy = JSON.parse(JSON.stringify(report)) as Record<string, unknown> & CheckReport;
  set(copy);
  return copy;
}

function problems(value: unknown): string[] {
  const checked = checkReport(value);
  return checked.ok ? [] : checked.problems;
}

describe('docs/report.schema.json', () => {
  // Generating builds a TypeScript program of src/model/report.ts: seconds, not milliseconds.
  test(
    'is what the CheckReport type gives today (run node scripts/report-schema.mjs after changing src/model/report.ts, or npm run build)',
    { timeout: 120_000 },
    async () => {
      assert.equal(await readFile(SCHEMA_FILE, 'utf8'), reportSchemaText());
    },
  );
});

describe('checkReport', () => {
  test.each([
    ['a passing run', passingReport()],
    ['a crashed run', crashedReport()],
    ['a run full of hostile strings', hostileReport()],
    ['a run that deployed', { ...passingReport(), deploy: deployResult() }],
  ])('accepts %s, typed as it was written', (_name, report) => {
    const value: unknown = JSON.parse(JSON.stringify(report));
    const checked = checkReport(value);
    assert.deepEqual(checked, { ok: true, report });
    assert.equal(checked.report, value);
  });

  test('accepts fields it does not know: a newer deploy-check adds them', () => {
    const newer = tampered(passingReport(), (r) => {
      r['coverage'] = { lines: 93 };
      (r.size as unknown as Record<string, unknown>)['zstdBytes'] = 99_000_000;
    });
    assert.deepEqual(problems(newer), []);
  });

  test.each<[string, (r: Record<string, unknown> & CheckReport) => void, string]>([
    ['a string byte count', (r) => ((r.size as unknown as Record<string, unknown>)['bytes'] = '318 MB'), 'size.bytes is a string, not a number or null'],
    ['a layer deep in a list', (r) => ((r.size.layers[2] as unknown as Record<string, unknown>)['bytes'] = null), 'size.layers[2].bytes is null, not a number'],
    ['reasons as one string', (r) => ((r as Record<string, unknown>)['reasons'] = 'it broke'), 'reasons is a string, not an array'],
    ['a deploy section as text', (r) => ((r as Record<string, unknown>)['deploy'] = 'done'), 'deploy is a string, not an object or null'],
    ['a log line as a number', (r) => ((r.health.logs as unknown[])[1] = 42), 'health.logs[1] is a number, not a string'],
    ['a missing section', (r) => delete (r as Record<string, unknown>)['hygiene'], 'hygiene is missing'],
    [
      'a missing field in a finding',
      (r) => delete (r.hygiene.findings[1] as unknown as Record<string, unknown>)['severity'],
      'hygiene.findings[1].severity is missing',
    ],
  ])('refuses %s, naming the field by its path', (_name, set, problem) => {
    assert.ok(problems(tampered(passingReport(), set)).includes(problem), problems(tampered(passingReport(), set)).join('\n'));
  });

  test('refuses a verdict or schema version it does not know, naming the field', () => {
    assert.deepEqual(problems(tampered(passingReport(), (r) => ((r as Record<string, unknown>)['verdict'] = 'maybe'))), [
      'verdict: it does not match any of ["pass","fail"].',
    ]);
    assert.match(problems(tampered(passingReport(), (r) => ((r as Record<string, unknown>)['schemaVersion'] = 2)))[0] ?? '', /^schemaVersion: /);
  });

  test('refuses what is not a report at all, telling at most three problems', () => {
    assert.deepEqual(problems([1, 2]), ['the report is an array, not an object']);
    const empty = problems({});
    assert.equal(empty.length, 3);
    assert.equal(empty[0], 'schemaVersion is missing');
  });
});

describe('readReportFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'dc-report-schema-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('reads a report that matches the schema', async () => {
    const file = path.join(dir, 'ok.json');
    await writeFile(file, JSON.stringify(crashedReport()));
    assert.deepEqual(await readReportFile(file), crashedReport());
  });

  test('refuses one with a field of the wrong type: the input, the file and the field are named', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify(tampered(passingReport(), (r) => ((r.build.steps as unknown as Record<string, unknown>)['cached'] = '9'))));
    const err = await readReportFile(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConfigError);
    assert.equal(err.input, 'report-file');
    assert.equal(
      err.message,
      `Input "report-file": ${file} is not a deploy-check report (docs/report.schema.json): build.steps.cached is a string, not a number`,
    );
  });
});
