/**
 * Steps are counted per Dockerfile instruction, as buildx displays them, and listed in the
 * Dockerfile's order. The sample is a real `docker buildx build --progress=rawjson` of
 * test/fixtures/edge-copy-link (--build-arg RUN_ID=recorded): 6 instructions that make steps, two of them `COPY --link`,
 * each of which BuildKit runs as a COPY vertex and a LINK vertex.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'vitest';
import { stepList } from '../../src/build/build.ts';
import { BuildProgress, inDockerfileOrder, stepKey, type Vertex } from '../../src/build/progress.ts';

const COPY_LINK = readFileSync(new URL('./fixtures/buildx-rawjson-copy-link.txt', import.meta.url), 'utf8');

function feed(text: string, chunk = 333): { progress: BuildProgress; announced: Vertex[] } {
  const announced: Vertex[] = [];
  const progress = new BuildProgress((v) => announced.push(v));
  for (let i = 0; i < text.length; i += chunk) progress.write(text.slice(i, i + chunk));
  progress.end();
  return { progress, announced };
}

describe('COPY --link counts as one step', () => {
  const { progress, announced } = feed(COPY_LINK);

  test('the sample does hold LINK vertexes', () => {
    assert.equal(progress.all().filter((v) => / LINK COPY --link /.test(v.name)).length, 2);
  });

  test('six steps, none of them a LINK, each named after its instruction', () => {
    const steps = progress.steps();
    assert.equal(steps.length, 6);
    assert.equal(
      steps.some((s) => s.name.includes('LINK')),
      false,
    );
    assert.ok(steps.map((s) => s.name).includes('[stage-1 2/4] COPY --link app.txt ./app.txt'), steps.map((s) => s.name).join('\n'));
  });

  test('each step is announced once, under its instruction name, when its last vertex completed', () => {
    const steps = announced.filter((v) => stepKey(v.name) !== undefined);
    assert.deepEqual(steps.map((v) => stepKey(v.name)).sort(), [
      '[assets 1/2]',
      '[assets 2/2]',
      '[stage-1 1/4]',
      '[stage-1 2/4]',
      '[stage-1 3/4]',
      '[stage-1 4/4]',
    ]);
    const copy = steps.find((v) => v.name.startsWith('[stage-1 2/4]'));
    const link = progress.all().find((v) => v.name.startsWith('[stage-1 2/4] LINK'));
    assert.equal(copy?.name, '[stage-1 2/4] COPY --link app.txt ./app.txt');
    assert.equal(copy.completed, link?.completed);
  });

  test('listed in Dockerfile order', () => {
    const ordered = inDockerfileOrder(progress.steps(), ['assets', undefined]).map((s) => stepKey(s.name));
    assert.deepEqual(ordered, ['[assets 1/2]', '[assets 2/2]', '[stage-1 1/4]', '[stage-1 2/4]', '[stage-1 3/4]', '[stage-1 4/4]']);
  });
});

describe('grouped vertexes', () => {
  const t = (ms: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();
  const group = { id: 'g1', name: '[2/3] COPY --link a /a' };

  test('a step is cached only when its LINK was cached too (a re-run LINK is work done)', () => {
    const p = new BuildProgress();
    p.write(
      JSON.stringify({
        vertexes: [{ digest: 'c', name: '[2/3] COPY --link a /a', progressGroup: { ...group, weak: true }, started: t(0), completed: t(5), cached: true }],
      }),
    );
    p.write(JSON.stringify({ vertexes: [{ digest: 'l', name: '[2/3] LINK COPY --link a /a', progressGroup: group, started: t(6), completed: t(40) }] }));
    const [step] = p.steps();
    assert.deepEqual(
      { name: step?.name, cached: step?.cached, started: step?.started, completed: step?.completed },
      { name: '[2/3] COPY --link a /a', cached: false, started: t(0), completed: t(40) },
    );
  });

  test('a failing LINK is reported under the instruction', () => {
    const p = new BuildProgress();
    p.write(JSON.stringify({ vertexes: [{ digest: 'l', name: '[2/3] LINK COPY --link a /a', progressGroup: group, error: 'failed to merge' }] }));
    assert.equal(p.failed()?.name, '[2/3] COPY --link a /a');
  });
});

describe('inDockerfileOrder', () => {
  const names = (list: string[], stages: (string | undefined)[]): string[] =>
    inDockerfileOrder(
      list.map((name) => ({ name })),
      stages,
    ).map((s) => s.name);

  test('completion order becomes stage order, then step number', () => {
    assert.deepEqual(
      names(['[runtime 2/2] RUN b', '[builder 3/3] RUN y', '[runtime 1/2] FROM r', '[builder 1/3] FROM x', '[builder 2/3] COPY . .'], ['builder', 'runtime']),
      ['[builder 1/3] FROM x', '[builder 2/3] COPY . .', '[builder 3/3] RUN y', '[runtime 1/2] FROM r', '[runtime 2/2] RUN b'],
    );
  });

  test('numbers compare as numbers; unnamed stages are stage-N; a single stage has no name', () => {
    assert.deepEqual(names(['[10/11] RUN j', '[2/11] RUN b'], [undefined]), ['[2/11] RUN b', '[10/11] RUN j']);
    assert.deepEqual(names(['[stage-1 1/1] RUN b', '[stage-0 2/2] RUN a'], [undefined, undefined]), ['[stage-0 2/2] RUN a', '[stage-1 1/1] RUN b']);
  });

  test('stage names match whatever their case; a platform prefix is skipped; unknown stages go last in their order', () => {
    assert.deepEqual(names(['[linux/amd64 App 1/1] RUN b', '[other 1/1] RUN z', '[linux/amd64 base 1/1] RUN a'], ['base', 'app']), [
      '[linux/amd64 base 1/1] RUN a',
      '[linux/amd64 App 1/1] RUN b',
      '[other 1/1] RUN z',
    ]);
  });
});

describe('a cancelled duplicate of a step', () => {
  const t = (ms: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();

  test('does not make the cached step uncached, nor give it an error (seen on an engine shared by concurrent builds)', () => {
    const p = new BuildProgress();
    const name = '[app 2/3] COPY --from=deps /lib-1 /opt/deps/';
    p.write(JSON.stringify({ vertexes: [{ digest: 'a', name, started: t(0), completed: t(0), cached: true }] }));
    p.write(JSON.stringify({ vertexes: [{ digest: 'b', name, started: t(1), completed: t(1), error: 'context canceled: context canceled' }] }));
    const [step] = p.steps();
    assert.ok(step !== undefined && 'error' in step);
    assert.deepEqual({ name: step.name, cached: step.cached, error: step.error }, { name, cached: true, error: undefined });
  });

  test('a step that was only cancelled stays so', () => {
    const p = new BuildProgress();
    p.write(JSON.stringify({ vertexes: [{ digest: 'b', name: '[2/2] RUN x', started: t(1), completed: t(1), error: 'context canceled' }] }));
    assert.deepEqual({ cached: p.steps()[0]?.cached, error: p.steps()[0]?.error }, { cached: false, error: 'context canceled' });
  });
});

describe('stepList', () => {
  const t = (ms: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();
  const vertex = (name: string, extra: Partial<Vertex>): Vertex => ({
    digest: name,
    name,
    started: t(0),
    completed: t(0),
    cached: false,
    error: undefined,
    logs: [],
    group: undefined,
    ...extra,
  });
  const steps = [
    vertex('[app 3/3] COPY www/ /www/', { cached: true }),
    vertex('[app 2/3] COPY --from=deps /lib /opt/', { error: 'context canceled: context canceled' }),
    vertex('[deps 2/2] RUN make', { cached: true }),
  ];

  test('a build that succeeded: a cancelled step was not needed (a later one came from the cache) and counts as cached', () => {
    // Seen on an exact layer-cache hit: BuildKit cancels the COPY --from whose result the cached next step makes unneeded.
    assert.deepEqual(stepList(steps, ['deps', 'app'], true), [
      { name: '[deps 2/2] RUN make', cached: true, durationMs: 0, error: null },
      { name: '[app 2/3] COPY --from=deps /lib /opt/', cached: true, durationMs: 0, error: null },
      { name: '[app 3/3] COPY www/ /www/', cached: true, durationMs: 0, error: null },
    ]);
  });

  test('a failed build: a cancelled step was stopped, not cached', () => {
    const list = stepList(steps, ['deps', 'app'], false);
    assert.deepEqual(list[1], { name: '[app 2/3] COPY --from=deps /lib /opt/', cached: false, durationMs: 0, error: 'context canceled: context canceled' });
  });
});
