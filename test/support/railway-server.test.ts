import { test } from 'vitest';
import assert from 'node:assert/strict';
import { RAILWAY_FIXTURE as F, startRailwayServer } from './railway-server.ts';
import type { DeploymentScenario, RailwayServer, RailwayServerOptions } from './railway-server.ts';

interface GraphQLAnswer {
  status: number;
  headers: Headers;
  data: Record<string, unknown> | null | undefined;
  errors: Array<{ message: string }> | undefined;
}

async function gql(
  server: RailwayServer,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = { 'Project-Access-Token': F.projectToken },
): Promise<GraphQLAnswer> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string }> } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = { errors: [{ message: text }] };
  }
  return { status: response.status, headers: response.headers, data: body.data, errors: body.errors };
}

async function withServer(options: RailwayServerOptions, body: (server: RailwayServer) => Promise<void> | void): Promise<void> {
  const server = await startRailwayServer(options);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

const DEPLOY = `mutation Deploy($serviceId: String!, $environmentId: String!, $commitSha: String) {
  serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId, commitSha: $commitSha)
}`;
const STATUS = `query Status($id: String!) { deployment(id: $id) { id status url staticUrl statusUpdatedAt } }`;

async function deploy(server: RailwayServer, commitSha?: string): Promise<string> {
  const answer = await gql(server, DEPLOY, { serviceId: F.serviceId, environmentId: F.environmentId, commitSha });
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  const id = answer.data?.['serviceInstanceDeployV2'];
  assert.equal(typeof id, 'string');
  return String(id);
}

async function statusesUntilSettled(server: RailwayServer, id: string, polls: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < polls; i++) {
    const answer = await gql(server, STATUS, { id });
    const deployment = answer.data?.['deployment'] as { status: string } | undefined;
    seen.push(deployment?.status ?? `error: ${answer.errors?.[0]?.message}`);
  }
  return seen;
}

test("validates against the project's Railway SDL, and says so", async () => {
  const started = performance.now();
  await withServer({}, (server) => {
    console.log(
      `railway-server started in ${(performance.now() - started).toFixed(0)} ms; schemaValidated=${server.schemaValidated}${server.schemaProblem ? ` (${server.schemaProblem})` : ''}`,
    );
    assert.equal(server.schemaValidated, true, server.schemaProblem ?? '');
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/graphql\/v2$/);
  });
});

test('a project token reads its project, service instance and domains', async () => {
  await withServer({}, async (server) => {
    const token = await gql(server, 'query { projectToken { projectId environmentId } }');
    assert.deepEqual(token.data, { projectToken: { projectId: F.projectId, environmentId: F.environmentId } });

    const project = await gql(
      server,
      'query P($id: String!) { project(id: $id) { services { edges { node { id name } } } environments { edges { node { id name } } } } }',
      {
        id: F.projectId,
      },
    );
    assert.deepEqual(project.data, {
      project: {
        services: { edges: [{ node: { id: F.serviceId, name: 'web' } }] },
        environments: {
          edges: [{ node: { id: F.environmentId, name: 'production' } }, { node: { id: F.stagingEnvironmentId, name: 'staging' } }],
        },
      },
    });

    const instance = await gql(
      server,
      'query I($e: String!, $s: String!) { serviceInstance(environmentId: $e, serviceId: $s) { healthcheckPath healthcheckTimeout dockerfilePath source { image repo } } }',
      { e: F.environmentId, s: F.serviceId },
    );
    assert.deepEqual(instance.data, {
      serviceInstance: { healthcheckPath: '/health', healthcheckTimeout: 300, dockerfilePath: 'Dockerfile', source: { image: null, repo: 'acme/shop-api' } },
    });

    const domains = await gql(
      server,
      'query D($e: String!, $p: String!, $s: String!) { domains(environmentId: $e, projectId: $p, serviceId: $s) { serviceDomains { domain } customDomains { domain } } }',
      { e: F.environmentId, p: F.projectId, s: F.serviceId },
    );
    assert.deepEqual(domains.data, { domains: { serviceDomains: [{ domain: 'web-production.up.railway.app' }], customDomains: [] } });

    // A project token is bound to one environment.
    const other = await gql(server, 'query I($e: String!, $s: String!) { serviceInstance(environmentId: $e, serviceId: $s) { id } }', {
      e: F.stagingEnvironmentId,
      s: F.serviceId,
    });
    assert.equal(other.errors?.[0]?.message, 'Not Authorized');
    assert.deepEqual(server.violations, []);
  });
});

