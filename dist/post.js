import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  STATE_RUN_ID,
  getState,
  info,
  warning
} from "./chunks/chunk-JPHZMAJW.js";
import {
  removeRunResources
} from "./chunks/chunk-ZRQKALGK.js";
import {
  connectDocker
} from "./chunks/chunk-ANHONJO4.js";

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
}
await runPost();
