/**
 * Compose services the app needs at start, on the real engine with real Compose: the Postgres
 * example end to end, dependencies that fail, the app's environment and mounts, runs at once,
 * Ctrl-C, and the GitHub `services:` route (a database on a network made outside deploy-check).
 * After every run nothing of its Compose project is left: containers, networks, volumes, images.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { dockerCli, unavailable } from '../support/docker.ts';
import { REPO_ROOT, runActionSteps } from '../support/action-runner.ts';
import { fixture, removeImage, runLocal, tempApp, uniqueImage, type LocalRun } from '../support/local-runner.ts';

interface ServiceEntry {
  name: string;
  image: string | null;
  condition: string;
  status: string;
  readyMs: number | null;
  reason: string | null;
  exitCode: number | null;
  restarts: number | null;
  logs: string[];
}
interface ServicesReport {
  services?: ServiceEntry[];
  preDeploy?: { status: string; commands: { command: string; exitCode: number | null; logs: string[] }[] } | null;
  compose?: { project: string; service: string; networks: string[]; droppedMounts: string[]; failure: string | null; warnings: string[] } | null;
}

const EXAMPLE = path.join(REPO_ROOT, 'examples/fastapi-postgres');
const APP = fixture('compose-app');
const images: string[] = [];
const apps: (() => Promise<void>)[] = [];
afterAll(async () => {
  images.forEach(removeImage);
  await Promise.all(apps.map((remove) => remove()));
});

let skip = false;
beforeAll(() => {
  let missing: string | false = false;
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
  } catch {
    missing = 'docker compose (Compose v2)';
  }
  if (!missing) {
    try {
      dockerCli(['image', 'inspect', 'pgvector/pgvector:pg17']);
    } catch {
      missing = 'the pgvector/pgvector:pg17 image';
    }
  }
  skip = unavailable(missing);
});

function services(run: LocalRun): ServicesReport {
  return (run.report ?? {}) as unknown as ServicesReport;
}

/** The project the run started, from its report or (an interrupted run) its log. */
function projectOf(run: LocalRun): string {
  const project = services(run).compose?.project ?? /Compose services \((deploy-check-[a-z0-9-]+)\)/.exec(run.stderr)?.[1];
  assert.ok(project, `the run named no Compose project:\n${run.stderr}`);
  return project;
}

/** Everything of a Compose project still on the engine, and what deploy-check labelled for the run. */
function projectLeftovers(project: string): string[] {
  const runId = project.slice('deploy-check-'.length);
  const list = (args: string[]): string[] => dockerCli(args).split('\n').filter(Boolean);
  const byProject = `label=com.docker.compose.project=${project}`;
  const byRun = `label=dev.deploy-check.run=${runId}`;
  return [
    ...list(['ps', '-aq', '--filter', byProject]).map((id) => `container ${id}`),
    ...list(['ps', '-aq', '--filter', byRun]).map((id) => `container ${id}`),
    ...list(['network', 'ls', '-q', '--filter', byProject]).map((id) => `network ${id}`),
    ...list(['network', 'ls', '-q', '--filter', byRun]).map((id) => `network ${id}`),
    ...list(['volume', 'ls', '-q', '--filter', byProject]).map((id) => `volume ${id}`),
    ...list(['volume', 'ls', '-q', '--filter', byRun]).map((id) => `volume ${id}`),
    ...list(['image', 'ls', '-q', '--filter', byRun]).map((id) => `image ${id}`),
    ...list(['image', 'ls', '-q', '--filter', `reference=${project}-*`]).map((id) => `image ${id}`),
  ];
}

function appArgs(file: string, image: string, extra: string[] = []): string[] {
  return ['--context', APP, '--compose-file', path.join(APP, file), '--image', image, '--health-path', '/cgi-bin/health', '--hygiene', 'off', ...extra];
}

