import type Docker from 'dockerode';
import { StringDecoder } from 'node:string_decoder';

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
    const raw = await container.logs({ stdout: true, stderr: true, tail, follow: false });
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
/** A longer line is cut: what is kept stays bounded in bytes, not only in lines. */
export const LOG_LINE_MAX_CHARS = 2000;

/** What a container's output boils down to: the lines shown, and how many it wrote. */
export interface KeptLogs {
  /** As compactLogLines gives them: folded runs, head and tail around a marker. */
  readonly lines: string[];
  /** Lines the container wrote in all. */
  readonly count: number;
  /** The last non-blank lines, at most `LOG_TAIL_LINES`, unfolded. */
  readonly last: string[];
}

/**
 * Everything the container wrote, read as a stream and kept as it will be shown (see
 * compactLogLines): an app may print gigabytes, and only the first and last lines stay in
 * memory. The promise settles whatever the stream does.
 */
export async function keptLogLines(container: Docker.Container): Promise<KeptLogs> {
  const keeper = new LogKeeper();
  try {
    const stream = await openLogStream(container);
    await new Promise<void>((resolve) => {
      const demux = new DockerStreamDemuxer((text) => keeper.write(text));
      stream.on('data', (chunk: Buffer) => {
        failForTest();
        demux.write(chunk);
      });
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', () => resolve());
    });
  } catch {
    // The container is gone: what was read is kept.
  }
  return keeper.end();
}

/**
 * The logs endpoint as a stream even without `follow` (dockerode buffers the whole answer
 * into one string then, which a gigabyte of output does not fit in).
 */
function openLogStream(container: Docker.Container): Promise<NodeJS.ReadableStream> {
  const modem = (container as unknown as { modem: LogModem }).modem;
  return new Promise((resolve, reject) => {
    modem.dial(
      {
        path: `/containers/${container.id}/logs?`,
        method: 'GET',
        isStream: true,
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
        options: { stdout: true, stderr: true, follow: false },
      },
      (err, data) => (err ? reject(err) : resolve(data as NodeJS.ReadableStream)),
    );
  });
}

interface LogModem {
  dial(options: Record<string, unknown>, callback: (err: Error | null, data: unknown) => void): void;
}

/**
 * Set only by the tests of the last-resort error handlers: an error thrown in a stream handler,
 * outside any try, as a failure in a library's stream code would be.
 */
function failForTest(): void {
  if (process.env['DEPLOY_CHECK_TEST_THROW_IN_LOG_STREAM'] === '1')
    throw new Error('test-only failure in the container log stream (DEPLOY_CHECK_TEST_THROW_IN_LOG_STREAM)');
}

/** Docker's multiplexed frames, split across chunks anywhere, to text (a TTY container's stream is text already). */
export class DockerStreamDemuxer {
  private readonly out: (text: string) => void;
  private readonly decoder = new StringDecoder('utf8');
  private header = Buffer.alloc(0);
  private remaining = 0;
  private plain: boolean | undefined;

  constructor(out: (text: string) => void) {
    this.out = out;
  }

  write(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.plain) {
        this.emit(chunk.subarray(offset));
        return;
      }
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        this.emit(chunk.subarray(offset, offset + take));
        this.remaining -= take;
        offset += take;
        continue;
      }
      const need = 8 - this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + need)]);
      offset += need;
      if (this.header.length < 8) return;
      const h = this.header;
      this.header = Buffer.alloc(0);
      if (this.plain === undefined && ((h[0] ?? 3) > 2 || h[1] !== 0 || h[2] !== 0 || h[3] !== 0)) {
        this.plain = true;
        this.emit(h);
        continue;
      }
      this.plain = false;
      this.remaining = h.readUInt32BE(4);
    }
  }

  private emit(bytes: Buffer): void {
    const text = this.decoder.write(bytes);
    if (text) this.out(text);
  }
}

/** Folds and keeps lines as they come, as compactLogLines does with all of them at once. */
export class LogKeeper {
  private readonly head: { text: string; count: number }[] = [];
  private tail: { text: string; count: number }[] = [];
  private run: { text: string; count: number } | undefined;
  private omitted = 0;
  private lines = 0;
  private partial = '';
  private partialCut = false;
  private readonly headLines: number;
  private readonly tailLines: number;

  constructor(head = LOG_HEAD_LINES, tail = LOG_TAIL_LINES) {
    this.headLines = head;
    this.tailLines = tail;
  }

  write(text: string): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.append(text.slice(start, nl));
      this.line(this.partial.replace(/\r$/, ''));
      this.partial = '';
      this.partialCut = false;
      start = nl + 1;
    }
    this.append(text.slice(start));
  }

  end(): KeptLogs {
    if (this.partial !== '' || this.partialCut) this.line(this.partial);
    this.partial = '';
    this.flush();
    this.dropTail();
    const fold = (r: { text: string; count: number }): string => (r.count > 1 ? `${r.text}  (× ${r.count})` : r.text);
    const lines =
      this.omitted === 0
        ? [...this.head, ...this.tail].map(fold)
        : [...this.head.map(fold), `… ${this.omitted} line${this.omitted === 1 ? '' : 's'} omitted …`, ...this.tail.map(fold)];
    const last = [...this.head, ...this.tail]
      .filter((r) => r.text.trim() !== '')
      .map((r) => r.text)
      .slice(-this.tailLines);
    return { lines, count: this.lines, last };
  }

  /** A line's start; past LOG_LINE_MAX_CHARS the rest of it is dropped. */
  private append(piece: string): void {
    if (this.partialCut || piece === '') return;
    const room = LOG_LINE_MAX_CHARS - this.partial.length;
    if (piece.length <= room) {
      this.partial += piece;
      return;
    }
    this.partial += `${piece.slice(0, room)} … (line cut at ${LOG_LINE_MAX_CHARS} characters)`;
    this.partialCut = true;
  }

  private line(text: string): void {
    this.lines++;
    if (this.run && this.run.text === text) {
      this.run.count++;
      return;
    }
    this.flush();
    this.run = { text, count: 1 };
  }

  private flush(): void {
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    if (this.head.length < this.headLines) {
      this.head.push(run);
      return;
    }
    this.tail.push(run);
    // Dropped in batches, so a long output does not shift the array once per line.
    if (this.tail.length >= this.tailLines * 2) this.dropTail();
  }

  private dropTail(): void {
    const extra = this.tail.length - this.tailLines;
    if (extra <= 0) return;
    for (const r of this.tail.slice(0, extra)) this.omitted += r.count;
    this.tail = this.tail.slice(extra);
  }
}

/**
 * A chatty app logs every probe: runs of identical lines are folded into one ("… (× 37)"),
 * then the first `head` and last `tail` lines are kept around a marker saying how many were left out.
 */
export function compactLogLines(lines: readonly string[], head = LOG_HEAD_LINES, tail = LOG_TAIL_LINES): string[] {
  const runs: { text: string; count: number }[] = [];
  for (let i = 0; i < lines.length;) {
    const line = lines[i] ?? '';
    let count = 1;
    while (i + count < lines.length && lines[i + count] === line) count++;
    runs.push({ text: count > 1 ? `${line}  (× ${count})` : line, count });
    i += count;
  }
  if (runs.length <= head + tail) return runs.map((r) => r.text);
  const middle = runs.slice(head, runs.length - tail);
  const omitted = middle.reduce((sum, r) => sum + r.count, 0);
  return [...runs.slice(0, head).map((r) => r.text), `… ${omitted} line${omitted === 1 ? '' : 's'} omitted …`, ...runs.slice(-tail).map((r) => r.text)];
}
