import assert from 'node:assert/strict';
import { test } from 'vitest';
import { CacheStoreError } from '../../src/cache/store.ts';
import { callActionsCache } from '../../src/cache/actions-store.ts';

/** A promise the test settles itself: the calls' order is set by the test, not by timers. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
/** The function stdout writes with right now (compared, never called). */
const currentWrite = (): unknown => Reflect.get(process.stdout, 'write');

test("@actions/cache's warning annotation becomes the call's error, and stays off stdout", async () => {
  const original = currentWrite();
  await assert.rejects(
    callActionsCache('restore', 5000, () => {
      process.stdout.write('::warning::Failed to restore: Cache service responded with 503\n');
      return Promise.resolve('key');
    }),
    (err: unknown) => err instanceof CacheStoreError && err.message === 'Cache service responded with 503',
  );
  assert.equal(currentWrite(), original);
});

test('two calls at once (layer cache and state): each hears the annotations, and stdout is given back once both end', async () => {
  const original = currentWrite();
  const firstMayEnd = latch();
  const first = callActionsCache('restore', 5000, async () => {
    await firstMayEnd.promise;
    return 'first';
  });
  const second = callActionsCache('save', 5000, () => {
    process.stdout.write('::warning::Failed to save: quota exceeded\n');
    return Promise.resolve(2);
  });
  await assert.rejects(second, /quota exceeded/);
  assert.notEqual(currentWrite(), original, 'the first call still listens');
  firstMayEnd.open();
  await assert.rejects(first, /quota exceeded/);
  assert.equal(currentWrite(), original);
  // Later calls start clean.
  assert.equal(await callActionsCache('restore', 5000, () => Promise.resolve('clean')), 'clean');
});

test('a call slower than its limit is given up with the limit in the message', async () => {
  await assert.rejects(
    // A call that never ends: only the limit can end it.
    callActionsCache('restore', 20, () => latch().promise.then(() => 'late')),
    /the restore took longer than 0 s \(cache-timeout\)/,
  );
});

test('the call that started first may end first: stdout is still given back, and the later call still hears its annotation', async () => {
  const original = currentWrite();
  const secondMayWrite = latch();
  const first = callActionsCache('restore', 5000, () => Promise.resolve('first'));
  const second = callActionsCache('save', 5000, async () => {
    await secondMayWrite.promise;
    process.stdout.write('::error::Failed to save: reservation refused\n');
    return 2;
  });
  assert.equal(await first, 'first');
  secondMayWrite.open();
  await assert.rejects(second, /reservation refused/);
  assert.equal(currentWrite(), original);
});

test("app output quoted between stop-commands while a call runs is neither taken for the cache's annotation nor taken off stdout", async () => {
  const written: string[] = [];
  const original = Reflect.get(process.stdout, 'write');
  Reflect.set(process.stdout, 'write', (chunk: string): boolean => {
    written.push(chunk);
    return true;
  });
  try {
    const block = '::stop-commands::5eed\n  | app says:\n::warning::x-from-the-app\n::5eed::\n';
    const result = await callActionsCache('restore', 5000, () => {
      process.stdout.write(block);
      return Promise.resolve('key');
    });
    assert.equal(result, 'key');
    assert.deepEqual(written, [block]);
  } finally {
    Reflect.set(process.stdout, 'write', original);
  }
});
