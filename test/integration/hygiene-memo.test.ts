/**
 * The per-layer memo on real images, both image stores: after a source-only change a run reads
 * only the changed layer of a 300 MB image (well under 5 MB), with the same findings as a cold
 * run; a corrupt memo, or one written for the other image store, is ignored and read again.
 * Each test keeps its own state directory (DEPLOY_CHECK_STATE_DIR), so nothing else on the
 * machine warms or spoils it.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'vitest';
import type { CheckReport, HygieneFinding } from '../../src/model/report.ts';
import { CLASSIC_ENGINE, MAIN_ENGINE, engineUsable, removedAfterAll } from '../support/docker.ts';
import { runLocal, runLocalBuilt } from '../support/local-runner.ts';

const { created, temps } = removedAfterAll();

function temp(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

const awsKey = (): string => `AKIA${Array.from({ length: 16 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[randomInt(32)]).join('')}`;

/** A context whose second layer is `mib` MiB of random bytes plus a file with a secret value, and whose last layers are the app's source. */
function bigContext(mib: number, key: string): string {
  const dir = temp('hygiene-memo-');
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    [
      'FROM deploy-check-test/busybox:latest',
      `RUN mkdir -p /data && dd if=/dev/urandom of=/data/blob bs=1048576 count=${mib} 2>/dev/null && echo "aws_access_key_id = ${key}" > /data/settings.ini`,
      'WORKDIR /app',
      'COPY app.txt /app/app.txt',
      'USER 1000',
      'HEALTHCHECK --interval=1s --timeout=2s --retries=3 CMD ["true"]',
      'CMD ["sh", "-c", "trap \'exit 0\' TERM; sleep 3600 & wait"]',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, '.dockerignore'), '.env*\n.git\n');
  writeFileSync(path.join(dir, 'app.txt'), 'version 1\n');
  return dir;
}

interface Run {
  report: CheckReport;
  stderr: string;
}

async function check(dir: string, host: string, stateDir: string, image: string): Promise<Run> {
  const run = await runLocalBuilt(() =>
    runLocal(['--context', dir, '--image', image, '--hygiene', 'warn'], {
      cwd: dir,
      env: { DOCKER_HOST: host, DEPLOY_CHECK_STATE_DIR: stateDir, DEPLOY_CHECK_DEBUG: '1' },
    }),
  );
  const report = run.report as unknown as CheckReport;
  assert.equal(report.hygiene.status, 'checked', run.stderr);
  return { report, stderr: run.stderr };
}

/** What the size stage's debug line says of its loopback push. */
function pushed(stderr: string): { bytes: number; passes: number } {
  const m = /loopback push \((\d+) bytes uploaded, (one pass|(\d+) passes)\)/.exec(stderr);
  assert.ok(m, stderr);
  return { bytes: Number(m[1]), passes: m[3] ? Number(m[3]) : 1 };
}

/** Findings as a person reads them: everything but how the layers were read. */
const comparable = (findings: readonly HygieneFinding[]): string[] => findings.map((f) => JSON.stringify(f)).sort();

const engines = [
  { store: 'containerd', host: MAIN_ENGINE },
  { store: 'classic', host: CLASSIC_ENGINE },
].filter((e) => e.host === MAIN_ENGINE || engineUsable(e.host));

