import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Compressed sizes of layer blobs this machine's engine has pushed for a measurement before.
 * The classic store's engine remembers the digests it pushed and only asks whether the
 * registry has them; answering from here spares compressing the same layer again.
 * A digest names its content, so a remembered size can never be wrong for it.
 */
export class BlobSizeMemo {
  readonly file: string | undefined;
  readonly sizes: Map<string, number>;

  private constructor(file: string | undefined, sizes: Map<string, number>) {
    this.file = file;
    this.sizes = sizes;
  }

  static inMemory(): BlobSizeMemo {
    return new BlobSizeMemo(undefined, new Map());
  }

  static async load(file: string): Promise<BlobSizeMemo> {
    return new BlobSizeMemo(file, await readSizes(file));
  }

  /** Records new sizes; merges with what a concurrent run may have written meanwhile. */
  async remember(sizes: ReadonlyMap<string, number>): Promise<void> {
    let changed = false;
    for (const [digest, size] of sizes) {
      if (this.sizes.get(digest) !== size) {
        this.sizes.set(digest, size);
        changed = true;
      }
    }
    if (!changed || !this.file) return;
    const merged = new Map([...(await readSizes(this.file)), ...this.sizes]);
    // Oldest entries go first once the memo is large; a forgotten size only costs one re-upload.
    const kept = [...merged].slice(-MAX_ENTRIES);
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(Object.fromEntries(kept)));
    await rename(temp, this.file);
  }
}

const MAX_ENTRIES = 20_000;

async function readSizes(file: string): Promise<Map<string, number>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    const out = new Map<string, number>();
    if (parsed && typeof parsed === 'object') {
      for (const [digest, size] of Object.entries(parsed)) {
        if (/^sha256:[a-f0-9]{64}$/.test(digest) && typeof size === 'number' && Number.isInteger(size) && size >= 0) out.set(digest, size);
      }
    }
    return out;
  } catch {
    return new Map();
  }
}

/** Where deploy-check keeps small state between runs on one machine. */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env['DEPLOY_CHECK_STATE_DIR']) return env['DEPLOY_CHECK_STATE_DIR'];
  // The tool cache survives between jobs on self-hosted runners.
  if (env['RUNNER_TOOL_CACHE']) return path.join(env['RUNNER_TOOL_CACHE'], 'deploy-check');
  return path.join(env['XDG_CACHE_HOME'] || path.join(os.homedir(), '.cache'), 'deploy-check');
}

/**
 * Which diff id (uncompressed layer) each compressed blob digest this engine pushed holds.
 * The classic store's engine names a blob it pushed before by its digest only; knowing the
 * layer behind it lets a run ask for exactly the layers another stage has not read yet.
 */
export class BlobDiffIdMemo {
  readonly file: string | undefined;
  readonly diffIds: Map<string, string>;

  private constructor(file: string | undefined, diffIds: Map<string, string>) {
    this.file = file;
    this.diffIds = diffIds;
  }

  static inMemory(): BlobDiffIdMemo {
    return new BlobDiffIdMemo(undefined, new Map());
  }

  static async load(file: string): Promise<BlobDiffIdMemo> {
    return new BlobDiffIdMemo(file, await readDigestMap(file));
  }

  async remember(pairs: ReadonlyMap<string, string>): Promise<void> {
    let changed = false;
    for (const [digest, diffId] of pairs) {
      if (this.diffIds.get(digest) !== diffId) {
        this.diffIds.set(digest, diffId);
        changed = true;
      }
    }
    if (!changed || !this.file) return;
    const merged = new Map([...(await readDigestMap(this.file)), ...this.diffIds]);
    const kept = [...merged].slice(-MAX_ENTRIES);
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(Object.fromEntries(kept)));
    await rename(temp, this.file);
  }
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

async function readDigestMap(file: string): Promise<Map<string, string>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    const out = new Map<string, string>();
    if (parsed && typeof parsed === 'object') {
      for (const [digest, diffId] of Object.entries(parsed)) if (DIGEST.test(digest) && typeof diffId === 'string' && DIGEST.test(diffId)) out.set(digest, diffId);
    }
    return out;
  } catch {
    return new Map();
  }
}
