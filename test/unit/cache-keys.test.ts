import assert from 'node:assert/strict';
import { test } from 'vitest';
import { readCacheConfig, type CacheInputName } from '../../src/config/cache.ts';
import { cacheKeys, defaultKeyPrefix, fingerprint } from '../../src/cache/key.ts';
import { ConfigError } from '../../src/inputs/inputs.ts';

const base = { revision: 'a'.repeat(40), dockerfileText: 'FROM scratch\n', target: undefined, buildArgs: [], mode: 'max' as const };

test('the default prefix names the Dockerfile from the workspace root, the target and the platform', () => {
  const cases: { dockerfile: string; target?: string; want: string }[] = [
    { dockerfile: '/w/repo/Dockerfile', want: 'deploy-check-linux-x64-Dockerfile' },
    { dockerfile: '/w/repo/services/api/Dockerfile', want: 'deploy-check-linux-x64-services/api/Dockerfile' },
    { dockerfile: '/w/repo/Dockerfile', target: 'runtime', want: 'deploy-check-linux-x64-Dockerfile:runtime' },
    // Outside the workspace: the absolute path.
    { dockerfile: '/srv/other/Dockerfile', want: 'deploy-check-linux-x64-srv/other/Dockerfile' },
    // Characters a key may not hold, or that separate prefix and fingerprint.
    { dockerfile: '/w/repo/my app,v2#1/Dockerfile', want: 'deploy-check-linux-x64-my_app_v2_1/Dockerfile' },
  ];
  for (const c of cases) {
    assert.equal(defaultKeyPrefix({ dockerfile: c.dockerfile, target: c.target, root: '/w/repo', platform: 'linux', arch: 'x64' }), c.want, c.dockerfile);
  }
});

test('a target and a Dockerfile named like it do not share a prefix', () => {
  const withTarget = defaultKeyPrefix({ dockerfile: '/r/Dockerfile', target: 'prod', root: '/r' });
  const otherFile = defaultKeyPrefix({ dockerfile: '/r/Dockerfile-prod', target: undefined, root: '/r' });
  assert.notEqual(withTarget, otherFile);
  assert.ok(!cacheKeys(otherFile, 'f').key.startsWith(cacheKeys(withTarget, 'f').restoreKeys[0] ?? ''));
});

test('the key is prefix#fingerprint and restores by the prefix with its separator', () => {
  const keys = cacheKeys('api', '0123456789abcdef');
  assert.equal(keys.key, 'api#0123456789abcdef');
  assert.deepEqual(keys.restoreKeys, ['api#']);
  // "api#" never matches an entry of the image "api-worker".
  assert.ok(!cacheKeys('api-worker', '0123456789abcdef').key.startsWith('api#'));
});

test('the fingerprint is stable for an identical run and changes with anything that changes the build', () => {
  const same = fingerprint(base);
  assert.equal(fingerprint({ ...base }), same);
  assert.match(same, /^[0-9a-f]{16}$/);
  const variants = [
    { ...base, revision: 'b'.repeat(40) },
    { ...base, dockerfileText: 'FROM scratch\nCOPY . /\n' },
    { ...base, target: 'runtime' },
    { ...base, buildArgs: [{ key: 'VERSION', value: '2' }] },
    { ...base, mode: 'min' as const },
  ];
  const seen = new Set([same]);
  for (const v of variants) seen.add(fingerprint(v));
  assert.equal(seen.size, variants.length + 1);
  // Boundaries between parts are unambiguous.
  assert.notEqual(fingerprint({ ...base, buildArgs: [{ key: 'A', value: 'B=C' }] }), fingerprint({ ...base, buildArgs: [{ key: 'A=B', value: 'C' }] }));
});

function reader(values: Partial<Record<CacheInputName, string>>): (name: CacheInputName) => string {
  return (name) => values[name] ?? '';
}

test('cache inputs: defaults and accepted values', () => {
  const defaults = readCacheConfig(reader({}), { cwd: '/w' });
  assert.deepEqual(defaults, { enabled: true, mode: 'max', keyPrefix: undefined, save: 'always', timeoutMs: 600_000, dir: undefined });
  const set = readCacheConfig(
    reader({ cache: 'FALSE', 'cache-mode': 'min', 'cache-key': 'shop-api', 'cache-save': 'default-branch', 'cache-timeout': '90s' }),
    { cwd: '/w', cacheDir: '.cache/layers' },
  );
  assert.deepEqual(set, { enabled: false, mode: 'min', keyPrefix: 'shop-api', save: 'default-branch', timeoutMs: 90_000, dir: '/w/.cache/layers' });
});

test('bad cache inputs name the input, the value and what is accepted', () => {
  const bad: [CacheInputName, string, RegExp][] = [
    ['cache', 'yes', /Input "cache": "yes" is not a switch; use true or false/],
    ['cache-mode', 'all', /Input "cache-mode": "all" is not accepted; use max or min/],
    ['cache-save', 'main', /Input "cache-save": "main" is not accepted; use always, default-branch or never/],
    ['cache-key', 'a,b', /Input "cache-key": .*comma/],
    ['cache-key', 'a#b', /Input "cache-key": .*"#"/],
    ['cache-key', 'a b', /Input "cache-key": .*whitespace/],
    ['cache-key', 'k'.repeat(401), /Input "cache-key": is 401 characters long/],
    ['cache-timeout', 'soon', /Input "cache-timeout": "soon" is not a duration/],
  ];
  for (const [name, value, message] of bad) {
    assert.throws(
      () => readCacheConfig(reader({ [name]: value }), { cwd: '/w' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.input, name);
        assert.match(err.message, message);
        return true;
      },
    );
  }
});
