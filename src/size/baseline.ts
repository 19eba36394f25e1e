import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DockerfileFacts } from '../config/dockerfile.ts';
import type { CompressedSource, SizeBaseImage, SizeBaseline, SizeLayer, UncompressedSource } from '../model/report.ts';
import { attributeLayers, type HistoryLayerEntry } from './attribute.ts';
import type { BaselineScope } from './baseline-store.ts';
import type { RegistryCredentials } from '../config/registry.ts';
import type { BaselineSpec } from '../config/size.ts';
import { baseImageOf, sumOrNull } from './measure.ts';
import { fetchRegistryImage } from './registry.ts';

export interface BaselineOutcome {
  readonly baseline: SizeBaseline | null;
  /** Why there is none, or what limits it; never a failure. */
  readonly note: string | null;
}

export interface BaselineContext {
  readonly facts: DockerfileFacts;
  readonly variables: ReadonlyMap<string, string>;
  readonly credentials: RegistryCredentials | undefined;
  readonly scope: BaselineScope;
  /** Key prefix of this image's `auto` baselines on the base branch. */
  readonly keyPrefix: string | null;
  readonly platform: { os: string; architecture: string };
}

/** Finds the baseline the `baseline` input asks for. A missing or unreadable baseline is a note, not an error. */
export async function resolveBaseline(spec: BaselineSpec, ctx: BaselineContext): Promise<BaselineOutcome> {
  switch (spec.kind) {
    case 'none':
      return { baseline: null, note: 'no baseline: baseline is none' };
    case 'file': {
      let json: unknown;
      try {
        json = JSON.parse(await readFile(spec.path, 'utf8'));
      } catch (err) {
        return { baseline: null, note: `no baseline: cannot read the report ${spec.path} (${(err as Error).message})` };
      }
      const baseline = baselineFromReport(json, { kind: 'file', source: `file ${path.basename(spec.path)}`, ref: spec.path });
      return baseline ? { baseline, note: null } : { baseline: null, note: `no baseline: ${spec.path} is not a deploy-check report with a measured size` };
    }
    case 'image': {
      try {
        const image = await fetchRegistryImage(spec.ref, { credentials: ctx.credentials, platform: ctx.platform });
        return { baseline: baselineFromRegistry(image, ctx), note: null };
      } catch (err) {
        return { baseline: null, note: `no baseline: ${(err as Error).message}` };
      }
    }
    case 'auto': {
      const { store, branch } = ctx.scope;
      if (!store || !ctx.keyPrefix) return { baseline: null, note: `no baseline yet: ${ctx.scope.unavailable ?? 'no baseline store'}` };
      let entry: { key: string; content: string } | null;
      try {
        entry = await store.restore(ctx.keyPrefix);
      } catch (err) {
        return { baseline: null, note: `no baseline: ${store.description} could not be read (${(err as Error).message})` };
      }
      if (!entry) return { baseline: null, note: `no baseline yet: no passing run on ${branch ?? 'the base branch'} has stored one in ${store.description}` };
      let json: unknown;
      try {
        json = JSON.parse(entry.content);
      } catch {
        return { baseline: null, note: `no baseline: the stored entry ${entry.key} is not JSON` };
      }
      const commit = reportCommit(json);
      const source = `${branch ?? 'the base branch'}${commit ? ` (commit ${commit.slice(0, 7)})` : ''}`;
      const baseline = baselineFromReport(json, { kind: 'auto', source, ref: entry.key });
      return baseline ? { baseline, note: null } : { baseline: null, note: `no baseline: the stored entry ${entry.key} has no measured size` };
    }
  }
}

function reportCommit(json: unknown): string | null {
  const commit = (json as { source?: { commit?: unknown } } | null)?.source?.commit;
  return typeof commit === 'string' ? commit : null;
}

