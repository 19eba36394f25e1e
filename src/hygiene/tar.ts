/**
 * A push parser for tar streams that reads headers and hands file bodies only to a consumer
 * that asks for them: listing a layer costs the bytes streamed through it, never a copy of
 * the files. Understands ustar (with prefix), PAX `path`/`linkpath`/`size` records and GNU
 * long names, which is what docker save, BuildKit and containerd write.
 */

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'directory' | 'other';

export interface TarEntry {
  /** As stored in the archive, without a leading "./" or "/". */
  readonly path: string;
  readonly type: TarEntryType;
  readonly size: number;
  readonly linkPath: string;
  /** Permission bits with setuid/setgid/sticky (07777). */
  readonly mode: number;
}

export interface TarBodySink {
  data(chunk: Buffer): void | Promise<void>;
  end(): void | Promise<void>;
}

/** Returns a sink to receive the entry's body, or undefined to skip it. */
export type TarVisitor = (entry: TarEntry) => TarBodySink | undefined;

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

const BLOCK = 512;
/** Longest PAX or GNU long-name record kept; real ones are a few hundred bytes. */
const MAX_META = 1 << 20;

type State =
  | { kind: 'header' }
  | { kind: 'body'; remaining: number; padding: number; sink: TarBodySink | undefined }
  | { kind: 'meta'; remaining: number; padding: number; flag: string; parts: Buffer[]; kept: number }
  | { kind: 'padding'; remaining: number }
  | { kind: 'done' };

export class TarReader {
  private state: State = { kind: 'header' };
  private pending: Buffer = Buffer.alloc(0);
  private pax: Map<string, string> = new Map();
  private globalPax: Map<string, string> = new Map();
  private longName: string | undefined;
  private longLink: string | undefined;
  private readonly visit: TarVisitor;
  entries = 0;

  constructor(visit: TarVisitor) {
    this.visit = visit;
  }

  /** True once the end-of-archive marker was read; bytes after it are ignored. */
  get done(): boolean {
    return this.state.kind === 'done';
  }

  /**
   * Feeds the next bytes. Synchronous unless a body sink returns a promise (backpressure),
   * in which case the returned promise settles once the whole chunk was consumed.
   */
  push(chunk: Buffer): Promise<void> | undefined {
    let offset = 0;
    while (offset < chunk.length) {
      const state = this.state;
      if (state.kind === 'done') return undefined;
      if (state.kind === 'header') {
        const need = BLOCK - this.pending.length;
        if (this.pending.length === 0 && chunk.length - offset >= BLOCK) {
          const header = chunk.subarray(offset, offset + BLOCK);
          offset += BLOCK;
          const r = this.header(header);
          if (r) return r.then(() => this.push(chunk.subarray(offset)));
        } else {
          const take = Math.min(need, chunk.length - offset);
          this.pending = Buffer.concat([this.pending, chunk.subarray(offset, offset + take)]);
          offset += take;
          if (this.pending.length === BLOCK) {
            const header = this.pending;
            this.pending = Buffer.alloc(0);
            const r = this.header(header);
            if (r) return r.then(() => this.push(chunk.subarray(offset)));
          }
        }
        continue;
      }
      if (state.kind === 'body') {
        const take = Math.min(state.remaining, chunk.length - offset);
        const slice = chunk.subarray(offset, offset + take);
        offset += take;
        state.remaining -= take;
        let r = state.sink && take > 0 ? state.sink.data(slice) : undefined;
        if (state.remaining === 0) {
          const sink = state.sink;
          this.state = state.padding > 0 ? { kind: 'padding', remaining: state.padding } : { kind: 'header' };
          if (sink) r = r ? r.then(() => sink.end()) : sink.end();
        }
        if (r) return r.then(() => this.push(chunk.subarray(offset)));
        continue;
      }
      if (state.kind === 'meta') {
        const take = Math.min(state.remaining, chunk.length - offset);
        if (state.kept + take <= MAX_META) {
          state.parts.push(Buffer.from(chunk.subarray(offset, offset + take)));
          state.kept += take;
        }
        offset += take;
        state.remaining -= take;
        if (state.remaining === 0) {
          this.meta(state.flag, Buffer.concat(state.parts));
          this.state = state.padding > 0 ? { kind: 'padding', remaining: state.padding } : { kind: 'header' };
        }
        continue;
      }
      const take = Math.min(state.remaining, chunk.length - offset);
      offset += take;
      state.remaining -= take;
      if (state.remaining === 0) this.state = { kind: 'header' };
    }
    return undefined;
  }

