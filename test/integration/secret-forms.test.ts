/**
 * Values that are secrets by their form or by where they go, on the real engine:
 * - a token of a known format in a build argument with an ordinary name (VERSION_NOTE) and in
 *   the Dockerfile's RUN text, printed by the build before the hygiene scan runs;
 * - the password part of a URL the app receives, printed alone by the app;
 * - Compose: only the environment of the containers the run starts is masked (an unrelated
 *   service's `admin` or a value equal to a service name stays readable), a long secret cut by
 *   the app's log (`'changethi...'`) is masked, and the log names the short secrets once.
 * Every value is fresh each run; the apps print them on purpose and fail, so they land in the report.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { runActionSteps } from '../support/action-runner.ts';
import { leftovers, unavailable } from '../support/docker.ts';
import { removeImage, runIdOf, runLocal, tempApp, uniqueImage, type Report } from '../support/local-runner.ts';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const random = (n: number): string => Array.from({ length: n }, () => ALNUM[randomInt(ALNUM.length)]).join('');

const GITHUB = `ghp_${random(36)}`;
const GITLAB = `glpat-${random(20)}`;
const DB_PASSWORD = `Zr8-${random(14)}`;
const DB_URL = `postgres://app:${DB_PASSWORD}@db.internal:5432/app`;
const SECRETS = [GITHUB, GITLAB, DB_PASSWORD];

const apps: { remove: () => Promise<void> }[] = [];
const images: (string | null | undefined)[] = [];
afterAll(async () => {
  images.forEach(removeImage);
  await Promise.all(apps.map((a) => a.remove()));
});

/** The runner consumes ::add-mask:: commands; they never reach the log a person sees. */
function visibleLog(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

function assertNone(where: string, text: string, secrets: readonly string[] = SECRETS): void {
  for (const secret of secrets) {
    const at = text.indexOf(secret);
    assert.equal(at, -1, `${where} shows a secret (${secret.slice(0, 4)}…): ${text.slice(Math.max(0, at - 120), at + 20).replace(secret, '<secret>')}`);
  }
}

/** One app per entry: BuildKit shares identical steps of concurrent builds, and only one of them gets the output. */
const failingBuild = (entry: string): Promise<{ dir: string; remove: () => Promise<void> }> =>
  tempApp({
    Dockerfile: [
      'FROM deploy-check-test/busybox:latest',
      'EXPOSE 8000',
      'ARG VERSION_NOTE',
      `RUN echo "${entry}: release note $VERSION_NOTE" && echo "${entry}: fetching with PRIVATE-TOKEN ${GITLAB}" >&2 && exit 5`,
      '',
    ].join('\n'),
  });

/** Builds (its RUN text holds a token), then prints its database password alone and crashes. */
const passwordPrinter = (entry: string): Promise<{ dir: string; remove: () => Promise<void> }> =>
  tempApp({
    Dockerfile: [
      'FROM deploy-check-test/busybox:latest',
      'COPY start.sh /start.sh',
      `RUN echo "${entry}: fetching with PRIVATE-TOKEN ${GITLAB}" > /dev/null`,
      'EXPOSE 8000',
      'CMD ["/start.sh"]',
      '',
    ].join('\n'),
    'start.sh': ['#!/bin/sh', 'echo "connecting as app with password $(echo "$DB_URL" | cut -d: -f3 | cut -d@ -f1)"', 'exit 4', ''].join('\n'),
  });

describe('tokens and URL passwords are masked before the build prints them', { concurrent: true }, () => {
  test('action: a token in a build arg and in RUN text of a failing build: log, ::error, summary, report', async () => {
    const app = await failingBuild('action');
    apps.push(app);
    const run = await runActionSteps({
      inputs: { context: app.dir, image: uniqueImage('secret-forms-build'), 'build-args': `VERSION_NOTE=nightly ${GITHUB}` },
      cwd: app.dir,
    });
    const report = run.report as Report | null;
    images.push(report?.image.ref);
    assert.equal(run.main.exitCode, 1, run.main.stdout);
    assert.ok(report);
    assert.equal(report.build.status, 'failure');
    // The evidence is there, masked.
    assert.ok(report.build.failure?.logs.includes('action: release note nightly ***'), report.build.failure?.logs.join('\n'));
    assert.ok(report.build.failure?.logs.includes('action: fetching with PRIVATE-TOKEN ***'), report.build.failure?.logs.join('\n'));
    assert.match(run.main.stdout, new RegExp(`^::add-mask::${GITHUB}$`, 'm'));
    assert.match(run.main.stdout, new RegExp(`^::add-mask::${GITLAB}$`, 'm'));
    assert.match(run.main.stdout, /^::error /m);
    assertNone('the log', visibleLog(run.main.stdout));
    assertNone('stderr', run.main.stderr);
    assertNone('the post step', (run.post?.stdout ?? '') + (run.post?.stderr ?? ''));
    assertNone('the summary', run.summary);
    assertNone('the outputs', JSON.stringify(run.outputs));
    assertNone('the report', JSON.stringify(report));
    assert.match(run.summary, /release note nightly \*\*\*/);
  });

  test('local command: a token in a build arg and in RUN text of a failing build', async () => {
    const app = await failingBuild('local');
    apps.push(app);
    const run = await runLocal(['--context', app.dir, '--image', uniqueImage('secret-forms-build-local'), '--build-arg', `VERSION_NOTE=nightly ${GITHUB}`], {
      cwd: app.dir,
    });
    images.push(run.report?.image.ref);
    assert.equal(run.exitCode, 1, run.stderr);
    assert.ok(run.report?.build.failure?.logs.includes('local: release note nightly ***'), run.report?.build.failure?.logs.join('\n'));
    assert.match(run.stdout, /\| local: fetching with PRIVATE-TOKEN \*\*\*/);
    assertNone('stderr', run.stderr);
    assertNone('stdout', run.stdout);
    assertNone('the report', JSON.stringify(run.report));
  });

  test('action: the password of a masked DB_URL printed alone by the app; a token in RUN text of a build that passes', async () => {
    const app = await passwordPrinter('action');
    apps.push(app);
    const run = await runActionSteps({ inputs: { context: app.dir, image: uniqueImage('secret-forms-run'), env: `DB_URL=${DB_URL}` }, cwd: app.dir });
    const report = run.report as Report | null;
    images.push(report?.image.ref);
    assert.equal(run.main.exitCode, 1, run.main.stdout);
    assert.ok(report);
    assert.equal(report.build.status, 'success');
    assert.equal(report.health.container?.exitCode, 4);
    assert.ok(report.health.logs.includes('connecting as app with password ***'), report.health.logs.join('\n'));
    assert.match(run.main.stdout, new RegExp(`^::add-mask::${DB_PASSWORD}$`, 'm'));
    // The build's step list names the RUN line, token and all.
    assert.match(visibleLog(run.main.stdout), /RUN echo "action: fetching with PRIVATE-TOKEN \*\*\*"/);
    assertNone('the log', visibleLog(run.main.stdout));
    assertNone('stderr', run.main.stderr);
    assertNone('the summary', run.summary);
    assertNone('the outputs', JSON.stringify(run.outputs));
    assertNone('the report', JSON.stringify(report));
    assert.match(run.summary, /connecting as app with password \*\*\*/);
  });

  test('local command: the password of a masked DB_URL printed alone by the app', async () => {
    const app = await passwordPrinter('local');
    apps.push(app);
    const run = await runLocal(['--context', app.dir, '--image', uniqueImage('secret-forms-run-local'), '--env', `DB_URL=${DB_URL}`], { cwd: app.dir });
    images.push(run.report?.image.ref);
    assert.equal(run.exitCode, 1, run.stderr);
    assert.ok(run.report?.health.logs.includes('connecting as app with password ***'), run.report?.health.logs.join('\n'));
    assert.match(run.stderr, /RUN echo "local: fetching with PRIVATE-TOKEN \*\*\*"/);
    assertNone('stderr', run.stderr);
    assertNone('stdout', run.stdout);
    assertNone('the report', JSON.stringify(run.report));
  });
});

describe('Compose: the values the checked containers receive, whole and cut', () => {
  let skip = false;
  beforeAll(() => {
    let missing: string | false = false;
    try {
      execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    } catch {
      missing = 'docker compose (Compose v2)';
    }
    skip = unavailable(missing);
  });

  test("local command: an unrelated service's values stay readable, a cut secret is masked, the short one is named", async (ctx) => {
    if (skip) return ctx.skip();
    const secretKey = `changethis-${random(16)}`;
    const short = `Pw-${random(4)}`;
    const idle = `["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]`;
    const app = await tempApp({
      Dockerfile: ['FROM deploy-check-test/busybox:latest', 'COPY start.sh /start.sh', 'EXPOSE 8000', 'CMD ["/start.sh"]', ''].join('\n'),
      // A settings dump that cuts long values, as Django's and many loggers' do.
      'start.sh': [
        '#!/bin/sh',
        'echo "Including admin seed router"',
        `echo "settings: {'SECRET_KEY': '$(echo "$SECRET_KEY" | cut -c1-9)...'}"`,
        'echo "connecting with password $(echo "$DATABASE_URL" | cut -d: -f3 | cut -d@ -f1)"',
        'exit 4',
        '',
      ].join('\n'),
      'docker-compose.yml': [
        'services:',
        '  app:',
        '    build: .',
        '    environment:',
        `      SECRET_KEY: "${secretKey}"`,
        `      DATABASE_URL: "postgres://app:${short}@peerdb:5432/app"`,
        '    depends_on:',
        '      peerdb:',
        '        condition: service_started',
        '  peerdb:',
        '    image: deploy-check-test/busybox:latest',
        `    command: ${idle}`,
        '    environment:',
        `      DB_PASSWORD: "${short}"`,
        // Not started for the app: its values reach no container of the run.
        '  router:',
        '    image: deploy-check-test/busybox:latest',
        `    command: ${idle}`,
        '    environment:',
        '      ADMIN_PASSWORD: admin',
        '      UPSTREAM_SECRET: peerdb',
        '',
      ].join('\n'),
    });
    apps.push(app);
    const run = await runLocal(['--context', app.dir, '--compose-file', path.join(app.dir, 'docker-compose.yml'), '--hygiene', 'off'], {
      cwd: app.dir,
      keepImage: false,
    });
    assert.equal(run.exitCode, 1, run.stderr);
    const report = run.report;
    assert.ok(report);
    const services = (report as unknown as { services?: { name: string }[] }).services;
    assert.equal(report.health.container?.exitCode, 4, run.stderr);
    // Too broad before: the dependency's name and the app's words were masked by another service's values.
    assert.equal(services?.[0]?.name, 'peerdb');
    assert.match(run.stderr, /Compose: starting peerdb \(service_started\)/);
    assert.ok(report.health.logs.includes('Including admin seed router'), report.health.logs.join('\n'));
    // Too narrow before: the cut secret kept its first characters readable.
    assert.ok(report.health.logs.includes("settings: {'SECRET_KEY': '***...'}"), report.health.logs.join('\n'));
    assert.ok(report.health.logs.includes('connecting with password ***'), report.health.logs.join('\n'));
    const cut = secretKey.slice(0, 9);
    assertNone('stderr', run.stderr, [secretKey, cut, short]);
    assertNone('stdout', run.stdout, [secretKey, cut, short]);
    assertNone('the report', JSON.stringify(report), [secretKey, cut, short]);
    // Named once, by where it was found, never shown.
    assert.equal(run.stderr.match(/Short secrets are weak: [^\n]*Compose environment "DB_PASSWORD" of "peerdb"/g)?.length, 1, run.stderr);
    assert.deepEqual(leftovers(runIdOf(report)), { containers: [], networks: [] });
  });
});
