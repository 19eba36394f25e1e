import type Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import type { DockerfileFacts } from '../config/dockerfile.ts';
import type { Log } from '../host/log.ts';
import { engineInfo } from '../host/docker.ts';
import type { CompressedSource, SizeBaseImage, SizeLayer, UncompressedSource } from '../model/report.ts';
import { attributeLayers, type Attribution, type HistoryLayerEntry } from './attribute.ts';
import { BlobDiffIdMemo, BlobSizeMemo } from './blob-memo.ts';
import { LoopbackRegistry, type BlobSink } from './loopback-registry.ts';
import { parseImageConfig, parseManifest, pickPlatformManifest, type ImageConfigInfo, type ManifestInfo } from './manifest.ts';

export type ImageStore = 'containerd' | 'classic';

/** One measured image, in the shape a baseline has too: comparisons see both the same way. */
export interface SizeFigures {
  readonly bytes: number | null;
  readonly compressedBytes: number | null;
  readonly uncompressedSource: UncompressedSource;
  readonly compressedSource: CompressedSource;
  readonly baseImage: SizeBaseImage | null;
  readonly layers: readonly SizeLayer[];
}

export interface ImageMeasurement extends SizeFigures {
  readonly store: ImageStore;
  readonly durationMs: number;
  /** Layer bytes the engine had to compress and send to measure (0 when it only named blobs); null without a push. */
  readonly uploadedBytes: number | null;
  readonly notes: readonly string[];
}

export interface MeasureOptions {
  readonly facts: DockerfileFacts;
  /** Build arguments and global ARG defaults, to name the base image as FROM resolves it. */
  readonly variables?: ReadonlyMap<string, string>;
  readonly memo?: BlobSizeMemo;
  readonly diffIdMemo?: BlobDiffIdMemo;
  /** Another reader of the image's layers (hygiene): the push streams the layers it wants through it. */
  readonly tap?: LayerTap;
  readonly log?: Log;
}

/**
 * A reader that wants some layers' bytes. The push sends it those layers' blobs (and may send
 * others); it learns which layer a blob is from the blob itself (the hash of its content).
 */
export interface LayerTap {
  /** Diff ids to stream through the push. */
  readonly wanted: ReadonlySet<string>;
  open(): BlobSink;
  /** The image config and any attestation statements the push carried. */
  documents(found: { config: Buffer | undefined; attestations: readonly Buffer[] }): void;
}

interface EngineHistoryItem {
  CreatedBy?: string;
  Size?: number;
  Comment?: string;
}

interface EngineInspect {
  Id: string;
  Size?: number;
  Os?: string;
  Architecture?: string;
  RootFS?: { Layers?: string[] };
}

/**
 * Measures an image from its layer data, with a cost that grows with the number of layers:
 * - uncompressed: the engine's per-entry history sizes (the layer store's diff sizes on the
 *   classic store, the unpacked snapshots' disk usage on the containerd store). The image's
 *   `Size` field is not used: on the containerd store it is the compressed content, on the
 *   classic store the unpacked layers, so it means two different things;
 * - compressed: the manifest the engine produces when it pushes the image, received by a
 *   registry endpoint on loopback (see LoopbackRegistry).
 */
