/**
 * Image hygiene on real images: each fixture breaks one promise (root user, a .env copied then
 * deleted, a secret ENV, a build arg that leaks into the history, no health check, no
 * .dockerignore, apt lists left behind, compilers in the final stage, secret files), one keeps
 * them all. Run through the local command and the bundled action entry, on both image stores.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'vitest';
import type { CheckReport, HygieneFinding } from '../../src/model/report.ts';
import { REPO_ROOT, runActionSteps, type ActionRun } from '../support/action-runner.ts';
import { CLASSIC_ENGINE, MAIN_ENGINE, dockerCli, engineAvailable, unavailable, removedAfterAll } from '../support/docker.ts';
import { MACHINE_NODE, runLocal, runLocalBuilt } from '../support/local-runner.ts';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures');
const { created, temps } = removedAfterAll();

function uniqueImage(name: string, host = MAIN_ENGINE): string {
  const image = `deploy-check-test/hygiene-${name}:${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  created.push({ image, host });
  return image;
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hygiene-it-'));
  temps.push(dir);
  return dir;
}

interface LocalRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  report: CheckReport;
  reportText: string;
}

/**
 * When another client prunes the shared engine's build cache (the layer-cache tests do) or
 * removes the last image holding some layers, builds running at that moment fail with
 * "failed to solve: not found". That one infrastructure error is retried, a little later.
 */
const LOST_CACHE = /failed to solve: not found/;
const ATTEMPTS = 5;
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The local command (node dist/cli.js) on a context, with a report file. The build must succeed. */
async function checkLocally(context: string, args: string[] = [], dockerHost = MAIN_ENGINE): Promise<LocalRun> {
  // On the machine's own Node, as a person runs the local command.
  const run = await runLocalBuilt(() => {
    const image = uniqueImage(
      path
        .basename(context)
        .replace(/^hygiene-/, '')
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-'),
      dockerHost,
    );
    return runLocal(['--context', context, '--image', image, ...args], { cwd: context, env: { DOCKER_HOST: dockerHost } });
  });
  const report = run.report as unknown as CheckReport;
  return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr, report, reportText: JSON.stringify(report) };
}

function findings(run: { report: CheckReport }, id: string): HygieneFinding[] {
  return run.report.hygiene.findings.filter((f) => f.id === id);
}

function only(run: { report: CheckReport; stderr?: string }, id: string): HygieneFinding {
  const found = findings(run, id);
  assert.equal(found.length, 1, `one ${id} finding expected, got: ${JSON.stringify(run.report.hygiene.findings, null, 2)}\n${run.stderr ?? ''}`);
  return found[0] as HygieneFinding;
}

/** The value must not appear anywhere a person or a tool could read it. */
function assertNowhere(value: string, texts: Record<string, string>): void {
  for (const [where, text] of Object.entries(texts)) {
    assert.ok(!text.includes(value), `the secret value appears in ${where}`);
  }
}

const fixture = (name: string): string => path.join(FIXTURES, name);

