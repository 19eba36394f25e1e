import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** What the work tree around a folder has checked out; nulls outside a git work tree. */
export interface GitCheckout {
  readonly commit: string | null;
  /** The branch HEAD is on; null when HEAD is detached. */
  readonly branch: string | null;
}

/**
 * The commit HEAD names in the work tree around `dir`, and its branch. Read from the files git
 * keeps (HEAD, the ref, packed-refs; a linked worktree's .git file and commondir), since
 * starting git blocks the run's start for as long as forking the process takes; git itself
 * answers only what the files do not settle (a ref in a reftable, say).
 */
export async function gitCheckout(dir: string, ask: (cwd: string) => Promise<string | null> = askGit): Promise<GitCheckout> {
  const read = (file: string): Promise<string | null> =>
    readFile(file, 'utf8').then(
      (t) => t.trim(),
      () => null,
    );
  const gitDir = await findGitDir(path.resolve(dir), read);
  if (gitDir === null) return { commit: null, branch: null };
  const head = await read(path.join(gitDir, 'HEAD'));
  if (head !== null && OBJECT_ID.test(head)) return { commit: head, branch: null };
  const ref = head?.match(/^ref: (refs\/\S+)$/)?.[1];
  // A ref names a file under refs/: never one outside the repository.
  if (ref === undefined || ref.split('/').includes('..')) return { commit: await ask(dir), branch: null };
  const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
  const common = path.resolve(gitDir, (await read(path.join(gitDir, 'commondir'))) ?? '.');
  const loose = (await read(path.join(gitDir, ref))) ?? (await read(path.join(common, ref)));
  if (loose !== null && OBJECT_ID.test(loose)) return { commit: loose, branch };
  const packed = (await read(path.join(common, 'packed-refs')))?.split('\n').find((line) => line.endsWith(` ${ref}`));
  const id = packed?.split(' ')[0];
  return { commit: id !== undefined && OBJECT_ID.test(id) ? id : await ask(dir), branch };
}

/** The .git directory of the nearest work tree at or above `dir` (a .git file points to it). */
async function findGitDir(dir: string, read: (file: string) => Promise<string | null>): Promise<string | null> {
  for (let at = dir; ; at = path.dirname(at)) {
    const dotGit = path.join(at, '.git');
    if ((await read(path.join(dotGit, 'HEAD'))) !== null) return dotGit;
    const pointer = (await read(dotGit))?.match(/^gitdir: (.+)$/)?.[1];
    if (pointer !== undefined) return path.resolve(at, pointer);
    if (path.dirname(at) === at) return null;
  }
}

function askGit(cwd: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' }, (err, stdout) => {
      const id = stdout.trim();
      resolve(!err && OBJECT_ID.test(id) ? id : null);
    });
  });
}
