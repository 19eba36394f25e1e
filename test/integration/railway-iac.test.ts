/**
 * .railway/railway.ts, the way Railway reads a service's configuration since 2026-12-01: the
 * local command evaluates it (in a child without credentials), follows the checked service's
 * settings, starts the databases it references and gives the app their variables.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, test } from 'vitest';
import { dockerCli } from '../support/docker.ts';
import { REPO_ROOT } from '../support/action-runner.ts';
import { fixture, removeImage, runIdOf, runLocal, tempApp, uniqueImage, type LocalRun } from '../support/local-runner.ts';
import { RAILWAY_FIXTURE as F, startRailwayServer } from '../support/railway-server.ts';

interface RailwaySection {
  file: string;
  kind: string;
  environment: string | null;
  service: string | null;
  settings: { setting: string; value: string; from: string }[];
  notMirrored: { setting: string }[];
  variables: { name: string; source: string }[];
  unavailable: { name: string; reason: string }[];
  databases: { name: string; image: string; host: string }[];
  staleFile: { file: string; reason: string; settings: string[] } | null;
}
interface IacReport {
  railway?: RailwaySection | null;
  services?: { name: string; image: string | null; status: string; reason: string | null; logs: string[] }[];
  compose?: { project: string } | null;
  preDeploy?: { status: string; commands: { logs: string[] }[] } | null;
}

const EXAMPLE = path.join(REPO_ROOT, 'examples/fastapi-postgres');
const images: string[] = [];
const apps: (() => Promise<void>)[] = [];
afterAll(async () => {
  images.forEach(removeImage);
  await Promise.all(apps.map((remove) => remove()));
});

function iac(run: LocalRun): IacReport {
  return (run.report ?? {}) as unknown as IacReport;
}

/** What of a run's Compose project is still on the engine. */
function leftovers(run: LocalRun): string[] {
  const project = iac(run).compose?.project ?? /Compose services \((deploy-check-[a-z0-9-]+)\)/.exec(run.stderr)?.[1];
  if (!project) return [];
  const list = (args: string[]): string[] => dockerCli(args).split('\n').filter(Boolean);
  const filter = `label=com.docker.compose.project=${project}`;
  return [
    ...list(['ps', '-aq', '--filter', filter]),
    ...list(['network', 'ls', '-q', '--filter', filter]),
    ...list(['volume', 'ls', '-q', '--filter', filter]),
  ];
}

/** The busybox app that answers /health, with the given .railway/railway.ts (and more files). */
async function appWith(railwayTs: string, files: Record<string, string> = {}): Promise<string> {
  const app = await tempApp({ '.railway/railway.ts': railwayTs, ...files });
  apps.push(app.remove);
  await cp(fixture('healthy'), app.dir, { recursive: true });
  return app.dir;
}

function image(name: string): string {
  const ref = uniqueImage(name);
  images.push(ref);
  return ref;
}

const SERVICE = (body: string): string => `import { defineRailway, project, service, github, postgres, redis } from 'railway/iac';
export default defineRailway((ctx) => {
${body}
});
`;

