import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { KeyValue } from '../inputs/lines.ts';
import { KEY_SEPARATOR, type CacheMode } from '../config/cache.ts';

export interface CacheKeys {
  /** The key this run saves under: prefix, separator, fingerprint. */
  readonly key: string;
  readonly prefix: string;
  /** Restored by prefix: the newest entry of this image, in the run's own branch first (GitHub's scoping), else the base branch's. */
  readonly restoreKeys: readonly string[];
}

/**
 * The prefix names one image of one repository: the Dockerfile's path from the workspace root
 * and the target stage, plus the machine's platform (a BuildKit cache holds platform-specific layers).
 */
export function defaultKeyPrefix(input: { dockerfile: string; target: string | undefined; root: string; platform?: string; arch?: string }): string {
  const fromRoot = path.relative(input.root, input.dockerfile);
  // Outside the workspace the absolute path names it (stable on one machine).
  const named = fromRoot === '' || fromRoot.startsWith('..') || path.isAbsolute(fromRoot) ? input.dockerfile.replace(/^[/\\]+/, '') : fromRoot;
  const relative = named.split(path.sep).join('/');
  const target = input.target ? `:${input.target}` : '';
  const raw = `deploy-check-${input.platform ?? process.platform}-${input.arch ?? process.arch}-${relative}${target}`;
  return raw.replace(/[\s,#\p{Cc}]/gu, '_').slice(0, 400);
}

/**
 * What decides the build's result: the source revision (the commit in the action, the context's
 * files locally) and the build's own settings. An identical run gets the identical key.
 */
export function fingerprint(input: {
  revision: string;
  dockerfileText: string;
  target: string | undefined;
  buildArgs: readonly KeyValue[];
  mode: CacheMode;
}): string {
  const hash = createHash('sha256');
  const part = (label: string, value: string): void => {
    hash.update(`${label}\0${value.length}\0${value}\0`);
  };
  part('revision', input.revision);
  part('dockerfile', input.dockerfileText);
  part('target', input.target ?? '');
  for (const { key, value } of input.buildArgs) part(`arg:${key}`, value);
  part('mode', input.mode);
  return hash.digest('hex').slice(0, 16);
}

export function cacheKeys(prefix: string, runFingerprint: string): CacheKeys {
  return { key: `${prefix}${KEY_SEPARATOR}${runFingerprint}`, prefix, restoreKeys: [`${prefix}${KEY_SEPARATOR}`] };
}

/** At most this many files are looked at: a context this large is fingerprinted by its first files and its count. */
const CONTEXT_FILE_LIMIT = 50_000;

/**
 * The local command has no commit to go by: the context's file names, sizes and modification
 * times stand for its content (cheap, and any edit changes a modification time).
 */
export async function contextRevision(context: string): Promise<string> {
  const hash = createHash('sha256');
  let files = 0;
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (files >= CONTEXT_FILE_LIMIT) return;
      if (entry.name === '.git') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(full);
      } else {
        files++;
        const info = await stat(full).catch(() => undefined);
        hash.update(`${path.relative(context, full)}\0${info?.size ?? -1}\0${info?.mtimeMs ?? -1}\n`);
      }
    }
  };
  await walk(context);
  hash.update(`files:${files}`);
  return `context:${hash.digest('hex').slice(0, 32)}`;
}

/** What tells one image of a repository from another, for the keys of entries kept per image (size baselines, state). */
export interface ImageScope {
  readonly dockerfile: string;
  readonly target: string | undefined;
  readonly imageRepository: string;
  /** The workspace the Dockerfile path is taken relative to. */
  readonly cwd: string;
}

/** 12 hex characters naming an image's scope, the same on every machine. */
export function imageScopeHash(image: ImageScope): string {
  const relative = path.relative(image.cwd, image.dockerfile).split(path.sep).join('/');
  return createHash('sha256')
    .update(`${relative}\n${image.target ?? ''}\n${image.imageRepository}`)
    .digest('hex')
    .slice(0, 12);
}

/** Ends the prefix of a family whose entries are one per run; "~" cannot occur in a git branch name. */
export const RUN_KEY_SEPARATOR = '~';

/** The key a run saves an entry of a family under: unique per run, as entries are immutable. */
export function saveKey(prefix: string, runKey: string): string {
  return `${prefix}${runKey.replace(/[\s,~]+/g, '-')}`;
}

/**
 * Keys of a family whose newest entry is the one wanted: nothing is ever saved under the
 * primary key `${prefix}latest`, so the prefix alone picks the newest.
 */
export function newestKeys(prefix: string): CacheKeys {
  return { key: `${prefix}latest`, prefix, restoreKeys: [prefix] };
}

/** Keys to save a run's entry of such a family under. */
export function runEntryKeys(prefix: string, runKey: string): CacheKeys {
  return { key: saveKey(prefix, runKey), prefix, restoreKeys: [prefix] };
}
