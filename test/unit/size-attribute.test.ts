import assert from 'node:assert/strict';
import { test } from 'vitest';
import { readDockerfileFacts } from '../../src/config/dockerfile.ts';
import { attributeLayers, historyKeyword, normalizeCreatedBy, substitute, type HistoryLayerEntry } from '../../src/size/attribute.ts';
import { historyEntries } from '../../src/size/measure.ts';

const BK = 'buildkit.dockerfile.v0';

function entry(createdBy: string, bytes: number, options: { layer?: boolean; comment?: string; compressed?: number } = {}): HistoryLayerEntry {
  const layer = options.layer ?? bytes > 0;
  return {
    createdBy,
    comment: options.comment ?? BK,
    layer,
    bytes,
    compressedBytes: layer ? (options.compressed ?? Math.round(bytes / 2)) : null,
    diffId: layer ? `sha256:${createdBy.length.toString(16).padStart(64, '0')}` : null,
    digest: null,
  };
}

test('history keywords from BuildKit and the classic builder', () => {
  assert.equal(historyKeyword('RUN |2 A=1 B=2 /bin/sh -c make # buildkit'), 'RUN');
  assert.equal(historyKeyword('COPY app /app # buildkit'), 'COPY');
  assert.equal(historyKeyword('ENV A=1 B=2'), 'ENV');
  assert.equal(historyKeyword('HEALTHCHECK &{["CMD-SHELL" "true"] "0s"}'), 'HEALTHCHECK');
  assert.equal(historyKeyword('/bin/sh -c #(nop)  CMD ["sh"]'), 'CMD');
  assert.equal(historyKeyword('/bin/sh -c #(nop) ADD file:abc in / '), 'ADD');
  assert.equal(historyKeyword('/bin/sh -c apt-get update'), 'RUN');
  assert.equal(historyKeyword(''), null);
});

test('history text is normalized so the same line matches across runs', () => {
  assert.equal(normalizeCreatedBy('RUN |1 GIT_SHA=abc123 /bin/sh -c make  build # buildkit'), 'RUN /bin/sh -c make build');
  assert.equal(normalizeCreatedBy('RUN |1 GIT_SHA=def456 /bin/sh -c make build # buildkit'), 'RUN /bin/sh -c make build');
  assert.equal(normalizeCreatedBy('/bin/sh -c #(nop)  ENV A=1'), 'ENV A=1');
});

test('a single-stage image: base layers, then one layer per layer-making line', () => {
  const facts = readDockerfileFacts(
    ['FROM busybox:latest', 'RUN echo hi > /hello', 'COPY blob.bin /data/blob.bin', 'ENV X=1', 'WORKDIR /app', 'CMD ["sh"]'].join('\n'),
  );
  const entries = [
    entry('ADD file:123 in /', 2_000_000, { comment: '' }),
    entry('CMD ["sh"]', 0, { comment: '' }),
    entry('RUN /bin/sh -c echo hi > /hello # buildkit', 8192),
    entry('COPY blob.bin /data/blob.bin # buildkit', 5_251_072),
    entry('ENV X=1', 0),
    entry('WORKDIR /app', 0, { layer: true }),
    entry('CMD ["sh"]', 0),
  ];
  const a = attributeLayers(entries, facts);
  assert.equal(a.matched, 5);
  assert.equal(a.expected, 5);
  assert.equal(a.baseRef, 'busybox:latest');
  assert.deepEqual(
    a.layers.map((l) => [l.line, l.base, l.instruction, l.bytes]),
    [
      [1, true, 'FROM busybox:latest', 2_000_000],
      [2, false, 'RUN echo hi > /hello', 8192],
      [3, false, 'COPY blob.bin /data/blob.bin', 5_251_072],
      [5, false, 'WORKDIR /app', 0],
    ],
  );
});

test("a base image built with BuildKit too: only the Dockerfile's own entries are ours", () => {
  const facts = readDockerfileFacts(['FROM python:3.12-slim', 'COPY . /app', 'CMD ["python3", "app.py"]'].join('\n'));
  const entries = [
    entry('ADD rootfs.tar.xz / # buildkit', 80_000_000),
    entry('RUN /bin/sh -c apt-get install python3 # buildkit', 40_000_000),
    entry('CMD ["python3"]', 0),
    entry('COPY . /app # buildkit', 1000),
    entry('CMD ["python3" "app.py"]', 0),
  ];
  const a = attributeLayers(entries, facts);
  assert.deepEqual(
    a.layers.map((l) => [l.line, l.base]),
    [
      [1, true],
      [1, true],
      [2, false],
    ],
  );
  assert.equal(a.layers[1]?.createdBy, 'RUN /bin/sh -c apt-get install python3 # buildkit');
});

