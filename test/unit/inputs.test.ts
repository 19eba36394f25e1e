import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { ConfigError, parseBoolean, parseChoice } from '../../src/inputs/inputs.ts';

function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseBoolean', () => {
  test.each([
    ['true', false, true],
    ['FALSE', true, false],
    [' True ', false, true],
    ['', true, true],
    ['', false, false],
  ])('%j (default %s) is %s', (raw, fallback, expected) => {
    assert.equal(parseBoolean('deploy-wait', raw, fallback), expected);
  });

  test.each(['yes', '1', 'on', 'truthy'])('%j is refused, naming the input and what is accepted', (raw) => {
    const err = refusal(() => parseBoolean('deploy-wait', raw, true));
    assert.equal(err.input, 'deploy-wait');
    assert.equal(err.message, `Input "deploy-wait": "${raw}" is not a switch; use true or false`);
  });
});

describe('parseChoice', () => {
  const MODES = { warn: 'report findings, pass', fail: 'fail on error findings', off: 'no check' } as const;

  test('takes a listed word in any case, and the fallback when empty', () => {
    assert.equal(parseChoice('cache-mode', 'MIN', ['max', 'min']), 'min');
    assert.equal(parseChoice('cache-mode', '  max ', ['max', 'min']), 'max');
    assert.equal(parseChoice('cache-mode', '', ['max', 'min'], { fallback: 'max' }), 'max');
    assert.equal(parseChoice('hygiene', 'Fail', MODES), 'fail');
  });

  test('empty without a fallback is refused', () => {
    assert.equal(refusal(() => parseChoice('cache-mode', '', ['max', 'min'])).input, 'cache-mode');
  });

  test('a word not listed is refused with the choices', () => {
    assert.equal(
      refusal(() => parseChoice('cache-save', 'main', ['always', 'default-branch', 'never'])).message,
      'Input "cache-save": "main" is not accepted; use always, default-branch or never',
    );
  });

  test('explained choices are explained in the refusal, with the kind of value', () => {
    assert.equal(
      refusal(() => parseChoice('hygiene', 'strict', MODES, { what: 'hygiene mode' })).message,
      'Input "hygiene": "strict" is not a hygiene mode; use warn (report findings, pass), fail (fail on error findings) or off (no check)',
    );
  });
});
