import assert from 'node:assert/strict';
import { test } from 'vitest';
import { DEFAULT_ENDPOINT, RailwayApiError, RailwayClient, explainGraphqlError, railwayEndpoint } from '../../src/railway/client.ts';
import { DEPLOY, DEPLOYMENT } from '../../src/railway/operations.ts';

interface Sent {
  headers: Record<string, string>;
  body: { query: string; variables: unknown; operationName: string };
}

/** A scripted Railway: each request takes the next answer (a Response, or an error to throw). */
function scripted(answers: (Response | Error)[], sent: Sent[]): typeof fetch {
  return (_url: string | URL | Request, init?: RequestInit) => {
    sent.push({ headers: init?.headers as Record<string, string>, body: JSON.parse(typeof init?.body === 'string' ? init.body : '') as Sent['body'] });
    const next = answers.shift();
    if (next === undefined) return Promise.reject(new Error('no more answers scripted'));
    if (next instanceof Error) return Promise.reject(next);
    return Promise.resolve(next);
  };
}

const ok = (data: unknown): Response => new Response(JSON.stringify({ data }), { status: 200 });
const deployment = { id: 'd1', status: 'SUCCESS', statusUpdatedAt: null, url: null, staticUrl: null };

function client(
  answers: (Response | Error)[],
  options: { tokenType?: 'project' | 'account'; sleeps?: number[] } = {},
): { c: RailwayClient; sent: Sent[]; retries: string[] } {
  const sent: Sent[] = [];
  const retries: string[] = [];
  let now = 1_000_000;
  const c = new RailwayClient({
    endpoint: 'http://railway.invalid/graphql/v2',
    token: 'secret-token-123',
    tokenType: options.tokenType ?? 'project',
    fetch: scripted(answers, sent),
    now: () => now,
    sleep: (ms) => {
      options.sleeps?.push(ms);
      now += ms;
      return Promise.resolve();
    },
    random: () => 0.5,
    onRetry: (m) => retries.push(m),
  });
  return { c, sent, retries };
}

test("the endpoint is Railway's unless RAILWAY_GRAPHQL_ENDPOINT says otherwise", () => {
  assert.equal(railwayEndpoint({}), DEFAULT_ENDPOINT);
  assert.equal(DEFAULT_ENDPOINT, 'https://backboard.railway.com/graphql/v2');
  assert.equal(railwayEndpoint({ RAILWAY_GRAPHQL_ENDPOINT: 'http://127.0.0.1:4000/graphql/v2' }), 'http://127.0.0.1:4000/graphql/v2');
});

test('a project token goes in Project-Access-Token, an account token in Authorization: Bearer', async () => {
  const project = client([ok({ deployment })]);
  await project.c.request(DEPLOYMENT, { id: 'd1' });
  assert.equal(project.sent[0]?.headers['Project-Access-Token'], 'secret-token-123');
  assert.equal(project.sent[0].headers['Authorization'], undefined);
  assert.deepEqual(project.sent[0].body, { query: DEPLOYMENT.document, variables: { id: 'd1' }, operationName: 'Deployment' });
  const account = client([ok({ deployment })], { tokenType: 'account' });
  await account.c.request(DEPLOYMENT, { id: 'd1' });
  assert.equal(account.sent[0]?.headers['Authorization'], 'Bearer secret-token-123');
  assert.equal(account.sent[0].headers['Project-Access-Token'], undefined);
});

test('429 waits for Retry-After, then the answer comes through', async () => {
  const sleeps: number[] = [];
  const { c, retries } = client([new Response('{}', { status: 429, headers: { 'retry-after': '7' } }), ok({ deployment })], { sleeps });
  const data = await c.request(DEPLOYMENT, { id: 'd1' });
  assert.equal(data.deployment.status, 'SUCCESS');
  assert.deepEqual(sleeps, [7000]);
  assert.match(retries[0] ?? '', /rate limit was reached \(Deployment\); trying again in 7\.0 s as its Retry-After asks/);
});

test('a query survives 5xx and dropped connections; a mutation is not sent twice', async () => {
  const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
  const sleeps: number[] = [];
  const query = client([new Response('upstream', { status: 502 }), reset, ok({ deployment })], { sleeps });
  assert.equal((await query.c.request(DEPLOYMENT, { id: 'd1' })).deployment.id, 'd1');
  assert.deepEqual(sleeps, [375, 750]);

  const mutation = client([reset]);
  await assert.rejects(mutation.c.request(DEPLOY, { serviceId: 's', environmentId: 'e' }), (err: RailwayApiError) => {
    assert.equal(err.kind, 'network');
    assert.match(err.message, /did not answer Deploy \(ECONNRESET\); a mutation that may have reached Railway is not repeated/);
    return true;
  });
  assert.equal(mutation.sent.length, 1);

  // A refused connection never reached Railway: even a mutation is tried again.
  const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
  const again = client([refused, ok({ serviceInstanceDeployV2: 'd9' })]);
  assert.equal((await again.c.request(DEPLOY, { serviceId: 's', environmentId: 'e' })).serviceInstanceDeployV2, 'd9');
});

test('GraphQL errors become RailwayApiError with advice; the token is never in the message', async () => {
  const { c } = client([new Response(JSON.stringify({ errors: [{ message: 'Not Authorized' }], data: null }), { status: 200 })]);
  await assert.rejects(c.request(DEPLOYMENT, { id: 'd1' }), (err: RailwayApiError) => {
    assert.equal(err.kind, 'graphql');
    assert.equal(err.detail, 'Not Authorized');
    assert.match(err.message, /railway-token was sent as a project token/);
    assert.ok(!err.message.includes('secret-token-123'));
    return true;
  });
  const html = client([new Response('<html>401</html>', { status: 401 })], { tokenType: 'account' });
  await assert.rejects(html.c.request(DEPLOYMENT, { id: 'd1' }), /HTTP 401 and no GraphQL body: railway-token was sent as an account or workspace token/);
});

test('each known Railway message gets its own advice', () => {
  assert.match(explainGraphqlError('ProjectToken', 'Project Token not found', 'project'), /set railway-token-type: account and railway-project/);
  assert.match(explainGraphqlError('Project', 'Project not found', 'account'), /Check railway-project/);
  assert.match(explainGraphqlError('Deploy', 'Commit not found', 'project'), /must be pushed to the GitHub repository the service is connected to/);
  assert.match(explainGraphqlError('ServiceInstance', 'Service not found', 'project'), /Check railway-service and railway-environment/);
  assert.equal(explainGraphqlError('Deploy', 'Something new', 'project'), 'Railway refused Deploy: "Something new"');
});
