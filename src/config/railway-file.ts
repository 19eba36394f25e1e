import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { ConfigError, parseUrlPath } from '../inputs/inputs.ts';

/** Which file: Railway's Infrastructure as Code, or its retired Config as Code. */
export type RailwayFileLabel = '.railway/railway.ts' | 'railway.json' | 'railway.toml';

/** The settings of Railway's configuration file (.railway/railway.ts, or railway.json / railway.toml) that the local check mirrors. */
export interface RailwayFileConfig {
  readonly file: string;
  readonly label: RailwayFileLabel;
  /** How the file names a setting: "service.api deploy." for the graph, "deploy." for railway.json. */
  readonly fieldPrefix: string;
  /** deploy.cronSchedule: Railway runs the service on a schedule and needs it to exit. */
  readonly cronSchedule?: string | undefined;
  readonly healthcheckPath: string | undefined;
  readonly healthcheckTimeoutMs: number | undefined;
  readonly dockerfilePath: string | undefined;
  /** deploy.startCommand: runs in place of the image's ENTRYPOINT (and CMD), as Railway runs it. */
  readonly startCommand?: string | undefined;
  /** deploy.preDeployCommand: a string or a list of strings, run in order before the app starts. */
  readonly preDeployCommand?: readonly string[] | undefined;
}

const CANDIDATES = ['railway.json', 'railway.toml'];

/**
 * Railway stopped reading railway.json / railway.toml during deploys on this day (its Config as
 * Code documentation: "until 2026-12-01 (hard cutoff)"); `railway config migrate` writes the
 * replacement, .railway/railway.ts.
 */
export const CONFIG_AS_CODE_CUTOFF = '2026-12-01';

/** Whether Railway still reads railway.json / railway.toml on this date. */
export function configAsCodeRead(now: Date): boolean {
  return now.getTime() < Date.parse(`${CONFIG_AS_CODE_CUTOFF}T00:00:00Z`);
}

/** The settings a Config as Code file holds, by their field names: what Railway no longer applies. */
export function settingsOf(file: RailwayFileConfig): string[] {
  const named: [string, unknown][] = [
    ['build.dockerfilePath', file.dockerfilePath],
    ['deploy.startCommand', file.startCommand],
    ['deploy.preDeployCommand', file.preDeployCommand],
    ['deploy.healthcheckPath', file.healthcheckPath],
    ['deploy.healthcheckTimeout', file.healthcheckTimeoutMs],
    ['deploy.cronSchedule', file.cronSchedule],
  ];
  return named.filter(([, v]) => v !== undefined).map(([k]) => k);
}

/** Looks in the build context first, then the working directory (the repository root in the action); or reads the one file given. */
export async function findRailwayFile(dirs: readonly string[], given?: string): Promise<RailwayFileConfig | undefined> {
  if (given !== undefined) {
    let text: string;
    try {
      text = await readFile(given, 'utf8');
    } catch {
      throw new ConfigError('railway-config-file', `cannot read ${given}; give the path of a railway.json or railway.toml, or true to find one`);
    }
    return parseRailwayFile(given, text);
  }
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
    label: file.endsWith('.toml') ? 'railway.toml' : 'railway.json',
    fieldPrefix: '',
    cronSchedule: str(deploy['cronSchedule']),
    healthcheckPath: healthcheckPath === undefined ? undefined : parseUrlPath(`${path.basename(file)} deploy.healthcheckPath`, healthcheckPath),
    healthcheckTimeoutMs: typeof timeout === 'number' && timeout > 0 ? timeout * 1000 : undefined,
    dockerfilePath: str(build['dockerfilePath']),
    startCommand: str(deploy['startCommand']),
    preDeployCommand,
  };
}
