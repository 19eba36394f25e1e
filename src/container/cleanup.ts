import type Docker from 'dockerode';
import { LABEL_RUN } from './labels.ts';

export interface CleanupResult {
  containers: number;
  networks: number;
}

/** Removes every container and network labelled with this run. Harmless to call twice. */
export async function removeRunResources(docker: Docker, runId: string): Promise<CleanupResult> {
  const filters = JSON.stringify({ label: [`${LABEL_RUN}=${runId}`] });
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(() => {})));
  return { containers: containers.length, networks: networks.length };
}