  /** Call after the last chunk: a stream that stops inside an entry is truncated. */
  end(): void {
    if (this.state.kind === 'body' || this.state.kind === 'meta') {
      throw new TarFormatError('the archive ends inside an entry (truncated stream)');
    }
  }

  private header(block: Buffer): Promise<void> | undefined {
    if (isZeroBlock(block)) {
      // Two zero blocks end the archive; one is enough to know no entry follows.
      this.state = { kind: 'done' };
      return undefined;
    }
    if (!checksumMatches(block)) throw new TarFormatError('bad tar header checksum (not a tar stream, or corrupted)');
    const flag = String.fromCharCode(block[156] ?? 0);
    let size = readNumber(block, 124, 12);
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      this.state = size > 0 ? { kind: 'meta', remaining: size, padding, flag, parts: [], kept: 0 } : { kind: 'header' };
      return undefined;
    }
    const ustar = block.toString('latin1', 257, 263) === 'ustar\0';
    const name = cString(block, 0, 100);
    const prefix = ustar ? cString(block, 345, 155) : '';
    let path = this.longName ?? this.pax.get('path') ?? this.globalPax.get('path') ?? (prefix ? `${prefix}/${name}` : name);
    const linkPath = this.longLink ?? this.pax.get('linkpath') ?? cString(block, 157, 100);
    const paxSize = this.pax.get('size');
    if (paxSize !== undefined && /^\d+$/.test(paxSize)) size = Number(paxSize);
    this.pax = new Map();
    this.longName = undefined;
    this.longLink = undefined;
    path = path.replace(/^(?:\.\/|\/)+/, '');
    const type: TarEntryType =
      flag === '0' || flag === '\0' || flag === '7' ? 'file' : flag === '1' ? 'hardlink' : flag === '2' ? 'symlink' : flag === '5' ? 'directory' : 'other';
    // As Go's archive/tar (which wrote these layers): links, devices, directories and fifos
    // are header-only whatever their size field says.
    const bodySize = '123456'.includes(flag) ? 0 : size;
    const bodyPadding = (BLOCK - (bodySize % BLOCK)) % BLOCK;
    this.entries++;
    const mode = readNumber(block, 100, 8) & 0o7777;
    const sink = this.visit({ path, type, size: bodySize, linkPath, mode });
    if (bodySize === 0) {
      this.state = { kind: 'header' };
      const r = sink?.end();
      return r ?? undefined;
    }
    this.state = { kind: 'body', remaining: bodySize, padding: bodyPadding, sink };
    return undefined;
  }

  private meta(flag: string, body: Buffer): void {
    if (flag === 'L') this.longName = cString(body, 0, body.length);
    else if (flag === 'K') this.longLink = cString(body, 0, body.length);
    else parsePax(body, flag === 'g' ? this.globalPax : this.pax);
  }
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

function checksumMatches(block: Buffer): boolean {
  const stored = readNumber(block, 148, 8);
  let unsigned = 0;
  for (let i = 0; i < BLOCK; i++) unsigned += i >= 148 && i < 156 ? 32 : (block[i] ?? 0);
  return stored === unsigned;
}

function cString(buf: Buffer, start: number, length: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}

/** Octal, or GNU base-256 when the high bit of the first byte is set (sizes over 8 GiB). */
function readNumber(buf: Buffer, start: number, length: number): number {
  const first = buf[start] ?? 0;
  if (first & 0x80) {
    let value = first & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + (buf[i] ?? 0);
    return value;
  }
  const text = buf
    .toString('latin1', start, start + length)
    .replace(/\0.*$/s, '')
    .trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** PAX records: "<length> <key>=<value>\n", length counting the whole record. */
function parsePax(body: Buffer, into: Map<string, string>): void {
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    if (space === -1) return;
    const length = Number(body.toString('latin1', offset, space));
    if (!Number.isInteger(length) || length <= 0 || offset + length > body.length) return;
    const record = body.toString('utf8', space + 1, offset + length - 1);
    const eq = record.indexOf('=');
    if (eq > 0) into.set(record.slice(0, eq), record.slice(eq + 1));
    offset += length;
  }
}
