import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  LABEL_RUN,
  removeBuilder
} from "./chunk-5OYQUT22.js";

// src/container/cleanup.ts
async function removeRunResources(docker, runId) {
  const filters = JSON.stringify({ label: [`${LABEL_RUN}=${runId}`] });
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {
  })));
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(() => {
  })));
  return { containers: containers.length, networks: networks.length };
}
async function removeRunBuilders(names) {
  const removed = [];
  for (const name of names) if (await removeBuilder(name)) removed.push(name);
  return removed;
}

export {
  removeRunResources,
  removeRunBuilders
};
