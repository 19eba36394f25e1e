/**
 * The project's Railway SDL (src/railway/railway.graphql) is the contract between the
 * operations deploy-check sends, the local Railway server the tests use, and Railway itself.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { buildSchema, isInputObjectType, isObjectType, parse, TypeInfo, validate, visit, visitWithTypeInfo } from 'graphql';
import { RailwayClient } from '../../src/railway/client.ts';
import * as ops from '../../src/railway/operations.ts';
import { OPERATIONS } from '../../src/railway/operations.ts';
import { railwaySchema, REFERENCE_SCHEMA_PATH, referenceSchema, subsetProblems } from '../support/railway-schema.ts';
import { RAILWAY_FIXTURE as F, startRailwayServer, type RailwayServer } from '../support/railway-server.ts';

describe('the SDL is exactly what the operations use', () => {
  test('every operation deploy-check sends is valid against it', () => {
    const schema = railwaySchema();
    for (const op of OPERATIONS) {
      const errors = validate(schema, parse(op.document)).map((e) => e.message);
      assert.deepEqual(errors, [], `${op.name}: ${errors.join('; ')}`);
    }
  });

  test('every field and argument of its object types is used by some operation', () => {
    const schema = railwaySchema();
    const used = new Set<string>();
    for (const op of OPERATIONS) {
      const info = new TypeInfo(schema);
      visit(
        parse(op.document),
        visitWithTypeInfo(info, {
          Field(node) {
            const parent = info.getParentType();
            if (parent) used.add(`${parent.name}.${node.name.value}`);
            for (const arg of node.arguments ?? []) if (parent) used.add(`${parent.name}.${node.name.value}(${arg.name.value})`);
          },
        }),
      );
    }
    const unused: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        if (!used.has(`${type.name}.${field.name}`)) unused.push(`${type.name}.${field.name}`);
        for (const arg of field.args) if (!used.has(`${type.name}.${field.name}(${arg.name})`)) unused.push(`${type.name}.${field.name}(${arg.name})`);
      }
    }
    assert.deepEqual(unused, [], 'the SDL carries what no operation sends');
  });

  test('the input types carry exactly the fields the operations put in their variables', () => {
    const schema = railwaySchema();
    // The variables' shapes are TypeScript types in operations.ts; these are the fields they name.
    const sent: Record<string, string[]> = {
      ServiceInstanceUpdateInput: ['source', 'registryCredentials'],
      ServiceSourceInput: ['image'],
      RegistryCredentialsInput: ['username', 'password'],
      DeploymentListInput: ['serviceId', 'environmentId', 'status'],
      DeploymentStatusInput: ['in'],
      EnvironmentCreateInput: ['projectId', 'name', 'sourceEnvironmentId', 'ephemeral', 'skipInitialDeploys'],
      ServiceDomainCreateInput: ['environmentId', 'serviceId'],
    };
    const inputs = Object.values(schema.getTypeMap()).filter(isInputObjectType);
    assert.deepEqual(inputs.map((t) => t.name).sort(), Object.keys(sent).sort());
    for (const type of inputs) assert.deepEqual(Object.keys(type.getFields()).sort(), [...(sent[type.name] ?? [])].sort(), type.name);
  });
});

describe('faithful to Railway', () => {
  test('subsetProblems finds every kind of unfaithfulness (so the check below can fail)', () => {
    const full = buildSchema(`
      enum Status { A B }
      input NewThing { name: String! note: String }
      type Thing { id: ID! count: Int status: Status! }
      type Query { thing(id: String!, first: Int): Thing! }
      type Mutation { make(input: NewThing!): Thing! }
    `);
    const faithful = buildSchema(`
      enum Status { A B }
      input NewThing { name: String! }
      type Thing { id: ID! }
      type Query { thing(id: String!): Thing! }
      type Mutation { make(input: NewThing!): Thing! }
    `);
    assert.deepEqual(subsetProblems(faithful, full), []);
    const wrong = buildSchema(`
      enum Status { A C }
      input NewThing { note: String size: Int }
      type Thing { id: ID! count: Int! colour: String }
      type Other { id: ID }
      type Query { thing(first: String, id: String!): Thing! other: Other }
      type Mutation { make(input: NewThing!): Thing! }
    `);
    const problems = subsetProblems(wrong, full);
    for (const expected of [
      /^Status: values A, C here, A, B at Railway$/,
      /^NewThing\.size: Railway has no such input field$/,
      /^NewThing: Railway requires the input field name: String!$/,
      /^Thing\.count: Int! here, Int at Railway$/,
      /^Thing\.colour: Railway has no such field$/,
      /^Other: Railway has no such type$/,
      /^Query\.thing\(first\): String here, Int at Railway$/,
      /^Query\.other: Railway has no such field$/,
    ]) {
      assert.ok(
        problems.some((p) => expected.test(p)),
        `${String(expected)} not in ${problems.join(' | ')}`,
      );
    }
    const missingRequiredArg = buildSchema(`type Thing { id: ID! } type Query { thing: Thing! }`);
    assert.deepEqual(subsetProblems(missingRequiredArg, full), ['Query.thing: Railway requires the argument id: String!']);
  });

  // The only test that may skip: Railway's full schema is reference data beside the repository, not in it.
  const reference = REFERENCE_SCHEMA_PATH !== '' && existsSync(REFERENCE_SCHEMA_PATH);
  test.skipIf(!reference)(
    `the SDL is a faithful subset of Railway's schema (skipped unless RAILWAY_SCHEMA_PATH names Railway's introspection JSON: the repository does not carry it)`,
    () => {
      const full = referenceSchema();
      assert.ok(full, `${REFERENCE_SCHEMA_PATH} could not be read`);
      assert.deepEqual(subsetProblems(railwaySchema(), full), []);
    },
  );
});

describe('the local Railway server answers every operation within the SDL', () => {
  let server: RailwayServer;
  beforeAll(async () => {
    server = await startRailwayServer();
  });
  afterAll(async () => {
    await server.close();
  });

  test('each operation, sent by the real client, gets data and no violation', async () => {
    const account = new RailwayClient({ endpoint: server.url, token: F.accountToken, tokenType: 'account' });
    const project = new RailwayClient({ endpoint: server.url, token: F.projectToken, tokenType: 'project' });
    const instance = { serviceId: F.serviceId, environmentId: F.environmentId };
    server.service(F.serviceId).triggers = [{ repository: 'acme/shop', branch: 'main', checkSuites: true }];
    const live = server.seedDeployment({ commitSha: 'a'.repeat(40), status: 'SUCCESS' });

    const token = await project.request(ops.PROJECT_TOKEN, {});
    assert.deepEqual(token.projectToken, { projectId: F.projectId, environmentId: F.environmentId });
    assert.equal((await account.request(ops.PROJECTS, {})).projects.edges[0]?.node.id, F.projectId);
    assert.equal((await account.request(ops.PROJECT, { id: F.projectId })).project.services.edges[0]?.node.name, F.serviceName);
    assert.equal((await account.request(ops.SERVICE_INSTANCE, instance)).serviceInstance.healthcheckPath, '/health');
    server.setSharedVariables(F.environmentId, { SECRET_KEY: 'shared-value' });
    server.service(F.serviceId).variables = { [F.environmentId]: { API_TOKEN: 'kept', LINKED: 'k=${{shared.SECRET_KEY}}' } };
    const both = await project.request(ops.VARIABLES, { ...instance, projectId: F.projectId, withShared: true, withService: true });
    assert.deepEqual(both, { shared: { SECRET_KEY: 'shared-value' }, service: { API_TOKEN: 'kept', LINKED: 'k=shared-value' } });
    const sharedOnly = await project.request(ops.VARIABLES, { ...instance, projectId: F.projectId, withShared: true, withService: false });
    assert.deepEqual(sharedOnly, { shared: { SECRET_KEY: 'shared-value' } }, 'a field not included is not answered');
    await assert.rejects(
      project.request(ops.VARIABLES, { ...instance, environmentId: F.stagingEnvironmentId, projectId: F.projectId, withShared: true, withService: false }),
      /Not Authorized/,
      'a project token reads only its environment',
    );
    assert.equal(
      (await account.request(ops.DOMAINS, { ...instance, projectId: F.projectId })).domains.serviceDomains[0]?.domain,
      'web-production.up.railway.app',
    );
    const triggers = (await account.request(ops.DEPLOYMENT_TRIGGERS, { ...instance, projectId: F.projectId })).deploymentTriggers.edges.map((e) => e.node);
    assert.deepEqual(
      triggers.map((t) => [t.repository, t.branch, t.checkSuites, t.serviceId]),
      [['acme/shop', 'main', true, F.serviceId]],
    );

    await account.request(ops.SET_IMAGE_SOURCE, {
      ...instance,
      input: { source: { image: 'registry.example/shop@sha256:' + '0'.repeat(64) }, registryCredentials: { username: 'u', password: 'p' } },
    });
    const id = (await account.request(ops.DEPLOY, { ...instance, commitSha: 'b'.repeat(40) })).serviceInstanceDeployV2;
    assert.equal((await account.request(ops.DEPLOYMENT, { id })).deployment.id, id);
    assert.ok(Array.isArray((await account.request(ops.BUILD_LOGS, { deploymentId: id, limit: 10 })).buildLogs));
    assert.ok(Array.isArray((await account.request(ops.DEPLOYMENT_LOGS, { deploymentId: id, limit: 10 })).deploymentLogs));

    const listed = (await account.request(ops.DEPLOYMENTS, { input: { ...instance, status: { in: ['SUCCESS'] } }, first: 5 })).deployments.edges.map(
      (e) => e.node,
    );
    assert.deepEqual(
      listed.map((d) => [d.id, d.canRollback, (d.meta as { commitHash?: string }).commitHash]),
      [[live.id, true, 'a'.repeat(40)]],
    );
    const newest = (await account.request(ops.DEPLOYMENTS, { input: instance, first: 1 })).deployments.edges.map((e) => e.node.id);
    assert.deepEqual(newest, [id]);
    assert.equal((await account.request(ops.DEPLOYMENT_CANCEL, { id })).deploymentCancel, true);
    assert.equal((await account.request(ops.DEPLOYMENT_ROLLBACK, { id: live.id })).deploymentRollback, true);
    assert.deepEqual(
      server.rollbacks.map((r) => r.to),
      [live.id],
    );

    const created = (
      await account.request(ops.ENVIRONMENT_CREATE, {
        input: { projectId: F.projectId, name: 'pr-1', sourceEnvironmentId: F.environmentId, ephemeral: true, skipInitialDeploys: true },
      })
    ).environmentCreate;
    assert.equal(created.name, 'pr-1');
    const names = (await account.request(ops.ENVIRONMENTS, { projectId: F.projectId })).environments.edges.map((e) => e.node.name);
    assert.deepEqual(names, ['production', 'staging', 'pr-1']);
    const none = (await account.request(ops.DOMAINS, { environmentId: created.id, projectId: F.projectId, serviceId: F.serviceId })).domains.serviceDomains;
    assert.deepEqual(none, [], 'a copied environment starts without a domain');
    const domain = (await account.request(ops.SERVICE_DOMAIN_CREATE, { input: { environmentId: created.id, serviceId: F.serviceId } })).serviceDomainCreate
      .domain;
    assert.equal(domain, 'web-pr-1.up.railway.app');
    assert.equal((await account.request(ops.ENVIRONMENT_DELETE, { id: created.id })).environmentDelete, true);
    assert.deepEqual(server.deletedEnvironments, [created.id]);

    const sent = new Set(server.calls.map((c) => c.operationName));
    assert.deepEqual(
      OPERATIONS.map((o) => o.name).filter((n) => !sent.has(n)),
      [],
      'every operation was sent',
    );
    assert.deepEqual(server.violations, []);
  });

  test('an answer that does not fit the SDL is recorded as a violation', async () => {
    const before = server.violations.length;
    // A project with no name breaks Project.name: String!; the server's own mistake must not pass unseen.
    const broken = await startRailwayServer({
      projects: [{ id: 'p-1', name: null as unknown as string, environments: [{ id: 'e-1', name: 'production' }], services: [] }],
      accountTokens: ['t'],
    });
    try {
      const client = new RailwayClient({ endpoint: broken.url, token: 't', tokenType: 'account' });
      await assert.rejects(client.request(ops.PROJECT, { id: 'p-1' }), /Cannot return null for non-nullable field Project\.name/);
      assert.match(broken.violations[0]?.errors[0] ?? '', /^answer: Cannot return null/);
    } finally {
      await broken.close();
    }
    assert.equal(server.violations.length, before);
  });

  test('a project token may not create environments', async () => {
    const project = new RailwayClient({ endpoint: server.url, token: F.projectToken, tokenType: 'project' });
    await assert.rejects(
      project.request(ops.ENVIRONMENT_CREATE, {
        input: { projectId: F.projectId, name: 'pr-2', sourceEnvironmentId: F.environmentId, ephemeral: true, skipInitialDeploys: true },
      }),
      /Not Authorized/,
    );
  });
});
