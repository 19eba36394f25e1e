import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'vitest';
import { SECRET_INPUTS, loadConfig } from '../../src/config/config.ts';
import { INPUT_NAMES, ConfigError, type InputName } from '../../src/inputs/inputs.ts';
import { readRegistryCredentials } from '../../src/config/registry.ts';
import { readDeployConfig } from '../../src/config/deploy.ts';
import type { ServiceLookup } from '../../src/config/railway-settings.ts';
import { findConfigDrift } from '../../src/config/railway-settings.ts';

/** Railway read railway.json/toml until 2026-12-01: these tests are of a Railway that still reads them. */
const BEFORE_CUTOFF = new Date('2026-11-30T12:00:00Z');

const reader =
  (inputs: Partial<Record<InputName, string>>) =>
  (name: InputName): string =>
    inputs[name] ?? '';

function configError(fn: () => unknown, input: string, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.input, input);
    assert.match(err.message, message);
    return true;
  });
}

test('deploy defaults: auto, commit, wait 15 minutes, a waiting deployment fails, no smoke check, no token', () => {
  const c = readDeployConfig(reader({}));
  assert.deepEqual(c, {
    mode: 'auto',
    source: 'commit',
    pushImage: undefined,
    wait: true,
    timeoutMs: 900_000,
    onApproval: 'fail',
    smoke: undefined,
    trigger: 'auto',
    rollback: true,
    preview: false,
    railway: undefined,
  });
});

test('railway-token-type auto: a project token unless railway-project is given', () => {
  const project = readDeployConfig(reader({ 'railway-token': 'tok-project-1234', 'railway-service': 'web' })).railway;
  assert.equal(project?.tokenType, 'project');
  assert.equal(project.tokenTypeGuessed, true);
  const account = readDeployConfig(reader({ 'railway-token': 'tok-account-1234', 'railway-project': 'shop' })).railway;
  assert.equal(account?.tokenType, 'account');
  const explicit = readDeployConfig(reader({ 'railway-token': 'tok', 'railway-token-type': 'Project' })).railway;
  assert.equal(explicit?.tokenType, 'project');
  assert.equal(explicit.tokenTypeGuessed, false);
});

test('bad deploy inputs name the input and what is accepted, never the token', () => {
  configError(() => readDeployConfig(reader({ deploy: 'sometimes' })), 'deploy', /"sometimes" is not accepted; use auto, always or never/);
  configError(() => readDeployConfig(reader({ 'deploy-source': 'git' })), 'deploy-source', /use commit or image/);
  configError(() => readDeployConfig(reader({ 'deploy-source': 'image' })), 'push-image', /set push-image/);
  configError(() => readDeployConfig(reader({ 'push-image': 'GHCR.io/Acme/Shop' })), 'push-image', /not an image repository/);
  configError(() => readDeployConfig(reader({ 'push-image': 'ghcr.io/acme/shop@sha256:' + 'a'.repeat(64) })), 'push-image', /carries a digest/);
  configError(() => readDeployConfig(reader({ 'deploy-wait': 'yes' })), 'deploy-wait', /true or false/);
  configError(() => readDeployConfig(reader({ 'deploy-timeout': 'soon' })), 'deploy-timeout', /not a duration/);
  configError(() => readDeployConfig(reader({ 'deploy-wait-approval': 'maybe' })), 'deploy-wait-approval', /use pass or fail/);
  configError(() => readDeployConfig(reader({ 'smoke-path': 'health' })), 'smoke-path', /must start with "\/"/);
  configError(() => readDeployConfig(reader({ deploy: 'always' })), 'railway-token', /no Railway token/);
  configError(() => readDeployConfig(reader({ 'railway-token': 'tok', 'railway-token-type': 'account' })), 'railway-project', /set railway-project/);
  const secret = 'tok en-with-space-9f8e7d';
  assert.throws(
    () => readDeployConfig(reader({ 'railway-token': secret })),
    (err: Error) => !err.message.includes(secret) && /white space/.test(err.message),
  );
});

test('registry credentials: both or neither, the password verbatim', () => {
  assert.equal(readRegistryCredentials(reader({})), undefined);
  assert.deepEqual(readRegistryCredentials(reader({ 'registry-username': 'dcuser', 'registry-password': ' p@ss word \n' })), {
    username: 'dcuser',
    password: ' p@ss word ',
  });
  configError(() => readRegistryCredentials(reader({ 'registry-username': 'dcuser' })), 'registry-password', /give both or neither/);
  configError(() => readRegistryCredentials(reader({ 'registry-password': 'x' })), 'registry-username', /give both or neither/);
});

test('the token and the registry password are secrets of the config, and inputs the action masks first', async () => {
  assert.ok(SECRET_INPUTS.includes('railway-token') && SECRET_INPUTS.includes('registry-password'));
  for (const name of SECRET_INPUTS) assert.ok((INPUT_NAMES as readonly string[]).includes(name));
  await withApp({}, async (dir) => {
    const config = await loadConfig(
      reader({ context: dir, 'railway-token': 'railway-secret-token', 'registry-username': 'u', 'registry-password': 'registry-secret' }),
      { cwd: dir },
    );
    assert.ok(config.secrets.includes('railway-secret-token'));
    assert.ok(config.secrets.includes('registry-secret'));
    assert.deepEqual(config.registry, { username: 'u', password: 'registry-secret' });
  });
});

