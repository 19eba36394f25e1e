/**
 * What one layer holds that the hygiene rules care about, gathered from its tar stream in one
 * pass. The facts are plain data (no secret value in them, only fingerprints), so they can be
 * remembered per layer digest and combined with other layers' facts without reading them again.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import zlib from 'node:zlib';
import {
  compilerOf,
  gitDirectoryOf,
  imagePath,
  isThirdPartyPath,
  MAX_SECRET_BODY,
  packageCacheOf,
  secretFileRule,
  whiteoutTarget,
  type SecretFileKind,
} from './rules.ts';
import { TarFormatError, TarReader, type TarBodySink, type TarEntry } from './tar.ts';
import type { LookalikeReason } from '../secrets/lookalikes.ts';
import { classifySecretValues, mayHoldSecret, type GivenSecret, type ValueKind } from '../secrets/values.ts';

export interface SecretFile {
  readonly path: string;
  readonly kind: SecretFileKind;
  readonly bytes: number;
}

/** A secret recognised by its value inside a file: where, what kind, and a fingerprint. */
export interface SecretValueFact {
  readonly path: string;
  readonly kind: ValueKind;
  readonly line: number;
  readonly fingerprint: string;
  /** For a given secret: which input it came from ("build secret NPM_TOKEN"). */
  readonly source: string | null;
}

/** A credential-shaped value that is not a secret (a placeholder, a README's example): a note, never a failure. */
export interface LookalikeFact {
  readonly path: string;
  readonly kind: ValueKind;
  readonly line: number;
  readonly reason: LookalikeReason;
}

export interface Tally {
  files: number;
  bytes: number;
}

export interface CacheTally extends Tally {
  /** Every file, to tell whether a later layer deleted them all. */
  readonly paths: string[];
}

export interface ModeFact {
  readonly path: string;
  readonly mode: number;
  readonly type: 'file' | 'directory';
}

export interface LayerFacts {
  files: number;
  bytes: number;
  readonly secretFiles: SecretFile[];
  readonly secretValues: SecretValueFact[];
  readonly lookalikes: LookalikeFact[];
  readonly gitDirectories: Record<string, Tally>;
  readonly caches: Record<string, CacheTally>;
  /** Compiler name → path. */
  readonly compilers: Record<string, string>;
  /** Paths a whiteout removes from the layers below, and directories made opaque. */
  readonly deletes: { kind: 'path' | 'opaque'; target: string }[];
  /** Every non-directory path this layer writes, with its size: deleted files coming back, wasted bytes. */
  readonly sizes: Record<string, number>;
  /** setuid/setgid files. */
  readonly privileged: ModeFact[];
  /** World-writable files, and world-writable directories without the sticky bit, outside /tmp. */
  readonly worldWritable: ModeFact[];
  passwd: string | null;
  group: string | null;
  /** Accounts in this layer's /etc/shadow with an empty password field; null when the layer has no shadow file. */
  shadowEmpty: string[] | null;
}

export function emptyFacts(): LayerFacts {
  return {
    files: 0,
    bytes: 0,
    secretFiles: [],
    secretValues: [],
    lookalikes: [],
    gitDirectories: {},
    caches: {},
    compilers: {},
    deletes: [],
    sizes: {},
    privileged: [],
    worldWritable: [],
    passwd: null,
    group: null,
    shadowEmpty: null,
  };
}

const ACCOUNT_FILES = new Set(['/etc/passwd', '/etc/group', '/etc/shadow']);
const MAX_ACCOUNT_FILE = 4 * 1024 * 1024;
/** Facts kept per layer are bounded: an image with thousands of setuid files says enough with the first ones. */
const MAX_LISTED = 200;

/**
 * Where an application's own files live. Distribution package trees (/usr, /lib, dpkg's
 * database) are not searched for secret values: they are the same bytes for every user of the
 * package, and reading them would cost most of a scan.
 */
