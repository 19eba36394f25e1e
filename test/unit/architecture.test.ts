/**
 * The architecture rules of .dependency-cruiser.cjs (no import cycles in src/, the inputs module
 * a leaf), checked in the suite too, not only by `npm run lint`.
 */
import { cruise, type ICruiseOptions, type ICruiseResult } from 'dependency-cruiser';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const config = createRequire(import.meta.url)(path.join(root, '.dependency-cruiser.cjs')) as {
  forbidden: NonNullable<ICruiseOptions['ruleSet']>['forbidden'];
  options: ICruiseOptions;
};

async function violations(dir: string, baseDir: string): Promise<string[]> {
  const { output } = await cruise([dir], { ...config.options, baseDir, ruleSet: { forbidden: config.forbidden }, validate: true });
  return (output as ICruiseResult).summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (${v.cycle.map((c) => c.name).join(' → ')})` : ''}`);
}

describe('architecture', () => {
  // Cruising src/ parses every module with TypeScript: a few seconds.
  test('src/ has no import cycles and src/config/inputs.ts imports nothing of src/', { timeout: 60_000 }, async () => {
    assert.deepEqual(await violations('src', root), []);
  });

  test('the rules catch a cycle and an inputs module that imports a feature', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dc-architecture-'));
    try {
      const src = path.join(dir, 'src');
      await mkdir(path.join(src, 'config'), { recursive: true });
      await writeFile(path.join(src, 'a.ts'), "import { b } from './b.ts';\nexport const a = (): string => b;\n");
      await writeFile(path.join(src, 'b.ts'), "import { a } from './a.ts';\nexport const b = 'b';\nexport const c = a;\n");
      await writeFile(path.join(src, 'config', 'inputs.ts'), "import { b } from '../b.ts';\nexport const inputs = b;\n");
      const found = await violations('src', dir);
      assert.equal(found.some((v) => v.startsWith('no-cycle: src/a.ts')), true);
      assert.ok(found.includes('inputs-is-a-leaf: src/config/inputs.ts → src/b.ts'), found.join('\n'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
