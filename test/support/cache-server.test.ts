import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cache from '@actions/cache';
import { startCacheServer } from './cache-server.ts';
import type { CacheServer } from './cache-server.ts';

// @actions/cache reads its configuration from the environment at call time, and resolves
// relative paths against GITHUB_WORKSPACE; each test works in its own workspace.
let server: CacheServer;
let root: string;
const savedEnv = { ...process.env };
const savedCwd = process.cwd();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cache-server-test-'));
  server = await startCacheServer();
});

afterAll(async () => {
  process.chdir(savedCwd);
  process.env = savedEnv;
  await server.close();
  await rm(root, { recursive: true, force: true });
});

// Paths are globbed from the working directory and archived relative to GITHUB_WORKSPACE, like
// on a runner; the same relative path gives the same cache version in every workspace.
function useEnv(workspace: string): void {
  Object.assign(process.env, server.env(), { GITHUB_WORKSPACE: workspace });
  process.chdir(workspace);
}

/** Runs fn with @actions/core's workflow commands (::debug:: ...) captured instead of printed. */
async function quietly<T>(fn: () => Promise<T>): Promise<{ result: T; output: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let output = '';
  process.stdout.write = (chunk: string | Uint8Array) => {
    output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  };
  try {
    return { result: await fn(), output };
  } finally {
    process.stdout.write = write;
  }
}

const save = async (key: string) => (await quietly(() => cache.saveCache(['layers'], key))).result;
const restore = async (key: string, restoreKeys?: string[], paths = ['layers']) => (await quietly(() => cache.restoreCache(paths, key, restoreKeys))).result;

async function workspaceWith(name: string, files: Record<string, string>): Promise<string> {
  const workspace = join(root, name);
  await mkdir(join(workspace, 'layers'), { recursive: true });
  for (const [file, content] of Object.entries(files)) await writeFile(join(workspace, 'layers', file), content);
  return workspace;
}

async function emptyWorkspace(name: string): Promise<string> {
  const workspace = join(root, name);
  await mkdir(workspace, { recursive: true });
  return workspace;
}

test('startup and environment', () => {
  console.log(`cache-server (Azurite + Twirp) started in ${server.startupMs.toFixed(0)} ms`);
  const env = server.env();
  assert.equal(env['ACTIONS_RESULTS_URL'], `${server.url}/`);
  assert.equal(env['ACTIONS_CACHE_SERVICE_V2'], 'true');
  assert.equal(env['GITHUB_SERVER_URL'], 'https://github.com');
  assert.ok(env['ACTIONS_RUNTIME_TOKEN']);
  assert.ok(env['RUNNER_TEMP']);
});

test('@actions/cache saves, then restores through a restore-key prefix', async () => {
  server.setRef('refs/heads/main');
  const source = await workspaceWith('save-1', { 'a.txt': 'layer a', 'b.bin': 'x'.repeat(100_000) });
  useEnv(source);
  const id = await save('buildx-linux-abc123');
  assert.ok(id > 0, `saveCache returned ${id}`);

  const target = await emptyWorkspace('restore-1');
  useEnv(target);
  const matched = await restore('buildx-linux-def456', ['buildx-linux-']);
  assert.equal(matched, 'buildx-linux-abc123');
  assert.equal(await readFile(join(target, 'layers', 'a.txt'), 'utf8'), 'layer a');
  assert.equal((await readFile(join(target, 'layers', 'b.bin'), 'utf8')).length, 100_000);

  const [entry] = server.entries().filter((e) => e.key === 'buildx-linux-abc123');
  assert.equal(entry?.ref, 'refs/heads/main');
  assert.ok((entry.sizeBytes ?? 0) > 0);
  assert.equal(entry.finalized, true);
  assert.deepEqual(server.violations, []);
});

test('keys are immutable: saving the same key again is refused with 409', async () => {
  server.setRef('refs/heads/main');
  const source = await workspaceWith('save-again', { 'a.txt': 'other content' });
  useEnv(source);
  const before = server.entries().length;
  const id = await save('buildx-linux-abc123');
  assert.equal(id, -1);
  assert.equal(server.entries().length, before);
  assert.ok(server.calls.some((c) => c.method === 'CreateCacheEntry' && c.status === 409));
});

