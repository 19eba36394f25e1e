/**
 * Bad inputs: the local command exits 2 with a message naming the input, the action fails
 * before any work, and nothing is left on the engine.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { runActionSteps } from '../support/action-runner.ts';
import { leftovers } from '../support/docker.ts';
import { fixture, newLeftovers, runLocal, tempApp } from '../support/local-runner.ts';

let engineBefore: { containers: string[]; networks: string[] };
let empty: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  engineBefore = leftovers();
  empty = await tempApp({ 'main.py': 'print("no Dockerfile here")\n' });
});
afterAll(async () => {
  await empty.remove();
});

const healthy = (): string => fixture('healthy');

const cases: { name: string; args: () => string[]; input: string; message: RegExp }[] = [
  { name: 'missing Dockerfile', args: () => ['--context', empty.dir], input: 'dockerfile', message: /no Dockerfile at .*\/Dockerfile/ },
  { name: 'Dockerfile input that does not exist', args: () => ['--context', healthy(), '--dockerfile', 'Dockerfile.prod'], input: 'dockerfile', message: /no Dockerfile at/ },
  { name: 'unknown target stage', args: () => ['--context', fixture('multistage'), '--target', 'production'], input: 'target', message: /no stage named "production".*stages: builder, runtime/ },
  { name: 'port that is not a number', args: () => ['--context', healthy(), '--port', 'http'], input: 'port', message: /"http" is not a TCP port/ },
  { name: 'port out of range', args: () => ['--context', healthy(), '--port', '70000'], input: 'port', message: /not a TCP port/ },
  { name: 'ambiguous port (two EXPOSE)', args: () => ['--context', fixture('multi-expose')], input: 'port', message: /exposes several ports \(8000, 9000\)/ },
  { name: 'negative timeout', args: () => ['--context', healthy(), '--health-timeout=-5'], input: 'health-timeout', message: /"-5" is not a duration/ },
  { name: 'zero timeout', args: () => ['--context', healthy(), '--health-timeout', '0'], input: 'health-timeout', message: /greater than zero/ },
  { name: 'non-numeric timeout', args: () => ['--context', healthy(), '--health-timeout', 'soon'], input: 'health-timeout', message: /"soon" is not a duration/ },
  { name: 'malformed build-args line', args: () => ['--context', healthy(), '--build-args', 'VERSION=1\nnot a pair'], input: 'build-args', message: /line 2 is not KEY=VALUE/ },
  { name: 'malformed env line', args: () => ['--context', healthy(), '--env', 'DATABASE_URL'], input: 'env', message: /line 1 is not KEY=VALUE/ },
  { name: 'malformed build-secrets line', args: () => ['--context', healthy(), '--build-secret', 'npm'], input: 'build-secrets', message: /is not id=VALUE/ },
  { name: 'invalid health-body regular expression', args: () => ['--context', healthy(), '--health-body', '"status": ("ok"'], input: 'health-body', message: /not a valid regular expression/ },
  { name: 'invalid wait-for log: regular expression', args: () => ['--context', healthy(), '--wait-for', 'log:[ready'], input: 'wait-for', message: /not a valid regular expression/ },
  { name: 'unknown wait strategy', args: () => ['--context', healthy(), '--wait-for', 'ping'], input: 'wait-for', message: /not a wait strategy/ },
  { name: 'health status that is not one', args: () => ['--context', healthy(), '--health-status', '2xx'], input: 'health-status', message: /not an HTTP status/ },
];

describe('bad inputs, local command', { concurrent: true }, () => {
  for (const c of cases) {
    test(`${c.name}: exit 2, naming "${c.input}"`, async () => {
      const run = await runLocal(c.args());
      assert.equal(run.exitCode, 2, run.stdout + run.stderr);
      assert.match(run.stderr, new RegExp(`^deploy-check: Input "${c.input}": `, 'm'));
      assert.match(run.stderr, c.message);
      assert.equal(run.report, null, 'no report for a configuration error');
      assert.doesNotMatch(run.stderr, /▸ Build/, 'no work started');
    });
  }

  test('an unknown flag exits 2 and shows the usage', async () => {
    const run = await runLocal(['--helth-path', '/health'], { report: false });
    assert.equal(run.exitCode, 2);
    assert.match(run.stderr, /Unknown option '--helth-path'/);
    assert.match(run.stderr, /^Usage: deploy-check/m);
  });

  test('a secret in a malformed env line is not echoed', async () => {
    const run = await runLocal(['--context', healthy(), '--env', 'A=1', '--env', 'TOKEN: tok-very-secret-value']);
    assert.equal(run.exitCode, 2);
    assert.match(run.stderr, /Input "env": line 2/);
    assert.doesNotMatch(run.stdout + run.stderr, /tok-very-secret-value/);
  });
});

describe('bad inputs, action', () => {
  test('a bad input fails the main step before any work, naming the input; post has nothing to clean', async () => {
    const run = await runActionSteps({ inputs: { context: fixture('healthy'), 'health-timeout': '-5' }, cwd: fixture('healthy') });
    assert.equal(run.main.exitCode, 1);
    assert.match(run.main.stdout, /^::error::Input "health-timeout": "-5" is not a duration/m);
    assert.equal(run.state['run-id'], undefined);
    assert.equal(run.post?.exitCode, 0);
    assert.equal(run.report, null);
    assert.doesNotMatch(run.main.stdout, /::group::Build/);
  });
});

describe('after every bad input', () => {
  test('nothing was left running', async () => {
    assert.deepEqual(await newLeftovers(engineBefore), []);
  });
});
