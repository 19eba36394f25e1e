import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  STATE_BUILDER,
  STATE_IMAGE,
  STATE_RUN_ID,
  debug,
  getState,
  info,
  warning
} from "./chunks/chunk-IOROEHJF.js";
import {
  commandFree,
  connectDocker,
  removeRunBuilders,
  removeRunResources,
  visible
} from "./chunks/chunk-UT7KNV4R.js";

// src/post.ts
async function runPost() {
  const runId = getState(STATE_RUN_ID);
  if (!runId) return;
  let docker;
  try {
    docker = connectDocker();
  } catch (err) {
    warning(visible(`Cleanup could not reach the Docker engine: ${err.message}`));
    return;
  }
  try {
    const removed = await removeRunResources(docker, runId);
    if (removed.containers + removed.networks + removed.volumes + removed.images > 0) {
      const more = removed.volumes + removed.images > 0 ? ` (and ${removed.volumes} volume(s), ${removed.images} image(s) of its Compose services)` : "";
      info(commandFree(`Removed ${removed.containers} container(s) and ${removed.networks} network(s)${more} left by this run`));
    }
  } catch (err) {
    warning(visible(`Cleanup could not reach the Docker engine: ${err.message}`));
  }
  const builder = getState(STATE_BUILDER);
  if (builder) {
    const removed = await removeRunBuilders([builder]);
    if (removed.length > 0) info(commandFree(`Removed the buildx builder ${builder} created for this run`));
  }
  const image = getState(STATE_IMAGE);
  if (image && process.env["RUNNER_ENVIRONMENT"] !== "github-hosted") {
    await docker.getImage(image).remove().then(
      () => info(commandFree(`Removed the image tag ${image} this run created (self-hosted runner)`)),
      (err) => debug(visible(`Image tag ${image} not removed: ${err instanceof Error ? err.message : String(err)}`))
    );
  }
}
await runPost();
