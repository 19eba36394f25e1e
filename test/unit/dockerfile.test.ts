import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { dockerfileSyntaxProblem, effectiveExposedPorts, effectiveHealthcheck, parseDockerfile, readDockerfileFacts } from '../../src/config/dockerfile.ts';

const MULTI = `# syntax=docker/dockerfile:1
FROM python:3.12-slim AS base
EXPOSE 8000
HEALTHCHECK --interval=5s \\
  CMD curl -f http://localhost:8000/health || exit 1
USER app

FROM base AS test
RUN pytest

FROM node:20 AS assets
EXPOSE 3000
HEALTHCHECK NONE

from base as runtime
COPY --from=assets /dist /srv/static
USER 10001
CMD ["uvicorn", "app:app"]
`;

describe('readDockerfileFacts', () => {
  const facts = readDockerfileFacts(MULTI);

  test('stages with names, base images, FROM lines and instructions', () => {
    assert.deepEqual(
      facts.stages.map((s) => [s.index, s.name, s.from, s.line]),
      [
        [0, 'base', 'python:3.12-slim', 2],
        [1, 'test', 'base', 8],
        [2, 'assets', 'node:20', 11],
        [3, 'runtime', 'base', 15],
      ],
    );
    assert.equal(facts.finalStage?.name, 'runtime');
    const hc = facts.stages[0]?.instructions.find((i) => i.keyword === 'HEALTHCHECK');
    assert.equal(hc?.line, 4);
    assert.equal(hc.text, 'HEALTHCHECK --interval=5s CMD curl -f http://localhost:8000/health || exit 1');
  });

  test('own EXPOSE, HEALTHCHECK and USER per stage', () => {
    assert.deepEqual(
      facts.stages.map((s) => s.exposedPorts),
      [[8000], [], [3000], []],
    );
    assert.deepEqual(
      facts.stages.map((s) => s.healthcheck),
      ['defined', 'none', 'disabled', 'none'],
    );
    assert.deepEqual(
      facts.stages.map((s) => s.user),
      ['app', undefined, undefined, '10001'],
    );
  });

  test('the final stage inherits EXPOSE and HEALTHCHECK from the stage it is built FROM, not from others', () => {
    assert.deepEqual(effectiveExposedPorts(facts), [8000]);
    assert.equal(effectiveHealthcheck(facts), 'defined');
  });

  test('a target selects the stage (case-insensitively)', () => {
    const assets = readDockerfileFacts(MULTI, 'ASSETS');
    assert.equal(assets.finalStage?.name, 'assets');
    assert.deepEqual(effectiveExposedPorts(assets), [3000]);
    assert.equal(effectiveHealthcheck(assets), 'disabled');
    assert.equal(readDockerfileFacts(MULTI, 'missing').finalStage, undefined);
  });

  test('HEALTHCHECK NONE in a later stage hides an inherited one', () => {
    const f = readDockerfileFacts('FROM busybox AS a\nHEALTHCHECK CMD true\nFROM a\nHEALTHCHECK NONE\n');
    assert.equal(effectiveHealthcheck(f), 'disabled');
  });

  test('EXPOSE forms: several ports, /tcp, duplicates; /udp and variables are not health-checkable', () => {
    const f = readDockerfileFacts('FROM busybox\nEXPOSE 80/tcp 443 80\nEXPOSE 53/udp\nEXPOSE $PORT\n');
    assert.deepEqual(effectiveExposedPorts(f), [80, 443]);
  });

  test('ports accumulate along a chain of stages', () => {
    const f = readDockerfileFacts('FROM busybox AS a\nEXPOSE 1000\nFROM a AS b\nEXPOSE 2000\nFROM b\n');
    assert.deepEqual(effectiveExposedPorts(f).sort(), [1000, 2000]);
  });

  test('no FROM: no stages', () => {
    assert.deepEqual(readDockerfileFacts('# only a comment\n').stages, []);
  });
});

describe("dockerfileSyntaxProblem: what BuildKit's parser refuses, found before the build", () => {
  const at = (line: string): ReturnType<typeof dockerfileSyntaxProblem> => dockerfileSyntaxProblem(`FROM scratch\nRUN echo ok\n${line}\n`);
  test.each([
    ['RUNN echo typo', 'unknown instruction RUNN (did you mean RUN?)'],
    ['PRINT hello', 'unknown instruction PRINT'],
    ['EXPOSE', 'EXPOSE requires at least one argument'],
    ['WORKDIR', 'WORKDIR requires at least one argument'],
    ['COPY app.py', 'COPY requires at least two arguments, a source and a destination'],
    ['ADD ["a"]', 'ADD requires at least two arguments, a source and a destination'],
    ['FROM a b', 'FROM requires an image and optionally "AS name" (FROM image [AS name]); it has "a b"'],
    ['FROM', 'FROM requires an image and optionally "AS name" (FROM image [AS name]); it has none'],
  ])('%s: line 3, %s', (line, message) => {
    assert.deepEqual(at(line), { line: 3, message });
  });

  test.each([
    'CMD',
    'ENTRYPOINT',
    'RUN',
    'COPY ["a","b"]',
    'COPY --from=build /a /b',
    'COPY <<EOF /x\nhello\nEOF',
    'MAINTAINER John Doe',
    'FROM --platform=linux/amd64 scratch AS base',
    'from scratch as base',
    'ONBUILD RUNN x',
    'env A=1 \\\n  B=2',
  ])('%s is accepted', (line) => {
    assert.equal(at(line), undefined);
  });

  test('a frontend of its own (# syntax=) is left to build; docker/dockerfile is checked', () => {
    assert.equal(dockerfileSyntaxProblem('# syntax=example.com/frontend:1\nFROM scratch\nFROBNICATE x\n'), undefined);
    assert.deepEqual(dockerfileSyntaxProblem('# syntax=docker/dockerfile:1.7\nFROM scratch\nFROBNICATE x\n'), {
      line: 3,
      message: 'unknown instruction FROBNICATE',
    });
  });
});

describe('one parse serves both readers', () => {
  test('the facts and the syntax problem of a parsed tree are those of its text, and the tree is reusable', () => {
    const tree = parseDockerfile(MULTI);
    assert.deepEqual(dockerfileSyntaxProblem(tree), dockerfileSyntaxProblem(MULTI));
    assert.deepEqual(readDockerfileFacts(tree), readDockerfileFacts(MULTI));
    assert.deepEqual(readDockerfileFacts(tree, 'assets'), readDockerfileFacts(MULTI, 'assets'));
    const broken = parseDockerfile('FROM scratch\nCOPY onlyone\n');
    assert.deepEqual(dockerfileSyntaxProblem(broken), { line: 2, message: 'COPY requires at least two arguments, a source and a destination' });
  });
});
