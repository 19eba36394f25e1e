/**
 * Reports of real runs on the real engine match the published schema, so that mode comment,
 * which refuses anything else, accepts what the check wrote.
 */
import assert from 'node:assert/strict';
import { afterAll, describe, test } from 'vitest';
import { checkReport } from '../../src/report/validate.ts';
import { fixture, removeImage, runLocal } from '../support/local-runner.ts';

const images: (string | null | undefined)[] = [];
afterAll(() => images.forEach(removeImage));

describe('reports of real runs match docs/report.schema.json', { concurrent: true }, () => {
  test.each([
    ['a healthy app', 'healthy', [], 'pass'],
    ['an app that crashes on start', 'crash', ['--health-timeout', '60'], 'fail'],
    ['an image that does not build', 'build-error', ['--wait-for', 'log:never'], 'fail'],
  ])('%s', async (_name, name, args, verdict) => {
    const run = await runLocal(['--context', fixture(name), ...args], { cwd: fixture(name) });
    images.push(run.report?.image.ref);
    assert.notEqual(run.report, null, run.stderr);
    assert.equal(run.report?.verdict, verdict);
    const checked = checkReport(run.report);
    assert.equal(checked.ok, true, checked.ok ? '' : checked.problems.join('\n'));
  });
});
