/**
 * Runs the bundled local command (`node dist/cli.js`) as a person would, and helpers shared by
 * the core integration tests: fixture paths, throwaway apps, image removal, leftover checks.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { afterAll } from 'vitest';
import { isTransientEngineError } from '../../src/build/build.ts';
import { REPO_ROOT } from './action-runner.ts';
import { MAIN_ENGINE, dockerCli, managedLeftovers } from './docker.ts';

/** The machine's own Node (20 here): the local command must run on it, not only on the action's Node 24. */
export const MACHINE_NODE = process.env['DEPLOY_CHECK_MACHINE_NODE'] ?? '/usr/bin/node';

export interface LocalRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The --report file, parsed, when the run got that far. */
  report: Report | null;
  /** Wall time of the whole process. */
  elapsedMs: number;
  /** Ms after the start at which stderr first matched each of `options.marks`. */
  marks: Record<string, number>;
}

/** The parts of the JSON report the tests read (the contract is src/model/report.ts). */
export interface Report {
  verdict: 'pass' | 'fail';
  reasons: string[];
  cancelled?: { signal: string; stage: string } | null;
  internalError?: string | null;
  durationMs: number;
  source: { commit: string | null };
  image: { id: string | null; ref: string };
  build: {
    status: string;
    durationMs: number;
    steps: { total: number; cached: number; list: { name: string; cached: boolean }[] };
    failure: { step: string | null; message: string; logs: string[] } | null;
  };
  health: {
    status: string;
    strategy: string;
    target: string | null;
    timeToHealthyMs: number | null;
    timeoutMs: number;
    reason: string | null;
    container: { id: string | null; exitCode: number | null; oomKilled: boolean; running: boolean } | null;
    lastHttp: { status: number | null; body: string | null; error: string | null } | null;
    healthLog: { exitCode: number; output: string }[];
    logs: string[];
    logLines?: number;
  };
  size: { status: string; bytes: number | null };
}

export interface LocalRunOptions {
  cwd?: string;
  node?: string;
  env?: Record<string, string>;
  /** Send SIGINT after this many ms, or when `interruptWhen` first matches stderr. */
  interruptAfterMs?: number;
  interruptWhen?: RegExp;
  /** Called just before the SIGINT is sent (to look at the engine while the run is still up), with the run's stderr so far. */
  onBeforeInterrupt?: (stderr: string) => void;
  /** Write and read back `--report` (default true). */
  report?: boolean;
  /** Record when stderr first matches each pattern (e.g. the start of a phase). */
  marks?: Record<string, RegExp>;
  /**
   * Pass --keep-image (default true): the tags the command made up are removed after each file, because
   * removing an image while another test builds can trip BuildKit's "not found" race on the
   * containerd image store. Tests of the removal itself set false.
   */
  keepImage?: boolean;
}

/**
 * Tags the local command made up and kept because of --keep-image, removed after the calling
 * test file (vitest evaluates this module once per file), so the suite leaves no tag behind.
 */
const keptTags: { ref: string; host: string }[] = [];
afterAll(() => {
  for (const { ref, host } of keptTags.splice(0)) {
    try {
      dockerCli(['image', 'rm', '--force', ref], host);
    } catch {
      // Already gone.
    }
  }
});

