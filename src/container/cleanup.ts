import type Docker from 'dockerode';
import { removeBuilder } from '../build/builder.ts';
import { holdTag, LABEL_RUN } from '../host/labels.ts';

export interface CleanupResult {
  containers: number;
  networks: number;
  /** Named volumes and images a Compose project of the run made (labelled by deploy-check's override). */
  volumes: number;
  images: number;
}

/**
 * Removes every container, network, volume and image labelled with this run, and the run's own
 * tag of the image it built (holdTag; the image stays while another tag names it). Harmless to call
 * twice. Only a Compose project builds labelled images, and listing images is the slowest of
 * these calls on the containerd store (~40 ms): `images: false` skips it for a run without one.
 */
export async function removeRunResources(docker: Docker, runId: string, options: { images?: boolean } = {}): Promise<CleanupResult> {
  const filters = JSON.stringify({ label: [`${LABEL_RUN}=${runId}`] });
  const [containers, networks] = await Promise.all([removeContainers(docker, filters), docker.listNetworks({ filters })]);
  // Networks, volumes and images go after the containers that use them.
  const [volumes, images] = await Promise.all([
    // The engine answers `Volumes: null` when there are none, whatever the types say.
    docker.listVolumes({ filters }).then(
      (r) => (r.Volumes as typeof r.Volumes | null) ?? [],
      () => [],
    ),
    options.images === false ? [] : docker.listImages({ filters }).catch(() => []),
  ]);
  await Promise.all([
    ...networks.map((n) =>
      docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => {}),
    ),
    ...volumes.map((v) =>
      docker
        .getVolume(v.Name)
        .remove()
        .catch(() => {}),
    ),
    ...images.flatMap((i) =>
      (i.RepoTags?.length ? i.RepoTags : [i.Id]).map((ref) =>
        docker
          .getImage(ref)
          .remove({ force: true })
          .catch(() => {}),
      ),
    ),
    // Not forced: only the tag goes when the image has another (the `image` input's).
    docker
      .getImage(holdTag(runId))
      .remove()
      .catch(() => {}),
  ]);
  return { containers, networks: networks.length, volumes: volumes.length, images: images.length };
}

/** Removes the buildx builders a run created (and their BuildKit containers); returns those removed. */
export async function removeRunBuilders(names: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const name of names) if (await removeBuilder(name)) removed.push(name);
  return removed;
}

/**
 * Removes the containers with the run's label and returns how many there were. Listed again
 * until none is left: a busy engine can answer a removal with "already in progress", or a
 * Compose process can create one while the first list is taken.
 */
async function removeContainers(docker: Docker, filters: string): Promise<number> {
  let found = 0;
  for (let attempt = 0; attempt < 5; attempt++) {
    const containers = await docker.listContainers({ all: true, filters });
    if (attempt === 0) found = containers.length;
    if (containers.length === 0) break;
    // Still there after a removal: give the engine a moment before the next one.
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
    await Promise.all(
      containers.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch(() => {}),
      ),
    );
  }
  return found;
}
