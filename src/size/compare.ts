import type { CompressedSource, SizeDelta, SizeLayer, SizeLayerChange, UncompressedSource } from '../model/report.ts';
import type { SizeMetric } from '../config/size.ts';
import { normalizeCreatedBy } from './attribute.ts';
import type { SizeFigures } from './measure.ts';

/** Uncompressed figures compare only when measured the same way (file bytes, disk usage and tar sizes differ). */
export function uncompressedComparable(a: UncompressedSource, b: UncompressedSource): boolean {
  return a === b && a !== 'unavailable';
}

/** Layer blobs compare with layer blobs, wherever the manifest was read; a content-store total only with its like. */
export function compressedComparable(a: CompressedSource, b: CompressedSource): boolean {
  const kind = (s: CompressedSource): string | null =>
    s === 'image-manifest' || s === 'registry-manifest' ? 'blobs' : s === 'engine-content-size' ? 'content' : null;
  return kind(a) !== null && kind(a) === kind(b);
}

const UNCOMPRESSED_LABEL: Record<UncompressedSource, string> = {
  'engine-layer-diff': "the classic image store's layer sizes",
  'engine-snapshot-usage': "the containerd image store's unpacked snapshots",
  'gzip-isize': 'layer tar sizes from a registry',
  unavailable: 'nothing',
};

export function compareSizes(current: SizeFigures, baseline: SizeFigures, metric: SizeMetric): SizeDelta {
  const notes: string[] = [];
  const sameUncompressed = uncompressedComparable(current.uncompressedSource, baseline.uncompressedSource);
  const sameCompressed = compressedComparable(current.compressedSource, baseline.compressedSource);
  if (!sameUncompressed) {
    notes.push(
      `uncompressed sizes not compared: the baseline was measured from ${UNCOMPRESSED_LABEL[baseline.uncompressedSource]}, this image from ${UNCOMPRESSED_LABEL[current.uncompressedSource]}`,
    );
  }
  if (!sameCompressed) notes.push('compressed sizes not compared: one of the two figures is missing or was measured differently');

  const bytes = sameUncompressed ? difference(current.bytes, baseline.bytes) : null;
  const compressedBytes = sameCompressed ? difference(current.compressedBytes, baseline.compressedBytes) : null;

  const layers: SizeLayerChange[] = [];
  const baseChange = compareBase(current.layers, baseline.layers, sameUncompressed, sameCompressed);
  if (baseChange) layers.push(baseChange);
  layers.push(
    ...compareOwnLayers(
      current.layers.filter((l) => !l.base),
      baseline.layers.filter((l) => !l.base),
      sameUncompressed,
      sameCompressed,
    ),
  );

  const weight = (c: SizeLayerChange): number => Math.abs((metric === 'compressed' ? (c.compressedBytes ?? c.bytes) : (c.bytes ?? c.compressedBytes)) ?? 0);
  layers.sort((a, b) => weight(b) - weight(a));
  return {
    bytes,
    percent: percentOf(bytes, baseline.bytes),
    compressedBytes,
    compressedPercent: percentOf(compressedBytes, baseline.compressedBytes),
    metric,
    baseImageChanged: baseChange !== null,
    layers,
    notes,
  };
}

function difference(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a - b;
}

export function percentOf(delta: number | null, of: number | null): number | null {
  if (delta === null || of === null || of === 0) return null;
  return Math.round((delta / of) * 100_000) / 1000;
}

/**
 * The base image changed when its layers did: by content (diff IDs) when both sides know
 * them, else by the FROM reference and size.
 */
function compareBase(
  current: readonly SizeLayer[],
  baseline: readonly SizeLayer[],
  sameUncompressed: boolean,
  sameCompressed: boolean,
): SizeLayerChange | null {
  const now = current.filter((l) => l.base);
  const before = baseline.filter((l) => l.base);
  const ids = (ls: readonly SizeLayer[]): string[] | null => (ls.every((l) => l.diffId !== null) ? ls.map((l) => l.diffId ?? '') : null);
  const nowIds = ids(now);
  const beforeIds = ids(before);
  const sum = (ls: readonly SizeLayer[], pick: (l: SizeLayer) => number | null): number | null =>
    ls.reduce<number | null>((s, l) => (s === null || pick(l) === null ? null : s + (pick(l) ?? 0)), 0);
  const bytes = sameUncompressed
    ? difference(
        sum(now, (l) => l.bytes),
        sum(before, (l) => l.bytes),
      )
    : null;
  const compressedBytes = sameCompressed
    ? difference(
        sum(now, (l) => l.compressedBytes),
        sum(before, (l) => l.compressedBytes),
      )
    : null;
  const changed =
    nowIds !== null && beforeIds !== null
      ? nowIds.length !== beforeIds.length || nowIds.some((id, i) => id !== beforeIds[i])
      : now[0]?.instruction !== before[0]?.instruction || (bytes ?? 0) !== 0 || (compressedBytes ?? 0) !== 0;
  if (!changed) return null;
  const first = now[0] ?? before[0];
  return {
    change: 'base-image',
    instruction: now[0]?.instruction ?? 'no base image',
    line: first?.line ?? null,
    base: true,
    bytes,
    compressedBytes,
    previousInstruction: before[0] && before[0].instruction !== now[0]?.instruction ? before[0].instruction : null,
  };
}

