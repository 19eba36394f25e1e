import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The commit HEAD names in the work tree around `dir`; null outside a git work tree. Read from
 * the files git keeps (HEAD, the ref, packed-refs; a linked worktree's .git file and commondir),
 * since starting git blocks the run's start for as long as forking the process takes; git
 * itself answers only what the files do not settle (a ref in a reftable, say).
 */
export async function gitHead(dir: string, ask: (cwd: string) => Promise<string | null> = askGit): Promise<string | null> {
  const read = (file: string): Promise<string | null> =>
    readFile(file, 'utf8').then(
      (t) => t.trim(),
      () => null,
    );
  const gitDir = await findGitDir(path.resolve(dir), read);
  if (gitDir === null) return null;
  const head = await read(path.join(gitDir, 'HEAD'));
  if (head !== null && OBJECT_ID.test(head)) return head;
  const ref = head?.match(/^ref: (refs\/\S+)$/)?.[1];
  // A ref names a file under refs/: never one outside the repository.
  if (ref !== undefined && !ref.split('/').includes('..')) {
    const common = path.resolve(gitDir, (await read(path.join(gitDir, 'commondir'))) ?? '.');
    const loose = (await read(path.join(gitDir, ref))) ?? (await read(path.join(common, ref)));
    if (loose !== null && OBJECT_ID.test(loose)) return loose;
    const packed = (await read(path.join(common, 'packed-refs')))?.split('\n').find((line) => line.endsWith(` ${ref}`));
    const id = packed?.split(' ')[0];
    if (id !== undefined && OBJECT_ID.test(id)) return id;
  }
  return ask(dir);
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
