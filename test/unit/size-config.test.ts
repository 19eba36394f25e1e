import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'vitest';
import { ConfigError, parseSizeAmount } from '../../src/inputs/inputs.ts';
import { parseBaseline, readSizeConfig, type SizeInputName } from '../../src/config/size.ts';
import { parseImageReference, registryBaseUrl } from '../../src/inputs/image-reference.ts';

test('sizes in decimal and binary units, bare bytes and percentages', () => {
  const bytes = (raw: string): number => {
    const a = parseSizeAmount('max-size', raw, { percent: false });
    assert.equal(a.kind, 'bytes');
    return a.bytes;
  };
  assert.equal(bytes('500MB'), 500_000_000);
  assert.equal(bytes('500 MB'), 500_000_000);
  assert.equal(bytes('500mb'), 500_000_000);
  assert.equal(bytes('1.2GiB'), Math.round(1.2 * 2 ** 30));
  assert.equal(bytes('1.5GB'), 1_500_000_000);
  assert.equal(bytes('10kB'), 10_000);
  assert.equal(bytes('10KiB'), 10_240);
  assert.equal(bytes('2048'), 2048);
  assert.equal(bytes('0'), 0);
  assert.equal(bytes('300M'), 300_000_000);
  assert.equal(bytes('1TiB'), 2 ** 40);
  const percent = parseSizeAmount('max-increase', '10%', { percent: true });
  assert.deepEqual(percent, { kind: 'percent', percent: 10, raw: '10%' });
  assert.deepEqual(parseSizeAmount('max-increase', ' 2.5 % ', { percent: true }), { kind: 'percent', percent: 2.5, raw: '2.5 %' });
});

test('bad sizes are refused with a message naming the input and what it accepts', () => {
  for (const raw of ['12XB', 'abc', '-5%', '-5MB', '5 M B', '', 'MB', '1e6', '5%%']) {
    assert.throws(
      () => parseSizeAmount('max-increase', raw, { percent: true }),
      (err: unknown) => err instanceof ConfigError && err.input === 'max-increase' && /Input "max-increase"/.test(err.message) && /MB/.test(err.message),
      raw,
    );
  }
  assert.throws(() => parseSizeAmount('max-size', '10%', { percent: false }), /Input "max-size": "10%" is a percentage/);
  assert.throws(() => parseSizeAmount('max-increase', '-5%', { percent: true }), /negative/);
});

function reader(values: Partial<Record<SizeInputName, string>>): (name: SizeInputName) => string {
  return (name) => values[name] ?? '';
}

test('size config: defaults, budgets, metric and the registry credentials pair', () => {
  const defaults = readSizeConfig(reader({}), '/', undefined);
  assert.deepEqual(defaults.baseline, { kind: 'auto' });
  assert.equal(defaults.metric, 'compressed');
  assert.equal(defaults.maxSize, undefined);
  assert.equal(defaults.maxIncrease, undefined);
  assert.deepEqual(defaults.commentThreshold, { kind: 'percent', percent: 1, raw: '1%' });

  const set = readSizeConfig(
    reader({ 'max-size': '500MB', 'max-increase': '10%', 'size-metric': 'Uncompressed', 'size-comment-threshold': '1MB', baseline: 'none' }),
    '/',
    undefined,
  );
  assert.equal(set.maxSize?.bytes, 500_000_000);
  assert.deepEqual(set.maxIncrease, { kind: 'percent', percent: 10, raw: '10%' });
  assert.equal(set.metric, 'uncompressed');
  assert.deepEqual(set.commentThreshold, { kind: 'bytes', bytes: 1_000_000, raw: '1MB' });
  assert.deepEqual(set.baseline, { kind: 'none' });

  assert.throws(() => readSizeConfig(reader({ 'max-size': '0' }), '/', undefined), /Input "max-size": "0" must be greater than zero/);
  assert.throws(() => readSizeConfig(reader({ 'size-metric': 'gzip' }), '/', undefined), /Input "size-metric"/);
  assert.throws(() => readSizeConfig(reader({ 'size-comment-threshold': 'lots' }), '/', undefined), /Input "size-comment-threshold"/);
  // The registry credentials are the shared pair, read once in config/registry.ts.
  assert.deepEqual(readSizeConfig(reader({}), '/', { username: 'me', password: 'pw' }).registryCredentials, { username: 'me', password: 'pw' });
});

test('baseline: auto, none, an existing report file, or an image reference', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'size-config-'));
  try {
    await writeFile(path.join(dir, 'base.json'), '{}');
    assert.deepEqual(parseBaseline('', dir), { kind: 'auto' });
    assert.deepEqual(parseBaseline('AUTO', dir), { kind: 'auto' });
    assert.deepEqual(parseBaseline('none', dir), { kind: 'none' });
    assert.deepEqual(parseBaseline('base.json', dir), { kind: 'file', path: path.join(dir, 'base.json') });
    assert.throws(() => parseBaseline('missing.json', dir), /Input "baseline": no report file at/);
    const image = parseBaseline('127.0.0.1:5000/shop/api:main', dir);
    assert.equal(image.kind, 'image');
    assert.throws(() => parseBaseline('Not An Image!', dir), /Input "baseline": "Not An Image!" is neither/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('image references resolve as the Docker CLI resolves them', () => {
  assert.deepEqual(parseImageReference('busybox'), {
    registry: 'registry-1.docker.io',
    repository: 'library/busybox',
    tag: 'latest',
    digest: undefined,
    text: 'busybox',
  });
  assert.equal(parseImageReference('acme/api:1.2')?.repository, 'acme/api');
  assert.equal(parseImageReference('acme/api:1.2')?.registry, 'registry-1.docker.io');
  const local = parseImageReference('127.0.0.1:5000/shop/api:main');
  assert.equal(local?.registry, '127.0.0.1:5000');
  assert.equal(local.repository, 'shop/api');
  assert.equal(local.tag, 'main');
  const pinned = parseImageReference(`ghcr.io/acme/api@sha256:${'a'.repeat(64)}`);
  assert.equal(pinned?.tag, undefined);
  assert.equal(pinned?.digest, `sha256:${'a'.repeat(64)}`);
  assert.equal(parseImageReference('localhost:5000/x')?.registry, 'localhost:5000');
  assert.equal(parseImageReference('UPPER/case'), undefined);
  assert.equal(registryBaseUrl('127.0.0.1:5001'), 'http://127.0.0.1:5001');
  assert.equal(registryBaseUrl('ghcr.io'), 'https://ghcr.io');
});
