/**
 * Bad inputs: the local command exits 2 with a message naming the input, the action fails
 * before any work, and nothing is left on the engine.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { REPO_ROOT, runActionSteps } from '../support/action-runner.ts';
import { managedLeftovers } from '../support/docker.ts';
import { fixture, MACHINE_NODE, newLeftovers, runLocal, tempApp } from '../support/local-runner.ts';

let engineBefore: { containers: string[]; networks: string[] };
let empty: { dir: string; remove: () => Promise<void> };
/** A Dockerfile with a typo BuildKit's parser refuses, and an env file with a 10 MB value. */
let broken: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  engineBefore = managedLeftovers();
  empty = await tempApp({ 'main.py': 'print("no Dockerfile here")\n' });
  broken = await tempApp({
    Dockerfile: 'FROM deploy-check-test/busybox:latest\nRUN echo ok\nRUNN echo typo\nCMD ["true"]\n',
    'big.env': `REGION=eu\nBLOB=${'v'.repeat(10 * 1024 * 1024)}\n`,
    'a-file': 'not a directory\n',
  });
});
afterAll(async () => {
  await empty.remove();
  await broken.remove();
});

const healthy = (): string => fixture('healthy');

const cases: { name: string; args: () => string[]; input: string; message: RegExp; report?: false }[] = [
  { name: 'missing Dockerfile', args: () => ['--context', empty.dir], input: 'dockerfile', message: /no Dockerfile at .*\/Dockerfile/ },
  {
    name: 'Dockerfile input that does not exist',
    args: () => ['--context', healthy(), '--dockerfile', 'Dockerfile.prod'],
    input: 'dockerfile',
    message: /no Dockerfile at/,
  },
  {
    name: 'unknown target stage',
    args: () => ['--context', fixture('multistage'), '--target', 'production'],
    input: 'target',
    message: /no stage named "production".*stages: builder, runtime/,
  },
  { name: 'port that is not a number', args: () => ['--context', healthy(), '--port', 'http'], input: 'port', message: /"http" is not a TCP port/ },
  { name: 'port out of range', args: () => ['--context', healthy(), '--port', '70000'], input: 'port', message: /not a TCP port/ },
  { name: 'ambiguous port (two EXPOSE)', args: () => ['--context', fixture('multi-expose')], input: 'port', message: /exposes several ports \(8000, 9000\)/ },
  { name: 'negative timeout', args: () => ['--context', healthy(), '--health-timeout=-5'], input: 'health-timeout', message: /"-5" is not a duration/ },
  { name: 'zero timeout', args: () => ['--context', healthy(), '--health-timeout', '0'], input: 'health-timeout', message: /greater than zero/ },
  {
    name: 'non-numeric timeout',
    args: () => ['--context', healthy(), '--health-timeout', 'soon'],
    input: 'health-timeout',
    message: /"soon" is not a duration/,
  },
  {
    name: 'malformed build-args line',
    args: () => ['--context', healthy(), '--build-args', 'VERSION=1\nnot a pair'],
    input: 'build-args',
    message: /line 2 is not KEY=VALUE/,
  },
  { name: 'malformed env line', args: () => ['--context', healthy(), '--env', 'DATABASE_URL'], input: 'env', message: /line 1 is not KEY=VALUE/ },
  { name: 'malformed build-secrets line', args: () => ['--context', healthy(), '--build-secret', 'npm'], input: 'build-secrets', message: /is not id=VALUE/ },
  {
    name: 'invalid health-body regular expression',
    args: () => ['--context', healthy(), '--health-body', '"status": ("ok"'],
    input: 'health-body',
    message: /not a valid regular expression/,
  },
  {
    name: 'invalid wait-for log: regular expression',
    args: () => ['--context', healthy(), '--wait-for', 'log:[ready'],
    input: 'wait-for',
    message: /not a valid regular expression/,
  },
  { name: 'unknown wait strategy', args: () => ['--context', healthy(), '--wait-for', 'ping'], input: 'wait-for', message: /not a wait strategy/ },
  {
    name: 'health status that is not one',
    args: () => ['--context', healthy(), '--health-status', '2xx'],
    input: 'health-status',
    message: /not an HTTP status/,
  },
  {
    name: 'health status with a trailing comma',
    args: () => ['--context', healthy(), '--health-status', '200,'],
    input: 'health-status',
    message: /"200," has an empty entry/,
  },
  {
    name: 'absurd health timeout',
    args: () => ['--context', healthy(), '--health-timeout', '99999999999999'],
    input: 'health-timeout',
    message: /longer than 6 hours .*from 1ms to 360m/,
  },
  {
    name: 'add-hosts address that is not an IP',
    args: () => ['--context', healthy(), '--add-hosts', 'api:999.1.1.1'],
    input: 'add-hosts',
    message: /"999\.1\.1\.1" is not an IP address/,
  },
  {
    name: 'Dockerfile with an unknown instruction',
    args: () => ['--context', broken.dir],
    input: 'dockerfile',
    message: /\/Dockerfile:3: unknown instruction RUNN \(did you mean RUN\?\)/,
  },
  {
    name: 'env-file value of 10 MB',
    args: () => ['--context', healthy(), '--env-file', `${broken.dir}/big.env`],
    input: 'env-file',
    message: /line 2: BLOB is 10\.0 MiB; one KEY=VALUE of at most 128 KiB/,
  },
  {
    name: 'missing env-file after --',
    args: () => ['--', '--context', healthy(), '--env-file', 'bad/nope.env'],
    input: 'env-file',
    message: /cannot read \S+\/bad\/nope\.env: no such file/,
  },
  {
    name: 'network the engine does not have',
    args: () => ['--context', healthy(), '--network', 'deploy-check-test-no-such-network'],
    input: 'network',
    message: /no network "deploy-check-test-no-such-network"; its networks: .*\bbridge\b/,
  },
  {
    name: 'report path under a file',
    args: () => ['--context', healthy(), '--report', `${broken.dir}/a-file/out/report.json`],
    input: 'report',
    message: /a part of \S+\/a-file\/out is a file, not a directory/,
    report: false,
  },
  {
    name: 'report path under /proc',
    args: () => ['--context', healthy(), '--report', '/proc/deploy-check/report.json'],
    input: 'report',
    message: /under \/proc, a file system of the kernel's own/,
    report: false,
  },
];