export async function measureImage(docker: Docker, imageRef: string, options: MeasureOptions): Promise<ImageMeasurement> {
  const started = Date.now();
  const notes: string[] = [];
  const [info, inspect, rawHistory] = await Promise.all([
    engineInfo<EngineInfo>(docker),
    docker.getImage(imageRef).inspect() as Promise<EngineInspect>,
    docker.getImage(imageRef).history() as Promise<EngineHistoryItem[]>,
  ]);
  const store: ImageStore = isContainerdStore(info) ? 'containerd' : 'classic';
  const history = [...rawHistory].reverse();
  const diffIds = inspect.RootFS?.Layers ?? [];

  const pushed = await readCompressed(docker, imageRef, info, inspect, store, options, notes);

  const entries = historyEntries(history, diffIds, pushed);
  const variables = options.variables ?? new Map<string, string>();
  const attribution = attributeLayers(entries, options.facts, variables);
  if (attribution.matched < attribution.expected) {
    notes.push(
      `only ${attribution.matched} of ${attribution.expected} Dockerfile instructions were found in the image history; unmatched layers are shown with their history text`,
    );
  }

  const layers = attribution.layers;
  const bytes = history.reduce((sum, h) => sum + Math.max(0, h.Size ?? 0), 0);
  let compressedBytes: number | null = null;
  let compressedSource: CompressedSource = 'unavailable';
  if (pushed) {
    compressedBytes = pushed.manifest.layers.reduce((sum, l) => sum + l.size, 0);
    compressedSource = 'image-manifest';
  } else if (store === 'containerd' && typeof inspect.Size === 'number') {
    compressedBytes = inspect.Size;
    compressedSource = 'engine-content-size';
    notes.push(
      "compressed size taken from the containerd store's content size (layers plus a few kB of manifests and config); per-layer compressed sizes unknown",
    );
  }
  if (store === 'containerd') {
    notes.push(`on the containerd image store, \`docker images\` shows the unpacked size plus the compressed layers kept next to it`);
  }
  const baseImage = baseImageOf(attribution);
  return {
    store,
    bytes,
    compressedBytes,
    uncompressedSource: store === 'containerd' ? 'engine-snapshot-usage' : 'engine-layer-diff',
    compressedSource,
    baseImage,
    layers,
    durationMs: Date.now() - started,
    uploadedBytes: pushed?.uploadedBytes ?? null,
    notes,
  };
}

/**
 * The image as the engine pushes it to a registry on loopback: its manifest (compressed sizes)
 * and config. Undefined, with a note, when the engine cannot push there or the push fails.
 */
async function readCompressed(
  docker: Docker,
  imageRef: string,
  info: EngineInfo,
  inspect: EngineInspect,
  store: ImageStore,
  options: MeasureOptions,
  notes: string[],
): Promise<PushedImage | undefined> {
  if (!loopbackPushAllowed(info)) {
    notes.push('the engine does not allow plain-HTTP registries on 127.0.0.1, so the compressed layers could not be read');
    return undefined;
  }
  try {
    const pushed = await pushToLoopback(docker, imageRef, inspect, store, {
      sizes: options.memo ?? BlobSizeMemo.inMemory(),
      diffIds: options.diffIdMemo ?? BlobDiffIdMemo.inMemory(),
      tap: options.tap,
      leftover: (ref, reason) => {
        const message = `the loopback tag ${ref} could not be removed (${reason}); remove it with: docker image rm ${ref}`;
        notes.push(message);
        options.log?.warning(`Image size: ${message}`);
      },
    });
    options.log?.debug(
      `measure: read the manifest of ${imageRef} through a loopback push (${pushed.uploadedBytes} bytes uploaded, ${pushed.passes === 1 ? 'one pass' : `${pushed.passes} passes`})`,
    );
    return pushed;
  } catch (err) {
    notes.push(`the compressed layers could not be read through a loopback push: ${(err as Error).message}`);
    options.log?.warning(`Image size: compressed layer sizes unavailable (${(err as Error).message})`);
    return undefined;
  }
}

/** The base image's share of the image: its FROM and the layers attributed to it. */
export function baseImageOf(attribution: Attribution): SizeBaseImage | null {
  const baseLayers = attribution.layers.filter((l) => l.base);
  return attribution.baseRef === null && baseLayers.length === 0
    ? null
    : {
        ref: attribution.baseRef,
        line: attribution.baseLine,
        layers: baseLayers.length,
        bytes: baseLayers.reduce((s, l) => s + l.bytes, 0),
        compressedBytes: sumOrNull(baseLayers.map((l) => l.compressedBytes)),
      };
}

export function sumOrNull(values: readonly (number | null)[]): number | null {
  let sum = 0;
  for (const v of values) {
    if (v === null) return null;
    sum += v;
  }
  return sum;
}

interface EngineInfo {
  DriverStatus?: [string, string][] | null;
  RegistryConfig?: { InsecureRegistryCIDRs?: string[] | null } | null;
}

export function isContainerdStore(info: EngineInfo): boolean {
  return (info.DriverStatus ?? []).some(([k, v]) => k === 'driver-type' && v.startsWith('io.containerd.snapshotter'));
}

