import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'vitest';
import { actionsBaselineStore, type ActionsCacheApi } from '../../src/cache/actions-store.ts';
import { saveKey } from '../../src/cache/key.ts';
import { BaselineDirectory, BaselineStore } from '../../src/size/baseline-store.ts';

const PREFIX = 'deploy-check-size-v1-shop-0123456789ab-main~';

/**
 * The local --baseline-dir keeps its layout: one `<key>.json` per entry, the newest one by
 * prefix restored, nothing else written into the directory.
 */
test('baseline directory: one JSON file per entry, named after its key; the newest under the prefix is restored', async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'dc-baseline-dir-'));
  t.onTestFinished(() => rm(root, { recursive: true, force: true }));
  const dir = path.join(root, 'baselines');
  const store = new BaselineStore(new BaselineDirectory(dir));
  assert.equal(store.description, `directory ${dir}`);
  assert.equal(await store.restore(PREFIX), null);

  const older = saveKey(PREFIX, '1');
  const newer = saveKey(PREFIX, '2');
  await store.save(older, '{"run":1}');
  await utimes(path.join(dir, `${encodeURIComponent(older)}.json`), new Date('2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:00Z'));
  await store.save(newer, '{"run":2}');
  await store.save(saveKey('deploy-check-size-v1-shop-0123456789ab-main-old~', '3'), '{"other":true}');

  assert.deepEqual(
    (await readdir(dir)).sort(),
    [older, newer, 'deploy-check-size-v1-shop-0123456789ab-main-old~3'].map((k) => `${encodeURIComponent(k)}.json`).sort(),
  );
  assert.equal(await readFile(path.join(dir, `${encodeURIComponent(older)}.json`), 'utf8'), '{"run":1}');
  assert.deepEqual(await store.restore(PREFIX), { key: newer, content: '{"run":2}' });
  assert.equal((await readdir(dir)).length, 3, 'a restore writes nothing into the directory');
});

/** What the Actions cache service is asked: the same paths (its cache version hashes them) and keys as before. */
function fakeService(entries: Map<string, string>): { api: ActionsCacheApi; calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    api: {
      restoreCache: async (...args) => {
        calls.push(['restore', ...args]);
        const [paths, , restoreKeys] = args;
        const key = [...entries.keys()].reverse().find((k) => (restoreKeys ?? []).some((p) => k.startsWith(p)));
        if (key === undefined) return undefined;
        await mkdir(paths[0] ?? '', { recursive: true });
        await writeFile(path.join(paths[0] ?? '', 'report.json'), entries.get(key) ?? '');
        return key;
      },
      saveCache: async (paths, key) => {
        calls.push(['save', paths, key, await readdir(paths[0] ?? '')]);
        if (entries.has(key)) return -1;
        entries.set(key, await readFile(path.join(paths[0] ?? '', 'report.json'), 'utf8'));
        return 1;
      },
    },
  };
}

test('Actions cache baselines: one report.json per entry, packed in the folder named after the prefix, unbounded calls', async () => {
  const service = fakeService(new Map());
  const store = new BaselineStore(actionsBaselineStore(service.api));
  assert.equal(store.description, 'the Actions cache');
  const folder = path.join(os.tmpdir(), `deploy-check-size-${createHash('sha256').update(PREFIX).digest('hex').slice(0, 16)}`);
  const key = saveKey(PREFIX, '7-1-abc');

  assert.equal(await store.restore(PREFIX), null);
  await store.save(key, '{"run":7}');
  assert.deepEqual(await store.restore(PREFIX), { key, content: '{"run":7}' });
  await assert.rejects(store.save(key, '{"run":7}'), { message: `the cache did not accept key ${key}` });

  assert.deepEqual(service.calls, [
    // No options: the baseline's calls are not bounded by cache-timeout.
    ['restore', [folder], `${PREFIX}latest`, [PREFIX]],
    ['save', [folder], key, ['report.json']],
    ['restore', [folder], `${PREFIX}latest`, [PREFIX]],
    ['save', [folder], key, ['report.json']],
  ]);
  await assert.rejects(readdir(folder), { code: 'ENOENT' }, 'the folder is removed after each call');
});
