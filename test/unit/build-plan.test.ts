import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { planBuild, secretEnvName } from '../../src/build/plan.ts';

type PlanInput = Parameters<typeof planBuild>[0];

const base: PlanInput = {
  context: '/repo/app',
  dockerfile: '/repo/app/Dockerfile',
  target: undefined,
  buildArgs: [],
  buildSecrets: [],
  image: 'deploy-check-local/app:r1',
  builder: undefined,
  runId: 'r1-abc',
};
// The second tag is the run's own: it keeps the image alive when another run moves the first.
const TAIL = [
  '--tag',
  'deploy-check-local/app:r1',
  '--tag',
  'deploy-check-run:r1-abc',
  '--load',
  '--metadata-file',
  '/tmp/m.json',
  '--progress=rawjson',
  '/repo/app',
];

const cases: { name: string; config: Partial<PlanInput>; cache?: Parameters<typeof planBuild>[2]; args: string[]; env?: Record<string, string> }[] = [
  { name: 'the minimum', config: {}, args: ['buildx', 'build', '--file', '/repo/app/Dockerfile', ...TAIL] },
  { name: 'a builder', config: { builder: 'remote-bk' }, args: ['buildx', 'build', '--builder', 'remote-bk', '--file', '/repo/app/Dockerfile', ...TAIL] },
  { name: 'a target stage', config: { target: 'runtime' }, args: ['buildx', 'build', '--file', '/repo/app/Dockerfile', '--target', 'runtime', ...TAIL] },
  {
    name: 'build args keep their order and any "=" or spaces in values',
    config: {
      buildArgs: [
        { key: 'PY', value: '3.12' },
        { key: 'OPTS', value: 'a=b c' },
      ],
    },
    args: ['buildx', 'build', '--file', '/repo/app/Dockerfile', '--build-arg', 'PY=3.12', '--build-arg', 'OPTS=a=b c', ...TAIL],
  },
  {
    name: 'secrets go through the environment, never the command line',
    config: {
      buildSecrets: [
        { key: 'npm', value: 's3cret-npm' },
        { key: 'pip', value: 's3cret-pip' },
      ],
    },
    args: [
      'buildx',
      'build',
      '--file',
      '/repo/app/Dockerfile',
      '--secret',
      `id=npm,env=${secretEnvName(0)}`,
      '--secret',
      `id=pip,env=${secretEnvName(1)}`,
      ...TAIL,
    ],
    env: { [secretEnvName(0)]: 's3cret-npm', [secretEnvName(1)]: 's3cret-pip' },
  },
  {
    name: 'cache import and export',
    config: {},
    cache: { from: 'type=local,src=/c', to: 'type=local,dest=/c2,mode=max' },
    args: ['buildx', 'build', '--file', '/repo/app/Dockerfile', '--cache-from', 'type=local,src=/c', '--cache-to', 'type=local,dest=/c2,mode=max', ...TAIL],
  },
  {
    name: 'everything at once, in a stable order',
    config: { builder: 'b', target: 't', buildArgs: [{ key: 'A', value: '1' }], buildSecrets: [{ key: 's', value: 'v-secret' }] },
    args: [
      'buildx',
      'build',
      '--builder',
      'b',
      '--file',
      '/repo/app/Dockerfile',
      '--target',
      't',
      '--build-arg',
      'A=1',
      '--secret',
      `id=s,env=${secretEnvName(0)}`,
      ...TAIL,
    ],
    env: { [secretEnvName(0)]: 'v-secret' },
  },
];

describe('planBuild', () => {
  for (const c of cases) {
    test(c.name, () => {
      const plan = planBuild({ ...base, ...c.config }, '/tmp/m.json', c.cache);
      assert.deepEqual(plan.args, c.args);
      assert.deepEqual(plan.env, c.env ?? {});
      for (const s of c.config.buildSecrets ?? []) assert.ok(!plan.args.some((a) => a.includes(s.value)), 'a secret value is on the command line');
    });
  }
});
