/** A finding's severity is what it is in the run's mode, and wasted space from per-layer facts. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { effectiveSeverity } from '../../src/hygiene/check.ts';
import { emptyFacts } from '../../src/hygiene/layer.ts';
import { hider, hides, wastedByLayer } from '../../src/hygiene/scan.ts';

const own = { index: 1, digest: null, instruction: 'COPY . .', line: 3, fromBase: false };
const base = { ...own, index: 0, instruction: 'FROM x', line: 1, fromBase: true };

test('secrets fail unless warn; other errors only in fail mode; the base image never fails; warnings stay warnings', () => {
  assert.equal(effectiveSeverity({ id: 'secret-value', layer: own }, 'secrets'), 'error');
  assert.equal(effectiveSeverity({ id: 'secret-value', layer: own }, 'warn'), 'warning');
  assert.equal(effectiveSeverity({ id: 'secret-env' }, 'fail'), 'error');
  assert.equal(effectiveSeverity({ id: 'root-user' }, 'secrets'), 'warning');
  assert.equal(effectiveSeverity({ id: 'root-user' }, 'fail'), 'error');
  assert.equal(effectiveSeverity({ id: 'secret-value', layer: base }, 'fail'), 'warning');
  assert.equal(effectiveSeverity({ id: 'package-cache', layer: own }, 'fail'), 'warning');
  assert.equal(effectiveSeverity({ id: 'setuid-file', layer: base, severity: 'info' }, 'fail'), 'info');
});

test('wasted space: bytes a later layer deletes (also under a deleted directory) or overwrites', () => {
  const first = emptyFacts();
  Object.assign(first.sizes, { '/a/big.bin': 5000, '/a/keep.txt': 10, '/b/x': 7, '/b/y/z': 3, '/c': 2 });
  const second = emptyFacts();
  second.deletes.push({ kind: 'path', target: '/a/big.bin' }, { kind: 'path', target: '/b' });
  const third = emptyFacts();
  third.sizes['/c'] = 4;
  assert.deepEqual(wastedByLayer([first, second, third]), [
    { bytes: 5000 + 7 + 3 + 2, files: 4 },
    { bytes: 0, files: 0 },
    { bytes: 0, files: 0 },
  ]);
  const opaque = emptyFacts();
  opaque.deletes.push({ kind: 'opaque', target: '/a' });
  assert.deepEqual(wastedByLayer([first, opaque])[0], { bytes: 5010, files: 2 });
});

test('the whiteout lookup used for wasted space answers as hides() does, root and opaque directories included', () => {
  const paths = ['/', '/a', '/a/', '/a/b', '/a/b/c', '/ab', '/ab/c', '/a//b', 'rel/x', '/x/a/b', ''];
  const sets: { kind: 'path' | 'opaque'; target: string }[][] = [
    [],
    [{ kind: 'path', target: '/a' }],
    [{ kind: 'opaque', target: '/a' }],
    [
      { kind: 'path', target: '/a/b' },
      { kind: 'opaque', target: '/x' },
    ],
    [{ kind: 'path', target: '/' }],
    [{ kind: 'opaque', target: '/' }],
    [{ kind: 'path', target: '/a/' }],
    [{ kind: 'path', target: 'rel' }],
    [{ kind: 'path', target: '' }],
  ];
  for (const deletes of sets) {
    const layer = emptyFacts();
    layer.deletes.push(...deletes);
    const fast = hider(layer);
    for (const path of paths) assert.equal(fast(path), hides(layer, path), `${JSON.stringify(deletes)} hides ${JSON.stringify(path)}`);
  }
});
