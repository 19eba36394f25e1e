/** max-wasted: reading the input, and the budget check on the wasted space the layer scan found. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { ConfigError } from '../../src/inputs/inputs.ts';
import type { SizeReport, SizeWasted } from '../../src/model/report.ts';
import { SKIPPED_SIZE } from '../../src/model/skipped.ts';
import { applyWasted } from '../../src/size/budget.ts';
import { readSizeConfig, type SizeInputName } from '../../src/config/size.ts';

const read = (inputs: Partial<Record<SizeInputName, string>>) => readSizeConfig((n) => inputs[n] ?? '', '/tmp', undefined);

test('max-wasted takes bytes or a percentage; anything else names the input', () => {
  assert.deepEqual(read({ 'max-wasted': '20MB' }).maxWasted, { kind: 'bytes', bytes: 20_000_000, raw: '20MB' });
  assert.deepEqual(read({ 'max-wasted': '5%' }).maxWasted, { kind: 'percent', percent: 5, raw: '5%' });
  assert.equal(read({}).maxWasted, undefined);
  assert.throws(
    () => read({ 'max-wasted': 'lots' }),
    (err: unknown) => err instanceof ConfigError && err.input === 'max-wasted',
  );
});

const measured: SizeReport = {
  ...SKIPPED_SIZE,
  status: 'measured',
  bytes: 10_000_000,
  layers: [],
  budget: { metric: 'compressed', status: 'none', checks: [] },
  notes: [],
};
const wasted: SizeWasted = {
  bytes: 6_000_000,
  percent: 60,
  layers: [{ index: 1, instruction: 'RUN curl -o /tmp/x.tgz https://example.com/x.tgz', line: 4, base: false, bytes: 6_000_000, files: 1 }],
};

test('the budget: exceeded names the layer that wastes most; within passes; without a scan it is unchecked', () => {
  const over = applyWasted(measured, wasted, { kind: 'percent', percent: 10, raw: '10%' }, 'n/a');
  assert.equal(over.budget.status, 'exceeded');
  assert.equal(over.wasted, wasted);
  const check = over.budget.checks[0];
  assert.equal(check?.name, 'max-wasted');
  assert.equal(check.actual, 60);
  assert.deepEqual(check.layer, { instruction: wasted.layers[0]?.instruction, line: 4 });
  assert.match(check.message, /^Image size budget max-wasted 10% exceeded: 6\.0 MB \(60\.0% of the uncompressed image\).*line 4: RUN curl/);
  assert.equal(applyWasted(measured, wasted, { kind: 'bytes', bytes: 7_000_000, raw: '7MB' }, 'n/a').budget.status, 'pass');
  const unchecked = applyWasted(measured, null, { kind: 'bytes', bytes: 1, raw: '1B' }, 'hygiene is off');
  assert.equal(unchecked.budget.status, 'unchecked');
  assert.match(unchecked.budget.checks[0]?.message ?? '', /not checked: hygiene is off/);
  assert.equal(applyWasted(measured, wasted, undefined, 'n/a').budget.status, 'none', 'no budget, no check');
});
