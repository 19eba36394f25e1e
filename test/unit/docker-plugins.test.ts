/**
 * `docker buildx` and `docker compose` run as the plugins' own binaries, found where the docker
 * CLI finds them (its config directory first, then the config's extra directories, then the
 * system's); anything else, or a plugin that is not there, goes through the CLI.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, test } from 'vitest';
import { dockerCommand } from '../../src/host/docker.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'docker-plugins-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function plugin(dir: string, name: string, executable = true): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `docker-${name}`);
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, executable ? 0o755 : 0o644);
  return file;
}

test("the config directory's plugin wins, then the config's extra directories; other commands go through the CLI", () => {
  const config = path.join(root, 'config');
  const extra = path.join(root, 'extra');
  const buildx = plugin(path.join(config, 'cli-plugins'), 'buildx');
  const compose = plugin(extra, 'compose');
  writeFileSync(path.join(config, 'config.json'), JSON.stringify({ cliPluginsExtraDirs: [extra] }));
  const env = { DOCKER_CONFIG: config };
  assert.deepEqual(dockerCommand(['buildx', 'build', '.'], env), { file: buildx, args: ['build', '.'] });
  assert.deepEqual(dockerCommand(['compose', '-p', 'x', 'up'], env), { file: compose, args: ['-p', 'x', 'up'] });
  assert.deepEqual(dockerCommand(['image', 'inspect', 'x'], env), { file: 'docker', args: ['image', 'inspect', 'x'] });
});

test('a plugin file that is not executable is passed over, as the CLI does', () => {
  const config = path.join(root, 'config-no-exec');
  plugin(path.join(config, 'cli-plugins'), 'compose', false);
  const home = path.join(root, 'home');
  const found = dockerCommand(['compose', 'version'], { DOCKER_CONFIG: config }, home);
  // Either a system-wide plugin (as on this machine) or, without one, the CLI: never the unusable file.
  assert.notEqual(found.file, path.join(config, 'cli-plugins', 'docker-compose'));
  assert.ok(found.file === 'docker' ? found.args[0] === 'compose' : found.args[0] === 'version', JSON.stringify(found));
});