describe('image hygiene through the local command', { concurrent: true }, () => {
  test('an image that keeps every promise has no findings, and passes in fail mode', async () => {
    const run = await checkLocally(fixture('hygiene-clean'), ['--hygiene', 'fail']);
    assert.equal(run.exitCode, 0, run.stderr);
    const h = run.report.hygiene;
    assert.equal(h.status, 'checked');
    assert.deepEqual(h.findings, []);
    assert.equal(h.user, 'app:app');
    assert.equal(h.mode, 'fail');
    assert.ok((h.scan?.layers ?? 0) >= 3, 'every layer was read');
    // Layers known from an earlier run (the per-layer memo) are not read again.
    assert.equal((h.scan?.layersScanned ?? 0) + (h.scan?.layersReused ?? 0), h.scan?.layers);
    assert.ok((h.scan?.bytesRead ?? 0) > 0 || h.scan?.layersReused === h.scan?.layers);
    assert.equal(h.scan?.error, null);
    assert.equal(h.context?.ignoreFile, path.join(fixture('hygiene-clean'), '.dockerignore'));
    assert.match(run.stdout, /✔ hygiene {2}no findings; runs as app:app/);
  });

  test('root: no USER points at FROM; USER root and USER 0:0 at the USER line', async () => {
    const noUser = await checkLocally(fixture('hygiene-root'));
    assert.equal(noUser.exitCode, 0, 'the default mode fails on secrets only: it reports and passes');
    assert.equal(noUser.report.verdict, 'pass');
    const f = only(noUser, 'root-user');
    assert.equal(f.severity, 'warning', 'the severity is what the finding is in this mode, the same in the log');
    assert.equal(f.line, 1);
    assert.equal(f.file, path.join(fixture('hygiene-root'), 'Dockerfile'));
    assert.match(f.message, /no USER instruction/);
    assert.match(noUser.stderr, /warning: Dockerfile:1: The image runs as root/);

    for (const user of ['root', '0:0']) {
      const dir = tempDir();
      writeFileSync(path.join(dir, '.dockerignore'), '.env*\n.git\n');
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        `FROM deploy-check-test/busybox:latest\nUSER ${user}\nHEALTHCHECK --interval=1s CMD ["true"]\nCMD ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]\n`,
      );
      const run = await checkLocally(dir, ['--hygiene', 'fail']);
      assert.equal(run.exitCode, 1, `USER ${user} fails in fail mode`);
      const root = only(run, 'root-user');
      assert.equal(root.line, 2);
      assert.match(root.message, new RegExp(`USER ${user}`));
      assert.match(run.report.reasons[0] ?? '', /^Hygiene: .*\[root-user\]/);
    }
  });

  test('a named USER that does not exist in the image', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '.dockerignore'), '.env*\n.git\n');
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      'FROM deploy-check-test/busybox:latest\nRUN mkdir /srv\nUSER app\nHEALTHCHECK --interval=1s CMD ["true"]\nCMD ["sleep", "3600"]\n',
    );
    const run = await checkLocally(dir);
    const f = only(run, 'unknown-user');
    assert.equal(f.line, 3);
    assert.equal(f.path, '/etc/passwd');
    assert.deepEqual(findings(run, 'root-user'), []);
    // The engine refuses to start it too: the health check says why.
    assert.equal(run.report.health.status, 'unhealthy');
  });

  test('ENV with a secret value: where it is, never what it is', async () => {
    const value = 'fixture-env-secret-9d2c';
    const run = await checkLocally(fixture('hygiene-env-secret'));
    const f = only(run, 'secret-env');
    assert.equal(f.line, 2);
    assert.match(f.message, /^ENV API_SECRET /);
    assert.deepEqual(findings(run, 'secret-build-arg'), []);
    assert.equal(run.report.hygiene.findings.length, 1, 'LOG_LEVEL is not a secret');
    assertNowhere(value, { stdout: run.stdout, stderr: run.stderr, report: run.reportText });
  });

  test('a secret build arg used in a RUN leaks into the history: the RUN line and its layer', async () => {
    const value = 'fixture-build-arg-token-51be';
    const run = await checkLocally(fixture('hygiene-build-arg'), ['--build-arg', `API_TOKEN=${value}`]);
    assert.equal(run.exitCode, 1, `a secret fails the check by default:\n${run.stderr}`);
    const f = only(run, 'secret-build-arg');
    assert.equal(f.line, 3);
    assert.equal(f.layer?.line, 3);
    assert.equal(f.layer.index, 1);
    assert.match(f.message, /API_TOKEN/);
    assertNowhere(value, { stdout: run.stdout, stderr: run.stderr, report: run.reportText });
    // The leak is real: the engine's own history has it.
    assert.ok(dockerCli(['history', '--no-trunc', run.report.image.ref]).includes(value));
  });

  test('no HEALTHCHECK and no health path; a health path alone is enough', async () => {
    const bare = await checkLocally(fixture('hygiene-no-healthcheck'), ['--wait-for', 'tcp']);
    assert.equal(bare.report.health.status, 'healthy', bare.stderr);
    const f = only(bare, 'no-healthcheck');
    assert.equal(f.severity, 'warning');
    assert.equal(f.line, 1);

    const withPath = await checkLocally(fixture('hygiene-no-healthcheck'), ['--health-path', '/health']);
    assert.equal(withPath.report.health.status, 'healthy', withPath.stderr);
    assert.deepEqual(withPath.report.hygiene.findings, []);
  });

  test('a context without .dockerignore: the .git and .env it sends, and the image they reach', async () => {
    const dir = tempDir();
    execFileSync('git', ['init', '-q', dir]);
    writeFileSync(path.join(dir, '.env'), 'DB_PASSWORD=fixture-context-dotenv-88aa\n');
    mkdirSync(path.join(dir, 'app'));
    writeFileSync(path.join(dir, 'app/main.txt'), 'app\n');
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      'FROM deploy-check-test/busybox:latest\nCOPY . /app/\nUSER 1000\nHEALTHCHECK --interval=1s CMD ["true"]\nCMD ["sleep", "3600"]\n',
    );
    const run = await checkLocally(dir);
    const missing = only(run, 'no-dockerignore');
    assert.match(missing.message, /including \.env \(\d+ B\), \.git \(\d+(\.\d+)? kB\)/);
    const sent = Number(execFileSync('sh', ['-c', `find "${dir}" -type f -printf '%s\\n' | awk '{s+=$1} END {print s}'`], { encoding: 'utf8' }));
    assert.equal(run.report.hygiene.context?.bytes, sent, 'every file of the context is sent');
    const git = only(run, 'git-directory');
    assert.equal(git.path, '/app/.git');
    assert.equal(git.line, 2);
    const env = only(run, 'secret-file');
    assert.equal(env.path, '/app/.env');
    assert.equal(env.layer?.instruction, 'COPY . /app/');
    assertNowhere('fixture-context-dotenv-88aa', { stdout: run.stdout, stderr: run.stderr, report: run.reportText });
  });

  test('a context without .dockerignore whose Dockerfile copies one folder: the finding claims no COPY .', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, '.env'), 'DB_PASSWORD=fixture-context-dotenv-93bc\n');
    mkdirSync(path.join(dir, 'app'));
    writeFileSync(path.join(dir, 'app/main.txt'), 'app\n');
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      'FROM deploy-check-test/busybox:latest\nCOPY app/ /app/\nUSER 1000\nHEALTHCHECK --interval=1s CMD ["true"]\nCMD ["sleep", "3600"]\n',
    );
    const run = await checkLocally(dir);
    const missing = only(run, 'no-dockerignore');
    assert.equal(
      missing.message,
      'The build context has no .dockerignore: every file is sent to the builder, including .env (40 B), which no COPY or ADD of the Dockerfile takes into the image',
    );
    assert.deepEqual(findings(run, 'secret-file'), [], '.env is not in the image');
    assertNowhere('fixture-context-dotenv-93bc', { stdout: run.stdout, stderr: run.stderr, report: run.reportText });
  });

  test('apt lists left by one RUN and deleted by the next still ship: the RUN line and the bytes', async () => {
    const run = await checkLocally(fixture('hygiene-apt-lists'));
    const lists = findings(run, 'package-cache').find((f) => f.path === '/var/lib/apt/lists');
    assert.ok(lists, JSON.stringify(run.report.hygiene.findings, null, 2));
    assert.equal(lists.line, 4);
    assert.equal(lists.layer?.index, 1);
    assert.match(lists.message, /a later layer deletes it/);
    assert.match(lists.evidence.join('\n'), /deleted by layer 3 of 3 \(RUN rm -rf \/var\/lib\/apt\/lists\/\*, line 6\)/);
    assert.deepEqual(findings(run, 'root-user'), [], 'USER nobody');
  });

  test('compilers in the final stage of a multi-stage build', async () => {
    const run = await checkLocally(fixture('hygiene-compiler'));
    const f = only(run, 'compiler-in-final-stage');
    assert.equal(f.line, 3);
    assert.match(f.message, /cc1/);
    assert.match(f.message, /\bgcc\b/);
    assert.equal(run.report.hygiene.findings.length, 1);
  });

  test('secret files by name and content; look-alikes are left alone', async () => {
    const run = await checkLocally(fixture('hygiene-secret-files'));
    const paths = findings(run, 'secret-file')
      .map((f) => f.path)
      .sort();
    assert.deepEqual(paths, ['/srv/.npmrc', '/srv/deploy/id_ed25519', '/srv/home/.aws/credentials', '/srv/tls/server.key']);
    for (const f of findings(run, 'secret-file')) assert.equal(f.line, 2);
    assertNowhere('fixture-npm-token-3c1e', { stdout: run.stdout, stderr: run.stderr, report: run.reportText });
    assertNowhere('fixture-aws-secret', { stdout: run.stdout, stderr: run.stderr, report: run.reportText });
  });

  test('hygiene-ignore silences by id; an unknown id is a configuration error', async () => {
    const run = await checkLocally(fixture('hygiene-env-secret'), ['--hygiene', 'fail', '--hygiene-ignore', 'secret-env']);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.deepEqual(run.report.hygiene.findings, []);
    assert.equal(run.report.hygiene.suppressed, 1);
    assert.deepEqual(run.report.hygiene.ignored, ['secret-env']);

    const bad = spawn(MACHINE_NODE, [path.join(REPO_ROOT, 'dist/cli.js'), '--context', fixture('hygiene-clean'), '--hygiene-ignore', 'secret-env,root'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    bad.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => bad.on('close', resolve));
    assert.equal(code, 2);
    assert.match(stderr, /Input "hygiene-ignore": unknown finding id "root"; valid ids: root-user, unknown-user, secret-file/);
  });

  test('the demo app keeps its promises: non-root, a health check, no secrets, a .dockerignore', async () => {
    const run = await checkLocally(path.join(REPO_ROOT, 'examples/fastapi'));
    assert.equal(run.report.health.status, 'healthy', run.stderr);
    assert.equal(run.report.hygiene.user, 'app');
    // Notes only: the setuid binaries every Debian image ships (su, mount, passwd...).
    const others = run.report.hygiene.findings.filter((f) => f.severity !== 'info');
    assert.deepEqual(others, []);
    for (const f of run.report.hygiene.findings) assert.ok(f.id === 'setuid-file' && f.layer?.fromBase, JSON.stringify(f));
    assert.equal(run.exitCode, 0);
  });

  test('hygiene off: nothing checked', async () => {
    const run = await checkLocally(fixture('hygiene-root'), ['--hygiene', 'off']);
    assert.equal(run.report.hygiene.status, 'skipped');
    assert.deepEqual(run.report.hygiene.findings, []);
    assert.equal(run.exitCode, 0);
  });
});

