import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'vitest';
import { diagnoseUnreachableService } from '../../src/services/diagnose.ts';
import { parseComposeModel, type ComposeModel } from '../../src/compose/model.ts';
import {
  appPlacement,
  buildsCheckedImage,
  chooseAppService,
  composeOverride,
  containerNames,
  dependencyClosure,
  durationMs,
  projectName,
} from '../../src/compose/plan.ts';
import { parseContainerStatus, progressOf } from '../../src/services/progress.ts';
import { withServices } from '../../src/services/stage.ts';
import type { ServiceReport } from '../../src/model/report.ts';

/** What `docker compose config --format json` (Compose 2.26) printed for a db + migrate + api file. */
const resolved = readFileSync(new URL('./fixtures/compose-config.json', import.meta.url), 'utf8');
const model = parseComposeModel(resolved);

/** A service of the model, which the fixture is known to have. */
function composeService(m: ComposeModel, name: string): ComposeModel['services'][string] {
  const found = m.services[name];
  assert.ok(found, `the fixture has a service "${name}"`);
  return found;
}

function service(name: string, status: ServiceReport['status'], condition: ServiceReport['condition'] = 'service_healthy'): ServiceReport {
  return {
    name,
    image: null,
    condition,
    status,
    readyMs: null,
    reason: status === 'ready' ? null : 'it exited with code 1',
    exitCode: null,
    restarts: null,
    healthLog: [],
    logs: [],
  };
}

describe('parseComposeModel', () => {
  test('reads services, dependencies, resolved environment (env_file included), networks, mounts and healthcheck', () => {
    const api = model.services['api'];
    assert.ok(api);
    assert.deepEqual(api.build, { context: '/src/shop/app', dockerfile: 'Dockerfile', target: undefined });
    assert.deepEqual(api.dependsOn['migrate'], { condition: 'service_completed_successfully', required: true });
    assert.equal(api.environment['FROM_ENV_FILE'], '1');
    assert.equal('EMPTY' in api.environment, false, 'a variable without a value is left out');
    assert.deepEqual(Object.keys(api.networks).sort(), ['back', 'default']);
    assert.deepEqual(api.volumes, [{ type: 'bind', source: '/src/shop/app', target: '/srv/app' }]);
    assert.deepEqual(model.services['db']?.healthcheck, { test: ['CMD-SHELL', 'pg_isready -U postgres'], disable: false, startPeriod: undefined });
    assert.equal(model.networks['default']?.name, 'deploy-check-x_default');
    assert.equal(model.volumes['dbdata']?.name, 'deploy-check-x_dbdata');
  });

  test('refuses JSON without services', () => {
    assert.throws(() => parseComposeModel('{"name":"x"}'), /no "services"/);
  });
});

describe('chooseAppService', () => {
  test('the named service wins; an unknown name lists the services', () => {
    assert.deepEqual(chooseAppService(model, '/elsewhere', 'db'), { ok: true, service: 'db', source: 'input' });
    const bad = chooseAppService(model, '/src/shop/app', 'web');
    assert.equal(bad.ok, false);
    assert.match(bad.message, /no service "web".*services: api, db, migrate/);
  });

  test('two services built from the context (the app and its migrate one-shot) narrow to the one nothing depends on', () => {
    assert.deepEqual(chooseAppService(model, '/src/shop/app/', undefined), { ok: true, service: 'api', source: 'build context' });
  });

  test('no service built from the context: names the services and the input to set', () => {
    const none = chooseAppService(model, '/src/other', undefined);
    assert.equal(none.ok, false);
    assert.match(none.message, /no service builds \/src\/other; set "compose-service".*services: api, db, migrate/);
  });

  test('two unrelated services built from the context are ambiguous', () => {
    const twin: ComposeModel = { ...model, services: { ...model.services, worker: { ...composeService(model, 'migrate'), name: 'worker', dependsOn: {} } } };
    const choice = chooseAppService(
      { ...twin, services: { ...twin.services, migrate: { ...composeService(twin, 'migrate'), build: undefined } } },
      '/src/shop/app',
      undefined,
    );
    assert.equal(choice.ok, false);
    assert.match(choice.message, /several services build \/src\/shop\/app \(api, worker\)/);
  });
});

