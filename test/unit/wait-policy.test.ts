import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { definesHealthcheck, parseDockerTime, strategyForImage } from '../../src/container/run.ts';

/**
 * The second half of `wait-for: auto` (the first, from the Dockerfile, is in config.test.ts):
 * once the image is built, a HEALTHCHECK inherited from its base image replaces a bare TCP wait.
 */
describe('strategyForImage', () => {
  const cases: { strategy: 'http' | 'healthcheck' | 'tcp' | 'log'; automatic: boolean; imageHasHealthcheck: boolean; expected: string }[] = [
    { strategy: 'tcp', automatic: true, imageHasHealthcheck: true, expected: 'healthcheck' },
    { strategy: 'tcp', automatic: true, imageHasHealthcheck: false, expected: 'tcp' },
    { strategy: 'tcp', automatic: false, imageHasHealthcheck: true, expected: 'tcp' },
    { strategy: 'http', automatic: true, imageHasHealthcheck: true, expected: 'http' },
    { strategy: 'healthcheck', automatic: true, imageHasHealthcheck: true, expected: 'healthcheck' },
    { strategy: 'healthcheck', automatic: false, imageHasHealthcheck: false, expected: 'healthcheck' },
    { strategy: 'log', automatic: false, imageHasHealthcheck: true, expected: 'log' },
  ];
  for (const c of cases) {
    test(`${c.automatic ? 'auto' : 'explicit'} ${c.strategy}, image ${c.imageHasHealthcheck ? 'with' : 'without'} HEALTHCHECK → ${c.expected}`, () => {
      assert.equal(strategyForImage({ strategy: c.strategy, automatic: c.automatic }, c.imageHasHealthcheck), c.expected);
    });
  }
});

describe('definesHealthcheck (image config)', () => {
  test('CMD and CMD-SHELL tests count; NONE, empty and absent do not', () => {
    assert.equal(definesHealthcheck({ Test: ['CMD', 'wget', '-q', 'http://127.0.0.1/'] }), true);
    assert.equal(definesHealthcheck({ Test: ['CMD-SHELL', 'curl -f localhost || exit 1'] }), true);
    assert.equal(definesHealthcheck({ Test: ['NONE'] }), false);
    assert.equal(definesHealthcheck({ Test: [] }), false);
    assert.equal(definesHealthcheck({}), false);
    assert.equal(definesHealthcheck(undefined), false);
  });
});

describe('parseDockerTime', () => {
  test('nanosecond timestamps to milliseconds; the zero time is unknown', () => {
    assert.equal(parseDockerTime('2026-11-22T04:30:08.805926505Z'), Date.parse('2026-11-22T04:30:08.805Z'));
    assert.equal(parseDockerTime('2026-11-22T04:30:08Z'), Date.parse('2026-11-22T04:30:08Z'));
    assert.equal(parseDockerTime('0001-01-01T00:00:00Z'), undefined);
    assert.equal(parseDockerTime(''), undefined);
    assert.equal(parseDockerTime('not a time'), undefined);
  });
});
