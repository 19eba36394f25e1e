/**
 * Nothing the repository or the app writes starts a workflow command or reaches a reader as a
 * raw control character. The app of `hostile-output` logs, and answers its health check with,
 * `::set-output name=verdict::pass`, `::warning::…`, `::add-mask::…`, ESC[2J and CRs; its
 * pre-deploy command and a directory name in the image do the same. The bundled action's output is
 * read as GitHub's runner reads it (stop-commands honoured); the local command's must hold no ESC
 * or CR. A health path with a line break in railway.json or the input is refused before any work.
 */
import assert from 'node:assert/strict';
import { afterAll, describe, test } from 'vitest';
import { readsAsWorkflowCommand } from '../../src/host/log.ts';
import type { CheckReport } from '../../src/model/report.ts';
import { runActionSteps } from '../support/action-runner.ts';
import { leftovers } from '../support/docker.ts';
import { fixture, removeImage, runIdOf, runLocal, runLocalBuilt, tempApp, uniqueImage } from '../support/local-runner.ts';
import { workflowCommands, type WorkflowCommand } from '../support/workflow-commands.ts';

const images: (string | null | undefined)[] = [];
const apps: { remove: () => Promise<void> }[] = [];
afterAll(async () => {
  images.forEach(removeImage);
  await Promise.all(apps.map((a) => a.remove()));
});

/** Commands deploy-check never issues on stdout (outputs and state go through files; no secret is given here). */
const NEVER_ISSUED = new Set(['set-output', 'set-env', 'save-state', 'add-path', 'add-mask', 'add-matcher', 'remove-matcher', 'echo', 'pause-logging']);

/** Commands the runner would act on that the product did not issue: every payload's text starts with "x". */
function injected(output: string): WorkflowCommand[] {
  return workflowCommands(output).filter((c) => NEVER_ISSUED.has(c.name.toLowerCase()) || /^x(?:-|$)/.test(c.data));
}

function assertNoInjection(where: string, output: string): void {
  const found = injected(output);
  assert.deepEqual(
    found.map((c) => c.line),
    [],
    `${where} starts workflow commands the product did not intend:\n${output}`,
  );
}

function assertNoRawControls(where: string, text: string): void {
  // eslint-disable-next-line no-control-regex
  const raw = /[\u001b\r\u0007]/.exec(text);
  assert.equal(
    raw,
    null,
    `${where} holds a raw control character (${JSON.stringify(raw?.[0])}) near ${JSON.stringify(text.slice(Math.max(0, (raw?.index ?? 0) - 80), (raw?.index ?? 0) + 40))}`,
  );
}

const HOSTILE = fixture('hostile-output');

