// A local GitHub Actions cache service (v2) that @actions/cache talks to unmodified: a Twirp
// JSON server hands out SAS URLs into Azurite, a real Azure Blob emulator, so archives go
// through @azure/storage-blob exactly as they do on GitHub's runners.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { BlobSASPermissions, BlobServiceClient, SASProtocol, StorageSharedKeyCredential, generateBlobSASQueryParameters } from '@azure/storage-blob';

/** Azurite's publicly documented development account. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const SERVICE = 'github.actions.results.api.v1.CacheService';
const CONTAINER = 'actions-cache';

export type CacheFailure = 'down' | 'reset' | 'throttle' | 'slow';

export interface CacheServerOptions {
  /** The ref the current run writes under (default refs/heads/main). */
  ref?: string;
  /** The base branch of a pull request run, whose caches the run may read. */
  baseRef?: string | null;
  /** The repository's default branch, whose caches every run may read (default refs/heads/main). */
  defaultBranch?: string;
  failure?: CacheFailure | null;
  /** Delay of every Twirp call in the 'slow' failure mode (default 2000 ms). */
  slowMs?: number;
}

export interface CacheEntry {
  id: number;
  key: string;
  version: string;
  /** The ref (branch scope) the entry was created under. */
  ref: string;
  /** null until the upload is finalized. */
  sizeBytes: number | null;
  createdAt: Date;
  finalized: boolean;
  blobName: string;
}

export interface CacheCall {
  method: string;
  body: unknown;
  status: number;
  /** The ref the call was scoped to. */
  ref: string;
}

export interface CacheViolation {
  method: string;
  errors: string[];
}

export interface CacheServer {
  /** The Twirp service's base URL, without trailing slash. */
  url: string;
  /** Azurite's blob endpoint for the dev account. */
  blobUrl: string;
  /** Milliseconds until Azurite and the Twirp server were both listening. */
  startupMs: number;
  calls: CacheCall[];
  violations: CacheViolation[];
  readonly ref: string;
  readonly baseRef: string | null;
  /** Refs whose entries the current run may restore, most specific first. */
  readonly readableRefs: string[];
  /** Changes the run the next calls belong to, e.g. setRef('refs/pull/1/merge', 'refs/heads/main'). */
  setRef(ref: string, baseRef?: string | null): void;
  /** 'down' refuses connections, 'reset' drops them, 'throttle' answers 429, 'slow' delays. */
  setFailure(failure: CacheFailure | null, slowMs?: number): Promise<void>;
  /** Environment variables @actions/cache 6 needs to use this service. */
  env(): Record<string, string>;
  entries(): CacheEntry[];
  close(): Promise<void>;
}

interface TwirpReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const twirpError = (status: number, code: string, msg: string, headers?: Record<string, string>): TwirpReply => {
  const reply: TwirpReply = { status, body: { code, msg } };
  if (headers) reply.headers = headers;
  return reply;
};

const FIELDS: Record<string, { required: string[]; optional: string[] }> = {
  CreateCacheEntry: { required: ['key', 'version'], optional: ['metadata'] },
  FinalizeCacheEntryUpload: { required: ['key', 'version', 'size_bytes'], optional: ['metadata'] },
  GetCacheEntryDownloadURL: { required: ['key', 'version'], optional: ['metadata', 'restore_keys'] },
};

/** Checks a request body against the proto message, field names as the JSON client sends them. */
function checkRequest(method: string, body: unknown): string[] {
  const fields = FIELDS[method];
  if (!fields) return [`unknown method ${method}`];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return ['body must be a JSON object'];
  const record = body as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of Object.keys(record)) {
    if (!fields.required.includes(name) && !fields.optional.includes(name)) problems.push(`unknown field ${name}`);
  }
  for (const name of fields.required) {
    if (!(name in record)) problems.push(`missing field ${name}`);
  }
  for (const name of ['key', 'version']) {
    if (name in record && (typeof record[name] !== 'string' || record[name] === '')) problems.push(`${name} must be a non-empty string`);
  }
  if ('size_bytes' in record) {
    const size = record['size_bytes'];
    // int64 travels as a decimal string in proto3 JSON; numbers are accepted too.
    if (!(typeof size === 'string' && /^\d+$/.test(size)) && !(typeof size === 'number' && Number.isInteger(size) && size >= 0)) {
      problems.push('size_bytes must be a non-negative int64');
    }
  }
  if ('restore_keys' in record) {
    const keys = record['restore_keys'];
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) problems.push('restore_keys must be a list of strings');
  }
  if (typeof record['key'] === 'string' && record['key'].length > 512) problems.push('key is longer than 512 characters');
  return problems;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function azuriteMain(): string {
  const require = createRequire(import.meta.url);
  return join(require.resolve('azurite/package.json'), '..', 'dist', 'src', 'blob', 'main.js');
}

