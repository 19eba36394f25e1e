import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'deploy-check';

let cached: string | undefined;

/**
 * deploy-check's version, read at run time from its package.json. It is not inlined in the
 * bundle, so a version bump leaves dist/ as it was. This module runs from src/ (tests), dist/
 * (the action, from its repository checkout) or dist/chunks/ (the local command, from the
 * installed package): package.json is the nearest one up whose name is deploy-check.
 */
export function toolVersion(): string {
  cached ??= readToolVersion(path.dirname(fileURLToPath(import.meta.url)));
  return cached;
}

function readToolVersion(start: string): string {
  const tried: string[] = [];
  for (let dir = start; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    tried.push(file);
    const version = versionIn(file);
    if (version !== undefined) return version;
    if (path.dirname(dir) === dir || tried.length >= 4) break;
  }
  throw new Error(
    `deploy-check's package.json (name ${NAME}, with a version) was not found at ${tried.join(', ')}: the installation is incomplete; reinstall deploy-check or check out the action's repository whole`,
  );
}

function versionIn(file: string): string | undefined {
  let pkg: unknown;
  try {
    pkg = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // absent or not JSON: not deploy-check's
  }
  if (typeof pkg !== 'object' || pkg === null) return undefined;
  const { name, version } = pkg as { name?: unknown; version?: unknown };
  return name === NAME && typeof version === 'string' && version !== '' ? version : undefined;
}
