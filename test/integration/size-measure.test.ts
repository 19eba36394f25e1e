/**
 * The measurement itself against both engines: figures cross-checked with what each store says
 * about the image, nothing left behind, and on the classic store a second measurement of the same
 * layers that compresses nothing again.
 */
import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { readDockerfileFacts } from '../../src/config/dockerfile.ts';
import { BlobSizeMemo } from '../../src/size/blob-memo.ts';
import { measureImage } from '../../src/size/measure.ts';
import { CLASSIC_ENGINE, dockerCli, engineAvailable, MAIN_ENGINE, unavailable } from '../support/docker.ts';
import { BLOB_BYTES, buildWithRetry, imageRef, makeSizeFixture, MiB, removeImages, type SizeFixture } from '../support/size-fixtures.ts';

function dockerFor(host: string): Docker {
  return new Docker({ socketPath: host.replace(/^unix:\/\//, '') });
}

/** Measure tags still pointing at this image: other files measuring at the same time tag their own images. */
function loopbackTags(host: string, ref: string): string[] {
  const id = dockerCli(['image', 'inspect', '--format', '{{.Id}}', ref], host).trim();
  return dockerCli(['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'], host)
    .split('\n')
    .filter((r) => r.startsWith('127.0.0.1:') && r.includes('deploy-check/measure') && r.endsWith(` ${id}`));
}

for (const engine of [
  { name: 'containerd image store', host: MAIN_ENGINE, store: 'containerd' },
  { name: 'classic image store', host: CLASSIC_ENGINE, store: 'classic' },
] as const) {
  describe.skipIf(unavailable(!engineAvailable(engine.host) && `no engine at ${engine.host}`))(`measuring on the ${engine.name}`, () => {
    let root: string;
    let fixture: SizeFixture;
    let ref: string;

    beforeAll(async () => {
      root = await mkdtemp(path.join(os.tmpdir(), 'size-measure-'));
      fixture = await makeSizeFixture(root, `measure-${engine.store}`);
      ref = imageRef(fixture, 'measured');
      buildWithRetry(['buildx', 'build', '-q', '--load', '-t', ref, '-f', path.join(fixture.dir, 'Dockerfile.blob'), fixture.dir], engine.host);
    });

    afterAll(async () => {
      // Unset when beforeAll failed: the cleanup must not hide that failure.
      if (fixture as SizeFixture | undefined) removeImages(fixture, engine.host);
      await rm(root, { recursive: true, force: true });
    });

    test("figures agree with the store's own numbers, and no tag is left behind", async () => {
      const docker = dockerFor(engine.host);
      const facts = readDockerfileFacts(await readFile(path.join(fixture.dir, 'Dockerfile.blob'), 'utf8'));
      const m = await measureImage(docker, ref, { facts, memo: BlobSizeMemo.inMemory() });
      assert.equal(m.store, engine.store);
      assert.equal(m.compressedSource, 'image-manifest');
      assert.deepEqual(
        m.notes.filter((n) => /could not/.test(n)),
        [],
      );
      const inspect = (await docker.getImage(ref).inspect()) as { Size: number };
      if (engine.store === 'containerd') {
        // This store's Size is the content: the compressed layers plus index, manifest and config.
        assert.ok(inspect.Size > (m.compressedBytes ?? 0) && inspect.Size - (m.compressedBytes ?? 0) < 16 * 1024, `${inspect.Size} vs ${m.compressedBytes}`);
        assert.equal(m.uploadedBytes !== null && m.uploadedBytes < 64 * 1024, true, `uploaded ${m.uploadedBytes}`);
      } else {
        // This store's Size is the unpacked layers.
        assert.equal(inspect.Size, m.bytes);
      }
      const copy = m.layers.find((l) => l.instruction.startsWith('COPY'));
      assert.ok(copy && (copy.compressedBytes ?? 0) >= BLOB_BYTES && (copy.compressedBytes ?? 0) < 5.5 * MiB);
      assert.ok(m.layers.every((l) => l.digest?.startsWith('sha256:') && l.diffId?.startsWith('sha256:')));
      assert.deepEqual(loopbackTags(engine.host, ref), []);
    });

    if (engine.store === 'classic') {
      test('a second measurement of the same layers compresses nothing again', async () => {
        const docker = dockerFor(engine.host);
        const facts = readDockerfileFacts(await readFile(path.join(fixture.dir, 'Dockerfile.blob'), 'utf8'));
        const memoFile = path.join(root, 'layer-sizes.json');
        const first = await measureImage(docker, ref, { facts, memo: await BlobSizeMemo.load(memoFile) });
        const second = await measureImage(docker, ref, { facts, memo: await BlobSizeMemo.load(memoFile) });
        assert.equal(second.compressedBytes, first.compressedBytes);
        // An empty memo: the engine compressed and sent every layer.
        assert.ok((first.uploadedBytes ?? 0) >= BLOB_BYTES, `uploaded ${first.uploadedBytes}`);
        // Only the image config (asked for on purpose) travels the second time.
        assert.ok(second.uploadedBytes !== null && second.uploadedBytes < 64 * 1024, `uploaded ${second.uploadedBytes}`);
        assert.deepEqual(
          second.layers.map((l) => l.compressedBytes),
          first.layers.map((l) => l.compressedBytes),
        );
      });
    }
  });
}
