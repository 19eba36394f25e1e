/**
 * Railway parity decided from the inputs and the repository's files, and the pure pieces of the
 * run around it: run parameters, log folding, probe back-off, error sentences, the docker context.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, test } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { INPUT_NAMES, type InputName } from '../../src/inputs/inputs.ts';
import { ConfigError } from '../../src/inputs/inputs.ts';
import { parseRailwayFile } from '../../src/config/railway-file.ts';
import { compactLogLines } from '../../src/container/logs.ts';
import { probeIntervalMs } from '../../src/container/run.ts';
import { containerOptions, runParams } from '../../src/container/spec.ts';
import { describeHttpError } from '../../src/container/wait.ts';
import { dockerOptions, resolveEngine } from '../../src/host/docker.ts';
import { describeParity } from '../../src/pipeline/pipeline.ts';

/** Railway read railway.json/toml until 2026-12-01: these tests are of a Railway that still reads them. */
const BEFORE_CUTOFF = new Date('2026-11-30T12:00:00Z');

const root = mkdtempSync(path.join(os.tmpdir(), 'deploy-check-parity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
function project(files: Record<string, string>): string {
  const dir = path.join(root, `p${++count}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function load(cwd: string, inputs: Partial<Record<InputName, string>> = {}): Promise<Config> {
  for (const name of Object.keys(inputs)) assert.ok((INPUT_NAMES as readonly string[]).includes(name), `unknown input ${name}`);
  // A Railway that still reads railway.json/toml (they were read by default before the cutoff).
  return loadConfig((name) => inputs[name] ?? '', { cwd, runId: 'unit-run', now: BEFORE_CUTOFF });
}

const NO_EXPOSE = 'FROM busybox\nCMD ["httpd", "-f"]\n';
const EXPOSE_8000 = 'FROM busybox\nEXPOSE 8000\nCMD ["httpd", "-f"]\n';
const railwayJson = (deploy: Record<string, unknown>): string => JSON.stringify({ deploy });

describe('railway-parity: when it is on', () => {
  test('auto: on with a railway.json, with its reason', async () => {
    const c = await load(project({ Dockerfile: EXPOSE_8000, 'railway.json': railwayJson({ healthcheckPath: '/health' }) }));
    assert.equal(c.parity.enabled, true);
    assert.equal(c.parity.why, 'railway.json found');
    assert.equal(c.parity.host, 'healthcheck.railway.app');
  });

  test("auto: off without Railway settings, and today's behaviour stays (200-399, 60 s, no PORT)", async () => {
    const c = await load(project({ Dockerfile: EXPOSE_8000 }), { 'health-path': '/health' });
    assert.equal(c.parity.enabled, false);
    assert.equal(c.parity.injectedPort, undefined);
    assert.equal(c.parity.host, undefined);
    assert.deepEqual(c.health.status, [{ min: 200, max: 399 }]);
    assert.equal(c.health.timeoutMs, 60_000);
  });

  test('true turns it on without a file; false turns it off with one', async () => {
    assert.equal((await load(project({ Dockerfile: EXPOSE_8000 }), { 'railway-parity': 'true' })).parity.enabled, true);
    const off = await load(project({ Dockerfile: EXPOSE_8000, 'railway.json': railwayJson({ startCommand: 'x' }) }), { 'railway-parity': 'false' });
    assert.equal(off.parity.enabled, false);
    assert.equal(off.command, undefined, 'startCommand is not used outside parity');
  });

  test('anything else is refused naming the input', async () => {
    await assert.rejects(load(project({ Dockerfile: EXPOSE_8000 }), { 'railway-parity': 'yes' }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.input, 'railway-parity');
      assert.match(err.message, /auto.*true.*or false/);
      return true;
    });
  });
});

describe('railway-parity: what it mirrors', () => {
  const on = { 'railway-parity': 'true' } as const;

  test('PORT: the port input, else env PORT, else the only EXPOSE, else 8080', async () => {
    const bare = project({ Dockerfile: NO_EXPOSE });
    const none = await load(bare, on);
    assert.equal(none.port, 8080);
    assert.equal(none.parity.injectedPort, 8080);
    assert.equal(none.parity.portSource, 'Railway default');
    const exposed = await load(project({ Dockerfile: EXPOSE_8000 }), on);
    assert.deepEqual([exposed.port, exposed.parity.portSource], [8000, 'EXPOSE']);
    const input = await load(bare, { ...on, port: '3000' });
    assert.deepEqual([input.port, input.parity.injectedPort, input.parity.portSource], [3000, 3000, 'port input']);
    // A PORT the user sets is the port Railway checks, and is not overwritten.
    const env = await load(bare, { ...on, env: 'PORT=5000' });
    assert.deepEqual([env.port, env.parity.injectedPort, env.parity.portSource], [5000, undefined, 'env PORT']);
  });

  test('only 200 passes unless health-status is given', async () => {
    const dir = project({ Dockerfile: EXPOSE_8000, 'railway.json': railwayJson({ healthcheckPath: '/health' }) });
    const c = await load(dir);
    assert.deepEqual([c.health.status, c.health.statusSource], [[{ min: 200, max: 200 }], 'railway']);
    const given = await load(dir, { 'health-status': '200-204' });
    assert.deepEqual([given.health.status, given.health.statusSource], [[{ min: 200, max: 204 }], 'input']);
  });

  test("timeout: railway.json's, else RAILWAY_HEALTHCHECK_TIMEOUT_SEC, else Railway's 300 s", async () => {
    const file = await load(project({ Dockerfile: EXPOSE_8000, 'railway.json': railwayJson({ healthcheckTimeout: 30 }) }));
    assert.deepEqual([file.health.timeoutMs, file.health.timeoutSource], [30_000, 'railway.json']);
    const bare = project({ Dockerfile: EXPOSE_8000, 'railway.toml': '[deploy]\nhealthcheckPath = "/health"\n' });
    const railwayDefault = await load(bare);
    assert.deepEqual([railwayDefault.health.timeoutMs, railwayDefault.health.timeoutSource], [300_000, 'railway default']);
    const variable = await load(bare, { env: 'RAILWAY_HEALTHCHECK_TIMEOUT_SEC=90' });
    assert.deepEqual([variable.health.timeoutMs, variable.health.timeoutSource], [90_000, 'env RAILWAY_HEALTHCHECK_TIMEOUT_SEC']);
  });

  test('an HTTP probe whenever a health path is known, also when the image has a HEALTHCHECK', async () => {
    const dockerfile = 'FROM busybox\nHEALTHCHECK CMD true\nCMD ["httpd", "-f"]\n';
    const c = await load(project({ Dockerfile: dockerfile, 'railway.json': railwayJson({ healthcheckPath: '/health' }) }));
    assert.equal(c.health.strategy, 'http');
    assert.equal(c.port, 8080);
  });

  test('startCommand (replacing the ENTRYPOINT) unless command is given; preDeployCommand as a string or a list, bounded by the health timeout', async () => {
    const dir = project({
      Dockerfile: EXPOSE_8000,
      'railway.json': railwayJson({ startCommand: 'python3 -m app --port 8000', preDeployCommand: 'alembic upgrade head' }),
    });
    const c = await load(dir);
    assert.deepEqual(c.command, ['python3', '-m', 'app', '--port', '8000']);
    assert.equal(c.commandSource, 'railway.json');
    assert.equal(c.commandReplaces, 'ENTRYPOINT');
    assert.deepEqual(c.preDeploy, { commands: ['alembic upgrade head'], source: 'railway.json', timeoutMs: 300_000 });
    const input = await load(dir, { command: 'sh -c serve' });
    assert.deepEqual([input.command, input.commandSource, input.commandReplaces], [['sh', '-c', 'serve'], 'command input', 'ENTRYPOINT']);
    const off = await load(dir, { command: 'sh -c serve', 'railway-parity': 'false' });
    assert.deepEqual([off.command, off.commandReplaces], [['sh', '-c', 'serve'], 'CMD']);
    const toml = await load(project({ Dockerfile: EXPOSE_8000, 'railway.toml': '[deploy]\npreDeployCommand = ["a", "b c"]\nhealthcheckTimeout = 7\n' }));
    assert.deepEqual(toml.preDeploy, { commands: ['a', 'b c'], source: 'railway.toml', timeoutMs: 7000 });
  });

  test('Railway commands are split into words only (no JSON), and one that cannot be split is refused where it is written', async () => {
    const json = await load(project({ Dockerfile: EXPOSE_8000, 'railway.json': railwayJson({ startCommand: '["serve"]' }) }));
    assert.deepEqual(json.command, ['[serve]']);
    await assert.rejects(
      load(project({ Dockerfile: EXPOSE_8000, 'railway.json': railwayJson({ startCommand: "sh -c 'serve" }) })),
      (err: unknown) => err instanceof ConfigError && err.input === 'railway.json deploy.startCommand' && /never closed/.test(err.message),
    );
    await assert.rejects(
      load(project({ Dockerfile: EXPOSE_8000, 'railway.toml': '[deploy]\npreDeployCommand = ["ok", "migrate \\"head"]\n' })),
      (err: unknown) => err instanceof ConfigError && err.input === 'railway.toml deploy.preDeployCommand',
    );
  });

  test('the start-of-run line says what is mirrored', async () => {
    const c = await load(project({ Dockerfile: NO_EXPOSE, 'railway.toml': '[deploy]\nhealthcheckPath = "/health"\n' }));
    assert.equal(
      describeParity(c),
      "Railway parity: on (railway.toml found): PORT=8080 (Railway default), Host healthcheck.railway.app, only 200 passes, the image's CMD, timeout 300s (railway default)",
    );
  });
});

describe('a missing port with a health path', () => {
  test('says the image declares no port and how to fix it, not "nothing to wait for"', async () => {
    await assert.rejects(load(project({ Dockerfile: NO_EXPOSE }), { 'health-path': '/health' }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.input, 'port');
      assert.doesNotMatch(err.message, /nothing to wait for/);
      assert.match(err.message, /declares none \(no EXPOSE\).*set "port".*railway-parity: true.*8080/);
      return true;
    });
  });
});

describe('railway.json deploy commands', () => {
  test('preDeployCommand of another type is refused with the file named', () => {
    assert.throws(
      () => parseRailwayFile('/r/railway.json', railwayJson({ preDeployCommand: 3 })),
      /railway\.json: deploy\.preDeployCommand must be a string or a list of strings/,
    );
    assert.throws(() => parseRailwayFile('/r/railway.json', railwayJson({ preDeployCommand: ['ok', 1] })), /must be a string or a list/);
    assert.equal(parseRailwayFile('/r/railway.json', railwayJson({ preDeployCommand: null, startCommand: null })).preDeployCommand, undefined);
  });
});

describe('run parameters', () => {
  test('PORT joins the environment; extra variables, network and aliases are parameters of the run', async () => {
    const c = await load(project({ Dockerfile: NO_EXPOSE }), { 'railway-parity': 'true', env: 'A=1\nDATABASE_URL=x' });
    const params = runParams(c, c.image, { network: 'proj_default', networkAliases: ['web'], extraEnv: [{ key: 'DATABASE_URL', value: 'postgres://db/app' }] });
    assert.deepEqual(params.env, [
      { key: 'A', value: '1' },
      { key: 'PORT', value: '8080' },
      { key: 'DATABASE_URL', value: 'postgres://db/app' },
    ]);
    const options = containerOptions(params, { name: 'n', cmd: ['migrate'] });
    assert.deepEqual(options.NetworkingConfig, { EndpointsConfig: { proj_default: { Aliases: ['web'] } } });
    assert.equal(options.HostConfig?.NetworkMode, 'proj_default');
    assert.deepEqual(options.Cmd, ['migrate']);
    assert.equal(options.Entrypoint, undefined);
    assert.equal(options.ExposedPorts, undefined);
    // As Railway runs a start or pre-deploy command: in place of the ENTRYPOINT, which drops the image's CMD too.
    const replacing = containerOptions(params, { name: 'n', cmd: ['alembic', 'upgrade', 'head'], replacesEntrypoint: true });
    assert.deepEqual([replacing.Entrypoint, replacing.Cmd], [['alembic'], ['upgrade', 'head']]);
    const imageOwn = containerOptions(params, { name: 'n', cmd: undefined, replacesEntrypoint: true });
    assert.deepEqual([imageOwn.Entrypoint, imageOwn.Cmd], [undefined, undefined]);
    // Without a network of its own the app stays on the default bridge, with no aliases.
    assert.equal(containerOptions(runParams(c, c.image), { name: 'n', cmd: undefined, publishPort: 8080 }).NetworkingConfig, undefined);
  });
});

describe('logs and probes', () => {
  test('identical runs fold; the first and last lines stay around a marker', () => {
    const lines = ['boot', 'FATAL: no database', ...Array.from({ length: 300 }, (_, i) => `retry ${i}`), ...Array<string>(40).fill('GET /health 503'), 'bye'];
    const kept = compactLogLines(lines, 4, 3);
    assert.deepEqual(kept, ['boot', 'FATAL: no database', 'retry 0', 'retry 1', '… 297 lines omitted …', 'retry 299', 'GET /health 503  (× 40)', 'bye']);
    assert.deepEqual(compactLogLines(['a', 'a', 'b']), ['a  (× 2)', 'b']);
  });

  test('probes every 50 ms for the first 2 s, then every 250 ms', () => {
    assert.equal(probeIntervalMs(0), 50);
    assert.equal(probeIntervalMs(1999), 50);
    assert.equal(probeIntervalMs(2000), 250);
    assert.equal(probeIntervalMs(120_000), 250);
  });

  test('connection errors read as sentences that say where the app should listen', () => {
    assert.equal(
      describeHttpError('connection closed before an answer', 8080),
      'the app closed the connection without answering: is it listening on 0.0.0.0:8080?',
    );
    assert.equal(describeHttpError('ECONNRESET', 8080), 'the app closed the connection without answering: is it listening on 0.0.0.0:8080?');
    assert.equal(describeHttpError('ECONNREFUSED', 3000), 'nothing accepted the connection: is the app listening on 0.0.0.0:3000?');
  });
});

describe('the engine: DOCKER_HOST, else the docker context', () => {
  function dockerConfig(current: string | undefined, contexts: Record<string, string>): string {
    const dir = project({ 'config.json': JSON.stringify(current ? { currentContext: current } : {}) });
    for (const [name, host] of Object.entries(contexts)) {
      const meta = path.join(dir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
      mkdirSync(meta, { recursive: true });
      writeFileSync(path.join(meta, 'meta.json'), JSON.stringify({ Name: name, Endpoints: { docker: { Host: host } } }));
    }
    return dir;
  }

  test('DOCKER_HOST wins over any context', () => {
    const config = dockerConfig('remote', { remote: 'tcp://10.0.0.5:2375' });
    const e = resolveEngine({ DOCKER_HOST: 'unix:///run/other.sock', DOCKER_CONFIG: config });
    assert.deepEqual([e.host, e.source], ['unix:///run/other.sock', 'DOCKER_HOST']);
    assert.equal(dockerOptions(e), undefined, 'dockerode reads DOCKER_HOST itself');
  });

  test('the current context of config.json, or DOCKER_CONTEXT, names the endpoint', () => {
    const config = dockerConfig('remote', { remote: 'tcp://10.0.0.5:2375', other: 'unix:///run/docker-classic.sock' });
    const current = resolveEngine({ DOCKER_CONFIG: config });
    assert.deepEqual([current.host, current.source], ['tcp://10.0.0.5:2375', 'docker context "remote"']);
    assert.deepEqual(dockerOptions(current), { protocol: 'http', host: '10.0.0.5', port: '2375' });
    const named = resolveEngine({ DOCKER_CONFIG: config, DOCKER_CONTEXT: 'other' });
    assert.deepEqual(dockerOptions(named), { socketPath: '/run/docker-classic.sock' });
  });

  test('no context, or "default": the default socket; an unknown context is an error naming it', () => {
    assert.equal(resolveEngine({ DOCKER_CONFIG: dockerConfig(undefined, {}) }).host, undefined);
    assert.equal(resolveEngine({ DOCKER_CONFIG: dockerConfig('default', {}) }).host, undefined);
    assert.throws(() => resolveEngine({ DOCKER_CONFIG: dockerConfig('gone', {}) }), /docker context "gone" has no readable endpoint/);
  });
});

describe('wait-for exit and none', () => {
  test('need no port: a worker with no EXPOSE, a build-only image', async () => {
    const dir = project({ Dockerfile: NO_EXPOSE });
    const exit = await load(dir, { 'wait-for': 'exit' });
    assert.deepEqual([exit.health.strategy, exit.port], ['exit', undefined]);
    const none = await load(dir, { 'wait-for': 'none' });
    assert.equal(none.health.strategy, 'none');
  });

  test('are named in the refusal of an unknown strategy', async () => {
    await assert.rejects(load(project({ Dockerfile: EXPOSE_8000 }), { 'wait-for': 'later' }), /exit \(run to completion\) or none \(run nothing\)/);
  });
});