describe('dependencyClosure', () => {
  test('transitive dependencies first, each with the strongest condition any dependent waits for, never the app', () => {
    assert.deepEqual(dependencyClosure(model, 'api'), [
      { name: 'db', condition: 'service_healthy', after: [] },
      { name: 'migrate', condition: 'service_completed_successfully', after: ['db'] },
    ]);
    assert.deepEqual(dependencyClosure(model, 'db'), []);
  });
});

describe('composeOverride', () => {
  const deps = dependencyClosure(model, 'api');
  const labels = { 'dev.deploy-check.managed': 'true', 'dev.deploy-check.run': 'r1' };
  const override = composeOverride(model, deps, {
    labels,
    checkedImage: { ref: 'app:checked', services: ['migrate'] },
    startIntervalMs: 250,
    startPeriodMs: 60_000,
  });

  test('labels every started service, network and volume; the checked image replaces a second build', () => {
    assert.deepEqual(override['services'], {
      db: { labels, healthcheck: { start_period: '60000ms', start_interval: '250ms' } },
      migrate: { labels, image: 'app:checked' },
    });
    assert.deepEqual(override['networks'], { back: { labels }, default: { labels } });
    assert.deepEqual(override['volumes'], { dbdata: { labels } });
  });

  test('a service built from another context is built by Compose, its image labelled; no start_interval on old engines', () => {
    const other = composeOverride(model, deps, { labels, checkedImage: { ref: 'app:checked', services: [] }, startIntervalMs: null, startPeriodMs: 60_000 });
    assert.deepEqual((other['services'] as Record<string, unknown>)['migrate'], { labels, build: { labels } });
    assert.deepEqual((other['services'] as Record<string, unknown>)['db'], { labels });
  });

  test('external networks are not labelled', () => {
    const ext = { ...model, networks: { ...model.networks, back: { name: 'shared', external: true } } };
    assert.deepEqual(
      Object.keys(
        composeOverride(ext, deps, { labels, checkedImage: { ref: 'x', services: [] }, startIntervalMs: null, startPeriodMs: 0 })['networks'] as object,
      ),
      ['default'],
    );
  });
});

describe('container_name', () => {
  // What `docker compose -p deploy-check-r1 config --format json` prints for a db with a fixed name on two networks, a cache on the host's network.
  const named = parseComposeModel(
    JSON.stringify({
      name: 'deploy-check-r1',
      services: {
        db: { image: 'postgres', container_name: 'fixed-db', networks: { back: { aliases: ['database'] }, default: null } },
        cache: { image: 'redis', container_name: 'fixed-cache', network_mode: 'host' },
        queue: { image: 'rabbitmq', networks: { default: null } },
        app: {
          build: { context: '/src' },
          container_name: 'my-app',
          depends_on: { db: { condition: 'service_started' }, cache: { condition: 'service_started' }, queue: { condition: 'service_started' } },
          networks: { default: null },
        },
      },
      networks: { back: { name: 'deploy-check-r1_back' }, default: { name: 'deploy-check-r1_default' } },
    }),
  );
  const deps = dependencyClosure(named, 'app');
  const services = composeOverride(named, deps, { labels: {}, checkedImage: { ref: 'x', services: [] }, startIntervalMs: null, startPeriodMs: 0 })[
    'services'
  ] as Record<string, Record<string, unknown>>;

  test("a fixed name becomes the run's own, and stays an alias on each of the service's networks", () => {
    assert.equal(named.services['db']?.containerName, 'fixed-db');
    assert.deepEqual(services['db'], {
      labels: {},
      container_name: 'deploy-check-r1-fixed-db',
      networks: { back: { aliases: ['fixed-db'] }, default: { aliases: ['fixed-db'] } },
    });
    // network_mode has no aliases to give.
    assert.deepEqual(services['cache'], { labels: {}, container_name: 'deploy-check-r1-fixed-cache' });
    assert.deepEqual(services['queue'], { labels: {} });
    assert.deepEqual(containerNames(named, deps), [
      { service: 'db', fixed: 'fixed-db', name: 'deploy-check-r1-fixed-db' },
      { service: 'cache', fixed: 'fixed-cache', name: 'deploy-check-r1-fixed-cache' },
    ]);
  });

  test('the app, run by deploy-check under its own name, keeps its container_name as an alias', () => {
    assert.deepEqual(
      appPlacement(named, 'app', []).networks.map((n) => n.aliases),
      [['app', 'my-app']],
    );
  });
});

