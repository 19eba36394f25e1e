import * as core from '@actions/core';
import { STATE_BUILDER, STATE_IMAGE, STATE_RUN_ID } from './action-state.ts';
import { removeRunBuilders, removeRunResources } from './container/cleanup.ts';
import { connectDocker } from './host/docker.ts';
import { commandFree, visible } from './host/log.ts';

/**
 * Runs after the job's steps, also when main failed or the job was cancelled: removes what main
 * created. Its lines go through commandFree/visible like the main step's (Docker's errors quote names).
 */
async function runPost(): Promise<void> {
  const runId = core.getState(STATE_RUN_ID);
  if (!runId) return;
  let docker: ReturnType<typeof connectDocker>;
  try {
    docker = connectDocker();
  } catch (err) {
    core.warning(visible(`Cleanup could not reach the Docker engine: ${(err as Error).message}`));
    return;
  }
  try {
    const removed = await removeRunResources(docker, runId);
    if (removed.containers + removed.networks + removed.volumes + removed.images > 0) {
      const more = removed.volumes + removed.images > 0 ? ` (and ${removed.volumes} volume(s), ${removed.images} image(s) of its Compose services)` : '';
      core.info(commandFree(`Removed ${removed.containers} container(s) and ${removed.networks} network(s)${more} left by this run`));
    }
  } catch (err) {
    core.warning(visible(`Cleanup could not reach the Docker engine: ${(err as Error).message}`));
  }
  const builder = core.getState(STATE_BUILDER);
  if (builder) {
    const removed = await removeRunBuilders([builder]);
    if (removed.length > 0) core.info(commandFree(`Removed the buildx builder ${builder} created for this run`));
  }
  // A GitHub-hosted runner is thrown away after the job; a self-hosted one keeps every tag.
  const image = core.getState(STATE_IMAGE);
  if (image && process.env['RUNNER_ENVIRONMENT'] !== 'github-hosted') {
    await docker
      .getImage(image)
      .remove()
      .then(
        () => core.info(commandFree(`Removed the image tag ${image} this run created (self-hosted runner)`)),
        (err: unknown) => core.debug(visible(`Image tag ${image} not removed: ${err instanceof Error ? err.message : String(err)}`)),
      );
  }
}

await runPost();
