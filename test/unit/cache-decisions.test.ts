import assert from 'node:assert/strict';
import { test } from 'vitest';
import { decideBuilder, hasContainerdSnapshotter, type BuilderFacts } from '../../src/build/builder.ts';
import { decideSave, MAX_ENTRY_BYTES, type SaveFacts } from '../../src/cache/save-decision.ts';
import { mergeStepTimes, timeSaved } from '../../src/cache/step-times.ts';
import type { BuildStep } from '../../src/model/report.ts';

const after: SaveFacts = {
  policy: 'always',
  exactHit: false,
  onDefaultBranch: true,
  ref: 'refs/heads/main',
  readOnly: false,
  storeFailed: false,
  build: 'succeeded',
  exportedBytes: 1000,
};

test('save decision: policy, exact hit, branch, build result and export', () => {
  const cases: [string, Partial<SaveFacts>, boolean, RegExp][] = [
    ['always, on main', {}, true, /cache-save is always/],
    ['always, on a pull request', { onDefaultBranch: false, ref: 'refs/pull/7/merge' }, true, /always/],
    ['never', { policy: 'never' }, false, /cache-save is never/],
    ['default-branch on the default branch', { policy: 'default-branch' }, true, /default branch/],
    [
      'default-branch on a pull request',
      { policy: 'default-branch', onDefaultBranch: false, ref: 'refs/pull/7/merge' },
      false,
      /this run is on refs\/pull\/7\/merge/,
    ],
    ['default-branch, branch unknown', { policy: 'default-branch', onDefaultBranch: null }, false, /cannot tell/],
    ['exact hit', { exactHit: true }, false, /already has this run's key/],
    ['exact hit wins over the export', { exactHit: true, exportedBytes: null }, false, /already has this run's key/],
    ['read-only token', { readOnly: true }, false, /may only read/],
    ['store failed during restore', { storeFailed: true }, false, /store failed/],
    ['build failed', { build: 'failed' }, false, /build failed/],
    ['empty export', { exportedBytes: 0 }, false, /no usable cache/],
    ['missing export', { exportedBytes: null }, false, /no usable cache/],
    ['too large', { exportedBytes: MAX_ENTRY_BYTES + 1 }, false, /cache-mode: min/],
    ['before the build: export planned', { build: 'pending', exportedBytes: null }, true, /if the build succeeds/],
    ['before the build: exact hit skips the export', { build: 'pending', exactHit: true }, false, /already has/],
    ['before the build: never skips the export', { build: 'pending', policy: 'never' }, false, /never/],
  ];
  for (const [name, change, save, reason] of cases) {
    const got = decideSave({ ...after, ...change });
    assert.equal(got.save, save, name);
    assert.match(got.reason, reason, name);
  }
});

const facts = (driver: string, containerdStore: boolean | null): BuilderFacts => ({ name: 'default', driver, containerdStore });

test('builder decision: who can export a cache, and what happens when it cannot', () => {
  assert.equal(decideBuilder(facts('docker', true), undefined).kind, 'use');
  assert.equal(decideBuilder(facts('docker-container', null), undefined).kind, 'use');
  assert.equal(decideBuilder(facts('remote', null), 'fleet').kind, 'use');
  assert.equal(decideBuilder(facts('kubernetes', null), 'k8s').kind, 'use');
  assert.equal(decideBuilder(facts('cloud', null), 'cloud-acme').kind, 'use');
  // Unknown image store: buildx finds out; a refused export is caught after the build.
  assert.equal(decideBuilder(facts('docker', null), undefined).kind, 'use');
  const create = decideBuilder(facts('docker', false), undefined);
  assert.equal(create.kind, 'create');
  assert.match(create.reason, /without the containerd image store.*creating a docker-container builder/);
  // A builder the user named is never replaced.
  const named = decideBuilder({ name: 'mine', driver: 'docker', containerdStore: false }, 'mine');
  assert.equal(named.kind, 'without-cache');
  assert.match(named.reason, /"builder" input/);
});

test('the containerd image store shows in docker info DriverStatus', () => {
  assert.equal(hasContainerdSnapshotter([['driver-type', 'io.containerd.snapshotter.v1']]), true);
  assert.equal(
    hasContainerdSnapshotter([
      ['Backing Filesystem', 'extfs'],
      ['Supports d_type', 'true'],
    ]),
    false,
  );
  assert.equal(hasContainerdSnapshotter(null), false);
});

const step = (name: string, cached: boolean, durationMs: number | null): BuildStep => ({ name, cached, durationMs, error: null });

test('time saved: cached steps count what they cost when they were built', () => {
  const cold = [step('[deps 2/3] RUN apt-get install', false, 30_000), step('[deps 3/3] RUN make', false, 12_000), step('[app 2/2] COPY src', false, 100)];
  const recorded = mergeStepTimes({}, cold);
  const warm = [step('[deps 2/3] RUN apt-get install', true, null), step('[deps 3/3] RUN make', true, null), step('[app 2/2] COPY src', false, 90)];
  assert.equal(timeSaved(recorded, warm), 42_000);
  // The next record keeps the times of steps that were cached this time.
  assert.deepEqual(mergeStepTimes(recorded, warm), { '[deps 2/3] RUN apt-get install': 30_000, '[deps 3/3] RUN make': 12_000, '[app 2/2] COPY src': 90 });
  assert.equal(timeSaved({}, warm), null);
});
