import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { test } from 'vitest';
import { classifyStatus, describeStatus, isKnownStatus } from '../../src/deploy/railway/status.ts';
import { RAILWAY_SCHEMA_PATH } from '../support/railway-schema.ts';

test('every final status ends the wait with its meaning', () => {
  assert.equal(classifyStatus('SUCCESS'), 'success');
  assert.equal(classifyStatus('SLEEPING'), 'success');
  for (const s of ['FAILED', 'CRASHED', 'REMOVED', 'REMOVING', 'SKIPPED']) assert.equal(classifyStatus(s), 'failure', s);
  for (const s of ['NEEDS_APPROVAL', 'WAITING']) assert.equal(classifyStatus(s), 'approval', s);
  for (const s of ['QUEUED', 'INITIALIZING', 'BUILDING', 'DEPLOYING']) assert.equal(classifyStatus(s), 'in-progress', s);
});

test('a status Railway adds later keeps the wait going (bounded by the timeout)', () => {
  assert.equal(classifyStatus('MIGRATING'), 'in-progress');
  assert.equal(isKnownStatus('MIGRATING'), false);
  assert.match(describeStatus('MIGRATING'), /Railway reports MIGRATING/);
});

test('the classification covers exactly the DeploymentStatus enum of Railway\'s schema', (t) => {
  if (!existsSync(RAILWAY_SCHEMA_PATH)) {
    t.skip(`Railway's schema is not at ${RAILWAY_SCHEMA_PATH}`);
    console.log(`skipped: Railway's schema is not at ${RAILWAY_SCHEMA_PATH}`);
    return;
  }
  const raw = JSON.parse(readFileSync(RAILWAY_SCHEMA_PATH, 'utf8')) as { data: { __schema: { types: { name: string; enumValues: { name: string }[] | null }[] } } };
  const values = raw.data.__schema.types.find((x) => x.name === 'DeploymentStatus')?.enumValues?.map((v) => v.name) ?? [];
  assert.ok(values.length > 0);
  for (const v of values) assert.ok(isKnownStatus(v), `${v} is not classified`);
});
