/**
 * Build edges, with fixtures in the shapes of BuildKit's own test Dockerfiles, through the local
 * command and the bundled action:
 * - edge-failing-run: a global ARG names the base; the last RUN prints to stdout and stderr, then
 *   fails. The failure names Dockerfile:6, keeps the step's output, shows line 6 as written, and
 *   the annotation sits on that line.
 * - edge-multiline-run/Dockerfile.ci: a RUN over four lines (a tab, continuation backslashes)
 *   fails. All four lines are shown as written, not BuildKit's one-line name.
 * - edge-copy-link: two stages, two `COPY --link` (one --from the other stage). BuildKit runs each
 *   as two vertexes (COPY and LINK); the report counts 6 steps, in the Dockerfile's order.
 * - a Dockerfile with a typo'd instruction (no step fails): the reason is not "Build failed:
 *   ERROR: failed to solve: ...".
 * Runs one at a time: the same failing step built twice at once would give its output to one only.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { runActionSteps, type ActionRun } from '../support/action-runner.ts';
import { fixture, removeImage, runLocal, tempApp, uniqueImage, type LocalRun, type Report } from '../support/local-runner.ts';

interface Source {
  file: string;
  line: number;
  endLine: number;
  lines: string[];
}
type FailureReport = Report & { build: Report['build'] & { failure: (NonNullable<Report['build']['failure']> & { source?: Source | null }) | null } };

const images: (string | null | undefined)[] = [];
afterAll(() => images.forEach(removeImage));

function fileLines(file: string, from: number, to: number): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(from - 1, to);
}

async function local(name: string, args: string[]): Promise<LocalRun & { report: FailureReport }> {
  const run = await runLocal(['--context', fixture(name), ...args], { cwd: fixture(name) });
  images.push(run.report?.image.ref);
  assert.ok(run.report, `no report; stderr:\n${run.stderr}`);
  return run as LocalRun & { report: FailureReport };
}

async function action(name: string, inputs: Record<string, string>): Promise<ActionRun & { report: FailureReport }> {
  const run = await runActionSteps({ inputs: { context: fixture(name), ...inputs }, cwd: fixture(name) });
  images.push((run.report as Report | null)?.image.ref);
  assert.ok(run.report, `no report; stdout:\n${run.main.stdout}`);
  return run as ActionRun & { report: FailureReport };
}

describe('a failing RUN names its Dockerfile line', () => {
  const dockerfile = (): string => path.join(fixture('edge-failing-run'), 'Dockerfile');
  const LINE = 'RUN echo "checking the configuration"; echo "config missing: /etc/app.conf" >&2; exit 4';

  test('local command: the line, its text, the step output, an error on Dockerfile:6', async () => {
    assert.equal(fileLines(dockerfile(), 6, 6)[0], LINE, 'the fixture changed');
    const run = await local('edge-failing-run', ['--wait-for', 'log:never']);
    assert.equal(run.exitCode, 1);
    const failure = run.report.build.failure;
    assert.deepEqual(failure?.source, { file: dockerfile(), line: 6, endLine: 6, lines: [LINE] });
    // The step printed output; the excerpt is kept all the same, and the output is not lost either.
    assert.deepEqual([...failure.logs].sort(), ['checking the configuration', 'config missing: /etc/app.conf']);
    assert.match(failure.step ?? '', /\] RUN echo "checking the configuration"/);
    assert.match(run.stdout, /^✘ deploy-check failed: Build failed at Dockerfile:6: step \[/m);
    assert.match(
      run.stdout,
      /^Failing instruction, Dockerfile:6:\n {2}6 > RUN echo "checking the configuration"; echo "config missing: \/etc\/app\.conf" >&2; exit 4$/m,
    );
    assert.match(run.stdout, /\| config missing: \/etc\/app\.conf/);
    assert.doesNotMatch(run.stdout + run.stderr, /ERROR: failed to solve/);
    assert.match(run.report.reasons[0] ?? '', /^Build failed at Dockerfile:6: step \[[^\]]+\] RUN echo "checking the configuration".* failed: exit code: 4$/);
  });

  test('action: the annotation sits on Dockerfile line 6; the summary shows the line', async () => {
    const run = await action('edge-failing-run', { 'wait-for': 'log:never' });
    assert.equal(run.main.exitCode, 1);
    assert.match(run.main.stdout, /^::error [^\n]*file=Dockerfile,line=6,endLine=6[^\n]*::Build failed at Dockerfile:6: step \[/m);
    assert.equal(run.main.stdout.match(/^::error/gm)?.length, 1, 'one annotation');
    assert.equal(run.report.build.failure?.source?.line, 6);
    assert.match(run.summary, /At <code>Dockerfile:6<\/code>, step <code>/);
    assert.ok(run.summary.includes(`6 | ${LINE}`), run.summary);
    assert.match(run.summary, /config missing: \/etc\/app\.conf/);
    assert.doesNotMatch(run.summary + run.main.stdout, /ERROR: failed to solve/);
  });
});

describe('a failing multi-line RUN is shown as written', () => {
  const dockerfile = (): string => path.join(fixture('edge-multiline-run'), 'Dockerfile.ci');
  const lines = (): string[] => fileLines(dockerfile(), 7, 10);

  test('local command: lines 7-10 of Dockerfile.ci, tab and backslashes kept', async () => {
    assert.equal(lines()[1], '\tmkdir -p /app/lib && \\', 'the fixture changed');
    const run = await local('edge-multiline-run', ['--dockerfile', 'Dockerfile.ci', '--wait-for', 'log:never']);
    assert.equal(run.exitCode, 1);
    assert.deepEqual(run.report.build.failure?.source, { file: dockerfile(), line: 7, endLine: 10, lines: lines() });
    assert.match(run.stdout, /^✘ deploy-check failed: Build failed at Dockerfile\.ci:7-10: /m);
    assert.ok(
      run.stdout.includes(['Failing instruction, Dockerfile.ci:7-10:', ...lines().map((l, i) => `  ${String(7 + i).padStart(2)} > ${l}`)].join('\n')),
      run.stdout,
    );
    // BuildKit's own name of the step is one line; the report keeps it as the step's name.
    assert.doesNotMatch(run.report.build.failure.step ?? '', /\\\n/);
  });

  test('action: annotation on lines 7-10 of Dockerfile.ci; the summary holds the four lines', async () => {
    const run = await action('edge-multiline-run', { dockerfile: 'Dockerfile.ci', 'wait-for': 'log:never' });
    assert.equal(run.main.exitCode, 1);
    assert.match(run.main.stdout, /^::error [^\n]*file=Dockerfile\.ci,line=7,endLine=10[^\n]*::Build failed at Dockerfile\.ci:7-10: /m);
    assert.ok(
      run.summary.includes(
        lines()
          .map((l, i) => `${String(7 + i).padStart(2)} | ${l}`)
          .join('\n'),
      ),
      run.summary,
    );
    assert.match(run.summary, /At <code>Dockerfile\.ci:7-10<\/code>/);
    assert.match(run.summary, /^### ❌ deploy-check failed: Build failed at Dockerfile\.ci:7-10: step /m);
  });
});

describe("an error that is no step's", () => {
  let app: { dir: string; remove: () => Promise<void> };
  beforeAll(async () => {
    // A flag BuildKit does not know: refused by its parser, not by deploy-check's own check of the Dockerfile.
    app = await tempApp({ Dockerfile: 'FROM deploy-check-test/busybox:latest\nRUN echo ok\nCOPY --bogus=1 a b\nCMD ["true"]\n' });
  });
  afterAll(() => app.remove());

  test('local command: no doubled prefix; the line is named', async () => {
    const run = await runLocal(['--context', app.dir, '--wait-for', 'log:never'], { cwd: app.dir });
    const report: FailureReport | null = run.report;
    assert.equal(run.exitCode, 1);
    assert.equal(report?.reasons[0], 'Build failed at Dockerfile:3: dockerfile parse error on line 3: unknown flag: bogus');
    assert.deepEqual(report.build.failure?.source, { file: path.join(app.dir, 'Dockerfile'), line: 3, endLine: 3, lines: ['COPY --bogus=1 a b'] });
    assert.match(run.stdout, /^✘ deploy-check failed: Build failed at Dockerfile:3: dockerfile parse error/m);
    assert.doesNotMatch(run.stderr + run.stdout, /Build failed: ERROR|failed: failed to solve/);
  });
});

describe('COPY --link counts as one step', () => {
  // The FROM is left out: BuildKit names a vertex that builds sharing the engine have in common
  // after the first build that asked for it. RUN_ID makes every other step this run's own.
  const ORDER = ['[assets 2/2]', '[stage-1 1/4]', '[stage-1 2/4]', '[stage-1 3/4]', '[stage-1 4/4]'];
  const keys = (report: Report): string[] =>
    report.build.steps.list.filter((s) => !/\] FROM /.test(s.name)).map((s) => /^\[[^\]]+\]/.exec(s.name)?.[0] ?? s.name);
  const runId = (): string => `RUN_ID=${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

  test('local command, twice: 6 steps each time, none a LINK, in Dockerfile order', async () => {
    const image = uniqueImage('edge-copy-link');
    const buildArg = runId();
    for (let i = 0; i < 2; i++) {
      const run = await local('edge-copy-link', ['--image', image, '--build-args', buildArg, '--wait-for', 'log:copy-link ready', '--hygiene', 'off']);
      assert.equal(run.exitCode, 0, run.report.reasons.join('\n'));
      const { steps } = run.report.build;
      assert.equal(steps.total, 6);
      assert.equal(steps.list.length, 6);
      assert.ok(steps.cached <= 6);
      assert.ok(
        steps.list.every((s) => !/\] LINK /.test(s.name)),
        steps.list.map((s) => s.name).join('\n'),
      );
      // BuildKit may name a FROM shared with another build after that build's stage: the
      // instructions of this Dockerfile's own are what the order is checked on.
      assert.deepEqual(keys(run.report), ORDER);
      assert.match(run.stdout, new RegExp(`build +success in .*, ${steps.cached}/6 steps cached`));
      // The log names each COPY --link once.
      assert.equal(run.stderr.match(/COPY --link app\.txt \.\/app\.txt/g)?.length, 1, run.stderr);
      assert.doesNotMatch(run.stderr, /LINK COPY/);
    }
  });

  test('action: 6 steps in the summary', async () => {
    const run = await action('edge-copy-link', {
      image: uniqueImage('edge-copy-link'),
      'build-args': runId(),
      'wait-for': 'log:copy-link ready',
      hygiene: 'off',
    });
    assert.equal(run.main.exitCode, 0, run.main.stdout);
    assert.equal(run.report.build.steps.total, 6);
    assert.deepEqual(keys(run.report), ORDER);
    assert.match(run.summary, /\/6 steps cached/);
    assert.doesNotMatch(run.main.stdout, /LINK COPY/);
  });
});
