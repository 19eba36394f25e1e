import assert from 'node:assert/strict';
import { test } from 'vitest';
import type { SizeLayer } from '../../src/model/report.ts';
import { evaluateBudgets } from '../../src/size/budget.ts';
import { compareSizes, longestCommonSubsequence } from '../../src/size/compare.ts';
import type { SizeFigures } from '../../src/size/measure.ts';
import { parseSizeAmount } from '../../src/inputs/inputs.ts';
import { decideVerdict } from '../../src/report/verdict.ts';
import type { CheckReport } from '../../src/model/report.ts';
import { SKIPPED_SIZE } from '../../src/model/skipped.ts';

const MiB = 2 ** 20;

function layer(instruction: string, line: number | null, bytes: number, compressed: number | null, base = false, diffId: string | null = null): SizeLayer {
  const keyword = instruction.split(' ')[0] ?? null;
  return {
    instruction,
    line,
    bytes,
    compressedBytes: compressed,
    base,
    createdBy: base ? '' : `${instruction} # buildkit`,
    keyword,
    stage: null,
    diffId,
    digest: null,
  };
}

function figures(layers: SizeLayer[], overrides: Partial<SizeFigures> = {}): SizeFigures {
  return {
    bytes: layers.reduce((s, l) => s + l.bytes, 0),
    compressedBytes: layers.reduce((s, l) => s + (l.compressedBytes ?? 0), 0),
    uncompressedSource: 'engine-layer-diff',
    compressedSource: 'image-manifest',
    baseImage: null,
    layers,
    ...overrides,
  };
}

const BASE = layer('FROM busybox:latest', 1, 2_000_000, 1_000_000, true, 'sha256:base1');
const RUN = layer('RUN echo hi > /hello', 2, 3, 100, false, 'sha256:run');
const COPY = layer('COPY blob.bin /data/blob.bin', 3, 5 * MiB, 5 * MiB + 1800, false, 'sha256:copy');

test('an added layer: the whole delta, attributed to its line', () => {
  const d = compareSizes(figures([BASE, RUN, COPY]), figures([BASE, RUN]), 'compressed');
  assert.equal(d.bytes, 5 * MiB);
  assert.equal(d.compressedBytes, 5 * MiB + 1800);
  assert.equal(d.baseImageChanged, false);
  assert.deepEqual(
    d.layers.map((c) => [c.change, c.line, c.compressedBytes]),
    [['added', 3, 5 * MiB + 1800]],
  );
  assert.ok(d.compressedPercent !== null && d.compressedPercent > 400);
});

test('a removed layer: the opposite delta', () => {
  const d = compareSizes(figures([BASE, RUN]), figures([BASE, RUN, COPY]), 'compressed');
  assert.equal(d.bytes, -5 * MiB);
  assert.deepEqual(
    d.layers.map((c) => [c.change, c.line, c.bytes]),
    [['removed', null, -5 * MiB]],
  );
});

test('a grown layer keeps its line; a changed line is paired with its predecessor by keyword', () => {
  const grown = layer('COPY blob.bin /data/blob.bin', 3, 6 * MiB, 6 * MiB, false);
  const d1 = compareSizes(figures([BASE, RUN, grown]), figures([BASE, RUN, COPY]), 'compressed');
  assert.deepEqual(
    d1.layers.map((c) => [c.change, c.line, c.bytes, c.previousInstruction]),
    [['grown', 3, MiB, null]],
  );

  const edited = layer('RUN echo hello there > /hello', 2, 12, 90, false);
  const d2 = compareSizes(figures([BASE, edited, COPY]), figures([BASE, RUN, COPY]), 'compressed');
  assert.deepEqual(
    d2.layers.map((c) => [c.change, c.line, c.compressedBytes, c.previousInstruction]),
    [['shrunk', 2, -10, 'RUN echo hi > /hello']],
  );
});