// One at a time: two builds of the same Dockerfile at once trip BuildKit's "not found" race on this engine.
describe('app and repository output never starts a workflow command', () => {
  test('action: logs, health body, pre-deploy output and file names with commands, ESC and CR', async () => {
    const run = await runActionSteps({
      inputs: { context: HOSTILE, image: uniqueImage('hostile-output'), 'health-timeout': '4s' },
      cwd: HOSTILE,
    });
    const report = run.report as CheckReport | null;
    images.push(report?.image.ref);
    assert.ok(report, `no report (exit ${run.main.exitCode}):\n${run.main.stdout}\n${run.main.stderr}`);
    assert.deepEqual(leftovers(run.state['run-id']), { containers: [], networks: [] });
    // The payloads were really there: in the report, which keeps them as data.
    assert.equal(report.build.status, 'success', report.reasons.join('\n'));
    assert.equal(report.preDeploy?.status, 'passed');
    assert.ok(report.preDeploy.commands[0]?.logs.includes('step 1 of 2\r::warning::x-predeploy-after-cr'), JSON.stringify(report.preDeploy.commands[0]?.logs));
    assert.equal(report.health.status, 'unhealthy');
    assert.match(report.health.lastHttp?.body ?? '', /^::error::x-body$/m);
    assert.ok(report.health.logs.includes('::set-output name=verdict::pass'), report.health.logs.join('\n'));
    assert.ok(
      report.hygiene.findings.some((f) => f.message.includes('/srv/upload\n::warning::x-file-name\u001b[2J\r')),
      JSON.stringify(report.hygiene.findings),
    );

    assert.equal(run.main.exitCode, 1);
    assert.equal(run.outputs['verdict'], 'fail');
    for (const [where, text] of [
      ['main stdout', run.main.stdout],
      ['main stderr', run.main.stderr],
      ['post stdout', run.post?.stdout ?? ''],
      ['post stderr', run.post?.stderr ?? ''],
    ] as const) {
      assertNoInjection(where, text);
      assertNoRawControls(where, text);
    }
    assertNoRawControls('the job summary', run.summary);
    // The pre-deploy command (.railway/railway.ts) holds a line break: its "$ command" line goes between stop-commands, as text.
    assert.match(run.main.stdout, /^::stop-commands::([0-9a-f]{32})\n\$ sh -c '\/usr\/local\/bin\/predeploy\.sh\n::warning::x-command\ntrue'\n::\1::$/m);
    // The legacy form is read anywhere in a line: that quoted line goes between stop-commands too.
    assert.match(run.main.stdout, /^::stop-commands::([0-9a-f]{32})\n {2}\| note: ##\[add-mask\]x-predeploy-v1\n::\1::$/m);
    // What the runner prints is still readable: the pre-deploy lines keep their prefix, control characters written out.
    assert.match(run.main.stdout, /^ {2}\| step 1 of 2\\r::warning::x-predeploy-after-cr$/m);
    assert.match(run.main.stdout, /^ {2}\| \\x1b\]0;retitled\\x07\\x1b\[2Jmigrated$/m);
  });

  test('local command: no raw ESC or CR, and every quoted line behind its prefix', async () => {
    // The tag it made up is removed after the file (runLocal's --keep-image).
    const run = await runLocalBuilt(() => runLocal(['--context', HOSTILE, '--health-timeout', '4s'], { cwd: HOSTILE }));
    const runId = runIdOf(run.report);
    assert.ok(runId);
    assert.deepEqual(leftovers(runId), { containers: [], networks: [] });
    assert.equal(run.exitCode, 1);
    assert.equal(run.report.health.status, 'unhealthy');
    for (const [where, text] of [
      ['stdout', run.stdout],
      ['stderr', run.stderr],
    ] as const) {
      assertNoRawControls(where, text);
      // A workflow step may run the local command too.
      assertNoInjection(where, text);
    }
    // The body stays on its line, its line breaks written out; the logs stay behind "  | ".
    assert.match(
      run.stdout,
      /body: database unavailable\\n::set-output name=verdict::pass\\n::error::x-body\\n\\x1b\[2Jcleared\\nretry\\r::warning::x-body-after-cr/,
    );
    assert.match(run.stdout, /^ {2}\| \\x1b\[2Jscreen cleared$/m);
    assert.match(run.stdout, /^ {2}\| progress 10%\\r::error::x-log-after-cr$/m);
    // The finding names the directory on one line.
    assert.match(run.stdout, /\(\/srv\/upload\\n::warning::x-file-name\\x1b\[2J\\r\)/);
    assert.match(run.stdout, /^ {2}\| ##\\\[warning\]x-log-v1$/m);
    for (const line of `${run.stdout}\n${run.stderr}`.split('\n'))
      assert.equal(readsAsWorkflowCommand(line), false, `a line reads as a workflow command: ${line}`);
  });
});

describe('a health path that is not one path is refused before any work', { concurrent: true }, () => {
  const railwayApp = async (healthcheckPath: string): Promise<string> => {
    const app = await tempApp({
      Dockerfile: 'FROM deploy-check-test/busybox:latest\nEXPOSE 8000\nCMD ["sh", "-c", "sleep 600"]\n',
      'railway.json': JSON.stringify({ deploy: { healthcheckPath } }, null, 2),
    });
    apps.push(app);
    return app.dir;
  };

  // A Railway that still reads railway.json (railway-config-file): the path would be used, so it is refused.
  test('railway.json deploy.healthcheckPath with a line break: local command exits 2 naming the field', async () => {
    const dir = await railwayApp('/health\n::warning::x');
    const run = await runLocal(['--context', dir, '--railway-config-file', 'true'], { cwd: dir });
    assert.equal(run.exitCode, 2, run.stderr);
    assert.equal(run.report, null);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(
      lines[0] ?? '',
      /^deploy-check: Input "railway\.json deploy\.healthcheckPath": "\/health\\n::warning::x" holds a control character .*at most 2048 printable characters without spaces/,
    );
    assertNoInjection('stderr', run.stderr);
  });

  test('railway.json deploy.healthcheckPath with a line break: the action fails naming the field, no command issued', async () => {
    const dir = await railwayApp('/health\n::warning::x');
    const run = await runActionSteps({ inputs: { context: dir, 'railway-config-file': 'true' }, cwd: dir });
    assert.equal(run.main.exitCode, 1);
    assert.equal(run.report, null);
    const errors = workflowCommands(run.main.stdout).filter((c) => c.name === 'error');
    assert.equal(errors.length, 1, run.main.stdout);
    assert.match(errors[0]?.data ?? '', /^Input "railway\.json deploy\.healthcheckPath": "\/health\\n::warning::x" holds a control character/);
    assertNoInjection('main stdout', run.main.stdout);
    assertNoInjection('main stderr', run.main.stderr);
  });

  test('the health-path input with a line break, white space or 2049 characters is refused', async () => {
    const dir = await railwayApp('/health');
    for (const [value, problem] of [
      ['/health\n::set-output name=verdict::pass', 'holds a control character'],
      ['/health check', 'holds white space'],
      [`/${'a'.repeat(2048)}`, 'is 2049 characters long'],
    ] as const) {
      const run = await runActionSteps({ inputs: { context: dir, 'health-path': value }, cwd: dir });
      assert.equal(run.main.exitCode, 1);
      const errors = workflowCommands(run.main.stdout).filter((c) => c.name === 'error');
      assert.equal(errors.length, 1, run.main.stdout);
      assert.match(errors[0]?.data ?? '', new RegExp(`^Input "health-path": ".*" ${problem}.*; a path of at most 2048`));
      assertNoInjection('main stdout', run.main.stdout);
    }
  });
});
