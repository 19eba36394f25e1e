import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import { gitCheckout, type GitCheckout } from '../../src/host/git-head.ts';

let root: string;
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' }).trim();

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-git-head-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** Read from the files alone: the test fails if git had to be asked. */
const fromFiles = (dir: string): Promise<GitCheckout> => gitCheckout(dir, () => Promise.reject(new Error('git was asked')));

async function repository(name: string): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(path.join(dir, 'app'), { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  await writeFile(path.join(dir, 'app', 'main.py'), 'print(1)\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'one');
  return dir;
}

test('a branch checked out: the commit of its loose ref and the branch, from a folder inside the work tree', async () => {
  const dir = await repository('loose');
  assert.deepEqual(await fromFiles(path.join(dir, 'app')), { commit: git(dir, 'rev-parse', 'HEAD'), branch: 'main' });
});

test('a packed ref, a detached HEAD and a linked worktree give what git rev-parse HEAD gives', async () => {
  const dir = await repository('packed');
  await writeFile(path.join(dir, 'app', 'main.py'), 'print(2)\n');
  git(dir, 'commit', '-q', '-am', 'two');
  git(dir, 'pack-refs', '--all');
  assert.deepEqual(await fromFiles(dir), { commit: git(dir, 'rev-parse', 'HEAD'), branch: 'main' });

  const first = git(dir, 'rev-parse', 'HEAD~1');
  git(dir, 'checkout', '-q', '--detach', first);
  assert.deepEqual(await fromFiles(dir), { commit: first, branch: null });

  const linked = path.join(root, 'linked');
  git(dir, 'worktree', 'add', '-q', '-b', 'feature', linked, 'main');
  await writeFile(path.join(linked, 'app', 'main.py'), 'print(3)\n');
  git(linked, 'commit', '-q', '-am', 'three');
  assert.deepEqual(await fromFiles(path.join(linked, 'app')), { commit: git(linked, 'rev-parse', 'HEAD'), branch: 'feature' });
});

test('a HEAD whose ref climbs out of refs/ is not followed: git is asked instead', async () => {
  const dir = await repository('climbing');
  await writeFile(path.join(dir, 'outside'), `${'a'.repeat(40)}\n`);
  await writeFile(path.join(dir, '.git', 'HEAD'), 'ref: refs/../../outside\n');
  assert.deepEqual(await gitCheckout(dir, () => Promise.resolve('asked')), { commit: 'asked', branch: null });
});

test('outside a work tree, and in a repository without a commit: no commit', async () => {
  const plain = path.join(root, 'plain');
  await mkdir(plain, { recursive: true });
  // The temporary folder is not inside a repository on the machines this runs on; git agrees.
  assert.throws(() => git(plain, 'rev-parse', 'HEAD'));
  assert.deepEqual(await fromFiles(plain), { commit: null, branch: null });
  const empty = path.join(root, 'empty');
  await mkdir(empty);
  git(empty, 'init', '-q', '-b', 'main');
  // An unborn branch has no ref: git is asked, and has no commit either.
  assert.deepEqual(await gitCheckout(empty), { commit: null, branch: 'main' });
});