/** The engine talks plain HTTP to 127.0.0.0/8 unless its configuration says otherwise. */
export function loopbackPushAllowed(info: EngineInfo): boolean {
  const cidrs = info.RegistryConfig?.InsecureRegistryCIDRs;
  if (!cidrs) return true;
  const loopback = ipv4ToInt('127.0.0.1');
  return cidrs.some((cidr) => {
    const [net, bits] = cidr.split('/');
    if (!net || !/^\d+\.\d+\.\d+\.\d+$/.test(net)) return false;
    const prefix = Number(bits ?? 32);
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    return (loopback & mask) >>> 0 === (ipv4ToInt(net) & mask) >>> 0;
  });
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => ((n << 8) | Number(part)) >>> 0, 0);
}

interface PushedImage {
  readonly manifest: ManifestInfo;
  readonly config: ImageConfigInfo | undefined;
  readonly uploadedBytes: number;
  /** How many times the engine pushed the image (each a tag, a push and an untag). */
  readonly passes: number;
}

interface PushMemos {
  readonly sizes: BlobSizeMemo;
  readonly diffIds: BlobDiffIdMemo;
  readonly tap: LayerTap | undefined;
  /** A measure tag the engine would not remove: said, so that none is left behind unseen. */
  readonly leftover: (ref: string, reason: string) => void;
}

async function pushToLoopback(docker: Docker, imageRef: string, inspect: EngineInspect, store: ImageStore, memos: PushMemos): Promise<PushedImage> {
  const platform = { os: inspect.Os ?? 'linux', architecture: inspect.Architecture ?? 'amd64' };
  const diffIds = inspect.RootFS?.Layers ?? [];
  const push: LoopbackPush = { docker, imageRef, inspect, platform, diffIds, memos };
  return store === 'containerd' ? pushContainerd(push) : pushClassic(push);
}

/** One image's push to loopback registries, and what each pass needs of it. */
interface LoopbackPush {
  readonly docker: Docker;
  readonly imageRef: string;
  readonly inspect: EngineInspect;
  readonly platform: { readonly os: string; readonly architecture: string };
  readonly diffIds: readonly string[];
  readonly memos: PushMemos;
}

/**
 * The containerd store: the blobs are in the content store already, so a first pass claims them
 * all and only manifests travel; then a second pass refuses the config alone, so the engine sends it.
 * While hygiene taps the push, one pass does (see pushContainerdOnce).
 */
async function pushContainerd(push: LoopbackPush): Promise<PushedImage> {
  const { tap, diffIds: pairs } = push.memos;
  const paired = new Set(pairs.diffIds.values());
  // Only when no layer would be sent for nothing: each is one hygiene reads, or one whose blob an earlier push named.
  if (tap && push.diffIds.every((id) => tap.wanted.has(id) || paired.has(id))) {
    const once = await pushContainerdOnce(push, tap).catch(() => undefined);
    if (once) return once;
  }
  return pushContainerdTwice(push);
}

/**
 * One pass while hygiene taps the push: the layers whose blob digest an earlier push paired
 * with a layer it has read are claimed, everything else is refused and sent (the config, the
 * attestations, new layers, the layers hygiene wants). A second tag, push and untag would cost
 * the engine about 80 ms while the app's containers start. Undefined when the pass cannot say
 * what it must (no manifest for this platform, no config).
 */
async function pushContainerdOnce(push: LoopbackPush, tap: LayerTap): Promise<PushedImage | undefined> {
  const { docker, imageRef, platform, diffIds, memos } = push;
  const claimed = new Map([...memos.diffIds.diffIds].filter(([, diffId]) => !tap.wanted.has(diffId)).map(([digest]) => [digest, 0] as [string, number]));
  // Sizes are not read by the containerd pusher: a claimed blob answers with 0.
  const registry = await LoopbackRegistry.start({ claimUnknownBlobs: false, knownSizes: claimed, tap });
  try {
    await pushTo(docker, imageRef, registry, memos.leftover);
    const manifest = pickPlatformManifest(registry.manifests, platform, diffIds.length);
    const content = registry.blobs.get(manifest.configDigest)?.content;
    if (!content) return undefined;
    await rememberPairs(memos, manifest, diffIds);
    const statements = attestationLayers(registry.manifests);
    tap.documents({ config: content, attestations: statements.flatMap((d) => registry.blobs.get(d)?.content ?? []) });
    return { manifest, config: parseImageConfig(content), uploadedBytes: registry.uploadedBytes, passes: 1 };
  } finally {
    await registry.close();
  }
}

