/**
 * A service's Railway volumes: read from the graph Railway's SDK writes, and mounted on the app's
 * container only (Railway mounts none for a pre-deploy command), empty and owned by root.
 */
import assert from 'node:assert/strict';
import { project, service, volume } from 'railway/iac';
import { test } from 'vitest';
import { readProject } from '../../src/config/iac/graph.ts';
import { railwayProvided } from '../../src/config/iac/railway-iac.ts';
import { volumeMountProblem } from '../../src/config/iac/service.ts';
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
  assert.ok(mount.VolumeOptions);
  assert.equal(mount.VolumeOptions.NoCopy, true, "the image's files and their owner are not copied in");
  assert.equal(mount.VolumeOptions.Labels['dev.deploy-check.run'], 'r1');
  assert.equal(containerOptions(params, { name: 'pre', cmd: ['migrate'], replacesEntrypoint: true }).HostConfig?.Mounts, undefined);
});

test("Railway's own variables: names, domain, git, region and volume from the file; IDs as new UUIDs of the run", () => {
  const read = servicesOf(
    project('shop', {
      resources: [service('web', { volumeMounts: { '/data': volume('uploads') }, replicas: { 'europe-west4': 2 } }), service('worker', {})],
    }),
  );
  assert.ok(read.ok);
  const [web, worker] = read.project.services;
  assert.ok(web && worker);
  const options = { cwd: '/', context: '/', fileInput: undefined, serviceInput: undefined, environment: 'pr-7', repository: 'acme/shop', git: { sha: 'abc' } };
  const vars = railwayProvided(web, read.project, options);
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  for (const id of ['PROJECT', 'ENVIRONMENT', 'SERVICE', 'DEPLOYMENT', 'REPLICA', 'SNAPSHOT']) assert.match(vars[`RAILWAY_${id}_ID`] ?? '', uuid, id);
  assert.deepEqual(Object.fromEntries(Object.entries(vars).filter(([k]) => !k.endsWith('_ID'))), {
    RAILWAY_ENVIRONMENT: 'pr-7',
    RAILWAY_ENVIRONMENT_NAME: 'pr-7',
    RAILWAY_PROJECT_NAME: 'shop',
    RAILWAY_SERVICE_NAME: 'web',
    RAILWAY_PRIVATE_DOMAIN: 'web.railway.internal',
    RAILWAY_REPLICA_REGION: 'europe-west4',
    RAILWAY_GIT_COMMIT_SHA: 'abc',
    RAILWAY_GIT_REPO_OWNER: 'acme',
    RAILWAY_GIT_REPO_NAME: 'shop',
    RAILWAY_VOLUME_NAME: 'uploads',
    RAILWAY_VOLUME_MOUNT_PATH: '/data',
  });
  const plain = railwayProvided(worker, read.project, options);
  assert.equal(plain['RAILWAY_VOLUME_NAME'], undefined);
  assert.equal(plain['RAILWAY_REPLICA_REGION'], undefined);
  assert.notEqual(plain['RAILWAY_DEPLOYMENT_ID'], vars['RAILWAY_DEPLOYMENT_ID']);
});

test('a mount path Railway would not take is named before anything starts', () => {
  const read = (mountPath: string): ReturnType<typeof volumeMountProblem> => {
    const graph = readProject({ name: 'p', resources: [{ type: 'service', name: 'web', address: 'service.web', volumeMounts: { [mountPath]: {} } }] });
    assert.ok(graph.ok && graph.project.services[0]);
    return volumeMountProblem(graph.project.services[0]);
  };
  assert.equal(read('/data'), undefined);
  assert.equal(read('data'), 'service.web volumeMounts: "data" is not a mount path Railway accepts; give an absolute path other than /, such as /data');
  assert.match(read('/') ?? '', /"\/" is not a mount path/);
  assert.match(read('/da\nta') ?? '', /"\/da\\nta" is not a mount path/);
});
