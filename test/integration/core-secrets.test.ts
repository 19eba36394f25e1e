/**
 * Secrets given through `env` or `build-secrets` never reach stdout, stderr, the job summary or
 * the JSON report, even when the app or the build prints them: apps here print them on purpose
 * and fail, so their logs land in the report.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { runActionSteps } from '../support/action-runner.ts';
import { removeImage, runLocal, tempApp, uniqueImage, type Report } from '../support/local-runner.ts';

const ENV_SECRET = 'pg-Secr3t-7f3a9c2e-password';
const TOKEN_SECRET = 'tok_live_51Hq8Z2eVx9';
const BUILD_SECRET = 'npm_Ab12Cd34Ef56Gh78';

const apps: { dir: string; remove: () => Promise<void> }[] = [];
const images: (string | null | undefined)[] = [];
let envApp: string;
let buildActionApp: string;
let buildLocalApp: string;

beforeAll(async () => {
  // Echoes its environment to the log, then crashes: the secret is in the container's logs.
  const env = await tempApp({
    Dockerfile: [
      'FROM deploy-check-test/busybox:latest',
      'EXPOSE 8000',
      'CMD ["sh", "-c", "echo \\"connecting to $DATABASE_URL\\"; env | sort; echo \\"token=$API_TOKEN\\" >&2; exit 4"]',
      '',
    ].join('\n'),
  });
  // Prints the build secret in the step that fails: the secret is in the build output. One app
  // per entry: BuildKit shares identical steps of concurrent builds, and only one of them gets the output.
  const build = async (entry: string): Promise<{ dir: string; remove: () => Promise<void> }> =>
    tempApp({
      Dockerfile: [
        'FROM deploy-check-test/busybox:latest',
        'EXPOSE 8000',
        `RUN --mount=type=secret,id=npm_token sh -c 'echo "${entry}: using token $(cat /run/secrets/npm_token)"; cat /run/secrets/npm_token >&2; exit 9'`,
        '',
      ].join('\n'),
    });
  const [buildAction, buildLocal] = await Promise.all([build('action'), build('local')]);
  apps.push(env, buildAction, buildLocal);
  envApp = env.dir;
  buildActionApp = buildAction.dir;
  buildLocalApp = buildLocal.dir;
});
afterAll(async () => {
  images.forEach(removeImage);
  await Promise.all(apps.map((a) => a.remove()));
});

function assertNoSecret(where: string, text: string): void {
  for (const secret of [ENV_SECRET, TOKEN_SECRET, BUILD_SECRET]) {
    assert.ok(!text.includes(secret), `${where} contains the secret ${secret.slice(0, 4)}…`);
  }
}

/** The runner consumes ::add-mask:: commands; they never reach the log a person sees. */
function visibleLog(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

describe('secrets stay out of every output', { concurrent: true }, () => {
  test('env values echoed by a crashing app: action', async () => {
    const run = await runActionSteps({
      inputs: { context: envApp, image: uniqueImage('secret-env'), env: `DATABASE_URL=${ENV_SECRET}\nAPI_TOKEN=${TOKEN_SECRET}\nMODE=ci` },
      cwd: envApp,
    });
    const report = run.report as Report | null;
    images.push(report?.image.ref);
    assert.equal(run.main.exitCode, 1);
    assert.ok(report);
    // The evidence is there, masked: the secret would have been in the logs.
    assert.equal(report.health.container?.exitCode, 4);
    assert.ok(report.health.logs.includes('connecting to ***'), report.health.logs.join('\n'));
    assert.ok(report.health.logs.includes('API_TOKEN=***'));
    assert.ok(report.health.logs.includes('token=***'));
    assert.ok(report.health.logs.includes('MODE=ci'));
    // Both values were registered with the runner for masking.
    assert.match(run.main.stdout, new RegExp(`^::add-mask::${ENV_SECRET}$`, 'm'));
    assert.match(run.main.stdout, new RegExp(`^::add-mask::${TOKEN_SECRET}$`, 'm'));

    assertNoSecret('stdout', visibleLog(run.main.stdout));
    assertNoSecret('stderr', run.main.stderr);
    assertNoSecret('the post step', (run.post?.stdout ?? '') + (run.post?.stderr ?? ''));
    assertNoSecret('the summary', run.summary);
    assertNoSecret('the report', JSON.stringify(report));
    assertNoSecret('the outputs', JSON.stringify(run.outputs));
    assert.match(run.summary, /connecting to \*\*\*/);
  });

  test('env values echoed by a crashing app: local command', async () => {
    const run = await runLocal(
      ['--context', envApp, '--image', uniqueImage('secret-env-local'), '--env', `DATABASE_URL=${ENV_SECRET}`, '--env', `API_TOKEN=${TOKEN_SECRET}`],
      { cwd: envApp },
    );
    images.push(run.report?.image.ref);
    assert.equal(run.exitCode, 1);
    assert.ok(run.report);
    assert.ok(run.report.health.logs.includes('connecting to ***'));
    assert.match(run.stdout, /\| connecting to \*\*\*/);
    assertNoSecret('stdout', run.stdout);
    assertNoSecret('stderr', run.stderr);
    assertNoSecret('the report', JSON.stringify(run.report));
  });

  test('a build secret printed by the failing step: action', async () => {
    const run = await runActionSteps({
      inputs: { context: buildActionApp, image: uniqueImage('secret-build'), 'build-secrets': `npm_token=${BUILD_SECRET}` },
      cwd: buildActionApp,
    });
    const report = run.report as Report | null;
    assert.equal(run.main.exitCode, 1);
    assert.ok(report);
    assert.equal(report.build.status, 'failure');
    assert.match(report.build.failure?.step ?? '', /RUN --mount=type=secret,id=npm_token/);
    assert.ok(report.build.failure?.logs.includes('action: using token ***'), report.build.failure?.logs.join('\n'));
    assert.ok(report.build.failure?.logs.includes('***'));
    assertNoSecret('stdout', visibleLog(run.main.stdout));
    assertNoSecret('stderr', run.main.stderr);
    assertNoSecret('the summary', run.summary);
    assertNoSecret('the report', JSON.stringify(report));
    assert.match(run.summary, /action: using token \*\*\*/);
  });

  test('a build secret printed by the failing step: local command', async () => {
    const run = await runLocal(['--context', buildLocalApp, '--image', uniqueImage('secret-build-local'), '--build-secret', `npm_token=${BUILD_SECRET}`], {
      cwd: buildLocalApp,
    });
    assert.equal(run.exitCode, 1);
    assert.ok(run.report?.build.failure?.logs.includes('local: using token ***'), run.report?.build.failure?.logs.join('\n'));
    assert.match(run.stdout, /\| local: using token \*\*\*/);
    assertNoSecret('stdout', run.stdout);
    assertNoSecret('stderr', run.stderr);
    assertNoSecret('the report', JSON.stringify(run.report));
  });
});