describe('appPlacement', () => {
  test('project networks with the service name as alias; inputs override the service environment; bind mounts dropped', () => {
    const placement = appPlacement(model, 'api', [{ key: 'DATABASE_URL', value: 'postgresql://override' }]);
    assert.deepEqual(
      placement.networks.map((n) => [n.name, n.aliases]),
      [
        ['deploy-check-x_back', ['api']],
        ['deploy-check-x_default', ['api']],
      ],
    );
    assert.deepEqual(placement.env, [
      { key: 'FROM_ENV_FILE', value: '1' },
      { key: 'DATABASE_URL', value: 'postgresql://override' },
    ]);
    assert.deepEqual(placement.droppedMounts, ['/src/shop/app:/srv/app']);
  });
});

describe('buildsCheckedImage', () => {
  test('same context, Dockerfile and target', () => {
    const migrate = composeService(model, 'migrate');
    assert.equal(buildsCheckedImage(migrate, { context: '/src/shop/app', dockerfile: '/src/shop/app/Dockerfile', target: undefined }), true);
    assert.equal(buildsCheckedImage(migrate, { context: '/src/shop/app', dockerfile: '/src/shop/app/Dockerfile.dev', target: undefined }), false);
    assert.equal(buildsCheckedImage(migrate, { context: '/src/shop/app', dockerfile: '/src/shop/app/Dockerfile', target: 'runtime' }), false);
    assert.equal(
      buildsCheckedImage(composeService(model, 'db'), { context: '/src/shop/app', dockerfile: '/src/shop/app/Dockerfile', target: undefined }),
      false,
    );
  });
});

describe('progressOf', () => {
  const state = (st: string, status: string) => parseContainerStatus('id', st, status);
  test('service_healthy', () => {
    assert.equal(progressOf('service_healthy', state('running', 'Up 2 seconds (health: starting)')).kind, 'pending');
    assert.equal(progressOf('service_healthy', state('running', 'Up 3 seconds (healthy)')).kind, 'ready');
    assert.equal(progressOf('service_healthy', state('running', 'Up 9 seconds (unhealthy)')).kind, 'failed');
    const exited = progressOf('service_healthy', state('exited', 'Exited (1) 2 seconds ago'));
    assert.deepEqual(exited, { kind: 'exited', reason: 'it exited with code 1 while it should keep running (service_healthy)' });
    assert.equal(progressOf('service_healthy', undefined).kind, 'pending');
  });
  test('service_completed_successfully', () => {
    assert.equal(progressOf('service_completed_successfully', state('running', 'Up 1 second')).kind, 'pending');
    assert.equal(progressOf('service_completed_successfully', state('exited', 'Exited (0) 1 second ago')).kind, 'ready');
    assert.deepEqual(progressOf('service_completed_successfully', state('exited', 'Exited (1) 1 second ago')), {
      kind: 'failed',
      reason: 'it exited with code 1 (service_completed_successfully needs 0)',
    });
  });
  test('service_started', () => {
    assert.equal(progressOf('service_started', state('created', 'Created')).kind, 'pending');
    assert.equal(progressOf('service_started', state('running', 'Up Less than a second')).kind, 'ready');
  });
  test('a restart fails it whatever the condition, with the exit code, the restarts, the policy and the state', () => {
    const restarting = state('restarting', 'Restarting (1) Less than a second ago');
    assert.equal(restarting.exitCode, 1);
    assert.deepEqual(progressOf('service_healthy', { ...restarting, restarts: 1, restartPolicy: 'always' }), {
      kind: 'failed',
      reason:
        'it exited with code 1 and Docker restarted it 1 time (restart: always), now restarting; a dependency that restarts before it is ready is failing, not starting',
    });
    // Between two crashes it runs, even healthy: it restarted, so it is failing.
    const again = { ...state('running', 'Up 1 second (healthy)'), exitCode: 3, restarts: 2, restartPolicy: 'on-failure' };
    assert.match(
      reasonOf(progressOf('service_started', again)),
      /^it exited with code 3 and Docker restarted it 2 times \(restart: on-failure\), now running;/,
    );
    assert.equal(progressOf('service_completed_successfully', { ...state('exited', 'Exited (0) 1 second ago'), restarts: 1 }).kind, 'failed');
    // Restarting before inspect told the count: still failing.
    assert.match(reasonOf(progressOf('service_healthy', restarting)), /^it exited with code 1 and Docker is restarting it, now restarting;/);
    assert.equal(progressOf('service_healthy', { ...state('running', 'Up 3 seconds (healthy)'), restarts: 0, restartPolicy: 'always' }).kind, 'ready');
  });
});

