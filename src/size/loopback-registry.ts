import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A registry endpoint on 127.0.0.1 that the Docker engine pushes an image to, so that the
 * engine itself says what the image's compressed layer blobs are. It stores nothing but
 * manifests and small blobs (image configs): layer bytes are counted and dropped.
 *
 * Why a push: the Engine API (1.45) has no call that returns an image's manifest, and the
 * classic image store keeps no compressed layers at all. A push reaches both stores through the
 * Engine API alone (no root, no containerd socket):
 * - containerd image store: the compressed blobs already exist; the engine asks (HEAD) whether
 *   the registry has each one, and this registry says yes, so no layer byte moves;
 * - classic store: the engine compresses each layer as `docker push` would and uploads it; the
 *   upload is counted. Digests the engine already knows from an earlier push are only asked
 *   about (HEAD); a size remembered from that push answers, so unchanged layers are not
 *   compressed again.
 */
export interface LoopbackRegistryOptions {
  /**
   * Answer "present" for blobs of unknown size (the containerd store: sizes come from the
   * manifest, and nothing needs to be uploaded). When false, unknown blobs are 404 and uploaded.
   */
  readonly claimUnknownBlobs: boolean;
  /** Blob sizes remembered from earlier measurements. */
  readonly knownSizes: ReadonlyMap<string, number>;
  /** Digests to refuse even when claiming, so that the engine uploads them (the image config). */
  readonly fetchDigests?: ReadonlySet<string>;
  /** Receives every uploaded blob's bytes as they arrive (the hygiene scanner reads layers from here). */
  readonly tap?: BlobTap;
}

/** One uploaded blob, streamed. A failing sink is dropped; the push goes on. */
export interface BlobSink {
  data(chunk: Buffer): Promise<void>;
  end(): Promise<void>;
}

export interface BlobTap {
  open(): BlobSink;
}

export interface ReceivedManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly body: Buffer;
}

export interface ReceivedBlob {
  readonly size: number;
  /** The content, kept for small blobs only (configs); layers are counted, not kept. */
  readonly content: Buffer | undefined;
}

/** Blobs up to this size are kept in memory: image configs, attestations. */
const KEEP_LIMIT = 4 * 1024 * 1024;

interface Upload {
  size: number;
  chunks: Buffer[] | undefined;
  sink: BlobSink | undefined;
}

export class LoopbackRegistry {
  readonly repository: string;
  readonly manifests: ReceivedManifest[] = [];
  readonly blobs = new Map<string, ReceivedBlob>();
  /** Blob uploads the engine made (bytes that had to be compressed and sent). */
  uploadedBytes = 0;
  private readonly server: http.Server;
  private readonly uploads = new Map<string, Upload>();
  private readonly options: LoopbackRegistryOptions;

  private constructor(server: http.Server, options: LoopbackRegistryOptions) {
    this.server = server;
    this.options = options;
    this.repository = `deploy-check/measure`;
  }

