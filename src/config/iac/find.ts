import { existsSync } from 'node:fs';
import path from 'node:path';

export type IacFileSearch =
  | { readonly kind: 'typescript'; readonly file: string }
  /** `.railway/railway.py` / `.railway/railway.go` (beta at Railway): found, not read yet. */
  | { readonly kind: 'unsupported'; readonly file: string }
  | { readonly kind: 'none' };

/** The repository's top: the workspace the runner checked out, else the nearest folder with .git, else the working directory. */
export function repositoryRoot(context: string, cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const workspace = env['GITHUB_WORKSPACE'];
  if (workspace && isInside(context, path.resolve(workspace))) return path.resolve(workspace);
  for (let dir = context; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  return isInside(context, cwd) ? cwd : context;
}

export function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** The nearest `.railway/railway.ts` from the build context upwards to the repository's top, as Railway's CLI looks. */
export function findIacFile(context: string, root: string): IacFileSearch {
  const top = isInside(context, root) ? root : context;
  for (let dir = context; ; dir = path.dirname(dir)) {
    const ts = path.join(dir, '.railway', 'railway.ts');
    if (existsSync(ts)) return { kind: 'typescript', file: ts };
    for (const other of ['railway.py', 'railway.go']) {
      const file = path.join(dir, '.railway', other);
      if (existsSync(file)) return { kind: 'unsupported', file };
    }
    if (dir === top || path.dirname(dir) === dir) return { kind: 'none' };
  }
}
