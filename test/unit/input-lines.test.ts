/**
 * `build-args`, `env` and `build-secrets` take one KEY=VALUE a line. "A=1\nB=2" typed in a shell
 * between plain quotes keeps the backslash and the n: one line, A set to "1\nB=2", B unset. Such
 * a value is refused, naming the input, without printing the value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import type { InputName } from '../../src/config/inputs.ts';
import { ConfigError } from '../../src/config/inputs.ts';
import { joinedEntry, parseHostLines, parseKeyValueLines } from '../../src/config/lines.ts';

const LITERAL = 'A=1\\nB=2';

describe('joinedEntry', () => {
  test('finds the name after a literal backslash-n', () => {
    expect(LITERAL).toHaveLength(8);
    expect(joinedEntry('1\\nB=2')).toBe('B');
    expect(joinedEntry('1\\n  NEXT_VAR=x')).toBe('NEXT_VAR');
  });
  test('a backslash-n not followed by NAME= is a value like any other', () => {
    expect(joinedEntry('line one\\nline two')).toBeUndefined();
    expect(joinedEntry('C:\\new\\dir')).toBeUndefined();
    expect(joinedEntry('-----BEGIN KEY-----\\nMIIB')).toBeUndefined();
    expect(joinedEntry('x\\n=1')).toBeUndefined();
  });
});

describe('parseKeyValueLines', () => {
  test('real line breaks give one entry a line', () => {
    expect(parseKeyValueLines('build-args', 'A=1\nB=2\n\n# note\nC=x=y')).toEqual([
      { key: 'A', value: '1' }, { key: 'B', value: '2' }, { key: 'C', value: 'x=y' },
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
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect((error as ConfigError).input).toBe(input);
      expect(message.startsWith(`Input "${input}": line 2 holds a literal "\\n" followed by B=, so A would get the rest of the line and B would not be set.`)).toBe(true);
      expect(message).toContain(`$'A=…\\nB=…'`);
      expect(message).toContain(`--${input} A=… --${input} B=…`);
      expect(message).not.toContain('s3cr3t');
    });
  }

  test('a value over 128 KiB is refused, naming the variable and its size, never the value', () => {
    const big = `BLOB=${'x'.repeat(10 * 1024 * 1024)}`;
    expect(() => parseKeyValueLines('env', `A=1\n${big}`)).toThrow(/^Input "env": line 2: BLOB is 10\.0 MiB; one KEY=VALUE of at most 128 KiB is accepted/);
    expect(() => parseKeyValueLines('env', big)).not.toThrow(/xxxx/);
    // Just under Linux's limit ("KEY=VALUE" and its NUL) still passes.
    expect(parseKeyValueLines('build-args', `K=${'y'.repeat(128 * 1024 - 3)}`)).toHaveLength(1);
    expect(() => parseKeyValueLines('build-args', `K=${'y'.repeat(128 * 1024 - 2)}`)).toThrow(/^Input "build-args": line 1: K is 128\.0 KiB/);
  });

  test('an env file keeps it, as docker does', () => {
    expect(parseKeyValueLines('env-file', LITERAL, 'KEY=VALUE', { literalNewlines: 'keep' })).toEqual([{ key: 'A', value: '1\\nB=2' }]);
  });
});

describe('parseHostLines', () => {
  test('lines and commas', () => {
    expect(parseHostLines('add-hosts', 'alpha.internal:10.0.0.1\nbeta.internal=host-gateway, gamma:10.0.0.3')).toEqual([
      'alpha.internal:10.0.0.1', 'beta.internal:host-gateway', 'gamma:10.0.0.3',
    ]);
  });
  test('a literal backslash-n is refused', () => {
    expect(() => parseHostLines('add-hosts', 'alpha.internal:10.0.0.1\\nbeta.internal:10.0.0.2')).toThrow(/^Input "add-hosts": .* holds a literal "\\n"/);
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
      await expect(load({ [input]: value })).rejects.toSatisfy((err: unknown) => err instanceof ConfigError && err.input === input);
    });
  }

  test('an env-file with a backslash-n is read as docker reads it', async () => {
    writeFileSync(path.join(dir, 'app.env'), `${LITERAL}\n`);
    const config = (await load({ 'env-file': 'app.env' })) as { env: unknown };
    expect(config.env).toEqual([{ key: 'A', value: '1\\nB=2' }]);
  });
});
