/** Reading image manifests, indexes and configs (OCI and Docker schema 2), wherever they come from. */

export const MANIFEST_MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

export interface ManifestLayer {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
}

export interface ManifestInfo {
  readonly digest: string;
  readonly configDigest: string;
  readonly configSize: number;
  readonly layers: readonly ManifestLayer[];
}

export interface IndexEntry {
  readonly digest: string;
  readonly mediaType: string;
  readonly platform: { readonly os: string; readonly architecture: string; readonly variant: string | undefined } | undefined;
  /** Attestation manifests (provenance, SBOM) sit in the index next to the image. */
  readonly attestation: boolean;
}

export type ParsedManifest =
  { readonly kind: 'index'; readonly entries: readonly IndexEntry[] } | { readonly kind: 'manifest'; readonly manifest: ManifestInfo };

interface RawDescriptor {
  mediaType?: unknown;
  digest?: unknown;
  size?: unknown;
  platform?: { os?: unknown; architecture?: unknown; variant?: unknown };
  annotations?: Record<string, unknown>;
}

/** A descriptor's string field; anything else (absent, a number, an object) reads as empty. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function parseManifest(body: Buffer | string, digest: string, contentType = ''): ParsedManifest {
  let raw: { mediaType?: unknown; manifests?: unknown; config?: unknown; layers?: unknown; schemaVersion?: unknown };
  try {
    raw = JSON.parse(body.toString()) as typeof raw;
  } catch {
    throw new Error(`manifest ${digest} is not JSON`);
  }
  const mediaType = typeof raw.mediaType === 'string' ? raw.mediaType : contentType;
  if (raw.schemaVersion === 1) throw new Error(`manifest ${digest} uses schema 1, which carries no layer sizes`);
  if (Array.isArray(raw.manifests) || mediaType === MANIFEST_MEDIA_TYPES.ociIndex || mediaType === MANIFEST_MEDIA_TYPES.dockerList) {
    const entries = (Array.isArray(raw.manifests) ? (raw.manifests as RawDescriptor[]) : []).map((d): IndexEntry => ({
      digest: text(d.digest),
      mediaType: text(d.mediaType),
      platform: d.platform
        ? {
            os: text(d.platform.os),
            architecture: text(d.platform.architecture),
            variant: typeof d.platform.variant === 'string' ? d.platform.variant : undefined,
          }
        : undefined,
      attestation: d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest',
    }));
    return { kind: 'index', entries };
  }
  const config = raw.config as RawDescriptor | undefined;
  if (!config || typeof config.digest !== 'string' || !Array.isArray(raw.layers)) {
    throw new Error(`manifest ${digest} has no config or layers`);
  }
  const layers = (raw.layers as RawDescriptor[]).map((l) => {
    if (typeof l.digest !== 'string' || typeof l.size !== 'number') throw new Error(`manifest ${digest} has a layer without digest or size`);
    return { digest: l.digest, size: l.size, mediaType: text(l.mediaType) };
  });
  return {
    kind: 'manifest',
    manifest: { digest, configDigest: config.digest, configSize: typeof config.size === 'number' ? config.size : 0, layers },
  };
}

/** The index entry for a platform: the image manifest, never an attestation. */
export function pickIndexEntry(entries: readonly IndexEntry[], platform: { os: string; architecture: string }): IndexEntry | undefined {
  const images = entries.filter((e) => !e.attestation && e.platform?.os !== 'unknown');
  return (
    images.find((e) => e.platform?.os === platform.os && e.platform.architecture === platform.architecture) ?? (images.length === 1 ? images[0] : undefined)
  );
}

/** Of the manifests an engine pushed (index, image, attestations), the image manifest of this platform. */
export function pickPlatformManifest(
  received: readonly { digest: string; mediaType: string; body: Buffer }[],
  platform: { os: string; architecture: string },
  layerCount: number,
): ManifestInfo {
  const parsed = received.map((r) => ({ r, p: parseManifest(r.body, r.digest, r.mediaType) }));
  const wanted = parsed
    .flatMap(({ p }) => (p.kind === 'index' ? [pickIndexEntry(p.entries, platform)?.digest] : []))
    .filter((d): d is string => d !== undefined);
  const manifests = parsed.flatMap(({ p }) => (p.kind === 'manifest' ? [p.manifest] : []));
  const chosen =
    manifests.find((m) => wanted.includes(m.digest)) ??
    manifests.find((m) => m.layers.length === layerCount && !m.layers.some((l) => l.mediaType.includes('in-toto')));
  if (!chosen) throw new Error(`the engine pushed no image manifest for ${platform.os}/${platform.architecture}`);
  return chosen;
}

export interface ConfigHistoryEntry {
  readonly createdBy: string;
  readonly comment: string;
  readonly emptyLayer: boolean;
  readonly created: string | null;
}

export interface ImageConfigInfo {
  readonly history: readonly ConfigHistoryEntry[];
  readonly diffIds: readonly string[];
  readonly os: string | null;
  readonly architecture: string | null;
  readonly created: string | null;
}

export function parseImageConfig(body: Buffer | string): ImageConfigInfo {
  const raw = JSON.parse(body.toString()) as {
    history?: { created_by?: unknown; comment?: unknown; empty_layer?: unknown; created?: unknown }[];
    rootfs?: { diff_ids?: unknown };
    os?: unknown;
    architecture?: unknown;
    created?: unknown;
  };
  return {
    history: (Array.isArray(raw.history) ? raw.history : []).map((h) => ({
      createdBy: typeof h.created_by === 'string' ? h.created_by : '',
      comment: typeof h.comment === 'string' ? h.comment : '',
      emptyLayer: h.empty_layer === true,
      created: typeof h.created === 'string' ? h.created : null,
    })),
    diffIds: Array.isArray(raw.rootfs?.diff_ids) ? (raw.rootfs.diff_ids as unknown[]).map(String) : [],
    os: typeof raw.os === 'string' ? raw.os : null,
    architecture: typeof raw.architecture === 'string' ? raw.architecture : null,
    created: typeof raw.created === 'string' ? raw.created : null,
  };
}