test('the newest entry wins among prefix matches; the exact key wins over both', async () => {
  server.setRef('refs/heads/main');
  for (const [key, content] of [
    ['deps-1', 'one'],
    ['deps-2', 'two'],
  ] as const) {
    useEnv(await workspaceWith(`save-${key}`, { 'v.txt': content }));
    assert.ok((await save(key)) > 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  let target = await emptyWorkspace('restore-newest');
  useEnv(target);
  assert.equal(await restore('deps-9', ['deps-']), 'deps-2');
  assert.equal(await readFile(join(target, 'layers', 'v.txt'), 'utf8'), 'two');

  target = await emptyWorkspace('restore-exact');
  useEnv(target);
  assert.equal(await restore('deps-1', ['deps-']), 'deps-1');
  assert.equal(await readFile(join(target, 'layers', 'v.txt'), 'utf8'), 'one');

  // A different version (other paths) does not match.
  useEnv(await emptyWorkspace('restore-other-paths'));
  assert.equal(await restore('deps-1', ['deps-'], ['other-dir']), undefined);
});

test('a pull request reads its base branch caches; the base branch does not read the PR caches', async () => {
  server.setRef('refs/heads/main');
  useEnv(await workspaceWith('save-base', { 'base.txt': 'from main' }));
  assert.ok((await save('scope-main-1')) > 0);

  server.setRef('refs/pull/7/merge', 'refs/heads/main');
  assert.deepEqual(server.readableRefs, ['refs/pull/7/merge', 'refs/heads/main']);
  const prTarget = await emptyWorkspace('restore-pr');
  useEnv(prTarget);
  assert.equal(await restore('scope-main-2', ['scope-main-']), 'scope-main-1');
  assert.equal(await readFile(join(prTarget, 'layers', 'base.txt'), 'utf8'), 'from main');

  useEnv(await workspaceWith('save-pr', { 'pr.txt': 'from the PR' }));
  assert.ok((await save('scope-pr-1')) > 0);

  server.setRef('refs/heads/main');
  useEnv(await emptyWorkspace('restore-main'));
  assert.equal(await restore('scope-pr-1', ['scope-pr-']), undefined);

  // Another PR cannot read the first PR's caches either.
  server.setRef('refs/pull/8/merge', 'refs/heads/main');
  useEnv(await emptyWorkspace('restore-other-pr'));
  assert.equal(await restore('scope-pr-1'), undefined);
  server.setRef('refs/heads/main');
  assert.deepEqual(server.violations, []);
});

test('failures: down, reset, throttle and slow never throw out of @actions/cache', async () => {
  server.setRef('refs/heads/main');
  const workspace = await workspaceWith('failures', { 'f.txt': 'f' });
  useEnv(workspace);

  await server.setFailure('down');
  const refused = await fetch(`${server.url}/`).then(
    () => 'answered',
    (error: unknown) => String((error as { cause?: { code?: string } }).cause?.code),
  );
  assert.equal(refused, 'ECONNREFUSED');
  assert.equal(await restore('anything'), undefined);
  assert.equal(await save('while-down'), -1);

  await server.setFailure('throttle');
  const calls = server.calls.length;
  assert.equal(await restore('anything'), undefined);
  assert.equal(server.calls.at(-1)?.status, 429);
  assert.equal(server.calls.length, calls + 1, 'a 429 is not retried by @actions/cache');

  await server.setFailure('slow', 300);
  const started = performance.now();
  assert.equal(await restore('anything'), undefined);
  assert.ok(performance.now() - started >= 280);

  await server.setFailure('reset');
  const reset = await fetch(`${server.url}/twirp/x`, { method: 'POST' }).then(
    () => 'answered',
    (error: unknown) => String((error as { cause?: { code?: string } }).cause?.code),
  );
  assert.equal(reset, 'UND_ERR_SOCKET');

  await server.setFailure(null);
  assert.ok((await save('after-recovery')) > 0);
});

test('malformed calls are refused and recorded', async () => {
  const response = await fetch(`${server.url}/twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
    body: JSON.stringify({ key: 'k', versionx: 'v' }),
  });
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), { code: 'malformed', msg: 'unknown field versionx; missing field version' });
  assert.deepEqual(server.violations.at(-1), { method: 'CreateCacheEntry', errors: ['unknown field versionx', 'missing field version'] });
  server.violations.length = 0;
});
