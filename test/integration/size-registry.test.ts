/**
 * Baselines read from a real registry on loopback (Docker's distribution): 127.0.0.1:5000
 * without auth, 127.0.0.1:5001 behind basic auth, and a token-auth front (Bearer realm) in
 * front of 5000. Images are pushed from both engines: the containerd store pushes an OCI index
 * with an attestation, the classic store a single Docker manifest.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { parseImageReference } from '../../src/inputs/image-reference.ts';
import { fetchRegistryImage } from '../../src/size/registry.ts';
import { CLASSIC_ENGINE, engineAvailable, MAIN_ENGINE, unavailable } from '../support/docker.ts';
import {
  BLOB_BYTES,
  buildWithRetry,
  describeRun,
  imageRef,
  makeSizeFixture,
  MiB,
  removeImages,
  runCli,
  type SizeFixture,
  type SizeRunReport,
} from '../support/size-fixtures.ts';

const PLAIN_REGISTRY = '127.0.0.1:5000';
const AUTH_REGISTRY = '127.0.0.1:5001';

function registryUp(registry: string, expected: number): boolean {
  try {
    const code = execFileSync('curl', ['-s', '-o', '/dev/null', '-m', '3', '-w', '%{http_code}', `http://${registry}/v2/`], { encoding: 'utf8' });
    return Number(code) === expected;
  } catch {
    return false;
  }
}

/** docker with its own client config, so a login never touches the user's. */
function docker(args: string[], host: string, configDir: string, input?: string): string {
  return execFileSync('docker', ['--config', configDir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: host },
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Builds Dockerfile.plain and pushes it; returns the pushed reference and the digest the registry gave it. */
function buildAndPush(fixture: SizeFixture, host: string, configDir: string, remote: string): { ref: string; digest: string } {
  const local = imageRef(fixture, 'pushed');
  buildWithRetry(['buildx', 'build', '-q', '--load', '-t', local, '-f', path.join(fixture.dir, 'Dockerfile.plain'), fixture.dir], host);
  docker(['tag', local, remote], host, configDir);
  const out = docker(['push', remote], host, configDir);
  docker(['rmi', remote], host, configDir);
  const digest = /digest: (sha256:[a-f0-9]{64})/.exec(out)?.[1];
  assert.ok(digest, out);
  return { ref: remote, digest };
}

const available = engineAvailable(MAIN_ENGINE) && registryUp(PLAIN_REGISTRY, 200) && registryUp(AUTH_REGISTRY, 401);

describe.skipIf(unavailable(!available && 'needs the main engine and the registries of scripts/testbed.sh'))('size baseline from a registry image', () => {
  let root: string;
  let configDir: string;
  let fixture: SizeFixture;
  let pushed: { ref: string; digest: string };
  let pushedAuth: { ref: string };

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'size-registry-'));
    configDir = path.join(root, 'docker-config');
    fixture = await makeSizeFixture(root, 'registry');
    pushed = buildAndPush(fixture, MAIN_ENGINE, configDir, `${PLAIN_REGISTRY}/deploy-check-size-test/app-${fixture.token}:base`);
    docker(['login', AUTH_REGISTRY, '-u', 'dcuser', '--password-stdin'], MAIN_ENGINE, configDir, 'dcpass\n');
    pushedAuth = buildAndPush(fixture, MAIN_ENGINE, configDir, `${AUTH_REGISTRY}/deploy-check-size-test/app-${fixture.token}:base`);
  });

  afterAll(async () => {
    // Unset when beforeAll failed: the cleanup must not hide that failure.
    if (fixture as SizeFixture | undefined) removeImages(fixture, MAIN_ENGINE);
    await rm(root, { recursive: true, force: true });
  });

  const blobRun = (args: string[], host = MAIN_ENGINE) =>
    runCli(fixture, ['--dockerfile', 'Dockerfile.blob', '--image', imageRef(fixture, 'current'), ...args], host);

  function assertBlobDelta(report: SizeRunReport | null, source: RegExp): void {
    const size = report?.size;
    assert.ok(size?.baseline, `no baseline: ${size?.baselineNote}`);
    assert.match(size.baseline.source, source);
    assert.equal(size.baseline.kind, 'image');
    assert.equal(size.baseline.compressedSource, 'registry-manifest');
    assert.equal(size.baseline.uncompressedSource, 'gzip-isize');
    assert.ok((size.baseline.bytes ?? 0) > (size.baseline.compressedBytes ?? Infinity), 'layer tar sizes are read from the gzip trailers');
    const delta = size.delta;
    assert.ok(delta);
    assert.ok((delta.compressedBytes ?? 0) >= BLOB_BYTES && (delta.compressedBytes ?? 0) <= 5.5 * MiB, `compressed delta ${delta.compressedBytes}`);
    // Tar sizes and the engine's figure are different measures: not compared.
    assert.equal(delta.bytes, null);
    assert.match(delta.notes.join('\n'), /uncompressed sizes not compared/);
    assert.deepEqual(
      delta.layers.map((c) => [c.change, c.line]),
      [['added', 4]],
    );
  }

  test('by tag, from a registry without auth (an OCI index with an attestation)', async () => {
    const run = await blobRun(['--baseline', pushed.ref]);
    assert.equal(run.code, 0, describeRun(run));
    assertBlobDelta(run.report, new RegExp(`^registry ${pushed.ref.replace(/[.]/g, '\\.')}$`));
    const baselineLayers = run.report?.size.baseline?.layers as { line: number | null; base: boolean }[];
    assert.deepEqual(
      baselineLayers.map((l) => [l.line, l.base]),
      [
        [2, true],
        [3, false],
      ],
    );
  });

  test('by digest', async () => {
    const byDigest = `${PLAIN_REGISTRY}/deploy-check-size-test/app-${fixture.token}@${pushed.digest}`;
    const run = await blobRun(['--baseline', byDigest]);
    assert.equal(run.code, 0, describeRun(run));
    assertBlobDelta(run.report, /@sha256:/);
  });

  test('behind basic auth, with registry-username and registry-password; the password is never shown', async () => {
    const run = await blobRun(['--baseline', pushedAuth.ref, '--registry-username', 'dcuser', '--registry-password', 'dcpass']);
    assert.equal(run.code, 0, describeRun(run));
    assertBlobDelta(run.report, /5001/);
    const reportText = JSON.stringify(run.report);
    assert.ok(!run.stdout.includes('dcpass') && !run.stderr.includes('dcpass') && !reportText.includes('dcpass'), 'the password leaked');
  });

  test('behind basic auth without or with wrong credentials: a note, not a failure', async () => {
    const anonymous = await blobRun(['--baseline', pushedAuth.ref]);
    assert.equal(anonymous.code, 0, describeRun(anonymous));
    assert.equal(anonymous.report?.size.baseline, null);
    assert.match(anonymous.report.size.baselineNote ?? '', /127\.0\.0\.1:5001 needs credentials .*: set registry-username and registry-password/);
    assert.match(anonymous.stderr, /warning: Image size: no baseline: 127\.0\.0\.1:5001 needs credentials/);

    const wrong = await blobRun(['--baseline', pushedAuth.ref, '--registry-username', 'dcuser', '--registry-password', 'not-the-password']);
    assert.equal(wrong.code, 0, describeRun(wrong));
    assert.match(wrong.report?.size.baselineNote ?? '', /refused registry-username "dcuser"/);
    assert.ok(!`${wrong.stdout}${wrong.stderr}${JSON.stringify(wrong.report)}`.includes('not-the-password'));
  });

  test('an image that is not there: a note naming it', async () => {
    const run = await blobRun(['--baseline', `${PLAIN_REGISTRY}/deploy-check-size-test/missing-${fixture.token}:nope`, '--max-increase', '1MB']);
    assert.equal(run.code, 0, describeRun(run));
    assert.match(run.report?.size.baselineNote ?? '', /not found on 127\.0\.0\.1:5000/);
    assert.equal(run.report?.size.budget.checks[0]?.status, 'unchecked');
  });

  test('behind a Bearer token service (WWW-Authenticate realm), following a redirect for blobs', async () => {
    const front = await startTokenFront(PLAIN_REGISTRY);
    try {
      const ref = parseImageReference(`${front.host}/deploy-check-size-test/app-${fixture.token}:base`);
      assert.ok(ref);
      await assert.rejects(fetchRegistryImage(ref), /needs credentials|refused an anonymous token/);
      const image = await fetchRegistryImage(ref, { credentials: { username: 'dcuser', password: 'dcpass' } });
      assert.equal(image.manifest.layers.length, 2);
      assert.ok(image.layerTarSizes.every((s) => typeof s === 'number' && s > 0));
      assert.equal(image.config.history.at(-1)?.createdBy.startsWith('CMD'), true);
      assert.ok(front.tokenRequests.length >= 1);
      assert.match(front.tokenRequests[0] ?? '', /scope=repository%3Adeploy-check-size-test%2Fapp-[a-f0-9]+%3Apull/);
    } finally {
      await front.close();
    }
  });
});