test('missing or unknown tokens get "Not Authorized" with HTTP 200; account tokens use Bearer', async () => {
  await withServer({}, async (server) => {
    const attempts: Array<Record<string, string>> = [{}, { 'Project-Access-Token': 'nope' }, { Authorization: 'Bearer nope' }];
    for (const headers of attempts) {
      const answer = await gql(server, 'query { projectToken { projectId } }', {}, headers);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.errors, [{ message: 'Not Authorized' }]);
      assert.equal(answer.data, null);
    }
    const account = await gql(server, 'query P($id: String!) { project(id: $id) { id } }', { id: F.projectId }, { Authorization: `Bearer ${F.accountToken}` });
    assert.deepEqual(account.data, { project: { id: F.projectId } });
    const noProjectToken = await gql(server, 'query { projectToken { projectId } }', {}, { Authorization: `Bearer ${F.accountToken}` });
    assert.equal(noProjectToken.errors?.[0]?.message, 'Project Token not found');
    // Token values never reach the call log.
    assert.ok(server.calls.every((c) => !JSON.stringify(c.headers).includes(F.accountToken)));
    assert.deepEqual(
      server.calls.map((c) => c.auth),
      ['none', 'unknown', 'unknown', 'account', 'account'],
    );
  });
});

test('scripted deployments advance one status per poll', async () => {
  const expected: Record<DeploymentScenario, string[]> = {
    success: ['QUEUED', 'BUILDING', 'DEPLOYING', 'SUCCESS', 'SUCCESS'],
    'build-fails': ['QUEUED', 'BUILDING', 'FAILED', 'FAILED', 'FAILED'],
    crashes: ['QUEUED', 'BUILDING', 'DEPLOYING', 'CRASHED', 'CRASHED'],
    'needs-approval': ['NEEDS_APPROVAL', 'NEEDS_APPROVAL', 'NEEDS_APPROVAL', 'NEEDS_APPROVAL', 'NEEDS_APPROVAL'],
    'waiting-for-ci': ['WAITING', 'WAITING', 'WAITING', 'WAITING', 'WAITING'],
    'never-finishes': ['QUEUED', 'BUILDING', 'DEPLOYING', 'DEPLOYING', 'DEPLOYING'],
    removed: ['QUEUED', 'BUILDING', 'DEPLOYING', 'REMOVED', 'REMOVED'],
  };
  await withServer({}, async (server) => {
    for (const [scenario, statuses] of Object.entries(expected) as Array<[DeploymentScenario, string[]]>) {
      server.setScenario(F.serviceId, scenario);
      const id = await deploy(server, 'c'.repeat(40));
      assert.deepEqual(await statusesUntilSettled(server, id, 5), statuses, scenario);
    }
    assert.equal(server.mutationCounts['serviceInstanceDeployV2'], 7);
    assert.deepEqual(server.violations, []);
  });
});