/** Which blob is which layer: what the next run claims, refuses or sends. */
async function rememberPairs(memos: PushMemos, manifest: ManifestInfo, diffIds: readonly string[]): Promise<void> {
  const pairs = new Map(manifest.layers.flatMap((l, i) => (diffIds[i] ? [[l.digest, diffIds[i]] as [string, string]] : [])));
  await memos.diffIds.remember(pairs).catch(() => undefined);
}

async function pushContainerdTwice(push: LoopbackPush): Promise<PushedImage> {
  const { docker, imageRef, platform, diffIds, memos } = push;
  const { tap } = memos;
  const first = await LoopbackRegistry.start({ claimUnknownBlobs: true, knownSizes: new Map() });
  let manifest: ManifestInfo;
  let uploaded = 0;
  let passes = 1;
  try {
    await pushTo(docker, imageRef, first, memos.leftover);
    manifest = pickPlatformManifest(first.manifests, platform, diffIds.length);
    uploaded += first.uploadedBytes;
    await rememberPairs(memos, manifest, diffIds);
  } finally {
    await first.close();
  }
  // The layers the tap wants are refused too, so the engine sends their compressed blobs as
  // stored; attestation statements are small and ride along.
  const wantedLayers = tap ? manifest.layers.filter((_, i) => tap.wanted.has(diffIds[i] ?? '')).map((l) => l.digest) : [];
  const statements = tap ? attestationLayers(first.manifests) : [];
  const secondPass = async (extra: readonly string[]): Promise<PushedImage> => {
    const second = await LoopbackRegistry.start({
      claimUnknownBlobs: true,
      knownSizes: new Map(),
      fetchDigests: new Set([manifest.configDigest, ...extra]),
      tap: extra.length ? tap : undefined,
    });
    try {
      passes++;
      await pushTo(docker, imageRef, second, memos.leftover);
      uploaded += second.uploadedBytes;
      const content = second.blobs.get(manifest.configDigest)?.content;
      tap?.documents({ config: content, attestations: statements.flatMap((d) => second.blobs.get(d)?.content ?? []) });
      return { manifest, config: content ? parseImageConfig(content) : undefined, uploadedBytes: uploaded, passes };
    } finally {
      await second.close();
    }
  };
  if (wantedLayers.length + statements.length === 0) return secondPass([]);
  try {
    return await secondPass([...wantedLayers, ...statements]);
  } catch {
    // A blob the content store no longer holds cannot be sent: measure without the tap.
    return secondPass([]);
  }
}

/** The classic store: the engine compresses and sends every layer whose blob the registry does not claim to know. */
async function pushClassic(push: LoopbackPush): Promise<PushedImage> {
  const { docker, imageRef, inspect, platform, diffIds, memos } = push;
  const { tap } = memos;
  const memo = memos.sizes;
  // Blobs pushed before are only asked about; those whose layer the tap wants are refused, so
  // the engine compresses and sends them again.
  const refused = [...memos.diffIds.diffIds].filter(([, diffId]) => tap?.wanted.has(diffId)).map(([digest]) => digest);
  // While the tap wants layers, a blob whose layer is not known is not claimed either: the
  // upload tells which layer it is, once.
  const knownSizes =
    tap && tap.wanted.size > 0
      ? new Map(
          [...memo.sizes].filter(([digest]) => {
            const diffId = memos.diffIds.diffIds.get(digest);
            return diffId !== undefined && !tap.wanted.has(diffId);
          }),
        )
      : memo.sizes;
  const registry = await LoopbackRegistry.start({ claimUnknownBlobs: false, knownSizes, fetchDigests: new Set([inspect.Id, ...refused]), tap });
  try {
    await pushTo(docker, imageRef, registry, memos.leftover);
    const manifest = pickPlatformManifest(registry.manifests, platform, diffIds.length);
    await memo.remember(new Map(manifest.layers.map((l) => [l.digest, l.size]))).catch(() => undefined);
    await rememberPairs(memos, manifest, diffIds);
    const content = registry.blobs.get(manifest.configDigest)?.content;
    tap?.documents({ config: content, attestations: [] });
    return { manifest, config: content ? parseImageConfig(content) : undefined, uploadedBytes: registry.uploadedBytes, passes: 1 };
  } finally {
    await registry.close();
  }
}

