/**
 * diffServices: what a pull request changes in the checked service's Railway configuration,
 * read from graphs shaped as Railway's SDK writes them (narrowed by readProject).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { readProject, type IacProject } from '../../src/config/iac/graph.ts';
import { diffServices, type PlanChange, type PlanSide } from '../../src/config/iac/plan.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { renderTerminal } from '../../src/report/terminal.ts';
import { passingReport } from '../support/reports.ts';

type Json = Record<string, unknown>;

const WEB: Json = {
  type: 'service',
  name: 'web',
  address: 'service.web',
  kind: 'github',
  source: { type: 'github', repo: 'acme/shop', branch: 'main' },
  build: { builder: 'DOCKERFILE', dockerfilePath: 'Dockerfile' },
  deploy: { startCommand: 'httpd -f -p 8000', healthcheckPath: '/health', healthcheckTimeout: 30 },
  variables: { MODE: { type: 'literal', value: 'fast' }, API_KEY: { type: 'literal', value: 'sk-live-0123456789abcdef' } },
};
const PG: Json = { type: 'database', name: 'pg', address: 'database.pg', engine: 'postgres', image: 'ghcr.io/railwayapp-templates/postgres-ssl:18' };

function graph(resources: Json[]): IacProject {
  const read = readProject({ name: 'shop', resources });
  assert.ok(read.ok);
  return read.project;
}

/** The web service and the project's databases, with the service's node changed by `edit`. */
function side(edit: (web: Json) => Json = (w) => w, databases: Json[] = [PG]): PlanSide {
  const project = graph([edit(structuredClone(WEB)), ...databases]);
  return { service: project.services[0], databases: project.databases };
}

const deploy =
  (extra: Json) =>
  (w: Json): Json => ({ ...w, deploy: { ...(w['deploy'] as Json), ...extra } });
const variables =
  (vars: Json) =>
  (w: Json): Json => ({ ...w, variables: vars });

describe('diffServices', () => {
  const cases: [string, PlanSide, PlanSide, PlanChange[]][] = [
    ['nothing changed', side(), side(), []],
    [
      'start command',
      side(),
      side(deploy({ startCommand: 'httpd -f -p 9000' })),
      [{ field: 'deploy.startCommand', before: 'httpd -f -p 8000', after: 'httpd -f -p 9000' }],
    ],
    [
      'pre-deploy commands added',
      side(),
      side(deploy({ preDeployCommand: ['migrate', 'seed'] })),
      [{ field: 'deploy.preDeployCommand', before: null, after: 'migrate && seed' }],
    ],
    [
      'health path and timeout',
      side(),
      side(deploy({ healthcheckPath: '/ready', healthcheckTimeout: 60 })),
      [
        { field: 'deploy.healthcheckPath', before: '/health', after: '/ready' },
        { field: 'deploy.healthcheckTimeout', before: '30s', after: '60s' },
      ],
    ],
    [
      'replicas and regions',
      side(),
      side(deploy({ numReplicas: 3, multiRegionConfig: { 'us-west2': { numReplicas: 2 } } })),
      [
        { field: 'deploy.numReplicas', before: null, after: '3' },
        { field: 'deploy.multiRegionConfig', before: null, after: '{"us-west2":{"numReplicas":2}}' },
      ],
    ],
    [
      'another deploy setting removed',
      side(deploy({ restartPolicyType: 'ON_FAILURE' })),
      side(),
      [{ field: 'deploy.restartPolicyType', before: 'ON_FAILURE', after: null }],
    ],
    [
      'Dockerfile path and builder',
      side(),
      side((w) => ({ ...w, build: { builder: 'RAILPACK', dockerfilePath: 'docker/Dockerfile.prod' } })),
      [
        { field: 'build.builder', before: 'DOCKERFILE', after: 'RAILPACK' },
        { field: 'build.dockerfilePath', before: 'Dockerfile', after: 'docker/Dockerfile.prod' },
      ],
    ],
    [
      'a variable added, one removed, one changed in kind',
      side(),
      side(
        variables({
          MODE: { type: 'reference', resource: 'database.pg', output: 'PGHOST' },
          REDIS_URL: { type: 'reference', resource: 'database.cache', output: 'REDIS_URL' },
        }),
      ),
      [
        { field: 'variables.MODE', before: 'literal', after: 'reference to database.pg PGHOST' },
        { field: 'variables.REDIS_URL', before: null, after: 'reference to database.cache REDIS_URL' },
        { field: 'variables.API_KEY', before: 'literal', after: null },
      ],
    ],
    [
      'a literal with another value: said, the values never shown',
      side(),
      side(variables({ MODE: { type: 'literal', value: 'fast' }, API_KEY: { type: 'literal', value: 'sk-live-fedcba9876543210' } })),
      [{ field: 'variables.API_KEY', before: 'literal', after: 'literal, another value' }],
    ],
    [
      'shared and preserved variables by kind',
      side(variables({ A: { type: 'sharedReference', name: 'SECRET' } })),
      side(variables({ A: { type: 'preserve' } })),
      [{ field: 'variables.A', before: 'shared variable SECRET', after: 'kept in Railway (preserve())' }],
    ],
    [
      'a database added, one removed',
      side(),
      side(undefined, [{ type: 'database', name: 'cache', engine: 'redis', image: 'railwayapp/redis:8.2' }]),
      [
        { field: 'databases.cache', before: null, after: 'redis (railwayapp/redis:8.2)' },
        { field: 'databases.pg', before: 'postgres (ghcr.io/railwayapp-templates/postgres-ssl:18)', after: null },
      ],
    ],
    [
      'a database on a new image',
      side(),
      side(undefined, [{ ...PG, image: 'postgres:17' }]),
      [{ field: 'databases.pg', before: 'postgres (ghcr.io/railwayapp-templates/postgres-ssl:18)', after: 'postgres (postgres:17)' }],
    ],
    [
      'root directory, volumes, TCP proxies',
      side(),
      side((w) => ({
        ...w,
        source: { ...(w['source'] as Json), rootDirectory: '/api' },
        volumeMounts: { '/data': {} },
        networking: { tcpProxies: { '5432': {} } },
      })),
      [
        { field: 'source.rootDirectory', before: null, after: '/api' },
        { field: 'volumeMounts', before: null, after: '/data' },
        { field: 'networking.tcpProxies', before: null, after: '5432' },
      ],
    ],
  ];
  for (const [name, base, head, expected] of cases) {
    test(name, () => assert.deepEqual(diffServices(base, head), expected));
  }

  test('a new service: every setting it has, from nothing', () => {
    const changes = diffServices({ service: undefined, databases: [] }, side());
    assert.deepEqual(
      changes.map((c) => c.field),
      [
        'build.builder',
        'build.dockerfilePath',
        'deploy.startCommand',
        'deploy.healthcheckPath',
        'deploy.healthcheckTimeout',
        'variables.MODE',
        'variables.API_KEY',
        'databases.pg',
      ],
    );
    assert.ok(changes.every((c) => c.before === null));
  });

  test('no value of a variable appears, whatever changed', () => {
    const changes = diffServices(side(), side(variables({ API_KEY: { type: 'literal', value: 'sk-live-fedcba9876543210' }, NEW: 'hunter2-password' })));
    assert.doesNotMatch(JSON.stringify(changes), /sk-live|hunter2|fast/);
  });
});

