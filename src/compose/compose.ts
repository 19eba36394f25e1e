import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { dockerCommand } from '../host/docker.ts';

/**
 * The `docker compose` CLI (Compose v2), the one adapter for Compose: it reads, interpolates,
 * validates, builds and starts; deploy-check never parses a Compose file itself.
 */
export interface ComposeProject {
  /** The project name: unique to the run, so runs of the same app at once do not collide. */
  readonly project: string;
  /** The user's file, then deploy-check's override (labels), in Compose's `-f` order. */
  readonly files: readonly string[];
}

export interface ComposeResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function composeArgs(project: ComposeProject, args: readonly string[]): string[] {
  return ['compose', '--progress', 'plain', '-p', project.project, ...project.files.flatMap((f) => ['-f', f]), ...args];
}

/** Runs `docker compose ...` to its end; never throws for a non-zero exit (the code says it). */
export function runCompose(project: ComposeProject, args: readonly string[], timeoutMs = 0): Promise<ComposeResult> {
  return runDocker(composeArgs(project, args), timeoutMs);
}

/** Compose processes still running: a cancelled run stops them before it removes what they started. */
const running = new Set<ChildProcess>();

function track(child: ChildProcess): void {
  running.add(child);
  child.once('close', () => running.delete(child));
  child.once('error', () => running.delete(child));
}

/** Stops every Compose process of this run and waits (up to 5 s) until they have ended, so none starts a container after cleanup. */
export async function stopComposeProcesses(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, 5_000);
          child.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

export function runDocker(args: readonly string[], timeoutMs = 0): Promise<ComposeResult> {
  return new Promise((resolve) => {
    const command = dockerCommand(args);
    const child = execFile(command.file, command.args, { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? Number((err as { code?: number }).code) : 1) : 0;
      const spawnError = err && typeof (err as { code?: unknown }).code === 'string' ? `${err.message}\n` : '';
      resolve({ code, stdout, stderr: spawnError + stderr });
    });
    track(child);
  });
}

/** A `docker compose` process that can be stopped (a deadline passed) before it ends. */
export interface RunningCompose {
  readonly done: Promise<ComposeResult>;
  stop(): void;
}

export function startCompose(project: ComposeProject, args: readonly string[]): RunningCompose {
  const command = dockerCommand(composeArgs(project, args));
  const child: ChildProcess = spawn(command.file, command.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<ComposeResult>((resolve) => {
    child.on('error', (err) => resolve({ code: 1, stdout, stderr: `${stderr}${err.message}\n` }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
  return { done, stop: () => void child.kill('SIGTERM') };
}

/** Compose v2's version, or null when `docker compose` is not there (Compose v1 or no plugin). */
export async function composeVersion(): Promise<string | null> {
  const result = await runDocker(['compose', 'version', '--short'], 20_000);
  return result.code === 0 ? result.stdout.trim() : null;
}

/** A warning line of Compose's log: `level=warning msg="..."` without a terminal, `WARN[0000] ...` with one. */
const WARNING_LINE = /^\s*(?:time="[^"]*"\s+)?level=warn(?:ing)?\s+msg="((?:[^"\\]|\\.)*)"|^\s*WARN\[\d+\]\s+(.*)$/;

/** Compose's own warnings in its stderr (an unset variable, an obsolete key), as sentences, each once. */
export function composeWarnings(stderr: string): string[] {
  const out: string[] = [];
  for (const line of stderr.split(/\r?\n/)) {
    const match = WARNING_LINE.exec(line);
    if (!match) continue;
    const text = (match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? '')).trim();
    if (text && !out.includes(text)) out.push(text);
  }
  return out;
}

/** Whether a line of Compose's stderr is one of its warnings (not the error itself). */
export function isComposeWarning(line: string): boolean {
  return WARNING_LINE.test(line);
}