const REBUILD_NOISE_BYTES = 64;

/**
 * Matches this Dockerfile's layers with the baseline's by instruction: the same history text
 * in the same order first (a longest common subsequence), then, between two such anchors, a
 * remaining pair of the same keyword is one line whose text changed. The rest were added or removed.
 */
function compareOwnLayers(
  current: readonly SizeLayer[],
  baseline: readonly SizeLayer[],
  sameUncompressed: boolean,
  sameCompressed: boolean,
): SizeLayerChange[] {
  const key = (l: SizeLayer): string => normalizeCreatedBy(l.createdBy || l.instruction);
  const matchedCurrent = matchLayers(current, baseline, key);
  const changes: SizeLayerChange[] = [];
  const matchedBaseline = new Set(matchedCurrent.values());
  current.forEach((layer, c) => {
    const b = matchedCurrent.get(c);
    const before = b === undefined ? undefined : baseline[b];
    if (!before) {
      changes.push({
        change: 'added',
        instruction: layer.instruction,
        line: layer.line,
        base: false,
        bytes: sameUncompressed ? layer.bytes : null,
        compressedBytes: sameCompressed ? layer.compressedBytes : null,
        previousInstruction: null,
      });
      return;
    }
    const bytes = sameUncompressed ? layer.bytes - before.bytes : null;
    const compressedBytes = sameCompressed ? difference(layer.compressedBytes, before.compressedBytes) : null;
    // A rebuilt layer with the same files differs only in the timestamps of its tar headers:
    // a few bytes of compressed size. That is no change worth a line.
    if ((bytes ?? 0) === 0 && Math.abs(compressedBytes ?? 0) < REBUILD_NOISE_BYTES) return;
    // The direction follows the compressed figure, or the uncompressed one where that did not move.
    const direction = compressedBytes !== null && compressedBytes !== 0 ? compressedBytes : (bytes ?? 0);
    changes.push({
      change: direction > 0 ? 'grown' : 'shrunk',
      instruction: layer.instruction,
      line: layer.line,
      base: false,
      bytes,
      compressedBytes,
      previousInstruction: key(layer) === key(before) ? null : before.instruction,
    });
  });
  baseline.forEach((layer, b) => {
    if (matchedBaseline.has(b)) return;
    changes.push({
      change: 'removed',
      instruction: layer.instruction,
      line: null,
      base: false,
      bytes: sameUncompressed ? -layer.bytes : null,
      compressedBytes: sameCompressed && layer.compressedBytes !== null ? -layer.compressedBytes : null,
      previousInstruction: null,
    });
  });
  return changes;
}

/**
 * Pairs of (current index, baseline index): the same history text in the same order first, then
 * a leftover of the same keyword within each gap between two such anchors.
 */
function matchLayers(current: readonly SizeLayer[], baseline: readonly SizeLayer[], key: (l: SizeLayer) => string): Map<number, number> {
  const pairs = longestCommonSubsequence(current.map(key), baseline.map(key));
  const matchedCurrent = new Map<number, number>(pairs);
  // Pair leftovers of the same keyword within each gap between anchors.
  const anchors: [number, number][] = [[-1, -1], ...pairs, [current.length, baseline.length]];
  for (let k = 0; k + 1 < anchors.length; k++) {
    const [c0, b0] = anchors[k] ?? [-1, -1];
    const [c1, b1] = anchors[k + 1] ?? [current.length, baseline.length];
    const taken = new Set<number>();
    for (let c = c0 + 1; c < c1; c++) {
      for (let b = b0 + 1; b < b1; b++) {
        if (!taken.has(b) && current[c]?.keyword === baseline[b]?.keyword) {
          matchedCurrent.set(c, b);
          taken.add(b);
          break;
        }
      }
    }
  }
  return matchedCurrent;
}

/** Index pairs [a, b] of a longest common subsequence of two short lists. */
export function longestCommonSubsequence(a: readonly string[], b: readonly string[]): [number, number][] {
  const table: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const row = table[i] as number[];
      row[j] = a[i] === b[j] ? (table[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(table[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if ((table[i + 1]?.[j] ?? 0) >= (table[i]?.[j + 1] ?? 0)) {
      i++;
    } else {
      j++;
    }
  }
  return pairs;
}
