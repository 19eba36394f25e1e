import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'vitest';
import { actionsStateStore, type ActionsCacheApi } from '../../src/cache/actions-store.ts';
import { SAVE_AFTER_BYTES, StateCache, stateKeyPrefix } from '../../src/cache/state-cache.ts';

let root: string;
let stateDir: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'state-cache-unit-'));
  stateDir = path.join(root, 'state');
});
afterEach(() => rm(root, { recursive: true, force: true }));

const OLD = new Date('2026-01-01T00:00:00Z');
const SCOPE = { dockerfile: '/w/Dockerfile', target: undefined, imageRepository: 'shop', cwd: '/w' };

/** An entry as the cache service would hand it back: files with the times of the run that saved them. */
const ENTRY: Record<string, string> = {
  'layer-sizes.json': '{"a":1}',
  'hygiene-layers/aaa.json': '{"layer":"a"}',
  'hygiene-layers/bbb.json': '{"layer":"b"}',
};

/** @actions/cache's two calls, over an in-memory service. */
function fakeCache(stored: Record<string, string> | null): { api: ActionsCacheApi; calls: string[]; saved: Map<string, Record<string, string>> } {
  const calls: string[] = [];
  const saved = new Map<string, Record<string, string>>();
  return {
    calls,
    saved,
    api: {
      restoreCache: async (paths, primaryKey, restoreKeys) => {
        calls.push(`restore ${primaryKey} ${(restoreKeys ?? []).join(',')}`);
        if (!stored) return undefined;
        for (const [file, content] of Object.entries(stored)) {
          const target = path.join(paths[0] ?? '', file);
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, content);
          await utimes(target, OLD, OLD);
        }
        return 'deploy-check-state-v1-000000000000~1-1-x';
      },
      saveCache: async (paths, key) => {
        calls.push(`save ${key}`);
        const dir = paths[0] ?? '';
        const files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
        const content: Record<string, string> = {};
        for (const f of files) content[path.relative(dir, path.join(f.parentPath, f.name))] = await readFile(path.join(f.parentPath, f.name), 'utf8');
        saved.set(key, content);
        return 1;
      },
    },
  };
}

function stateCache(api: ReturnType<typeof fakeCache>['api'], save = true): StateCache {
  return new StateCache({ store: actionsStateStore(5000, api), stateDir, prefix: stateKeyPrefix(SCOPE), runKey: '7-1-abc', save, log: () => undefined });
}

test('an empty state directory is filled from the newest entry; the next entry holds only what this run used and learnt', async () => {
  const cache = fakeCache(ENTRY);
  const state = stateCache(cache.api);
  const restored = await state.restore();
  assert.deepEqual(restored, { unused: null, key: 'deploy-check-state-v1-000000000000~1-1-x', files: 3 });
  assert.equal(await readFile(path.join(stateDir, 'hygiene-layers/bbb.json'), 'utf8'), '{"layer":"b"}');
  // This run used layer a (the memo touches what it reads) and learnt layer c; layer b belongs to an older image.
  const now = new Date();
  await utimes(path.join(stateDir, 'hygiene-layers/aaa.json'), now, now);
  await writeFile(path.join(stateDir, 'hygiene-layers/ccc.json'), '{"layer":"c"}');
  const key = await state.save(SAVE_AFTER_BYTES);
  assert.equal(key, `${stateKeyPrefix(SCOPE)}7-1-abc`);
  assert.deepEqual(cache.saved.get(key), {
    'hygiene-layers/aaa.json': '{"layer":"a"}',
    'hygiene-layers/ccc.json': '{"layer":"c"}',
    'layer-sizes.json': '{"a":1}',
  });
});

test('nothing new learnt: no save (the restored entry already holds it all)', async () => {
  const cache = fakeCache(ENTRY);
  const state = stateCache(cache.api);
  await state.restore();
  const now = new Date();
  await utimes(path.join(stateDir, 'hygiene-layers/aaa.json'), now, now);
  assert.equal(await state.save(null), null);
  assert.equal(cache.calls.filter((c) => c.startsWith('save')).length, 0);
});

test("a state directory with facts of its own (a self-hosted runner's) is neither restored over nor saved", async () => {
  await mkdir(path.join(stateDir, 'hygiene-layers'), { recursive: true });
  await writeFile(path.join(stateDir, 'hygiene-layers/own.json'), '{}');
  const cache = fakeCache(ENTRY);
  const state = stateCache(cache.api);
  const restored = await state.restore();
  assert.match(restored.unused ?? '', /holds this runner's own/);
  await writeFile(path.join(stateDir, 'hygiene-layers/new.json'), '{}');
  assert.equal(await state.save(SAVE_AFTER_BYTES), null);
  assert.deepEqual(cache.calls, []);
});

test('no entry yet: the first run saves what it learnt; a run that may not save does not', async () => {
  for (const save of [true, false]) {
    await rm(stateDir, { recursive: true, force: true });
    const cache = fakeCache(null);
    const state = stateCache(cache.api, save);
    assert.deepEqual(await state.restore(), { unused: null, key: null, files: 0 });
    await mkdir(path.join(stateDir, 'hygiene-layers'), { recursive: true });
    await writeFile(path.join(stateDir, 'hygiene-layers/aaa.json'), '{"layer":"a"}');
    const key = await state.save(null);
    assert.equal(key !== null, save);
    assert.equal(cache.calls.filter((c) => c.startsWith('save')).length, save ? 1 : 0);
  }
});

test('a run that read only a few new bytes (a source-only change) does not save; one that read a new dependency layer does', async () => {
  for (const [bytes, saves] of [
    [1_540, false],
    [SAVE_AFTER_BYTES - 1, false],
    [SAVE_AFTER_BYTES, true],
    [null, true],
  ] as const) {
    await rm(stateDir, { recursive: true, force: true });
    const cache = fakeCache(ENTRY);
    const state = stateCache(cache.api);
    await state.restore();
    await writeFile(path.join(stateDir, 'hygiene-layers/ddd.json'), '{"layer":"d"}');
    assert.equal((await state.save(bytes)) !== null, saves, `${String(bytes)} bytes read`);
  }
});

test('a failing service is a log line, never an error', async () => {
  const lines: string[] = [];
  const state = new StateCache({
    store: actionsStateStore(5000, { restoreCache: () => Promise.reject(new Error('connection refused')), saveCache: () => Promise.resolve(1) }),
    stateDir,
    prefix: stateKeyPrefix({ ...SCOPE, imageRepository: 'other' }),
    runKey: '1',
    save: true,
    log: (m) => lines.push(m),
  });
  assert.deepEqual(await state.restore(), { unused: null, key: null, files: 0 });
  assert.match(lines.join('\n'), /State: not restored from the Actions cache \(connection refused\)/);
});
