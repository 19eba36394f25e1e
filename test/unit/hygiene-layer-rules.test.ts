/** The rules on the layers' file lists, from fabricated layer facts: rows of facts → findings. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import type { HygieneLayerRef } from '../../src/model/report.ts';
import { emptyFacts, type LayerFacts } from '../../src/hygiene/layer.ts';
import { BASE_SECRET_FIX } from '../../src/hygiene/rules/draft.ts';
import { layerFindings } from '../../src/hygiene/rules/layers.ts';

/** A base-image layer, the Dockerfile's COPY, and a RUN that deletes things. */
const REFS: HygieneLayerRef[] = [
  { index: 0, digest: 'sha256:a', instruction: 'FROM busybox:1.36', line: 1, fromBase: true },
  { index: 1, digest: 'sha256:b', instruction: 'COPY . /app', line: 3, fromBase: false },
  { index: 2, digest: 'sha256:c', instruction: 'RUN rm -rf /app/.env /root/.npm', line: 5, fromBase: false },
];
const [BASE, COPY] = REFS as [HygieneLayerRef, HygieneLayerRef];
const IN_BASE = 'layer 1 of 3 (base image busybox:1.36, line 1)';
const IN_COPY = 'layer 2 of 3 (COPY . /app, line 3)';
const IN_RM = 'layer 3 of 3 (RUN rm -rf /app/.env /root/.npm, line 5)';

/** Three empty layers that `fill` gives facts. */
function image(fill: (base: LayerFacts, copy: LayerFacts, rm: LayerFacts) => void): LayerFacts[] {
  const layers = [emptyFacts(), emptyFacts(), emptyFacts()] as [LayerFacts, LayerFacts, LayerFacts];
  fill(...layers);
  return layers;
}

const VALUE_FIX =
  'remove the value from the source and the image (.dockerignore, or a multi-stage build that copies only what runs), read it from an environment variable at run time, and rotate the exposed key';

