/**
 * Per-layer hygiene facts remembered across runs, one file per layer diff id. A diff id names
 * the layer's exact content, so its facts never change, unless the rules do (RULES_VERSION),
 * the secrets searched for do (a salted hash of the given values, never the values) or the
 * facts come from another image store. Anything that does not match, or does not parse, is
 * ignored and read again. Bounded in files and bytes; the least recently used go first. The
 * bound in files holds at every run; the one in bytes is checked at most once an hour.
 */
import { randomBytes, scrypt } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LayerFacts } from './layer.ts';
import type { GivenSecret } from '../secrets/values.ts';

/** Raise whenever what a layer's facts contain changes. */
export const RULES_VERSION = 2;
const MAX_FILES = 2000;
const MAX_BYTES = 256 * 1024 * 1024;
/**
 * Sizes and ages take a stat of every file: with the memo full (2,000 files) that is 50 ms and
 * 90 ms of CPU, taken from the engine while the app's containers start. So, unless the count is
 * over its bound, the full pass runs only when the last one is older than this.
 */
const FULL_PRUNE_EVERY_MS = 60 * 60 * 1000;
const PRUNED_STAMP = '.pruned';

interface MemoFile {
  format: 'deploy-check-hygiene-layer';
  rules: number;
  store: string;
  given: string;
  diffId: string;
  facts: LayerFacts;
}

export class LayerFactsMemo {
  readonly dir: string;
  private readonly store: string;
  private readonly given: string;
  /** Why files were not trusted, for the log. */
  readonly ignored: string[] = [];

  private constructor(dir: string, store: string, given: string) {
    this.dir = dir;
    this.store = store;
    this.given = given;
  }

  static async open(dir: string, store: string, given: readonly GivenSecret[]): Promise<LayerFactsMemo> {
    return new LayerFactsMemo(dir, store, await givenKey(given));
  }

  private file(diffId: string): string {
    return path.join(this.dir, `${diffId.replace(/^sha256:/, '')}.json`);
  }

  async get(diffId: string): Promise<LayerFacts | undefined> {
    if (!/^sha256:[a-f0-9]{64}$/.test(diffId)) return undefined;
    const file = this.file(diffId);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    let parsed: Partial<MemoFile>;
    try {
      parsed = JSON.parse(text) as Partial<MemoFile>;
    } catch {
      this.ignored.push(`${path.basename(file)}: not JSON`);
      return undefined;
    }
    if (parsed.format !== 'deploy-check-hygiene-layer' || parsed.rules !== RULES_VERSION || parsed.diffId !== diffId || parsed.given !== this.given)
      return undefined;
    if (parsed.store !== this.store) {
      this.ignored.push(`${path.basename(file)}: written for the ${String(parsed.store)} image store`);
      return undefined;
    }
    if (!validFacts(parsed.facts)) {
      this.ignored.push(`${path.basename(file)}: not layer facts`);
      return undefined;
    }
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
    return parsed.facts;
  }

  async put(diffId: string, facts: LayerFacts): Promise<void> {
    if (!/^sha256:[a-f0-9]{64}$/.test(diffId)) return;
    const body: MemoFile = { format: 'deploy-check-hygiene-layer', rules: RULES_VERSION, store: this.store, given: this.given, diffId, facts };
    await mkdir(this.dir, { recursive: true });
    const file = this.file(diffId);
    const temp = `${file}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`;
    await writeFile(temp, JSON.stringify(body));
    await rename(temp, file);
  }

  /** Keeps the memo within its bounds, least recently used first out (see FULL_PRUNE_EVERY_MS). */
  async prune(limits: { files: number; bytes: number } = { files: MAX_FILES, bytes: MAX_BYTES }, now = Date.now()): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json'));
    } catch {
      return;
    }
    const stamp = path.join(this.dir, PRUNED_STAMP);
    const lastFull = await stat(stamp).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    if (names.length <= limits.files && now - lastFull < FULL_PRUNE_EVERY_MS) return;
    const files = await Promise.all(
      names.map(async (name) => {
        const s = await stat(path.join(this.dir, name)).catch(() => undefined);
        return { name, size: s?.size ?? 0, used: s?.mtimeMs ?? 0 };
      }),
    );
    files.sort((a, b) => b.used - a.used);
    let bytes = 0;
    for (const [i, f] of files.entries()) {
      bytes += f.size;
      if (i >= limits.files || bytes > limits.bytes) await rm(path.join(this.dir, f.name), { force: true });
    }
    const at = new Date(now);
    await writeFile(stamp, '');
    await utimes(stamp, at, at);
  }
}

/**
 * A slow salted hash of the values searched for: facts found with other secrets are not
 * reused, and the memo never holds anything a value could be read back from cheaply.
 */
async function givenKey(given: readonly GivenSecret[]): Promise<string> {
  if (given.length === 0) return '';
  const text = given
    .map((g) => `${g.label}\0${g.value}`)
    .sort()
    .join('\0\0');
  const key = await new Promise<Buffer>((resolve, reject) => {
    scrypt(text, 'deploy-check hygiene layer memo', 32, { N: 1 << 15, maxmem: 64 * 1024 * 1024 }, (err, derived) => (err ? reject(err) : resolve(derived)));
  });
  return key.toString('hex');
}

function validFacts(facts: unknown): facts is LayerFacts {
  if (!facts || typeof facts !== 'object') return false;
  const f = facts as Record<string, unknown>;
  const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
  const nullableString = (v: unknown): boolean => v === null || typeof v === 'string';
  return (
    typeof f['files'] === 'number' &&
    typeof f['bytes'] === 'number' &&
    Array.isArray(f['secretFiles']) &&
    Array.isArray(f['secretValues']) &&
    Array.isArray(f['lookalikes']) &&
    Array.isArray(f['deletes']) &&
    Array.isArray(f['privileged']) &&
    Array.isArray(f['worldWritable']) &&
    isObject(f['gitDirectories']) &&
    isObject(f['caches']) &&
    isObject(f['compilers']) &&
    isObject(f['sizes']) &&
    nullableString(f['passwd']) &&
    nullableString(f['group']) &&
    (f['shadowEmpty'] === null || Array.isArray(f['shadowEmpty']))
  );
}
