/**
 * Every secret value is masked whatever its length; the configuration knows which values are
 * secrets and which of them are short (by name only).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, test } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.ts';
import type { InputName } from '../../src/inputs/inputs.ts';
import { secretValues, type SecretSources } from '../../src/config/secrets.ts';
import { redact, redactDeep } from '../../src/host/log.ts';
import { parseComposeModel } from '../../src/compose/model.ts';

describe('redact', () => {
  test('a 2-character and a 1-character secret are masked', () => {
    assert.equal(redact('deploying with key Q7', ['Q7']), 'deploying with key ***');
    assert.equal(redact('pin 5 of 5', ['5']), 'pin *** of ***');
  });

  test('longer secrets first: a short secret inside a long one does not leave the long one readable', () => {
    const long = 'tokQ7abcdef';
    assert.equal(redact(`a=${long} b=Q7`, ['Q7', long]), 'a=*** b=***');
    assert.equal(redact(`a=${long} b=Q7`, [long, 'Q7']), 'a=*** b=***');
  });

  test('an empty value masks nothing', () => {
    assert.equal(redact('text', ['']), 'text');
  });

  test('a long secret cut by a log: its first 8 characters or more, then an ellipsis', () => {
    const key = 'changethis-7Gq2mXv9Lp';
    assert.equal(redact(`{'SECRET_KEY': 'changethi...'}`, [key]), `{'SECRET_KEY': '***...'}`);
    assert.equal(redact('key changethis-7G… (cut)', [key]), 'key ***… (cut)');
    // Fewer than 8 characters, no ellipsis, or a secret under 12 characters: nothing to hide.
    assert.equal(redact('changet... changethis-7Gq2 done', [key]), 'changet... changethis-7Gq2 done');
    assert.equal(redact('abcdefgh...', ['abcdefghijk']), 'abcdefgh...');
    assert.equal(redact(`${key} and changethis-7Gq...`, [key]), '*** and ***...');
  });

  test('every string of a report, nested', () => {
    const report = { build: { failure: { logs: ['key Q7', 'done'], message: 'Q7' } }, n: 7 };
    assert.deepEqual(redactDeep(report, ['Q7']), { build: { failure: { logs: ['key ***', 'done'], message: '***' } }, n: 7 });
  });
});

describe('the configuration lists the secrets to mask', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'deploy-check-secrets-'));
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox\nEXPOSE 8000\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const load = (inputs: Partial<Record<InputName, string>>): Promise<Config> => loadConfig((n) => inputs[n] ?? '', { cwd: dir, runId: 't' });

  test('short build secrets, secret-named env values and build args are masked; plain short env values are not', async () => {
    const config = await load({
      'build-secrets': 'MYSECRET=Q7\nLONG_ONE=a-long-random-value-42',
      env: 'API_KEY=k9\nMODE=ci\nDATABASE_URL=postgres://db/app',
      'build-args': 'NPM_TOKEN=x1\nVERSION=2',
    });
    assert.deepEqual(
      ['Q7', 'a-long-random-value-42', 'k9', 'x1', 'postgres://db/app'].filter((s) => !config.secrets.includes(s)),
      [],
    );
    assert.ok(!config.secrets.includes('ci'));
    assert.ok(!config.secrets.includes('2'));
  });

  test('the short ones are named, never shown', async () => {
    const config = await load({ 'build-secrets': 'MYSECRET=Q7\nLONG_ONE=a-long-random-value-42', env: 'API_KEY=k9\nMODE=ci' });
    assert.deepEqual(config.shortSecrets, ['build secret "MYSECRET"', 'env "API_KEY"']);
    assert.doesNotMatch(JSON.stringify(config.shortSecrets), /Q7|k9/);
  });

  test('no secrets, no warning', async () => {
    assert.deepEqual((await load({ env: 'MODE=ci' })).shortSecrets, []);
  });
});

describe('values masked by their form and by where they go', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'deploy-check-forms-'));
  const GITLAB = 'glpat-' + 'Zk3vQ9mT2xWb7RcH1nLp';
  const GITHUB = 'ghp_' + 'Q4w8ErT2yU6iO0pA3sD5fG7hJ9kL1zX3cV5b';
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    `FROM busybox\nEXPOSE 8000\nRUN curl -H "PRIVATE-TOKEN: ${GITLAB}" https://gitlab.example.org/api\nENV DATABASE_URL=postgres://app:changeme@localhost/app\n`,
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const load = (inputs: Partial<Record<InputName, string>>): Promise<Config> => loadConfig((n) => inputs[n] ?? '', { cwd: dir, runId: 't' });

  test('a token in a build arg of any name, a token in the Dockerfile, a URL password alone', async () => {
    const config = await load({ 'build-args': `VERSION_NOTE=release ${GITHUB}\nRELEASE=1.2`, env: 'DB_URL=postgres://app:Vb7-k2Qz@db.internal:5432/app' });
    assert.deepEqual(
      [GITHUB, GITLAB, 'Vb7-k2Qz', 'postgres://app:Vb7-k2Qz@db.internal:5432/app'].filter((s) => !config.secrets.includes(s)),
      [],
    );
    assert.ok(!config.secrets.includes('release ' + GITHUB));
    assert.ok(!config.secrets.includes('1.2'));
    // A trivial password for a local host in the Dockerfile is not a secret there: "changeme" stays readable.
    assert.ok(!config.secrets.includes('changeme'));
    assert.deepEqual(config.shortSecrets, []);
  });

  test('a URL password that is a reference is not masked; a short one is named', async () => {
    const config = await load({ env: 'A_URL=redis://u:${REDIS_PW}@cache:6379\nB_URL=amqp://u:k9@mq/' });
    assert.ok(!config.secrets.includes('${REDIS_PW}'));
    assert.ok(config.secrets.includes('k9'));
    assert.deepEqual(config.shortSecrets, ['the URL password in env "B_URL"']);
  });

  test('Compose: the environment of the app and the dependencies it starts, not of other services', () => {
    const model = parseComposeModel(
      JSON.stringify({
        name: 'p',
        services: {
          app: {
            build: { context: dir },
            environment: { SECRET_KEY: 'changethis-7Gq2mXv9Lp', LOG_LEVEL: 'debug' },
            depends_on: { db: { condition: 'service_healthy' } },
          },
          db: { image: 'postgres', environment: { POSTGRES_PASSWORD: 'pg-pw', POSTGRES_USER: 'app' } },
          router: { image: 'router', environment: { ADMIN_PASSWORD: 'admin', DB_PASSWORD: 'db' } },
        },
      }),
    );
    const sources: SecretSources = {
      env: [],
      railwayEnv: [],
      railwaySecrets: [],
      buildSecrets: [],
      buildArgs: [],
      credentials: [],
      compose: { file: 'docker-compose.yml', project: 'p', service: 'app', serviceSource: 'build context', model, composeVersion: '2' },
      dockerfile: { name: 'Dockerfile', text: 'FROM busybox\n' },
    };
    const { secrets, shortSecrets } = secretValues(sources);
    assert.deepEqual(secrets.sort(), ['changethis-7Gq2mXv9Lp', 'pg-pw']);
    assert.deepEqual(shortSecrets, ['Compose environment "POSTGRES_PASSWORD" of "db"']);
    // What `env` overrides is not what the app receives.
    assert.deepEqual(secretValues({ ...sources, env: [{ key: 'SECRET_KEY', value: 'from-input-Lq82' }] }).secrets.sort(), ['from-input-Lq82', 'pg-pw']);
  });
});
