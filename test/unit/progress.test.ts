import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'vitest';
import { BuildProgress, JsonObjectSplitter, vertexDurationMs, type Vertex } from '../../src/build/progress.ts';

/**
 * Real `docker buildx build --progress=rawjson` output (buildx 0.13, Engine 26) of
 * fixtures/buildx-rawjson.Dockerfile: pretty-printed JSON objects over many lines, then
 * buildx's own error as plain text. "cached" is a later build of its first five lines.
 */
const FAILURE = readFileSync(new URL('./fixtures/buildx-rawjson-failure.txt', import.meta.url), 'utf8');
const CACHED = readFileSync(new URL('./fixtures/buildx-rawjson-cached.txt', import.meta.url), 'utf8');

function feed(text: string, chunkSize: number): { progress: BuildProgress; done: Vertex[] } {
  const done: Vertex[] = [];
  const progress = new BuildProgress((v) => done.push(v));
  for (let i = 0; i < text.length; i += chunkSize) progress.write(text.slice(i, i + chunkSize));
  progress.end();
  return { progress, done };
}

describe('BuildProgress on a real failed build', () => {
  const { progress, done } = feed(FAILURE, 65_536);

  test('the sample is the multi-line form BuildKit emits', () => {
    assert.match(FAILURE, /^\{\n {2}"vertexes": \[\n/);
  });

  test('Dockerfile steps are told apart from internal vertexes', () => {
    const names = progress.steps().map((v) => v.name.replace(/\] .*/, ']'));
    assert.deepEqual(names.sort(), ['[base 1/2]', '[base 2/2]', '[runtime 1/3]', '[runtime 2/3]', '[runtime 3/3]']);
    assert.ok(progress.all().some((v) => v.name === '[internal] load build context'));
  });

  test('the failing step is named, with its error and its output', () => {
    const failed = progress.failed();
    assert.equal(failed?.name, '[runtime 3/3] RUN echo "about to fail"; exit 5');
    assert.match(failed.error ?? '', /did not complete successfully: exit code: 5/);
    assert.deepEqual(failed.logs, ['about to fail']);
  });

  test('base64 log chunks become lines, a last line without newline included', () => {
    const step = progress.steps().find((v) => v.name.startsWith('[runtime 2/3]'));
    assert.deepEqual([...(step?.logs ?? [])].sort(), ['line one', 'line two', 'no newline at end']);
  });

  test("buildx's plain-text error after the JSON is kept line by line", () => {
    assert.equal(
      progress.otherLines.at(-1),
      'ERROR: failed to solve: process "/bin/sh -c echo \\"about to fail\\"; exit 5" did not complete successfully: exit code: 5',
    );
    assert.ok(progress.otherLines.includes('6 | >>> RUN echo "about to fail"; exit 5'));
    assert.ok(progress.otherLines.every((l) => !l.startsWith('{') && !l.startsWith('"')));
  });

  test('each vertex is announced once, when it completes, with a duration', () => {
    assert.equal(new Set(done.map((v) => v.digest)).size, done.length);
    assert.ok(done.some((v) => v.name.startsWith('[runtime 3/3]')));
    for (const v of done) assert.ok((vertexDurationMs(v) ?? -1) >= 0, v.name);
  });

  for (const size of [1, 7, 100, 4096]) {
    test(`the same result when stderr arrives in chunks of ${size}`, () => {
      const chunked = feed(FAILURE, size).progress;
      assert.deepEqual(chunked.all(), progress.all());
      assert.deepEqual(chunked.otherLines, progress.otherLines);
    });
  }
});

describe('BuildProgress on a real cached build', () => {
  const { progress } = feed(CACHED, 512);
  test('cached steps are counted', () => {
    const steps = progress.steps();
    assert.equal(steps.length, 4);
    assert.deepEqual(
      steps
        .filter((v) => v.cached)
        .map((v) => v.name.replace(/\] .*/, ']'))
        .sort(),
      ['[base 2/2]', '[runtime 1/2]', '[runtime 2/2]'],
    );
    assert.equal(progress.failed(), undefined);
    assert.deepEqual(progress.otherLines, []);
  });
});

