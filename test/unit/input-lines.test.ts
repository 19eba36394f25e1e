/**
 * `build-args`, `env` and `build-secrets` take one KEY=VALUE a line. "A=1\nB=2" typed in a shell
 * between plain quotes keeps the backslash and the n: one line, A set to "1\nB=2", B unset. Such
 * a value is refused, naming the input, without printing the value.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, test } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import type { InputName } from '../../src/inputs/inputs.ts';
import { ConfigError } from '../../src/inputs/inputs.ts';
import { joinedEntry, parseHostLines, parseKeyValueLines } from '../../src/inputs/lines.ts';

const LITERAL = 'A=1\\nB=2';

describe('joinedEntry', () => {
  test('finds the name after a literal backslash-n', () => {
    assert.equal(LITERAL.length, 8);
    assert.equal(joinedEntry('1\\nB=2'), 'B');
    assert.equal(joinedEntry('1\\n  NEXT_VAR=x'), 'NEXT_VAR');
  });
  test('a backslash-n not followed by NAME= is a value like any other', () => {
    assert.equal(joinedEntry('line one\\nline two'), undefined);
    assert.equal(joinedEntry('C:\\new\\dir'), undefined);
    assert.equal(joinedEntry('-----BEGIN KEY-----\\nMIIB'), undefined);
    assert.equal(joinedEntry('x\\n=1'), undefined);
  });
});

describe('parseKeyValueLines', () => {
  test('real line breaks give one entry a line', () => {
    assert.deepEqual(parseKeyValueLines('build-args', 'A=1\nB=2\n\n# note\nC=x=y'), [
      { key: 'A', value: '1' },
      { key: 'B', value: '2' },
      { key: 'C', value: 'x=y' },
    ]);
  });

  for (const input of ['build-args', 'env', 'build-secrets']) {
    test(`${input}: a literal backslash-n before NAME= is refused, naming the input and the names, never the value`, () => {
      const secretish = 'A=s3cr3t-value\\nB=other-s3cr3t';
      let error: unknown;
      try {
        parseKeyValueLines(input, `OK=1\n${secretish}`);
      } catch (err) {
        error = err;
      }
      assert.ok(error instanceof ConfigError);
      const message = error.message;
      assert.equal(error.input, input);
      assert.equal(
        message.startsWith(`Input "${input}": line 2 holds a literal "\\n" followed by B=, so A would get the rest of the line and B would not be set.`),
        true,
      );
      assert.ok(message.includes(`$'A=…\\nB=…'`), message);
      assert.ok(message.includes(`--${input} A=… --${input} B=…`), message);
      assert.ok(!message.includes('s3cr3t'), message);
    });
  }

  test('a value over 128 KiB is refused, naming the variable and its size, never the value', () => {
    const big = `BLOB=${'x'.repeat(10 * 1024 * 1024)}`;
    assert.throws(() => parseKeyValueLines('env', `A=1\n${big}`), {
      message: /^Input "env": line 2: BLOB is 10\.0 MiB; one KEY=VALUE of at most 128 KiB is accepted/,
    });
    try {
      parseKeyValueLines('env', big);
    } catch (err) {
      assert.doesNotMatch((err as Error).message, /xxxx/);
    }
    // Just under Linux's limit ("KEY=VALUE" and its NUL) still passes.
    assert.equal(parseKeyValueLines('build-args', `K=${'y'.repeat(128 * 1024 - 3)}`).length, 1);
    assert.throws(() => parseKeyValueLines('build-args', `K=${'y'.repeat(128 * 1024 - 2)}`), { message: /^Input "build-args": line 1: K is 128\.0 KiB/ });
  });

  test('an env file keeps it, as docker does', () => {
    assert.deepEqual(parseKeyValueLines('env-file', LITERAL, 'KEY=VALUE', { literalNewlines: 'keep' }), [{ key: 'A', value: '1\\nB=2' }]);
  });
});

describe('parseHostLines', () => {
  test('lines and commas', () => {
    assert.deepEqual(parseHostLines('add-hosts', 'alpha.internal:10.0.0.1\nbeta.internal=host-gateway, gamma:10.0.0.3'), [
      'alpha.internal:10.0.0.1',
      'beta.internal:host-gateway',
      'gamma:10.0.0.3',
    ]);
  });
  test('a literal backslash-n is refused', () => {
    assert.throws(() => parseHostLines('add-hosts', 'alpha.internal:10.0.0.1\\nbeta.internal:10.0.0.2'), {
      message: /^Input "add-hosts": .* holds a literal "\\n"/,
    });
  });
});

describe('loadConfig refuses it for each input (the action and the local command share it)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'deploy-check-lines-'));
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\nEXPOSE 8000\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const load = (inputs: Partial<Record<InputName, string>>): Promise<unknown> => loadConfig((n) => inputs[n] ?? '', { cwd: dir, runId: 't' });

  for (const input of ['build-args', 'env', 'build-secrets', 'add-hosts'] as const) {
    test(input, async () => {
      const value = input === 'add-hosts' ? 'a:10.0.0.1\\nb:10.0.0.2' : LITERAL;
      await assert.rejects(load({ [input]: value }), (err: unknown) => err instanceof ConfigError && err.input === input);
    });
  }

  test('an env-file with a backslash-n is read as docker reads it', async () => {
    writeFileSync(path.join(dir, 'app.env'), `${LITERAL}\n`);
    const config = (await load({ 'env-file': 'app.env' })) as { env: unknown };
    assert.deepEqual(config.env, [{ key: 'A', value: '1\\nB=2' }]);
  });
});
