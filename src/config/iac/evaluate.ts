import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from '../../inputs/inputs.ts';
import { EVALUATOR_SCRIPT } from './evaluator-script.ts';

/** Railway's context for the environment being checked, as Railway's CLI builds it for `config plan`. */
export interface IacContext {
  readonly environment: string;
  readonly projectName?: string | undefined;
  readonly projectId?: string | undefined;
  readonly environmentId?: string | undefined;
}

/** A file that runs longer than this is stopped: repository code must not hold the run. */
export const EVALUATION_TIMEOUT_MS = 20_000;
/** The graph a file may return; Railway's own projects are kilobytes. */
export const EVALUATION_MAX_BYTES = 4 * 1024 * 1024;
/** How much of the file's own output is kept for an error message. */
const OUTPUT_KEEP_BYTES = 16 * 1024;
/** registerHooks (the SDK fallback) arrived in these versions; type stripping before them. */
const MIN_NODE = { v22: [22, 15], v23: [23, 5] } as const;

export interface Evaluation {
  /** The value the file produced: a project (`project(name, {resources})`) or a bare graph. */
  readonly project: unknown;
  readonly durationMs: number;
}

/**
 * Runs `.railway/railway.ts` the way Railway's CLI does (a Node child with type stripping that
 * imports the file and calls its default export with Railway's context), but as untrusted code:
 * an environment with no tokens or inputs, a time limit, and a size limit on what it returns.
 */