test('multi-stage: the chain of stages the target is built FROM, and COPY --from in the final one', () => {
  const facts = readDockerfileFacts(
    [
      'ARG BASE=busybox:latest', // 1
      'FROM ${BASE} AS builder', // 2
      'ARG GREETING=hi', // 3
      'RUN echo $GREETING > /g.txt', // 4
      'FROM busybox:latest AS other', // 5
      'RUN echo unrelated', // 6
      'FROM builder AS runtime', // 7
      'COPY --from=other /etc/passwd /x', // 8
      'USER nobody', // 9
    ].join('\n'),
  );
  assert.deepEqual(facts.globalArgs, [{ name: 'BASE', value: 'busybox:latest' }]);
  const entries = [
    entry('', 2_000_000, { comment: 'Imported from -' }),
    entry('ARG GREETING=hi', 0),
    entry('RUN |1 GREETING=hi /bin/sh -c echo $GREETING > /g.txt # buildkit', 3),
    entry('COPY /etc/passwd /x # buildkit', 200),
    entry('USER nobody', 0),
  ];
  const a = attributeLayers(entries, facts, new Map([['BASE', 'busybox:latest']]));
  assert.equal(a.baseRef, 'busybox:latest');
  assert.equal(a.baseLine, 2);
  assert.deepEqual(
    a.layers.map((l) => [l.line, l.base, l.stage, l.instruction]),
    [
      [2, true, null, 'FROM busybox:latest'],
      [4, false, 'builder', 'RUN echo $GREETING > /g.txt'],
      [8, false, 'runtime', 'COPY --from=other /etc/passwd /x'],
    ],
  );
});

test("FROM scratch: every layer is the Dockerfile's", () => {
  const facts = readDockerfileFacts(['FROM scratch', 'COPY app /app', 'CMD ["/app"]'].join('\n'));
  const a = attributeLayers([entry('COPY app /app # buildkit', 1000), entry('CMD ["/app"]', 0)], facts);
  assert.equal(a.baseRef, null);
  assert.deepEqual(
    a.layers.map((l) => [l.line, l.base]),
    [[2, false]],
  );
});

test("an entry with no line of its own between the Dockerfile's entries stays with the Dockerfile, unattributed", () => {
  const facts = readDockerfileFacts(['FROM some-base', 'RUN make', 'COPY app /app'].join('\n'));
  const entries = [
    entry('ADD file:1 in /', 100, { comment: '' }),
    entry('RUN /bin/sh -c make # buildkit', 50),
    entry('ADD https://example.com/x /x # buildkit', 7),
    entry('COPY app /app # buildkit', 10),
  ];
  const a = attributeLayers(entries, facts);
  assert.deepEqual(
    a.layers.map((l) => [l.line, l.base, l.instruction]),
    [
      [1, true, 'FROM some-base'],
      [2, false, 'RUN make'],
      [null, false, 'ADD https://example.com/x /x # buildkit'],
      [3, false, 'COPY app /app'],
    ],
  );
  assert.equal(a.matched, 2);
});

test('variables in FROM', () => {
  const vars = new Map([['TAG', '3.12']]);
  assert.equal(substitute('python:${TAG}-slim', vars), 'python:3.12-slim');
  assert.equal(substitute('python:$TAG', vars), 'python:3.12');
  assert.equal(substitute('${MISSING:-busybox}', vars), 'busybox');
  assert.equal(substitute('${MISSING}', vars), '${MISSING}');
});

test('history entries take their layers from the config (empty_layer) when the push gave it', () => {
  const engine = [
    { CreatedBy: '', Size: 2_000_000, Comment: 'Imported from -' },
    { CreatedBy: 'RUN /bin/sh -c true # buildkit', Size: 0, Comment: BK },
    { CreatedBy: 'ENV A=1', Size: 0, Comment: BK },
    { CreatedBy: 'COPY a /a # buildkit', Size: 10, Comment: BK },
  ];
  const diffIds = ['sha256:1', 'sha256:2', 'sha256:3'];
  const manifest = {
    digest: 'm',
    configDigest: 'c',
    configSize: 1,
    layers: [
      { digest: 'd1', size: 900_000, mediaType: 'gzip' },
      { digest: 'd2', size: 32, mediaType: 'gzip' },
      { digest: 'd3', size: 120, mediaType: 'gzip' },
    ],
  };
  const config = {
    history: [
      { createdBy: '', comment: 'Imported from -', emptyLayer: false, created: null },
      { createdBy: 'RUN /bin/sh -c true # buildkit', comment: BK, emptyLayer: false, created: null },
      { createdBy: 'ENV A=1', comment: BK, emptyLayer: true, created: null },
      { createdBy: 'COPY a /a # buildkit', comment: BK, emptyLayer: false, created: null },
    ],
    diffIds,
    os: 'linux',
    architecture: 'amd64',
    created: null,
  };
  const withConfig = historyEntries(engine, diffIds, { manifest, config });
  assert.deepEqual(
    withConfig.map((e) => [e.layer, e.bytes, e.compressedBytes, e.diffId]),
    [
      [true, 2_000_000, 900_000, 'sha256:1'],
      [true, 0, 32, 'sha256:2'],
      [false, 0, null, null],
      [true, 10, 120, 'sha256:3'],
    ],
  );
  // Without the config a zero-size layer cannot be told from metadata; it weighs nothing, and
  // layer positions are uncertain, so compressed sizes are not guessed.
  const without = historyEntries(engine, diffIds, undefined);
  assert.deepEqual(
    without.map((e) => [e.layer, e.bytes, e.compressedBytes]),
    [
      [true, 2_000_000, null],
      [false, 0, null],
      [false, 0, null],
      [true, 10, null],
    ],
  );
});