test('build-argument values in RUN history do not break the match', () => {
  const before = { ...RUN, createdBy: 'RUN |1 GIT_SHA=aaa /bin/sh -c echo hi > /hello # buildkit' };
  const after = { ...RUN, createdBy: 'RUN |1 GIT_SHA=bbb /bin/sh -c echo hi > /hello # buildkit', bytes: 4, compressedBytes: 101 };
  const d = compareSizes(figures([BASE, after]), figures([BASE, before]), 'compressed');
  assert.deepEqual(
    d.layers.map((c) => [c.change, c.previousInstruction]),
    [['grown', null]],
  );
});

test("only the base image changed: reported as a base change, not as the Dockerfile's", () => {
  const newBase = layer('FROM busybox:latest', 1, 2_500_000, 1_200_000, true, 'sha256:base2');
  const d = compareSizes(figures([newBase, RUN, COPY]), figures([BASE, RUN, COPY]), 'compressed');
  assert.equal(d.baseImageChanged, true);
  assert.deepEqual(
    d.layers.map((c) => [c.change, c.base, c.line, c.compressedBytes]),
    [['base-image', true, 1, 200_000]],
  );
  // Same base content: no change, even when the reference text differs.
  const same = compareSizes(figures([BASE, RUN]), figures([BASE, RUN]), 'compressed');
  assert.equal(same.baseImageChanged, false);
  assert.deepEqual(same.layers, []);
});

test('figures measured differently are not compared', () => {
  const registry = figures([BASE, RUN], { uncompressedSource: 'gzip-isize', compressedSource: 'registry-manifest' });
  const d = compareSizes(figures([BASE, RUN, COPY]), registry, 'compressed');
  assert.equal(d.bytes, null);
  assert.equal(d.percent, null);
  assert.equal(d.compressedBytes, 5 * MiB + 1800);
  assert.match(d.notes.join(' '), /uncompressed sizes not compared/);
  assert.deepEqual(
    d.layers.map((c) => [c.change, c.bytes, c.compressedBytes]),
    [['added', null, 5 * MiB + 1800]],
  );

  const approx = figures([BASE, RUN], { compressedSource: 'engine-content-size' });
  assert.equal(compareSizes(figures([BASE, RUN, COPY]), approx, 'compressed').compressedBytes, null);
});

test('longest common subsequence keeps order', () => {
  const pairs = longestCommonSubsequence(['a', 'b', 'c', 'd'], ['a', 'c', 'b', 'd']);
  assert.equal(pairs.length, 3);
  assert.ok(pairs.every(([i, j], k) => k === 0 || (i > (pairs[k - 1]?.[0] ?? -1) && j > (pairs[k - 1]?.[1] ?? -1))));
  assert.deepEqual(longestCommonSubsequence([], ['a']), []);
});

const budgetInput = (current: SizeFigures, baseline: SizeFigures | null) => {
  const delta = baseline ? compareSizes(current, baseline, 'compressed') : null;
  return {
    current,
    baselineFigure: baseline?.compressedBytes ?? null,
    delta,
    baselineSource: baseline ? 'main (commit abc1234)' : null,
    baselineNote: baseline ? null : 'no baseline yet',
  };
};

test('max-increase: exceeded names the budget, the figures and the line most responsible', () => {
  const current = figures([BASE, RUN, COPY]);
  const previous = figures([BASE, RUN]);
  const b = evaluateBudgets(
    { metric: 'compressed', maxSize: undefined, maxIncrease: parseSizeAmount('max-increase', '1MB', { percent: true }) },
    budgetInput(current, previous),
  );
  assert.equal(b.status, 'exceeded');
  const check = b.checks[0];
  assert.equal(check?.status, 'exceeded');
  assert.deepEqual(check.layer, { instruction: 'COPY blob.bin /data/blob.bin', line: 3 });
  assert.match(
    check.message,
    /^Image size budget max-increase 1MB exceeded: the compressed image grew by 5\.2 MB \(\+\d+\.\d%, 1\.0 MB → 6\.2 MB\) against the baseline from main \(commit abc1234\); most of the growth is the new line 3: COPY blob\.bin \/data\/blob\.bin \(\+5\.2 MB\)\.$/,
  );

  const pct = evaluateBudgets(
    { metric: 'compressed', maxSize: undefined, maxIncrease: parseSizeAmount('max-increase', '1000%', { percent: true }) },
    budgetInput(current, previous),
  );
  assert.equal(pct.status, 'pass');
  assert.equal(pct.checks[0]?.actual !== null && (pct.checks[0]?.actual ?? 0) > 400, true);
});