/** The in-toto statement blobs of the attestation manifests an engine pushed. */
function attestationLayers(received: readonly { digest: string; mediaType: string; body: Buffer }[]): string[] {
  const out: string[] = [];
  for (const r of received) {
    try {
      const parsed = parseManifest(r.body, r.digest, r.mediaType);
      if (parsed.kind !== 'manifest') continue;
      for (const l of parsed.manifest.layers) if (l.mediaType.includes('in-toto')) out.push(l.digest);
    } catch {
      // Not a manifest this reader knows: no statements from it.
    }
  }
  return out;
}

async function pushTo(docker: Docker, imageRef: string, registry: LoopbackRegistry, leftover: PushMemos['leftover']): Promise<void> {
  const repo = `${registry.host}/${registry.repository}`;
  const tag = `m-${randomBytes(6).toString('hex')}`;
  await docker.getImage(imageRef).tag({ repo, tag });
  try {
    // The engine insists on an X-Registry-Auth header; "{}" is anonymous.
    const stream = await docker.getImage(`${repo}:${tag}`).push({ tag, authconfig: { base64: 'e30=' } });
    await followPush(docker, stream);
  } finally {
    await removeMeasureTag(docker, `${repo}:${tag}`, leftover);
  }
}

/** The measure tag goes whatever happened to the push; a second try covers an engine busy with the push's end. */
async function removeMeasureTag(docker: Docker, ref: string, leftover: PushMemos['leftover']): Promise<void> {
  let reason = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await docker.getImage(ref).remove({ noprune: true });
      return;
    } catch (err) {
      // Gone already (the tag was never made): nothing is left.
      if ((err as { statusCode?: number }).statusCode === 404) return;
      reason = (err as Error).message;
    }
  }
  leftover(ref, reason);
}

function followPush(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        if (err) reject(err);
        else if (failure) reject(new Error(failure));
        else resolve();
      },
      (event: { error?: string; errorDetail?: { message?: string } }) => {
        if (event.error || event.errorDetail) failure = event.errorDetail?.message ?? event.error;
      },
    );
  });
}

/**
 * The image's history entries with their layers. With the image config (from the push),
 * `empty_layer` says which entries made a layer; otherwise an entry with a size is a layer
 * and the zero-size ones, which weigh nothing, are left out.
 */
export function historyEntries(
  history: readonly EngineHistoryItem[],
  diffIds: readonly string[],
  pushed: Pick<PushedImage, 'manifest' | 'config'> | undefined,
): HistoryLayerEntry[] {
  const config = pushed?.config;
  const manifestLayers = pushed?.manifest.layers ?? [];
  if (config && config.history.length === history.length) {
    let layer = 0;
    return config.history.map((h, i) => {
      const engine = history[i];
      if (h.emptyLayer) {
        return { createdBy: h.createdBy, comment: h.comment, layer: false, bytes: 0, compressedBytes: null, diffId: null, digest: null };
      }
      const index = layer++;
      return {
        createdBy: h.createdBy,
        comment: h.comment,
        layer: true,
        bytes: Math.max(0, engine?.Size ?? 0),
        compressedBytes: manifestLayers[index]?.size ?? null,
        diffId: diffIds[index] ?? null,
        digest: manifestLayers[index]?.digest ?? null,
      };
    });
  }
  const sized = history.filter((h) => (h.Size ?? 0) > 0).length;
  let layer = 0;
  return history.map((h) => {
    const isLayer = (h.Size ?? 0) > 0;
    const index = isLayer ? layer++ : -1;
    // Layer positions are only certain when every layer has a size.
    const aligned = isLayer && sized === diffIds.length;
    return {
      createdBy: h.CreatedBy ?? '',
      comment: h.Comment ?? '',
      layer: isLayer,
      bytes: Math.max(0, h.Size ?? 0),
      compressedBytes: aligned ? (manifestLayers[index]?.size ?? null) : null,
      diffId: aligned ? (diffIds[index] ?? null) : null,
      digest: aligned ? (manifestLayers[index]?.digest ?? null) : null,
    };
  });
}
