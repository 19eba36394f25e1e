/**
 * Railway parity against the real engine, through the local command and through the bundled
 * action (main step, then the post step of a self-hosted runner): PORT, the health check's Host
 * header, 200 as the only passing status, deploy.startCommand, deploy.preDeployCommand, logs that
 * keep the app's first lines, cancellation, the docker context. Every run leaves no container,
 * no network and no image tag behind.
 */
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, test } from 'vitest';
import type { CheckReport } from '../../src/model/report.ts';
import { runActionSteps, type ActionRun } from '../support/action-runner.ts';
import { CLASSIC_ENGINE, MAIN_ENGINE, dockerCli, engineUsable, leftovers, managedLeftovers } from '../support/docker.ts';
import { readFile } from 'node:fs/promises';
import { RAILWAY_FIXTURE as F, startRailwayServer } from '../support/railway-server.ts';
import { fixture, removeImage, runIdOf, runLocal, tempApp, uniqueImage, type LocalRun } from '../support/local-runner.ts';

const images: (string | null | undefined)[] = [];
afterAll(() => images.forEach(removeImage));

function imageTagExists(ref: string, engine = MAIN_ENGINE): boolean {
  return dockerCli(['image', 'ls', '-q', ref], engine).trim() !== '';
}

interface Checked {
  exitCode: number | null;
  report: CheckReport;
  /** The terminal output (local) or the job summary (action): what a person reads. */
  text: string;
  /** The progress log (local stderr, action stdout). */
  log: string;
}

/**
 * The second run of a fixture another test of the block builds at the same time keeps its image
 * (removed after the file): removing it while the twin builds can trip BuildKit's "not found" race.
 */
interface Keep {
  keep?: boolean;
}

/** The local command on a fixture, from the fixture's directory; asserts it left nothing behind. */
async function viaLocal(
  name: string,
  args: string[] = [],
  options: { env?: Record<string, string>; cwd?: string } & Keep = {},
): Promise<Checked & { run: LocalRun }> {
  const keep = options.keep === true;
  // The fixtures carry railway.json/toml: a Railway that still reads them.
  const run = await runLocal(['--context', fixture(name), '--hygiene', 'off', '--railway-config-file', 'true', ...args], {
    cwd: options.cwd ?? fixture(name),
    keepImage: keep,
    ...(options.env ? { env: options.env } : {}),
  });
  assert.ok(run.report, `no report (exit ${run.exitCode}); stderr:\n${run.stderr}`);
  const report = run.report as unknown as CheckReport;
  images.push(report.image.ref);
  const runId = runIdOf(run.report);
  assert.ok(runId, report.image.ref);
  assert.deepEqual(leftovers(runId), { containers: [], networks: [] });
  if (!keep) assert.equal(imageTagExists(report.image.ref), false, `the image tag ${report.image.ref} was left behind`);
  return { exitCode: run.exitCode, report, text: run.stdout, log: run.stderr, run };
}

/** The action on a self-hosted runner: main, then post, which removes the tag main made up. */
async function viaAction(name: string, inputs: Record<string, string> = {}, extra: { killWhen?: RegExp } & Keep = {}): Promise<Checked & { run: ActionRun }> {
  const keep = extra.keep === true;
  const run = await runActionSteps({
    inputs: { context: fixture(name), hygiene: 'off', 'railway-config-file': 'true', ...inputs },
    cwd: fixture(name),
    env: { RUNNER_ENVIRONMENT: keep ? 'github-hosted' : 'self-hosted' },
    ...(extra.killWhen ? { killWhen: extra.killWhen } : {}),
  });
  assert.ok(run.report, `no report (exit ${run.main.exitCode}):\n${run.main.stdout}\n${run.main.stderr}`);
  const report = run.report as unknown as CheckReport;
  images.push(report.image.ref);
  assert.equal(run.post?.exitCode, 0, run.post?.stdout);
  assert.deepEqual(leftovers(run.state['run-id']), { containers: [], networks: [] });
  if (!keep) assert.equal(imageTagExists(report.image.ref), false, `the image tag ${report.image.ref} was left behind`);
  return { exitCode: run.main.exitCode, report, text: run.summary, log: run.main.stdout, run };
}

