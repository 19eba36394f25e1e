import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'vitest';
import { REPO_ROOT } from '../support/action-runner.ts';

test('README inputs and outputs tables match action.yml', () => {
  assert.doesNotThrow(() => execFileSync(process.execPath, ['scripts/readme-tables.mjs', '--check'], { cwd: REPO_ROOT, stdio: 'pipe' }));
});

test('README opens with exactly two command lines: the demo and the test suite', () => {
  const readme = readFileSync(`${REPO_ROOT}/README.md`, 'utf8');
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const commands = firstBlock.split('\n').filter((l) => l.trim() !== '');
  assert.equal(commands.length, 2);
  assert.match(commands[0] ?? '', /^npm run demo\b/);
  assert.match(commands[1] ?? '', /^npm test\b/);
  const pkg = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts['test'], 'bash scripts/test.sh');
  assert.match(readFileSync(`${REPO_ROOT}/.ci/run`, 'utf8'), /npm test/);
});
