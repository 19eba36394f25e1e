/**
 * One pass over the image as the engine streams it: what each layer adds and deletes that the
 * hygiene rules care about. Only a few small files are read (account files, candidate
 * secrets); everything else is known from its tar header alone.
 */
import type Docker from 'dockerode';
import { readImageArchive, type ImageConfigJson } from './archive.ts';
import {
  compilerOf, gitDirectoryOf, imagePath, isUnder, MAX_SECRET_BODY, packageCacheOf, secretFileRule, whiteoutTarget,
  type SecretFileKind,
} from './rules.ts';
import type { TarBodySink, TarEntry } from './tar.ts';

export interface SecretFile {
  readonly path: string;
  readonly kind: SecretFileKind;
  readonly bytes: number;
}

export interface Tally {
  files: number;
  bytes: number;
}

export interface CacheTally extends Tally {
  /** Every file, to tell whether a later layer deleted them all. */
  readonly paths: string[];
}

export interface LayerFacts {
  files: number;
  bytes: number;
  readonly secretFiles: SecretFile[];
  readonly gitDirectories: Map<string, Tally>;
  readonly caches: Map<string, CacheTally>;
  /** Compiler name → path. */
  readonly compilers: Map<string, string>;
  /** Paths a whiteout removes from the layers below, and directories made opaque. */
  readonly deletes: { kind: 'path' | 'opaque'; target: string }[];
  /** Paths this layer writes (regular files, links), to tell whether a deleted file came back. */
  readonly writes: Set<string>;
  passwd: string | undefined;
  group: string | undefined;
}

export interface ImageScan {
  /** In layer order (index 0 is the lowest layer). */
  readonly layers: readonly LayerFacts[];
  readonly config: ImageConfigJson | undefined;
  readonly attestations: readonly unknown[];
  readonly bytesRead: number;
  readonly entries: number;
  readonly compressedLayers: number;
  readonly durationMs: number;
}

const ACCOUNT_FILES = new Set(['/etc/passwd', '/etc/group']);
const MAX_ACCOUNT_FILE = 4 * 1024 * 1024;

function emptyFacts(): LayerFacts {
  return {
    files: 0, bytes: 0, secretFiles: [], gitDirectories: new Map(), caches: new Map(), compilers: new Map(),
    deletes: [], writes: new Set(), passwd: undefined, group: undefined,
  };
}

/** Collects a body up to a limit, then hands it over. */
function capture(limit: number, done: (body: string) => void): TarBodySink {
  const parts: Buffer[] = [];
  let kept = 0;
  return {
    data(chunk) {
      if (kept >= limit) return;
      const part = chunk.subarray(0, limit - kept);
      parts.push(Buffer.from(part));
      kept += part.length;
    },
    end() {
      done(Buffer.concat(parts).toString('utf8'));
    },
  };
}

/** What the rules need from one layer entry. */
export function visitLayerEntry(facts: LayerFacts, entry: TarEntry): TarBodySink | undefined {
  const path = imagePath(entry.path);
  const whiteout = whiteoutTarget(path);
  if (whiteout) {
    facts.deletes.push(whiteout);
    return undefined;
  }
  if (entry.type === 'directory') return undefined;
  facts.files++;
  facts.bytes += entry.size;
  facts.writes.add(path);
  const compiler = compilerOf(path);
  if (compiler && (entry.type === 'file' || entry.type === 'symlink' || entry.type === 'hardlink')) facts.compilers.set(compiler, path);
  if (entry.type !== 'file') return undefined;
  const git = gitDirectoryOf(path);
  if (git) {
    const t = facts.gitDirectories.get(git) ?? { files: 0, bytes: 0 };
    t.files++;
    t.bytes += entry.size;
    facts.gitDirectories.set(git, t);
  }
  const cache = packageCacheOf(path);
  if (cache) {
    const t = facts.caches.get(cache) ?? { files: 0, bytes: 0, paths: [] };
    t.files++;
    t.bytes += entry.size;
    t.paths.push(path);
    facts.caches.set(cache, t);
  }
  if (ACCOUNT_FILES.has(path)) {
    return capture(MAX_ACCOUNT_FILE, (body) => {
      if (path === '/etc/passwd') facts.passwd = body;
      else facts.group = body;
    });
  }
  const rule = secretFileRule(path);
  if (!rule) return undefined;
  const found: SecretFile = { path, kind: rule.kind, bytes: entry.size };
  const check = rule.content;
  if (!check) {
    facts.secretFiles.push(found);
    return undefined;
  }
  return capture(MAX_SECRET_BODY, (body) => {
    if (check(body)) facts.secretFiles.push(found);
  });
}

/** Streams `docker save` of one image through the rules. Nothing is written to disk. */
export async function scanImage(docker: Docker, image: string): Promise<ImageScan> {
  const started = Date.now();
  const byKey = new Map<string, LayerFacts>();
  const stream = (await docker.getImage(image).get()) as unknown as AsyncIterable<Buffer>;
  const archive = await readImageArchive(stream, (key) => {
    const facts = emptyFacts();
    byKey.set(key, facts);
    return { visitor: (entry) => visitLayerEntry(facts, entry), done: () => undefined };
  });
  return {
    layers: archive.layers.map((k) => byKey.get(k) ?? emptyFacts()),
    config: archive.config,
    attestations: archive.attestations,
    bytesRead: archive.bytesRead,
    entries: archive.entries,
    compressedLayers: archive.compressedLayers,
    durationMs: Date.now() - started,
  };
}

/** The first layer above `index` that deletes `path` without a later layer writing it back. */
export function deletedBy(layers: readonly LayerFacts[], index: number, path: string): number | undefined {
  let deleted: number | undefined;
  for (let j = index + 1; j < layers.length; j++) {
    const layer = layers[j];
    if (!layer) continue;
    if (deleted === undefined) {
      const hit = layer.deletes.some((d) => (d.kind === 'path' ? isUnder(path, d.target) : path !== d.target && isUnder(path, d.target)));
      if (hit) deleted = j;
    } else if (layer.writes.has(path)) {
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

/** The content of an account file in the final filesystem (the topmost layer that has it, unless deleted above). */
export function finalAccountFile(layers: readonly LayerFacts[], which: 'passwd' | 'group'): string | undefined {
  const path = `/etc/${which}`;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    if (!layer) continue;
    const body = which === 'passwd' ? layer.passwd : layer.group;
    if (body !== undefined) return visibleAtTop(layers, i, path) ? body : undefined;
  }
  return undefined;
}