const ENTRIES = [
  {
    entry: 'local command',
    check: (name: string, inputs: Record<string, string> = {}, keep: Keep = {}) =>
      viaLocal(
        name,
        Object.entries(inputs).flatMap(([k, v]) => [`--${k}`, v]),
        keep,
      ),
  },
  { entry: 'action', check: (name: string, inputs: Record<string, string> = {}, keep: Keep = {}) => viaAction(name, inputs, keep) },
] as const;

describe.each(ENTRIES)('Railway parity through the $entry', { concurrent: true }, ({ check }) => {
  test('an app with no EXPOSE that listens on $PORT passes with no flags: PORT=8080, the path from railway.toml', async () => {
    const { exitCode, report, text } = await check('parity-port-only');
    assert.equal(exitCode, 0, report.reasons.join('\n'));
    assert.equal(report.health.status, 'healthy');
    assert.equal(report.health.strategy, 'http');
    assert.match(report.health.target ?? '', /\/health$/);
    assert.equal(report.health.parity?.enabled, true);
    assert.equal(report.health.parity.port, 8080);
    assert.equal(report.health.parity.portSource, 'Railway default');
    assert.equal(report.health.parity.why, 'railway.toml found');
    // Railway's default timeout when railway.toml sets none.
    assert.equal(report.health.timeoutMs, 300_000);
    assert.equal(report.health.parity.timeoutSource, 'railway default');
    assert.match(text, /PORT=8080/);
  });

  test('an app that answers 400 to any Host but healthcheck.railway.app passes under parity', async () => {
    const { exitCode, report, text } = await check('parity-host');
    assert.equal(exitCode, 0, report.reasons.join('\n'));
    assert.equal(report.health.status, 'healthy');
    assert.equal(report.health.lastHttp?.status, 200);
    assert.equal(report.health.lastHttp.host, 'healthcheck.railway.app');
    assert.match(text, /Host healthcheck\.railway\.app/);
  });

  test('the same app fails with railway-parity: false, showing the 400 and its body', async () => {
    const { exitCode, report } = await check('parity-host', { 'railway-parity': 'false' }, { keep: true });
    assert.equal(exitCode, 1);
    assert.equal(report.health.status, 'unhealthy');
    assert.equal(report.health.parity?.enabled, false);
    assert.equal(report.health.parity.why, 'railway-parity: false');
    assert.equal(report.health.lastHttp?.status, 400);
    assert.equal(report.health.lastHttp.host, null);
    assert.match(report.health.lastHttp.body ?? '', /Invalid host header: 127\.0\.0\.1:\d+/);
  });

  test('a 307 health answer fails under parity with the status and where it pointed', async () => {
    const { exitCode, report, text } = await check('parity-redirect');
    assert.equal(exitCode, 1);
    assert.equal(report.health.lastHttp?.status, 307);
    assert.equal(report.health.lastHttp.location, 'http://healthcheck.railway.app/cgi-bin/health/');
    assert.match(report.reasons[0] ?? '', /answered 307 \(a redirect to http:\/\/healthcheck\.railway\.app\/cgi-bin\/health\/\): Railway accepts only 200/);
    assert.match(text, /307/);
    assert.match(text, /healthcheck\.railway\.app\/cgi-bin\/health\//);
  });

  test("railway.json's startCommand replaces a crashing CMD", async () => {
    const { exitCode, report } = await check('parity-start-command');
    assert.equal(exitCode, 0, report.reasons.join('\n'));
    assert.equal(report.health.status, 'healthy');
    assert.equal(report.health.parity?.startCommandSource, 'railway.json');
    assert.deepEqual(report.health.parity.startCommand, ['httpd', '-f', '-v', '-p', '8000', '-h', '/www']);
  });

  test('without parity the CMD runs, and its crash is what fails', async () => {
    const { exitCode, report } = await check('parity-start-command', { 'railway-parity': 'false' }, { keep: true });
    assert.equal(exitCode, 1);
    assert.equal(report.health.container?.exitCode, 4);
    assert.deepEqual(report.health.logs, ['this CMD is not what Railway runs']);
  });

  test('a failing preDeployCommand fails the check with its output and exit code; the app is never started', async () => {
    const { exitCode, report, text, log } = await check('parity-predeploy-fail');
    assert.equal(exitCode, 1);
    const pre = report.preDeploy;
    assert.ok(pre);
    assert.equal(pre.status, 'failed');
    assert.equal(pre.source, 'railway.json');
    // The third command never ran.
    assert.deepEqual(
      pre.commands.map((c) => c.exitCode),
      [0, 3],
    );
    assert.deepEqual(pre.commands[0]?.logs, ['checking schema']);
    // stdout and stderr, in whichever order the engine stored them.
    assert.deepEqual([...(pre.commands[1]?.logs ?? [])].sort(), ['applying 0002_add_users', 'error: relation users already exists']);
    assert.match(report.reasons[0] ?? '', /^Pre-deploy command failed: .*exited with code 3/);
    assert.equal(report.health.status, 'skipped');
    assert.equal(report.health.container, null);
    assert.doesNotMatch(log, /Waiting up to/);
    assert.match(text, /relation users already exists/);
    assert.match(text, /exit 3|code 3/);
  });

  test('a passing preDeployCommand shows its duration, with the app environment (PORT, env values masked)', async () => {
    const { exitCode, report, text } = await check('parity-predeploy-pass', { env: 'DATABASE_URL=postgres://app:pw-7c1f@db.internal/shop' });
    assert.equal(exitCode, 0, report.reasons.join('\n'));
    const pre = report.preDeploy;
    assert.equal(pre?.status, 'passed');
    assert.equal(pre.commands.length, 1);
    assert.equal(pre.commands[0]?.exitCode, 0);
    assert.ok(pre.commands[0].durationMs >= 1000, `duration ${pre.commands[0].durationMs}`);
    assert.deepEqual(pre.commands[0].logs, ['migrating with PORT=8000 and DATABASE_URL=***', 'migrated']);
    assert.equal(report.health.status, 'healthy');
    assert.match(text, /[Pp]re-?deploy.*passed in \d(\.\d)? s/);
    assert.doesNotMatch(JSON.stringify(report) + text, /pw-7c1f/);
  });

  test("a chatty app's first log lines survive a failed check; identical lines are folded", async () => {
    const { exitCode, report, text } = await check('chatty', { 'health-timeout': '4s' });
    assert.equal(exitCode, 1);
    const logs = report.health.logs;
    assert.deepEqual(logs.slice(0, 2), ['boot: reading settings', 'FATAL: DATABASE_URL is not set, serving nothing'], JSON.stringify(report.health, null, 1));
    assert.equal(report.health.logLines, 453);
    assert.ok(
      logs.some((l) => /^… \d+ lines omitted …$/.test(l)),
      logs.join('\n'),
    );
    assert.ok(logs.includes('GET /health 503  (× 50)'), logs.join('\n'));
    assert.equal(logs.at(-1), 'giving up for now');
    assert.match(text, /FATAL: DATABASE_URL is not set/);
  });
});

// One image whose ENTRYPOINT script serves the app whatever its arguments, and a railway.json per
// case in the working directory (the build context has none). The runs build the same Dockerfile
// at once: each keeps its image until the file ends (BuildKit's "not found" race).
describe('start and pre-deploy commands replace the ENTRYPOINT, as on Railway', { concurrent: true }, () => {
  const entrypoint = (railway: string, args: string[] = []): ReturnType<typeof viaLocal> =>
    viaLocal('entrypoint-serves', args, { cwd: path.join(fixture('entrypoint-serves'), 'railway', railway), keep: true });

  test('a start command with $PORT and no shell fails as on Railway (the entrypoint does not serve in its place), with the fix', async () => {
    const { exitCode, report, text, log } = await entrypoint('port-unexpanded');
    assert.equal(exitCode, 1, text);
    assert.equal(report.health.status, 'unhealthy');
    assert.equal(report.health.parity?.startCommandSource, 'railway.json');
    assert.deepEqual(report.health.parity.startCommand, ['httpd', '-f', '-v', '-p', '0.0.0.0:$PORT', '-h', '/www']);
    assert.equal(report.health.parity.startCommandReplaces, 'ENTRYPOINT');
    assert.equal(report.health.container?.exitCode, 1);
    assert.deepEqual(report.health.logs, ["httpd: bad port '$PORT'"]);
    const fix = '/bin/sh -c "exec httpd -f -v -p 0.0.0.0:$PORT -h /www"';
    const reason = report.health.reason ?? '';
    assert.match(
      reason,
      /^the container exited with code 1 before it became healthy; the start command runs without a shell \(exec form, as on Railway\), so \$PORT reaches it as written/,
    );
    assert.ok(reason.endsWith(`wrap it in a shell, ${fix}`), reason);
    assert.ok(log.includes(fix), log);
    assert.ok(text.includes(fix), text);
  });

  test('the fix the hint gives passes (the command input stands for the start command under parity)', async () => {
    const { exitCode, report } = await entrypoint('port-unexpanded', ['--command', '/bin/sh -c "exec httpd -f -v -p 0.0.0.0:$PORT -h /www"']);
    assert.equal(exitCode, 0, report.reasons.join('\n'));
    assert.equal(report.health.parity?.startCommandSource, 'command input');
    assert.equal(
      report.health.logs.some((l) => l.startsWith('entrypoint:')),
      false,
      report.health.logs.join('\n'),
    );
  });

  test('without parity the command input keeps the ENTRYPOINT and becomes its arguments, as docker run does', async () => {
    const { exitCode, report } = await entrypoint('port-unexpanded', [
      '--railway-parity',
      'false',
      '--command',
      'httpd -p 0.0.0.0:$PORT',
      '--health-path',
      '/health',
    ]);
    assert.equal(exitCode, 0, report.reasons.join('\n'));
    assert.equal(report.health.parity?.startCommandReplaces, 'CMD');
    assert.deepEqual(report.health.logs.slice(0, 1), ['entrypoint: serving on 8000 (arguments ignored: httpd -p 0.0.0.0:$PORT)']);
  });

  test('a pre-deploy command runs in place of the entrypoint (which would serve forever), then the app starts', async () => {
    const { exitCode, report } = await entrypoint('predeploy');
    assert.equal(exitCode, 0, report.reasons.join('\n'));
    assert.equal(report.preDeploy?.status, 'passed');
    assert.deepEqual(
      report.preDeploy.commands.map((c) => [c.exitCode, c.logs]),
      [[0, ['migrate: upgrade head (PORT=8000)', 'migrated']]],
    );
    assert.equal(report.health.status, 'healthy');
    // The app itself still runs the image's ENTRYPOINT: no start command replaces it.
    assert.deepEqual(report.health.logs.slice(0, 1), ['entrypoint: serving on 8000 (arguments ignored: )']);
  });

  test('a pre-deploy command still running at the health timeout fails with one sentence and its last output', async () => {
    const { exitCode, report, text } = await entrypoint('predeploy-hangs');
    assert.equal(exitCode, 1, text);
    const pre = report.preDeploy;
    assert.equal(pre?.status, 'failed');
    assert.equal(pre.commands.length, 1);
    assert.equal(pre.commands[0]?.exitCode, null);
    assert.equal(pre.commands[0].error, null);
    assert.equal(pre.commands[0].stillRunningAfterMs, 5000);
    assert.ok(pre.commands[0].durationMs >= 5000, String(pre.commands[0].durationMs));
    assert.equal(
      pre.reason,
      `the pre-deploy command "${pre.commands[0].command}" was still running after 5.0s (the health timeout) and was stopped ` +
        '(Railway starts the deployment only once it exits); its last output: "waiting for the lock on schema_migrations"',
    );
    assert.doesNotMatch(text, /could not start|never started/);
    assert.match(text, /still running, stopped/);
    assert.equal(report.health.status, 'skipped');
  });

  test("a start command whose executable the image lacks: the container never started, with Docker's reason", async () => {
    const { exitCode, report, text } = await entrypoint('missing-exec');
    assert.equal(exitCode, 1, text);
    assert.equal(report.health.container?.started, false);
    assert.equal(report.health.container.exitCode, null);
    assert.match(report.health.startError ?? '', /exec: "gunicorn": executable file not found in \$PATH/);
    assert.match(
      report.health.reason ?? '',
      /^the container never started: Docker could not run the start command \(railway\.json\), which replaces the image's ENTRYPOINT as on Railway: .*exec: "gunicorn": executable file not found in \$PATH/,
    );
    assert.match(text, /the container never started \(no exit code\); Docker's reason: .*executable file not found/);
    assert.doesNotMatch(text, /still running/);
  });
});

/** What the engine did to a run's containers, in order: "create app", "start predeploy-1", ... */
function containerEvents(runId: string, since: number): string[] {
  const out = dockerCli([
    'events',
    '--since',
    String(Math.floor(since / 1000) - 1),
    '--until',
    String(Math.ceil(Date.now() / 1000) + 1),
    '--filter',
    'type=container',
    '--filter',
    `label=dev.deploy-check.run=${runId}`,
    '--filter',
    'event=create',
    '--filter',
    'event=start',
    '--filter',
    'event=die',
    '--filter',
    'event=destroy',
    '--format',
    '{{.Action}} {{index .Actor.Attributes "name"}}',
  ]);
  const app = `deploy-check-${runId}`;
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(` ${app}-`, ' ').replace(` ${app}`, ' app'));
}

// The app's container is created while the pre-deploy command runs, to save time; Railway's
// order, seen from the engine, must not change: the app starts only after the last command ended.
describe('the pre-deploy command runs before the app, as on Railway', () => {
  test('passing: every pre-deploy container has died before the app starts, and all are destroyed', async () => {
    const since = Date.now();
    const { exitCode, report, run } = await viaLocal('parity-predeploy-pass');
    assert.equal(exitCode, 0, report.reasons.join('\n'));
    const events = containerEvents(runIdOf(run.report) ?? '', since);
    const appStart = events.indexOf('start app');
    assert.ok(appStart > events.indexOf('die predeploy-1') && events.indexOf('die predeploy-1') >= 0, events.join('\n'));
    assert.deepEqual(events.filter((e) => e.startsWith('destroy')).sort(), ['destroy app', 'destroy predeploy-1'], events.join('\n'));
  });

  test('failing: the app container is never started, and is destroyed with the pre-deploy containers', async () => {
    const since = Date.now();
    const { exitCode, run } = await viaLocal('parity-predeploy-fail');
    assert.equal(exitCode, 1);
    const events = containerEvents(runIdOf(run.report) ?? '', since);
    assert.equal(events.includes('start app'), false, events.join('\n'));
    assert.deepEqual(
      events.filter((e) => e.startsWith('start')),
      ['start predeploy-1', 'start predeploy-2'],
      events.join('\n'),
    );
    for (const e of events.filter((x) => x.startsWith('create')))
      assert.ok(events.includes(e.replace('create', 'destroy')), `${e} was never destroyed:\n${events.join('\n')}`);
  });
});

// One at a time: two builds of the same Dockerfile at once trip BuildKit's "not found" race on this engine.
describe('cancellation reads as cancelled', () => {
  test('local command: SIGINT while waiting reports cancelled (not exit 137), exits 130, removes everything', async () => {
    const run = await runLocal(['--context', fixture('never-healthy'), '--health-timeout', '120', '--hygiene', 'off'], {
      cwd: fixture('never-healthy'),
      interruptWhen: /Waiting up to 120s/,
      keepImage: false,
    });
    assert.equal(run.exitCode, 130, run.stderr);
    const report = run.report as unknown as CheckReport | null;
    assert.ok(report, run.stderr);
    assert.equal(report.health.status, 'cancelled');
    assert.deepEqual(report.cancelled, { signal: 'SIGINT', stage: 'the health check' });
    assert.match(report.reasons[0] ?? '', /^Cancelled: the run was stopped \(SIGINT\) during the health check/);
    assert.doesNotMatch(run.stdout + JSON.stringify(report), /code 137|exit 137|"exitCode":137/);
    images.push(report.image.ref);
    assert.deepEqual(leftovers(runIdOf(run.report)), { containers: [], networks: [] });
    assert.equal(imageTagExists(report.image.ref), false);
  });

  test('action: a cancelled job (SIGINT to the main step) leaves a summary that says cancelled', async () => {
    const run = await viaAction('never-healthy', { 'health-timeout': '120' }, { killWhen: /Waiting up to 120s/ });
    assert.equal(run.exitCode, 1, run.log);
    assert.equal(run.report.health.status, 'cancelled');
    assert.match(run.text, /Cancelled: the run was stopped \(SIGINT\)/);
    assert.doesNotMatch(run.text, /code 137/);
    assert.equal(run.run.outputs['verdict'], 'fail');
  });
});

describe("the Railway service's own settings", () => {
  test('without railway.json, the settings read with railway-token turn parity on and give the start and pre-deploy commands', async () => {
    const server = await startRailwayServer({
      projects: [
        {
          id: F.projectId,
          name: F.projectName,
          environments: [{ id: F.environmentId, name: F.environmentName }],
          services: [
            {
              id: F.serviceId,
              name: F.serviceName,
              healthcheckPath: '/health',
              healthcheckTimeout: 20,
              startCommand: 'httpd -f -p 8000 -h /www',
              preDeployCommand: ["sh -c 'echo set in the dashboard'"],
            },
          ],
        },
      ],
    });
    // The start-command fixture without its railway.json: the crashing CMD, the page to serve.
    const app = await tempApp({ Dockerfile: await readFile(path.join(fixture('parity-start-command'), 'Dockerfile'), 'utf8'), 'www/health': 'ok\n' });
    try {
      const run = await runLocal(['--context', app.dir, '--railway-token', F.projectToken, '--deploy', 'never', '--hygiene', 'off'], {
        cwd: app.dir,
        env: { RAILWAY_GRAPHQL_ENDPOINT: server.url },
      });
      const report = run.report as unknown as CheckReport | null;
      images.push(report?.image.ref);
      assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
      assert.equal(report?.health.parity?.why, "the Railway service's settings were read");
      assert.equal(report.health.parity.startCommandSource, 'railway service');
      assert.equal(report.health.timeoutMs, 20_000);
      assert.equal(report.preDeploy?.source, 'railway service');
      assert.deepEqual(
        report.preDeploy.commands.map((c) => [c.exitCode, c.logs]),
        [[0, ['set in the dashboard']]],
      );
      assert.deepEqual(server.violations, []);
    } finally {
      await app.remove();
      await server.close();
    }
  });
});

describe('one engine, messages', () => {
  test.skipIf(!engineUsable(CLASSIC_ENGINE))('the current docker context is the engine of both the build and the run', async () => {
    // A docker config of its own whose current context is the second engine; DOCKER_HOST unset.
    const config = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-context-'));
    const name = 'second-engine';
    const meta = path.join(config, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
    await mkdir(meta, { recursive: true });
    await writeFile(
      path.join(meta, 'meta.json'),
      JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: CLASSIC_ENGINE, SkipTLSVerify: false } } }),
    );
    await writeFile(path.join(config, 'config.json'), JSON.stringify({ currentContext: name }));
    const image = uniqueImage('parity-context');
    try {
      const run = await runLocal(['--context', fixture('parity-port-only'), '--image', image, '--hygiene', 'off', '--railway-config-file', 'true'], {
        cwd: fixture('parity-port-only'),
        env: { DOCKER_HOST: '', DOCKER_CONFIG: config },
      });
      const report = run.report as unknown as CheckReport | null;
      assert.equal(run.exitCode, 0, run.stderr);
      assert.equal(report?.health.status, 'healthy');
      assert.equal(imageTagExists(image, CLASSIC_ENGINE), true, 'the image is not on the context engine');
      assert.equal(imageTagExists(image, MAIN_ENGINE), false, 'the image went to the default engine');
      assert.deepEqual(
        managedLeftovers(CLASSIC_ENGINE).containers.filter((c) => c === report.health.container?.id),
        [],
      );
    } finally {
      try {
        dockerCli(['image', 'rm', '--force', image], CLASSIC_ENGINE);
      } catch {
        // Never built.
      }
      await rm(config, { recursive: true, force: true });
    }
  });

  test('action: a build failure is one annotation, on the Dockerfile', async () => {
    const run = await runActionSteps({ inputs: { context: fixture('build-error'), 'wait-for': 'log:never' }, cwd: fixture('build-error') });
    images.push((run.report as unknown as CheckReport | null)?.image.ref);
    assert.equal(run.main.exitCode, 1);
    const errors = run.main.stdout.split('\n').filter((l) => l.startsWith('::error'));
    assert.equal(errors.length, 1, errors.join('\n'));
    // On the failing RUN's line, which the headline names too.
    assert.match(errors[0] ?? '', /^::error title=deploy-check,file=Dockerfile,line=3,endLine=3::Build failed at Dockerfile:3: step \[3\/3\]/);
  });
});
