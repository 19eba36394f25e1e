import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type Docker from 'dockerode';
import { toolVersion } from './host/version.ts';
import { loadConfig, type Config } from './config/config.ts';
import { INPUT_NAMES, ConfigError, type InputName } from './inputs/inputs.ts';
import { DirectoryStore } from './cache/directory-store.ts';
import type { CacheContext } from './cache/layer-cache.ts';
import { removeRunBuilders } from './container/cleanup.ts';
import { serviceLookup } from './config/railway-settings.ts';
import { connectDocker, ensureEngine, ensureNetwork } from './host/docker.ts';
import { gitCheckout, type GitCheckout } from './host/git-head.ts';
import { readRunContext, type RunContext } from './github/context.ts';
import { commandFreeLines, type Log } from './host/log.ts';
import { prepareReportFile } from './report/file.ts';
import { renderTerminal } from './report/terminal.ts';
import { runPipeline } from './pipeline/pipeline.ts';
import type { CheckReport } from './model/report.ts';
import { BaselineDirectory, BaselineStore, type BaselineScope } from './size/baseline-store.ts';
import { exitCodeFor, openSession, Secrets } from './session.ts';

export const EXIT_PASS = 0;
export const EXIT_FAIL = 1;
export const EXIT_CONFIG = 2;

const USAGE = `Usage: deploy-check [--context DIR] [--flag value ...] [--report FILE]

Builds the image, runs it, waits until it is healthy, measures it and reports.
Every input of the GitHub Action is a flag of the same name, e.g.:
  --context DIR          build context (default .)
  --dockerfile FILE      Dockerfile (default: the service's build.dockerfilePath in .railway/railway.ts,
                         else Dockerfile in the context)
  --target STAGE         stage to build
  --build-args K=V       one KEY=VALUE; repeat the flag for more (they add up), or give
                         several lines in one word: --build-args $'A=1\\nB=2' (bash, zsh).
                         "A=1\\nB=2" in plain quotes is one line with a backslash in it: refused
  --build-secrets ID=V   the same form; BuildKit secrets (--mount=type=secret,id=ID), masked
  --env K=V              the same form; values are masked in all output
  --add-hosts HOST:IP    the same form, or comma separated
                         (--build-arg, --build-secret, --add-host: one at a time, also repeatable)
  --port N               container port (default: the Dockerfile's EXPOSE)
  --health-path /health  HTTP path (default: the service's healthcheck in .railway/railway.ts)
  --health-timeout 60s   seconds, or a number with s/m
  --wait-for auto|http|healthcheck|tcp|log:<regex>
  --railway-parity auto|true|false
                         run the app as Railway will (PORT, Host healthcheck.railway.app, only 200,
                         deploy.startCommand and deploy.preDeployCommand in place of the ENTRYPOINT);
                         auto: when .railway/railway.ts (or a railway.json/toml Railway
                         still reads) is found
  --keep-image           keep the image tag deploy-check created (removed at exit unless --image or this)
  --cache-dir DIR        keep the BuildKit layer cache in DIR between runs (one entry per image)
  --cache-mode max|min   max: every stage's layers (default); min: the final stage's
  --max-size 500MB       fail when the image is larger (compressed unless --size-metric uncompressed)
  --max-increase 10%     fail when the image grew more than this against the baseline
  --max-wasted 5%        fail when more than this is wasted space (bytes a later layer deletes or overwrites)
  --baseline auto|none|FILE|IMAGE
                         compare with a report file, a registry image, or (auto) --baseline-dir
  --baseline-dir DIR     where auto baselines are kept locally (newest one is compared with)
  --save-baseline        store this run's report in --baseline-dir when it passes
  --hygiene secrets|warn|fail|off  image hygiene: fail on secrets (default), report only (warn), fail on error findings, or skip
  --hygiene-ignore IDS   finding ids to silence, e.g. root-user,package-cache
  --report FILE          write the JSON report
  --railway-config FILE  the .railway/railway.ts to mirror (default: found from the context up to the
                         repository root); it is repository code, run without tokens
  --railway-service NAME the service to check when the file declares several
  --railway-token T      Railway project token (or account token with --railway-project); masked
  --deploy auto|always|never   auto means never here: auto deploys only from GitHub Actions
  --deploy-source commit|image  commit: Railway builds this checkout's HEAD; image: push --push-image and run it
Run as "node dist/cli.js", put -- before the flags when giving --env-file (Node reads a
--env-file of its own otherwise): node dist/cli.js -- --env-file .env ...
Exit codes: 0 every check passed, 1 a check failed, 2 configuration error.
All flags: ${INPUT_NAMES.map((n) => `--${n}`).join(' ')}`;

