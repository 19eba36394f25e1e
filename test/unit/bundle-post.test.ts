import { build, type Metafile } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { bundleOptions, loadedOutputs } from '../../scripts/bundle-options.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * What the post step may load at start. It needs @actions/core's state and log commands
 * (~15 kB), dockerode with docker-modem and its streams (~340 kB) for the cleanup, and its own
 * few kB. 512 kB leaves room for a dependency's growth and is far below what the HTTP client
 * alone (undici, ~770 kB) or main's pipeline (~2.6 MB) would add.
 */
const POST_BUDGET_BYTES = 512 * 1024;

/** Modules of main's pipeline that the post step must never reach. */
const MAIN_ONLY = ['src/action.ts', 'src/pipeline.ts', 'src/main.ts', 'node_modules/undici/', 'node_modules/@actions/cache/'];

let metafile: Metafile;

function footprint(entry: string): { bytes: number; inputs: string[] } {
  const loaded = loadedOutputs(metafile, `out/${entry}`);
  const outputs = loaded.map((file) => metafile.outputs[file]).filter((o) => o !== undefined);
  return {
    bytes: outputs.reduce((sum, o) => sum + o.bytes, 0),
    inputs: outputs.flatMap((o) => Object.keys(o.inputs)),
  };
}

describe('the bundle', () => {
  beforeAll(async () => {
    const result = await build({ ...bundleOptions, absWorkingDir: root, outdir: 'out', write: false, metafile: true, logLevel: 'error' });
    metafile = result.metafile;
  });

  test('the post step does not load main’s pipeline or the HTTP client', () => {
    const { inputs } = footprint('post.js');
    expect(inputs).toContain('src/post.ts');
    expect(inputs).toContain('src/action-state.ts');
    for (const part of MAIN_ONLY) {
      expect(inputs.filter((input) => input.includes(part)), `post.js reaches ${part}`).toEqual([]);
    }
  });

  test(`the post step loads at most ${POST_BUDGET_BYTES / 1024} kB`, () => {
    expect(footprint('post.js').bytes).toBeLessThanOrEqual(POST_BUDGET_BYTES);
  });

  test('the budget tells the post step from main: main loads far more', () => {
    const main = footprint('main.js');
    expect(main.inputs).toContain('src/pipeline.ts');
    expect(main.bytes).toBeGreaterThan(2 * POST_BUDGET_BYTES);
  });

  test('an entry’s footprint follows static imports transitively', () => {
    const post = loadedOutputs(metafile, 'out/post.js');
    expect(post[0]).toBe('out/post.js');
    expect(post.length).toBeGreaterThan(1);
    expect(path.dirname(post[1] ?? '')).toBe('out/chunks');
  });
});
