import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, test } from 'vitest';
import { parseStatusRanges } from '../../src/inputs/units.ts';
import { BODY_EVIDENCE_CHARS, HttpWait, TcpWait } from '../../src/container/wait.ts';

/** Loopback servers standing in for a container's published port. */
const servers: (http.Server | net.Server)[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

async function listen(server: http.Server | net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function httpServer(status: number, body: string): Promise<number> {
  return listen(http.createServer((_req, res) => res.writeHead(status, { 'content-type': 'text/plain' }).end(body)));
}

const OK = parseStatusRanges('health-status', '200-399');

describe('HttpWait', () => {
  test('a 200 within the accepted statuses is ready', async () => {
    const port = await httpServer(200, '{"status":"ok"}');
    const wait = new HttpWait(`http://127.0.0.1:${port}/health`, OK, undefined);
    assert.equal(await wait.probe(5000), true);
    assert.deepEqual(wait.evidence, { status: 200, body: '{"status":"ok"}', error: null, location: null, host: null });
  });

  test('a 500 is not ready, and the evidence keeps status and body', async () => {
    const port = await httpServer(500, 'database unavailable');
    const wait = new HttpWait(`http://127.0.0.1:${port}/health`, OK, undefined);
    assert.equal(await wait.probe(5000), false);
    assert.deepEqual(wait.evidence, { status: 500, body: 'database unavailable', error: null, location: null, host: null });
    assert.match(wait.lastFailure(), /answered 500, expected 200-399/);
  });

  test('the body must match health-body when given', async () => {
    const port = await httpServer(200, '{"status":"degraded"}');
    assert.equal(await new HttpWait(`http://127.0.0.1:${port}/`, OK, /"status":\s*"ok"/).probe(5000), false);
    assert.equal(await new HttpWait(`http://127.0.0.1:${port}/`, OK, /degraded/).probe(5000), true);
  });

  test('a long body is cut in the evidence', async () => {
    const port = await httpServer(503, 'x'.repeat(10_000));
    const wait = new HttpWait(`http://127.0.0.1:${port}/`, OK, undefined);
    await wait.probe(5000);
    assert.equal(wait.evidence.body?.length, BODY_EVIDENCE_CHARS);
  });

  test("a connection closed before any answer (Docker's port proxy, nothing listening yet) fails at once, not by timing out", async () => {
    const port = await listen(net.createServer((socket) => socket.end()));
    const wait = new HttpWait(`http://127.0.0.1:${port}/health`, OK, undefined);
    assert.equal(await wait.probe(5000), false);
    assert.equal(wait.evidence.error, 'connection closed before an answer');
    assert.match(wait.lastFailure(), /got no HTTP answer: the app closed the connection without answering: is it listening on 0\.0\.0\.0:PORT\?/);
  });

  test('a refused connection', async () => {
    const port = await listen(net.createServer());
    servers.pop()?.close();
    await new Promise((r) => setTimeout(r, 50));
    const wait = new HttpWait(`http://127.0.0.1:${port}/`, OK, undefined);
    assert.equal(await wait.probe(5000), false);
    assert.equal(wait.evidence.error, 'ECONNREFUSED');
  });

  test('a server that never answers times out within the budget', async () => {
    const port = await listen(net.createServer(() => {}));
    const wait = new HttpWait(`http://127.0.0.1:${port}/`, OK, undefined);
    assert.equal(await wait.probe(200), false);
    assert.equal(wait.evidence.error, 'timed out');
  });
});

describe('TcpWait', () => {
  test('a listener that keeps the connection open is ready', async () => {
    const port = await listen(net.createServer(() => {}));
    assert.equal(await new TcpWait('127.0.0.1', port).probe(3000), true);
  });
  test('a connection closed at once is not (what the port proxy does while nothing listens)', async () => {
    const port = await listen(net.createServer((socket) => socket.destroy()));
    const wait = new TcpWait('127.0.0.1', port);
    assert.equal(await wait.probe(3000), false);
    assert.match(wait.lastFailure(), /closed at once|ECONNRESET/);
  });
});