describe('BuildProgress edge cases', () => {
  test('a cancelled sibling is not the failed step', () => {
    const p = new BuildProgress();
    p.write(JSON.stringify({ vertexes: [{ digest: 'a', name: '[1/2] RUN x', error: 'context canceled' }] }));
    p.write(JSON.stringify({ vertexes: [{ digest: 'b', name: '[2/2] RUN y', error: 'exit code: 1' }] }));
    assert.equal(p.failed()?.digest, 'b');
  });
  test('a vertex keeps at most 500 log lines, the last ones', () => {
    const p = new BuildProgress();
    p.write(JSON.stringify({ vertexes: [{ digest: 'a', name: '[1/1] RUN x' }] }));
    const data = Buffer.from(Array.from({ length: 800 }, (_, i) => `line ${i}\n`).join('')).toString('base64');
    p.write(JSON.stringify({ logs: [{ vertex: 'a', data }] }));
    const logs = p.all()[0]?.logs ?? [];
    assert.equal(logs.length, 500);
    assert.equal(logs.at(-1), 'line 799');
  });
  test("stdout and stderr of a step are split into lines separately (one stream's half line does not swallow the other's)", () => {
    const p = new BuildProgress();
    const b64 = (t: string): string => Buffer.from(t).toString('base64');
    p.write(JSON.stringify({ vertexes: [{ digest: 'a', name: '[1/1] RUN x' }] }));
    p.write(JSON.stringify({ logs: [{ vertex: 'a', stream: 1, data: b64('using token ') }] }));
    p.write(JSON.stringify({ logs: [{ vertex: 'a', stream: 2, data: b64('warning: deprecated\nsecret-without-newline') }] }));
    p.write(JSON.stringify({ logs: [{ vertex: 'a', stream: 1, data: b64('abc\n') }] }));
    assert.deepEqual(p.all()[0]?.logs, ['warning: deprecated', 'using token abc', 'secret-without-newline']);
  });
  test('a step reported as two vertices (a shared solve) counts once', () => {
    const p = new BuildProgress();
    const t = (ms: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();
    p.write(JSON.stringify({ vertexes: [{ digest: 'a', name: '[1/2] FROM base', started: t(0), completed: t(5), cached: true }] }));
    p.write(JSON.stringify({ vertexes: [{ digest: 'b', name: '[2/2] COPY app/ ./app/', started: t(10), completed: t(30) }] }));
    p.write(JSON.stringify({ vertexes: [{ digest: 'c', name: '[2/2] COPY app/ ./app/', started: t(12), completed: t(40), cached: true }] }));
    const steps = p.steps();
    assert.deepEqual(
      steps.map((v) => v.name),
      ['[1/2] FROM base', '[2/2] COPY app/ ./app/'],
    );
    const copy = steps[1];
    assert.equal(copy?.cached, false, 'one of the two really ran');
    assert.equal(vertexDurationMs(copy), 30);
  });
  test('logs of an unknown vertex are ignored; broken JSON is kept as text', () => {
    const p = new BuildProgress();
    p.write('{"logs":[{"vertex":"zz","data":"eA=="}]}\n{"vertexes": [}\n');
    assert.deepEqual(p.all(), []);
    assert.deepEqual(p.otherLines, ['{"vertexes": [}']);
  });
});

describe('JsonObjectSplitter', () => {
  test('braces and quotes inside strings do not end an object', () => {
    const objects: string[] = [];
    const text: string[] = [];
    const s = new JsonObjectSplitter(
      (o) => objects.push(o),
      (l) => text.push(l),
    );
    const a = JSON.stringify({ name: 'RUN echo "}" \\ {', n: { deep: [1, { x: '\\"}' }] } }, null, 2);
    for (const ch of `${a}\nplain line\n${a}\n  \ntrailing`) s.write(ch);
    s.end();
    assert.deepEqual(
      objects.map((o) => JSON.parse(o) as unknown),
      [JSON.parse(a), JSON.parse(a)],
    );
    assert.deepEqual(text, ['plain line', 'trailing']);
  });
  test('a truncated object at the end is handed over as text', () => {
    const text: string[] = [];
    const s = new JsonObjectSplitter(
      () => assert.fail('no object expected'),
      (l) => text.push(l),
    );
    s.write('{"vertexes": [{"digest": "a"');
    s.end();
    assert.deepEqual(text, ['{"vertexes": [{"digest": "a"']);
  });
});