/** A deploy-check JSON report (or its `size` section) as a baseline. */
export function baselineFromReport(json: unknown, origin: { kind: SizeBaseline['kind']; source: string; ref: string | null }): SizeBaseline | null {
  if (!json || typeof json !== 'object') return null;
  const report = json as { size?: unknown; startedAt?: unknown };
  const size = (report.size ?? json) as Record<string, unknown>;
  if (size['status'] !== undefined && size['status'] !== 'measured') return null;
  const bytes = integerOrNull(size['bytes']);
  const compressedBytes = integerOrNull(size['compressedBytes']);
  if (bytes === null && compressedBytes === null) return null;
  const layers = Array.isArray(size['layers']) ? (size['layers'] as unknown[]).map(layerFromJson).filter((l): l is SizeLayer => l !== null) : [];
  return {
    source: origin.source,
    kind: origin.kind,
    ref: origin.ref,
    bytes,
    compressedBytes,
    // Reports from before the sources were recorded measured uncompressed from the engine's history.
    uncompressedSource: oneOf(
      size['uncompressedSource'],
      ['engine-layer-diff', 'engine-snapshot-usage', 'gzip-isize', 'unavailable'],
      bytes === null ? 'unavailable' : 'engine-layer-diff',
    ),
    compressedSource: oneOf(
      size['compressedSource'],
      ['image-manifest', 'registry-manifest', 'engine-content-size', 'unavailable'],
      compressedBytes === null ? 'unavailable' : 'image-manifest',
    ),
    baseImage: baseImageFromJson(size['baseImage']),
    layers,
    commit: reportCommit(json),
    measuredAt: typeof report.startedAt === 'string' ? report.startedAt : null,
  };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

function integerOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : null;
}

function layerFromJson(value: unknown): SizeLayer | null {
  if (!value || typeof value !== 'object') return null;
  const l = value as Record<string, unknown>;
  const bytes = integerOrNull(l['bytes']);
  if (bytes === null) return null;
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    instruction: str(l['instruction']) ?? '',
    line: integerOrNull(l['line']),
    bytes,
    compressedBytes: integerOrNull(l['compressedBytes']),
    base: l['base'] === true,
    createdBy: str(l['createdBy']) ?? str(l['instruction']) ?? '',
    keyword: str(l['keyword']),
    stage: str(l['stage']),
    diffId: str(l['diffId']),
    digest: str(l['digest']),
  };
}

function baseImageFromJson(value: unknown): SizeBaseImage | null {
  if (!value || typeof value !== 'object') return null;
  const b = value as Record<string, unknown>;
  return {
    ref: typeof b['ref'] === 'string' ? b['ref'] : null,
    line: integerOrNull(b['line']),
    layers: integerOrNull(b['layers']) ?? 0,
    bytes: integerOrNull(b['bytes']) ?? 0,
    compressedBytes: integerOrNull(b['compressedBytes']),
  };
}

/**
 * A registry image as a baseline. Compressed: the manifest's layer sizes. Uncompressed: the
 * layers' tar sizes from their gzip trailers, which count tar headers too, so they are labelled
 * and never compared with an engine's figure.
 */
export function baselineFromRegistry(image: Awaited<ReturnType<typeof fetchRegistryImage>>, ctx: Pick<BaselineContext, 'facts' | 'variables'>): SizeBaseline {
  let layerIndex = 0;
  const history =
    image.config.history.length > 0
      ? image.config.history
      : image.manifest.layers.map(() => ({ createdBy: '', comment: '', emptyLayer: false, created: null }));
  const entries: HistoryLayerEntry[] = history.map((h) => {
    if (h.emptyLayer) return { createdBy: h.createdBy, comment: h.comment, layer: false, bytes: 0, compressedBytes: null, diffId: null, digest: null };
    const i = layerIndex++;
    const layer = image.manifest.layers[i];
    return {
      createdBy: h.createdBy,
      comment: h.comment,
      layer: true,
      bytes: image.layerTarSizes[i] ?? 0,
      compressedBytes: layer?.size ?? null,
      diffId: image.config.diffIds[i] ?? null,
      digest: layer?.digest ?? null,
    };
  });
  const attribution = attributeLayers(entries, ctx.facts, ctx.variables);
  const tarSizes = sumOrNull(image.layerTarSizes);
  const uncompressedSource: UncompressedSource = tarSizes === null ? 'unavailable' : 'gzip-isize';
  const compressedSource: CompressedSource = 'registry-manifest';
  return {
    source: `registry ${image.ref.text}`,
    kind: 'image',
    ref: image.ref.digest ? image.ref.text : `${image.ref.text}@${image.digest}`,
    bytes: tarSizes,
    compressedBytes: image.manifest.layers.reduce((s, l) => s + l.size, 0),
    uncompressedSource,
    compressedSource,
    // Without base layers the registry image says nothing about its base.
    baseImage: attribution.layers.some((l) => l.base) ? baseImageOf(attribution) : null,
    layers: attribution.layers,
    commit: null,
    measuredAt: image.config.created,
  };
}
