import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../inputs/inputs.ts';
import { composeVersion, composeWarnings, runCompose } from '../compose/compose.ts';
import { parseComposeModel, type ComposeModel } from '../compose/model.ts';
import { chooseAppService, projectName } from '../compose/plan.ts';

/** `compose-file` / `compose-service`, resolved by Compose itself. */
export interface ComposeConfig {
  readonly file: string;
  readonly project: string;
  readonly service: string;
  readonly serviceSource: 'input' | 'build context';
  readonly model: ComposeModel;
  readonly composeVersion: string;
  /** A project deploy-check wrote itself (the databases of .railway/railway.ts): written to the run's folder and used instead of `file`. */
  readonly generated?: Readonly<Record<string, unknown>>;
  /** What Compose warned of while it read the file (an unset variable defaulting to a blank string). */
  readonly warnings?: readonly string[];
}

/** Resolves the file with `docker compose config` (interpolation, env_file, validation) under the run's project name. */
export async function readComposeConfig(
  get: (name: 'compose-file' | 'compose-service') => string,
  options: { cwd: string; context: string; runId: string },
): Promise<ComposeConfig | undefined> {
  const fileInput = get('compose-file');
  const serviceInput = get('compose-service') || undefined;
  if (!fileInput) {
    if (serviceInput)
      throw new ConfigError('compose-service', 'is set but "compose-file" is empty; set compose-file to the Compose file that defines the service');
    return undefined;
  }
  const file = path.resolve(options.cwd, fileInput);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new ConfigError('compose-file', `no file at ${file}; give the path of a Compose file (e.g. docker-compose.yml)`);
  }
  const version = await composeVersion();
  if (version === null) {
    throw new ConfigError(
      'compose-file',
      'needs Docker Compose v2 (the `docker compose` plugin), which is not installed; install it (Debian/Ubuntu: docker-compose-plugin or docker-compose 2.x)',
    );
  }
  const project = projectName(options.runId);
  const resolved = await runCompose({ project, files: [file] }, ['config', '--format', 'json'], 60_000);
  if (resolved.code !== 0) {
    throw new ConfigError('compose-file', `docker compose cannot read ${file}: ${lastLines(resolved.stderr, 5)}`);
  }
  const model = parseComposeModel(resolved.stdout);
  const choice = chooseAppService(model, options.context, serviceInput);
  if (!choice.ok) throw new ConfigError('compose-service', choice.message);
  return { file, project, service: choice.service, serviceSource: choice.source, model, composeVersion: version, warnings: composeWarnings(resolved.stderr) };
}

export function lastLines(text: string, count: number): string {
  return text.trim().split(/\r?\n/).slice(-count).join(' | ');
}