test('max-increase blames the base image when the base grew most', () => {
  const newBase = layer('FROM busybox:latest', 1, 9_000_000, 9_000_000, true, 'sha256:base2');
  const b = evaluateBudgets(
    { metric: 'compressed', maxSize: undefined, maxIncrease: parseSizeAmount('max-increase', '10%', { percent: true }) },
    budgetInput(figures([newBase, RUN]), figures([BASE, RUN])),
  );
  assert.match(b.checks[0]?.message ?? '', /most of the growth is the base image change at line 1: FROM busybox:latest/);
});

test('max-size: exceeded names the largest layer; met passes; uncompressed metric uses the other figure', () => {
  const current = figures([BASE, RUN, COPY]);
  const over = evaluateBudgets(
    { metric: 'compressed', maxSize: { kind: 'bytes', bytes: 5_000_000, raw: '5MB' }, maxIncrease: undefined },
    budgetInput(current, null),
  );
  assert.equal(over.status, 'exceeded');
  assert.match(
    over.checks[0]?.message ?? '',
    /^Image size budget max-size 5MB exceeded: the compressed image is 6\.2 MB, 1\.2 MB over; its largest layer is line 3: COPY blob\.bin \/data\/blob\.bin \(5\.2 MB\)\.$/,
  );
  const met = evaluateBudgets(
    { metric: 'compressed', maxSize: { kind: 'bytes', bytes: 10_000_000, raw: '10MB' }, maxIncrease: undefined },
    budgetInput(current, null),
  );
  assert.equal(met.status, 'pass');
  const unc = evaluateBudgets(
    { metric: 'uncompressed', maxSize: { kind: 'bytes', bytes: 7_200_000, raw: '7.2MB' }, maxIncrease: undefined },
    budgetInput(current, null),
  );
  assert.equal(unc.checks[0]?.actual, current.bytes);
  assert.equal(unc.status, 'exceeded');
});

test('budgets that cannot be checked are unchecked, never failed', () => {
  const current = figures([BASE, RUN], { compressedBytes: null, compressedSource: 'unavailable' });
  const b = evaluateBudgets(
    { metric: 'compressed', maxSize: { kind: 'bytes', bytes: 1, raw: '1B' }, maxIncrease: parseSizeAmount('max-increase', '1%', { percent: true }) },
    budgetInput(current, null),
  );
  assert.equal(b.status, 'unchecked');
  assert.deepEqual(
    b.checks.map((c) => c.status),
    ['unchecked', 'unchecked'],
  );
  assert.match(b.checks[1]?.message ?? '', /max-increase 1% not checked: no baseline yet/);
  assert.equal(evaluateBudgets({ metric: 'compressed', maxSize: undefined, maxIncrease: undefined }, budgetInput(current, null)).status, 'none');
});

test('the verdict fails on an exceeded budget with its sentence, and not on an unchecked one', () => {
  const report = {
    verdict: 'pass',
    reasons: [],
    build: { status: 'success', failure: null, cache: { enabled: false } },
    health: { status: 'healthy', reason: null },
    hygiene: { status: 'skipped', findings: [] },
    deploy: null,
    size: {
      ...SKIPPED_SIZE,
      budget: {
        metric: 'compressed',
        status: 'exceeded',
        checks: [{ name: 'max-size', limit: '5MB', status: 'exceeded', actual: 6, layer: null, message: 'Image size budget max-size 5MB exceeded: ...' }],
      },
    },
  } as unknown as CheckReport;
  decideVerdict(report);
  assert.equal(report.verdict, 'fail');
  assert.deepEqual(report.reasons, ['Image size budget max-size 5MB exceeded: ...']);
  const [first] = report.size.budget.checks;
  assert.ok(first);
  report.size.budget.checks[0] = { ...first, status: 'unchecked' };
  decideVerdict(report);
  assert.equal(report.verdict, 'pass');
});
