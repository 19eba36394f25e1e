/**
 * What is not a secret although it has a secret's shape: placeholders, made-up token bodies,
 * trivial passwords for local hosts, documentation and test paths. Random values are made up
 * at run time.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, test } from 'vitest';
import {
  isDocumentationHost,
  isLocalHost,
  isPlaceholder,
  jwtLookalike,
  nonProductionPath,
  patternedBody,
  urlPasswordLookalike,
} from '../../src/secrets/lookalikes.ts';
import { secretFileRule, secretValueReason } from '../../src/hygiene/rules.ts';
import { classifySecretValues, findSecretValues } from '../../src/secrets/values.ts';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pick = (alphabet: string, n: number): string => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
const b64url = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('placeholders', () => {
  test('well-known words, their compounds, leetspeak, constant names and templates', () => {
    for (const v of [
      'postgres',
      'guest',
      'pass',
      'password',
      'changeme',
      'change-me',
      'changeit',
      'randompass',
      'mysecretpassword',
      'supersecret',
      'postgres123',
      'p4ssw0rd',
      's3cret',
      'hunter2',
      'TU_PASSWORD',
      'YOUR_API_KEY',
      'contraseña',
      'dev-secret-key-123',
      'test-secret-key',
      'minioadmin',
      'redispw',
      '${DB_PASSWORD}',
      '$DB_PASSWORD',
      '{{ db_password }}',
      '<password>',
      '%(password)s',
      '****',
      'xxxxxxxx',
      '...',
      '__PASSWORD__',
      '123456',
      'abc123',
      'aaaaaaaa',
      'abcabcabc',
    ]) {
      assert.ok(isPlaceholder(v), v);
    }
  });

  test('chosen and generated passwords are not placeholders', () => {
    for (const v of ['Summer2024!', 'k7Qz9Lm2', 'correct-horse-battery-staple', pick(ALNUM, 24), pick(ALNUM, 12)]) assert.ok(!isPlaceholder(v), v);
  });
});

describe('token bodies', () => {
  test('sequences, repeats, words and single character classes are made up', () => {
    for (const body of [
      '12345678901234567890',
      'x'.repeat(36),
      'abcdefghijklmnopqrstuvwxyz0123456789',
      'IOSFODNN7EXAMPLE',
      'ThisIsNotARealTokenForTestsAtAll0000',
      'abcdabcdabcdabcdabcdabcd',
      'qwertyuiopasdfghjklzxcvbnm',
      'yourstripesecretkeyhere1',
    ]) {
      assert.ok(patternedBody(body), body);
    }
  });

  test('random bodies of every format pass, thousands of times', () => {
    for (let i = 0; i < 2000; i++) {
      for (const [body, mixed] of [
        [pick(ALNUM, 36), true],
        [pick(ALNUM, 20), true],
        [pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16), false],
        [pick('0123456789abcdef', 64), false],
      ] as const) {
        assert.ok(!patternedBody(body, mixed), body);
      }
    }
  });

  test('a body without an upper bound is judged by its start (a minified bundle, a data URL)', () => {
    const long = `xoxb-12345678901-123456789012-${pick(ALNUM, 200_000)}`;
    assert.equal(findSecretValues(long)[0]?.kind, 'slack-token');
    assert.ok(isPlaceholder('x'.repeat(100_000)));
  });

  test('a made-up Stripe live key in a test fixture is not one; a random one is', () => {
    assert.deepEqual(findSecretValues('FAKE_STRIPE_KEY = "sk_live_12345678901234567890"'), []);
    assert.equal(classifySecretValues('FAKE_STRIPE_KEY = "sk_live_12345678901234567890"')[0]?.lookalike, 'patterned');
    assert.equal(findSecretValues(`KEY = "sk_live_${pick(ALNUM, 24)}"`)[0]?.kind, 'stripe-live-key');
  });
});

describe('URL passwords', () => {
  test('local and Compose service hosts; documentation hosts', () => {
    for (const h of ['localhost', '127.0.0.1', 'db', 'rabbitmq', 'postgres', 'host.docker.internal', 'printer.local', 'api.localhost'])
      assert.ok(isLocalHost(h), h);
    for (const h of ['db.prod.acme-corp.io', 'shop.c9x2.eu-west-1.rds.amazonaws.com', 'postgres.railway.internal', '10.0.3.7']) assert.ok(!isLocalHost(h), h);
    for (const h of ['db.example.com', 'example.org', 'pypi.example', 'your-db-host.com', 'yourdomain.com', 'db.test']) assert.ok(isDocumentationHost(h), h);
    for (const h of ['mysql.prod.acme.io', 'db.acme-corp.io', 'myapp.fly.dev']) assert.ok(!isDocumentationHost(h), h);
  });

  test('what the issue reported, and the rule for each', () => {
    const cases: [string, string | undefined][] = [
      ['postgresql://postgres:postgres@localhost:5432/app', 'placeholder'],
      ['amqp://guest:guest@rabbitmq:5672//', 'placeholder'],
      ['postgresql://usuario:TU_PASSWORD@host:5432/db', 'placeholder'],
      ['postgres://user:randompass@db:5432/app', 'placeholder'],
      ['sqlalchemy.url = driver://user:pass@localhost/dbname', 'placeholder'],
      [`postgres://app:${pick(ALNUM, 10)}@db:5432/app`, 'local-trivial'],
      [`postgres://app:${pick('abcdefghijklmnopqrstuvwxyz', 20)}@localhost/app`, 'local-trivial'],
      [`postgres://app:${pick(ALNUM, 24)}@db:5432/app`, undefined],
      [`postgres://app:${pick(ALNUM, 24)}@db.prod.acme-corp.io:5432/app`, undefined],
      ['postgres://app:Summer2024!@db.prod.acme-corp.io:5432/app', undefined],
      ['postgres://admin:S3cure-Pa55@db.example.com:5432/prod', 'placeholder'],
    ];
    for (const [text, reason] of cases) {
      const [m, ...rest] = classifySecretValues(text);
      assert.equal(rest.length, 0, text);
      assert.equal(m?.kind, 'url-password', text);
      assert.equal(m.lookalike, reason, text);
    }
  });

  test('urlPasswordLookalike: the user name repeated is not a password', () => {
    assert.equal(urlPasswordLookalike('admin', 'admin', 'keycloak.prod.acme.io'), 'placeholder');
    assert.equal(urlPasswordLookalike('svc', pick(ALNUM, 24), 'keycloak.prod.acme.io'), undefined);
  });
});

describe('paths', () => {
  test('documentation, examples, tests and CI files', () => {
    const cases: [string, string | undefined][] = [
      ['/app/README.md', 'documentation'],
      ['/app/docs/deploy.txt', 'documentation'],
      ['/app/CHANGELOG', 'documentation'],
      ['/app/.env.example', 'example'],
      ['/app/config/settings.sample.py', 'example'],
      ['/app/examples/client.py', 'example'],
      ['/app/tests/conftest.py', 'test'],
      ['/app/conftest.py', 'test'],
      ['/app/src/test_orders.py', 'test'],
      ['/srv/api/orders.test.ts', 'test'],
      ['/app/spec/fixtures/x.yml', 'test'],
      ['/app/.github/workflows/ci.yml', 'ci'],
      ['/app/.gitlab-ci.yml', 'ci'],
      ['/app/.circleci/config.yml', 'ci'],
      ['/app/app/settings.py', undefined],
      ['/app/alembic.ini', undefined],
      ['/app/docker-compose.yml', undefined],
      ['/app/latest/x.py', undefined],
      ['/app/contest.py', undefined],
    ];
    for (const [p, reason] of cases) assert.equal(nonProductionPath(p), reason, p);
  });

  test('in such a file a generic credential is a note; a random token of a known format is still a secret', () => {
    const url = `DATABASE_URL = "postgresql://suite:${pick(ALNUM, 24)}@localhost/suite"`;
    assert.equal(classifySecretValues(url, [], 20, '/app/app/db.py')[0]?.lookalike, undefined);
    assert.equal(classifySecretValues(url, [], 20, '/app/tests/conftest.py')[0]?.lookalike, 'test');
    const token = `TOKEN = "ghp_${pick(ALNUM, 36)}"`;
    assert.equal(classifySecretValues(token, [], 20, '/app/tests/test_sync.py')[0]?.lookalike, undefined);
    assert.equal(classifySecretValues(token, [], 20, '/app/README.md')[0]?.lookalike, undefined);
  });
});

test('JWTs: Supabase anon keys are public, the tutorial payload is an example, others are secrets', () => {
  const jwt = (claims: object): string => `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}.${pick(ALNUM, 43)}`;
  assert.equal(jwtLookalike(jwt({ role: 'anon', iss: 'supabase' })), 'public-by-design');
  assert.equal(jwtLookalike(jwt({ sub: '1234567890', name: 'John Doe' })), 'placeholder');
  assert.equal(jwtLookalike(jwt({ role: 'service_role', iss: 'supabase' })), undefined);
  assert.equal(findSecretValues(`KEY=${jwt({ role: 'service_role', iss: 'supabase' })}`)[0]?.kind, 'jwt');
});

test('ENV and ARG values: placeholders and trivial local URLs are not secrets, whatever the name', () => {
  for (const [name, value] of [
    ['SECRET_KEY', 'changeme'],
    ['POSTGRES_PASSWORD', 'postgres'],
    ['DATABASE_URL', 'postgresql://postgres:postgres@db:5432/app'],
    ['API_TOKEN', 'YOUR_TOKEN_HERE'],
    ['RABBITMQ_URL', 'amqp://guest:guest@rabbitmq:5672/'],
  ] as const) {
    assert.equal(secretValueReason(name, value), undefined, `${name}=${value}`);
  }
  assert.equal(secretValueReason('SECRET_KEY', pick(ALNUM, 40)), 'name');
  assert.equal(secretValueReason('DATABASE_URL', `postgresql://app:${pick(ALNUM, 24)}@db.prod.acme-corp.io/app`), 'url-password');
});

test("a test suite's or CI job's .env file fails only when it sets a secret", () => {
  const rule = secretFileRule('/app/.env.test');
  assert.equal(rule?.kind, 'env-file');
  assert.ok(rule.content, 'its content decides');
  assert.ok(!rule.content('DATABASE_URL=postgresql://postgres:postgres@localhost:5432/test\nSECRET_KEY="test-secret-key"\nFEATURE_TOKEN=true\n'));
  assert.ok(rule.content(`SECRET_KEY=${pick(ALNUM, 40)}\n`));
  assert.ok(rule.content(`export DATABASE_URL='postgresql://app:${pick(ALNUM, 24)}@db.prod.acme-corp.io/app'\n`));
  assert.equal(secretFileRule('/app/.env')?.content, undefined, '.env itself is a secret file by its name');
  assert.equal(secretFileRule('/app/.env.production')?.content, undefined);
});
