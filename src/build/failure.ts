import path from 'node:path';

/**
 * The Dockerfile lines a build error points at. buildx prints them after the progress as
 *
 *     Dockerfile.ci:6
 *     --------------------
 *        5 |     WORKDIR /app
 *        6 | >>> RUN echo "installing" && \
 *        7 | >>>     false
 *        8 |     CMD ["true"]
 *     --------------------
 *     ERROR: failed to solve: process "/bin/sh -c ..." did not complete successfully: exit code: 1
 *
 * (BuildKit's error source: the file's name, then every line of the failing instruction marked
 * ">>>", with a few lines around it).
 */
export interface SourceExcerpt {
  /** The file's name as BuildKit gives it (the Dockerfile's base name). */
  readonly file: string;
  /** 1-based first and last line of the failing instruction. */
  readonly line: number;
  readonly endLine: number;
  /** The marked lines, as buildx printed them. */
  readonly lines: readonly string[];
  /** Index in the given lines of the header and of the closing dashes, to tell the excerpt from other output. */
  readonly from: number;
  readonly to: number;
}

const RULE = /^-{10,}$/;
const NUMBERED = /^(\d+) \|(?: (>>>| {3})(?: (.*))?)?$/;

/**
 * The last source excerpt in buildx's plain-text lines (trimmed, as BuildProgress keeps them), if
 * any: the error's own comes last, right before the "ERROR:" line, after anything else buildx printed.
 */
export function parseSourceExcerpt(lines: readonly string[]): SourceExcerpt | undefined {
  for (let i = lines.length - 2; i >= 0; i--) {
    const header = /^(.+):(\d+)$/.exec(lines[i] ?? '');
    if (!header || !RULE.test(lines[i + 1] ?? '')) continue;
    const marked: { n: number; text: string }[] = [];
    let end = i + 2;
    for (; end < lines.length && !RULE.test(lines[end] ?? ''); end++) {
      const m = NUMBERED.exec(lines[end] ?? '');
      if (!m) break;
      if (m[2] === '>>>') marked.push({ n: Number(m[1]), text: m[3] ?? '' });
    }
    if (!RULE.test(lines[end] ?? '')) continue;
    const first = Number(header[2]);
    return {
      file: header[1] ?? '',
      line: marked[0]?.n ?? first,
      endLine: marked.at(-1)?.n ?? first,
      lines: marked.map((l) => l.text),
      from: i,
      to: end,
    };
  }
  return undefined;
}

/** Where a build failed, for the report: the file, the instruction's lines, and those lines as written. */
export interface FailureSource {
  /** The Dockerfile's path when it is the file built, else the name BuildKit gave. */
  readonly file: string;
  readonly line: number;
  readonly endLine: number;
  /** The instruction's lines exactly as they are in the file (continuation backslashes and indentation kept). */
  readonly lines: readonly string[];
}

/**
 * The excerpt's lines read from the Dockerfile itself when the excerpt names it: buildx trims
 * them, and the step's own name is BuildKit's normalised text (a multi-line RUN on one line).
 */
export function failureSource(excerpt: SourceExcerpt, dockerfile: string, dockerfileText: string | undefined): FailureSource {
  const sameFile = path.basename(dockerfile) === excerpt.file;
  if (sameFile && dockerfileText !== undefined) {
    const fileLines = dockerfileText.split(/\r?\n/);
    if (excerpt.endLine <= fileLines.length) {
      return { file: dockerfile, line: excerpt.line, endLine: excerpt.endLine, lines: fileLines.slice(excerpt.line - 1, excerpt.endLine) };
    }
  }
  return { file: sameFile ? dockerfile : excerpt.file, line: excerpt.line, endLine: excerpt.endLine, lines: [...excerpt.lines] };
}

/**
 * buildx's last error line without the prefixes deploy-check's own words replace:
 * "ERROR: failed to solve: X" is reported as "Build failed: X".
 */
export function buildErrorText(line: string): string {
  // Newer buildx says "ERROR: failed to build: failed to solve: X".
  return (
    line
      .trim()
      .replace(/^(?:ERROR|error):\s*/, '')
      .replace(/^failed to build:\s*/, '')
      .replace(/^failed to solve:\s*/, '') || line.trim()
  );
}

/**
 * A step's error without the command BuildKit repeats in it: `process "/bin/sh -c <the RUN
 * line>" did not complete successfully: exit code: 6` says no more than "exit code: 6" once the
 * step (and its lines) are named.
 */
export function stepErrorText(error: string): string {
  return /^process ".*" did not complete successfully: (exit code: -?\d+)$/s.exec(error.trim())?.[1] ?? error;
}
