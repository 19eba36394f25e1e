import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { test } from 'vitest';
import { PendingRemovals } from '../../src/container/removals.ts';

/** A container whose removal ends when the test says so. */
function fakeContainer(name: string, log: string[]): { container: Docker.Container; finish: (ok?: boolean) => void } {
  let finish: (ok?: boolean) => void = () => undefined;
  const container = {
    remove: (options: { force?: boolean; v?: boolean }) => {
      log.push(`remove ${name} force=${String(options.force)} v=${String(options.v)}`);
      return new Promise<void>((resolve, reject) => {
        finish = (ok = true) => (ok ? resolve() : reject(new Error(`no such container: ${name}`)));
      });
    },
  } as unknown as Docker.Container;
  return { container, finish: (ok) => finish(ok) };
}

test('settled waits for every removal started, and a failed removal (already gone) does not reject it', async () => {
  const log: string[] = [];
  const removals = new PendingRemovals();
  const a = fakeContainer('a', log);
  const b = fakeContainer('b', log);
  removals.remove(a.container);
  removals.remove(b.container);
  let settled = false;
  const done = removals.settled().then(() => (settled = true));
  a.finish(false);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(settled, false, 'settled before b was removed');
  b.finish();
  await done;
  assert.deepEqual(log, ['remove a force=true v=true', 'remove b force=true v=true']);
});

test('a removal put off with removeLater starts at flush, or at settled at the latest', async () => {
  const log: string[] = [];
  const removals = new PendingRemovals();
  const first = fakeContainer('predeploy-1', log);
  const second = fakeContainer('predeploy-2', log);
  removals.removeLater(first.container);
  assert.deepEqual(log, []);
  removals.flush();
  assert.deepEqual(log, ['remove predeploy-1 force=true v=true']);
  removals.removeLater(second.container);
  const done = removals.settled();
  assert.deepEqual(log, ['remove predeploy-1 force=true v=true', 'remove predeploy-2 force=true v=true']);
  first.finish();
  second.finish();
  await done;
});