test('scripted deployments can advance by time instead', async () => {
  await withServer({ advance: { everyMs: 40 } }, async (server) => {
    const id = await deploy(server);
    const first = await statusesUntilSettled(server, id, 1);
    assert.deepEqual(first, ['QUEUED']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(await statusesUntilSettled(server, id, 1), ['SUCCESS']);
  });
});

test('failed builds and crashes have logs', async () => {
  await withServer({}, async (server) => {
    server.setScenario(F.serviceId, 'build-fails');
    const failed = await deploy(server);
    const build = await gql(server, 'query L($id: String!) { buildLogs(deploymentId: $id, limit: 500) { timestamp message severity } }', { id: failed });
    const lines = build.data?.['buildLogs'] as Array<{ message: string; severity: string }>;
    assert.ok(lines.some((l) => l.severity === 'error' && /failed to solve/.test(l.message)));

    server.setScenario(F.serviceId, 'crashes');
    const crashed = await deploy(server);
    const logs = await gql(server, 'query L($id: String!) { deploymentLogs(deploymentId: $id, limit: 2) { message } }', { id: crashed });
    assert.deepEqual(logs.data, {
      deploymentLogs: [{ message: '  File "/app/main.py", line 3, in <module>' }, { message: "ModuleNotFoundError: No module named 'app.settings'" }],
    });
  });
});

test('an unknown commit creates no deployment; image deploys update the source first', async () => {
  await withServer({ knownCommits: ['d'.repeat(40)] }, async (server) => {
    const unknown = await gql(server, DEPLOY, { serviceId: F.serviceId, environmentId: F.environmentId, commitSha: 'e'.repeat(40) });
    assert.equal(unknown.errors?.[0]?.message, 'Commit not found');
    assert.equal(unknown.data, null);
    assert.equal(server.deployments.length, 0);

    const update = await gql(
      server,
      'mutation U($s: String!, $e: String, $input: ServiceInstanceUpdateInput!) { serviceInstanceUpdate(serviceId: $s, environmentId: $e, input: $input) }',
      { s: F.serviceId, e: F.environmentId, input: { source: { image: 'registry.example/shop@sha256:' + '0'.repeat(64) } } },
    );
    assert.deepEqual(update.data, { serviceInstanceUpdate: true });
    const id = await deploy(server);
    assert.equal(server.deployments[0]?.id, id);
    assert.match(server.deployments[0].image ?? '', /@sha256:/);
    assert.deepEqual(server.mutationCounts, { serviceInstanceDeployV2: 2, serviceInstanceUpdate: 1 });
  });
});

test('the deployment URL can point at a local server; cancel stops a deployment', async () => {
  await withServer({}, async (server) => {
    server.setDeploymentUrl(F.serviceId, '127.0.0.1:18080');
    server.setScenario(F.serviceId, 'never-finishes');
    const id = await deploy(server);
    const answer = await gql(server, STATUS, { id });
    assert.deepEqual(
      { url: (answer.data?.['deployment'] as { url: string }).url, staticUrl: (answer.data?.['deployment'] as { staticUrl: string }).staticUrl },
      { url: '127.0.0.1:18080', staticUrl: '127.0.0.1:18080' },
    );
    const cancel = await gql(server, 'mutation C($id: String!) { deploymentCancel(id: $id) }', { id });
    assert.deepEqual(cancel.data, { deploymentCancel: true });
    assert.deepEqual(await statusesUntilSettled(server, id, 2), ['REMOVED', 'REMOVED']);
  });
});

test('rate limits and server errors can be injected', async () => {
  await withServer({}, async (server) => {
    server.rateLimitNext(2);
    const limited = await gql(server, 'query { projectToken { projectId } }');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '1');
    assert.equal((await gql(server, 'query { projectToken { projectId } }')).status, 429);
    const ok = await gql(server, 'query { projectToken { projectId } }');
    assert.equal(ok.status, 200);
    assert.ok(ok.headers.get('x-ratelimit-remaining'));

    server.failNext(1, 503);
    assert.equal((await gql(server, 'query { projectToken { projectId } }')).status, 503);
    assert.equal((await gql(server, 'query { projectToken { projectId } }')).status, 200);
  });
});

test('invalid operations are refused and recorded as violations', async () => {
  await withServer({}, async (server) => {
    const unknownField = await gql(server, 'query { deployment(id: "x") { id state } }');
    assert.equal(unknownField.status, 400);
    const wrongArg = await gql(server, 'mutation { serviceInstanceDeployV2(serviceId: "s", environment: "e") }');
    assert.equal(wrongArg.status, 400);
    const syntax = await gql(server, 'query { deployment(id: "x") { id }');
    assert.equal(syntax.status, 400);
    const missingVariable = await gql(server, STATUS, {});
    assert.ok(missingVariable.errors?.[0]?.message.includes('was not provided'));
    assert.equal(server.violations.length, 4);
    assert.match(server.violations[0]?.errors[0] ?? '', /Cannot query field "state" on type "Deployment"/);
    assert.match(server.violations[1]?.errors.join('\n') ?? '', /Unknown argument "environment"/);
    assert.equal(server.violations[3]?.operationName, 'Status');
  });
});