const target = { projectId: 'p', projectName: 'shop', environmentId: 'e', environmentName: 'production', serviceId: 's', serviceName: 'web' };
const lookup =
  (settings: { healthcheckPath?: string; healthcheckTimeoutMs?: number; dockerfilePath?: string }): (() => Promise<ServiceLookup>) =>
  () =>
    Promise.resolve({
      ok: true,
      target,
      requests: 3,
      settings: {
        healthcheckPath: settings.healthcheckPath,
        healthcheckTimeoutMs: settings.healthcheckTimeoutMs,
        dockerfilePath: settings.dockerfilePath,
        sourceImage: undefined,
        sourceRepo: undefined,
      },
    });

test('health settings rank: input, then the Railway service, then railway.json, then the default', async () => {
  await withApp({ 'railway.json': JSON.stringify({ deploy: { healthcheckPath: '/file-health', healthcheckTimeout: 20 } }) }, async (dir) => {
    const base = { context: dir, 'railway-token': 'tok-project-1234' } as const;
    const fromFile = await loadConfig(reader({ context: dir }), { cwd: dir, now: BEFORE_CUTOFF, railwayLookup: lookup({ healthcheckPath: '/svc' }) });
    // No token: Railway is not asked.
    assert.equal(fromFile.railwayService, undefined);
    assert.equal(fromFile.health.path, '/file-health');
    assert.equal(fromFile.health.pathSource, 'railway.json');
    assert.equal(fromFile.health.timeoutMs, 20_000);

    const fromService = await loadConfig(reader(base), {
      cwd: dir,
      now: BEFORE_CUTOFF,
      railwayLookup: lookup({ healthcheckPath: '/svc', healthcheckTimeoutMs: 30_000 }),
    });
    assert.equal(fromService.health.path, '/svc');
    assert.equal(fromService.health.pathSource, 'railway service');
    assert.equal(fromService.health.timeoutMs, 30_000);
    assert.equal(fromService.health.timeoutSource, 'railway service');
    assert.equal(fromService.health.strategy, 'http');

    const partial = await loadConfig(reader(base), { cwd: dir, now: BEFORE_CUTOFF, railwayLookup: lookup({}) });
    assert.equal(partial.health.path, '/file-health');
    assert.equal(partial.health.timeoutSource, 'railway.json');

    const fromInput = await loadConfig(reader({ ...base, 'health-path': '/in', 'health-timeout': '5s' }), {
      cwd: dir,
      now: BEFORE_CUTOFF,
      railwayLookup: lookup({ healthcheckPath: '/svc', healthcheckTimeoutMs: 30_000 }),
    });
    assert.equal(fromInput.health.path, '/in');
    assert.equal(fromInput.health.pathSource, 'input');
    assert.equal(fromInput.health.timeoutMs, 5000);

    const failed = await loadConfig(reader(base), {
      cwd: dir,
      now: BEFORE_CUTOFF,
      railwayLookup: () => Promise.resolve({ ok: false, error: 'Railway refused ProjectToken', requests: 1 }),
    });
    assert.equal(failed.health.path, '/file-health');
    assert.deepEqual(failed.railwayService, { ok: false, error: 'Railway refused ProjectToken', requests: 1 });
  });
  await withApp({}, async (dir) => {
    const none = await loadConfig(reader({ context: dir }), { cwd: dir, now: BEFORE_CUTOFF });
    assert.equal(none.health.timeoutMs, 60_000);
    assert.equal(none.health.timeoutSource, 'default');
  });
});

test('drift: only settings the file states are compared with the service', () => {
  const file = {
    file: '/repo/railway.toml',
    label: 'railway.toml' as const,
    fieldPrefix: '',
    healthcheckPath: '/healthz',
    healthcheckTimeoutMs: 100_000,
    dockerfilePath: './Dockerfile',
  };
  const drift = findConfigDrift(
    { healthcheckPath: '/health', healthcheckTimeoutMs: 300_000, dockerfilePath: 'Dockerfile', sourceImage: undefined, sourceRepo: undefined },
    file,
    '/repo',
  );
  assert.deepEqual(drift, [
    { setting: 'healthcheckPath', service: '/health', file: '/healthz', fileName: 'railway.toml' },
    { setting: 'healthcheckTimeout', service: 300, file: 100, fileName: 'railway.toml' },
  ]);
  const quiet = findConfigDrift(
    { healthcheckPath: '/health', healthcheckTimeoutMs: undefined, dockerfilePath: undefined, sourceImage: undefined, sourceRepo: undefined },
    {
      file: '/repo/railway.json',
      label: 'railway.json' as const,
      fieldPrefix: '',
      healthcheckPath: '/health',
      healthcheckTimeoutMs: undefined,
      dockerfilePath: undefined,
    },
    '/repo',
  );
  assert.deepEqual(quiet, []);
  assert.deepEqual(
    findConfigDrift({ healthcheckPath: '/x', healthcheckTimeoutMs: 1, dockerfilePath: undefined, sourceImage: undefined, sourceRepo: undefined }, undefined),
    [],
  );
});

async function withApp(files: Record<string, string>, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-railway-config-'));
  try {
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\nEXPOSE 8000\n');
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a bad input fails before any request to Railway', async () => {
  await withApp({}, async (dir) => {
    let asked = 0;
    const count = (): Promise<ServiceLookup> => {
      asked++;
      return Promise.resolve({ ok: false, error: 'unreachable', requests: 1 });
    };
    for (const bad of [{ image: 'Not A Ref' }, { 'health-path': 'health' }, { 'deploy-timeout': 'never' }] as Partial<Record<InputName, string>>[]) {
      await assert.rejects(
        loadConfig(reader({ context: dir, 'railway-token': 'tok-project-1234', ...bad }), { cwd: dir, now: BEFORE_CUTOFF, railwayLookup: count }),
        ConfigError,
      );
    }
    assert.equal(asked, 0);
  });
});
