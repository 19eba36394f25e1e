import assert from 'node:assert/strict';
import { test } from 'vitest';
import { readDockerfileFacts } from '../../src/config/dockerfile.ts';
import { attributeHistory, layerOrigins, sanitizeCreatedBy, stageChain } from '../../src/hygiene/history.ts';

const multiStage = `FROM debian:bookworm-slim AS base
ENV PYTHONUNBUFFERED=1
RUN apt-get update \\
    && apt-get install -y python3

FROM base AS build
RUN make

FROM base AS runtime
ARG API_TOKEN
WORKDIR /srv
RUN --mount=type=cache,target=/root/.cache echo "$API_TOKEN" > /dev/null
COPY --chown=app:app app/ ./app/
USER app
CMD ["python3"]
`;

// What BuildKit writes for the runtime target: the base image's own entries (here built by
// BuildKit too, so marked the same way), then base's and runtime's instructions.
const history = [
  { created_by: '# debian.sh --arch amd64 out/ bookworm', comment: 'debuerreotype' },
  { created_by: 'CMD ["bash"]', comment: 'buildkit.dockerfile.v0', empty_layer: true },
  { created_by: 'ENV PYTHONUNBUFFERED=1', comment: 'buildkit.dockerfile.v0', empty_layer: true },
  { created_by: 'RUN /bin/sh -c apt-get update     && apt-get install -y python3 # buildkit', comment: 'buildkit.dockerfile.v0' },
  { created_by: 'ARG API_TOKEN', comment: 'buildkit.dockerfile.v0', empty_layer: true },
  { created_by: 'WORKDIR /srv', comment: 'buildkit.dockerfile.v0' },
  { created_by: 'RUN |1 API_TOKEN=tok-123 /bin/sh -c echo "$API_TOKEN" > /dev/null # buildkit', comment: 'buildkit.dockerfile.v0' },
  { created_by: 'COPY --chown=app:app app/ ./app/ # buildkit', comment: 'buildkit.dockerfile.v0' },
  { created_by: 'USER app', comment: 'buildkit.dockerfile.v0', empty_layer: true },
  { created_by: 'CMD ["python3"]', comment: 'buildkit.dockerfile.v0', empty_layer: true },
];

test('the stages an image is made of: the target and the stages it is built FROM', () => {
  const facts = readDockerfileFacts(multiStage, 'runtime');
  assert.deepEqual(
    stageChain(facts).map((s) => s.name),
    ['base', 'runtime'],
  );
  assert.deepEqual(
    stageChain(readDockerfileFacts(multiStage, 'build')).map((s) => s.name),
    ['base', 'build'],
  );
});

test('history entries are tied to Dockerfile lines; the base image’s own entries to its FROM', () => {
  const origins = attributeHistory(history, readDockerfileFacts(multiStage, 'runtime'));
  assert.deepEqual(
    origins.map((o) => [o.line, o.fromBase]),
    [
      [1, true],
      [1, true],
      [2, false],
      [3, false],
      [10, false],
      [11, false],
      [12, false],
      [13, false],
      [14, false],
      [15, false],
    ],
  );
  assert.equal(origins[0]?.instruction, 'FROM debian:bookworm-slim');
  assert.equal(origins[6]?.instruction, 'RUN --mount=type=cache,target=/root/.cache echo "$API_TOKEN" > /dev/null');
  assert.ok(!origins.some((o) => o.instruction.includes('tok-123')), 'no build-arg value in an origin');
});

test('layers are the history entries that are not empty_layer', () => {
  const origins = attributeHistory(history, readDockerfileFacts(multiStage, 'runtime'));
  assert.deepEqual(
    layerOrigins(history, origins, 5).map((o) => o?.line),
    [1, 3, 11, 12, 13],
  );
  assert.deepEqual(layerOrigins(history, origins, 4), [undefined, undefined, undefined, undefined], 'a history that does not account for every layer');
});

test('an instruction BuildKit skipped does not shift the others', () => {
  const dockerfile = 'FROM busybox\nRUN one\nRUN two\nCOPY a /a\n';
  const origins = attributeHistory(
    [{ created_by: '' }, { created_by: 'RUN /bin/sh -c two # buildkit' }, { created_by: 'COPY a /a # buildkit' }],
    readDockerfileFacts(dockerfile),
  );
  assert.deepEqual(
    origins.map((o) => o.line),
    [1, 3, 4],
  );
});

test('history text without build-arg values or builder markers', () => {
  assert.equal(sanitizeCreatedBy('RUN |2 API_TOKEN=s3cr3t B=x /bin/sh -c make # buildkit'), 'RUN make');
  assert.equal(sanitizeCreatedBy('/bin/sh -c #(nop) COPY file:abc in /app '), 'COPY file:abc in /app');
  assert.equal(sanitizeCreatedBy('/bin/sh -c apt-get update'), 'RUN apt-get update');
  assert.equal(sanitizeCreatedBy('COPY . . # buildkit'), 'COPY . .');
});
