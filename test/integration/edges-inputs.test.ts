/**
 * Inputs at their edges, through the local command and the bundled action:
 * - "A=1\nB=2" typed with plain quotes (a backslash and an n, not a line break) in build-args,
 *   env, build-secrets or add-hosts is refused with exit 2, naming the input, before any work.
 * - edge-build-inputs: a build that needs two build args and two build secrets, and a container
 *   that prints two env values and counts two extra hosts. Repeating each flag adds up; so does
 *   one argument with real line breaks, and the action's multi-line inputs.
 * - edge-short-secret: a RUN prints a 2-character build secret, then fails. The value is in
 *   no log, report, summary, comment or terminal output; the log says once that it is weak.
 */
import assert from 'node:assert/strict';
import { afterAll, describe, test } from 'vitest';
import { runActionSteps } from '../support/action-runner.ts';
import { pullRequestEvent, startGitHubServer } from '../support/github-server.ts';
import { fixture, removeImage, runLocal, tempApp, uniqueImage, type Report } from '../support/local-runner.ts';

const images: (string | null | undefined)[] = [];
afterAll(() => images.forEach(removeImage));

/** The runner consumes ::add-mask:: commands; they never reach the log a person sees. */
function visibleLog(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

const SECRETISH = 'Sup3rS3cr3tValue';
const literal: { input: string; value: string }[] = [
  { input: 'build-args', value: `RELEASE=1.4.2\\nCHANNEL=${SECRETISH}` },
  { input: 'env', value: `REGION=eu\\nTIER=${SECRETISH}` },
  { input: 'build-secrets', value: `npm_token=${SECRETISH}\\npip_token=${SECRETISH}` },
  { input: 'add-hosts', value: 'alpha.internal:10.0.0.1\\nbeta.internal:10.0.0.2' },
];

describe('a literal backslash-n is refused', { concurrent: true }, () => {
  for (const { input, value } of literal) {
    test(`local command, --${input}: exit 2, naming the input, value not shown`, async () => {
      const run = await runLocal(['--context', fixture('edge-build-inputs'), `--${input}`, value]);
      assert.equal(run.exitCode, 2, run.stdout + run.stderr);
      assert.match(run.stderr, new RegExp(`^deploy-check: Input "${input}": .*holds a literal "\\\\n"`, 'm'));
      assert.equal(run.stderr.includes(SECRETISH), false, run.stderr);
      assert.equal(run.report, null);
      assert.doesNotMatch(run.stderr, /▸ Build/);
    });
  }

  for (const { input, value } of literal.slice(0, 3)) {
    test(`action, ${input}: the step fails before any work, naming the input`, async () => {
      const run = await runActionSteps({ inputs: { context: fixture('edge-build-inputs'), [input]: value }, cwd: fixture('edge-build-inputs') });
      assert.equal(run.main.exitCode, 1);
      assert.match(run.main.stdout, new RegExp(`^::error::Input "${input}": line 1 holds a literal "\\\\n" followed by [A-Za-z_]+=`, 'm'));
      assert.equal(run.outputs['report'], undefined);
      assert.doesNotMatch(run.main.stdout, /##\[group\]Build/);
      assert.equal(visibleLog(run.main.stdout).includes(SECRETISH) || run.summary.includes(SECRETISH), false);
    });
  }

  test('the usage shows how to give several lines in a shell', async () => {
    const run = await runLocal(['--help'], { report: false });
    assert.equal(run.exitCode, 0);
    assert.match(run.stdout, /--build-args \$'A=1\\nB=2'/);
    assert.match(run.stdout, /repeat the flag for more \(they add up\)/);
    assert.doesNotMatch(run.stdout, /"K=V\\nK2=V2"/);
  });
});

describe('several values: repeated flags, line breaks, multi-line inputs', () => {
  const READY = 'log:ready region=eu tier=web hosts=2';

  test('local command, each flag repeated: every value arrives', async () => {
    const run = await runLocal([
      '--context',
      fixture('edge-build-inputs'),
      '--image',
      uniqueImage('edge-inputs'),
      '--hygiene',
      'off',
      '--wait-for',
      READY,
      '--health-timeout',
      '30s',
      '--build-args',
      'RELEASE=1.4.2',
      '--build-args',
      'CHANNEL=stable',
      '--build-secrets',
      'npm_token=npm-7f3a9c2e5b',
      '--build-secrets',
      'pip_token=pip-0d1e2f3a4b',
      '--env',
      'REGION=eu',
      '--env',
      'TIER=web',
      '--add-hosts',
      'alpha.internal:10.0.0.1',
      '--add-hosts',
      'beta.internal:10.0.0.2',
    ]);
    images.push(run.report?.image.ref);
    assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
    assert.equal(run.report?.health.status, 'healthy');
  });

  test('local command, singular and plural flags mixed, and real line breaks in one argument', async () => {
    const run = await runLocal([
      '--context',
      fixture('edge-build-inputs'),
      '--image',
      uniqueImage('edge-inputs'),
      '--hygiene',
      'off',
      '--wait-for',
      READY,
      '--health-timeout',
      '30s',
      '--build-args',
      'RELEASE=1.4.2\nCHANNEL=stable',
      '--build-secret',
      'npm_token=npm-7f3a9c2e5b',
      '--build-secrets',
      'pip_token=pip-0d1e2f3a4b',
      '--env',
      'REGION=eu\nTIER=web',
      '--add-host',
      'alpha.internal:10.0.0.1',
      '--add-hosts',
      'beta.internal:10.0.0.2',
    ]);
    images.push(run.report?.image.ref);
    assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
  });

  test('only one of two build args: the build says which one it got', async () => {
    const run = await runLocal([
      '--context',
      fixture('edge-build-inputs'),
      '--image',
      uniqueImage('edge-inputs'),
      '--hygiene',
      'off',
      '--wait-for',
      READY,
      '--build-args',
      'RELEASE=1.4.2',
    ]);
    images.push(run.report?.image.ref);
    assert.equal(run.exitCode, 1);
    assert.ok(run.report?.build.failure?.logs.includes('got RELEASE=[1.4.2] CHANNEL=[]'), run.report?.build.failure?.logs.join('\n'));
  });

  test('action, multi-line inputs', async () => {
    const run = await runActionSteps({
      inputs: {
        context: fixture('edge-build-inputs'),
        image: uniqueImage('edge-inputs'),
        hygiene: 'off',
        'wait-for': READY,
        'health-timeout': '30s',
        'build-args': 'RELEASE=1.4.2\nCHANNEL=stable\n',
        'build-secrets': 'npm_token=npm-7f3a9c2e5b\npip_token=pip-0d1e2f3a4b',
        env: 'REGION=eu\nTIER=web',
        'add-hosts': 'alpha.internal:10.0.0.1\nbeta.internal:10.0.0.2',
      },
      cwd: fixture('edge-build-inputs'),
    });
    images.push((run.report as Report | null)?.image.ref);
    assert.equal(run.main.exitCode, 0, run.main.stdout);
    assert.equal(run.outputs['healthy'], 'true');
  });
});

describe('a 2-character secret appears nowhere', () => {
  const SECRET = 'Q7';
  const WEAK = /Short secrets are weak: build secret "MYSECRET" has fewer than 8 characters/g;

  function assertAbsent(where: string, text: string): void {
    assert.equal(text.includes(SECRET), false, `${where} shows the secret: ${text.slice(Math.max(0, text.indexOf(SECRET) - 200), text.indexOf(SECRET) + 50)}`);
  }

  test('local command: log, terminal, report', async () => {
    const run = await runLocal(['--context', fixture('edge-short-secret'), '--wait-for', 'log:never', '--build-secrets', `MYSECRET=${SECRET}`], {
      cwd: fixture('edge-short-secret'),
    });
    assert.equal(run.exitCode, 1);
    assert.ok(run.report);
    // The evidence is there, masked.
    assert.ok(run.report.build.failure?.logs.includes('deploying with key ***'), run.report.build.failure?.logs.join('\n'));
    assert.match(run.stdout, /\| deploying with key \*\*\*/);
    assertAbsent('stderr', run.stderr);
    assertAbsent('stdout', run.stdout);
    assertAbsent('the report', JSON.stringify(run.report));
    assert.equal(run.stderr.match(WEAK)?.length, 1, run.stderr);
  });

  test('local command: a 2-character env secret the app prints is masked in its logs', async () => {
    const app = await tempApp({
      Dockerfile: ['FROM deploy-check-test/busybox:latest', 'CMD ["sh", "-c", "echo \\"api key is $API_KEY\\"; echo \\"mode $MODE\\"; exit 4"]', ''].join('\n'),
    });
    try {
      const run = await runLocal(
        [
          '--context',
          app.dir,
          '--image',
          uniqueImage('edge-env-secret'),
          '--wait-for',
          'log:never',
          '--hygiene',
          'off',
          '--env',
          `API_KEY=${SECRET}`,
          '--env',
          'MODE=ci',
        ],
        { cwd: app.dir },
      );
      images.push(run.report?.image.ref);
      assert.equal(run.exitCode, 1);
      assert.deepEqual(run.report?.health.logs, ['api key is ***', 'mode ci']);
      assertAbsent('stdout', run.stdout);
      assertAbsent('stderr', run.stderr);
      assertAbsent('the report', JSON.stringify(run.report));
      assert.match(run.stderr, /Short secrets are weak: env "API_KEY" has fewer than 8 characters/);
    } finally {
      await app.remove();
    }
  });

  test('action on a pull request: log, summary, outputs, report and comment', async () => {
    const pr = { owner: 'acme', repo: 'shop', number: 31, headRef: 'feature/short-secret', headSha: 'c'.repeat(40), baseRef: 'main' };
    const server = await startGitHubServer({ pulls: [pr] });
    try {
      const run = await runActionSteps({
        inputs: {
          context: fixture('edge-short-secret'),
          'wait-for': 'log:never',
          'build-secrets': `MYSECRET=${SECRET}`,
          'github-token': 'ghs_installation_token',
        },
        cwd: fixture('edge-short-secret'),
        eventName: 'pull_request',
        eventPayload: pullRequestEvent({ ...pr, action: 'synchronize' }),
        env: {
          GITHUB_API_URL: server.url,
          GITHUB_HEAD_REF: pr.headRef,
          GITHUB_BASE_REF: pr.baseRef,
          GITHUB_REF: `refs/pull/${pr.number}/merge`,
          GITHUB_SHA: 'e'.repeat(40),
        },
      });
      assert.equal(run.main.exitCode, 1);
      const report = run.report as Report | null;
      assert.ok(report?.build.failure?.logs.includes('deploying with key ***'), JSON.stringify(report?.build.failure));
      // Registered with the runner, which hides it too.
      assert.match(run.main.stdout, new RegExp(`^::add-mask::${SECRET}$`, 'm'));
      assertAbsent('the log', visibleLog(run.main.stdout));
      assertAbsent('stderr', run.main.stderr);
      assertAbsent('the post step', (run.post?.stdout ?? '') + (run.post?.stderr ?? ''));
      assertAbsent('the summary', run.summary);
      assertAbsent('the outputs', JSON.stringify(run.outputs));
      assertAbsent('the report', JSON.stringify(report));
      assert.match(run.summary, /deploying with key \*\*\*/);
      const comments = server.comments(pr.owner, pr.repo, pr.number);
      assert.equal(comments.length, 1);
      assert.match(comments[0]?.body ?? '', /deploying with key \*\*\*/);
      assertAbsent('the comment', comments[0]?.body ?? '');
      assert.equal(run.main.stdout.match(WEAK)?.length, 1);
      assert.match(run.main.stdout, /^::warning::Short secrets are weak/m);
      assert.deepEqual(server.violations, []);
    } finally {
      await server.close();
    }
  });
});
