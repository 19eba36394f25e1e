import assert from 'node:assert/strict';
import { test } from 'vitest';
import { parseManifest, pickIndexEntry, pickPlatformManifest } from '../../src/size/manifest.ts';
import { parseChallenge } from '../../src/size/registry.ts';
import { isContainerdStore, loopbackPushAllowed } from '../../src/size/measure.ts';

test('WWW-Authenticate challenges: quoted values may hold commas', () => {
  const c = parseChallenge('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:acme/api:pull,push"');
  assert.equal(c.get('realm'), 'https://auth.example.com/token');
  assert.equal(c.get('service'), 'registry.example.com');
  assert.equal(c.get('scope'), 'repository:acme/api:pull,push');
  assert.equal(parseChallenge('Basic realm="deploy-check-test"').get('realm'), 'deploy-check-test');
});

const index = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:arm', size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:amd', size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:att',
      size: 1,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': 'sha256:amd' },
    },
  ],
});

test("an index yields the platform's image manifest, never an attestation", () => {
  const parsed = parseManifest(index, 'sha256:index');
  assert.equal(parsed.kind, 'index');
  assert.equal(pickIndexEntry(parsed.entries, { os: 'linux', architecture: 'amd64' })?.digest, 'sha256:amd');
  assert.equal(pickIndexEntry(parsed.entries, { os: 'linux', architecture: 's390x' }), undefined);
});

test('of what an engine pushes, the image manifest is picked', () => {
  const image = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { digest: 'sha256:cfg', size: 100 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: 'sha256:l1', size: 10 }],
  });
  const attestation = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { digest: 'sha256:c2', size: 1 },
    layers: [{ mediaType: 'application/vnd.in-toto+json', digest: 'sha256:x', size: 5 }],
  });
  const received = [
    { digest: 'sha256:att', mediaType: 'application/vnd.oci.image.manifest.v1+json', body: Buffer.from(attestation) },
    { digest: 'sha256:amd', mediaType: 'application/vnd.oci.image.manifest.v1+json', body: Buffer.from(image) },
    { digest: 'sha256:index', mediaType: 'application/vnd.oci.image.index.v1+json', body: Buffer.from(index) },
  ];
  const m = pickPlatformManifest(received, { os: 'linux', architecture: 'amd64' }, 1);
  assert.equal(m.configDigest, 'sha256:cfg');
  assert.deepEqual(
    m.layers.map((l) => l.size),
    [10],
  );
  // Without an index (the classic store pushes a single manifest) the layer count decides.
  assert.equal(pickPlatformManifest(received.slice(0, 2), { os: 'linux', architecture: 'amd64' }, 1).digest, 'sha256:amd');
  assert.throws(() => parseManifest('{"schemaVersion":1}', 'sha256:old'), /schema 1/);
});

test('engine facts: the containerd store, and whether plain HTTP to 127.0.0.1 is allowed', () => {
  assert.equal(isContainerdStore({ DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']] }), true);
  assert.equal(isContainerdStore({ DriverStatus: [['Backing Filesystem', 'extfs']] }), false);
  assert.equal(loopbackPushAllowed({ RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8'] } }), true);
  assert.equal(loopbackPushAllowed({ RegistryConfig: { InsecureRegistryCIDRs: ['10.0.0.0/8'] } }), false);
  assert.equal(loopbackPushAllowed({ RegistryConfig: { InsecureRegistryCIDRs: ['0.0.0.0/0'] } }), true);
  assert.equal(loopbackPushAllowed({}), true);
});
