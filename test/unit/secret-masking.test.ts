/**
 * Every secret value is masked whatever its length; the configuration knows which values are
 * secrets and which of them are short (by name only).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadConfig, type Config, type InputName } from '../../src/config/config.ts';
import { redact, redactDeep } from '../../src/host/log.ts';

describe('redact', () => {
  test('a 2-character and a 1-character secret are masked', () => {
    expect(redact('deploying with key Q7', ['Q7'])).toBe('deploying with key ***');
    expect(redact('pin 5 of 5', ['5'])).toBe('pin *** of ***');
  });

  test('longer secrets first: a short secret inside a long one does not leave the long one readable', () => {
    const long = 'tokQ7abcdef';
    expect(redact(`a=${long} b=Q7`, ['Q7', long])).toBe('a=*** b=***');
    expect(redact(`a=${long} b=Q7`, [long, 'Q7'])).toBe('a=*** b=***');
  });

  test('an empty value masks nothing', () => {
    expect(redact('text', [''])).toBe('text');
  });

  test('every string of a report, nested', () => {
    const report = { build: { failure: { logs: ['key Q7', 'done'], message: 'Q7' } }, n: 7 };
    expect(redactDeep(report, ['Q7'])).toEqual({ build: { failure: { logs: ['key ***', 'done'], message: '***' } }, n: 7 });
  });
});

describe('the configuration lists the secrets to mask', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'deploy-check-secrets-'));
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\nEXPOSE 8000\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const load = (inputs: Partial<Record<InputName, string>>): Promise<Config> => loadConfig((n) => inputs[n] ?? '', { cwd: dir, runId: 't' });

  test('short build secrets, secret-named env values and build args are masked; plain short env values are not', async () => {
    const config = await load({
      'build-secrets': 'MYSECRET=Q7\nLONG_ONE=a-long-random-value-42',
      env: 'API_KEY=k9\nMODE=ci\nDATABASE_URL=postgres://db/app',
      'build-args': 'NPM_TOKEN=x1\nVERSION=2',
    });
    expect(config.secrets).toEqual(expect.arrayContaining(['Q7', 'a-long-random-value-42', 'k9', 'x1', 'postgres://db/app']));
    expect(config.secrets).not.toContain('ci');
    expect(config.secrets).not.toContain('2');
  });

  test('the short ones are named, never shown', async () => {
    const config = await load({ 'build-secrets': 'MYSECRET=Q7\nLONG_ONE=a-long-random-value-42', env: 'API_KEY=k9\nMODE=ci' });
    expect(config.shortSecrets).toEqual(['build secret "MYSECRET"', 'env "API_KEY"']);
    expect(JSON.stringify(config.shortSecrets)).not.toMatch(/Q7|k9/);
  });

  test('no secrets, no warning', async () => {
    expect((await load({ env: 'MODE=ci' })).shortSecrets).toEqual([]);
  });
});
