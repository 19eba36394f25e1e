/**
 * Reads an image as `docker save` streams it (GET /images/{name}/get), listing every layer's
 * entries without writing anything to disk. Both layouts the engine writes are understood:
 * the OCI layout of Engine 25+ (blobs/sha256/..., gzip-compressed layers from the containerd
 * image store, plain tar from the classic store) and the legacy `<id>/layer.tar` layout.
 * Blobs arrive in digest order, not layer order, so each blob is identified by sniffing its
 * first bytes and ordered afterwards from manifest.json.
 */
import { once } from 'node:events';
import zlib from 'node:zlib';
import { TarFormatError, TarReader, type TarBodySink, type TarEntry, type TarVisitor } from './tar.ts';

/** Receives one layer's entries; `visitor` may ask for a body (small files whose content matters). */
export interface LayerVisitorFactory {
  (layerKey: string): { visitor: TarVisitor; done: () => void };
}

export interface ImageArchive {
  /** Layer keys (archive paths) in layer order, from manifest.json. */
  readonly layers: readonly string[];
  readonly config: ImageConfigJson | undefined;
  /** In-toto statements (BuildKit provenance) stored next to the image. */
  readonly attestations: readonly unknown[];
  /** Bytes read from the engine. */
  readonly bytesRead: number;
  readonly entries: number;
  readonly compressedLayers: number;
}

export interface ImageConfigJson {
  config?: {
    User?: string;
    Env?: string[];
    Healthcheck?: { Test?: string[] };
  };
  history?: { created_by?: string; comment?: string; empty_layer?: boolean }[];
  rootfs?: { diff_ids?: string[] };
}

interface ManifestJsonEntry {
  Config?: string;
  Layers?: string[];
  RepoTags?: string[] | null;
}

const SNIFF_BYTES = 512;
const MAX_JSON = 16 * 1024 * 1024;

export async function readImageArchive(stream: AsyncIterable<Buffer | string>, layerVisitor: LayerVisitorFactory): Promise<ImageArchive> {
  const jsonBlobs = new Map<string, Buffer>();
  const layerKeys = new Set<string>();
  const links = new Map<string, string>();
  let compressedLayers = 0;
  let innerEntries = 0;

  const outer = new TarReader((entry: TarEntry): TarBodySink | undefined => {
    if (entry.type === 'symlink' || entry.type === 'hardlink') {
      links.set(entry.path, entry.type === 'symlink' ? joinRelative(entry.path, entry.linkPath) : entry.linkPath);
      return undefined;
    }
    if (entry.type !== 'file') return undefined;
    return new BlobSink(entry.path, {
      json: (body) => jsonBlobs.set(entry.path, body),
      layer: (compression) => {
        layerKeys.add(entry.path);
        if (compression !== 'none') compressedLayers++;
        const { visitor, done } = layerVisitor(entry.path);
        const inner = new TarReader(visitor);
        return {
          reader: inner,
          done: () => {
            innerEntries += inner.entries;
            done();
          },
        };
      },
    });
  });

  let bytesRead = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytesRead += buf.length;
    const r = outer.push(buf);
    if (r) await r;
  }
  outer.end();

  const resolve = (key: string): string => {
    let k = key.replace(/^\.\//, '');
    for (let hops = 0; links.has(k) && hops < 8; hops++) k = links.get(k) ?? k;
    return k;
  };
  const manifest = parseJson(jsonBlobs.get('manifest.json')) as ManifestJsonEntry[] | undefined;
  const entry = manifest?.[0];
  if (!entry?.Layers || !entry.Config) {
    throw new Error('the image archive has no manifest.json naming its config and layers');
  }
  const layers = entry.Layers.map(resolve);
  const missing = layers.filter((k) => !layerKeys.has(k));
  if (missing.length > 0) throw new Error(`the image archive lacks ${missing.length} of its layers (${missing[0]})`);
  const config = parseJson(jsonBlobs.get(resolve(entry.Config))) as ImageConfigJson | undefined;
  const attestations: unknown[] = [];
  for (const body of jsonBlobs.values()) {
    if (body.subarray(0, 64).includes('"_type"')) {
      const statement = parseJson(body) as { _type?: string } | undefined;
      if (statement?._type?.startsWith('https://in-toto.io/')) attestations.push(statement);
    }
  }
  return { layers, config, attestations, bytesRead, entries: innerEntries, compressedLayers };
}

type Compression = 'none' | 'gzip' | 'zstd';

interface BlobRoutes {
  json(body: Buffer): void;
  layer(compression: Compression): { reader: TarReader; done(): void };
}