/** Starts azurite-blob on a free loopback port and resolves once it listens. */
async function startAzurite(workdir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [azuriteMain(), '--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--skipApiVersionCheck', '--silent', '--disableTelemetry'],
    { cwd: workdir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Azurite did not start within 30 s:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const found = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(Number(found[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  // Keep draining its output so it never blocks on a full pipe.
  child.stdout.resume();
  child.stderr.resume();
  return { child, port };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startCacheServer(options: CacheServerOptions = {}): Promise<CacheServer> {
  const started = performance.now();
  const workdir = await mkdtemp(join(tmpdir(), 'cache-server-'));
  const runnerTemp = join(workdir, 'runner-temp');
  const { child: azurite, port: blobPort } = await startAzurite(workdir);
  const killAzurite = () => azurite.kill('SIGKILL');
  process.once('exit', killAzurite);

  const blobUrl = `http://127.0.0.1:${blobPort}/${AZURITE_ACCOUNT}`;
  const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
  const containerClient = new BlobServiceClient(blobUrl, credential).getContainerClient(CONTAINER);
  try {
    await containerClient.createIfNotExists();
  } catch (error) {
    await stopChild(azurite);
    throw error;
  }

  const calls: CacheCall[] = [];
  const violations: CacheViolation[] = [];
  const entries: CacheEntry[] = [];
  const defaultBranch = options.defaultBranch ?? 'refs/heads/main';
  let ref = options.ref ?? 'refs/heads/main';
  let baseRef = options.baseRef ?? null;
  let failure: CacheFailure | null = null;
  let slowMs = options.slowMs ?? 2000;
  let nextId = 1;

  const readableRefs = () => [...new Set([ref, ...(baseRef ? [baseRef] : []), defaultBranch])];

  const sasUrl = (blobName: string, permissions: string): string => {
    const startsOn = new Date(Date.now() - 60_000);
    const expiresOn = new Date(Date.now() + 60 * 60_000);
    const sas = generateBlobSASQueryParameters(
      { containerName: CONTAINER, blobName, permissions: BlobSASPermissions.parse(permissions), startsOn, expiresOn, protocol: SASProtocol.HttpsAndHttp },
      credential,
    ).toString();
    return `${blobUrl}/${CONTAINER}/${blobName}?${sas}`;
  };

  /** GitHub's lookup: per readable ref in order, the key exactly, the key as a prefix, then each restore key. */
  const lookup = (key: string, restoreKeys: string[], version: string): CacheEntry | undefined => {
    for (const scope of readableRefs()) {
      const candidates = entries
        .filter((e) => e.finalized && e.ref === scope && e.version === version)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);
      const exact = candidates.find((e) => e.key === key);
      if (exact) return exact;
      for (const prefix of [key, ...restoreKeys]) {
        const match = candidates.find((e) => e.key === prefix) ?? candidates.find((e) => e.key.startsWith(prefix));
        if (match) return match;
      }
    }
    return undefined;
  };

  const methods: Record<string, (body: Record<string, unknown>) => TwirpReply> = {
    CreateCacheEntry: (body) => {
      const key = String(body['key']);
      const version = String(body['version']);
      if (entries.some((e) => e.key === key && e.version === version && e.ref === ref)) {
        return twirpError(409, 'already_exists', 'cache entry with the same key, version, and scope already exists');
      }
      const id = nextId++;
      const entry: CacheEntry = { id, key, version, ref, sizeBytes: null, createdAt: new Date(), finalized: false, blobName: `${id}/cache.tar` };
      entries.push(entry);
      return { status: 200, body: { ok: true, signed_upload_url: sasUrl(entry.blobName, 'cw') } };
    },
    FinalizeCacheEntryUpload: (body) => {
      const key = String(body['key']);
      const version = String(body['version']);
      const entry = entries.find((e) => e.key === key && e.version === version && e.ref === ref && !e.finalized);
      if (!entry) return twirpError(404, 'not_found', 'cache entry not found');
      entry.sizeBytes = Number(body['size_bytes']);
      entry.finalized = true;
      entry.createdAt = new Date();
      return { status: 200, body: { ok: true, entry_id: String(entry.id) } };
    },
    GetCacheEntryDownloadURL: (body) => {
      const restoreKeys = Array.isArray(body['restore_keys']) ? body['restore_keys'].map(String) : [];
      const entry = lookup(String(body['key']), restoreKeys, String(body['version']));
      if (!entry) return { status: 200, body: { ok: false, signed_download_url: '', matched_key: '' } };
      return { status: 200, body: { ok: true, signed_download_url: sasUrl(entry.blobName, 'r'), matched_key: entry.key } };
    },
  };

  const send = (res: ServerResponse, reply: TwirpReply) => {
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...reply.headers });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const text = await readBody(req);
    const method = url.pathname.startsWith(`/twirp/${SERVICE}/`) ? url.pathname.slice(`/twirp/${SERVICE}/`.length) : url.pathname;
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const call: CacheCall = { method, body, status: 0, ref };
    calls.push(call);
    const reply = (r: TwirpReply) => {
      call.status = r.status;
      send(res, r);
    };

    if (failure === 'reset') {
      call.status = -1;
      req.socket.destroy();
      return;
    }
    if (failure === 'slow') await sleep(slowMs);
    if (failure === 'throttle') {
      reply(twirpError(429, 'resource_exhausted', 'rate limit exceeded', { 'retry-after': '60' }));
      return;
    }

    if (req.method !== 'POST' || !FIELDS[method]) {
      violations.push({ method, errors: [`${req.method ?? '?'} ${url.pathname} is not a cache service method`] });
      reply(twirpError(404, 'bad_route', `no handler for path "${url.pathname}"`));
      return;
    }
    const contentType = req.headers['content-type'] ?? '';
    const auth = req.headers.authorization ?? '';
    const problems = checkRequest(method, body);
    if (!contentType.startsWith('application/json')) problems.push(`content-type ${contentType || '(none)'} is not application/json`);
    if (!/^Bearer \S+/.test(auth)) problems.push('no Bearer token (ACTIONS_RUNTIME_TOKEN)');
    if (problems.length > 0) {
      violations.push({ method, errors: problems });
      reply(twirpError(400, 'malformed', problems.join('; ')));
      return;
    }
    const handler = methods[method];
    if (!handler) {
      reply(twirpError(404, 'bad_route', method));
      return;
    }
    reply(handler(body as Record<string, unknown>));
  };

  const sockets = new Set<Socket>();
  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, twirpError(500, 'internal', String(error)));
      else res.destroy();
    });
  });
  http.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const port = await listen(http, 0);
  const url = `http://127.0.0.1:${port}`;
  let listening = true;

  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      http.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });

  const server: CacheServer = {
    url,
    blobUrl,
    startupMs: performance.now() - started,
    calls,
    violations,
    get ref() {
      return ref;
    },
    get baseRef() {
      return baseRef;
    },
    get readableRefs() {
      return readableRefs();
    },
    setRef(newRef, newBaseRef = null) {
      ref = newRef;
      baseRef = newBaseRef;
    },
    async setFailure(mode, delay) {
      if (delay !== undefined) slowMs = delay;
      failure = mode;
      if (mode === 'down') await stopListening();
      else if (!listening) {
        await listen(http, port);
        listening = true;
      }
    },
    env() {
      return {
        ACTIONS_RESULTS_URL: `${url}/`,
        ACTIONS_CACHE_SERVICE_V2: 'true',
        ACTIONS_RUNTIME_TOKEN: 'local-cache-runtime-token',
        // @actions/cache falls back to the v1 service unless the server looks like github.com.
        GITHUB_SERVER_URL: 'https://github.com',
        // Where @actions/cache writes its archives (it would otherwise use /home/actions/temp).
        RUNNER_TEMP: runnerTemp,
        GITHUB_REF: ref,
        ...(baseRef ? { GITHUB_BASE_REF: baseRef.replace(/^refs\/heads\//, '') } : {}),
      };
    },
    entries() {
      return entries.map((e) => ({ ...e, createdAt: new Date(e.createdAt) }));
    },
    async close() {
      await stopListening();
      process.off('exit', killAzurite);
      await stopChild(azurite);
      await rm(workdir, { recursive: true, force: true });
    },
  };
  if (options.failure) await server.setFailure(options.failure);
  return server;
}
