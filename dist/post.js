import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  STATE_BUILDER,
  STATE_RUN_ID,
  getState,
  info,
  warning
} from "./chunks/chunk-J4ATM5OZ.js";
import {
  removeRunBuilders,
  removeRunResources
} from "./chunks/chunk-TSS4VH4Z.js";
import {
  connectDocker
} from "./chunks/chunk-5OYQUT22.js";

// src/post.ts
async function runPost() {
  const runId = getState(STATE_RUN_ID);
  if (!runId) return;
  try {
    const removed = await removeRunResources(connectDocker(), runId);
    if (removed.containers + removed.networks > 0) {
      info(`Removed ${removed.containers} container(s) and ${removed.networks} network(s) left by this run`);
    }
  } catch (err) {
    warning(`Cleanup could not reach the Docker engine: ${err.message}`);
  }
  const builder = getState(STATE_BUILDER);
  if (builder) {
    const removed = await removeRunBuilders([builder]);
    if (removed.length > 0) info(`Removed the buildx builder ${builder} created for this run`);
  }
}
await runPost();
