/**
 * Busybox images whose size differences are known exactly, for the size tests: a base app, the
 * same app plus a file of 5 MiB of random bytes (incompressible, so both figures move by it),
 * and a second base image to swap in with a build argument.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NODE24, REPO_ROOT } from './action-runner.ts';
import { dockerCli } from './docker.ts';

export const MiB = 2 ** 20;
export const BLOB_BYTES = 5 * MiB;
/** The line of Dockerfile "with blob" that adds the file. */
export const BLOB_LINE = 4;

export const CMD = `CMD ["sh", "-c", "trap 'exit 0' TERM; echo ready; while true; do sleep 1; done"]`;

/** Without the file: lines 1-3, then CMD. With it: the COPY is line 4. */
export function appDockerfile(withBlob: boolean): string {
  return [
    'ARG BASE=deploy-check-test/busybox:latest',
    'FROM ${BASE}',
    'RUN echo "app" > /app.txt',
    ...(withBlob ? ['COPY blob.bin /data/blob.bin'] : []),
    CMD,
    '',
  ].join('\n');
}

export interface SizeFixture {
  readonly dir: string;
  readonly token: string;
}

export async function makeSizeFixture(root: string, name: string): Promise<SizeFixture> {
  const token = randomBytes(4).toString('hex');
  const dir = path.join(root, `${name}-${token}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'blob.bin'), randomBytes(BLOB_BYTES));
  await writeFile(path.join(dir, 'Dockerfile.plain'), appDockerfile(false));
  await writeFile(path.join(dir, 'Dockerfile.blob'), appDockerfile(true));
  return { dir, token };
}

/** A second base image: busybox plus 1 MiB of random bytes, under a name unique to the test. */
export async function buildOtherBase(fixture: SizeFixture, dockerHost: string): Promise<string> {
  const dir = path.join(fixture.dir, 'other-base');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'extra.bin'), randomBytes(MiB));
  await writeFile(path.join(dir, 'Dockerfile'), 'FROM deploy-check-test/busybox:latest\nCOPY extra.bin /extra.bin\n');
  const ref = `deploy-check-size-test/base-${fixture.token}:latest`;
  buildWithRetry(['buildx', 'build', '-q', '--load', '-t', ref, dir], dockerHost);
  return ref;
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly report: SizeRunReport | null;
}

/** The parts of the JSON report the size tests read. */
export interface SizeRunReport {
  verdict: 'pass' | 'fail';
  reasons: string[];
  size: {
    status: string;
    bytes: number | null;
    compressedBytes: number | null;
    uncompressedSource: string;
    compressedSource: string;
    store: string | null;
    baseImage: { ref: string | null; line: number | null; layers: number } | null;
    layers: { instruction: string; line: number | null; bytes: number; compressedBytes: number | null; base: boolean }[];
    baseline: {
      source: string;
      kind: string;
      bytes: number | null;
      compressedBytes: number | null;
      uncompressedSource: string;
      compressedSource: string;
      layers: unknown[];
    } | null;
    baselineNote: string | null;
    delta: {
      bytes: number | null;
      percent: number | null;
      compressedBytes: number | null;
      compressedPercent: number | null;
      baseImageChanged: boolean;
      layers: { change: string; instruction: string; line: number | null; base: boolean; bytes: number | null; compressedBytes: number | null }[];
      notes: string[];
    } | null;
    budget: { status: string; checks: { name: string; status: string; message: string; layer: { line: number | null } | null }[] };
    commentThreshold: { limit: string; reached: boolean | null };
    baselineSaved: { key: string } | null;
    notes: string[];
  };
}

/**
 * Runs the bundled local command in the fixture's directory against one engine. The engines are
 * shared with other suites running at the same time; under that load BuildKit now and then fails
 * a build with "failed to solve: not found" (seen without deploy-check too). Such a run is
 * repeated once: the size checks are what is under test here, not the engine.
 */
export async function runCli(
  fixture: SizeFixture,
  args: string[],
  dockerHost: string,
  reportName = `report-${randomBytes(3).toString('hex')}.json`,
): Promise<CliRun> {
  const run = await runCliOnce(fixture, args, dockerHost, reportName);
  const build = (run.report as { build?: { status?: string; failure?: { message?: string } } } | null)?.build;
  if (build?.status === 'failure' && /failed to solve: not found/.test(build.failure?.message ?? '')) {
    return runCliOnce(fixture, args, dockerHost, reportName);
  }
  return run;
}

async function runCliOnce(fixture: SizeFixture, args: string[], dockerHost: string, reportName: string): Promise<CliRun> {
  const reportFile = path.join(fixture.dir, reportName);
  const child = spawn(NODE24, [path.join(REPO_ROOT, 'dist/cli.js'), '--wait-for', 'log:ready', '--report', reportFile, ...args], {
    cwd: fixture.dir,
    env: { ...process.env, DOCKER_HOST: dockerHost, DEPLOY_CHECK_STATE_DIR: path.join(fixture.dir, 'state') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  let report: SizeRunReport | null = null;
  try {
    report = JSON.parse(await readFile(reportFile, 'utf8')) as SizeRunReport;
  } catch {
    // No report: a configuration error.
  }
  return { code, stdout, stderr, report };
}

/** A tag of its own for every build: replacing a tag leaves dangling images for the engine to clean up concurrently. */
export function imageRef(fixture: SizeFixture, name: string): string {
  return `deploy-check-size-test/${name}-${fixture.token}:${randomBytes(3).toString('hex')}`;
}

/** Removes the images a test built (tags under deploy-check-size-test/ with its token). */
export function removeImages(fixture: SizeFixture, dockerHost: string): void {
  const refs = dockerCli(['images', '--format', '{{.Repository}}:{{.Tag}}'], dockerHost)
    .split('\n')
    .filter((r) => r.includes(fixture.token));
  if (refs.length > 0) dockerCli(['rmi', '-f', ...refs], dockerHost);
}

export function describeRun(run: CliRun): string {
  return `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}

/** A fixture build, repeated once on the engine's transient "failed to solve: not found" (see runCli). */
export function buildWithRetry(args: string[], dockerHost: string): string {
  try {
    return dockerCli(args, dockerHost);
  } catch (err) {
    if (!/failed to solve: not found/.test(String((err as { stderr?: Buffer | string }).stderr ?? ''))) throw err;
    return dockerCli(args, dockerHost);
  }
}