describe.skipIf(unavailable(!(available && engineAvailable(CLASSIC_ENGINE)) && 'needs the classic engine and the registry'))(
  'size baseline from a registry image pushed by the classic store',
  () => {
    let root: string;
    let fixture: SizeFixture;

    beforeAll(async () => {
      root = await mkdtemp(path.join(os.tmpdir(), 'size-registry-classic-'));
      fixture = await makeSizeFixture(root, 'registry-classic');
    });

    afterAll(async () => {
      // Unset when beforeAll failed: the cleanup must not hide that failure.
      if (fixture as SizeFixture | undefined) removeImages(fixture, CLASSIC_ENGINE);
      await rm(root, { recursive: true, force: true });
    });

    test('a single Docker schema 2 manifest', async () => {
      const pushed = buildAndPush(
        fixture,
        CLASSIC_ENGINE,
        path.join(root, 'docker-config'),
        `${PLAIN_REGISTRY}/deploy-check-size-test/classic-${fixture.token}:base`,
      );
      const run = await runCli(
        fixture,
        ['--dockerfile', 'Dockerfile.blob', '--image', imageRef(fixture, 'current'), '--baseline', pushed.ref, '--max-increase', '6MiB'],
        CLASSIC_ENGINE,
      );
      assert.equal(run.code, 0, describeRun(run));
      const size = run.report?.size;
      assert.equal(size?.store, 'classic');
      assert.ok(size.delta);
      assert.ok(
        (size.delta.compressedBytes ?? 0) >= BLOB_BYTES && (size.delta.compressedBytes ?? 0) <= 5.5 * MiB,
        `compressed delta ${size.delta.compressedBytes}`,
      );
      assert.equal(size.budget.status, 'pass');
      assert.equal(size.baseline?.compressedSource, 'registry-manifest');
    });
  },
);

