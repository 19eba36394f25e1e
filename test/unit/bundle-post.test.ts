import { build, type Metafile } from 'esbuild';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, test } from 'vitest';
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
const MAIN_ONLY = ['src/action.ts', 'src/pipeline/pipeline.ts', 'src/main.ts', 'node_modules/undici/', 'node_modules/@actions/cache/'];

let metafile: Metafile;
let texts: { path: string; text: string }[];

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
    texts = result.outputFiles.filter((f) => f.path.endsWith('.js')).map((f) => ({ path: path.relative(root, f.path), text: f.text }));
  });

  test('the post step does not load main’s pipeline or the HTTP client', () => {
    const { inputs } = footprint('post.js');
    assert.ok(inputs.includes('src/post.ts'), inputs.join('\n'));
    assert.ok(inputs.includes('src/action-state.ts'), inputs.join('\n'));
    for (const part of MAIN_ONLY) {
      assert.deepEqual(
        inputs.filter((input) => input.includes(part)),
        [],
        `post.js reaches ${part}`,
      );
    }
  });

  test(`the post step loads at most ${POST_BUDGET_BYTES / 1024} kB`, () => {
    assert.ok(footprint('post.js').bytes <= POST_BUDGET_BYTES);
  });

  test('the budget tells the post step from main: main loads far more', () => {
    const main = footprint('main.js');
    assert.ok(main.inputs.includes('src/pipeline/pipeline.ts'), main.inputs.join('\n'));
    assert.ok(main.bytes > 2 * POST_BUDGET_BYTES);
  });

  test('an entry’s footprint follows static imports transitively', () => {
    const post = loadedOutputs(metafile, 'out/post.js');
    assert.equal(post[0], 'out/post.js');
    assert.ok(post.length > 1);
    assert.equal(path.dirname(post[1] ?? ''), 'out/chunks');
  });

  test('no entry imports http as an ES module (its ES view loads Node’s undici at start), yet they use it', () => {
    const imports = texts.flatMap(({ path: file, text }) => [...text.matchAll(/^import .* from "(?:node:)?https?";$/gm)].map((m) => `${file}: ${m[0]}`));
    assert.deepEqual(imports, []);
    const required = texts.filter(({ text }) => text.includes('__require("node:http")'));
    assert.ok(required.length > 0, 'no chunk requires node:http: the check above would pass for a bundle that lost it');
  });
});
