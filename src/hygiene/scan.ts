/**
 * Reading the image through `docker save` (the fallback when the size stage's loopback push
 * cannot deliver the layers), and the rules that combine facts across layers: a file deleted
 * by a later layer, the final account files.
 */
import type Docker from 'dockerode';
import { readImageArchive, type ImageConfigJson } from './archive.ts';
import { emptyFacts, LayerCollector, type LayerFacts } from './layer.ts';
import { isUnder } from './rules.ts';
import type { GivenSecret } from '../secrets/values.ts';

export interface ImageScan {
  /** In layer order (index 0 is the lowest layer). */
  readonly layers: readonly LayerFacts[];
  readonly config: ImageConfigJson | undefined;
  readonly attestations: readonly unknown[];
  readonly bytesRead: number;
  readonly entries: number;
  readonly durationMs: number;
}

/** Streams `docker save` of one image through the rules. Nothing is written to disk. */
export async function scanImage(docker: Docker, image: string, given: readonly GivenSecret[] = []): Promise<ImageScan> {
  const started = Date.now();
  const byKey = new Map<string, LayerFacts>();
  const stream = (await docker.getImage(image).get()) as unknown as AsyncIterable<Buffer>;
  const archive = await readImageArchive(stream, (key) => {
    const collector = new LayerCollector(given);
    byKey.set(key, collector.facts);
    return { visitor: collector.visit, done: () => undefined };
  });
  return {
    layers: archive.layers.map((k) => byKey.get(k) ?? emptyFacts()),
    config: archive.config,
    attestations: archive.attestations,
    bytesRead: archive.bytesRead,
    entries: archive.entries,
    durationMs: Date.now() - started,
  };
}

function writes(layer: LayerFacts, path: string): boolean {
  return Object.hasOwn(layer.sizes, path);
}

/**
 * `hides(layer, path)` for every file of the layers below: the whiteouts as sets, looked up at
 * each of the path's ancestors, instead of every whiteout tried on every file (a base layer's
 * thousands of files against each layer above it).
 */
export function hider(layer: LayerFacts): (path: string) => boolean {
  if (layer.deletes.length === 0) return () => false;
  const paths = new Set(layer.deletes.filter((d) => d.kind === 'path').map((d) => d.target));
  const opaque = new Set(layer.deletes.filter((d) => d.kind === 'opaque').map((d) => d.target));
  return (path) => {
    if (paths.has('/') || paths.has(path) || (opaque.has('/') && path !== '/')) return true;
    // Every prefix that ends before a '/' of the path: what isUnder's startsWith(`${target}/`) matches.
    for (let at = path.indexOf('/'); at >= 0; at = path.indexOf('/', at + 1)) {
      const above = path.slice(0, at);
      if (paths.has(above) || opaque.has(above)) return true;
    }
    return false;
  };
}

/** Does a layer's whiteout hide `path` of a layer below? */
export function hides(layer: LayerFacts, path: string): boolean {
  return layer.deletes.some((d) => (d.kind === 'path' ? isUnder(path, d.target) : path !== d.target && isUnder(path, d.target)));
}

/** The first layer above `index` that deletes `path` without a later layer writing it back. */
export function deletedBy(layers: readonly LayerFacts[], index: number, path: string): number | undefined {
  let deleted: number | undefined;
  for (let j = index + 1; j < layers.length; j++) {
    const layer = layers[j];
    if (!layer) continue;
    if (deleted === undefined) {
      if (hides(layer, path)) deleted = j;
    } else if (writes(layer, path)) {
      deleted = undefined;
    }
  }
  return deleted;
}

/** The layer above `index` by which every one of `paths` is deleted, if they all are. */
export function allDeletedBy(layers: readonly LayerFacts[], index: number, paths: readonly string[]): number | undefined {
  let last: number | undefined;
  for (const p of paths) {
    const j = deletedBy(layers, index, p);
    if (j === undefined) return undefined;
    last = last === undefined ? j : Math.max(last, j);
  }
  return last;
}

/** Is `path`, written by layer `index`, visible in the final filesystem? */
export function visibleAtTop(layers: readonly LayerFacts[], index: number, path: string): boolean {
  return deletedBy(layers, index, path) === undefined;
}

/** The layer whose copy of `path` the final filesystem shows (the topmost writer, unless deleted above). */
export function finalWriter(layers: readonly LayerFacts[], path: string, has: (layer: LayerFacts) => boolean): number | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    if (!layer) continue;
    if (hides(layer, path) && !has(layer)) return undefined;
    if (has(layer)) return visibleAtTop(layers, i, path) ? i : undefined;
  }
  return undefined;
}

/** The content of an account file in the final filesystem (the topmost layer that has it, unless deleted above). */
export function finalAccountFile(layers: readonly LayerFacts[], which: 'passwd' | 'group'): string | undefined {
  const i = finalWriter(layers, `/etc/${which}`, (l) => (which === 'passwd' ? l.passwd : l.group) !== null);
  if (i === undefined) return undefined;
  const layer = layers[i];
  return (which === 'passwd' ? layer?.passwd : layer?.group) ?? undefined;
}

/** Accounts with an empty password in the final /etc/shadow, and the layer it comes from. */
export function finalShadowEmpty(layers: readonly LayerFacts[]): { layer: number; accounts: string[] } | undefined {
  const i = finalWriter(layers, '/etc/shadow', (l) => l.shadowEmpty !== null);
  if (i === undefined) return undefined;
  const accounts = layers[i]?.shadowEmpty ?? [];
  return accounts.length ? { layer: i, accounts } : undefined;
}

/** Per layer: bytes and files of its own that a later layer deletes or overwrites (dive's "wasted space"). */
export function wastedByLayer(layers: readonly LayerFacts[]): { bytes: number; files: number }[] {
  const covers = layers.map((layer) => ({ layer, hides: hider(layer) }));
  return layers.map((layer, i) => {
    let bytes = 0;
    let files = 0;
    const above = covers.slice(i + 1);
    if (above.length === 0) return { bytes, files };
    for (const [path, size] of Object.entries(layer.sizes)) {
      if (above.some((l) => writes(l.layer, path) || l.hides(path))) {
        bytes += size;
        files++;
      }
    }
    return { bytes, files };
  });
}

/** Is `path` of layer `index` still what the final filesystem shows (neither deleted nor overwritten)? */
export function shownAtTop(layers: readonly LayerFacts[], index: number, path: string): boolean {
  for (let j = index + 1; j < layers.length; j++) {
    const layer = layers[j];
    if (!layer) continue;
    if (writes(layer, path) || hides(layer, path)) return false;
  }
  return true;
}
