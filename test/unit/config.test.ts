import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, test } from 'vitest';
import { DEFAULT_HEALTH_TIMEOUT_MS, loadConfig, type Config } from '../../src/config/config.ts';
import { INPUT_NAMES, ConfigError, type InputName } from '../../src/inputs/inputs.ts';

/** Railway read railway.json/toml until 2026-12-01: these tests are of a Railway that still reads them. */
const BEFORE_CUTOFF = new Date('2026-11-30T12:00:00Z');

const root = mkdtempSync(path.join(os.tmpdir(), 'deploy-check-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirCount = 0;
/** A fresh directory holding the given files. */
function project(files: Record<string, string>): string {
  const dir = path.join(root, `p${++dirCount}`);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

function load(cwd: string, inputs: Partial<Record<InputName, string>> = {}): Promise<Config> {
  for (const name of Object.keys(inputs)) assert.ok((INPUT_NAMES as readonly string[]).includes(name), `unknown input ${name}`);
  return loadConfig((name) => inputs[name] ?? '', { cwd, runId: 'test-run', now: BEFORE_CUTOFF });
}

async function rejectsInput(promise: Promise<unknown>, input: string, pattern?: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.equal(err.input, input);
    assert.ok(err.message.includes(`"${input}"`), err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

const WEB = 'FROM busybox\nEXPOSE 8000\nCMD ["httpd", "-f"]\n';

describe('railway.json / railway.toml discovery and precedence', () => {
  test('railway.json in the context gives the health path and timeout', async () => {
    const dir = project({ Dockerfile: WEB, 'railway.json': JSON.stringify({ deploy: { healthcheckPath: '/health', healthcheckTimeout: 45 } }) });
    const c = await load(dir);
    assert.equal(c.health.path, '/health');
    assert.equal(c.health.pathSource, 'railway.json');
    assert.equal(c.health.timeoutMs, 45_000);
    assert.equal(c.health.strategy, 'http');
    assert.equal(c.railwayFile?.file, path.join(dir, 'railway.json'));
  });

  test('an invalid railway.json that Railway no longer reads does not fail the check; one it still reads does', async () => {
    const dir = project({ Dockerfile: WEB, 'railway.json': '{ "deploy": { "healthcheckPath": "/h\\n::warning::x" } }' });
    const after = await loadConfig((name) => (name === 'context' ? dir : ''), { cwd: dir, runId: 'test-run', now: new Date('2026-12-06T00:00:00Z') });
    assert.equal(after.railwayFile, undefined);
    assert.match(after.railwayNotes.join('\n'), /no longer reads is not valid either/);
    await rejectsInput(load(dir), 'railway.json deploy.healthcheckPath');
    const broken = project({ Dockerfile: WEB, 'railway.json': '{ not json' });
    await rejectsInput(
      loadConfig((name) => (name === 'context' ? broken : name === 'railway-config-file' ? 'true' : ''), { cwd: broken, runId: 'test-run' }),
      'railway-config',
    );
  });

  test('railway.toml is read the same way', async () => {
    const dir = project({ Dockerfile: WEB, 'railway.toml': '[deploy]\nhealthcheckPath = "/ready"\nhealthcheckTimeout = 20\n' });
    const c = await load(dir);
    assert.equal(c.health.path, '/ready');
    assert.equal(c.health.pathSource, 'railway.toml');
    assert.equal(c.health.timeoutMs, 20_000);
  });

  test('railway.json wins over railway.toml in the same directory', async () => {
    const dir = project({
      Dockerfile: WEB,
      'railway.json': JSON.stringify({ deploy: { healthcheckPath: '/from-json' } }),
      'railway.toml': '[deploy]\nhealthcheckPath = "/from-toml"\n',
    });
    assert.equal((await load(dir)).health.path, '/from-json');
  });

  test('the build context is searched before the working directory', async () => {
    const repo = project({
      'railway.json': JSON.stringify({ deploy: { healthcheckPath: '/repo' } }),
      'svc/Dockerfile': WEB,
      'svc/railway.toml': '[deploy]\nhealthcheckPath = "/service"\n',
      'other/Dockerfile': WEB,
    });
    assert.equal((await load(repo, { context: 'svc' })).health.path, '/service');
    // No file in the context: the repository root's.
    assert.equal((await load(repo, { context: 'other' })).health.path, '/repo');
  });

  test('inputs win over the file', async () => {
    const dir = project({ Dockerfile: WEB, 'railway.json': JSON.stringify({ deploy: { healthcheckPath: '/health', healthcheckTimeout: 45 } }) });
    const c = await load(dir, { 'health-path': '/live', 'health-timeout': '5s' });
    assert.equal(c.health.path, '/live');
    assert.equal(c.health.pathSource, 'input');
    assert.equal(c.health.timeoutMs, 5000);
  });

  test('build.dockerfilePath is relative to the railway file; the dockerfile input wins over it', async () => {
    const dir = project({
      'railway.json': JSON.stringify({ build: { dockerfilePath: 'docker/Dockerfile.prod' } }),
      'docker/Dockerfile.prod': WEB,
      'Dockerfile.dev': 'FROM busybox\nEXPOSE 9000\n',
    });
    const fromFile = await load(dir);
    assert.equal(fromFile.dockerfile, path.join(dir, 'docker/Dockerfile.prod'));
    assert.equal(fromFile.port, 8000);
    const fromInput = await load(dir, { dockerfile: 'Dockerfile.dev' });
    assert.equal(fromInput.dockerfile, path.join(dir, 'Dockerfile.dev'));
    assert.equal(fromInput.port, 9000);
  });

  test('a dockerfilePath that does not exist is reported against the railway file', async () => {
    const dir = project({ 'railway.json': JSON.stringify({ build: { dockerfilePath: 'nope/Dockerfile' } }) });
    await assert.rejects(load(dir), (err: unknown) => err instanceof ConfigError && /railway\.json build\.dockerfilePath/.test(err.input));
  });

  test('an unparsable railway file is a configuration error', async () => {
    const dir = project({ Dockerfile: WEB, 'railway.json': '{ "deploy": ' });
    await rejectsInput(load(dir), 'railway-config', /railway\.json could not be parsed/);
  });

  test('without any file: no path, the default timeout', async () => {
    const c = await load(project({ Dockerfile: WEB }));
    assert.equal(c.health.path, undefined);
    assert.equal(c.health.pathSource, undefined);
    assert.equal(c.health.timeoutMs, DEFAULT_HEALTH_TIMEOUT_MS);
    assert.equal(c.railwayFile, undefined);
  });
});

describe('wait policy: auto → http, healthcheck or tcp', () => {
  const HC = 'HEALTHCHECK CMD wget -q -O /dev/null http://127.0.0.1:8000/\n';
  const cases: { name: string; dockerfile: string; inputs?: Partial<Record<InputName, string>>; strategy: string; path?: string | undefined }[] = [
    { name: 'health path and a port: http', dockerfile: WEB + HC, inputs: { 'health-path': '/health' }, strategy: 'http', path: '/health' },
    { name: 'HEALTHCHECK and no health path: healthcheck', dockerfile: WEB + HC, strategy: 'healthcheck' },
    { name: 'HEALTHCHECK without EXPOSE: healthcheck', dockerfile: 'FROM busybox\n' + HC, strategy: 'healthcheck' },
    { name: 'only EXPOSE: tcp', dockerfile: WEB, strategy: 'tcp' },
    { name: 'HEALTHCHECK NONE counts as none: tcp', dockerfile: WEB + 'HEALTHCHECK NONE\n', strategy: 'tcp' },
    {
      name: 'HEALTHCHECK inherited from an earlier stage: healthcheck',
      dockerfile: 'FROM busybox AS base\n' + HC + 'FROM base AS runtime\nEXPOSE 8000\n',
      strategy: 'healthcheck',
    },
    { name: 'explicit http without a path probes /', dockerfile: WEB + HC, inputs: { 'wait-for': 'http' }, strategy: 'http', path: '/' },
    { name: 'explicit tcp despite a HEALTHCHECK', dockerfile: WEB + HC, inputs: { 'wait-for': 'TCP' }, strategy: 'tcp' },
    { name: 'explicit healthcheck', dockerfile: WEB, inputs: { 'wait-for': 'healthcheck' }, strategy: 'healthcheck' },
    { name: 'log strategy needs no port', dockerfile: 'FROM busybox\n', inputs: { 'wait-for': 'log:ready' }, strategy: 'log' },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const config = await load(project({ Dockerfile: c.dockerfile }), c.inputs);
      assert.equal(config.health.strategy, c.strategy);
      assert.equal(config.health.automatic, (c.inputs?.['wait-for'] ?? 'auto') === 'auto');
      if ('path' in c) assert.equal(config.health.path, c.path);
    });
  }

  test('log:<regex> keeps the pattern', async () => {
    const c = await load(project({ Dockerfile: 'FROM busybox\n' }), { 'wait-for': 'log:listening on \\d+' });
    assert.ok(c.health.logPattern?.test('INFO listening on 8000'));
    assert.equal(c.health.logPattern?.test('listening on port'), false);
  });

  test('nothing to wait for (no EXPOSE, no HEALTHCHECK) is refused before any work', async () => {
    await rejectsInput(load(project({ Dockerfile: 'FROM busybox\nCMD ["true"]\n' })), 'port', /nothing to wait for/);
  });

  test('http without a port is refused', async () => {
    await rejectsInput(load(project({ Dockerfile: 'FROM busybox\n' }), { 'wait-for': 'http' }), 'port', /needs a container port/);
  });
});

describe('ports', () => {
  test('the only EXPOSE, inherited through FROM <stage>', async () => {
    const c = await load(project({ Dockerfile: 'FROM busybox AS base\nEXPOSE 7000/tcp\nFROM base\nCMD ["x"]\n' }));
    assert.equal(c.port, 7000);
  });
  test('an unrelated stage does not lend its EXPOSE', async () => {
    const c = await load(project({ Dockerfile: 'FROM busybox AS tools\nEXPOSE 7000\nFROM busybox\nEXPOSE 8000\n' }));
    assert.equal(c.port, 8000);
  });
  test('two exposed ports are ambiguous; the port input settles it', async () => {
    const dir = project({ Dockerfile: 'FROM busybox\nEXPOSE 8000 9000\n' });
    await rejectsInput(load(dir), 'port', /8000, 9000/);
    assert.equal((await load(dir, { port: '9000' })).port, 9000);
  });
  test('a port that is not a number', async () => {
    await rejectsInput(load(project({ Dockerfile: WEB }), { port: 'http' }), 'port', /not a TCP port/);
  });
});

describe('other inputs', () => {
  test('missing Dockerfile names the input', async () => {
    await rejectsInput(load(project({ 'app.py': '' })), 'dockerfile', /no Dockerfile/);
    await rejectsInput(load(project({ Dockerfile: WEB }), { dockerfile: 'Dockerfile.missing' }), 'dockerfile');
  });
  test('a context that is not a directory', async () => {
    await rejectsInput(load(project({ Dockerfile: WEB }), { context: 'nope' }), 'context', /not a directory/);
  });
  test('unknown target stage lists the stages', async () => {
    const dir = project({ Dockerfile: 'FROM busybox AS base\nFROM base AS runtime\nEXPOSE 8000\n' });
    await rejectsInput(load(dir, { target: 'prod' }), 'target', /"prod".*base, runtime/);
    const c = await load(dir, { target: 'RUNTIME' });
    assert.equal(c.dockerfileFacts.finalStage?.name, 'runtime');
  });
  test('timeouts that are negative or not numbers', async () => {
    const dir = project({ Dockerfile: WEB });
    for (const t of ['-5', 'soon', '0']) await rejectsInput(load(dir, { 'health-timeout': t }), 'health-timeout');
  });
  test('malformed build-args, env and build-secrets lines', async () => {
    const dir = project({ Dockerfile: WEB });
    await rejectsInput(load(dir, { 'build-args': 'GOOD=1\nbad line' }), 'build-args', /line 2/);
    await rejectsInput(load(dir, { env: 'no-equals-sign' }), 'env', /line 1/);
    await rejectsInput(load(dir, { 'build-secrets': 'token' }), 'build-secrets', /id=VALUE/);
  });
  test('invalid regular expressions', async () => {
    const dir = project({ Dockerfile: WEB });
    await rejectsInput(load(dir, { 'health-body': '"status": ("ok"' }), 'health-body', /not a valid regular expression/);
    await rejectsInput(load(dir, { 'wait-for': 'log:[unclosed' }), 'wait-for', /not a valid regular expression/);
    await rejectsInput(load(dir, { 'wait-for': 'log:' }), 'wait-for', /empty/);
    await rejectsInput(load(dir, { 'wait-for': 'sometimes' }), 'wait-for', /not a wait strategy/);
  });
  test('health-path must be absolute', async () => {
    await rejectsInput(load(project({ Dockerfile: WEB }), { 'health-path': 'health' }), 'health-path');
  });
  test('image: a default tag per run, a valid reference otherwise', async () => {
    const dir = project({ 'My App/Dockerfile': WEB });
    assert.equal((await load(dir, { context: 'My App' })).image, 'deploy-check-local/my-app:test-run');
    assert.equal((await load(dir, { context: 'My App', image: '127.0.0.1:5000/shop/api:pr-7' })).image, '127.0.0.1:5000/shop/api:pr-7');
    await rejectsInput(load(dir, { context: 'My App', image: 'Shop/API:latest' }), 'image');
  });
  test('env-file then env; values of env and build secrets are secrets', async () => {
    const dir = project({ Dockerfile: WEB, 'app.env': 'export DATABASE_URL=postgres://u:pw@db/app\n# comment\nMODE=test\n' });
    const c = await load(dir, { 'env-file': 'app.env', env: 'API_TOKEN=tok-123456\nX=1', 'build-secrets': 'npm=npm-secret-token' });
    assert.deepEqual(
      c.env.map((e) => e.key),
      ['DATABASE_URL', 'MODE', 'API_TOKEN', 'X'],
    );
    assert.deepEqual(c.buildSecrets, [{ key: 'npm', value: 'npm-secret-token' }]);
    // Plain values under 3 characters are not masked: they would mangle every log line. A URL's
    // password is a secret whatever its length (the log names it as short).
    assert.deepEqual([...c.secrets].sort(), ['npm-secret-token', 'postgres://u:pw@db/app', 'pw', 'test', 'tok-123456'].sort());
    assert.deepEqual(c.shortSecrets, ['the URL password in env "DATABASE_URL"']);
    await rejectsInput(load(dir, { 'env-file': 'missing.env' }), 'env-file');
  });
});
