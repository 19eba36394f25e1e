/**
 * The architecture rules of .dependency-cruiser.cjs (no import cycles in src/; folders in layers,
 * each importing only the layers below it), checked in the suite too, not only by `npm run lint`.
 */
import assert from 'node:assert/strict';
import { cruise, type ICruiseOptions, type ICruiseResult } from 'dependency-cruiser';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const config = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs')) as {
  LAYERS: string[][];
  forbidden: NonNullable<ICruiseOptions['ruleSet']>['forbidden'];
  options: ICruiseOptions;
};

async function violations(dir: string, baseDir: string): Promise<string[]> {
  const { output } = await cruise([dir], { ...config.options, baseDir, ruleSet: { forbidden: config.forbidden }, validate: true });
  return (output as ICruiseResult).summary.violations.map(
    (v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (${v.cycle.map((c) => c.name).join(' → ')})` : ''}`,
  );
}

/** Writes `files` (path under `dir` → content) and returns the violations the rules find there. */
async function violationsIn(files: Record<string, string>): Promise<string[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dc-architecture-'));
  try {
    for (const [file, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), content);
    }
    return await violations('src', dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** src/<folder>/<name>.ts (the entry points' row, `.`, is src/'s root). */
function fileOf(folder: string, name: string): string {
  return folder === '.' ? `src/${name}.ts` : `src/${folder}/${name}.ts`;
}

/** The specifier `from` uses to import `to` (both paths from the root). */
function relativeImport(from: string, to: string): string {
  const specifier = path.posix.relative(path.posix.dirname(from), to);
  return specifier.startsWith('.') ? specifier : `./${specifier}`;
}

describe('architecture', () => {
  // Cruising src/ parses every module with TypeScript: a few seconds.
  test('src/ has no import cycles, every folder has its layer, and no import runs upwards or sideways', { timeout: 60_000 }, async () => {
    assert.deepEqual(await violations('src', root), []);
  });

  test('each layer rule catches an import of the layer above it, and of a folder of its own row', { timeout: 60_000 }, async () => {
    const rows = config.LAYERS;
    const files: Record<string, string> = {};
    const expected: string[] = [];
    rows.forEach((row, rank) => {
      for (const folder of row) {
        files[fileOf(folder, 'leaf')] = "export const leaf = 'leaf';\n";
        // The next folder up: of its own row when it has one, else the next row's first.
        const sideways = row.find((other) => other !== folder);
        const up = sideways ?? rows[rank + 1]?.[0];
        if (up === undefined) continue;
        files[fileOf(folder, 'reaches-up')] =
          `import { leaf } from '${relativeImport(fileOf(folder, 'reaches-up'), fileOf(up, 'leaf'))}';\nexport const up = leaf;\n`;
        expected.push(`layer-${folder === '.' ? 'entries' : folder}: ${fileOf(folder, 'reaches-up')} → ${fileOf(up, 'leaf')}`);
      }
    });
    const found = await violationsIn(files);
    for (const violation of expected) assert.ok(found.includes(violation), `not caught: ${violation}\nfound:\n${found.join('\n')}`);
    // And nothing else: importing downwards is allowed.
    assert.equal(found.length, expected.length, found.join('\n'));
  });

  test('the rules catch a cycle, a folder with no layer, and allow an import downwards', { timeout: 60_000 }, async () => {
    const found = await violationsIn({
      'src/config/a.ts': "import { b } from './b.ts';\nexport const a = (): string => b;\n",
      'src/config/b.ts': "import { a } from './a.ts';\nexport const b = 'b';\nexport const c = a;\n",
      'src/somewhere/x.ts': "import { b } from '../config/b.ts';\nexport const x = b;\n",
      'src/build/down.ts': "import { b } from '../config/b.ts';\nexport const down = b;\n",
    });
    assert.ok(
      found.some((v) => v.startsWith('no-cycle: src/config/a.ts')),
      found.join('\n'),
    );
    assert.ok(found.includes('no-unlayered-folder: src/somewhere/x.ts → src/config/b.ts'), found.join('\n'));
    assert.equal(found.filter((v) => v.includes('src/build/down.ts')).length, 0, found.join('\n'));
  });

  test('docs/architecture.md draws the folders and imports of today (npm run graph writes it)', { timeout: 60_000 }, async () => {
    const { architectureMarkdown } = (await import(path.join(root, 'scripts/architecture-graph.mjs'))) as { architectureMarkdown: () => Promise<string> };
    assert.equal(await readFile(path.join(root, 'docs/architecture.md'), 'utf8'), await architectureMarkdown());
  });
});