const rows: { name: string; layers: LayerFacts[]; refs?: HygieneLayerRef[]; multiStage?: boolean; expected: object[] }[] = [
  { name: 'nothing in the layers', layers: image(() => undefined), expected: [] },
  {
    name: 'a secret file a later layer deletes still ships in the earlier one',
    layers: image((_, copy, rm) => {
      copy.secretFiles.push({ path: '/app/.env', kind: 'env-file', bytes: 40 });
      rm.deletes.push({ kind: 'path', target: '/app/.env' });
    }),
    expected: [
      {
        id: 'secret-file',
        message: `/app/.env (environment file) is in ${IN_COPY}; layer 3 (line 5) deletes it, but the earlier layer still ships it`,
        line: 3,
        layer: COPY,
        path: '/app/.env',
        evidence: [`in ${IN_COPY}`, `deleted by ${IN_RM}; anyone who pulls the image can still read it from the earlier layer`],
        fix: 'deleting it in a later layer does not remove it; exclude .env from the build context in .dockerignore (or COPY only what the app needs, or copy from a build stage with COPY --from), pass credentials as build secrets (RUN --mount=type=secret) and rotate what was exposed',
      },
    ],
  },
  {
    name: 'a secret file of the base image: the fix is another base',
    layers: image((base) => base.secretFiles.push({ path: '/root/.ssh/id_rsa', kind: 'private-key', bytes: 1600 })),
    expected: [
      {
        id: 'secret-file',
        message: `/root/.ssh/id_rsa (private key) is in ${IN_BASE}`,
        line: 1,
        layer: BASE,
        path: '/root/.ssh/id_rsa',
        evidence: [`in ${IN_BASE}`],
        fix: BASE_SECRET_FIX,
      },
    ],
  },
  {
    name: 'secret values, grouped by file and kind: the first five lines, a file replaced later, a given build secret',
    layers: image((_, copy, rm) => {
      for (const [line, fp] of [
        [9, 'fp-a'],
        [1, 'fp-a'],
        [2, 'fp-b'],
        [3, 'fp-a'],
        [4, 'fp-a'],
        [5, 'fp-a'],
      ] as const) {
        copy.secretValues.push({ path: '/app/config.js', kind: 'github-token', line, fingerprint: fp, source: null });
      }
      copy.secretValues.push({ path: '/app/.npmrc', kind: 'given-secret', line: 1, fingerprint: 'fp-n', source: 'build secret NPM_TOKEN' });
      rm.sizes['/app/config.js'] = 10;
    }),
    expected: [
      {
        id: 'secret-value',
        message: `/app/config.js holds a GitHub token (line 1, 2, 3, 4, 5, ...) in ${IN_COPY}; a later layer replaces the file, but the earlier layer still ships it`,
        line: 3,
        layer: COPY,
        path: '/app/config.js',
        evidence: ['fingerprint fp-a', 'fingerprint fp-b', `in ${IN_COPY}`],
        fingerprint: 'fp-a',
        fix: VALUE_FIX,
      },
      {
        id: 'secret-value',
        message: `/app/.npmrc holds the value of build secret NPM_TOKEN (line 1) in ${IN_COPY}`,
        line: 3,
        layer: COPY,
        path: '/app/.npmrc',
        evidence: ['fingerprint fp-n', `in ${IN_COPY}`],
        fingerprint: 'fp-n',
        fix: 'a RUN step wrote the build secret into a file: use it only inside the RUN that mounts it (RUN --mount=type=secret) and never copy it to the filesystem; rotate it',
      },
    ],
  },
  {
    name: 'a secret value whose file a later layer deletes',
    layers: image((_, copy, rm) => {
      copy.secretValues.push({ path: '/app/.env', kind: 'aws-access-key-id', line: 2, fingerprint: 'fp-k', source: null });
      rm.deletes.push({ kind: 'path', target: '/app/.env' });
    }),
    expected: [
      {
        id: 'secret-value',
        message: `/app/.env holds an AWS access key id (line 2) in ${IN_COPY}; layer 3 (line 5) deletes it, but the earlier layer still ships it`,
        line: 3,
        layer: COPY,
        path: '/app/.env',
        evidence: ['fingerprint fp-k', `in ${IN_COPY}`],
        fingerprint: 'fp-k',
        fix: VALUE_FIX,
      },
    ],
  },
  {
    name: 'credential-shaped values that are not secrets: one note',
    layers: image((_, copy) => {
      copy.lookalikes.push(
        { path: '/app/README.md', kind: 'aws-access-key-id', line: 4, reason: 'documentation' },
        { path: '/app/README.md', kind: 'github-token', line: 2, reason: 'placeholder' },
        { path: '/app/test/db.py', kind: 'url-password', line: 7, reason: 'test' },
      );
    }),
    expected: [
      {
        id: 'placeholder-credentials',
        message:
          '3 credential-shaped values in 2 files are not counted as secrets: placeholders, trivial passwords for local hosts, or documentation, example, test and CI files',
        line: 3,
        layer: COPY,
        path: '/app/README.md',
        evidence: [
          '/app/README.md (line 2, 4): an AWS access key id, in documentation; a GitHub token, a placeholder',
          '/app/test/db.py (line 7): a URL with a password, in a test file',
        ],
      },
    ],
  },
  {
    name: 'a .git directory, with layers the history does not name',
    layers: [Object.assign(emptyFacts(), { gitDirectories: { '/src/.git': { files: 12, bytes: 4096 } } })],
    refs: [],
    expected: [
      {
        id: 'git-directory',
        message: "/src/.git (the repository's history, 12 files, 4.1 kB) is in layer 1 of 1 (unknown); exclude .git in .dockerignore",
        line: null,
        layer: { index: 0, digest: null, instruction: 'unknown', line: null, fromBase: false },
        path: '/src/.git',
        evidence: ['in layer 1 of 1 (unknown)'],
      },
    ],
  },
  {
    name: 'package caches: nested directories are one cache; a deleted cache still ships',
    layers: image((base, copy, rm) => {
      base.caches['/var/cache/apt'] = { files: 1, bytes: 1000, paths: ['/var/cache/apt/pkgcache.bin'] };
      copy.caches['/var/cache/apt/archives'] = { files: 1, bytes: 2000, paths: ['/var/cache/apt/archives/gcc.deb'] };
      copy.caches['/root/.npm'] = { files: 2, bytes: 500, paths: ['/root/.npm/_cacache/a', '/root/.npm/_cacache/b'] };
      rm.deletes.push({ kind: 'path', target: '/root/.npm' });
    }),
    expected: [
      {
        id: 'package-cache',
        message: `Package cache /var/cache/apt is left in the image: 3.0 kB, from ${IN_BASE}; it comes with the base image: use a slimmer or newer base image, or one that cleans its package caches`,
        line: 1,
        layer: BASE,
        path: '/var/cache/apt',
        evidence: [`1.0 kB (1 files) in ${IN_BASE}`, `2.0 kB (1 files) in ${IN_COPY}`],
      },
      {
        id: 'package-cache',
        message: `Package cache /root/.npm is left in the image: 500 B, from ${IN_COPY} (a later layer deletes it, which does not shrink the image); run \`npm cache clean --force\` in the same RUN, or use a cache mount`,
        line: 3,
        layer: COPY,
        path: '/root/.npm',
        evidence: [`500 B (2 files) in ${IN_COPY}; deleted by ${IN_RM}, but the bytes still ship in the earlier layer`],
      },
    ],
  },
  {
    name: 'compilers in the final stage of a multi-stage build, not those deleted',
    layers: image((_, copy, rm) => {
      Object.assign(copy.compilers, { gcc: '/usr/bin/gcc', cc: '/usr/bin/cc' });
      rm.deletes.push({ kind: 'path', target: '/usr/bin/cc' });
    }),
    multiStage: true,
    expected: [
      {
        id: 'compiler-in-final-stage',
        message: `Build tools reached the final stage of this multi-stage build (gcc, from ${IN_COPY}); install them in a build stage and COPY --from only what runs`,
        line: 3,
        layer: COPY,
        path: '/usr/bin/gcc',
        evidence: [`gcc: /usr/bin/gcc in ${IN_COPY}`],
      },
    ],
  },
  {
    name: 'compilers in a single-stage build are no finding',
    layers: image((_, copy) => Object.assign(copy.compilers, { gcc: '/usr/bin/gcc' })),
    multiStage: false,
    expected: [],
  },
];

