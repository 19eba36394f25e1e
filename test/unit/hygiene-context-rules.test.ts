/** The build context rules, from fabricated context facts: rows of facts → findings. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import type { ContextFacts } from '../../src/hygiene/context.ts';
import { contextFindings, copiedSources, LARGE_CONTEXT_BYTES } from '../../src/hygiene/rules/context.ts';

function context(over: Partial<ContextFacts>): ContextFacts {
  return { dir: '/ctx', ignoreFile: '/ctx/.dockerignore', bytes: 2048, files: 3, gaps: [], sentBytes: {}, durationMs: 0, ...over };
}

const rows: { name: string; context: ContextFacts; sources: string[]; expected: object[] }[] = [
  {
    name: 'a .dockerignore without gaps, a small context: nothing',
    context: context({}),
    sources: ['.'],
    expected: [],
  },
  {
    name: 'no .dockerignore and COPY .: the whole context goes in, with what it holds',
    context: context({
      ignoreFile: null,
      gaps: [
        { name: '.env', present: true },
        { name: '.git', present: false },
      ],
      sentBytes: { '.env': 40 },
    }),
    sources: ['.'],
    expected: [
      {
        id: 'no-dockerignore',
        message: 'The build context has no .dockerignore: every file is sent to the builder and COPY . copies it into the image, including .env (40 B)',
        file: null,
        line: null,
        path: '/ctx/.dockerignore',
        evidence: ['context: 2.0 kB in 3 files'],
      },
    ],
  },
  {
    name: 'no .dockerignore, COPY of named paths: what is copied apart from what is only sent',
    context: context({
      ignoreFile: null,
      gaps: [
        { name: '.env', present: true },
        { name: 'node_modules', present: true },
      ],
      sentBytes: { node_modules: 5_000_000 },
    }),
    sources: ['app/', '.env*'],
    expected: [
      {
        id: 'no-dockerignore',
        message:
          "The build context has no .dockerignore: every file is sent to the builder, and the Dockerfile's COPY takes .env into the image; node_modules (5.0 MB) is sent too, which no COPY or ADD of the Dockerfile takes into the image",
        file: null,
        line: null,
        path: '/ctx/.dockerignore',
        evidence: ['context: 2.0 kB in 3 files'],
      },
    ],
  },
  {
    name: 'no .dockerignore, nothing copied from the context: only sent',
    context: context({ ignoreFile: null, gaps: [{ name: '.git', present: true }] }),
    sources: [],
    expected: [
      {
        id: 'no-dockerignore',
        message:
          'The build context has no .dockerignore: every file is sent to the builder, including .git, which no COPY or ADD of the Dockerfile takes into the image',
        file: null,
        line: null,
        path: '/ctx/.dockerignore',
        evidence: ['context: 2.0 kB in 3 files'],
      },
    ],
  },
  {
    name: 'gaps in the ignore file that a COPY takes: the forms that leak, and the fix',
    context: context({
      ignoreFile: '/ctx/Dockerfile.dockerignore',
      gaps: [
        { name: '.env', present: true, missing: ['.env.local'] },
        { name: '.git', present: false },
      ],
      sentBytes: { '.env': 12 },
    }),
    sources: ['./'],
    expected: [
      {
        id: 'dockerignore-gaps',
        message: "Dockerfile.dockerignore does not exclude .env.local (in the context: 12 B sent), .git, which the Dockerfile's COPY would take into the image",
        file: '/ctx/Dockerfile.dockerignore',
        line: null,
        path: '/ctx/Dockerfile.dockerignore',
        evidence: ['.env.local: in the context, sent to the builder', '.git: not in the context now, would be sent and copied if created'],
        fix: 'add .env*, .git to Dockerfile.dockerignore',
      },
    ],
  },
  {
    name: 'gaps no COPY takes: nothing',
    context: context({ gaps: [{ name: '.git', present: true }] }),
    sources: ['app/', 'requirements.txt'],
    expected: [],
  },
  {
    name: 'a large context: its size and what it sends',
    context: context({ bytes: LARGE_CONTEXT_BYTES + 1, files: 9000, sentBytes: { node_modules: 90_000_000 } }),
    sources: ['.'],
    expected: [
      {
        id: 'large-context',
        message: 'The build context is 100 MB (9000 files): every build sends it to the builder; exclude what the image does not need in .dockerignore',
        file: '/ctx/.dockerignore',
        line: null,
        path: '/ctx',
        evidence: ['node_modules: 90.0 MB'],
      },
    ],
  },
];

for (const row of rows) {
  test(`context rules: ${row.name}`, () => {
    assert.deepEqual(contextFindings({ context: row.context, sources: row.sources }), row.expected);
  });
}

test('context rules: the COPY and ADD sources that can reach an image (not --from, not the destination)', () => {
  const instructions = [
    { keyword: 'COPY', text: 'COPY --chown=app app/ .env* /app/' },
    { keyword: 'COPY', text: 'COPY --from=build /src /app' },
    { keyword: 'ADD', text: 'ADD ["a b.txt", "c", "/dst/"]' },
    { keyword: 'RUN', text: 'RUN cp x y' },
  ];
  assert.deepEqual(copiedSources(instructions), ['app/', '.env*', 'a b.txt', 'c']);
});
