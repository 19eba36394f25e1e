/**
 * The build context as the builder receives it: which ignore file applies, what it leaves out,
 * and how many bytes every build sends.
 */
import dockerignore from '@balena/dockerignore';
import { readdir, readFile, lstat } from 'node:fs/promises';
import path from 'node:path';

/** Paths that should never reach the builder; a `.dockerignore` is expected to exclude them. */
export const MUST_EXCLUDE = ['.env', '.git', 'node_modules', '.venv'] as const;
/** Of those, the ones reported only when the context holds them (not every project has them). */
const ONLY_WHEN_PRESENT = new Set<string>(['node_modules', '.venv']);

export interface IgnoreRules {
  /** Does the ignore file exclude this context-relative path? */
  excludes(relPath: string): boolean;
  /** `!` exceptions exist: an excluded directory may still hold included files. */
  readonly hasExceptions: boolean;
}

/** The .dockerignore format: one pattern a line, # comments, ! exceptions, Go filepath.Match with **. */
export function parseIgnoreFile(content: string): IgnoreRules {
  const patterns = content
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  // Docker on Linux matches case-sensitively; the library defaults to ignoring case.
  // A CommonJS module whose factory is also its own `default`: typed and callable that way under NodeNext.
  const ig = dockerignore.default({ ignorecase: false }).add(patterns);
  return {
    excludes: (relPath) => ig.ignores(relPath),
    hasExceptions: patterns.some((p) => p.startsWith('!')),
  };
}

export interface IgnoreGap {
  readonly name: string;
  readonly present: boolean;
  /** When only some forms leak (`.env` is excluded, `.env.local` is not): the ones that do. */
  readonly missing?: readonly string[];
}

/**
 * The names of MUST_EXCLUDE the rules let through. `.env` and `.git` count even when absent
 * (a developer's machine has them when CI does not); node_modules and .venv only when present.
 * A `.env` rule must also cover variants such as `.env.local`.
 */
export function ignoreGaps(rules: IgnoreRules | undefined, present: ReadonlySet<string>): IgnoreGap[] {
  const gaps: IgnoreGap[] = [];
  for (const name of MUST_EXCLUDE) {
    const has = present.has(name);
    if (ONLY_WHEN_PRESENT.has(name) && !has) continue;
    const probes = name === '.env' ? ['.env', '.env.local', '.env.production'] : [name];
    const leaking = probes.filter((p) => !rules || !rules.excludes(p));
    if (leaking.length === 0) continue;
    gaps.push(leaking.includes(name) ? { name, present: has } : { name, present: has, missing: leaking });
  }
  return gaps;
}

export interface ContextFacts {
  readonly dir: string;
  /** The ignore file that applies (BuildKit prefers <Dockerfile>.dockerignore next to the Dockerfile). */
  readonly ignoreFile: string | null;
  readonly bytes: number;
  readonly files: number;
  readonly gaps: readonly IgnoreGap[];
  /** Bytes of each MUST_EXCLUDE entry that the context sends to the builder. */
  readonly sentBytes: Readonly<Record<string, number>>;
  readonly durationMs: number;
}

export async function scanContext(dir: string, dockerfile: string): Promise<ContextFacts> {
  const started = Date.now();
  const candidates = [`${dockerfile}.dockerignore`, path.join(dir, '.dockerignore')];
  let ignoreFile: string | null = null;
  let rules: IgnoreRules | undefined;
  for (const file of candidates) {
    try {
      rules = parseIgnoreFile(await readFile(file, 'utf8'));
      ignoreFile = file;
      break;
    } catch {
      // Not there: try the next one.
    }
  }

  const topLevel = new Set<string>();
  for (const entry of await readdir(dir)) topLevel.add(entry);
  const present = new Set<string>(MUST_EXCLUDE.filter((n) => topLevel.has(n)));

  let bytes = 0;
  let files = 0;
  const sentBytes: Record<string, number> = {};
  const walk = async (rel: string): Promise<void> => {
    const abs = rel === '' ? dir : path.join(dir, rel);
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const excluded = rules?.excludes(child) ?? false;
      if (entry.isDirectory()) {
        // Without exceptions nothing below an excluded directory is sent: do not walk it.
        if (excluded && !rules?.hasExceptions) continue;
        await walk(child);
        continue;
      }
      if (excluded) continue;
      let size: number;
      try {
        size = (await lstat(path.join(dir, child))).size;
      } catch {
        continue;
      }
      bytes += size;
      files++;
      const top = child.split('/')[0] ?? child;
      if (present.has(top)) sentBytes[top] = (sentBytes[top] ?? 0) + size;
    }
  };
  await walk('');
  return { dir, ignoreFile, bytes, files, gaps: ignoreGaps(rules, present), sentBytes, durationMs: Date.now() - started };
}
