import { createHash } from 'node:crypto';
import type { RegistryCredentials } from '../config/registry.ts';
import { MANIFEST_MEDIA_TYPES, parseImageConfig, parseManifest, pickIndexEntry, type ImageConfigInfo, type ManifestInfo } from './manifest.ts';
import { registryBaseUrl, type ImageReference } from '../inputs/image-reference.ts';

/** A registry image as the size comparison needs it: read from its manifest and config only. */
export interface RegistryImage {
  readonly ref: ImageReference;
  /** Digest of what the reference resolved to (an index, or the manifest itself). */
  readonly digest: string;
  readonly manifest: ManifestInfo;
  readonly config: ImageConfigInfo;
  /**
   * Each layer's uncompressed tar size from its gzip trailer (ISIZE), or null when the layer is
   * not gzip or the registry would not serve a byte range.
   */
  readonly layerTarSizes: readonly (number | null)[];
}

export class RegistryError extends Error {
  readonly status: number | null;
  constructor(message: string, status: number | null = null) {
    super(message);
    this.name = 'RegistryError';
    this.status = status;
  }
}

const MANIFEST_ACCEPT = [
  MANIFEST_MEDIA_TYPES.ociIndex,
  MANIFEST_MEDIA_TYPES.dockerList,
  MANIFEST_MEDIA_TYPES.ociManifest,
  MANIFEST_MEDIA_TYPES.dockerManifest,
].join(', ');

/** Reads an image's manifest, config and layer sizes over the Registry HTTP API v2: a few requests per layer, no layer download. */
export async function fetchRegistryImage(
  ref: ImageReference,
  options: { credentials?: RegistryCredentials | undefined; platform?: { os: string; architecture: string }; fetch?: typeof fetch } = {},
): Promise<RegistryImage> {
  const session = new RegistrySession(ref, options.credentials, options.fetch ?? fetch);
  const platform = options.platform ?? { os: 'linux', architecture: 'amd64' };
  const top = await session.manifest(ref.digest ?? ref.tag ?? 'latest');
  let manifest: ManifestInfo;
  const parsed = parseManifest(top.body, top.digest, top.contentType);
  if (parsed.kind === 'index') {
    const entry = pickIndexEntry(parsed.entries, platform);
    if (!entry) {
      const found = parsed.entries
        .filter((e) => !e.attestation)
        .map((e) => `${e.platform?.os}/${e.platform?.architecture}`)
        .join(', ');
      throw new RegistryError(`${ref.text} has no ${platform.os}/${platform.architecture} image (it has ${found || 'none'})`);
    }
    const inner = await session.manifest(entry.digest);
    const innerParsed = parseManifest(inner.body, inner.digest, inner.contentType);
    if (innerParsed.kind !== 'manifest') throw new RegistryError(`${ref.text}: the ${platform.os}/${platform.architecture} entry is not an image manifest`);
    manifest = innerParsed.manifest;
  } else {
    manifest = parsed.manifest;
  }
  const config = parseImageConfig(await session.blob(manifest.configDigest));
  const layerTarSizes = await mapLimited(manifest.layers, 4, (layer) =>
    /gzip/.test(layer.mediaType) ? session.gzipTarSize(layer.digest, layer.size) : Promise.resolve(null),
  );
  return { ref, digest: top.digest, manifest, config, layerTarSizes };
}

/**
 * One repository on one registry, with its authentication: anonymous first, then what the
 * registry's WWW-Authenticate challenge asks for (a Bearer token from its realm, or Basic).
 */
class RegistrySession {
  private readonly ref: ImageReference;
  private readonly credentials: RegistryCredentials | undefined;
  private readonly fetchFn: typeof fetch;
  private readonly base: string;
  private authorization: string | undefined;

  constructor(ref: ImageReference, credentials: RegistryCredentials | undefined, fetchFn: typeof fetch) {
    this.ref = ref;
    this.credentials = credentials;
    this.fetchFn = fetchFn;
    this.base = registryBaseUrl(ref.registry);
  }