  static async start(options: LoopbackRegistryOptions): Promise<LoopbackRegistry> {
    // Assigned once, after the server whose handler reads it is created.
    // eslint-disable-next-line prefer-const
    let registry: LoopbackRegistry | undefined;
    const server = http.createServer((req, res) => {
      registry?.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    registry = new LoopbackRegistry(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return registry;
  }

  /** host:port as the engine must see it in the image name. */
  get host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      await drain(req);
      send(res, 200, '{}');
      return;
    }
    const prefix = `/v2/${this.repository}/`;
    if (!url.pathname.startsWith(prefix)) {
      await drain(req);
      error(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
      return;
    }
    const rest = url.pathname.slice(prefix.length);

    let m: RegExpExecArray | null;
    if ((m = /^blobs\/(sha256:[a-f0-9]{64})$/.exec(rest)) && m[1]) {
      await drain(req);
      if (method !== 'HEAD' && method !== 'GET') {
        error(res, 405, 'UNSUPPORTED', 'blobs are only asked about here');
        return;
      }
      const size = this.sizeOf(m[1]);
      if (size === undefined || method === 'GET') {
        error(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry');
        return;
      }
      res.writeHead(200, { 'Content-Length': String(size), 'Docker-Content-Digest': m[1], 'Content-Type': 'application/octet-stream' });
      return void res.end();
    }
    if (/^blobs\/uploads\/?$/.test(rest) && method === 'POST') {
      await this.startUpload(req, res, url, prefix);
      return;
    }
    if ((m = /^blobs\/uploads\/([a-f0-9]+)$/.exec(rest)) && m[1]) {
      await this.continueUpload(req, res, url, prefix, m[1]);
      return;
    }
    if ((m = /^manifests\/([^/]+)$/.exec(rest)) && m[1]) {
      if (method === 'PUT') {
        const body = await readAll(req, KEEP_LIMIT);
        const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
        this.manifests.push({ digest, mediaType: (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '', body });
        res.writeHead(201, { Location: `${prefix}manifests/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': '0' });
        return void res.end();
      }
      await drain(req);
      // Never "present": the engine must send every manifest.
      error(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      return;
    }
    await drain(req);
    error(res, 404, 'UNSUPPORTED', 'not a registry endpoint this registry serves');
  }

  /** POST of an upload: a mount of a blob it has, or a new upload (monolithic when the digest comes with it). */
  private async startUpload(req: http.IncomingMessage, res: http.ServerResponse, url: URL, prefix: string): Promise<void> {
    const mount = url.searchParams.get('mount');
    if (mount && this.sizeOf(mount) !== undefined) {
      await drain(req);
      res.writeHead(201, { Location: `${prefix}blobs/${mount}`, 'Docker-Content-Digest': mount, 'Content-Length': '0' });
      return void res.end();
    }
    const id = randomBytes(8).toString('hex');
    const upload: Upload = { size: 0, chunks: [], sink: this.options.tap?.open() };
    this.uploads.set(id, upload);
    await this.receive(req, upload);
    const digest = url.searchParams.get('digest');
    if (digest) {
      await this.commit(res, id, digest);
      return;
    }
    res.writeHead(202, { Location: `${prefix}blobs/uploads/${id}`, 'Docker-Upload-UUID': id, Range: '0-0', 'Content-Length': '0' });
    return void res.end();
  }

  /** PATCH (a chunk) or PUT (the last chunk and the digest) of an upload started before. */
  private async continueUpload(req: http.IncomingMessage, res: http.ServerResponse, url: URL, prefix: string, id: string): Promise<void> {
    const method = req.method ?? 'GET';
    const upload = this.uploads.get(id);
    if (!upload) {
      await drain(req);
      error(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'upload unknown');
      return;
    }
    await this.receive(req, upload);
    if (method === 'PATCH') {
      res.writeHead(202, {
        Location: `${prefix}blobs/uploads/${id}`,
        'Docker-Upload-UUID': id,
        Range: `0-${Math.max(0, upload.size - 1)}`,
        'Content-Length': '0',
      });
      return void res.end();
    }
    if (method === 'PUT') {
      await this.commit(res, id, url.searchParams.get('digest') ?? '');
      return;
    }
    error(res, 405, 'UNSUPPORTED', 'method not supported');
  }

  private sizeOf(digest: string): number | undefined {
    const received = this.blobs.get(digest);
    if (received) return received.size;
    if (this.options.fetchDigests?.has(digest)) return undefined;
    const known = this.options.knownSizes.get(digest);
    if (known !== undefined) return known;
    // The containerd pusher does not read the size of a blob the registry says it has.
    return this.options.claimUnknownBlobs ? 0 : undefined;
  }

  private async receive(req: http.IncomingMessage, upload: Upload): Promise<void> {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      upload.size += chunk.length;
      this.uploadedBytes += chunk.length;
      if (upload.chunks && upload.size <= KEEP_LIMIT) upload.chunks.push(chunk);
      else upload.chunks = undefined;
      if (upload.sink) {
        try {
          await upload.sink.data(chunk);
        } catch {
          upload.sink = undefined;
        }
      }
    }
  }

  private async commit(res: http.ServerResponse, id: string, digest: string): Promise<void> {
    const upload = this.uploads.get(id);
    this.uploads.delete(id);
    if (!upload || !/^sha256:[a-f0-9]{64}$/.test(digest)) {
      error(res, 400, 'DIGEST_INVALID', 'digest missing or invalid');
      return;
    }
    // Finished before the engine hears back, so that a completed push means every blob was read.
    await upload.sink?.end().catch(() => undefined);
    this.blobs.set(digest, { size: upload.size, content: upload.chunks ? Buffer.concat(upload.chunks) : undefined });
    res.writeHead(201, { Location: `/v2/${this.repository}/blobs/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': '0' });
    res.end();
  }
}

/** Reads a request body to its end, discarding it; returns how many bytes it had. */
async function drain(req: http.IncomingMessage): Promise<number> {
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) bytes += chunk.length;
  return bytes;
}

async function readAll(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function send(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function error(res: http.ServerResponse, status: number, code: string, message: string): void {
  send(res, status, JSON.stringify({ errors: [{ code, message }] }));
}
