import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'vitest';
import { DirectoryStore } from '../../src/cache/directory-store.ts';
import { cacheKeys } from '../../src/cache/key.ts';
import { directoryBytes, isUsableCache } from '../../src/cache/store.ts';

/** A minimal BuildKit local cache: an OCI layout whose index names one present blob. */
async function fakeExport(root: string, content: string): Promise<string> {
  const dir = await mkdtemp(path.join(root, 'export-'));
  const hex = Buffer.from(content).toString('hex').padEnd(64, '0').slice(0, 64);
  await mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(path.join(dir, 'blobs', 'sha256', hex), content);
  await writeFile(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ digest: `sha256:${hex}`, size: content.length }] }));
  return dir;
}

test('directory store: miss, save, exact hit, newest by prefix, one entry kept per image', async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'dc-dirstore-'));
  t.onTestFinished(() => rm(root, { recursive: true, force: true }));
  const store = new DirectoryStore(path.join(root, 'store'));
  const work = await store.workDir();
  const first = cacheKeys('api', '1111111111111111');
  const second = cacheKeys('api', '2222222222222222');
  const worker = cacheKeys('api-worker', '1111111111111111');

  assert.equal(await store.restore(first), null);
  assert.equal(await store.save(first, await fakeExport(work, 'first')), true);
  assert.equal(await store.save(worker, await fakeExport(work, 'worker')), true);

  const exact = await store.restore(first);
  assert.equal(exact?.matchedKey, first.key);
  assert.ok(exact && (await isUsableCache(exact.dir)));

  // Another run of the same image: the newest entry of the prefix, never the other image's.
  assert.equal((await store.restore(second))?.matchedKey, first.key);
  assert.equal(await store.save(second, await fakeExport(work, 'second')), true);
  assert.equal((await store.restore(cacheKeys('api', '3333333333333333')))?.matchedKey, second.key);
  assert.equal((await store.restore(cacheKeys('api-worker', '9999999999999999')))?.matchedKey, worker.key);

  // The first entry was superseded and removed: the store holds one cache per image.
  const slots = (await readdir(path.join(root, 'store'))).filter((n) => !n.startsWith('.'));
  assert.equal(slots.length, 2);
  for (const slot of slots) assert.equal((await readdir(path.join(root, 'store', slot))).length, 1);
});

test('an empty or damaged export is not a usable cache', async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'dc-usable-'));
  t.onTestFinished(() => rm(root, { recursive: true, force: true }));
  const empty = path.join(root, 'empty');
  await mkdir(empty);
  assert.equal(await isUsableCache(empty), false);
  assert.equal(await directoryBytes(empty), 0);
  const noManifest = path.join(root, 'no-manifest');
  await mkdir(noManifest);
  await writeFile(path.join(noManifest, 'index.json'), '{"schemaVersion":2,"manifests":[]}');
  assert.equal(await isUsableCache(noManifest), false);
  const missingBlob = path.join(root, 'missing-blob');
  await mkdir(missingBlob);
  await writeFile(path.join(missingBlob, 'index.json'), `{"schemaVersion":2,"manifests":[{"digest":"sha256:${'0'.repeat(64)}"}]}`);
  assert.equal(await isUsableCache(missingBlob), false);
  const good = await fakeExport(root, 'layer');
  assert.equal(await isUsableCache(good), true);
  assert.ok((await directoryBytes(good)) > 0);
});