/** One file of the archive: a JSON document, a layer (tar, maybe compressed), or something to skip. */
class BlobSink implements TarBodySink {
  private head: Buffer[] = [];
  private headLength = 0;
  private mode: 'sniff' | 'json' | 'tar' | 'decompress' | 'skip' = 'sniff';
  private json: Buffer[] = [];
  private jsonLength = 0;
  private tar: { reader: TarReader; done(): void } | undefined;
  private decompressor: zlib.Gunzip | zlib.ZstdDecompress | undefined;
  private failure: Error | undefined;
  private finished: Promise<void> = Promise.resolve();
  private readonly path: string;
  private readonly routes: BlobRoutes;

  constructor(path: string, routes: BlobRoutes) {
    this.path = path;
    this.routes = routes;
  }

  data(chunk: Buffer): Promise<void> | undefined {
    if (this.mode === 'sniff') {
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength < SNIFF_BYTES) return undefined;
      const head = Buffer.concat(this.head);
      this.head = [];
      this.decide(head);
      return this.route(head);
    }
    return this.route(chunk);
  }

  async end(): Promise<void> {
    if (this.mode === 'sniff') {
      const head = Buffer.concat(this.head);
      this.head = [];
      if (head.length === 0) return;
      this.decide(head);
      const r = this.route(head);
      if (r) await r;
    }
    if (this.mode === 'json') {
      this.routes.json(Buffer.concat(this.json));
    } else if (this.mode === 'tar' && this.tar) {
      this.finishTar();
    } else if (this.mode === 'decompress' && this.decompressor) {
      this.decompressor.end();
      await this.finished;
      this.finishTar();
    }
  }

  private finishTar(): void {
    if (!this.tar) return;
    if (this.failure) throw this.failure;
    this.tar.reader.end();
    this.tar.done();
  }

  private decide(head: Buffer): void {
    if (head[0] === 0x1f && head[1] === 0x8b) this.startDecompress('gzip');
    else if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) this.startDecompress('zstd');
    else if (looksLikeTar(head)) {
      this.mode = 'tar';
      this.tar = this.routes.layer('none');
    } else if (head[0] === 0x7b || head[0] === 0x5b) this.mode = 'json';
    else this.mode = 'skip';
  }

  private startDecompress(kind: 'gzip' | 'zstd'): void {
    let d: zlib.Gunzip | zlib.ZstdDecompress;
    // A deep input buffer lets the engine keep streaming while zlib inflates on the thread pool
    // (zlib streams pass stream options on to Transform; the typings do not say so).
    const options = { chunkSize: 256 * 1024, highWaterMark: 4 * 1024 * 1024 };
    if (kind === 'gzip') d = zlib.createGunzip(options);
    else if (typeof zlib.createZstdDecompress === 'function') d = zlib.createZstdDecompress(options);
    else throw new Error(`${this.path} is a zstd-compressed layer and this Node.js cannot decompress zstd`);
    this.mode = 'decompress';
    this.decompressor = d;
    this.tar = this.routes.layer(kind);
    const reader = this.tar.reader;
    d.on('data', (out: Buffer) => {
      if (this.failure) return;
      try {
        // Layer visitors are synchronous: nothing to wait for here.
        void reader.push(out);
      } catch (err) {
        this.failure = err instanceof Error ? err : new Error(String(err));
      }
    });
    this.finished = new Promise<void>((resolve, reject) => {
      d.once('end', resolve);
      d.once('error', (err: Error) => reject(new TarFormatError(`${this.path}: ${err.message}`)));
    });
    // Awaited in end() or while waiting for drain; never left unhandled.
    this.finished.catch(() => undefined);
  }

  private route(chunk: Buffer): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    switch (this.mode) {
      case 'json':
        if (this.jsonLength + chunk.length > MAX_JSON) {
          this.mode = 'skip';
          this.json = [];
          return undefined;
        }
        this.json.push(Buffer.from(chunk));
        this.jsonLength += chunk.length;
        return undefined;
      case 'tar':
        return this.tar?.reader.push(chunk);
      case 'decompress': {
        const d = this.decompressor;
        if (!d || d.write(chunk)) return undefined;
        return Promise.race([
          once(d, 'drain').then(
            () => undefined,
            () => undefined,
          ),
          this.finished,
        ]).then(() => {
          if (this.failure) throw this.failure;
        });
      }
      default:
        return undefined;
    }
  }
}

/** A ustar/GNU header, or an empty layer (a tar of nothing but zero blocks). */
function looksLikeTar(head: Buffer): boolean {
  const magic = head.toString('latin1', 257, 262);
  if (magic === 'ustar') return true;
  if (head.length >= 512 && head.subarray(0, 512).every((b) => b === 0)) return true;
  return false;
}

function joinRelative(from: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = from.split('/').slice(0, -1);
  for (const p of target.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.' && p !== '') parts.push(p);
  }
  return parts.join('/');
}

/** The JSON of a file in the archive (the engine wrote it); undefined when absent or not JSON. */
function parseJson(body: Buffer | undefined): unknown {
  if (!body) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
