/** Secrets by value: the formats, what is not one, fingerprints, redaction. Values are made up at run time. */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, test } from 'vitest';
import {
  findSecretValues,
  fingerprint,
  isFlagValue,
  isPublicByDesignName,
  mayHoldSecret,
  redactSecretValues,
  type ValueKind,
} from '../../src/secrets/values.ts';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pick = (alphabet: string, n: number): string => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
const b64url = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

const samples: [ValueKind, string][] = [
  ['aws-access-key-id', `AKIA${pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`],
  ['github-token', `ghp_${pick(ALNUM, 36)}`],
  ['github-token', `ghs_${pick(ALNUM, 36)}`],
  ['github-token', `github_pat_${pick(ALNUM, 22)}_${pick(ALNUM, 59)}`],
  ['npm-token', `npm_${pick(ALNUM, 36)}`],
  ['slack-token', `xoxb-${pick('0123456789', 11)}-${pick('0123456789', 12)}-${pick(ALNUM, 24)}`],
  ['stripe-live-key', `sk_live_${pick(ALNUM, 24)}`],
  ['google-api-key', `AIza${pick(ALNUM, 35)}`],
  ['gitlab-token', `glpat-${pick(ALNUM, 20)}`],
  ['jwt', `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: 'svc-billing', iat: 1_700_000_000 })}.${pick(ALNUM, 43)}`],
];

describe('known formats', () => {
  for (const [kind, value] of samples) {
    test(`${kind}: found in text, with its line, never shown in full`, () => {
      const text = `# settings\nfirst = 1\nvalue = "${value}"\n`;
      assert.ok(mayHoldSecret(text));
      const [m, ...rest] = findSecretValues(text);
      assert.equal(rest.length, 0, JSON.stringify(rest));
      assert.equal(m?.kind, kind);
      assert.equal(m.line, 3);
      assert.equal(m.secret, value);
      assert.ok(!m.fingerprint.includes(value.slice(0, Math.max(12, value.length - 4))));
    });
  }

  test('a PEM private key with a body; the BEGIN line alone is not one', () => {
    const body = Array.from({ length: 6 }, () => pick(ALNUM, 64)).join('\n');
    const key = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    assert.equal(findSecretValues(`key = """\n${key}\n"""`)[0]?.kind, 'private-key');
    assert.deepEqual(findSecretValues('if line.startswith("-----BEGIN RSA PRIVATE KEY-----"):'), []);
  });

  test('registry auth lines and URL passwords; placeholders and references are not', () => {
    const token = pick(ALNUM, 30);
    assert.equal(findSecretValues(`//registry.example.com/:_authToken=${token}`)[0]?.kind, 'registry-auth-line');
    assert.equal(findSecretValues(`machine api.example.com login me password ${token}`)[0]?.kind, 'registry-auth-line');
    assert.equal(findSecretValues(`DATABASE_URL=postgres://app:${token}@db:5432/app`)[0]?.kind, 'url-password');
    for (const text of [
      '//registry.npmjs.org/:_authToken=${NPM_TOKEN}',
      'postgres://app:${DB_PASSWORD}@db/app',
      'postgres://user:password@localhost/db',
      'https://user:<password>@example.com',
      'see https://example.com/docs:8080@home',
    ]) {
      assert.deepEqual(findSecretValues(text), [], text);
    }
  });

  test('an npm token inside an auth line is one finding, of the specific kind', () => {
    const found = findSecretValues(`//registry.npmjs.org/:_authToken=npm_${pick(ALNUM, 36)}`);
    assert.deepEqual(
      found.map((m) => m.kind),
      ['npm-token'],
    );
  });

  test('look-alikes: documentation examples, low-variety strings, publishable keys', () => {
    for (const text of [
      'AKIAIOSFODNN7EXAMPLE',
      `ghp_${'x'.repeat(36)}`,
      `pk_live_${pick(ALNUM, 24)}`,
      'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
      'eyJhbGciOiJIUzI1NiJ9',
    ]) {
      assert.deepEqual(findSecretValues(text), [], text);
    }
  });
});

describe('given secrets', () => {
  test('found by exact value, named by where they were given; short ones are not searched', () => {
    const value = `v-${pick(ALNUM, 16)}`;
    const [m] = findSecretValues(`a\nb ${value} c\n`, [{ label: 'build secret NPM_TOKEN', value }]);
    assert.equal(m?.kind, 'given-secret');
    assert.equal(m.source, 'build secret NPM_TOKEN');
    assert.equal(m.line, 2);
    assert.equal(m.fingerprint, `${value.length} chars`);
    assert.deepEqual(findSecretValues('x ab y', [{ label: 'build secret S', value: 'ab' }]), []);
  });
});

test('fingerprints: a fixed prefix, the length and a short hash for tokens; only the length otherwise', () => {
  const token = `ghp_${pick(ALNUM, 36)}`;
  assert.match(fingerprint(token, 'ghp_'), /^ghp_… \(40 chars, sha256:[0-9a-f]{8}\)$/);
  assert.equal(fingerprint(token, 'ghp_'), fingerprint(token, 'ghp_'));
  assert.equal(fingerprint('hunter2!', ''), '8 chars');
});

test('redaction replaces every secret in an instruction', () => {
  const token = `npm_${pick(ALNUM, 36)}`;
  const text = `RUN echo "//registry.npmjs.org/:_authToken=${token}" > .npmrc`;
  assert.equal(redactSecretValues(text), 'RUN echo "//registry.npmjs.org/:_authToken=***" > .npmrc');
  assert.equal(redactSecretValues('RUN apt-get update'), 'RUN apt-get update');
});

test('flags and public-by-design names', () => {
  for (const v of ['true', 'FALSE', '0', '1', 'yes', 'off', '8080', 'none']) assert.ok(isFlagValue(v), v);
  for (const v of ['s3cr3t-value', 'true-ish-token']) assert.ok(!isFlagValue(v), v);
  for (const n of ['STRIPE_PUBLISHABLE_KEY', 'NEXT_PUBLIC_API_KEY', 'VITE_KEY', 'SUPABASE_ANON_KEY', 'JWT_PUBLIC_KEY']) assert.ok(isPublicByDesignName(n), n);
  for (const n of ['STRIPE_SECRET_KEY', 'API_KEY', 'PUBLICATION_TOKEN']) assert.ok(!isPublicByDesignName(n), n);
});