describe('the plan in the reports', () => {
  const hostile = '`</code><img src=x> @alice #12 | row';
  function withPlan(plan: NonNullable<NonNullable<ReturnType<typeof passingReport>['railway']>['plan']>) {
    const report = passingReport();
    report.railway = {
      file: '.railway/railway.ts',
      kind: '.railway/railway.ts',
      environment: 'production',
      service: 'web',
      serviceChoice: 'the only service built from source',
      evaluationMs: 300,
      settings: [],
      notMirrored: [],
      variables: [],
      unavailable: [],
      databases: [],
      staleFile: null,
      notes: [],
      plan,
    };
    return report;
  }

  test('changes: a table with every value escaped; the terminal has one line per change', () => {
    const report = withPlan({
      base: 'b'.repeat(40),
      status: 'changed',
      changes: [
        { field: 'deploy.startCommand', before: 'serve', after: hostile },
        { field: 'variables.REDIS_URL', before: null, after: 'reference to database.cache REDIS_URL' },
      ],
      reason: null,
    });
    const md = renderMarkdown(report);
    assert.match(md, /#### Railway configuration changes\n\nAgainst the base commit <code>bbbbbbb<\/code> of <code>web<\/code>\./);
    assert.match(md, /\| <code>variables\.REDIS&#95;URL<\/code> \| — \| <code>reference to database\.cache REDIS&#95;URL<\/code> \|/);
    assert.doesNotMatch(md, /<img|@alice|#12\b| row \|/);
    const terminal = renderTerminal(report);
    assert.match(terminal, /railway {2}configuration changes against bbbbbbbbbbbb:\n {13}deploy\.startCommand: serve → `/);
    assert.match(terminal, / {13}variables\.REDIS_URL: \(not set\) → reference to database\.cache REDIS_URL/);
  });

  test('unchanged: nothing; unavailable: one line with why; a new service says so', () => {
    assert.doesNotMatch(renderMarkdown(withPlan({ base: 'b'.repeat(40), status: 'unchanged', changes: [], reason: null })), /Railway configuration changes/);
    assert.doesNotMatch(renderTerminal(withPlan({ base: 'b'.repeat(40), status: 'unchanged', changes: [], reason: null })), /railway {2}/);
    const unavailable = withPlan({
      base: null,
      status: 'unavailable',
      changes: [],
      reason: 'base configuration not available: git cannot read the base commit',
    });
    assert.match(renderMarkdown(unavailable), /<sub>Railway configuration changes: base configuration not available: git cannot read the base commit<\/sub>/);
    assert.match(renderTerminal(unavailable), /railway {2}base configuration not available: git cannot read/);
    const created = withPlan({
      base: 'b'.repeat(40),
      status: 'new-service',
      changes: [{ field: 'deploy.healthcheckPath', before: null, after: '/health' }],
      reason: 'the base\'s .railway/railway.ts has no service "web"',
    });
    assert.match(renderMarkdown(created), /New service: the base&#39;s|New service: the base's/);
  });
});
