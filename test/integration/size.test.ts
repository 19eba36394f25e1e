/**
 * Image size end to end through the local command, on both image stores: a file of 5 MiB of
 * random bytes added, removed, a base image swapped, budgets crossed and met, bad budgets.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { CLASSIC_ENGINE, engineAvailable, MAIN_ENGINE, unavailable } from '../support/docker.ts';
import {
  BLOB_BYTES,
  BLOB_LINE,
  buildOtherBase,
  describeRun,
  imageRef,
  makeSizeFixture,
  MiB,
  removeImages,
  runCli,
  type CliRun,
  type SizeFixture,
  type SizeRunReport,
} from '../support/size-fixtures.ts';

const ENGINES = [
  { name: 'containerd image store', host: MAIN_ENGINE, store: 'containerd', uncompressedSource: 'engine-snapshot-usage' },
  { name: 'classic image store', host: CLASSIC_ENGINE, store: 'classic', uncompressedSource: 'engine-layer-diff' },
] as const;

function reportOf(run: CliRun): SizeRunReport {
  assert.ok(run.report, `no report\n${describeRun(run)}`);
  return run.report;
}

function assertWithin(value: number | null | undefined, min: number, max: number, what: string): void {
  assert.ok(typeof value === 'number' && value >= min && value <= max, `${what}: ${value} is not within [${min}, ${max}]`);
}

for (const engine of ENGINES) {
  describe.skipIf(unavailable(!engineAvailable(engine.host) && `no engine at ${engine.host}`))(`image size on the ${engine.name}`, () => {
    let root: string;
    let fixture: SizeFixture;
    let plain: CliRun;
    let blob: CliRun;

    beforeAll(async () => {
      root = await mkdtemp(path.join(os.tmpdir(), 'size-it-'));
      fixture = await makeSizeFixture(root, engine.store);
      plain = await runCli(fixture, ['--dockerfile', 'Dockerfile.plain', '--image', imageRef(fixture, 'app')], engine.host, 'plain.json');
      blob = await runCli(
        fixture,
        ['--dockerfile', 'Dockerfile.blob', '--image', imageRef(fixture, 'app'), '--baseline', 'plain.json'],
        engine.host,
        'blob.json',
      );
    });

    afterAll(async () => {
      // Unset when beforeAll failed: the cleanup must not hide that failure.
      if (fixture as SizeFixture | undefined) removeImages(fixture, engine.host);
      await rm(root, { recursive: true, force: true });
    });

    test('both figures are measured from layer data and labelled', () => {
      const size = reportOf(plain).size;
      assert.equal(plain.code, 0, describeRun(plain));
      assert.equal(size.status, 'measured');
      assert.equal(size.store, engine.store);
      assert.equal(size.uncompressedSource, engine.uncompressedSource);
      assert.equal(size.compressedSource, 'image-manifest');
      assert.ok((size.bytes ?? 0) > (size.compressedBytes ?? Infinity), 'busybox compresses');
      assert.equal(
        size.layers.reduce((s, l) => s + (l.compressedBytes ?? 0), 0),
        size.compressedBytes,
      );
      assert.deepEqual(
        size.layers.map((l) => [l.line, l.base, l.instruction]),
        [
          [2, true, 'FROM deploy-check-test/busybox:latest'],
          [3, false, 'RUN echo "app" > /app.txt'],
        ],
      );
      assert.equal(size.baseImage?.ref, 'deploy-check-test/busybox:latest');
      assert.equal(size.baseline, null);
      assert.match(size.baselineNote ?? '', /no baseline yet/);
    });

    test('adding 5 MiB of random bytes: +5 to 5.5 MiB in both figures, attributed to the line that adds it', () => {
      const size = reportOf(blob).size;
      assert.equal(blob.code, 0, describeRun(blob));
      const delta = size.delta;
      assert.ok(delta, `no delta: ${size.baselineNote}`);
      assertWithin(delta.bytes, BLOB_BYTES, 5.5 * MiB, 'uncompressed delta');
      assertWithin(delta.compressedBytes, BLOB_BYTES, 5.5 * MiB, 'compressed delta');
      assert.equal(delta.baseImageChanged, false);
      assert.equal(delta.layers.length, 1, JSON.stringify(delta.layers));
      const change = delta.layers[0];
      assert.equal(change?.change, 'added');
      assert.equal(change.line, BLOB_LINE);
      assert.equal(change.instruction, 'COPY blob.bin /data/blob.bin');
      assertWithin(change.compressedBytes, BLOB_BYTES, 5.5 * MiB, 'the COPY layer');
      const layer = size.layers.find((l) => l.line === BLOB_LINE);
      assertWithin(layer?.bytes, BLOB_BYTES, 5.5 * MiB, 'uncompressed COPY layer');
      assert.equal(size.commentThreshold.reached, true);
      assert.match(blob.stdout, /\+5\.\d MB \(\+\d+\.\d%\) compressed against file plain\.json/);
    });

    test('removing it: the opposite delta, the layer reported as removed', async () => {
      const back = await runCli(fixture, ['--dockerfile', 'Dockerfile.plain', '--image', imageRef(fixture, 'app'), '--baseline', 'blob.json'], engine.host);
      const delta = reportOf(back).size.delta;
      assert.ok(delta, describeRun(back));
      assertWithin(delta.bytes, -5.5 * MiB, -BLOB_BYTES, 'uncompressed delta');
      assertWithin(delta.compressedBytes, -5.5 * MiB, -BLOB_BYTES, 'compressed delta');
      assert.deepEqual(
        delta.layers.map((c) => [c.change, c.instruction]),
        [['removed', 'COPY blob.bin /data/blob.bin']],
      );
    });

    test('changing only the base image is reported as a base change', async () => {
      const otherBase = await buildOtherBase(fixture, engine.host);
      const run = await runCli(
        fixture,
        ['--dockerfile', 'Dockerfile.plain', '--image', imageRef(fixture, 'app'), '--baseline', 'plain.json', '--build-arg', `BASE=${otherBase}`],
        engine.host,
      );
      const size = reportOf(run).size;
      assert.equal(run.code, 0, describeRun(run));
      assert.equal(size.baseImage?.ref, otherBase);
      assert.equal(size.baseImage.layers, 2);
      assert.ok(size.delta);
      assert.equal(size.delta.baseImageChanged, true);
      assert.deepEqual(
        size.delta.layers.map((c) => [c.change, c.base, c.line]),
        [['base-image', true, 2]],
      );
      assertWithin(size.delta.compressedBytes, MiB, 1.1 * MiB, 'compressed delta of the base');
    });

    test('a budget crossed fails with the figures and the line; met budgets pass', async () => {
      const crossed = await runCli(
        fixture,
        ['--dockerfile', 'Dockerfile.blob', '--image', imageRef(fixture, 'app'), '--baseline', 'plain.json', '--max-increase', '1MB', '--max-size', '50MB'],
        engine.host,
      );
      const report = reportOf(crossed);
      assert.equal(crossed.code, 1, describeRun(crossed));
      assert.equal(report.verdict, 'fail');
      assert.equal(report.reasons.length, 1);
      assert.match(
        report.reasons[0] ?? '',
        /^Image size budget max-increase 1MB exceeded: the compressed image grew by 5\.\d MB .* against the baseline from file plain\.json; most of the growth is the new line 4: COPY blob\.bin \/data\/blob\.bin \(\+5\.\d MB\)\.$/,
      );
      assert.deepEqual(
        report.size.budget.checks.map((c) => [c.name, c.status]),
        [
          ['max-size', 'pass'],
          ['max-increase', 'exceeded'],
        ],
      );
      assert.match(crossed.stderr, new RegExp(`error: Dockerfile\\.blob:${BLOB_LINE}: Image size budget max-increase 1MB exceeded`));
      assert.match(crossed.stdout, /✘ deploy-check failed: Image size budget max-increase 1MB exceeded/);

      const tooBig = await runCli(
        fixture,
        ['--dockerfile', 'Dockerfile.blob', '--image', imageRef(fixture, 'app'), '--baseline', 'none', '--max-size', '4MiB'],
        engine.host,
      );
      assert.equal(tooBig.code, 1, describeRun(tooBig));
      assert.match(
        reportOf(tooBig).reasons[0] ?? '',
        /^Image size budget max-size 4MiB exceeded: the compressed image is 6\.\d MB, .* over; its largest layer is line 4: COPY blob\.bin/,
      );

      const met = await runCli(
        fixture,
        [
          '--dockerfile',
          'Dockerfile.blob',
          '--image',
          imageRef(fixture, 'app'),
          '--baseline',
          'plain.json',
          '--max-increase',
          '6MiB',
          '--max-size',
          '50MB',
          '--size-metric',
          'uncompressed',
        ],
        engine.host,
      );
      assert.equal(met.code, 0, describeRun(met));
      assert.equal(reportOf(met).size.budget.status, 'pass');
    });

    test('bad budget strings exit 2 with a message naming the input', async () => {
      for (const [flag, value] of [
        ['--max-size', '12XB'],
        ['--max-increase', '-5%'],
        ['--max-size', 'abc'],
        ['--size-comment-threshold', 'big'],
        ['--size-metric', 'zstd'],
      ] as const) {
        const run = await runCli(fixture, ['--dockerfile', 'Dockerfile.plain', flag, value], engine.host);
        assert.equal(run.code, 2, `${flag} ${value}: ${describeRun(run)}`);
        assert.match(run.stderr, new RegExp(`Input "${flag.slice(2)}": "${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
        assert.equal(run.report, null);
      }
    });
  });
}