describe('bad inputs, local command', { concurrent: true }, () => {
  for (const c of cases) {
    test(`${c.name}: exit 2, naming "${c.input}"`, async () => {
      const run = await runLocal(c.args(), { report: c.report ?? true });
      assert.equal(run.exitCode, 2, run.stdout + run.stderr);
      assert.equal(run.stderr.includes('vvvvvvvv'), false, 'no value is shown');
      assert.match(run.stderr, new RegExp(`^deploy-check: Input "${c.input}": `, 'm'));
      assert.match(run.stderr, c.message);
      assert.equal(run.report, null, 'no report for a configuration error');
      assert.doesNotMatch(run.stderr, /▸ Build/, 'no work started');
    });
  }

  // Node reads a --env-file anywhere on its own command line (nodejs/node#54232): the command's
  // #! line ends Node's options with "--", so the flag reaches deploy-check, on Node 20 and 24.
  for (const node of [MACHINE_NODE, process.execPath]) {
    test(`the command run through its #! line (${node === MACHINE_NODE ? "the machine's Node" : "the action's Node"}): --env-file is deploy-check's`, async () => {
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(path.join(REPO_ROOT, 'dist/cli.js'), ['--context', healthy(), '--env-file', 'bad/nope.env'], {
          cwd: REPO_ROOT,
          env: { ...process.env, PATH: `${path.dirname(node)}:${process.env['PATH'] ?? ''}` },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stderr }));
      });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /^deploy-check: Input "env-file": cannot read \S+\/bad\/nope\.env: no such file/m);
      assert.doesNotMatch(run.stderr, /not found/);
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
