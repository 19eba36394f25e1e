/**
 * After the whole suite: the engine must hold no container or network that deploy-check or
 * its tests created (everything the project creates carries the dev.deploy-check.managed label).
 */
import { leftovers } from './support/docker.ts';

export async function globalTeardown(): Promise<void> {
  const left = leftovers();
  if (left.containers.length + left.networks.length > 0) {
    const message = `the engine still holds ${left.containers.length} container(s) and ${left.networks.length} network(s) created by deploy-check: ${[...left.containers, ...left.networks].join(' ')}`;
    console.error(`✖ ${message}`);
    throw new Error(message);
  }
  console.log('✔ the engine holds no container or network created by the tests');
}