for (const row of rows) {
  test(`layer rules: ${row.name}`, () => {
    assert.deepEqual(layerFindings({ layers: row.layers, refs: row.refs ?? REFS, multiStage: row.multiStage ?? false }), row.expected);
  });
}

test('layer rules: findings come in family order (secret files, values, note, .git, caches, compilers)', () => {
  const layers = image((_, copy) => {
    Object.assign(copy.compilers, { gcc: '/usr/bin/gcc' });
    copy.caches['/var/cache/apk'] = { files: 1, bytes: 1, paths: ['/var/cache/apk/x'] };
    copy.gitDirectories['/app/.git'] = { files: 1, bytes: 1 };
    copy.lookalikes.push({ path: '/app/a', kind: 'jwt', line: 1, reason: 'example' });
    copy.secretValues.push({ path: '/app/b', kind: 'jwt', line: 1, fingerprint: 'f', source: null });
    copy.secretFiles.push({ path: '/app/.npmrc', kind: 'npmrc', bytes: 1 });
  });
  assert.deepEqual(
    layerFindings({ layers, refs: REFS, multiStage: true }).map((d) => d.id),
    ['secret-file', 'secret-value', 'placeholder-credentials', 'git-directory', 'package-cache', 'compiler-in-final-stage'],
  );
});
