import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { ConfigError, parseDuration, parsePort } from '../../src/inputs/inputs.ts';
import { formatStatusRanges, parseStatusRanges, statusMatches } from '../../src/inputs/units.ts';

function throwsConfigError(fn: () => unknown, input: string, pattern?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.equal(err.input, input);
    assert.match(err.message, new RegExp(`^Input "${input}": `));
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

describe('parseDuration', () => {
  const cases: [string, number][] = [
    ['30', 30_000],
    ['1', 1000],
    ['45s', 45_000],
    ['2m', 120_000],
    ['1.5m', 90_000],
    ['250ms', 250],
    ['0.5', 500],
    [' 10 s ', 10_000],
  ];
  for (const [raw, ms] of cases) {
    test(`"${raw}" is ${ms} ms`, () => assert.equal(parseDuration('health-timeout', raw), ms));
  }
  for (const raw of ['-5', 'abc', '', '5h', '1e3', '5 5', 's', '-1s']) {
    test(`"${raw}" is refused, naming the input`, () => throwsConfigError(() => parseDuration('health-timeout', raw), 'health-timeout', /not a duration/));
  }
  for (const raw of ['0', '0s', '0.0001']) {
    test(`"${raw}" is refused as not greater than zero`, () =>
      throwsConfigError(() => parseDuration('health-timeout', raw), 'health-timeout', /greater than zero/));
  }
  test('up to 6 hours is accepted', () => {
    assert.equal(parseDuration('health-timeout', '360m'), 21_600_000);
    assert.equal(parseDuration('health-timeout', '21600'), 21_600_000);
  });
  // Past about 24.8 days Node's timers fire at once: the wait would time out at its start.
  for (const raw of ['99999999999999', '21601', '361m', '2592000s']) {
    test(`"${raw}" is refused, saying the accepted range`, () =>
      throwsConfigError(() => parseDuration('health-timeout', raw), 'health-timeout', /longer than 6 hours.*from 1ms to 360m/));
  }
});

describe('parseStatusRanges', () => {
  test('one status, a range, a list', () => {
    assert.deepEqual(parseStatusRanges('health-status', '200'), [{ min: 200, max: 200 }]);
    assert.deepEqual(parseStatusRanges('health-status', '200-399'), [{ min: 200, max: 399 }]);
    assert.deepEqual(parseStatusRanges('health-status', '200, 204,300 - 302'), [
      { min: 200, max: 200 },
      { min: 204, max: 204 },
      { min: 300, max: 302 },
    ]);
  });
  for (const raw of ['', ',', '20', '2000', '399-200', '600', '099', 'ok', '200-', '200-abc']) {
    test(`"${raw}" is refused`, () => throwsConfigError(() => parseStatusRanges('health-status', raw), 'health-status'));
  }
  // A trailing or doubled comma is a list cut short, not the statuses before it.
  for (const raw of ['200,', '200,,204', ',200', '200, ']) {
    test(`"${raw}" is refused for its empty entry`, () => throwsConfigError(() => parseStatusRanges('health-status', raw), 'health-status', /empty entry/));
  }
  test('matching and formatting', () => {
    const ranges = parseStatusRanges('health-status', '200,204,300-399');
    assert.equal(statusMatches(ranges, 200), true);
    assert.equal(statusMatches(ranges, 204), true);
    assert.equal(statusMatches(ranges, 201), false);
    assert.equal(statusMatches(ranges, 399), true);
    assert.equal(statusMatches(ranges, 500), false);
    assert.equal(formatStatusRanges(ranges), '200,204,300-399');
  });
});

describe('parsePort', () => {
  test('numbers and n/tcp', () => {
    assert.equal(parsePort('port', '8000'), 8000);
    assert.equal(parsePort('port', ' 1 '), 1);
    assert.equal(parsePort('port', '65535'), 65535);
    assert.equal(parsePort('port', '8080/tcp'), 8080);
  });
  for (const raw of ['abc', '0', '65536', '-1', '80/udp', '8000.5', '', '80 81', 'http']) {
    test(`"${raw}" is refused`, () => throwsConfigError(() => parsePort('port', raw), 'port', /not a TCP port/));
  }
});