describe('Compose services', { concurrent: true }, () => {
  test('the Postgres example passes with its migrations applied, and leaves nothing', async (ctx) => {
    if (skip) return ctx.skip();
    const image = uniqueImage('fastapi-postgres');
    images.push(image);
    const run = await runLocal(['--context', EXAMPLE, '--compose-file', path.join(EXAMPLE, 'docker-compose.yml'), '--image', image, '--hygiene', 'off']);
    assert.equal(run.exitCode, 0, `${run.stderr}\n${run.stdout}`);
    const report = services(run);
    assert.deepEqual(
      report.services?.map((s) => [s.name, s.condition, s.status]),
      [['db', 'service_healthy', 'ready']],
    );
    assert.equal(report.services[0]?.image, 'pgvector/pgvector:pg17');
    assert.ok(typeof report.services[0].readyMs === 'number' && report.services[0].readyMs > 0);
    assert.equal(report.compose?.service, 'api');
    // railway.json's preDeployCommand ran the migrations on the project's network, after db was ready.
    assert.equal(report.preDeploy?.status, 'passed', JSON.stringify(report.preDeploy));
    assert.ok(
      report.preDeploy.commands[0]?.logs.some((l) => l.includes('Running upgrade  -> 0001')),
      JSON.stringify(report.preDeploy.commands[0]?.logs),
    );
    // /api/v1/health/ready answers 200 only at the Alembic head, and counts the rows of the migrated table.
    assert.match(run.report?.health.lastHttp?.body ?? '', /"status":"ready","revision":"0001","items":0/);
    assert.match(run.stderr, /the bind mount \S+\/examples\/fastapi-postgres\/app:\/srv\/app of "api" is left out/);
    assert.match(run.stdout, /service {2}db ready in .* \(service_healthy\)/);
    assert.deepEqual(projectLeftovers(projectOf(run)), []);
  });

  test("the Postgres example without compose-file and without its railway.ts fails with the app's own error", async (ctx) => {
    if (skip) return ctx.skip();
    const image = uniqueImage('fastapi-postgres-alone');
    images.push(image);
    // A railway.ts of its own without the database: the app gets no DATABASE_URL.
    const app = await tempApp({});
    await cp(EXAMPLE, app.dir, { recursive: true });
    await writeFile(
      path.join(app.dir, '.railway/railway.ts'),
      "import { project, service } from 'railway/iac';\nexport default () => project('p', { resources: [service('api', { preDeploy: 'python3 -m alembic upgrade head', healthcheck: '/api/v1/health/ready' })] });\n",
    );
    try {
      const run = await runLocal(['--context', app.dir, '--image', image, '--hygiene', 'off', '--health-timeout', '30s']);
      assert.equal(run.exitCode, 1, run.stderr);
      // The migrations (the preDeploy command) are the first to need the database.
      const pre = services(run).preDeploy;
      assert.equal(pre?.status, 'failed', JSON.stringify(pre));
      assert.ok(
        pre.commands[0]?.logs.some((l) => l.includes('DATABASE_URL is not set')),
        JSON.stringify(pre.commands[0]?.logs),
      );
      assert.equal(run.report?.health.status, 'skipped');
      assert.deepEqual(services(run).services, []);
    } finally {
      await app.remove();
    }
  });

  test('a dependency whose healthcheck never passes fails within the health timeout, with its logs', async (ctx) => {
    if (skip) return ctx.skip();
    const image = uniqueImage('compose-never-healthy');
    images.push(image);
    const run = await runLocal(appArgs('never-healthy.yml', image, ['--health-timeout', '8s']));
    assert.equal(run.exitCode, 1, run.stderr);
    const db = services(run).services?.[0];
    assert.equal(db?.name, 'db');
    assert.equal(db.status, 'failed');
    assert.match(db.reason ?? '', /not ready after 8s: waiting for its healthcheck to pass \(service_healthy\)/);
    assert.ok(
      db.logs.some((l) => l.includes('fake db: starting')),
      JSON.stringify(db.logs),
    );
    assert.equal(run.report?.health.status, 'skipped');
    assert.match(run.report.reasons[0] ?? '', /Service "db" failed: not ready after 8s/);
    assert.match(run.stdout, /Service db \(deploy-check-test\/busybox:latest\) failed/);
    assert.deepEqual(projectLeftovers(projectOf(run)), []);
  });

  test('a one-shot migrate service that exits 1 fails the check with its output; the app is not started', async (ctx) => {
    if (skip) return ctx.skip();
    const image = uniqueImage('compose-migrate-fails');
    images.push(image);
    const run = await runLocal(appArgs('migrate-fails.yml', image));
    assert.equal(run.exitCode, 1, run.stderr);
    const migrate = services(run).services?.find((s) => s.name === 'migrate');
    assert.equal(migrate?.status, 'failed');
    assert.equal(migrate.exitCode, 1);
    assert.match(migrate.reason ?? '', /exited with code 1 \(service_completed_successfully needs 0\)/);
    assert.ok(migrate.logs.includes('ERROR: relation "items" does not exist'), JSON.stringify(migrate.logs));
    assert.equal(run.report?.health.status, 'skipped');
    assert.equal(run.report.health.container, null);
    assert.deepEqual(projectLeftovers(projectOf(run)), []);
  });

  test('a dependency that exits 1 at once and restarts (restart: always) fails the run when it restarts, with its exit code, restarts and last log lines', async (ctx) => {
    if (skip) return ctx.skip();
    const image = uniqueImage('compose-crash-loop');
    images.push(image);
    const run = await runLocal(appArgs('crash-loop.yml', image, ['--health-timeout', '60s']));
    assert.equal(run.exitCode, 1, run.stderr);
    const db = services(run).services?.[0];
    assert.equal(db?.name, 'db');
    assert.equal(db.status, 'failed', JSON.stringify(db));
    assert.equal(db.exitCode, 1, JSON.stringify(db));
    assert.ok(db.restarts !== null && db.restarts >= 1, JSON.stringify(db));
    assert.match(
      db.reason ?? '',
      /^it exited with code 1 and Docker restarted it \d+ times? \(restart: always\), now (restarting|running); a dependency that restarts before it is ready is failing, not starting$/,
    );
    assert.ok(db.logs.includes('FATAL: password authentication is not configured'), JSON.stringify(db.logs));
    // It failed when it restarted, not when the health timeout ran out waiting for a healthcheck.
    assert.match(services(run).compose?.failure ?? '', /^db: it exited with code 1 and Docker restarted it/);
    assert.match(run.report?.reasons[0] ?? '', /Service "db" failed: it exited with code 1 and Docker restarted it/);
    assert.match(run.stderr, /Compose: db failed: it exited with code 1 .*; its last log lines: .*FATAL: password authentication is not configured/);
    assert.equal(run.report?.health.status, 'skipped');
    assert.deepEqual(projectLeftovers(projectOf(run)), []);
  });

  test("Compose's warning about an unset variable is in the log and the report's compose section, once", async (ctx) => {
    if (skip) return ctx.skip();
    const image = uniqueImage('compose-unset-variable');
    images.push(image);
    assert.equal(process.env['DEPLOY_CHECK_TEST_UNSET_API_KEY'], undefined);
    const run = await runLocal(appArgs('unset-variable.yml', image));
    assert.equal(run.exitCode, 0, `${run.stderr}\n${run.stdout}`);
    const warning = 'The "DEPLOY_CHECK_TEST_UNSET_API_KEY" variable is not set. Defaulting to a blank string.';
    assert.deepEqual(services(run).compose?.warnings, [warning]);
    // Compose says it on every command (config, up): the log says it once.
    assert.equal(run.stderr.split(`warning: Compose: ${warning}`).length - 1, 1, run.stderr);
    assert.deepEqual(projectLeftovers(projectOf(run)), []);
  });

  test('a dependency with a fixed container_name: two runs at once beside a container of that name both pass, and the app reaches it by that name', async (ctx) => {
    if (skip) return ctx.skip();
    const [a, b] = [uniqueImage('compose-name-a'), uniqueImage('compose-name-b')];
    images.push(a, b);
    // Unique on the shared engine; the file's default is fixed-db. The container stands for a developer's running stack.
    const name = `fixed-db-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    dockerCli(['create', '--name', name, 'deploy-check-test/busybox:latest', 'true']);
    try {
      // health-body passes only when the app resolved the container_name and the dependency answered.
      const check = (image: string): Promise<LocalRun> =>
        runLocal(appArgs('container-name.yml', image, ['--health-body', 'peer=pong']), { env: { DB_CONTAINER_NAME: name } });
      const runs = await Promise.all([check(a), check(b)]);
      for (const run of runs) {
        assert.equal(run.exitCode, 0, `${run.stderr}\n${run.stdout}`);
        const project = projectOf(run);
        assert.ok(run.stderr.includes(`Compose: container_name "${name}" of "db" is replaced by "${project}-${name}" for this run`), run.stderr);
        assert.equal(services(run).services?.[0]?.status, 'ready');
        assert.deepEqual(projectLeftovers(project), []);
      }
      assert.equal(dockerCli(['inspect', '-f', '{{.State.Status}}', name]).trim(), 'created');
    } finally {
      dockerCli(['rm', '-f', name]);
    }
  });

  test('the app joins the project: env overrides the Compose environment, the peer answers by name, the bind mount is dropped; two runs at once', async (ctx) => {
    if (skip) return ctx.skip();
    const [a, b] = [uniqueImage('compose-env-a'), uniqueImage('compose-env-b')];
    images.push(a, b);
    // health-body passes only with the input's GREETING, the file's FROM_COMPOSE and the peer's answer.
    const check = (image: string): Promise<LocalRun> =>
      runLocal(appArgs('docker-compose.yml', image, ['--env', 'GREETING=from-input', '--health-body', 'greeting=from-input compose=yes peer=pong']));
    const runs = await Promise.all([check(a), check(b)]);
    for (const run of runs) {
      assert.equal(run.exitCode, 0, `${run.stderr}\n${run.stdout}`);
      assert.match(run.stderr, /the bind mount \S+compose-app:\/www of "app" is left out/);
      assert.equal(services(run).services?.[0]?.status, 'ready');
      // Compose built peer itself (its own build, not the checked image); the image went with the project.
      assert.equal(services(run).services?.[0]?.image, `${projectOf(run)}-peer`);
      assert.deepEqual(projectLeftovers(projectOf(run)), []);
    }
    assert.notEqual(projectOf(runs[0]), projectOf(runs[1]));
  });

  test('SIGINT while waiting for a dependency removes the whole project and exits 130', async (ctx) => {
    if (skip) return ctx.skip();
    const image = uniqueImage('compose-interrupted');
    images.push(image);
    let seen: string[] = [];
    let project = '';
    const run = await runLocal(appArgs('never-healthy.yml', image, ['--health-timeout', '120s']), {
      interruptWhen: /Compose: waiting up to 120s for db/,
      onBeforeInterrupt: (stderr) => {
        project = /Compose services \((deploy-check-[a-z0-9-]+)\)/.exec(stderr)?.[1] ?? '';
        seen = project ? projectLeftovers(project) : [];
      },
    });
    assert.equal(run.exitCode, 130, run.stderr);
    assert.ok(project, `the run never started its Compose project:\n${run.stderr}`);
    assert.ok(
      seen.some((s) => s.startsWith('container')),
      `the project had a running dependency when the interrupt came: ${seen.join(', ')}`,
    );
    assert.deepEqual(projectLeftovers(project), []);
  });

  test('GitHub services: route: Postgres on a network made outside deploy-check, reached as "postgres"', async (ctx) => {
    if (skip) return ctx.skip();
    const image = uniqueImage('fastapi-postgres-gh');
    images.push(image);
    const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const network = `deploy-check-test-gh-${suffix}`;
    const postgres = `deploy-check-test-gh-postgres-${suffix}`;
    // What the runner does for `services: postgres:` before the job's steps: a network, the
    // service container on it under its key as alias, then a wait for its health-cmd.
    dockerCli(['network', 'create', network]);
    try {
      dockerCli([
        'run',
        '-d',
        '--name',
        postgres,
        '--network',
        network,
        '--network-alias',
        'postgres',
        '-e',
        'POSTGRES_USER=app',
        '-e',
        'POSTGRES_PASSWORD=gh-service-pw',
        '-e',
        'POSTGRES_DB=app',
        '--health-cmd',
        'pg_isready -U app -d app',
        '--health-interval',
        '1s',
        '--health-retries',
        '60',
        'pgvector/pgvector:pg17',
      ]);
      for (let i = 0; i < 120 && dockerCli(['inspect', '-f', '{{.State.Health.Status}}', postgres]).trim() !== 'healthy'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      // The pre-deploy command migrates on the same network before the app starts. The railway.ts
      // declares no database here: the job's service container is the database.
      const app = await tempApp({});
      apps.push(app.remove);
      await cp(EXAMPLE, app.dir, { recursive: true });
      await writeFile(
        path.join(app.dir, '.railway/railway.ts'),
        "import { project, service } from 'railway/iac';\nexport default () => project('p', { resources: [service('api', { preDeploy: 'python3 -m alembic upgrade head', healthcheck: '/api/v1/health/ready' })] });\n",
      );
      const run = await runLocal([
        '--context',
        app.dir,
        '--image',
        image,
        '--hygiene',
        'off',
        '--network',
        network,
        '--env',
        'DATABASE_URL=postgresql+psycopg2://app:gh-service-pw@postgres:5432/app',
      ]);
      assert.equal(run.exitCode, 0, `${run.stderr}\n${run.stdout}`);
      assert.match(run.report?.health.lastHttp?.body ?? '', /"status":"ready","revision":"0001"/);
      assert.equal(services(run).preDeploy?.status, 'passed');
      assert.deepEqual(services(run).services, []);
      // deploy-check leaves the network and the service container to the runner.
      assert.equal(dockerCli(['inspect', '-f', '{{.State.Running}}', postgres]).trim(), 'true');
    } finally {
      dockerCli(['rm', '-f', '-v', postgres]);
      dockerCli(['network', 'rm', network]);
    }
  });

  test('action: main step killed with SIGINT while a dependency starts, then the post step: nothing of the project left', async (ctx) => {
    if (skip) return ctx.skip();
    const image = uniqueImage('compose-action-cancel');
    images.push(image);
    const run = await runActionSteps({
      inputs: {
        context: APP,
        'compose-file': path.join(APP, 'never-healthy.yml'),
        image,
        'health-path': '/cgi-bin/health',
        'health-timeout': '120',
        hygiene: 'off',
      },
      cwd: APP,
      killWhen: /Compose: waiting up to 120s for db/,
    });
    const project = /Compose services \((deploy-check-[a-z0-9-]+)\)/.exec(run.main.stdout)?.[1];
    assert.ok(project, `main never started the Compose project:\n${run.main.stdout}`);
    assert.equal(run.post?.exitCode, 0, run.post?.stdout);
    assert.deepEqual(projectLeftovers(project), []);
  });

  test('an app that cannot reach a Compose service it does not depend on: the reason names the service and the fix', async (ctx) => {
    if (skip) return ctx.skip();
    const image = uniqueImage('compose-undeclared');
    images.push(image);
    const run = await runLocal(appArgs('undeclared.yml', image, ['--health-body', 'peer=pong', '--health-timeout', '6s']));
    assert.equal(run.exitCode, 1, run.stderr);
    assert.match(
      run.report?.health.reason ?? '',
      /could not reach "cache" \(a service of the Compose file\): it was not started, because "app" does not depend on it; add it to depends_on/,
    );
    assert.deepEqual(services(run).services, []);
  });

  test('compose-service whose build names a dockerfile, and no dockerfile input: that Dockerfile is built', async (ctx) => {
    if (skip) return ctx.skip();
    const image = uniqueImage('compose-dockerfile');
    images.push(image);
    // No ./Dockerfile: only the service's build.dockerfile can be the one built.
    const app = await tempApp({
      'Dockerfile.app': 'FROM deploy-check-test/busybox:latest\nCMD ["sh", "-c", "trap \'exit 0\' TERM; echo built from Dockerfile.app; sleep 3600 & wait"]\n',
      'compose.yml': 'services:\n  api:\n    build:\n      context: .\n      dockerfile: Dockerfile.app\n',
    });
    apps.push(app.remove);
    const run = await runLocal([
      '--context',
      app.dir,
      '--compose-file',
      path.join(app.dir, 'compose.yml'),
      '--compose-service',
      'api',
      '--image',
      image,
      '--hygiene',
      'off',
      '--wait-for',
      'log:built from Dockerfile\\.app',
      '--health-timeout',
      '30s',
    ]);
    assert.equal(run.exitCode, 0, `${run.stderr}\n${run.stdout}`);
    assert.equal(run.report?.health.status, 'healthy');
    assert.equal((run.report as unknown as { source: { dockerfile: string } }).source.dockerfile, path.join(app.dir, 'Dockerfile.app'));
    assert.deepEqual(projectLeftovers(projectOf(run)), []);
  });

  test('no service builds the context and compose-service is empty: exit 2 naming the services; an unknown compose-service too', async (ctx) => {
    if (skip) return ctx.skip();
    const none = await runLocal(['--context', fixture('healthy'), '--compose-file', path.join(APP, 'never-healthy.yml')], { report: false });
    assert.equal(none.exitCode, 2, none.stderr);
    assert.match(
      none.stderr,
      /Input "compose-service": no service builds \S+\/test\/fixtures\/healthy; set "compose-service" to the app's service; services: app, db/,
    );
    const unknown = await runLocal(['--context', APP, '--compose-file', path.join(APP, 'never-healthy.yml'), '--compose-service', 'web'], { report: false });
    assert.equal(unknown.exitCode, 2, unknown.stderr);
    assert.match(unknown.stderr, /Input "compose-service": no service "web" in the Compose file; services: app, db/);
    const broken = await runLocal(['--context', APP, '--compose-file', path.join(APP, 'www/cgi-bin/health')], { report: false });
    assert.equal(broken.exitCode, 2, broken.stderr);
    assert.match(broken.stderr, /Input "compose-file": docker compose cannot read/);
  });
});