describe('a .env copied, then deleted in a later layer', { concurrent: true }, () => {
  for (const [store, host] of [
    ['containerd image store', MAIN_ENGINE],
    ['classic image store', CLASSIC_ENGINE],
  ] as const) {
    test.skipIf(unavailable(!engineAvailable(host) && `no engine at ${host}`))(`is found in the COPY layer (${store})`, async () => {
      const run = await checkLocally(fixture('hygiene-env-deleted'), ['--hygiene', 'fail'], host);
      const f = only(run, 'secret-file');
      assert.equal(f.path, '/app/.env');
      assert.equal(f.line, 3);
      assert.equal(f.layer?.instruction, 'COPY . .');
      assert.equal(f.layer.line, 3);
      assert.match(f.message, /deletes it, but the earlier layer still ships it/);
      assert.ok(
        f.evidence.some((e) => /^deleted by layer \d of \d \(RUN rm -f \/app\/\.env, line 5\)/.test(e)),
        f.evidence.join('\n'),
      );
      const gaps = only(run, 'dockerignore-gaps');
      assert.match(gaps.message, /does not exclude \.env \(in the context/);
      assert.equal(run.exitCode, 1, 'fail mode fails on the secret file');
      assert.match(run.report.reasons[0] ?? '', /\[secret-file\]/);
      // Read through the size stage's loopback push, or known from an earlier run: never a second stream of the image.
      assert.ok(['loopback-push', 'memo'].includes(run.report.hygiene.scan?.method ?? ''), JSON.stringify(run.report.hygiene.scan));
      assertNowhere('fixture-dotenv-value-7f3a', { stdout: run.stdout, stderr: run.stderr, report: run.reportText });
    });
  }
});

/** The bundled action's main and post steps; retried only when the shared engine lost build cache mid-build. */
async function checkInAction(context: string, inputs: Record<string, string>): Promise<ActionRun> {
  for (let attempt = 1; ; attempt++) {
    const run = await runActionSteps({ inputs: { context, ...inputs }, cwd: context });
    const build = (run.report as unknown as CheckReport | null)?.build;
    const lostCache = build?.status === 'failure' && LOST_CACHE.test(build.failure?.message ?? '');
    if (!lostCache || attempt === ATTEMPTS) {
      assert.equal(build?.status, 'success', run.main.stdout);
      return run;
    }
    await pause(5000 * attempt);
  }
}

describe('image hygiene through the bundled action', { concurrent: true }, () => {
  /** A workflow command `::error title=...,file=Dockerfile,line=N::message` (properties in any order). */
  const annotation = (level: string, line: number, id: string, message: string): RegExp =>
    new RegExp(`^::${level} (?=[^:]*file=Dockerfile[,:])(?=[^:]*line=${line}[,:])(?=[^:]*title=deploy-check hygiene%3A ${id}[,:])[^:]*::${message}`, 'm');
  const withoutMaskCommands = (text: string): string =>
    // `::add-mask::VALUE` is how the action tells the runner what to mask; the runner consumes it.
    text
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');

  test('fail mode: a leaked build arg fails the step with an annotation on the RUN line', async () => {
    const value = 'fixture-action-token-77c0';
    const context = fixture('hygiene-build-arg');
    const run = await checkInAction(context, { image: uniqueImage('action-build-arg'), hygiene: 'fail', 'build-args': `API_TOKEN=${value}` });
    assert.equal(run.main.exitCode, 1, run.main.stdout);
    assert.equal(run.outputs['verdict'], 'fail');
    assert.equal(run.outputs['hygiene-errors'], '1');
    assert.equal(run.outputs['hygiene-findings'], '1');
    assert.match(run.main.stdout, annotation('error', 3, 'secret-build-arg', 'Build argument API_TOKEN leaked'));
    assert.match(run.summary, /\| Hygiene \| ❌ \| 1 error: [^|\n]* · runs as <code>1000<\/code> \|/);
    assert.match(run.summary, /<code>secret-build-arg<\/code> [^\n]*<sub>Dockerfile:3<\/sub>/);
    const report = run.report as unknown as CheckReport;
    assert.equal(report.hygiene.findings[0]?.layer?.line, 3);
    assertNowhere(value, { 'step output': withoutMaskCommands(run.allText), summary: run.summary, report: JSON.stringify(run.report) });
  });

  test('warn mode: a secret ENV is a warning annotation and the step passes', async () => {
    const context = fixture('hygiene-env-secret');
    const run = await checkInAction(context, { image: uniqueImage('action-env'), hygiene: 'warn' });
    assert.equal(run.main.exitCode, 0, run.main.stdout);
    assert.equal(run.outputs['verdict'], 'pass');
    assert.equal(run.outputs['hygiene-errors'], '0', 'in warn mode nothing is an error');
    assert.match(run.main.stdout, annotation('warning', 2, 'secret-env', 'ENV API_SECRET'));
    assert.match(run.summary, /#### Hygiene <sub>\(warn mode: reported, never failing\)<\/sub>/);
    assert.match(run.summary, /\| Hygiene \| ⚠️ \| 1 warning: [^|\n]*ENV API&#95;SECRET/);
    assertNowhere('fixture-env-secret-9d2c', { 'step output': withoutMaskCommands(run.allText), summary: run.summary, report: JSON.stringify(run.report) });
  });
});