interface TokenFront {
  host: string;
  tokenRequests: string[];
  close(): Promise<void>;
}

/**
 * A registry front with token authentication, as Docker Hub or GHCR do it: 401 with a Bearer
 * challenge, a token service that wants basic credentials, then the real registry behind it.
 * Blob requests are redirected to the registry itself, as registries redirect to storage.
 */
async function startTokenFront(upstream: string): Promise<TokenFront> {
  const token = `tok-${randomBytes(8).toString('hex')}`;
  const tokenRequests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front');
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url.pathname === '/token') {
      tokenRequests.push(url.search);
      const basic = `Basic ${Buffer.from('dcuser:dcpass').toString('base64')}`;
      if (req.headers.authorization !== basic) {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        return res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ token, expires_in: 300 }));
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      const repo = /^\/v2\/(.+?)\/(?:manifests|blobs)\//.exec(url.pathname)?.[1] ?? '';
      res.writeHead(401, {
        'WWW-Authenticate': `Bearer realm="http://${host}/token",service="deploy-check-front",scope="repository:${repo}:pull"`,
        'Content-Type': 'application/json',
      });
      return res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    }
    if (/\/blobs\//.test(url.pathname)) {
      res.writeHead(307, { Location: `http://${upstream}${url.pathname}` });
      return res.end();
    }
    const proxied = http.request(
      `http://${upstream}${url.pathname}${url.search}`,
      { method: req.method, headers: { accept: req.headers.accept ?? '*/*' } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    proxied.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    proxied.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    tokenRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
