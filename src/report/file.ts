import { randomBytes } from 'node:crypto';
import { mkdir, open, realpath, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../inputs/inputs.ts';

/** Kernel file systems: nothing a report can be written to, and Node's recursive mkdir never returns under /proc. */
const KERNEL_ROOTS = ['/proc', '/sys'];

/**
 * The local command's `--report FILE`, made ready before anything is built: its directory is
 * created and a probe file written beside it and removed, so that a path that cannot be written
 * is refused at once, naming the flag, rather than after the whole run with no verdict printed.
 * Returns the absolute path to write to.
 */
export async function prepareReportFile(raw: string, cwd: string): Promise<string> {
  const file = path.resolve(cwd, raw);
  const refuse = (why: string): never => {
    throw new ConfigError('report', `cannot write the report to ${file}: ${why}; give a file path in a writable directory`);
  };
  const existing = await stat(file).catch(() => undefined);
  // A device or a pipe (/dev/stdout to a terminal or a pipe, a FIFO) takes the report as it is.
  if (existing && !existing.isFile() && !existing.isDirectory()) return file;
  if (existing?.isDirectory()) refuse('it is a directory');
  // Through symlinks: /dev/stdout redirected to a file is that file, a link into /proc is /proc.
  const real = await existingRealPath(file);
  const kernel = KERNEL_ROOTS.find((root) => isUnder(file, root) || isUnder(real, root));
  if (kernel !== undefined) refuse(`it is under ${kernel}, a file system of the kernel's own`);
  const dir = path.dirname(real);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    refuse(mkdirProblem(err, dir));
  }
  try {
    await probeWrite(existing ? real : undefined, dir);
  } catch (err) {
    refuse(`${existing ? real : dir} is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return file;
}

/** Opens an existing file for writing without changing it, or writes and removes an empty file in `dir`. */
async function probeWrite(existingFile: string | undefined, dir: string): Promise<void> {
  if (existingFile !== undefined) {
    await (await open(existingFile, 'r+')).close();
    return;
  }
  const probe = path.join(dir, `.deploy-check-report.${randomBytes(4).toString('hex')}.probe`);
  await writeFile(probe, '', { flag: 'wx' });
  await unlink(probe).catch(() => undefined);
}

function isUnder(file: string, root: string): boolean {
  return file === root || file.startsWith(`${root}/`);
}

/** The real path of the nearest existing ancestor, with the rest appended: a symlink into /proc counts as /proc. */
async function existingRealPath(file: string): Promise<string> {
  let head = file;
  const rest: string[] = [];
  for (;;) {
    const real = await realpath(head).catch(() => undefined);
    if (real !== undefined) return path.join(real, ...rest.reverse());
    const parent = path.dirname(head);
    if (parent === head) return file;
    rest.push(path.basename(head));
    head = parent;
  }
}

function mkdirProblem(err: unknown, dir: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EEXIST' || code === 'ENOTDIR') return `a part of ${dir} is a file, not a directory`;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `${dir} cannot be created (${code})`;
  return `${dir} cannot be created (${code ?? (err as Error).message})`;
}
