/**
 * Wasted space on real images, both image stores: a RUN writes 5 MiB and a later RUN deletes
 * it, another overwrites a file. The bytes still ship in the earlier layer; the size section
 * says how many and which line, and `max-wasted` fails on them.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, test } from 'vitest';
import type { CheckReport } from '../../src/model/report.ts';
import { CLASSIC_ENGINE, MAIN_ENGINE, dockerCli, engineUsable } from '../support/docker.ts';
import { runLocal, runLocalBuilt } from '../support/local-runner.ts';

const created: { image: string; host: string }[] = [];
let dir: string | undefined;

afterAll(() => {
  for (const { image, host } of created) {
    try {
      dockerCli(['rmi', '-f', image], host);
    } catch {
      // Already gone.
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const MIB = 1024 * 1024;

function fixture(): string {
  dir ??= mkdtempSync(path.join(os.tmpdir(), 'size-wasted-'));
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    [
      'FROM deploy-check-test/busybox:latest',
      'RUN mkdir -p /work && dd if=/dev/urandom of=/work/download.bin bs=1048576 count=5 2>/dev/null && echo one > /work/config.txt',
      'RUN rm /work/download.bin',
      'RUN echo two-and-longer > /work/config.txt',
      'USER 1000',
      'HEALTHCHECK --interval=1s --timeout=2s --retries=3 CMD ["true"]',
      'CMD ["sh", "-c", "trap \'exit 0\' TERM; sleep 3600 & wait"]',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, '.dockerignore'), '.env*\n.git\n');
  return dir;
}

async function check(host: string, args: string[]): Promise<{ exitCode: number | null; stdout: string; stderr: string; report: CheckReport }> {
  const context = fixture();
  const run = await runLocalBuilt(() => {
    const image = `deploy-check-test/size-wasted:${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    created.push({ image, host });
    return runLocal(['--context', context, '--image', image, ...args], { cwd: context, env: { DOCKER_HOST: host } });
  });
  return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr, report: run.report as unknown as CheckReport };
}

const engines = [
  { store: 'containerd', host: MAIN_ENGINE },
  { store: 'classic', host: CLASSIC_ENGINE },
].filter((e) => e.host === MAIN_ENGINE || engineUsable(e.host));

describe('wasted space', { concurrent: true }, () => {
  for (const { store, host } of engines) {
    test(`${store} store: 5 MiB written then deleted, and a file overwritten, are wasted; max-wasted fails on them`, async () => {
      const run = await check(host, ['--max-wasted', '1MB']);
      const wasted = run.report.size.wasted;
      assert.ok(wasted, JSON.stringify(run.report.size));
      const [worst, ...others] = wasted.layers;
      assert.equal(worst?.line, 2, JSON.stringify(wasted.layers));
      // The deleted download and the overwritten 4-byte config file, nothing else.
      assert.equal(worst.bytes, 5 * MIB + 4);
      assert.equal(worst.files, 2);
      assert.deepEqual(others, []);
      assert.equal(wasted.bytes, 5 * MIB + 4);
      assert.ok(wasted.percent > 50 && wasted.percent < 100, String(wasted.percent));
      const budget = run.report.size.budget.checks.find((c) => c.name === 'max-wasted');
      assert.equal(budget?.status, 'exceeded');
      assert.equal(budget.layer?.line, 2);
      assert.equal(run.exitCode, 1);
      assert.ok(
        run.report.reasons.some((r) => r.startsWith('Image size budget max-wasted 1MB exceeded: 5.2 MB')),
        run.report.reasons.join('\n'),
      );
      assert.match(run.stdout, /wasted 5\.2 MB \(\d+\.\d%\), most from line 2: RUN mkdir -p \/work/);

      const within = await check(host, ['--max-wasted', '90%']);
      assert.equal(within.report.size.budget.checks.find((c) => c.name === 'max-wasted')?.status, 'pass');
      assert.equal(within.exitCode, 0, within.stderr);
    });
  }

  test('without the layer scan (hygiene off) the budget is unchecked and says why', async () => {
    const run = await check(MAIN_ENGINE, ['--max-wasted', '1MB', '--hygiene', 'off']);
    const budget = run.report.size.budget.checks.find((c) => c.name === 'max-wasted');
    assert.equal(budget?.status, 'unchecked');
    assert.match(budget.message, /hygiene is off/);
    assert.equal(run.exitCode, 0);
  });
});