describe('the per-layer memo', { concurrent: false }, () => {
  for (const { store, host } of engines) {
    test(`${store} store: a source-only change reads only the changed layer of a 300 MB image, with the findings of a cold run`, async () => {
      const image = `deploy-check-test/hygiene-memo:${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
      created.push({ image, host });
      const dir = bigContext(300, awsKey());
      const warmState = temp('hygiene-state-');

      const first = await check(dir, host, warmState, image);
      const layers = first.report.hygiene.scan?.layers ?? 0;
      assert.ok(layers >= 4, JSON.stringify(first.report.hygiene.scan));
      assert.equal(first.report.hygiene.scan?.layersReused, 0, 'a new state directory knows nothing');
      assert.ok(first.report.hygiene.scan.bytesRead > 300_000_000, 'the cold run read the big layer');
      const secret = first.report.hygiene.findings.find((f) => f.id === 'secret-value');
      assert.equal(secret?.path, '/data/settings.ini', JSON.stringify(first.report.hygiene.findings));

      writeFileSync(path.join(dir, 'app.txt'), 'version 2\n');
      const second = await check(dir, host, warmState, image);
      const scan = second.report.hygiene.scan;
      assert.equal(scan?.layersScanned, 1, JSON.stringify(scan));
      assert.equal(scan.layersReused, layers - 1);
      assert.ok(scan.bytesRead < 5_000_000, `read ${scan.bytesRead} bytes`);
      assert.equal(scan.method, 'loopback-push');
      assert.ok((second.report.size.bytes ?? 0) > 300_000_000, 'the image is as big as it says');

      // The same image, read from nothing.
      const cold = await check(dir, host, temp('hygiene-state-'), image);
      assert.equal(cold.report.hygiene.scan?.layersReused, 0);
      assert.deepEqual(comparable(second.report.hygiene.findings), comparable(cold.report.hygiene.findings));

      if (store === 'containerd') {
        // The engine pushed once, and sent the new layer, not the big one.
        assert.equal(pushed(second.stderr).passes, 1, second.stderr);
        assert.ok(pushed(second.stderr).bytes < 5_000_000, second.stderr);
        // Without the blob digests of the layers it knows, it pushes twice rather than send them all; then once again.
        rmSync(path.join(warmState, 'layer-diff-ids.json'));
        writeFileSync(path.join(dir, 'app.txt'), 'version 3\n');
        const unpaired = await check(dir, host, warmState, image);
        assert.equal(pushed(unpaired.stderr).passes, 2, unpaired.stderr);
        assert.ok(pushed(unpaired.stderr).bytes < 5_000_000, unpaired.stderr);
        assert.equal(unpaired.report.hygiene.scan?.layersScanned, 1);
        writeFileSync(path.join(dir, 'app.txt'), 'version 4\n');
        assert.equal(pushed((await check(dir, host, warmState, image)).stderr).passes, 1);
      }

      // A memo whose files were damaged is not trusted: everything is read again, same findings.
      const memoDir = path.join(warmState, 'hygiene-layers');
      const files = readdirSync(memoDir);
      assert.ok(files.length >= layers);
      for (const name of files) writeFileSync(path.join(memoDir, name), '{"format":"deploy-check-hygiene-layer","facts":');
      const afterDamage = await check(dir, host, warmState, image);
      assert.equal(afterDamage.report.hygiene.scan?.layersReused, 0);
      assert.equal(afterDamage.report.hygiene.scan.layersScanned, layers);
      assert.ok((afterDamage.report.hygiene.scan.memoIgnored ?? []).some((m) => /not JSON/.test(m)));
      assert.deepEqual(comparable(afterDamage.report.hygiene.findings), comparable(cold.report.hygiene.findings));
    });
  }

  test.skipIf(engines.length < 2)('a memo written on the other image store is ignored, and the run says so', async () => {
    const state = temp('hygiene-state-');
    const dir = temp('hygiene-memo-');
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      'FROM deploy-check-test/busybox:latest\nUSER 1000\nHEALTHCHECK --interval=1s CMD ["true"]\nCMD ["sh", "-c", "trap \'exit 0\' TERM; sleep 3600 & wait"]\n',
    );
    writeFileSync(path.join(dir, '.dockerignore'), '.env*\n.git\n');
    const tag = `deploy-check-test/hygiene-memo-store:${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    created.push({ image: tag, host: CLASSIC_ENGINE }, { image: tag, host: MAIN_ENGINE });

    const classic = await check(dir, CLASSIC_ENGINE, state, tag);
    assert.equal(classic.report.hygiene.scan?.layersReused, 0);
    // The same base layer (one diff id on both engines), now on the containerd store.
    const main = await check(dir, MAIN_ENGINE, state, tag);
    assert.equal(main.report.hygiene.scan?.layersReused, 0, 'facts from the classic store are not reused');
    assert.ok(
      (main.report.hygiene.scan.memoIgnored ?? []).some((m) => /classic image store/.test(m)),
      JSON.stringify(main.report.hygiene.scan),
    );
    assert.match(main.stderr, /ignored 1 layer memo file/);
    assert.deepEqual(comparable(main.report.hygiene.findings), comparable(classic.report.hygiene.findings));
  });
});
