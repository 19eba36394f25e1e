import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { evaluateRailwayFile } from './evaluate.ts';
import { readProject } from './graph.ts';
import { diffServices, type RailwayPlan } from './plan.ts';
import type { RailwayIacConfig } from './railway-iac.ts';

const run = promisify(execFile);

/** A fetch of one commit from the runner's remote; bounded so that a stuck remote cannot hold the report. */
const GIT_TIMEOUT_MS = 60_000;
/** The base's `.railway/` folder is copied whole below these (sibling modules it imports); else only the file. */
const COPY_MAX_FILES = 200;
const COPY_MAX_BYTES = 4 * 1024 * 1024;
const COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/**
 * The checked service's configuration at the pull request's base commit, compared with the
 * head's. The base's file is read with git (fetching the one commit when the checkout is
 * shallow), written to a temporary folder at the same relative path and evaluated like the
 * head's, without credentials. Never throws: what cannot be read is "unavailable", with why.
 */
export async function planAgainstBase(head: RailwayIacConfig, baseSha: string | null): Promise<RailwayPlan> {
  if (baseSha === null) return unavailable(null, "the pull request's event names no base commit");
  if (!COMMIT.test(baseSha)) return unavailable(null, `the base commit "${baseSha.slice(0, 80)}" is not a commit id`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-base-'));
  try {
    const copied = await copyBaseFiles(head.file, baseSha, dir);
    if (!copied.ok) return unavailable(baseSha, copied.reason);
    const headSide = { service: head.service, databases: head.project.databases };
    if (copied.file === undefined) {
      return {
        base: baseSha,
        status: 'new-service',
        changes: diffServices({ service: undefined, databases: [] }, headSide),
        reason: `the base commit has no ${copied.rel}`,
      };
    }
    const evaluation = await evaluateRailwayFile(copied.file, { environment: head.environment });
    const read = readProject(evaluation.project);
    if (!read.ok) return unavailable(baseSha, `the base's ${copied.rel} ${read.message}`);
    const service = read.project.services.find((s) => s.name === head.service.name);
    const changes = diffServices({ service, databases: read.project.databases }, headSide);
    if (!service) return { base: baseSha, status: 'new-service', changes, reason: `the base's ${copied.rel} has no service "${head.service.name}"` };
    return { base: baseSha, status: changes.length ? 'changed' : 'unchanged', changes, reason: null };
  } catch (err) {
    // The evaluation's own sentence, about the copy: the temporary folder means nothing to a reader.
    const message = (err as Error).message
      .replace(/^Input "[^"]+": /, '')
      .split(`${dir}${path.sep}`)
      .join('');
    return unavailable(baseSha, `the base's ${message}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function unavailable(base: string | null, why: string): RailwayPlan {
  return { base, status: 'unavailable', changes: [], reason: `base configuration not available: ${why}` };
}

type Copied = { ok: true; rel: string; file: string | undefined } | { ok: false; reason: string };

/** The base's version of the file's folder in `dir`, at the file's path relative to the repository's top. */
async function copyBaseFiles(file: string, sha: string, dir: string): Promise<Copied> {
  const top = await git(path.dirname(file), ['rev-parse', '--show-toplevel']);
  if (!top.ok) return { ok: false, reason: `${path.dirname(file)} is not in a git repository (${top.error})` };
  const root = await realpath(top.out.trim());
  const rel = path
    .relative(root, await realpath(file))
    .split(path.sep)
    .join('/');
  const present = await ensureCommit(root, sha);
  if (!present.ok) return present;
  const folder = path.posix.dirname(rel);
  const listed = await git(root, ['ls-tree', '-r', '-z', '--long', sha, '--', folder === '.' ? rel : `${folder}/`]);
  if (!listed.ok) return { ok: false, reason: `git cannot list ${folder} at ${sha.slice(0, 12)} (${listed.error})` };
  const entries = parseTree(listed.out);
  const own = entries.find((e) => e.path === rel);
  if (!own) return { ok: true, rel, file: undefined };
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  const wanted = folder === '.' || entries.length > COPY_MAX_FILES || total > COPY_MAX_BYTES ? [own] : entries;
  for (const entry of wanted) {
    const blob = await run('git', ['cat-file', 'blob', entry.object], {
      cwd: root,
      encoding: 'buffer',
      maxBuffer: COPY_MAX_BYTES + 1,
      timeout: GIT_TIMEOUT_MS,
    }).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    if (blob instanceof Error) return { ok: false, reason: `git cannot read ${entry.path} at ${sha.slice(0, 12)} (${blob.message.split('\n')[0] ?? ''})` };
    const target = path.join(dir, ...entry.path.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, blob.stdout);
  }
  await linkNodeModules(path.dirname(file), root, dir);
  return { ok: true, rel, file: path.join(dir, ...rel.split('/')) };
}

/** The commit, fetched once from origin when the checkout does not have it (actions/checkout fetches one commit by default). */
async function ensureCommit(root: string, sha: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  if ((await git(root, ['cat-file', '-e', `${sha}^{commit}`])).ok) return { ok: true };
  const fetched = await git(root, ['fetch', '--quiet', '--no-tags', '--depth=1', 'origin', sha]);
  if (fetched.ok && (await git(root, ['cat-file', '-e', `${sha}^{commit}`])).ok) return { ok: true };
  return {
    ok: false,
    reason: `git cannot read the base commit ${sha.slice(0, 12)}: it is not in the checkout and fetching it from origin failed (${fetched.ok ? 'the fetch did not bring it' : fetched.error})`,
  };
}

interface TreeEntry {
  readonly object: string;
  readonly size: number;
  readonly path: string;
}

/** `ls-tree -r -z --long`: "<mode> <type> <object> <size>\t<path>\0"; regular files only (no symlink, no submodule). */
function parseTree(out: string): TreeEntry[] {
  return out.split('\0').flatMap((line) => {
    const match = /^(100644|100755) blob ([0-9a-f]+)\s+(\d+)\t(.+)$/s.exec(line);
    return match?.[2] && match[3] && match[4] ? [{ object: match[2], size: Number(match[3]), path: match[4] }] : [];
  });
}

/** The head's nearest node_modules, at the same place in the copy: the base's file imports the packages the head's can. */
async function linkNodeModules(from: string, root: string, dir: string): Promise<void> {
  const top = path.resolve(root);
  for (let current = await realpath(from); ; current = path.dirname(current)) {
    const modules = path.join(current, 'node_modules');
    if (existsSync(modules)) {
      const target = path.join(dir, path.relative(top, modules));
      await mkdir(path.dirname(target), { recursive: true });
      await symlink(modules, target, 'dir').catch(() => undefined);
      return;
    }
    if (current === top || path.dirname(current) === current) return;
  }
}

type GitResult = { ok: true; out: string } | { ok: false; error: string };

/** git without a prompt (a fetch that needs credentials fails instead of waiting), bounded in time. */
async function git(cwd: string, args: readonly string[]): Promise<GitResult> {
  try {
    const { stdout } = await run('git', [...args], {
      cwd,
      timeout: GIT_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    });
    return { ok: true, out: stdout };
  } catch (err) {
    const e = err as Error & { stderr?: string; killed?: boolean; code?: unknown };
    if (e.killed) return { ok: false, error: `git ${args[0] ?? ''} did not finish within ${GIT_TIMEOUT_MS / 1000} s` };
    if (e.code === 'ENOENT') return { ok: false, error: 'git is not installed' };
    // git's first "fatal:" says what failed; the lines after it are advice.
    const lines = (e.stderr ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const said = lines.find((l) => /^(?:fatal|error):/.test(l)) ?? lines.at(-1);
    return { ok: false, error: said?.slice(0, 300) ?? e.message.split('\n')[0] ?? 'git failed' };
  }
}