  async manifest(reference: string): Promise<{ body: Buffer; digest: string; contentType: string }> {
    const res = await this.request(`/v2/${this.ref.repository}/manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT } });
    if (res.status === 404) throw new RegistryError(`${this.ref.text} not found on ${this.ref.registry} (manifest ${reference})`, 404);
    if (!res.ok) throw new RegistryError(`${this.ref.registry} answered ${res.status} for the manifest of ${this.ref.text}`, res.status);
    const body = Buffer.from(await res.arrayBuffer());
    const computed = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (reference.startsWith('sha256:') && computed !== reference) {
      throw new RegistryError(`${this.ref.registry} sent a manifest whose digest ${computed} is not the ${reference} asked for`);
    }
    // The registry's Docker-Content-Digest names what a tag points at; the body's own hash is the same when the registry is honest.
    const digest = res.headers.get('docker-content-digest') ?? computed;
    return { body, digest, contentType: res.headers.get('content-type') ?? '' };
  }

  async blob(digest: string): Promise<Buffer> {
    const res = await this.request(`/v2/${this.ref.repository}/blobs/${digest}`, {});
    if (!res.ok) throw new RegistryError(`${this.ref.registry} answered ${res.status} for blob ${digest} of ${this.ref.text}`, res.status);
    return Buffer.from(await res.arrayBuffer());
  }

  /**
   * A gzip member ends with ISIZE, the uncompressed length modulo 2^32. The smallest value at
   * least about the compressed size is taken (deflate never shrinks data by much less).
   */
  async gzipTarSize(digest: string, compressedSize: number): Promise<number | null> {
    const controller = new AbortController();
    const res = await this.request(`/v2/${this.ref.repository}/blobs/${digest}`, { headers: { Range: 'bytes=-4' }, signal: controller.signal });
    if (res.status !== 206) {
      // A whole blob instead of a range: not worth downloading.
      controller.abort();
      return null;
    }
    const tail = Buffer.from(await res.arrayBuffer());
    if (tail.length !== 4) return null;
    const isize = tail.readUInt32LE(0);
    let size = isize;
    while (size < compressedSize - 1024 - compressedSize / 1000) size += 2 ** 32;
    return size;
  }

  private async request(path: string, init: { headers?: Record<string, string>; signal?: AbortSignal }): Promise<Response> {
    const send = (): Promise<Response> =>
      this.fetchFn(`${this.base}${path}`, {
        headers: { ...init.headers, ...(this.authorization ? { Authorization: this.authorization } : {}) },
        signal: init.signal,
        redirect: 'follow',
      }).catch((err: unknown) => {
        throw new RegistryError(`cannot reach ${this.ref.registry}: ${networkError(err)}`);
      });
    let res = await send();
    if (res.status === 401 && this.authorization === undefined) {
      await res.arrayBuffer().catch(() => undefined);
      this.authorization = await this.authorize(res.headers.get('www-authenticate') ?? '');
      res = await send();
    }
    if (res.status === 401 || res.status === 403) {
      await res.arrayBuffer().catch(() => undefined);
      throw new RegistryError(
        this.credentials
          ? `${this.ref.registry} refused registry-username "${this.credentials.username}" for ${this.ref.repository} (HTTP ${res.status})`
          : `${this.ref.registry} needs credentials for ${this.ref.repository}: set registry-username and registry-password`,
        res.status,
      );
    }
    return res;
  }

  private async authorize(challenge: string): Promise<string> {
    const scheme = challenge.trim().split(/\s+/)[0]?.toLowerCase();
    const basic = this.credentials ? `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}` : undefined;
    if (scheme === 'basic') {
      if (!basic)
        throw new RegistryError(`${this.ref.registry} needs credentials for ${this.ref.repository}: set registry-username and registry-password`, 401);
      return basic;
    }
    if (scheme !== 'bearer')
      throw new RegistryError(`${this.ref.registry} asks for an authentication scheme deploy-check does not speak: ${challenge || '(none given)'}`, 401);
    const params = parseChallenge(challenge);
    const realm = params.get('realm');
    if (!realm) throw new RegistryError(`${this.ref.registry}'s Bearer challenge names no realm`, 401);
    const url = new URL(realm);
    const service = params.get('service');
    if (service) url.searchParams.set('service', service);
    url.searchParams.set('scope', params.get('scope') ?? `repository:${this.ref.repository}:pull`);
    const res = await this.fetchFn(url, { headers: basic ? { Authorization: basic } : {} }).catch((err: unknown) => {
      throw new RegistryError(`cannot reach the token service ${url.origin}: ${networkError(err)}`);
    });
    if (!res.ok) {
      throw new RegistryError(
        this.credentials
          ? `the token service of ${this.ref.registry} refused registry-username "${this.credentials.username}" (HTTP ${res.status})`
          : `the token service of ${this.ref.registry} refused an anonymous token (HTTP ${res.status}); set registry-username and registry-password`,
        res.status,
      );
    }
    const body = (await res.json()) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!token) throw new RegistryError(`the token service of ${this.ref.registry} answered without a token`);
    return `Bearer ${token}`;
  }
}

/** `Bearer realm="...",service="...",scope="repository:a:pull,push"`: quoted values may hold commas. */
export function parseChallenge(header: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of header.matchAll(/([A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    if (m[1]) out.set(m[1].toLowerCase(), (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1'));
  }
  return out;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** What fetch said when it could not connect: its message and the cause (ECONNREFUSED, a DNS failure). */
function networkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}`;
}