/** The multi-line inputs also accept a repeated singular flag (--build-arg, --env, --build-secret, --add-host). */
const REPEATABLE: Partial<Record<InputName, string>> = {
  'build-args': 'build-arg',
  'build-secrets': 'build-secret',
  env: 'env',
  'add-hosts': 'add-host',
};

export async function runCli(argv: string[], io: CliIo = process): Promise<number> {
  const parsed = parseCommandLine(argv, io);
  if (typeof parsed === 'number') return parsed;
  const prepared = await prepareRun(parsed, io);
  if (typeof prepared === 'number') return prepared;
  return runChecks(prepared, io);
}

type CliIo = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };
type CliValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** The command line read: its values and the input reader over them; or the exit code (--help, --version, a bad option). */
function parseCommandLine(argv: string[], io: CliIo): { values: CliValues; read: (name: InputName) => string } | number {
  let values: CliValues;
  try {
    const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
    for (const name of INPUT_NAMES) options[name] = { type: 'string', multiple: true };
    for (const single of Object.values(REPEATABLE)) options[single] = { type: 'string', multiple: true };
    options['report'] = { type: 'string', multiple: false };
    options['cache-dir'] = { type: 'string', multiple: false };
    options['baseline-dir'] = { type: 'string', multiple: false };
    options['save-baseline'] = { type: 'boolean' };
    options['keep-image'] = { type: 'boolean' };
    options['help'] = { type: 'boolean' };
    options['version'] = { type: 'boolean' };
    values = parseArgs({ args: joinDashValues(withoutSeparators(argv), options), options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    io.stderr.write(`deploy-check: ${(err as Error).message}\n\n${USAGE}\n`);
    return EXIT_CONFIG;
  }
  if (values['help']) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT_PASS;
  }
  if (values['version']) {
    io.stdout.write(`${toolVersion()}\n`);
    return EXIT_PASS;
  }
  const read = (name: InputName): string => {
    const given = values[name];
    const single = REPEATABLE[name];
    const extra = single ? values[single] : undefined;
    return [given, extra]
      .flat()
      .filter((v): v is string => typeof v === 'string')
      .join('\n');
  };
  return { values, read };
}

/** What the run needs before anything starts (the Config, the report file's path); or exit 2 naming what is wrong. */
async function prepareRun(parsed: { values: CliValues; read: (name: InputName) => string }, io: CliIo): Promise<PreparedRun | number> {
  const { values, read } = parsed;
  // The checkout the context is in: Railway gives a deployment its commit and branch
  // (RAILWAY_GIT_COMMIT_SHA, RAILWAY_GIT_BRANCH), and deploy-source: commit deploys that commit.
  const checkout = await gitCheckout(path.resolve(read('context') || '.'));
  let config: Config;
  try {
    const cacheDir = values['cache-dir'];
    config = await loadConfig(read, {
      runContext: localRunContext(checkout),
      railwayLookup: serviceLookup((m) => io.stderr.write(`${commandFreeLines(m)}\n`)),
      ...(typeof cacheDir === 'string' ? { cacheDir } : {}),
      // .railway/railway.ts is evaluated while the image builds (the pipeline waits for it).
      beside: true,
    });
  } catch (err) {
    io.stderr.write(`deploy-check: ${commandFreeLines(err instanceof ConfigError ? err.message : (err as Error).message)}\n`);
    return EXIT_CONFIG;
  }
  if (config.publish.mode === 'comment') {
    io.stderr.write(
      'deploy-check: Input "mode": comment posts a pull-request comment from a report file, in the GitHub Action only; the local command checks (mode check)\n',
    );
    return EXIT_CONFIG;
  }
  let reportFile: string | undefined;
  try {
    const given = values['report'];
    reportFile = typeof given === 'string' ? await prepareReportFile(given, process.cwd()) : undefined;
  } catch (err) {
    io.stderr.write(`deploy-check: ${commandFreeLines((err as Error).message)}\n`);
    return EXIT_CONFIG;
  }
  return { config, reportFile, values, read, checkout };
}

/** The runner's context when a workflow step runs the command; the checkout's commit and branch where it names none. */
function localRunContext(checkout: GitCheckout): RunContext {
  const ctx = readRunContext(process.env);
  return {
    ...ctx,
    sha: ctx.sha ?? checkout.commit,
    ref: ctx.ref ?? (checkout.branch === null ? null : `refs/heads/${checkout.branch}`),
  };
}

interface PreparedRun {
  readonly config: Config;
  readonly reportFile: string | undefined;
  readonly values: CliValues;
  readonly read: (name: InputName) => string;
  readonly checkout: GitCheckout;
}

/** The checks, in one run session: its secrets, signals, the report and the clean-up. */
// The run's set-up and its one try/finally around the pipeline read best in one place.
// eslint-disable-next-line max-lines-per-function
async function runChecks(prepared: PreparedRun, io: CliIo): Promise<number> {
  const { config, reportFile, values, read } = prepared;
  // Grows when a stage finds a secret value (e.g. in the image config): later output masks it too.
  const secrets = new Secrets();
  for (const secret of config.secrets) secrets.add(secret);
  if (config.deploy.mode === 'always' && config.deploy.source === 'commit' && gitDirty(config.context)) {
    io.stderr.write(
      'deploy-check: warning: the work tree has uncommitted changes; deploy-source "commit" makes Railway build HEAD, not what is checked here (use --deploy-source image)\n',
    );
  }
  // App output, file names and paths pass through here: no raw control character reaches the
  // terminal, and no line can start a workflow command when a workflow step runs the command.
  const say = (line: string): void => {
    io.stderr.write(`${commandFreeLines(secrets.mask(line))}\n`);
  };
  const log = terminalLog(say);

  let docker: Docker;
  try {
    docker = connectDocker();
  } catch (err) {
    say(`deploy-check: ${(err as Error).message}`);
    return EXIT_FAIL;
  }
  const builders: string[] = [];
  const cache = localCacheContext(config, builders);
  const source = { commit: prepared.checkout.commit, ref: null, runUrl: null };
  // A tag deploy-check made up is this run's own; a tag the user named (--image) is theirs.
  const removeOwnImage = async (): Promise<void> => {
    if (read('image').trim() !== '' || values['keep-image'] === true) return;
    await docker
      .getImage(config.image)
      .remove()
      .then(
        () => say(`Removed the image tag ${config.image} (keep it with --keep-image)`),
        () => undefined,
      );
  };
  const writeOut = async (report: CheckReport): Promise<void> => {
    // Checked writable (its folder made) before the run started.
    if (reportFile !== undefined) await writeFile(reportFile, JSON.stringify(report, null, 2) + '\n');
    io.stdout.write(`${commandFreeLines(secrets.mask(renderTerminal(report)))}\n`);
  };
  // The first Ctrl-C or kill cancels: the run stops where it is, reports "cancelled" and cleans
  // up. A second one removes what this run started and leaves at once, with the conventional
  // code; a run that does not stop within the grace period is reported from what is known first.
  const session = openSession(config, docker, source, {
    log,
    secrets,
    cancelling: (signal) => `\n${signal}: removing this run's containers (the run is cancelled)`,
    unexpected: say,
    signalGrace: true,
    cleanUpOnSecondSignal: true,
    signalExitCode: exitCodeFor,
    writeReport: writeOut,
    reportFailed: () => undefined,
    cleanUp: async (leavingAtOnce) => {
      await removeRunBuilders(builders);
      if (!leavingAtOnce) await removeOwnImage();
    },
  });
  try {
    await ensureEngine(docker);
    await ensureNetwork(docker, config.network);
    const baselineDir = values['baseline-dir'];
    const baselines = localBaselineScope(typeof baselineDir === 'string' ? baselineDir : undefined, values['save-baseline'] === true);
    const maskSecret = (value: string): void => secrets.add(value);
    const report = await runPipeline(config, { docker, log, maskSecret, source, event: null, baselines, cache, cancel: session.cancel });
    await session.report(report);
    const signalled = session.signalled();
    if (signalled) return exitCodeFor(signalled);
    return report.verdict === 'pass' ? EXIT_PASS : EXIT_FAIL;
  } catch (err) {
    say(`deploy-check: ${(err as Error).message}`);
    return err instanceof ConfigError ? EXIT_CONFIG : EXIT_FAIL;
  } finally {
    await session.close();
  }
}

/** The terminal's log: warnings and errors say so and where, debug lines only with DEPLOY_CHECK_DEBUG. */
function terminalLog(say: (line: string) => void): Log {
  const at = (where: Parameters<Log['warning']>[1]): string =>
    where ? `${path.relative(process.cwd(), where.file)}${where.line ? `:${where.line}` : ''}: ` : '';
  return {
    info: say,
    warning: (m, where) => say(`warning: ${at(where)}${m}`),
    error: (m, where) => say(`error: ${at(where)}${m}`),
    debug: (m) => {
      if (process.env['DEPLOY_CHECK_DEBUG']) say(`debug: ${m}`);
    },
    group: async (title, fn) => {
      say(`▸ ${title}`);
      return fn();
    },
  };
}

/** The layer cache in --cache-dir, when given; the builders the run creates are removed after it. */
function localCacheContext(config: Config, builders: string[]): CacheContext {
  return {
    store: config.cache.dir ? new DirectoryStore(config.cache.dir) : null,
    missingStore: config.cache.dir ? null : { reason: "no --cache-dir given (the engine's own build cache still applies)", warn: false },
    revision: null,
    // A local run has no default branch to keep caches for: cache-save default-branch saves like always.
    onDefaultBranch: true,
    ref: null,
    root: process.cwd(),
    rememberBuilder: (name) => builders.push(name),
  };
}

/** Locally, `auto` baselines live in --baseline-dir; a run adds one only when asked (--save-baseline). */
function localBaselineScope(dir: string | undefined, save: boolean): BaselineScope {
  const runKey = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  if (dir === undefined) {
    return { store: null, unavailable: 'locally, give --baseline-dir DIR (or --baseline FILE)', branch: null, save: false, runKey };
  }
  return { store: new BaselineStore(new BaselineDirectory(path.resolve(dir))), unavailable: null, branch: 'local', save, runKey };
}

/**
 * "--max-increase -5%": parseArgs takes a value that starts with a dash for a flag and refuses
 * it. The command has no short flags, so after a flag that takes a value, a word with a single
 * leading dash is that value; it is then validated like any other (and refused with the input's name).
 */
function joinDashValues(argv: readonly string[], options: Record<string, { type: 'string' | 'boolean' }>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-(?!-)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/**
 * "--" ends Node's own options (`node dist/cli.js -- --env-file .env`: Node reads a --env-file
 * anywhere before it, nodejs/node#54232); the command has no positional arguments, so here it
 * separates nothing and is dropped. A flag whose value is "--" is written --flag=--.
 */
function withoutSeparators(argv: readonly string[]): string[] {
  return argv.filter((arg) => arg !== '--');
}

function gitDirty(cwd: string): boolean {
  try {
    return execFileSync('git', ['status', '--porcelain'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
  } catch {
    return false;
  }
}