describe('.railway/railway.ts', { concurrent: true }, () => {
  test('the Postgres example passes with only its context: the database it declares, DATABASE_URL from it, migrations first; nothing left', async () => {
    const run = await runLocal(['--context', EXAMPLE, '--image', image('iac-pg'), '--hygiene', 'off']);
    assert.equal(run.exitCode, 0, `${run.stderr}\n${run.stdout}`);
    const report = iac(run);
    assert.equal(report.railway?.kind, '.railway/railway.ts');
    assert.equal(report.railway.service, 'api');
    assert.equal(report.railway.environment, 'production');
    assert.deepEqual(
      report.services?.map((s) => [s.name, s.image, s.status]),
      [['postgres', 'ghcr.io/railwayapp-templates/postgres-ssl:18', 'ready']],
    );
    assert.deepEqual(
      report.railway.databases.map((d) => d.host),
      ['postgres.railway.internal'],
    );
    assert.ok(
      report.railway.variables.some((v) => v.name === 'DATABASE_URL' && v.source === 'database.postgres DATABASE_URL'),
      JSON.stringify(report.railway.variables),
    );
    assert.ok(
      report.railway.settings.some((s) => s.setting === 'healthcheckPath' && s.from.endsWith('.railway/railway.ts service.api deploy.healthcheckPath')),
      JSON.stringify(report.railway.settings),
    );
    assert.deepEqual(
      report.railway.notMirrored.map((n) => n.setting),
      ['deploy.numReplicas'],
    );
    assert.equal(report.preDeploy?.status, 'passed');
    assert.ok(
      report.preDeploy.commands[0]?.logs.some((l) => l.includes('Running upgrade  -> 0001')),
      JSON.stringify(report.preDeploy.commands[0]?.logs),
    );
    assert.match(run.report?.health.lastHttp?.body ?? '', /"status":"ready","revision":"0001"/);
    // The database's password is the run's own and never printed.
    assert.doesNotMatch(`${run.stdout}${run.stderr}${JSON.stringify(run.report)}`, /postgresql:\/\/postgres:[0-9a-f]{24}@/);
    assert.deepEqual(leftovers(run), []);
  });

  test('a stale railway.json beside railway.ts is not mirrored and the warning names it', async () => {
    const app = await tempApp({});
    apps.push(app.remove);
    await cp(EXAMPLE, app.dir, { recursive: true });
    await writeFile(path.join(app.dir, 'railway.json'), JSON.stringify({ deploy: { startCommand: 'python3 -m app.gone', healthcheckPath: '/old' } }));
    const run = await runLocal(['--context', app.dir, '--image', image('iac-stale'), '--hygiene', 'off']);
    assert.equal(run.exitCode, 0, `${run.stderr}\n${run.stdout}`);
    assert.match(run.stderr, /railway\.json is not read: \.railway\/railway\.ts configures the service/);
    assert.deepEqual(iac(run).railway?.staleFile?.settings, ['deploy.startCommand', 'deploy.healthcheckPath']);
    assert.deepEqual(leftovers(run), []);
  });

  test('after the cutoff a railway.json alone is not mirrored (its failing health path is not used); railway-config-file: true mirrors it', async () => {
    const app = await tempApp({ 'railway.json': JSON.stringify({ deploy: { healthcheckPath: '/missing' } }) });
    apps.push(app.remove);
    await cp(fixture('healthy'), app.dir, { recursive: true });
    const ignored = await runLocal(['--context', app.dir, '--image', image('iac-cutoff'), '--hygiene', 'off']);
    assert.equal(ignored.exitCode, 0, ignored.stderr);
    assert.match(
      ignored.stderr,
      /railway\.json is not read: Railway stopped reading railway\.json \/ railway\.toml on 2026-12-01, so its deploy\.healthcheckPath is not applied by Railway and not mirrored here; `railway config migrate`/,
    );
    const mirrored = await runLocal([
      '--context',
      app.dir,
      '--image',
      image('iac-legacy'),
      '--hygiene',
      'off',
      '--railway-config-file',
      'true',
      '--health-timeout',
      '5s',
    ]);
    assert.equal(mirrored.exitCode, 1, mirrored.stderr);
    assert.equal(mirrored.report?.health.target?.endsWith('/missing'), true);
  });

  test('a health path from railway.ts that answers 404 fails, naming the path and where it came from', async () => {
    const dir = await appWith(SERVICE(`  return project('p', { resources: [service('web', { healthcheck: '/nope', healthcheckTimeout: 5 })] });`));
    const run = await runLocal(['--context', dir, '--image', image('iac-404'), '--hygiene', 'off']);
    assert.equal(run.exitCode, 1, run.stderr);
    assert.equal(run.report?.health.lastHttp?.status, 404);
    assert.match(JSON.stringify(run.report.health), /nope/);
    assert.match(run.stdout, /health path from \.railway\/railway\.ts/);
  });

  test('a file that does not compile, throws or never returns: exit 2 naming the file and its line, nothing started', async () => {
    const cases: [string, string, RegExp][] = [
      ['syntax', 'const x: number = 1;\nexport default function () {\n  return {\n', /railway\.ts does not compile at line 3/],
      ['throws', "const x: number = 1;\nexport default () => {\n  throw new Error('no project today');\n};\n", /railway\.ts threw at line 3: no project today/],
      ['hangs', 'export default () => { for (;;) {} };\n', /railway\.ts did not finish within 20 s and was stopped/],
      ['empty', 'export default () => undefined;\n', /railway\.ts returned no project/],
    ];
    await Promise.all(
      cases.map(async ([name, source, expected]) => {
        const dir = await appWith(source);
        const run = await runLocal(['--context', dir, '--image', image(`iac-${name}`)]);
        assert.equal(run.exitCode, 2, `${name}: ${run.stderr}`);
        assert.match(run.stderr, /Input "railway-config"/);
        assert.match(run.stderr, expected);
        assert.equal(run.report, null);
      }),
    );
  });

  test("a file that fails after the image was built beside it: exit 2, and neither the image tag nor the run's tag is left", async () => {
    // The evaluation runs out its 20 s while the tiny image builds: the build finished first.
    const dir = await appWith('export default () => { for (;;) {} };\n');
    // An image of its own (no other run builds the same), to look for among the runs' tags after.
    const unique = createHash('sha256').update(`${Date.now()}-${Math.random()}`).digest('hex').slice(0, 12);
    const healthy = await readFile(path.join(dir, 'Dockerfile'), 'utf8');
    await writeFile(path.join(dir, 'Dockerfile'), healthy.replace('COPY www/ /www/', `COPY www/ /www/\nRUN echo "built beside ${unique}"`));
    const ref = image('iac-hangs-built');
    const run = await runLocal(['--context', dir, '--image', ref]);
    assert.equal(run.exitCode, 2, run.stderr);
    assert.match(run.stderr, /railway\.ts did not finish within 20 s/);
    assert.match(run.stderr, new RegExp(`built beside ${unique}`), 'the image was built beside the evaluation');
    assert.equal(dockerCli(['image', 'ls', '-q', ref]), '', `${ref} is left`);
    const runTags = dockerCli(['image', 'ls', '--filter', 'reference=deploy-check-run:*', '--format', '{{.Repository}}:{{.Tag}}']).split('\n').filter(Boolean);
    for (const tag of runTags) {
      const history = (() => {
        try {
          return dockerCli(['image', 'history', '--no-trunc', '--format', '{{.CreatedBy}}', tag]);
        } catch {
          return ''; // Another run's tag, removed meanwhile.
        }
      })();
      assert.doesNotMatch(history, new RegExp(unique), `${tag} (this run's image) is left`);
    }
  });

  test("build.dockerfilePath naming another Dockerfile: the build of the context's Dockerfile is stopped and the named one is built", async () => {
    const unique = createHash('sha256').update(`${Date.now()}-${Math.random()}`).digest('hex').slice(0, 12);
    const dir = await appWith(
      SERVICE(
        `  return project('p', { resources: [service('web', { build: { builder: 'DOCKERFILE', dockerfilePath: 'railway.Dockerfile' }, healthcheck: '/health' })] });`,
      ),
    );
    const healthy = await readFile(path.join(dir, 'Dockerfile'), 'utf8');
    // The context's own Dockerfile would take a minute and never serve: only a build of the named one passes.
    await writeFile(
      path.join(dir, 'Dockerfile'),
      `FROM deploy-check-test/busybox:latest\nRUN echo "context dockerfile ${unique}" && sleep 60\nCMD ["sleep", "3600"]\n`,
    );
    await writeFile(path.join(dir, 'railway.Dockerfile'), healthy.replace('COPY www/ /www/', `COPY www/ /www/\nRUN echo "railway dockerfile ${unique}"`));
    const run = await runLocal(['--context', dir, '--image', image('iac-dockerfile-path'), '--hygiene', 'off']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal((run.report as unknown as { source?: { dockerfile?: string } } | null)?.source?.dockerfile, path.join(dir, 'railway.Dockerfile'));
    const steps = (run.report?.build.steps.list ?? []).map((s) => s.name).join('\n');
    assert.match(steps, new RegExp(`railway dockerfile ${unique}`));
    assert.doesNotMatch(steps, /context dockerfile/);
    assert.match(run.stderr, /names \S+railway\.Dockerfile \(build\.dockerfilePath\): the build of \S+Dockerfile is stopped/);
  });

  test('a health path from railway.ts with a line break is refused, naming the file and field', async () => {
    const dir = await appWith(SERVICE(`  return project('p', { resources: [service('web', { healthcheck: '/health\\n::warning::injected' })] });`));
    const run = await runLocal(['--context', dir, '--image', image('iac-inject')]);
    assert.equal(run.exitCode, 2, run.stderr);
    assert.match(run.stderr, /\.railway\/railway\.ts service\.web deploy\.healthcheckPath/);
    assert.doesNotMatch(run.stderr, /^::warning::injected/m);
  });

  test('the file sees no token and no input in its environment', async () => {
    const dir = await appWith("export default () => { throw new Error('env: ' + Object.keys(process.env).sort().join(' ')); };\n");
    const run = await runLocal(
      ['--context', dir, '--image', image('iac-env'), '--railway-token', 'rw-secret-token-123456', '--github-token', 'ghp_secret_token_1234567890'],
      {
        env: {
          GITHUB_TOKEN: 'ghp_secret_token_1234567890',
          RAILWAY_TOKEN: 'rw-secret-token-123456',
          INPUT_RAILWAY_TOKEN: 'x',
          ACTIONS_RUNTIME_TOKEN: 'y',
          ACTIONS_RESULTS_URL: 'http://127.0.0.1:1/',
        },
      },
    );
    assert.equal(run.exitCode, 2, run.stderr);
    const seen = /threw at line 1: env: (.*)/.exec(run.stderr)?.[1] ?? '';
    assert.match(seen, /\bPATH\b/, run.stderr);
    assert.doesNotMatch(seen, /TOKEN|INPUT_|ACTIONS_|GITHUB_/);
  });

  test('two services: the one railway-service names, else exit 2 listing both', async () => {
    const two = SERVICE(`  return project('p', { resources: [
    service('web', { healthcheck: '/health' }),
    service('worker', { start: 'sh -c "echo working; sleep 600"', healthcheck: '/nope' }),
  ] });`);
    const dir = await appWith(two);
    const ambiguous = await runLocal(['--context', dir, '--image', image('iac-two')]);
    assert.equal(ambiguous.exitCode, 2, ambiguous.stderr);
    assert.match(ambiguous.stderr, /several services this could be \(web, worker\); set "railway-service"/);
    const web = await runLocal(['--context', dir, '--image', image('iac-web'), '--railway-service', 'web', '--hygiene', 'off']);
    assert.equal(web.exitCode, 0, web.stderr);
    assert.equal(iac(web).railway?.service, 'web');
  });

  test("a Redis reference starts Railway's Redis and gives the app REDIS_URL", async () => {
    const dir = await appWith(
      SERVICE(`  const cache = redis('cache');
  return project('p', { resources: [cache, service('web', { healthcheck: '/health', env: { REDIS_URL: cache.env.REDIS_URL } })] });`),
    );
    const run = await runLocal(['--context', dir, '--image', image('iac-redis'), '--hygiene', 'off']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(
      iac(run).services?.map((s) => [s.name, s.image, s.status]),
      [['cache', 'railwayapp/redis:8.2', 'ready']],
    );
    assert.ok(iac(run).railway?.variables.some((v) => v.name === 'REDIS_URL' && v.source === 'database.cache REDIS_URL'));
    assert.deepEqual(leftovers(run), []);
  });

  test('a database that never becomes ready fails the run naming it, with its last log lines; nothing left', async () => {
    const dir = await appWith(
      SERVICE(`  const db = postgres('db', { image: 'deploy-check-test/busybox:latest' });
  return project('p', { resources: [db, service('web', { healthcheck: '/health', env: { DATABASE_URL: db.env.DATABASE_URL } })] });`),
    );
    const run = await runLocal(['--context', dir, '--image', image('iac-db-down'), '--hygiene', 'off', '--health-timeout', '20s']);
    assert.equal(run.exitCode, 1, run.stderr);
    const db = iac(run).services?.find((s) => s.name === 'db');
    assert.ok(db && db.status !== 'ready', JSON.stringify(iac(run).services));
    assert.equal(run.report?.health.status, 'skipped');
    assert.match(run.stdout + run.stderr, /\bdb\b/);
    assert.deepEqual(leftovers(run), []);
  });

  test('SIGINT while the database starts removes the whole project and exits 130', async () => {
    const run = await runLocal(['--context', EXAMPLE, '--image', image('iac-sigint'), '--hygiene', 'off'], { interruptWhen: /Compose: starting postgres/ });
    assert.equal(run.exitCode, 130, run.stderr);
    assert.match(run.stderr, /Compose services \(deploy-check-[a-z0-9-]+\)/);
    assert.deepEqual(leftovers(run), []);
  });

  test('a shared variable without railway-token is named as not available; env can supply it', async () => {
    const dir = await appWith(
      SERVICE(`  return project('p', { resources: [service('web', { healthcheck: '/health', env: { SECRET_KEY: ctx.shared.SECRET_KEY, MODE: 'fast' } })] });`),
    );
    const run = await runLocal(['--context', dir, '--image', image('iac-shared'), '--hygiene', 'off']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(
      iac(run).railway?.unavailable.map((u) => u.name),
      ['SECRET_KEY'],
    );
    assert.match(run.stderr, /Railway variable SECRET_KEY is not set here: the shared variable SECRET_KEY lives only in Railway/);
  });

  test('a volume is mounted empty and owned by root, as Railway mounts it: a non-root app that writes there fails with the reason; one that only finds it (and the IDs Railway sets) passes; nothing left', async () => {
    // The image holds /data with a file, owned by the app's user: a volume filled from the image
    // (Docker's default) would let the writing app pass here and fail on Railway.
    const dockerfile = `FROM deploy-check-test/busybox:latest
RUN echo 'app:x:1000:1000:app:/home/app:/bin/sh' >> /etc/passwd && echo 'app:x:1000:' >> /etc/group \\
    && mkdir -p /data && echo seed > /data/seed && chown -R 1000:1000 /data
COPY www/ /www/
USER 1000
EXPOSE 8000
`;
    const withVolume = async (start: string): Promise<string> => {
      const dir = await appWith(`import { defineRailway, project, service, volume } from 'railway/iac';
export default defineRailway(() => project('p', { resources: [service('web', {
  healthcheck: '/health',
  start: ${JSON.stringify(start)},
  volumeMounts: { '/data': volume('uploads') },
})] }));
`);
      await writeFile(path.join(dir, 'Dockerfile'), dockerfile);
      return dir;
    };
    const volumesOf = (run: LocalRun): string[] =>
      dockerCli(['volume', 'ls', '-q', '--filter', `label=dev.deploy-check.run=${runIdOf(run.report) ?? 'none'}`])
        .split('\n')
        .filter(Boolean);

    const writes = await withVolume(`sh -c 'echo starting; touch /data/app.db || exit 3; exec httpd -f -p 8000 -h /www'`);
    const refused = await runLocal(['--context', writes, '--image', image('iac-volume-write'), '--hygiene', 'off', '--health-timeout', '20s']);
    assert.equal(refused.exitCode, 1, refused.stderr);
    assert.equal(refused.report?.health.container?.exitCode, 3);
    assert.ok(
      refused.report.health.logs.some((l) => /Permission denied/.test(l)),
      JSON.stringify(refused.report.health.logs),
    );
    assert.match(refused.report.health.reason ?? '', /Railway mounts the volume at \/data empty and owned by root, as this check does/);
    assert.ok(
      iac(refused).railway?.notMirrored.some((n) => n.setting === 'volumeMounts'),
      "the volume's data is still named as not mirrored",
    );
    assert.deepEqual(volumesOf(refused), []);

    // Railway gives a deployment its commit and branch: here the checkout's, read from git.
    const finds = await withVolume(
      `sh -c 'test "$RAILWAY_VOLUME_MOUNT_PATH" = /data && test "$RAILWAY_VOLUME_NAME" = uploads && echo "$RAILWAY_DEPLOYMENT_ID" | grep -Eq "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-" && test -d /data && test ! -e /data/seed || exit 4; test "$RAILWAY_GIT_COMMIT_SHA" = "$(cat /www/commit)" && test "$RAILWAY_GIT_BRANCH" = volumes || exit 5; exec httpd -f -p 8000 -h /www'`,
    );
    const git = (...args: string[]): string =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {
        cwd: finds,
        encoding: 'utf8',
      }).trim();
    git('init', '-q', '-b', 'volumes');
    git('add', '.');
    git('commit', '-q', '-m', 'app');
    // The image carries the commit it is checked at, for the start command to compare with.
    await writeFile(path.join(finds, 'www', 'commit'), git('rev-parse', 'HEAD'));
    const found = await runLocal(['--context', finds, '--image', image('iac-volume-read'), '--hygiene', 'off', '--health-timeout', '20s']);
    assert.equal(found.exitCode, 0, `${found.stderr}\n${JSON.stringify(found.report?.health.logs)}`);
    assert.deepEqual(volumesOf(found), []);
  });

  test('with railway-token a shared variable and a preserve()d one are read from Railway: the app gets them, nothing shows them', async () => {
    const shared = 'shared-secret-4b8e1d07';
    const kept = 'kept-token-93c5a6f2';
    const server = await startRailwayServer();
    server.setSharedVariables(F.environmentId, { SECRET_KEY: shared, UNUSED: 'unused-shared-5d2c' });
    server.service(F.serviceId).variables = { [F.environmentId]: { API_TOKEN: kept } };
    // The app prints what it got (app output is untrusted) and serves only when both values are right;
    // the file holds their digest, not the values.
    const digest = createHash('sha256').update(`${shared}:${kept}`).digest('hex');
    const start = `sh -c 'echo "app got SECRET_KEY=$SECRET_KEY API_TOKEN=$API_TOKEN"; [ "$(printf %s "$SECRET_KEY:$API_TOKEN" | sha256sum)" = "${digest}  -" ] || exit 3; exec httpd -f -p 8000 -h /www'`;
    const dir = await appWith(`import { defineRailway, project, service, preserve } from 'railway/iac';
export default defineRailway((ctx) => project('shop', { resources: [service('web', {
  healthcheck: '/health',
  start: ${JSON.stringify(start)},
  env: { SECRET_KEY: ctx.shared.SECRET_KEY, API_TOKEN: preserve() },
})] }));
`);
    try {
      const run = await runLocal(
        ['--context', dir, '--image', image('iac-remote'), '--hygiene', 'off', '--railway-token', F.projectToken, '--deploy', 'never'],
        {
          cwd: dir,
          env: { RAILWAY_GRAPHQL_ENDPOINT: server.url },
        },
      );
      assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
      const section = iac(run).railway;
      assert.deepEqual(
        section?.variables.filter((v) => v.name === 'SECRET_KEY' || v.name === 'API_TOKEN'),
        [
          { name: 'SECRET_KEY', source: 'shared SECRET_KEY' },
          { name: 'API_TOKEN', source: 'preserve()' },
        ],
      );
      assert.deepEqual(section.unavailable, []);
      assert.deepEqual(
        run.report?.health.logs.filter((l) => l.startsWith('app got')),
        ['app got SECRET_KEY=*** API_TOKEN=***'],
        'the app printed what it got, masked',
      );
      for (const value of [shared, kept]) {
        assert.ok(!run.stdout.includes(value) && !run.stderr.includes(value), 'not in the output');
        assert.ok(!JSON.stringify(run.report).includes(value), 'not in the report');
      }
      assert.deepEqual(
        server.calls.filter((c) => c.operationName === 'Variables').map((c) => c.variables['withShared'] === true && c.variables['withService'] === true),
        [true],
      );
      assert.deepEqual(server.violations, []);
    } finally {
      await server.close();
    }
  });
});
