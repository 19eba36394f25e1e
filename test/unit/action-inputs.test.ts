import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'vitest';
import { parse } from 'yaml';
import { INPUT_NAMES } from '../../src/inputs/inputs.ts';

interface ActionYml {
  inputs: Record<string, { description?: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string; post: string };
}

const action = parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as ActionYml;

test("action.yml's inputs are exactly INPUT_NAMES", () => {
  assert.deepEqual(Object.keys(action.inputs).sort(), [...INPUT_NAMES].sort());
});

test('every input and output is described', () => {
  for (const [name, input] of Object.entries(action.inputs)) assert.ok(input.description?.trim(), `input ${name}`);
  for (const [name, output] of Object.entries(action.outputs)) assert.ok(output.description?.trim(), `output ${name}`);
});

test('the core outputs exist', () => {
  for (const name of ['verdict', 'report', 'image-id', 'healthy', 'time-to-healthy-ms', 'image-size']) assert.ok(name in action.outputs, name);
});

test('runs on node24 with a main and a post step from dist/', () => {
  assert.equal(action.runs.using, 'node24');
  assert.equal(action.runs.main, 'dist/main.js');
  assert.equal(action.runs.post, 'dist/post.js');
});
