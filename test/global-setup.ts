/**
 * Around the integration project: before it, the test bed (scripts/testbed.sh: engines,
 * registries, Compose, base images) and a fresh bundle, since the tests run dist/; after it,
 * the engines must hold no container or network that deploy-check or its tests created
 * (everything the project creates carries the dev.deploy-check.managed label).
 *
 * What was there before the suite started is not the suite's doing and is only reported.
 * Another suite sharing the engine may have a run in flight at the end; its containers go
 * within seconds, so the check waits a little before it calls anything a leftover.
 */
import { spawnSync } from 'node:child_process';
import { CLASSIC_ENGINE, MAIN_ENGINE, engineAvailable, managedLeftovers } from './support/docker.ts';

const GRACE_MS = Number(process.env['DEPLOY_CHECK_LEFTOVER_GRACE_MS'] ?? 20_000);

const engines = [MAIN_ENGINE, CLASSIC_ENGINE].filter((host, i, all) => all.indexOf(host) === i);
const before = new Map<string, Set<string>>();

function managed(host: string): string[] {
  const left = managedLeftovers(host);
  return [...left.containers.map((id) => `container ${id}`), ...left.networks.map((id) => `network ${id}`)];
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}): the integration tests need it`);
  }
}

function prepare(): void {
  // scripts/test.sh has done both already; a direct `npm run test:integration` has not.
  if (process.env['DEPLOY_CHECK_TESTBED_READY'] === '1') return;
  run('bash', ['scripts/testbed.sh']);
  run(process.execPath, ['scripts/bundle.mjs']);
}

export function setup(): void {
  prepare();
  for (const host of engines) {
    if (!engineAvailable(host)) continue;
    const existing = managed(host);
    before.set(host, new Set(existing));
    if (existing.length > 0) {
      console.warn(`ℹ ${host} already holds ${existing.length} object(s) labelled by deploy-check before the suite: ${existing.join(', ')}`);
    }
  }
}

export async function teardown(): Promise<void> {
  const found: string[] = [];
  for (const [host, existing] of before) {
    const deadline = Date.now() + GRACE_MS;
    let fresh = managed(host).filter((o) => !existing.has(o));
    while (fresh.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      fresh = managed(host).filter((o) => !existing.has(o));
    }
    found.push(...fresh.map((o) => `${o} on ${host}`));
  }
  if (found.length > 0) {
    const message = `the suite left ${found.length} container(s)/network(s) created by deploy-check: ${found.join(', ')}`;
    console.error(`✖ ${message}`);
    throw new Error(message);
  }
  console.log('✔ the engine holds no container or network created by the tests');
}
