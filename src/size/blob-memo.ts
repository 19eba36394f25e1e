import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

const MAX_ENTRIES = 20_000;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * A file of facts about content-addressed blobs, keyed by digest. A digest names its content, so
 * a remembered fact can never be wrong for it; runs on one machine share the file.
 */
class DigestMemo<V> {
  readonly file: string | undefined;
  protected readonly values: Map<string, V>;
  private readonly isValue: (value: unknown) => value is V;

  protected constructor(file: string | undefined, values: Map<string, V>, isValue: (value: unknown) => value is V) {
    this.file = file;
    this.values = values;
    this.isValue = isValue;
  }

  /** Records new facts; merges with what a concurrent run may have written meanwhile. */
  async remember(entries: ReadonlyMap<string, V>): Promise<void> {
    let changed = false;
    for (const [digest, value] of entries) {
      if (this.values.get(digest) !== value) {
        this.values.set(digest, value);
        changed = true;
      }
    }
    if (!changed || !this.file) return;
    const merged = new Map([...(await readDigestMap(this.file, this.isValue)), ...this.values]);
    // Oldest entries go first once the memo is large; a forgotten fact only costs reading a layer again.
    const kept = [...merged].slice(-MAX_ENTRIES);
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(Object.fromEntries(kept)));
    await rename(temp, this.file);
  }
}

async function readDigestMap<V>(file: string, isValue: (value: unknown) => value is V): Promise<Map<string, V>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    const out = new Map<string, V>();
    if (parsed && typeof parsed === 'object') {
      for (const [digest, value] of Object.entries(parsed)) if (DIGEST.test(digest) && isValue(value)) out.set(digest, value);
    }
    return out;
  } catch {
    return new Map();
  }
}

const isSize = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isDiffId = (value: unknown): value is string => typeof value === 'string' && DIGEST.test(value);

/**
 * Compressed sizes of layer blobs this machine's engine has pushed for a measurement before.
 * The classic store's engine remembers the digests it pushed and only asks whether the
 * registry has them; answering from here spares compressing the same layer again.
 */
export class BlobSizeMemo extends DigestMemo<number> {
  get sizes(): Map<string, number> {
    return this.values;
  }

  static inMemory(): BlobSizeMemo {
    return new BlobSizeMemo(undefined, new Map(), isSize);
  }

  static async load(file: string): Promise<BlobSizeMemo> {
    return new BlobSizeMemo(file, await readDigestMap(file, isSize), isSize);
  }
}

/**
 * Which diff id (uncompressed layer) each compressed blob digest this engine pushed holds.
 * The classic store's engine names a blob it pushed before by its digest only; knowing the
 * layer behind it lets a run ask for exactly the layers another stage has not read yet.
 */
export class BlobDiffIdMemo extends DigestMemo<string> {
  get diffIds(): Map<string, string> {
    return this.values;
  }

  static inMemory(): BlobDiffIdMemo {
    return new BlobDiffIdMemo(undefined, new Map(), isDiffId);
  }

  static async load(file: string): Promise<BlobDiffIdMemo> {
    return new BlobDiffIdMemo(file, await readDigestMap(file, isDiffId), isDiffId);
  }
}
