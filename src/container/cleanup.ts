import type Docker from 'dockerode';
import { removeBuilder } from '../build/builder.ts';
import { LABEL_RUN } from './labels.ts';

export interface CleanupResult {
  containers: number;
  networks: number;
}

/** Removes every container and network labelled with this run. Harmless to call twice. */
export async function removeRunResources(docker: Docker, runId: string): Promise<CleanupResult> {
  const filters = JSON.stringify({ label: [`${LABEL_RUN}=${runId}`] });
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
  // Networks go after the containers attached to them.
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(() => {})));
  return { containers: containers.length, networks: networks.length };
}

/** Removes the buildx builders a run created (and their BuildKit containers); returns those removed. */
export async function removeRunBuilders(names: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const name of names) if (await removeBuilder(name)) removed.push(name);
  return removed;
}
