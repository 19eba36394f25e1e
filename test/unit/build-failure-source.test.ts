/**
 * Where a build failed: BuildKit's source excerpt (the "Dockerfile.ci:7" block buildx prints
 * after the progress) read from a real failed build of test/fixtures/edge-multiline-run, and
 * the lines taken from the Dockerfile as written.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'vitest';
import { buildErrorText, failureSource, parseSourceExcerpt, stepErrorText } from '../../src/build/failure.ts';
import { BuildProgress } from '../../src/build/progress.ts';
import { sourceLabel } from '../../src/model/format.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import type { CheckReport } from '../../src/model/report.ts';
import { renderTerminal } from '../../src/report/terminal.ts';
import { decideVerdict } from '../../src/report/verdict.ts';
import { passingReport } from '../support/reports.ts';

const MULTILINE = readFileSync(new URL('./fixtures/buildx-rawjson-multiline-failure.txt', import.meta.url), 'utf8');
const DOCKERFILE = new URL('../fixtures/edge-multiline-run/Dockerfile.ci', import.meta.url).pathname;
const DOCKERFILE_TEXT = readFileSync(DOCKERFILE, 'utf8');

function otherLines(text: string): string[] {
  const progress = new BuildProgress();
  progress.write(text);
  progress.end();
  return progress.otherLines;
}

describe('the source excerpt of a real failed multi-line RUN', () => {
  const lines = otherLines(MULTILINE);
  const excerpt = parseSourceExcerpt(lines);

  test('names the file and every line of the instruction', () => {
    assert.deepEqual({ file: excerpt?.file, line: excerpt?.line, endLine: excerpt?.endLine }, { file: 'Dockerfile.ci', line: 7, endLine: 10 });
    // buildx prints the lines after "| >>> "; the line's own indentation (a tab here) follows.
    assert.deepEqual(excerpt?.lines, ['RUN echo "installing" && \\', '\tmkdir -p /app/lib && \\', '    echo "compiling"   && \\', '    exit 6']);
  });

  test('the excerpt is told apart from the error line after it', () => {
    assert.match(lines[(excerpt?.to ?? 0) + 1] ?? '', /^ERROR: failed to solve: process/);
    assert.equal(lines[excerpt?.from ?? -1], 'Dockerfile.ci:7');
  });

  test('the lines come from the Dockerfile as written: tab, indentation and backslashes kept', () => {
    const source = excerpt && failureSource(excerpt, DOCKERFILE, DOCKERFILE_TEXT);
    assert.deepEqual(source, {
      file: DOCKERFILE,
      line: 7,
      endLine: 10,
      lines: ['RUN echo "installing" && \\', '\tmkdir -p /app/lib && \\', '    echo "compiling"   && \\', '    exit 6'],
    });
    assert.equal(sourceLabel(source), 'Dockerfile.ci:7-10');
  });

  test("another file's excerpt keeps buildx's text and BuildKit's name", () => {
    const source = excerpt && failureSource(excerpt, '/elsewhere/Dockerfile', 'FROM x\n');
    assert.equal(source?.file, 'Dockerfile.ci');
    assert.equal(source.lines[0], 'RUN echo "installing" && \\');
    assert.equal(source.lines.length, 4);
  });

  test('a Dockerfile shorter than the excerpt (changed since the build) falls back to the excerpt', () => {
    const source = excerpt && failureSource(excerpt, DOCKERFILE, 'FROM x\n');
    assert.equal(source?.lines.length, 4);
    assert.equal(source.file, DOCKERFILE);
  });
});

describe('parseSourceExcerpt on hand-made text', () => {
  test('a single-line instruction, with an empty line in the context', () => {
    const excerpt = parseSourceExcerpt([
      'Dockerfile:3',
      '--------------------',
      '1 |     FROM a',
      '2 |',
      '3 | >>> RUN false',
      '4 |     CMD ["x"]',
      '--------------------',
      'ERROR: failed to solve: x',
    ]);
    assert.deepEqual(
      { file: excerpt?.file, line: excerpt?.line, endLine: excerpt?.endLine, lines: excerpt?.lines, from: excerpt?.from, to: excerpt?.to },
      { file: 'Dockerfile', line: 3, endLine: 3, lines: ['RUN false'], from: 0, to: 6 },
    );
  });

  test('no excerpt: undefined; an unclosed one is not an excerpt', () => {
    assert.equal(parseSourceExcerpt(['ERROR: failed to solve: not found']), undefined);
    assert.equal(parseSourceExcerpt(['Dockerfile:3', '--------------------', '3 | >>> RUN false']), undefined);
    assert.equal(parseSourceExcerpt(['time="x" level=warning msg="a:1"', '--------------------', 'x']), undefined);
  });
});

describe('buildErrorText', () => {
  test("drops buildx's prefixes, which 'Build failed:' replaces", () => {
    assert.equal(
      buildErrorText('ERROR: failed to solve: dockerfile parse error on line 3: unknown instruction: RUNN'),
      'dockerfile parse error on line 3: unknown instruction: RUNN',
    );
    assert.equal(buildErrorText('ERROR: failed to solve: target stage "nope" could not be found'), 'target stage "nope" could not be found');
    assert.equal(buildErrorText('error: could not connect'), 'could not connect');
    assert.equal(
      buildErrorText('ERROR: failed to build: failed to solve: process "/bin/sh -c false" did not complete successfully: exit code: 1'),
      'process "/bin/sh -c false" did not complete successfully: exit code: 1',
    );
    assert.equal(buildErrorText('something else'), 'something else');
  });
});

describe('reporters show the failing lines', () => {
  const failed = (): CheckReport => {
    const report = passingReport();
    report.verdict = 'fail';
    report.build.status = 'failure';
    report.build.failure = {
      step: '[stage-1 2/2] RUN echo "installing" && \tmkdir -p /app/lib &&     exit 6',
      message: 'step [stage-1 2/2] RUN ... failed: exit code: 6',
      logs: ['installing'],
      source: { file: '/repo/Dockerfile.ci', line: 7, endLine: 9, lines: ['RUN echo "installing" && \\', '\tmkdir -p /app/lib && \\', '    exit 6'] },
    };
    report.reasons = ['Build failed: step [stage-1 2/2] RUN ... failed: exit code: 6'];
    return report;
  };

  test('the comment and summary: file and lines, then the lines as written in a code block', () => {
    const md = renderMarkdown(failed());
    assert.ok(md.includes('At <code>Dockerfile.ci:7-9</code>, step <code>'), md);
    assert.ok(md.includes('```text\n7 | RUN echo "installing" && \\\n8 | \tmkdir -p /app/lib && \\\n9 |     exit 6\n```'), md);
    assert.match(md, /\| Build \| ❌ \| failed at <code>Dockerfile\.ci:7-9<\/code> in <code>/);
  });

  test('the terminal', () => {
    const text = renderTerminal(failed());
    assert.ok(
      text.includes(
        'Failing instruction, Dockerfile.ci:7-9:\n  7 > RUN echo "installing" && \\\n  8 > \tmkdir -p /app/lib && \\\n  9 >     exit 6\n\nBuild output of ',
      ),
      text,
    );
    assert.ok(text.includes('(last 1 lines):\n  | installing'), text);
  });

  test('a report without a source (an older deploy-check, or no line named) renders as before', () => {
    const report = failed();
    delete report.build.failure?.source;
    assert.ok(renderMarkdown(report).includes('At <code>&#91;stage-1 2/2&#93;'));
    assert.ok(!renderTerminal(report).includes('Failing instruction'));
  });
});

describe('several excerpts', () => {
  test("the last one, right before buildx's error line, is the error's", () => {
    const block = (file: string, n: number): string[] => [`${file}:${n}`, '--------------------', `${n} | >>> RUN x${n}`, '--------------------'];
    const excerpt = parseSourceExcerpt([...block('Dockerfile', 2), 'some other text', ...block('Dockerfile', 5), 'ERROR: failed to solve: x']);
    assert.deepEqual({ line: excerpt?.line, lines: excerpt?.lines, from: excerpt?.from, to: excerpt?.to }, { line: 5, lines: ['RUN x5'], from: 5, to: 8 });
  });
});

describe('stepErrorText', () => {
  test('the command BuildKit repeats in a process error goes; the exit code stays', () => {
    assert.equal(
      stepErrorText('process "/bin/sh -c echo \\"installing\\" && \\tmkdir -p /app/lib &&     exit 6" did not complete successfully: exit code: 6'),
      'exit code: 6',
    );
    assert.equal(stepErrorText('process "/bin/sh -c a\nb" did not complete successfully: exit code: 137'), 'exit code: 137');
  });
  test('other errors are kept whole', () => {
    const error = 'failed to calculate checksum of ref x::y: "/missing.txt": not found';
    assert.equal(stepErrorText(error), error);
  });
});

describe('the verdict names the place', () => {
  test('"Build failed at Dockerfile.ci:7-9: ..." with a source, "Build failed: ..." without', () => {
    const report = passingReport();
    report.build.status = 'failure';
    report.build.failure = { step: null, message: 'exit code: 6', logs: [], source: { file: '/repo/Dockerfile.ci', line: 7, endLine: 9, lines: [] } };
    decideVerdict(report);
    assert.equal(report.reasons[0], 'Build failed at Dockerfile.ci:7-9: exit code: 6');
    report.build.failure.source = null;
    decideVerdict(report);
    assert.equal(report.reasons[0], 'Build failed: exit code: 6');
  });
});
