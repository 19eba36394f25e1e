import type Docker from 'dockerode';

/**
 * Docker multiplexes stdout and stderr of a container without a TTY into frames:
 * an 8-byte header (stream, 3 zero bytes, big-endian length) then the payload.
 */
export function demuxDockerStream(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const kind = buffer[offset];
    const length = buffer.readUInt32BE(offset + 4);
    if (kind === undefined || kind > 2 || buffer[offset + 1] !== 0 || buffer[offset + 2] !== 0 || buffer[offset + 3] !== 0) {
      // Not multiplexed (a TTY container): the buffer is plain text.
      return buffer.toString('utf8');
    }
    parts.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The last `tail` lines the container wrote to stdout and stderr, interleaved as Docker stored them. */
export async function lastLogLines(container: Docker.Container, tail = 100): Promise<string[]> {
  try {
    const raw = (await container.logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
    const text = demuxDockerStream(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    const lines = text.split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-tail);
  } catch {
    return [];
  }
}

/** How many first and last lines of a container's output the report keeps. */
export const LOG_HEAD_LINES = 40;
export const LOG_TAIL_LINES = 60;

/**
 * Everything the container wrote, as lines. The first lines usually say why an app failed to
 * start; the last say where it stood: both are kept (see compactLogLines).
 */
export async function allLogLines(container: Docker.Container): Promise<string[]> {
  try {
    const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    const text = demuxDockerStream(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    const lines = text.split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    return lines;
  } catch {
    return [];
  }
}

/**
 * A chatty app logs every probe: runs of identical lines are folded into one ("… (× 37)"),
 * then the first `head` and last `tail` lines are kept around a marker saying how many were left out.
 */
export function compactLogLines(lines: readonly string[], head = LOG_HEAD_LINES, tail = LOG_TAIL_LINES): string[] {
  const runs: { text: string; count: number }[] = [];
  for (let i = 0; i < lines.length; ) {
    const line = lines[i] ?? '';
    let count = 1;
    while (i + count < lines.length && lines[i + count] === line) count++;
    runs.push({ text: count > 1 ? `${line}  (× ${count})` : line, count });
    i += count;
  }
  if (runs.length <= head + tail) return runs.map((r) => r.text);
  const middle = runs.slice(head, runs.length - tail);
  const omitted = middle.reduce((sum, r) => sum + r.count, 0);
  return [
    ...runs.slice(0, head).map((r) => r.text),
    `… ${omitted} line${omitted === 1 ? '' : 's'} omitted …`,
    ...runs.slice(-tail).map((r) => r.text),
  ];
}
