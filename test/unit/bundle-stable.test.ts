import { build, type Metafile, type Plugin } from 'esbuild';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, test } from 'vitest';
import { bundleFiles, bundleOptions, type BundleFile } from '../../scripts/bundle-options.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A module every entry loads, in a chunk that the entries and other chunks import. */
const CHANGED = 'src/host/log.ts';

/** The same module with one more statement, as a commit that touches only it would make. */
const changeOneModule: Plugin = {
  name: 'change-one-module',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]host[\\/]log\.ts$/ }, async (args) => ({
      contents: `${await readFile(args.path, 'utf8')}\nglobalThis.deployCheckBundleProbe = 'changed';\n`,
      loader: 'ts',
    }));
  },
};

interface Bundle {
  files: Map<string, string>;
  metafile: Metafile;
}

async function bundle(plugins: Plugin[] = []): Promise<Bundle> {
  const { files, metafile } = await bundleFiles({ absWorkingDir: root, outdir: 'out', logLevel: 'error', plugins });
  return { files: new Map(files.map((f: BundleFile) => [f.path, f.contents])), metafile };
}

function outputOf(metafile: Metafile, input: string): string {
  const found = Object.entries(metafile.outputs).find(([, out]) => input in out.inputs);
  assert.ok(found, `${input} is in no output`);
  return found[0];
}

describe('the bundle’s file names and bytes', () => {
  let before: Bundle;
  let after: Bundle;
  beforeAll(async () => {
    before = await bundle();
    after = await bundle([changeOneModule]);
  }, 120_000);

  test('the changed module sits in a shared chunk that other files import (else the test proves nothing)', () => {
    const chunk = outputOf(before.metafile, CHANGED);
    assert.match(chunk, /^out\/chunks\/shared-[^/]+\.js$/);
    const importers = Object.keys(before.metafile.outputs).filter((file) => before.metafile.outputs[file]?.imports.some((imp) => imp.path === chunk));
    assert.ok(importers.length >= 2, `only ${importers.join(', ')} import ${chunk}`);
    assert.notEqual(after.files.get(chunk), before.files.get(chunk), `the change to ${CHANGED} did not reach ${chunk}`);
  });

  test('a change in one module leaves every file name and every other file’s bytes as they were', () => {
    assert.deepEqual([...after.files.keys()].sort(), [...before.files.keys()].sort());
    const chunk = outputOf(before.metafile, CHANGED);
    const changed = [...before.files].filter(([file, text]) => after.files.get(file) !== text).map(([file]) => file);
    assert.deepEqual(changed, [chunk]);
  });

  test('chunks are named after what they hold, with no content hash', () => {
    const chunks = [...before.files.keys()].filter((file) => file.startsWith('out/chunks/'));
    assert.ok(chunks.length > 0, 'the bundle has no chunk');
    for (const file of chunks) assert.match(file, /^out\/chunks\/(shared-[a-z-]+(\+[a-z-]+)+|[a-z-]+)\.js(\.LEGAL\.txt)?$/);
  });

  test('the files refer to the chunks by their new names only', () => {
    const chunkNames = new Set([...before.files.keys()].map((file) => file.split('/').pop()));
    for (const [file, text] of before.files) {
      for (const [reference] of text.matchAll(/[\w+-]+\.js(?=["'. ])/g)) {
        if (/-[A-Z0-9]{8}\.js$/.test(reference)) assert.fail(`${file} refers to ${reference}, an esbuild name with a hash`);
      }
      for (const [, name] of text.matchAll(/(?:import\(|from )"\.\/(?:chunks\/)?([^"]+)"/g)) {
        assert.ok(chunkNames.has(name), `${file} imports ${name ?? ''}, which the bundle does not have`);
      }
    }
  });

  test('package.json is no input: a version bump leaves dist/ as it was (the version is read at run time)', () => {
    const readers = Object.entries(before.metafile.outputs).filter(([, out]) => 'package.json' in out.inputs);
    assert.deepEqual(
      readers.map(([file]) => file),
      [],
    );
  });
});

test('esbuild’s own chunk names would move with the change (what the renaming is for)', async () => {
  const names = async (plugins: Plugin[]): Promise<string[]> => {
    const result = await build({
      ...bundleOptions,
      plugins: [...(bundleOptions.plugins ?? []), ...plugins],
      absWorkingDir: root,
      outdir: 'out',
      write: false,
      metafile: true,
      logLevel: 'error',
    });
    return Object.keys(result.metafile.outputs).sort();
  };
  assert.notDeepEqual(await names([changeOneModule]), await names([]));
}, 120_000);
