/**
 * The published corpora (test/fixtures/hygiene-corpus) in real images, read by the layer scan
 * as every check reads them: an app that carries only credential look-alikes (README, samples,
 * Compose, CI files, tests, placeholder ENV values) passes by default with one note; the same
 * app with real-looking secrets beside it fails on exactly those, and prints none of them.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'vitest';
import type { CheckReport } from '../../src/model/report.ts';
import { MAIN_ENGINE, removedAfterAll } from '../support/docker.ts';
import { runLocal, runLocalBuilt } from '../support/local-runner.ts';
import { loadCorpus, type CorpusFile } from '../support/secret-corpus.ts';

const { created, temps } = removedAfterAll();

const TAIL = [
  // Placeholder defaults as Dockerfiles carry them: not secrets either.
  'ENV POSTGRES_PASSWORD=postgres SECRET_KEY=changeme DATABASE_URL=postgresql://postgres:postgres@db:5432/shop RABBITMQ_URL=amqp://guest:guest@rabbitmq:5672/',
  'USER 1000',
  'HEALTHCHECK --interval=1s --timeout=2s --retries=3 CMD ["true"]',
  'CMD ["sh", "-c", "trap \'exit 0\' TERM; sleep 3600 & wait"]',
].join('\n');

/** A context with the corpora under corpus/<name>/ and a Dockerfile that copies them in. */
function context(corpora: Record<string, readonly CorpusFile[]>, copies: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hygiene-corpus-'));
  temps.push(dir);
  // A run of its own: a layer BuildKit cached for another run would hold other random values.
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    `FROM deploy-check-test/busybox:latest\nRUN echo ${randomBytes(4).toString('hex')} > /build-id\n${copies}\n${TAIL}\n`,
  );
  writeFileSync(path.join(dir, '.dockerignore'), '.git\n');
  for (const [name, files] of Object.entries(corpora)) {
    for (const f of files) {
      const target = path.join(dir, 'corpus', name, f.rel);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, f.text);
    }
  }
  return dir;
}

interface Run {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  report: CheckReport;
}

async function check(dir: string): Promise<Run> {
  const run = await runLocalBuilt(() => {
    const image = `deploy-check-test/hygiene-corpus:${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    created.push({ image, host: MAIN_ENGINE });
    return runLocal(['--context', dir, '--image', image], { cwd: dir, env: { DOCKER_HOST: MAIN_ENGINE } });
  });
  return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr, report: run.report as unknown as CheckReport };
}

function only<T>(items: readonly T[]): T {
  const [item] = items;
  if (item === undefined || items.length !== 1) throw new Error(`one item expected, got ${items.length}`);
  return item;
}

const COPY_LOOKALIKES = 'WORKDIR /app\nCOPY corpus/false-positives/ /app/';

describe('the secret corpora in a real image', { concurrent: true }, () => {
  test('an app with only credential look-alikes passes by default, with one note naming them', async () => {
    const lookalikes = loadCorpus('false-positives');
    const run = await check(context({ 'false-positives': lookalikes }, COPY_LOOKALIKES));
    const failing = run.report.hygiene.findings.filter((f) => f.severity === 'error');
    assert.deepEqual(failing, [], `no failing finding expected:\n${JSON.stringify(failing, null, 2)}`);
    assert.deepEqual(
      run.report.hygiene.findings.filter((f) => f.id.startsWith('secret-')),
      [],
    );
    assert.equal(run.exitCode, 0, run.stderr);
    assert.equal(run.report.verdict, 'pass');
    const notes = run.report.hygiene.findings.filter((f) => f.id === 'placeholder-credentials');
    assert.equal(notes.length, 1, JSON.stringify(run.report.hygiene.findings, null, 2));
    const note = only(notes);
    assert.equal(note.severity, 'info');
    assert.match(
      note.message,
      new RegExp(`^\\d+ credential-shaped values in ${lookalikes.length} files are not counted as secrets`),
      'every file of the corpus is named',
    );
    assert.equal(note.evidence.length, 21, 'twenty files and how many more');
    const evidence = note.evidence.join('\n');
    for (const expected of [
      /\/app\/alembic\.ini \(line 6\): a URL with a password, a placeholder/,
      /\/app\/tests\/conftest\.py \(line 6, 8, 14\): .*in a test file/,
      /\/app\/\.env\.test \(line 2, 3, 6\): a Stripe live secret key, a made-up value/,
      /\/app\/\.gitlab-ci\.yml \(line 11\): a URL with a password, in a CI configuration file/,
      /\/app\/docker-compose\.yml \(line 7, 8, 9, 10\): a URL with a password, a placeholder/,
    ]) {
      assert.match(evidence, expected);
    }
  });

  test('beside real-looking secrets, exactly those fail, none is printed', async () => {
    const lookalikes = loadCorpus('false-positives');
    const secrets = loadCorpus('true-positives');
    const run = await check(
      context({ 'false-positives': lookalikes, 'true-positives': secrets }, `${COPY_LOOKALIKES}\nCOPY corpus/true-positives/ /srv/service/`),
    );
    assert.equal(run.exitCode, 1, run.stderr);
    assert.equal(run.report.verdict, 'fail');
    const failing = run.report.hygiene.findings.filter((f) => f.severity === 'error');
    // One finding per file and kind: the files of the true-positive corpus, and only them.
    const expected = new Map<string, number>();
    for (const f of secrets) expected.set(`/srv/service/${f.rel}`, f.filled.length);
    for (const f of failing) {
      assert.equal(f.id, 'secret-value', `${f.id}: ${f.message}`);
      assert.ok(expected.has(f.path ?? ''), `a failing finding outside the secrets: ${f.path}: ${f.message}`);
    }
    for (const [file, count] of expected) {
      const found = failing.filter((f) => f.path === file);
      assert.ok(found.length >= 1 && found.length <= count, `${file}: ${found.length} findings for ${count} secrets`);
    }
    const kinds = failing.map((f) => /holds (?:an? )?(.+?) \(line/.exec(f.message)?.[1]).sort();
    assert.deepEqual(kinds, [
      'AWS access key id',
      'GitHub token',
      'GitHub token',
      'GitLab token',
      'Google API key',
      'Slack token',
      'Stripe live secret key',
      'URL with a password',
      'URL with a password',
      'npm access token',
      'private key (PEM block)',
      'private key (PEM block)',
    ]);
    const printed = `${JSON.stringify(run.report)}\n${run.stdout}\n${run.stderr}`;
    for (const value of secrets.flatMap((f) => f.filled)) {
      const probe = value.includes('PRIVATE KEY') ? (value.split('\n')[1] ?? value) : value;
      assert.ok(!printed.includes(probe), `a secret value of the corpus is in the output (${probe.slice(0, 4)}…)`);
    }
    assert.equal(run.report.hygiene.findings.filter((f) => f.id === 'placeholder-credentials').length, 1);
  });
});