export function searchesValues(path: string): boolean {
  if (isThirdPartyPath(path)) return false;
  if (/^\/usr\/(?!local\/|src\/)/.test(path) || /^\/(?:lib|lib32|lib64|libx32|bin|sbin|boot|proc|sys|dev)\//.test(path)) return false;
  if (/^\/usr\/local\/(?:lib|include|share|bin\/python)/.test(path)) return false;
  if (/^\/var\/(?:lib\/(?:dpkg|apt|ucf|pam|systemd)|cache|log)\//.test(path)) return false;
  if (/^\/etc\/(?:ssl|ca-certificates|alternatives|ld\.so\.cache)/.test(path)) return false;
  return !/\.(?:pyc|pyo|so(?:\.\d+)*|a|o|png|jpe?g|gif|webp|ico|woff2?|ttf|otf|gz|zip|xz|bz2|zst|whl|jar|class|mo|db|sqlite3?)$/i.test(path);
}

/** Collects a text body up to a limit; stops at the first NUL (a binary file). */
function captureText(limit: number, done: (body: string | undefined) => void): TarBodySink {
  const parts: Buffer[] = [];
  let kept = 0;
  let binary = false;
  return {
    data(chunk) {
      if (binary || kept >= limit) return;
      const part = chunk.subarray(0, limit - kept);
      if (part.includes(0)) {
        binary = true;
        parts.length = 0;
        return;
      }
      parts.push(Buffer.from(part));
      kept += part.length;
    },
    end() {
      done(binary ? undefined : Buffer.concat(parts).toString('utf8'));
    },
  };
}

export class LayerCollector {
  readonly facts: LayerFacts = emptyFacts();
  private readonly given: readonly GivenSecret[];

  constructor(given: readonly GivenSecret[] = []) {
    this.given = given;
  }

  /** What the rules need from one entry; returns a sink when the body matters. */
  readonly visit = (entry: TarEntry): TarBodySink | undefined => {
    const facts = this.facts;
    const path = imagePath(entry.path);
    const whiteout = whiteoutTarget(path);
    if (whiteout) {
      facts.deletes.push(whiteout);
      return undefined;
    }
    this.modes(path, entry);
    if (entry.type === 'directory') return undefined;
    facts.files++;
    facts.bytes += entry.size;
    facts.sizes[path] = entry.size;
    const compiler = compilerOf(path);
    if (compiler && (entry.type === 'file' || entry.type === 'symlink' || entry.type === 'hardlink')) facts.compilers[compiler] = path;
    if (entry.type !== 'file') return undefined;
    const git = gitDirectoryOf(path);
    if (git) {
      const t = (facts.gitDirectories[git] ??= { files: 0, bytes: 0 });
      t.files++;
      t.bytes += entry.size;
    }
    const cache = packageCacheOf(path);
    if (cache) {
      const t = (facts.caches[cache] ??= { files: 0, bytes: 0, paths: [] });
      t.files++;
      t.bytes += entry.size;
      t.paths.push(path);
    }
    if (ACCOUNT_FILES.has(path)) {
      return captureText(MAX_ACCOUNT_FILE, (body) => this.accountFile(path, body ?? ''));
    }
    const rule = secretFileRule(path);
    const values = entry.size > 0 && entry.size <= MAX_SECRET_BODY && searchesValues(path);
    if (!rule && !values) return undefined;
    if (rule && !rule.content) facts.secretFiles.push({ path, kind: rule.kind, bytes: entry.size });
    return captureText(MAX_SECRET_BODY, (body) => {
      if (body === undefined) return;
      if (rule?.content?.(body)) facts.secretFiles.push({ path, kind: rule.kind, bytes: entry.size });
      if (values && mayHoldSecret(body, this.given)) {
        for (const m of classifySecretValues(body, this.given, 10, path)) {
          if (m.lookalike) {
            if (facts.lookalikes.length < MAX_LISTED) facts.lookalikes.push({ path, kind: m.kind, line: m.line, reason: m.lookalike });
          } else if (facts.secretValues.length < MAX_LISTED) {
            facts.secretValues.push({ path, kind: m.kind, line: m.line, fingerprint: m.fingerprint, source: m.source ?? null });
          }
        }
      }
    });
  };

  private modes(path: string, entry: TarEntry): void {
    const facts = this.facts;
    if (entry.type !== 'file' && entry.type !== 'directory') return;
    const type = entry.type;
    if (type === 'file' && entry.mode & 0o6000 && facts.privileged.length < MAX_LISTED) facts.privileged.push({ path, mode: entry.mode, type });
    const writable = (entry.mode & 0o002) !== 0;
    const sticky = (entry.mode & 0o1000) !== 0;
    if (writable && !(type === 'directory' && sticky) && !/^\/(?:var\/)?tmp(?:\/|$)/.test(path) && facts.worldWritable.length < MAX_LISTED) {
      facts.worldWritable.push({ path, mode: entry.mode, type });
    }
  }

  private accountFile(path: string, body: string): void {
    if (path === '/etc/passwd') this.facts.passwd = body;
    else if (path === '/etc/group') this.facts.group = body;
    else this.facts.shadowEmpty = emptyPasswordAccounts(body);
  }
}

/** Accounts whose password field is empty: anyone may log in as them without a password. */
export function emptyPasswordAccounts(shadow: string): string[] {
  const out: string[] = [];
  for (const line of shadow.split('\n')) {
    const fields = line.split(':');
    if (fields.length >= 2 && fields[0] && fields[1] === '') out.push(fields[0]);
  }
  return out;
}

/** The result of reading one layer blob as it streams past. */
export interface ScannedLayer {
  /** sha256 of the uncompressed tar: the layer's diff id. */
  readonly diffId: string;
  readonly facts: LayerFacts;
  /** Bytes of the blob as received (compressed when it was). */
  readonly bytesRead: number;
  readonly entries: number;
}

/**
 * Reads a layer blob pushed in chunks (gzip, zstd or plain tar), hashing the uncompressed
 * stream to learn its diff id. Nothing is kept but the facts.
 */
export class LayerStreamScanner {
  private readonly collector: LayerCollector;
  private readonly reader: TarReader;
  private readonly hash = createHash('sha256');
  private head: Buffer[] = [];
  private headLength = 0;
  private decompressor: zlib.Gunzip | zlib.ZstdDecompress | undefined;
  private finished: Promise<void> = Promise.resolve();
  private decided = false;
  private failure: Error | undefined;
  private bytesRead = 0;

  constructor(given: readonly GivenSecret[] = []) {
    this.collector = new LayerCollector(given);
    this.reader = new TarReader(this.collector.visit);
  }

  async push(chunk: Buffer): Promise<void> {
    this.bytesRead += chunk.length;
    if (!this.decided) {
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength < 4) return;
      const head = Buffer.concat(this.head);
      this.head = [];
      this.decide(head);
      return this.route(head);
    }
    return this.route(chunk);
  }

  async end(): Promise<ScannedLayer> {
    if (!this.decided) {
      const head = Buffer.concat(this.head);
      this.head = [];
      this.decide(head);
      await this.route(head);
    }
    if (this.decompressor) {
      this.decompressor.end();
      await this.finished;
    }
    if (this.failure) throw this.failure;
    this.reader.end();
    return { diffId: `sha256:${this.hash.digest('hex')}`, facts: this.collector.facts, bytesRead: this.bytesRead, entries: this.reader.entries };
  }

  private decide(head: Buffer): void {
    this.decided = true;
    const options = { chunkSize: 256 * 1024 };
    if (head[0] === 0x1f && head[1] === 0x8b) this.decompressor = zlib.createGunzip(options);
    else if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) {
      if (typeof zlib.createZstdDecompress !== 'function') throw new TarFormatError('a zstd-compressed layer, and this Node.js cannot decompress zstd');
      this.decompressor = zlib.createZstdDecompress(options);
    }
    const d = this.decompressor;
    if (!d) return;
    d.on('data', (out: Buffer) => this.tar(out));
    this.finished = new Promise<void>((resolve, reject) => {
      d.once('end', resolve);
      d.once('error', (err: Error) => reject(new TarFormatError(`layer blob: ${err.message}`)));
    });
    this.finished.catch(() => undefined);
  }

  private tar(out: Buffer): void {
    if (this.failure) return;
    this.hash.update(out);
    try {
      // Visitors are synchronous: nothing to wait for.
      void this.reader.push(out);
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
    }
  }

  private async route(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    const d = this.decompressor;
    if (!d) {
      this.tar(chunk);
      return;
    }
    if (!d.write(chunk))
      await Promise.race([
        once(d, 'drain').then(
          () => undefined,
          () => undefined,
        ),
        this.finished,
      ]);
    // Set by the decompressor's error handler while waiting, which control-flow narrowing does not see.
    const failure = this.failure as Error | undefined;
    if (failure) throw failure;
  }
}
