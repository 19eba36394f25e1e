/**
 * The rules on the layers' file lists: secret files and secret values (also when a later
 * layer deletes them), credential-shaped values that are not secrets, .git directories,
 * package caches, and compilers in the final stage of a multi-stage build.
 */
import type { HygieneLayerRef } from '../../model/report.ts';
import { formatBytes } from '../../model/format.ts';
import type { LayerFacts } from '../layer.ts';
import { LOOKALIKE_LABELS } from '../../secrets/lookalikes.ts';
import { isUnder, packageCacheAdvice, SECRET_FILE_LABELS, type SecretFileKind } from '../rules.ts';
import { allDeletedBy, deletedBy, shownAtTop, visibleAtTop } from '../scan.ts';
import { VALUE_KIND_LABELS, type ValueKind } from '../../secrets/values.ts';
import { BASE_SECRET_FIX, layerNames, withArticle, type Draft, type LayerNames } from './draft.ts';

export interface LayerRuleFacts {
  /** In layer order (index 0 is the lowest layer). */
  readonly layers: readonly LayerFacts[];
  /** What made each layer, by index. */
  readonly refs: readonly HygieneLayerRef[];
  /** The Dockerfile has more than one stage: compilers in the final one are a finding. */
  readonly multiStage: boolean;
}

/** Rules that read the layers and name them. */
interface LayerScope {
  readonly layers: readonly LayerFacts[];
  readonly names: LayerNames;
}

export function layerFindings({ layers, refs, multiStage }: LayerRuleFacts): Draft[] {
  const scope: LayerScope = { layers, names: layerNames(refs, layers.length) };
  const note = lookalikeNote(scope);
  return [
    ...secretFileFindings(scope),
    ...secretValueFindings(scope),
    ...(note ? [note] : []),
    ...gitDirectoryFindings(scope),
    ...packageCacheFindings(scope),
    ...(multiStage ? compilerFindings(scope) : []),
  ];
}

/** Secret files, grouped by path: the first layer that adds one is where to fix it. */
function secretFileFindings({ layers, names }: LayerScope): Draft[] {
  const secretPaths = new Map<string, { kind: SecretFileKind; layers: number[]; bytes: number }>();
  layers.forEach((layer, i) => {
    for (const f of layer.secretFiles) {
      const seen = secretPaths.get(f.path) ?? { kind: f.kind, layers: [], bytes: f.bytes };
      if (!seen.layers.includes(i)) seen.layers.push(i);
      secretPaths.set(f.path, seen);
    }
  });
  return [...secretPaths].map(([filePath, found]): Draft => {
    const first = found.layers[0] ?? 0;
    const label = SECRET_FILE_LABELS[found.kind];
    const gone = deletedBy(layers, found.layers.at(-1) ?? first, filePath);
    const evidence = found.layers.map((i) => `in ${names.where(i)}`);
    if (gone !== undefined) evidence.push(`deleted by ${names.where(gone)}; anyone who pulls the image can still read it from the earlier layer`);
    return {
      id: 'secret-file',
      message: `${filePath} (${label}) is in ${names.where(first)}${gone !== undefined ? `; ${names.short(gone)} deletes it, but the earlier layer still ships it` : ''}`,
      line: names.ref(first).line,
      layer: names.ref(first),
      path: filePath,
      evidence,
      fix: names.ref(first).fromBase ? BASE_SECRET_FIX : secretFileFix(filePath, gone !== undefined),
    };
  });
}

interface ValueHit {
  readonly path: string;
  readonly kind: ValueKind;
  readonly layers: number[];
  readonly lines: Set<number>;
  readonly fingerprints: Set<string>;
  readonly source: string | null;
}

