/**
 * Secrets found by their value, on real images on both image stores: a token in a kept file,
 * in a file a later layer deletes, in an ENV with an innocent name, in a build argument, in a
 * RUN line, and a build secret a RUN copied into a file. None is printed; each fails the check
 * by default and passes with `hygiene: warn`. Also permissions and accounts (setuid,
 * world-writable, a USER with uid 0, an empty shadow password), a finding in the base image,
 * and values that are not secrets (flags, publishable keys).
 *
 * The token values are made up at run time in the well-known formats, so that no real-looking
 * credential is committed to the repository.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'vitest';
import type { CheckReport, HygieneFinding } from '../../src/model/report.ts';
import { CLASSIC_ENGINE, MAIN_ENGINE, dockerCli, engineUsable, removedAfterAll } from '../support/docker.ts';
import { runLocal, runLocalBuilt } from '../support/local-runner.ts';

const { created, temps } = removedAfterAll();

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const pick = (alphabet: string, n: number): string => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
const fakeToken = {
  aws: (): string => `AKIA${pick(BASE32, 16)}`,
  github: (): string => `ghp_${pick(ALNUM, 36)}`,
  npm: (): string => `npm_${pick(ALNUM, 36)}`,
  stripe: (): string => `sk_live_${pick(ALNUM, 24)}`,
};

const TAIL = [
  'USER 1000',
  'HEALTHCHECK --interval=1s --timeout=2s --retries=3 CMD ["true"]',
  'CMD ["sh", "-c", "trap \'exit 0\' TERM; sleep 3600 & wait"]',
].join('\n');

/** A build context with a Dockerfile (its tail: a non-root user and a health check) and files. */
function context(dockerfile: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hygiene-values-'));
  temps.push(dir);
  writeFileSync(path.join(dir, 'Dockerfile'), `${dockerfile.trim()}\n${TAIL}\n`);
  writeFileSync(path.join(dir, '.dockerignore'), '.env*\n.git\n');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

interface Run {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  report: CheckReport;
  reportText: string;
}

async function check(dir: string, args: string[] = [], host = MAIN_ENGINE, env: Record<string, string> = {}): Promise<Run> {
  const run = await runLocalBuilt(() => {
    const image = `deploy-check-test/hygiene-values:${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    created.push({ image, host });
    return runLocal(['--context', dir, '--image', image, ...args], { cwd: dir, env: { DOCKER_HOST: host, ...env } });
  });
  const report = run.report as unknown as CheckReport;
  return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr, report, reportText: JSON.stringify(report) };
}

function only(run: Run, id: string): HygieneFinding {
  const found = run.report.hygiene.findings.filter((f) => f.id === id);
  assert.equal(found.length, 1, `one ${id} finding expected, got: ${JSON.stringify(run.report.hygiene.findings, null, 2)}`);
  return found[0] as HygieneFinding;
}

/** The value must not appear where a person or a tool reads the check's results. */
function assertNowhere(value: string, run: Run, { buildLog = true }: { buildLog?: boolean } = {}): void {
  assert.ok(!run.reportText.includes(value), 'the secret value is in the report');
  assert.ok(!run.stdout.includes(value), 'the secret value is in the summary on stdout');
  // BuildKit prints each RUN line as written while it builds; everything deploy-check says after that must not.
  const stderr = buildLog ? run.stderr : run.stderr.slice(run.stderr.indexOf('▸ Health check'));
  assert.ok(!stderr.includes(value), 'the secret value is in the log');
}

/** A failing secret finding: error, fails the check with its reason, has a fingerprint and a fix. */
function assertFailingSecret(run: Run, f: HygieneFinding): void {
  assert.equal(f.severity, 'error');
  assert.equal(run.exitCode, 1, run.stderr);
  assert.equal(run.report.verdict, 'fail');
  assert.equal(run.report.hygiene.mode, 'secrets');
  assert.ok(
    run.report.reasons.some((r) => r.startsWith('Hygiene: ') && r.includes(`[${f.id}]`)),
    run.report.reasons.join('\n'),
  );
  assert.ok(f.fix && f.fix.length > 20, `a fix is given: ${f.fix}`);
}

const engines = [
  { store: 'containerd', host: MAIN_ENGINE },
  { store: 'classic', host: CLASSIC_ENGINE },
].filter((e) => e.host === MAIN_ENGINE || engineUsable(e.host));

for (const { store, host } of engines) {
  describe(`secrets by value (${store} image store)`, { concurrent: true }, () => {
    test('an AWS access key id in a kept source file fails by default; warn mode passes', async () => {
      const key = fakeToken.aws();
      const dir = context('FROM deploy-check-test/busybox:latest\nWORKDIR /app\nCOPY settings.py /app/settings.py', {
        'settings.py': `DEBUG = False\nREGION = "eu-west-1"\nAWS_ACCESS_KEY_ID = "${key}"\n`,
      });
      const run = await check(dir, [], host);
      const f = only(run, 'secret-value');
      assertFailingSecret(run, f);
      assert.equal(f.path, '/app/settings.py');
      assert.match(f.message, /AWS access key id \(line 3\)/);
      assert.equal(f.line, 3);
      assert.equal(f.layer?.fromBase, false);
      assert.match(f.fingerprint ?? '', /^AKIA… \(20 chars, sha256:[0-9a-f]{8}\)$/);
      assertNowhere(key, run);

      const warned = await check(dir, ['--hygiene', 'warn'], host);
      assert.equal(warned.exitCode, 0, warned.stderr);
      assert.equal(warned.report.verdict, 'pass');
      assert.equal(only(warned, 'secret-value').severity, 'warning');
      assert.match(warned.stdout, /warning secret-value/);
      assertNowhere(key, warned);
    });

    test('an npm token in a file with an ordinary name, deleted by a later layer, still ships', async () => {
      const token = fakeToken.npm();
      const dir = context('FROM deploy-check-test/busybox:latest\nWORKDIR /app\nCOPY notes.txt /app/notes.txt\nRUN rm /app/notes.txt', {
        'notes.txt': `deploy notes\npublish with ${token}\n`,
      });
      const run = await check(dir, [], host);
      const f = only(run, 'secret-value');
      assertFailingSecret(run, f);
      assert.equal(f.path, '/app/notes.txt');
      assert.match(f.message, /npm access token/);
      assert.match(f.message, /deletes it, but the earlier layer still ships it/);
      assert.equal(f.layer?.line, 3);
      assertNowhere(token, run);
    });

    test('a GitHub token in an ENV whose name says nothing', async () => {
      const token = fakeToken.github();
      const dir = context(`FROM deploy-check-test/busybox:latest\nENV SERVICE_CONFIG=${token} LOG_LEVEL=info`);
      const run = await check(dir, [], host);
      const f = only(run, 'secret-env');
      assertFailingSecret(run, f);
      assert.match(f.message, /^ENV SERVICE_CONFIG carries a GitHub token/);
      assert.equal(f.line, 2);
      assertNowhere(token, run);
    });

    test('a token passed as a build argument with an innocent name is recorded in the history', async () => {
      const token = fakeToken.github();
      const dir = context('FROM deploy-check-test/busybox:latest\nARG BUILD_REF\nRUN echo "built from ${#BUILD_REF} characters" > /build-info.txt');
      const run = await check(dir, ['--build-args', `BUILD_REF=${token}`], host);
      const f = only(run, 'secret-build-arg');
      assertFailingSecret(run, f);
      assert.match(f.message, /^Build argument BUILD_REF leaked .*\(a GitHub token\)$/);
      assert.equal(f.line, 3);
      assert.ok(dockerCli(['history', '--no-trunc', run.report.image.ref], host).includes(token), 'the leak is real');
      assertNowhere(token, run);
    });

    test('a Stripe live key pasted into a RUN line', async () => {
      const key = fakeToken.stripe();
      const dir = context(`FROM deploy-check-test/busybox:latest\nRUN echo "configure ${key}" > /dev/null && mkdir -p /srv`);
      const run = await check(dir, [], host);
      const f = only(run, 'secret-in-history');
      assertFailingSecret(run, f);
      assert.match(f.message, /Stripe live secret key/);
      assert.equal(f.line, 2);
      assert.match(f.layer?.instruction ?? '', /configure \*\*\*/);
      assertNowhere(key, run, { buildLog: false });
    });

    test('a build secret that a RUN copied into a file is found by its value', async () => {
      const value = `bs-${randomBytes(12).toString('hex')}`;
      // BuildKit does not key its cache on secret values: a RUN text of its own keeps an earlier run's layer (and value) out.
      const dir = context(
        `FROM deploy-check-test/busybox:latest\nWORKDIR /app\nRUN --mount=type=secret,id=NPM_TOKEN echo ${randomBytes(4).toString('hex')} > /dev/null && cp /run/secrets/NPM_TOKEN /app/token.cache`,
      );
      const run = await check(dir, ['--build-secrets', `NPM_TOKEN=${value}`], host);
      const f = only(run, 'secret-value');
      assertFailingSecret(run, f);
      assert.equal(f.path, '/app/token.cache');
      assert.match(f.message, /the value of build secret NPM_TOKEN/);
      assert.equal(f.fingerprint, `${value.length} chars`);
      assertNowhere(value, run);
    });
  });
}

describe('permissions, accounts, the base image and look-alikes', { concurrent: true }, () => {
  test('setuid, world-writable, a USER with uid 0 and an empty shadow password', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hygiene-values-'));
    temps.push(dir);
    writeFileSync(path.join(dir, '.dockerignore'), '.git\n.env*\n');
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      [
        'FROM deploy-check-test/busybox:latest',
        'RUN mkdir -p /usr/local/bin && cp /bin/busybox /usr/local/bin/helper && chmod 4755 /usr/local/bin/helper',
        'RUN mkdir -p /srv/shared && chmod 777 /srv/shared && echo data > /srv/shared.txt && chmod 666 /srv/shared.txt',
        'RUN echo "svc:x:0:0:svc:/srv:/bin/sh" >> /etc/passwd && echo "svc::19000:0:99999:7:::" > /etc/shadow',
        'USER svc',
        'HEALTHCHECK --interval=1s CMD ["true"]',
        'CMD ["sh", "-c", "trap \'exit 0\' TERM; sleep 3600 & wait"]',
      ].join('\n'),
    );
    const run = await check(dir, ['--hygiene', 'fail']);
    const setuid = only(run, 'setuid-file');
    assert.equal(setuid.path, '/usr/local/bin/helper');
    assert.equal(setuid.line, 2);
    assert.ok(
      setuid.evidence.some((e) => e.includes('mode 4755')),
      setuid.evidence.join('\n'),
    );
    const writable = only(run, 'world-writable');
    assert.equal(writable.line, 3);
    assert.match(writable.message, /\/srv\/shared/);
    assert.match(writable.message, /\/srv\/shared\.txt/);
    const root = only(run, 'root-user');
    assert.match(root.message, /USER svc has uid 0 in the image's \/etc\/passwd/);
    assert.equal(root.line, 5);
    assert.equal(root.severity, 'error', 'fail mode fails on it');
    const shadow = only(run, 'empty-password');
    assert.match(shadow.message, /^svc has an empty password/);
    assert.equal(shadow.line, 4);
    assert.equal(run.exitCode, 1);

    // The same image in the default mode: none of these is a secret, so the check passes.
    const byDefault = await check(dir);
    assert.equal(byDefault.exitCode, 0, byDefault.stderr);
    assert.ok(byDefault.report.hygiene.findings.every((f) => f.severity !== 'error'));
    assert.equal(only(byDefault, 'root-user').severity, 'warning');
    assert.match(byDefault.stdout, /warning root-user/);
  });

  test('a secret and a setuid file in the base image are marked fromBase, as warnings with base-image advice', async () => {
    const base = `deploy-check-test/hygiene-base:${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    created.push({ image: base, host: MAIN_ENGINE });
    const key = fakeToken.aws();
    const inherited = fakeToken.github();
    const baseDir = context('FROM deploy-check-test/busybox:latest', {});
    writeFileSync(
      path.join(baseDir, 'Dockerfile'),
      `FROM deploy-check-test/busybox:latest\nENV VENDOR_CONFIG=${inherited}\nRUN mkdir -p /opt/vendor && echo "key=${key}" > /opt/vendor/settings.ini && cp /bin/busybox /opt/vendor/su-helper && chmod 4755 /opt/vendor/su-helper\n`,
    );
    dockerCli(['build', '-q', '-t', base, baseDir]);
    const dir = context(`FROM ${base}\nWORKDIR /app\nRUN echo ok > /app/ok.txt`);
    const run = await check(dir);
    assert.equal(run.exitCode, 0, `base-image findings warn, they do not fail:\n${run.stderr}`);
    const secret = only(run, 'secret-value');
    assert.equal(secret.layer?.fromBase, true);
    assert.equal(secret.severity, 'warning');
    assert.match(secret.fix ?? '', /base image/);
    assert.equal(secret.line, 1, 'points at FROM');
    const setuid = only(run, 'setuid-file');
    assert.equal(setuid.layer?.fromBase, true);
    assert.equal(setuid.severity, 'info');
    assert.doesNotMatch(setuid.fix ?? '', /apt-get clean/);
    const env = only(run, 'secret-env');
    assert.match(env.message, /^ENV VENDOR_CONFIG carries a GitHub token .*inherited from the base image/);
    assert.equal(env.layer?.fromBase, true);
    assert.equal(env.severity, 'warning');
    assertNowhere(key, run);
    assertNowhere(inherited, run);
  });

  test('.dockerignore gaps: only what a COPY takes, named as it is missing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hygiene-values-'));
    temps.push(dir);
    mkdirSync(path.join(dir, 'app'));
    mkdirSync(path.join(dir, '.git'));
    writeFileSync(path.join(dir, '.git/HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(path.join(dir, 'app/main.txt'), 'hello\n');
    writeFileSync(path.join(dir, '.dockerignore'), '.env\n');
    const dockerfile = (copy: string): void =>
      writeFileSync(path.join(dir, 'Dockerfile'), `FROM deploy-check-test/busybox:latest\nWORKDIR /srv\n${copy}\n${TAIL}\n`);

    dockerfile('COPY app/ /srv/app/');
    const onlyApp = await check(dir);
    assert.deepEqual(
      onlyApp.report.hygiene.findings.filter((f) => f.id === 'dockerignore-gaps'),
      [],
      'nothing the Dockerfile copies is missing',
    );

    dockerfile('COPY . /srv/');
    const everything = await check(dir);
    const gap = only(everything, 'dockerignore-gaps');
    assert.match(gap.message, /does not exclude \.env\.local, \.env\.production, \.git \(in the context/);
    assert.doesNotMatch(gap.message, /exclude \.env[ ,(]/, '.env itself is excluded');
    assert.match(gap.fix ?? '', /add \.env\*, \.git to \.dockerignore/);
  });

  test('a package cache and its subdirectory are one finding, counted once', async () => {
    const dir = context(
      'FROM deploy-check-test/busybox:latest\nRUN mkdir -p /var/cache/apt/archives && dd if=/dev/zero of=/var/cache/apt/archives/tool.deb bs=1024 count=64 2>/dev/null && dd if=/dev/zero of=/var/cache/apt/pkgcache.bin bs=1024 count=32 2>/dev/null',
    );
    const run = await check(dir);
    const cache = only(run, 'package-cache');
    assert.equal(cache.path, '/var/cache/apt');
    assert.match(cache.message, /98\.3 kB/);
    assert.equal(cache.line, 2);
  });

  test('flag values, publishable keys and public variables are not secrets', async () => {
    const dir = context(
      [
        'FROM deploy-check-test/busybox:latest',
        'ENV FEATURE_TOKEN=true REQUIRE_PASSWORD=0 API_KEY_ENABLED=false',
        `ENV STRIPE_PUBLISHABLE_KEY=pk_live_${pick(ALNUM, 24)} NEXT_PUBLIC_API_KEY=${pick(ALNUM, 20)} VITE_SENTRY_KEY=${pick(ALNUM, 24)}`,
        'WORKDIR /app',
        'COPY app.js /app/app.js',
      ].join('\n'),
      { 'app.js': `const url = process.env.DATABASE_URL || "postgres://app:\${DB_PASSWORD}@db/app";\nconst publishable = "pk_live_${pick(ALNUM, 24)}";\n` },
    );
    const run = await check(dir);
    assert.equal(run.exitCode, 0, run.stderr);
    const secrets = run.report.hygiene.findings.filter((f) => f.id.startsWith('secret-'));
    assert.deepEqual(secrets, []);
  });
});
