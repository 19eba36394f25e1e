import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { ConfigError, parseUrlPath } from './inputs.ts';

/** The settings of railway.json / railway.toml that the local check mirrors. */
export interface RailwayFileConfig {
  readonly file: string;
  readonly healthcheckPath: string | undefined;
  readonly healthcheckTimeoutMs: number | undefined;
  readonly dockerfilePath: string | undefined;
  /** deploy.startCommand: replaces the image's CMD. */
  readonly startCommand?: string | undefined;
  /** deploy.preDeployCommand: a string or a list of strings, run in order before the app starts. */
  readonly preDeployCommand?: readonly string[] | undefined;
}

const CANDIDATES = ['railway.json', 'railway.toml'];

/** Looks in the build context first, then the working directory (the repository root in the action). */
export async function findRailwayFile(dirs: readonly string[]): Promise<RailwayFileConfig | undefined> {
  for (const dir of [...new Set(dirs.map((d) => path.resolve(d)))]) {
    for (const name of CANDIDATES) {
      const file = path.join(dir, name);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        continue;
      }
      return parseRailwayFile(file, text);
    }
  }
  return undefined;
}

export function parseRailwayFile(file: string, text: string): RailwayFileConfig {
  let doc: unknown;
  try {
    doc = file.endsWith('.toml') ? parseToml(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError('railway-config', `${file} could not be parsed: ${(err as Error).message.split('\n')[0]}`);
  }
  const section = (name: string): Record<string, unknown> => {
    const v = (doc as Record<string, unknown> | null)?.[name];
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  };
  const deploy = section('deploy');
  const build = section('build');
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const timeout = deploy['healthcheckTimeout'];
  const healthcheckPath = str(deploy['healthcheckPath']);
  const preDeploy = deploy['preDeployCommand'];
  let preDeployCommand: string[] | undefined;
  if (typeof preDeploy === 'string') {
    preDeployCommand = str(preDeploy) === undefined ? undefined : [preDeploy.trim()];
  } else if (Array.isArray(preDeploy)) {
    if (!preDeploy.every((c): c is string => typeof c === 'string')) {
      throw new ConfigError('railway-config', `${file}: deploy.preDeployCommand must be a string or a list of strings`);
    }
    const commands = preDeploy.map((c) => c.trim()).filter(Boolean);
    preDeployCommand = commands.length ? commands : undefined;
  } else if (preDeploy !== undefined && preDeploy !== null) {
    throw new ConfigError('railway-config', `${file}: deploy.preDeployCommand must be a string or a list of strings`);
  }
  return {
    file,
    healthcheckPath: healthcheckPath === undefined ? undefined : parseUrlPath(`${path.basename(file)} deploy.healthcheckPath`, healthcheckPath),
    healthcheckTimeoutMs: typeof timeout === 'number' && timeout > 0 ? timeout * 1000 : undefined,
    dockerfilePath: str(build['dockerfilePath']),
    startCommand: str(deploy['startCommand']),
    preDeployCommand,
  };
}