/** Secrets recognised by their value, grouped by file and kind. */
function secretValueFindings({ layers, names }: LayerScope): Draft[] {
  const valueHits = new Map<string, ValueHit>();
  layers.forEach((layer, i) => {
    for (const v of layer.secretValues) {
      const key = `${v.path}\0${v.kind}\0${v.source ?? ''}`;
      const hit = valueHits.get(key) ?? { path: v.path, kind: v.kind, layers: [], lines: new Set<number>(), fingerprints: new Set<string>(), source: v.source };
      if (!hit.layers.includes(i)) hit.layers.push(i);
      hit.lines.add(v.line);
      hit.fingerprints.add(v.fingerprint);
      valueHits.set(key, hit);
    }
  });
  return [...valueHits.values()].map((hit): Draft => {
    const first = hit.layers[0] ?? 0;
    const what = hit.kind === 'given-secret' ? `the value of ${hit.source ?? 'a given secret'}` : withArticle(VALUE_KIND_LABELS[hit.kind]);
    const lines = [...hit.lines].sort((a, b) => a - b);
    return {
      id: 'secret-value',
      message: `${hit.path} holds ${what} (line ${lines.slice(0, 5).join(', ')}${lines.length > 5 ? ', ...' : ''}) in ${names.where(first)}${valueFate({ layers, names }, hit)}`,
      line: names.ref(first).line,
      layer: names.ref(first),
      path: hit.path,
      evidence: [...[...hit.fingerprints].map((f) => `fingerprint ${f}`), ...hit.layers.map((i) => `in ${names.where(i)}`)],
      fingerprint: [...hit.fingerprints][0] ?? '',
      fix: names.ref(first).fromBase ? BASE_SECRET_FIX : valueFix(hit.kind, hit.source),
    };
  });
}

/** What became of the file after the last layer that holds the value: nothing, deleted, or replaced. */
function valueFate({ layers, names }: LayerScope, hit: ValueHit): string {
  const last = hit.layers.at(-1) ?? hit.layers[0] ?? 0;
  if (shownAtTop(layers, last, hit.path)) return '';
  const gone = deletedBy(layers, last, hit.path) ?? -1;
  return gone >= 0
    ? `; ${names.short(gone)} deletes it, but the earlier layer still ships it`
    : '; a later layer replaces the file, but the earlier layer still ships it';
}

function secretFileFix(filePath: string, deletedLater: boolean): string {
  const name = filePath.slice(filePath.lastIndexOf('/') + 1);
  const deleted = deletedLater ? 'deleting it in a later layer does not remove it; ' : '';
  return `${deleted}exclude ${name} from the build context in .dockerignore (or COPY only what the app needs, or copy from a build stage with COPY --from), pass credentials as build secrets (RUN --mount=type=secret) and rotate what was exposed`;
}

function valueFix(kind: ValueKind, source: string | null): string {
  if (kind === 'given-secret' && source?.startsWith('build secret')) {
    return 'a RUN step wrote the build secret into a file: use it only inside the RUN that mounts it (RUN --mount=type=secret) and never copy it to the filesystem; rotate it';
  }
  return 'remove the value from the source and the image (.dockerignore, or a multi-stage build that copies only what runs), read it from an environment variable at run time, and rotate the exposed key';
}

/**
 * Credential-shaped values that are not secrets, as one note: whoever reads the report sees
 * that they were looked at and why they do not fail the check.
 */
function lookalikeNote({ layers, names }: LayerScope): Draft | undefined {
  const byPath = new Map<string, { layer: number; lines: Set<number>; what: Set<string> }>();
  let count = 0;
  layers.forEach((layer, i) => {
    for (const l of layer.lookalikes) {
      const seen = byPath.get(l.path) ?? { layer: i, lines: new Set<number>(), what: new Set<string>() };
      seen.lines.add(l.line);
      seen.what.add(`${withArticle(VALUE_KIND_LABELS[l.kind])}, ${LOOKALIKE_LABELS[l.reason]}`);
      byPath.set(l.path, seen);
      count++;
    }
  });
  const [first] = byPath.entries();
  if (!first) return undefined;
  const files = byPath.size;
  const evidence = [...byPath].slice(0, 20).map(
    ([p, s]) =>
      `${p} (line ${[...s.lines]
        .sort((a, b) => a - b)
        .slice(0, 5)
        .join(', ')}): ${[...s.what].join('; ')}`,
  );
  if (files > 20) evidence.push(`and ${files - 20} more file${files > 21 ? 's' : ''}`);
  return {
    id: 'placeholder-credentials',
    message: `${count} credential-shaped value${count > 1 ? 's' : ''} in ${files} file${files > 1 ? 's' : ''} ${count > 1 ? 'are' : 'is'} not counted as secrets: placeholders, trivial passwords for local hosts, or documentation, example, test and CI files`,
    line: names.ref(first[1].layer).line,
    layer: names.ref(first[1].layer),
    path: first[0],
    evidence,
  };
}