export async function evaluateRailwayFile(file: string, context: IacContext, options: { timeoutMs?: number; node?: string } = {}): Promise<Evaluation> {
  const node = options.node ?? evaluatingNode(file);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-iac-'));
  const started = Date.now();
  try {
    const out = path.join(dir, 'graph.json');
    const child = await runChild(node, [file, out, sdkUrl(), JSON.stringify(context)], { dir, file, timeoutMs: options.timeoutMs ?? EVALUATION_TIMEOUT_MS });
    if (child.timedOut) {
      throw iacError(
        file,
        `did not finish within ${Math.round((options.timeoutMs ?? EVALUATION_TIMEOUT_MS) / 1000)} s and was stopped; a Railway file must only describe the project (no network calls, no waiting)`,
      );
    }
    const size = await stat(out).then(
      (s) => s.size,
      () => -1,
    );
    if (child.code !== 0 || size < 0) {
      const detail = await readFile(`${out}.error`, 'utf8').then(
        (t) => parseDetail(t),
        () => undefined,
      );
      throw iacError(file, failureSentence(file, { detail, stderr: child.stderr, code: child.code }));
    }
    if (size > EVALUATION_MAX_BYTES)
      throw iacError(file, `returned ${size} bytes, more than the ${EVALUATION_MAX_BYTES / 1024 / 1024} MiB a project description can be`);
    const parsed = JSON.parse(await readFile(out, 'utf8')) as { project?: unknown };
    if (parsed.project === undefined || parsed.project === null) {
      throw iacError(file, 'returned no project: its default export must be a project (project("name", { resources: [...] })) or a function that returns one');
    }
    return { project: parsed.project, durationMs: Date.now() - started };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function iacError(file: string, message: string): ConfigError {
  return new ConfigError('railway-config', `${displayPath(file)} ${message}`);
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}

interface ChildResult {
  readonly code: number | null;
  readonly timedOut: boolean;
  readonly stderr: string;
}

function runChild(node: string, args: readonly string[], options: { dir: string; file: string; timeoutMs: number }): Promise<ChildResult> {
  const flags = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', '--no-warnings', '--input-type=module', '-e', EVALUATOR_SCRIPT, '--'];
  return new Promise((resolve, reject) => {
    const child = spawn(node, [...flags, ...args], {
      cwd: path.dirname(options.file),
      env: childEnvironment(options.file, options.dir),
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: false,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < OUTPUT_KEEP_BYTES) stderr += chunk.slice(0, OUTPUT_KEEP_BYTES - stderr.length);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(iacError(options.file, `could not be evaluated: ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, stderr });
    });
  });
}

/**
 * Only what Node needs: no INPUT_*, no GITHUB_TOKEN, no ACTIONS_* credentials, no Railway
 * token. NODE_PATH names the nearest node_modules above the file, as Railway's CLI sets it.
 */
export function childEnvironment(file: string, home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin', HOME: home, TMPDIR: home, LANG: 'C.UTF-8' };
  const modules = nearestNodeModules(path.dirname(file));
  if (modules) env['NODE_PATH'] = modules;
  return env;
}

function nearestNodeModules(dir: string): string | undefined {
  for (let current = dir; ; current = path.dirname(current)) {
    const candidate = path.join(current, 'node_modules');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(current) === current) return undefined;
  }
}

/** The SDK deploy-check ships (dist/railway-iac.js), or the installed package when running from source. */
function sdkUrl(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [path.join(here, 'railway-iac.js'), path.join(here, '..', 'railway-iac.js')]) {
    if (existsSync(candidate)) return pathToFileURL(candidate).href;
  }
  return import.meta.resolve('railway/iac');
}

/** This Node when it can strip types and hook modules; else the one DEPLOY_CHECK_NODE names (the local command on an older Node). */
function evaluatingNode(file: string): string {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 23 || (major === 23 && minor >= MIN_NODE.v23[1]) || (major === 22 && minor >= MIN_NODE.v22[1]);
  if (ok) return process.execPath;
  const named = process.env['DEPLOY_CHECK_NODE'];
  if (named) return named;
  throw iacError(
    file,
    `can only be evaluated by Node.js 22.15 or later (type stripping and module hooks), and this is ${process.version}; run deploy-check with a newer Node.js, or name one in DEPLOY_CHECK_NODE (GitHub runs the action on Node 24)`,
  );
}

export interface FailureDetail {
  readonly message: string;
  readonly stack: string;
  readonly code: string | undefined;
}

function parseDetail(text: string): FailureDetail | undefined {
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    const s = (v: unknown): string => (typeof v === 'string' ? v : '');
    return { message: s(raw['message']), stack: s(raw['stack']), code: typeof raw['code'] === 'string' ? raw['code'] : undefined };
  } catch {
    return undefined;
  }
}

/** Node exits 13 when the top-level await never settles: the default export's promise never did. */
const UNSETTLED_AWAIT_EXIT = 13;

/** Node's own words for the failure, with the file's line: a syntax error or what the file threw. */
export function failureSentence(file: string, failure: { detail: FailureDetail | undefined; stderr: string; code: number | null }): string {
  const { detail, stderr, code } = failure;
  if (!detail && code === UNSETTLED_AWAIT_EXIT) return "never returned: its default export's promise never settled";
  const text = detail?.stack || stderr;
  const line = lineOf(file, text);
  const where = line === undefined ? '' : ` at line ${line}`;
  if (detail?.code === 'ERR_INVALID_TYPESCRIPT_SYNTAX' || detail?.code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX' || /^SyntaxError/m.test(text)) {
    return `does not compile${where}: ${firstLine(detail?.message ?? lastErrorLine(stderr))} (Railway's CLI evaluates it with Node's type stripping, which takes type annotations only: no enums, namespaces or parameter properties)`;
  }
  if (detail?.message !== undefined) return `threw${where}: ${firstLine(detail.message)}`;
  return `could not be evaluated (exit ${code ?? 'signal'}): ${lastErrorLine(stderr) || 'no output'}`;
}

function lineOf(file: string, text: string): number | undefined {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`(?:file://)?${escaped}:(\\d+)`).exec(text);
  return match?.[1] !== undefined ? Number(match[1]) : undefined;
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim() !== '') ?? text).trim().slice(0, 300);
}

function lastErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines.find((l) => /Error\b/.test(l)) ?? lines.at(-1) ?? '').slice(0, 300);
}
