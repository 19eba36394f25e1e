import os from 'node:os';
import path from 'node:path';

/** Where deploy-check keeps small state between runs on one machine. */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env['DEPLOY_CHECK_STATE_DIR']) return env['DEPLOY_CHECK_STATE_DIR'];
  // The tool cache survives between jobs on self-hosted runners.
  if (env['RUNNER_TOOL_CACHE']) return path.join(env['RUNNER_TOOL_CACHE'], 'deploy-check');
  return path.join(env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'deploy-check');
}
