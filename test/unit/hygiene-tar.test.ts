/**
 * The header-only tar reader against archives written by GNU tar in the formats layers use
 * (GNU long names, PAX, ustar prefix), fed in chunks that split headers and bodies anywhere.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import zlib from 'node:zlib';
import { readImageArchive } from '../../src/hygiene/archive.ts';
import { TarFormatError, TarReader, type TarEntry } from '../../src/hygiene/tar.ts';

let dir: string;
const longDir = `deep/${'d'.repeat(90)}/${'e'.repeat(90)}`;
const longName = `${longDir}/${'f'.repeat(120)}.txt`;
/** Over 100 characters: ustar keeps it in the prefix field. */
const prefixedName = `mid/${'m'.repeat(80)}/${'n'.repeat(60)}.txt`;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hygiene-tar-'));
  const root = path.join(dir, 'root');
  mkdirSync(path.join(root, longDir), { recursive: true });
  mkdirSync(path.join(root, 'app'), { recursive: true });
  writeFileSync(path.join(root, 'app/.env'), 'TOKEN=abc\n');
  writeFileSync(path.join(root, 'app/big.bin'), Buffer.alloc(70_000, 7));
  writeFileSync(path.join(root, 'app/empty'), '');
  writeFileSync(path.join(root, 'app/.wh.old'), '');
  writeFileSync(path.join(root, longName), 'long\n');
  mkdirSync(path.join(root, path.dirname(prefixedName)), { recursive: true });
  writeFileSync(path.join(root, prefixedName), 'mid\n');
  symlinkSync('big.bin', path.join(root, 'app/link'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function archive(format: string): Buffer {
  // ustar cannot hold a name over 255 characters.
  const exclude = format === 'ustar' ? ['--exclude=./deep'] : [];
  return execFileSync('tar', ['-C', path.join(dir, 'root'), `--format=${format}`, '--sort=name', ...exclude, '-cf', '-', '.'], { maxBuffer: 1 << 26 });
}

function list(data: Buffer, chunk: number, capture: string[] = []): { entries: TarEntry[]; bodies: Map<string, string> } {
  const entries: TarEntry[] = [];
  const bodies = new Map<string, string>();
  const reader = new TarReader((entry) => {
    entries.push(entry);
    if (!capture.includes(entry.path)) return undefined;
    const parts: Buffer[] = [];
    return { data: (c) => void parts.push(Buffer.from(c)), end: () => void bodies.set(entry.path, Buffer.concat(parts).toString()) };
  });
  for (let i = 0; i < data.length; i += chunk) assert.equal(reader.push(data.subarray(i, i + chunk)), undefined);
  reader.end();
  assert.equal(reader.done, true);
  return { entries, bodies };
}

for (const format of ['gnu', 'pax', 'ustar']) {
  test(`reads every entry of a ${format} archive, whatever the chunk size`, () => {
    const data = archive(format);
    const expected = list(data, data.length).entries;
    const paths = expected.map((e) => e.path);
    assert.ok(paths.includes('app/.env'));
    assert.ok(paths.includes('app/.wh.old'));
    if (format !== 'ustar') assert.ok(paths.includes(longName), `the long name survives in ${format}`);
    assert.ok(paths.includes(prefixedName), `a name over 100 characters survives in ${format}`);
    const big = expected.find((e) => e.path === 'app/big.bin');
    assert.equal(big?.size, 70_000);
    assert.equal(big.type, 'file');
    const link = expected.find((e) => e.path === 'app/link');
    assert.deepEqual([link?.type, link?.linkPath, link?.size], ['symlink', 'big.bin', 0]);
    assert.equal(expected.find((e) => e.path === 'app/')?.type, 'directory');
    for (const chunk of [1, 511, 512, 513, 7919]) {
      const got = list(data, chunk, ['app/.env']);
      assert.deepEqual(got.entries, expected, `chunk size ${chunk}`);
      assert.equal(got.bodies.get('app/.env'), 'TOKEN=abc\n', `body with chunk size ${chunk}`);
    }
  });
}

test('a corrupted header is an error, not a silent misread', () => {
  const data = Buffer.from(archive('gnu'));
  data[10] = (data[10] ?? 0) ^ 0xff;
  assert.throws(() => list(data, 4096), TarFormatError);
});

test('a stream cut inside a body is reported as truncated', () => {
  const data = archive('gnu');
  const bigAt = data.indexOf('app/big.bin');
  assert.ok(bigAt > 0);
  const reader = new TarReader(() => undefined);
  void reader.push(data.subarray(0, bigAt + 512 + 1000));
  assert.throws(() => reader.end(), /truncated/);
});

test('a body sink that applies backpressure is awaited', async () => {
  const data = archive('pax');
  let inFlight = 0;
  let maxInFlight = 0;
  let bytes = 0;
  const reader = new TarReader((entry) =>
    entry.path === 'app/big.bin'
      ? {
          data: async (c) => {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await new Promise((r) => setImmediate(r));
            bytes += c.length;
            inFlight--;
          },
          end: () => undefined,
        }
      : undefined,
  );
  for (let i = 0; i < data.length; i += 1000) await reader.push(data.subarray(i, i + 1000));
  reader.end();
  assert.equal(bytes, 70_000);
  assert.equal(maxInFlight, 1);
});

test('docker save layouts: blobs sniffed as gzip or plain tar, ordered by manifest.json', async () => {
  // An archive shaped like the engine's: layers as blobs in digest order, JSON last.
  const layerA = archive('gnu');
  const layerB = execFileSync('tar', ['-C', path.join(dir, 'root'), '-cf', '-', 'app/.env']);
  const outer = path.join(dir, 'outer');
  mkdirSync(path.join(outer, 'blobs/sha256'), { recursive: true });
  writeFileSync(path.join(outer, 'blobs/sha256/aaa'), zlib.gzipSync(layerB));
  writeFileSync(path.join(outer, 'blobs/sha256/bbb'), layerA);
  writeFileSync(path.join(outer, 'blobs/sha256/ccc'), JSON.stringify({ config: { User: 'app' }, history: [], rootfs: { diff_ids: [] } }));
  writeFileSync(
    path.join(outer, 'manifest.json'),
    JSON.stringify([{ Config: 'blobs/sha256/ccc', RepoTags: ['x:1'], Layers: ['blobs/sha256/bbb', 'blobs/sha256/aaa'] }]),
  );
  const data = execFileSync('tar', ['-C', outer, '--sort=name', '-cf', '-', '.']);
  const seen = new Map<string, string[]>();
  const result = await readImageArchive(
    // eslint-disable-next-line @typescript-eslint/require-await -- the archive is already in memory: nothing to wait for
    (async function* () {
      for (let i = 0; i < data.length; i += 3000) yield data.subarray(i, i + 3000);
    })(),
    (key) => {
      const paths: string[] = [];
      seen.set(key, paths);
      return { visitor: (e) => void paths.push(e.path), done: () => undefined };
    },
  );
  assert.deepEqual(result.layers, ['blobs/sha256/bbb', 'blobs/sha256/aaa']);
  assert.equal(result.config?.config?.User, 'app');
  assert.equal(result.compressedLayers, 1);
  assert.deepEqual(seen.get('blobs/sha256/aaa'), ['app/.env']);
  assert.ok(seen.get('blobs/sha256/bbb')?.includes('app/big.bin'));
  assert.equal(result.bytesRead, data.length);
});

test('an archive without manifest.json is refused', async () => {
  const outer = path.join(dir, 'nomanifest');
  mkdirSync(outer, { recursive: true });
  writeFileSync(path.join(outer, 'x.json'), '{}');
  const data = execFileSync('tar', ['-C', outer, '-cf', '-', '.']);
  await assert.rejects(
    readImageArchive(
      // eslint-disable-next-line @typescript-eslint/require-await -- the archive is already in memory: nothing to wait for
      (async function* () {
        yield data;
      })(),
      () => ({ visitor: () => undefined, done: () => undefined }),
    ),
    /no manifest\.json/,
  );
});
