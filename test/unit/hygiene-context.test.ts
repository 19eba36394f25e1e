import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, test } from 'vitest';
import { ignoreGaps, parseIgnoreFile, scanContext } from '../../src/hygiene/context.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string | number>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hygiene-context-'));
  dirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), typeof content === 'number' ? Buffer.alloc(content) : content);
  }
  return dir;
}

test('.dockerignore evaluation: docker semantics, not gitignore', () => {
  const rules = parseIgnoreFile('# comment\n.env*\n.git\nnode_modules\n*.log\n!keep.log\nbuild/**\n');
  assert.equal(rules.excludes('.env'), true);
  assert.equal(rules.excludes('.env.local'), true);
  assert.equal(rules.excludes('.git'), true);
  assert.equal(rules.excludes('node_modules'), true);
  assert.equal(rules.excludes('pkg/node_modules'), false, 'a bare name matches at the root only');
  assert.equal(rules.excludes('app.log'), true);
  assert.equal(rules.excludes('keep.log'), false, 'an exception re-includes');
  assert.equal(rules.excludes('sub/app.log'), false, '* does not cross directories');
  assert.equal(rules.excludes('build/out/x.js'), true);
  assert.equal(rules.hasExceptions, true);
  assert.equal(parseIgnoreFile('.ENV\n').excludes('.env'), false, 'case-sensitive, as docker on Linux');
  assert.equal(parseIgnoreFile('/.git/\n').excludes('.git'), true, 'leading and trailing slashes are cleaned');
  assert.equal(parseIgnoreFile('**/.env\n').excludes('.env'), true);
});

test('which must-exclude names an ignore file lets through', () => {
  const present = new Set(['.git', 'node_modules']);
  assert.deepEqual(ignoreGaps(parseIgnoreFile('.env*\n.git\nnode_modules\n.venv\n'), present), []);
  assert.deepEqual(
    ignoreGaps(parseIgnoreFile('.env\n.git\nnode_modules\n'), present),
    [{ name: '.env', present: false, missing: ['.env.local', '.env.production'] }],
    '.env alone misses .env.local',
  );
  assert.deepEqual(ignoreGaps(parseIgnoreFile('node_modules\n'), present), [
    { name: '.env', present: false },
    { name: '.git', present: true },
  ]);
  assert.deepEqual(ignoreGaps(parseIgnoreFile('.env*\n.git\n'), present), [{ name: 'node_modules', present: true }]);
  assert.deepEqual(ignoreGaps(parseIgnoreFile('.env*\n.git\n'), new Set()), [], 'node_modules and .venv only count when present');
  assert.deepEqual(ignoreGaps(parseIgnoreFile('*\n!app\n'), present), [], 'exclude everything, include the app');
  assert.deepEqual(
    ignoreGaps(undefined, new Set(['.venv'])).map((g) => g.name),
    ['.env', '.git', '.venv'],
  );
});

test('context size honours the ignore file', async () => {
  const dir = tree({
    Dockerfile: 'FROM scratch\n',
    '.dockerignore': '.env*\n.git\nnode_modules\n.venv\n',
    'app/main.py': 100,
    'app/data.bin': 5000,
    '.env': 10,
    '.git/objects/pack/x.pack': 100_000,
    'node_modules/x/index.js': 200_000,
  });
  const facts = await scanContext(dir, path.join(dir, 'Dockerfile'));
  const ignoreBytes = '.env*\n.git\nnode_modules\n.venv\n'.length;
  assert.equal(facts.ignoreFile, path.join(dir, '.dockerignore'));
  assert.equal(facts.bytes, 100 + 5000 + 'FROM scratch\n'.length + ignoreBytes);
  assert.equal(facts.files, 4);
  assert.deepEqual(facts.gaps, []);
  assert.deepEqual(facts.sentBytes, {});
});

test('without an ignore file every byte is sent, and the must-exclude names say how much', async () => {
  const dir = tree({ Dockerfile: 'FROM scratch\n', 'app/main.py': 100, '.env': 10, '.git/HEAD': 23, 'node_modules/x/index.js': 2000 });
  const facts = await scanContext(dir, path.join(dir, 'Dockerfile'));
  assert.equal(facts.ignoreFile, null);
  assert.equal(facts.bytes, 13 + 100 + 10 + 23 + 2000);
  assert.deepEqual(facts.sentBytes, { '.env': 10, '.git': 23, node_modules: 2000 });
  assert.deepEqual(
    facts.gaps.map((g) => [g.name, g.present]),
    [
      ['.env', true],
      ['.git', true],
      ['node_modules', true],
    ],
  );
});

test('exceptions below an excluded directory are still found and counted', async () => {
  const dir = tree({ Dockerfile: 'x', '.dockerignore': 'dist\n!dist/keep.txt\n', 'dist/drop.bin': 1000, 'dist/keep.txt': 7 });
  const facts = await scanContext(dir, path.join(dir, 'Dockerfile'));
  assert.equal(facts.bytes, 1 + 'dist\n!dist/keep.txt\n'.length + 7);
});

test('BuildKit prefers <Dockerfile>.dockerignore next to the Dockerfile', async () => {
  const dir = tree({
    'docker/api.Dockerfile': 'FROM scratch\n',
    'docker/api.Dockerfile.dockerignore': '.env*\n.git\nbig\n',
    '.dockerignore': '.git\n',
    'big/blob': 50_000,
  });
  const facts = await scanContext(dir, path.join(dir, 'docker/api.Dockerfile'));
  assert.equal(facts.ignoreFile, path.join(dir, 'docker/api.Dockerfile.dockerignore'));
  assert.ok(facts.bytes < 50_000, 'big/ excluded by the Dockerfile-specific file');
  assert.deepEqual(facts.gaps, []);
});
