import assert from 'node:assert/strict';
import { test } from 'vitest';
import { isTransientEngineError } from '../../src/build/build.ts';

test('BuildKit races of the containerd image store are retried', () => {
  for (const message of [
    'ERROR: failed to solve: not found',
    'ERROR: failed to solve: failed to apply diffs: failed to stat lower snapshot oqp2: snapshot oqp2 does not exist: not found',
    'ERROR: failed to prepare extraction snapshot "extract-771744199-MArs sha256:1d41": parent snapshot sha256:e0 does not exist: not found',
    'error: failed to solve: lease "k9b85fmmnhy2hyeacrb7sx1du": not found',
    'step exporting cache to client directory failed: not found',
    'step exporting to image failed: image "docker.io/deploy-check-test/shared-tag:1": already exists',
    'ERROR: failed to solve: image "registry.example.com/app:1.2.3": already exists',
  ]) {
    assert.equal(isTransientEngineError(message), true, message);
  }
});

test("the Dockerfile's own errors are not retried", () => {
  for (const message of [
    'ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref 4f2b::x: "/missing.txt": not found',
    'step [2/3] RUN exit 7 failed: process "/bin/sh -c exit 7" did not complete successfully: exit code: 7',
    'ERROR: failed to solve: target stage "nope" could not be found',
    'step [2/3] COPY missing.txt /app/ failed: failed to compute cache key: failed to calculate checksum of ref 4f::x: "/missing.txt": not found',
    'ERROR: failed to solve: debian:nope: failed to resolve source metadata for docker.io/library/debian:nope: not found',
  ]) {
    assert.equal(isTransientEngineError(message), false, message);
  }
});