function gitDirectoryFindings({ layers, names }: LayerScope): Draft[] {
  const gitDirs = new Map<string, { layers: number[]; files: number; bytes: number }>();
  layers.forEach((layer, i) => {
    for (const [dir, t] of Object.entries(layer.gitDirectories)) {
      const g = gitDirs.get(dir) ?? { layers: [], files: 0, bytes: 0 };
      g.layers.push(i);
      g.files += t.files;
      g.bytes += t.bytes;
      gitDirs.set(dir, g);
    }
  });
  return [...gitDirs].map(([dir, g]): Draft => {
    const first = g.layers[0] ?? 0;
    return {
      id: 'git-directory',
      message: `${dir} (the repository's history, ${g.files} files, ${formatBytes(g.bytes)}) is in ${names.where(first)}; exclude .git in .dockerignore`,
      line: names.ref(first).line,
      layer: names.ref(first),
      path: dir,
      evidence: g.layers.map((i) => `in ${names.where(i)}`),
    };
  });
}

function packageCacheFindings({ layers, names }: LayerScope): Draft[] {
  const caches = new Map<string, { layers: { index: number; files: number; bytes: number; paths: readonly string[] }[] }>();
  layers.forEach((layer, i) => {
    for (const [found, t] of Object.entries(layer.caches)) {
      // /var/cache/apt and /var/cache/apt/archives are one cache, counted once.
      const root = cacheRoot(found, layers);
      const c = caches.get(root) ?? { layers: [] };
      c.layers.push({ index: i, ...t });
      caches.set(root, c);
    }
  });
  return [...caches].map(([root, c]): Draft => {
    const bytes = c.layers.reduce((s, l) => s + l.bytes, 0);
    const first = c.layers[0]?.index ?? 0;
    // Widened on purpose: the callback below sets it, which control-flow narrowing does not see.
    let deletedLater = false as boolean;
    const evidence = c.layers.map((l) => {
      const gone = allDeletedBy(layers, l.index, l.paths);
      if (gone !== undefined) deletedLater = true;
      return `${formatBytes(l.bytes)} (${l.files} files) in ${names.where(l.index)}${gone !== undefined ? `; deleted by ${names.where(gone)}, but the bytes still ship in the earlier layer` : ''}`;
    });
    return {
      id: 'package-cache',
      message: `Package cache ${root} is left in the image: ${formatBytes(bytes)}, from ${names.where(first)}${deletedLater ? ' (a later layer deletes it, which does not shrink the image)' : ''}; ${names.ref(first).fromBase ? 'it comes with the base image: use a slimmer or newer base image, or one that cleans its package caches' : packageCacheAdvice(root)}`,
      line: names.ref(first).line,
      layer: names.ref(first),
      path: root,
      evidence,
    };
  });
}

/** The outermost cache directory among those any layer has, for a cache path. */
function cacheRoot(root: string, layers: readonly LayerFacts[]): string {
  let best = root;
  for (const layer of layers) for (const other of Object.keys(layer.caches)) if (other.length < best.length && isUnder(root, other)) best = other;
  return best;
}

/** Compilers still visible at the top of a multi-stage build. */
function compilerFindings({ layers, names }: LayerScope): Draft[] {
  const found = new Map<string, { path: string; layer: number }>();
  layers.forEach((layer, i) => {
    for (const [name, p] of Object.entries(layer.compilers)) if (visibleAtTop(layers, i, p)) found.set(name, { path: p, layer: i });
  });
  if (found.size === 0) return [];
  const firstLayer = Math.min(...[...found.values()].map((f) => f.layer));
  return [
    {
      id: 'compiler-in-final-stage',
      message: `Build tools reached the final stage of this multi-stage build (${[...found.keys()].sort().join(', ')}, from ${names.where(firstLayer)}); install them in a build stage and COPY --from only what runs`,
      line: names.ref(firstLayer).line,
      layer: names.ref(firstLayer),
      path: [...found.values()].find((f) => f.layer === firstLayer)?.path ?? null,
      evidence: [...found.entries()].map(([name, f]) => `${name}: ${f.path} in ${names.where(f.layer)}`),
    },
  ];
}
