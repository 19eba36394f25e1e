/**
 * A service's Railway volumes: read from the graph Railway's SDK writes, and mounted on the app's
 * container only (Railway mounts none for a pre-deploy command), empty and owned by root.
 */
import assert from 'node:assert/strict';
import { project, service, volume } from 'railway/iac';
import { test } from 'vitest';
import { readProject } from '../../src/config/iac/graph.ts';
import { containerOptions, type RunParams } from '../../src/container/spec.ts';

function servicesOf(graph: unknown): ReturnType<typeof readProject> {
  // The SDK's graph goes through JSON, as the evaluation child prints it.
  return readProject(JSON.parse(JSON.stringify(graph)) as unknown);
}

test('volumes are read with their mount path, and their name when the file gives one', () => {
  const named = servicesOf(project('p', { resources: [service('web', { volumeMounts: { '/data': volume('uploads') } })] }));
  assert.ok(named.ok);
  assert.deepEqual(named.project.services[0]?.volumes, [{ mountPath: '/data', name: 'uploads' }]);
  const raw = readProject({ name: 'p', resources: [{ type: 'service', name: 'web', address: 'service.web', volumeMounts: { '/cache': {} } }] });
  assert.ok(raw.ok);
  assert.deepEqual(raw.project.services[0]?.volumes, [{ mountPath: '/cache', name: undefined }]);
});

test("the app's container gets a new volume at each path without the image's files; a pre-deploy command's gets none", () => {
  const params: RunParams = { image: 'sha256:abc', runId: 'r1', env: [], network: undefined, networkAliases: [], addHosts: [], volumes: ['/data'] };
  const app = containerOptions(params, { name: 'app', cmd: undefined, mountsVolumes: true });
  const [mount, ...more] = app.HostConfig?.Mounts ?? [];
  assert.ok(mount);
  assert.equal(more.length, 0);
  assert.equal(mount.Type, 'volume');
  assert.equal(mount.Target, '/data');
  assert.equal(mount.Source, '', 'anonymous: removed with the container');
  assert.equal(mount.VolumeOptions.NoCopy, true, "the image's files and their owner are not copied in");
  assert.equal(mount.VolumeOptions.Labels['dev.deploy-check.run'], 'r1');
  assert.equal(containerOptions(params, { name: 'pre', cmd: ['migrate'], replacesEntrypoint: true }).HostConfig?.Mounts, undefined);
});
