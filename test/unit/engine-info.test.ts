/** `docker info` costs the engine work at each call: the stages share one answer per client. */
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { test } from 'vitest';
import { engineInfo } from '../../src/host/docker.ts';

function countingEngine(answers: (() => Promise<unknown>)[]): { docker: Docker; calls: () => number } {
  let calls = 0;
  const docker = {
    info: () => {
      const answer = answers[Math.min(calls, answers.length - 1)] ?? (() => Promise.resolve({}));
      calls++;
      return answer();
    },
  } as unknown as Docker;
  return { docker, calls: () => calls };
}

test('one info request per client, whoever asks and however often', async () => {
  const engine = countingEngine([() => Promise.resolve({ Driver: 'overlayfs' })]);
  const [a, b] = await Promise.all([engineInfo<{ Driver: string }>(engine.docker), engineInfo<{ Driver: string }>(engine.docker)]);
  assert.equal(a.Driver, 'overlayfs');
  assert.equal(b, a);
  await engineInfo(engine.docker);
  assert.equal(engine.calls(), 1);
  const other = countingEngine([() => Promise.resolve({ Driver: 'overlay2' })]);
  assert.equal((await engineInfo<{ Driver: string }>(other.docker)).Driver, 'overlay2');
});

test('a failed answer is not kept: the next caller asks again', async () => {
  const engine = countingEngine([() => Promise.reject(new Error('engine restarting')), () => Promise.resolve({ Driver: 'overlayfs' })]);
  await assert.rejects(engineInfo(engine.docker), /engine restarting/);
  assert.equal((await engineInfo<{ Driver: string }>(engine.docker)).Driver, 'overlayfs');
  assert.equal(engine.calls(), 2);
});