export async function runLocal(args: string[], options: LocalRunOptions = {}): Promise<LocalRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-local-'));
  const reportFile = path.join(dir, 'report.json');
  try {
    const fullArgs = [
      path.join(REPO_ROOT, 'dist/cli.js'),
      ...args,
      ...(options.keepImage === false ? [] : ['--keep-image']),
      ...(options.report === false ? [] : ['--report', reportFile]),
    ];
    const started = Date.now();
    const marks: Record<string, number> = {};
    const result = await new Promise<Omit<LocalRun, 'report' | 'elapsedMs' | 'marks'>>((resolve, reject) => {
      const child = spawn(options.node ?? MACHINE_NODE, fullArgs, {
        cwd: options.cwd ?? REPO_ROOT,
        // The machine's Node 20 cannot evaluate .railway/railway.ts: the action's Node 24 does.
        env: { DEPLOY_CHECK_NODE: process.execPath, ...process.env, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let interrupted = false;
      const interrupt = (): void => {
        if (interrupted) return;
        interrupted = true;
        options.onBeforeInterrupt?.(stderr);
        child.kill('SIGINT');
      };
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        for (const [name, re] of Object.entries(options.marks ?? {})) if (marks[name] === undefined && re.test(stderr)) marks[name] = Date.now() - started;
        if (options.interruptWhen?.test(stderr)) interrupt();
      });
      const timer = options.interruptAfterMs === undefined ? undefined : setTimeout(interrupt, options.interruptAfterMs);
      child.on('error', reject);
      child.on('close', (exitCode, signal) => {
        if (timer) clearTimeout(timer);
        resolve({ exitCode, signal, stdout, stderr });
      });
    });
    const elapsedMs = Date.now() - started;
    let report: Report | null = null;
    try {
      report = JSON.parse(await readFile(reportFile, 'utf8')) as Report;
    } catch {
      // No report: a configuration error or an interrupted run.
    }
    const ref = report?.image.ref;
    if (options.keepImage !== false && ref?.startsWith('deploy-check-local/') === true) {
      keptTags.push({ ref, host: options.env?.['DOCKER_HOST'] ?? MAIN_ENGINE });
    }
    return { ...result, report, elapsedMs, marks };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function fixture(name: string): string {
  return path.join(REPO_ROOT, 'test/fixtures', name);
}

/** A throwaway build context (a Dockerfile and its files), removed by the returned function. */
export async function tempApp(files: Record<string, string>): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-app-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content, { mode: 0o755 });
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Image tags are fine to leave, but the suite removes the ones it made so the engine does not fill up. */
export function removeImage(ref: string | null | undefined): void {
  if (!ref) return;
  try {
    execFileSync('docker', ['image', 'rm', '--force', ref], { stdio: 'ignore', env: { ...process.env, DOCKER_HOST: MAIN_ENGINE } });
  } catch {
    // Already gone, or never built.
  }
}

/**
 * `docker buildx build --load` for a test's own helper image, run again (after a pause) on
 * BuildKit's transient "not found" races, as deploy-check's own build does.
 */
export async function buildHelperImage(tag: string, context: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync('docker', ['buildx', 'build', '--quiet', '--load', '--tag', tag, context], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, DOCKER_HOST: MAIN_ENGINE },
      });
      return;
    } catch (err) {
      const stderr = String((err as { stderr?: Buffer }).stderr ?? '');
      if (attempt >= 3 || !isTransientEngineError(stderr.trim().split('\n').at(-1) ?? '')) throw err;
      await new Promise((resolve) => setTimeout(resolve, attempt * 1000));
    }
  }
}

/**
 * `runLocal` for a check whose image must build. BuildKit on the shared engine fails a build
 * with "failed to solve: not found" when another client prunes its records mid-build (the
 * layer-cache tests do); deploy-check retries that a few times itself, and a run that still lost
 * its build is repeated here, a little later. `once` runs the command once (a fresh image tag
 * each time, if it names one); any other build failure fails the test with the log.
 */
export async function runLocalBuilt(once: () => Promise<LocalRun>, attempts = 5): Promise<LocalRun & { report: Report }> {
  for (let attempt = 1; ; attempt++) {
    const run = await once();
    if (!run.report) assert.fail(`no report (exit ${run.exitCode}):\n${run.stderr}`);
    if (!lostBuild(run.report) || attempt >= attempts) {
      assert.equal(run.report.build.status, 'success', run.stderr);
      return { ...run, report: run.report };
    }
    await new Promise((resolve) => setTimeout(resolve, 5000 * attempt));
  }
}

/** A build the engine lost to another client's prune or a BuildKit race: not the Dockerfile's fault. */
export function lostBuild(report: Report | null): boolean {
  const message = report?.build.failure?.message ?? '';
  return report?.build.status === 'failure' && (/failed to solve: not found/.test(message) || isTransientEngineError(message));
}

/** A unique image tag per test run, so parallel tests never collide. */
export function uniqueImage(name: string): string {
  return `deploy-check-test/${name}:${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The run id deploy-check gave a run, from its default image tag (deploy-check-local/<name>:<run id>). */
export function runIdOf(report: Report | null): string | undefined {
  const ref = report?.image.ref;
  return ref?.startsWith('deploy-check-local/') ? ref.slice(ref.lastIndexOf(':') + 1) : undefined;
}

export function containerExists(id: string): boolean {
  return dockerCli(['ps', '-aq', '--no-trunc', '--filter', `id=${id}`]).trim() !== '';
}

/**
 * deploy-check's containers and networks that appeared since `before` and are still there after
 * a grace period. Other test files run in parallel and may have a container up for a moment;
 * one this test leaked stays.
 */
export async function newLeftovers(before: { containers: string[]; networks: string[] }, graceMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const now = managedLeftovers();
    const fresh = [...now.containers.filter((c) => !before.containers.includes(c)), ...now.networks.filter((n) => !before.networks.includes(n))];
    if (fresh.length === 0 || Date.now() > deadline) return fresh;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
