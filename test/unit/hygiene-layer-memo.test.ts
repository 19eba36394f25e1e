/**
 * One layer read as it streams past (gzip or plain, in odd chunks): its diff id and facts; and
 * the per-layer memo: round trip, and what it refuses to trust (another image store, a corrupt
 * file, other rules, other secrets).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { LayerStreamScanner, emptyFacts, type LayerFacts } from '../../src/hygiene/layer.ts';
import { LayerFactsMemo } from '../../src/hygiene/memo.ts';
import { finalShadowEmpty, shownAtTop } from '../../src/hygiene/scan.ts';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const token = `ghp_${Array.from({ length: 36 }, () => ALNUM[randomInt(ALNUM.length)]).join('')}`;
let work: string;
let layerTar: Buffer;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'hygiene-layer-'));
  const root = path.join(work, 'root');
  mkdirSync(path.join(root, 'app/shared'), { recursive: true });
  mkdirSync(path.join(root, 'etc'), { recursive: true });
  mkdirSync(path.join(root, 'usr/lib/x'), { recursive: true });
  mkdirSync(path.join(root, 'tmp'), { recursive: true });
  writeFileSync(path.join(root, 'app/config.yml'), `name: demo\ntoken: ${token}\n`);
  writeFileSync(path.join(root, 'usr/lib/x/vendored.txt'), `token: ${token}\n`);
  writeFileSync(path.join(root, 'app/tool'), 'binary');
  chmodSync(path.join(root, 'app/tool'), 0o4755);
  chmodSync(path.join(root, 'app/shared'), 0o777);
  chmodSync(path.join(root, 'tmp'), 0o1777);
  writeFileSync(path.join(root, 'etc/shadow'), 'root:*:19000:0:99999:7:::\nguest::19000:0:99999:7:::\n');
  writeFileSync(path.join(root, 'app/.wh.old.txt'), '');
  layerTar = execFileSync('tar', ['--format=posix', '--sort=name', '-C', root, '-cf', '-', '.'], { maxBuffer: 1 << 26 });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

async function scan(blob: Buffer, chunk: number): Promise<{ diffId: string; facts: LayerFacts; bytesRead: number }> {
  const scanner = new LayerStreamScanner();
  for (let i = 0; i < blob.length; i += chunk) await scanner.push(blob.subarray(i, i + chunk));
  return scanner.end();
}

describe('a layer blob read as it streams past', () => {
  for (const [name, compress] of [
    ['plain tar', (b: Buffer) => b],
    ['gzip', (b: Buffer) => zlib.gzipSync(b)],
  ] as const) {
    test(`${name}: the diff id is the hash of the tar, the facts are the layer's`, async () => {
      const blob = compress(layerTar);
      const { diffId, facts, bytesRead } = await scan(blob, 777);
      assert.equal(diffId, `sha256:${createHash('sha256').update(layerTar).digest('hex')}`);
      assert.equal(bytesRead, blob.length);
      assert.deepEqual(
        facts.secretValues.map((v) => [v.path, v.kind, v.line]),
        [['/app/config.yml', 'github-token', 2]],
        'vendored package trees are not searched',
      );
      assert.ok(!JSON.stringify(facts).includes(token), 'the facts hold no secret value');
      assert.deepEqual(
        facts.privileged.map((p) => [p.path, p.mode]),
        [['/app/tool', 0o4755]],
      );
      assert.deepEqual(
        facts.worldWritable.map((p) => p.path),
        ['/app/shared'],
        '/tmp with the sticky bit is fine',
      );
      assert.deepEqual(facts.shadowEmpty, ['guest']);
      assert.deepEqual(facts.deletes, [{ kind: 'path', target: '/app/old.txt' }]);
      assert.equal(facts.sizes['/app/tool'], 6);
    });
  }

  test('a stream that is not a tar fails, so nothing is remembered for it', async () => {
    const scanner = new LayerStreamScanner();
    await assert.rejects(async () => {
      await scanner.push(Buffer.from('{"architecture":"amd64","config":{}}'.padEnd(1024, ' ')));
      await scanner.end();
    });
  });
});

test('cross-layer facts: a later layer replacing or deleting a file, the final shadow file', () => {
  const lower = emptyFacts();
  lower.sizes['/app/a'] = 1;
  lower.shadowEmpty = ['guest'];
  const upper = emptyFacts();
  upper.deletes.push({ kind: 'path', target: '/app/a' });
  assert.equal(shownAtTop([lower, upper], 0, '/app/a'), false);
  assert.deepEqual(finalShadowEmpty([lower, upper]), { layer: 0, accounts: ['guest'] });
  const fixed = emptyFacts();
  fixed.sizes['/etc/shadow'] = 10;
  fixed.shadowEmpty = [];
  assert.equal(finalShadowEmpty([lower, upper, fixed]), undefined);
});

describe('the per-layer memo', () => {
  const diffId = `sha256:${'a'.repeat(64)}`;
  const facts = (): LayerFacts => {
    const f = emptyFacts();
    f.files = 3;
    f.secretValues.push({ path: '/app/x', kind: 'npm-token', line: 1, fingerprint: 'npm_… (40 chars, sha256:00000000)', source: null });
    return f;
  };

  test('remembers facts by diff id, for the same store and secrets', async () => {
    const dir = mkdtempSync(path.join(work, 'memo-'));
    const memo = await LayerFactsMemo.open(dir, 'containerd', []);
    assert.equal(await memo.get(diffId), undefined);
    await memo.put(diffId, facts());
    const again = await LayerFactsMemo.open(dir, 'containerd', []);
    assert.deepEqual(await again.get(diffId), facts());
    assert.deepEqual(again.ignored, []);
  });

  test('a memo written for another image store is ignored, and says why', async () => {
    const dir = mkdtempSync(path.join(work, 'memo-'));
    await (await LayerFactsMemo.open(dir, 'classic', [])).put(diffId, facts());
    const other = await LayerFactsMemo.open(dir, 'containerd', []);
    assert.equal(await other.get(diffId), undefined);
    assert.match(other.ignored[0] ?? '', /classic image store/);
  });

  test('a corrupt file, or facts of the wrong shape, are ignored', async () => {
    const dir = mkdtempSync(path.join(work, 'memo-'));
    const memo = await LayerFactsMemo.open(dir, 'classic', []);
    await memo.put(diffId, facts());
    const [file] = readdirSync(dir);
    const full = path.join(dir, file ?? '');
    const text = await readFile(full, 'utf8');
    await writeFile(full, text.slice(0, text.length / 2));
    assert.equal(await memo.get(diffId), undefined);
    await writeFile(full, JSON.stringify({ ...JSON.parse(text), facts: { files: 'many' } }));
    assert.equal(await memo.get(diffId), undefined);
    assert.equal(memo.ignored.length, 2);
    // Another layer's file under this name is not trusted either.
    await writeFile(full, JSON.stringify({ ...JSON.parse(text), diffId: `sha256:${'b'.repeat(64)}` }));
    assert.equal(await memo.get(diffId), undefined);
  });

  test('facts found while searching for other given secrets are not reused; the values are not stored', async () => {
    const dir = mkdtempSync(path.join(work, 'memo-'));
    const value = 'given-secret-value-7f3a9c';
    const memo = await LayerFactsMemo.open(dir, 'classic', [{ label: 'build secret A', value }]);
    await memo.put(diffId, facts());
    assert.deepEqual(await (await LayerFactsMemo.open(dir, 'classic', [{ label: 'build secret A', value }])).get(diffId), facts());
    assert.equal(await (await LayerFactsMemo.open(dir, 'classic', [{ label: 'build secret A', value: `${value}x` }])).get(diffId), undefined);
    assert.equal(await (await LayerFactsMemo.open(dir, 'classic', [])).get(diffId), undefined);
    const stored = await readFile(path.join(dir, readdirSync(dir)[0] ?? ''), 'utf8');
    assert.ok(!stored.includes(value));
  });

  test('pruning keeps the most recently used files within the bounds', async () => {
    const dir = mkdtempSync(path.join(work, 'memo-'));
    const memo = await LayerFactsMemo.open(dir, 'classic', []);
    for (let i = 0; i < 5; i++) await memo.put(`sha256:${String(i).repeat(64)}`, facts());
    await memo.prune({ files: 3, bytes: 1 << 20 });
    assert.equal(readdirSync(dir).filter((n) => n.endsWith('.json')).length, 3);
  });

  test('the bound in bytes is checked at most once an hour; the bound in files at every prune', async () => {
    const dir = mkdtempSync(path.join(work, 'memo-'));
    const memo = await LayerFactsMemo.open(dir, 'classic', []);
    const json = (): number => readdirSync(dir).filter((n) => n.endsWith('.json')).length;
    for (let i = 0; i < 3; i++) await memo.put(`sha256:${String(i).repeat(64)}`, facts());
    const start = Date.now();
    // No full pass yet: this one runs, and under a bound of 1 byte no file stays.
    await memo.prune({ files: 10, bytes: 1 }, start);
    assert.equal(json(), 0);
    for (let i = 0; i < 3; i++) await memo.put(`sha256:${String(i).repeat(64)}`, facts());
    // Within the hour, only the count is checked.
    await memo.prune({ files: 10, bytes: 1 }, start + 30 * 60 * 1000);
    assert.equal(json(), 3);
    await memo.prune({ files: 2, bytes: 1 << 20 }, start + 30 * 60 * 1000);
    assert.equal(json(), 2);
    // An hour after the last full pass, the bytes count again.
    await memo.prune({ files: 10, bytes: 1 }, start + 30 * 60 * 1000 + 61 * 60 * 1000);
    assert.equal(json(), 0);
  });
});