function reasonOf(p: ReturnType<typeof progressOf>): string {
  return p.kind === 'failed' || p.kind === 'exited' ? p.reason : `(${p.kind})`;
}

describe('durationMs and projectName', () => {
  test('Compose duration strings', () => {
    assert.equal(durationMs('1m30s'), 90_000);
    assert.equal(durationMs('500ms'), 500);
    assert.equal(durationMs(undefined), 0);
  });
  test('a project name Compose accepts', () => {
    assert.equal(projectName('Lx2k-AB12'), 'deploy-check-lx2k-ab12');
  });
});

describe('diagnoseUnreachableService', () => {
  const logs = ['Traceback (most recent call last):', 'psycopg2.OperationalError: could not translate host name "cache" to address: Name or service not known'];
  test('a service the app does not depend on: not started, add it to depends_on', () => {
    const withCache: ComposeModel = { ...model, services: { ...model.services, cache: { ...composeService(model, 'db'), name: 'cache' } } };
    const sentence = diagnoseUnreachableService(logs, withCache, 'api', [service('db', 'ready')]);
    assert.match(sentence ?? '', /could not reach "cache".*not started, because "api" does not depend on it; add it to depends_on/);
  });
  test('a refused connection to a service started without a healthcheck wait', () => {
    const line = ['connection to server at "db" (172.18.0.2), port 5432 failed: Connection refused'];
    assert.match(
      diagnoseUnreachableService(line, model, 'api', [service('db', 'ready', 'service_started')]) ?? '',
      /reach "db".*waits only for service_started.*use condition: service_healthy/,
    );
  });
  test('nothing about services in the log: no sentence', () => {
    assert.equal(diagnoseUnreachableService(['KeyError: SECRET_KEY'], model, 'api', []), null);
    assert.equal(diagnoseUnreachableService(['connection refused to dbx:5432'], model, 'api', []), null);
  });
});

describe('withServices', () => {
  const started = {
    placement: appPlacement(model, 'api', []),
  } as unknown as NonNullable<Parameters<typeof withServices>[2]>;
  test('the project network and the service alias; the service environment minus what the inputs set; Railway PORT wins under parity', () => {
    const placement = appPlacement(
      { ...model, services: { ...model.services, api: { ...composeService(model, 'api'), environment: { PORT: '3000', A: 'compose', B: 'compose' } } } },
      'api',
      [],
    );
    const extras = withServices(
      { env: [{ key: 'A', value: 'input' }], parity: { injectedPort: 8000 } as never },
      { network: 'given', networkAliases: ['x'], extraEnv: [{ key: 'C', value: 'caller' }] },
      { ...started, placement },
    );
    assert.equal(extras?.network, 'deploy-check-x_back');
    assert.deepEqual(extras.networkAliases, ['api', 'x']);
    assert.deepEqual(extras.extraEnv, [
      { key: 'B', value: 'compose' },
      { key: 'C', value: 'caller' },
    ]);
  });
  test("without services the caller's extras stay as they are", () => {
    assert.deepEqual(withServices({ env: [], parity: { injectedPort: undefined } as never }, { network: 'n' }, null), { network: 'n' });
  });
});
