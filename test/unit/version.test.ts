import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'vitest';
import { toolVersion } from '../../src/host/version.ts';

test('the version is package.json’s, read at run time', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(toolVersion(), pkg.version);
});
