import assert from 'node:assert/strict';
import { test } from 'vitest';
import { isEnumType } from 'graphql';
import { classifyStatus, describeStatus, isKnownStatus } from '../../src/deploy/railway/status.ts';
import { railwaySchema } from '../support/railway-schema.ts';

test('every final status ends the wait with its meaning', () => {
  assert.equal(classifyStatus('SUCCESS'), 'success');
  assert.equal(classifyStatus('SLEEPING'), 'success');
  for (const s of ['FAILED', 'CRASHED', 'REMOVED', 'REMOVING', 'SKIPPED']) assert.equal(classifyStatus(s), 'failure', s);
  assert.equal(classifyStatus('NEEDS_APPROVAL'), 'approval');
  // "Wait for CI", never a person.
  assert.equal(classifyStatus('WAITING'), 'waiting-for-ci');
  for (const s of ['QUEUED', 'INITIALIZING', 'BUILDING', 'DEPLOYING']) assert.equal(classifyStatus(s), 'in-progress', s);
});

test('a status Railway adds later keeps the wait going (bounded by the timeout)', () => {
  assert.equal(classifyStatus('MIGRATING'), 'in-progress');
  assert.equal(isKnownStatus('MIGRATING'), false);
  assert.match(describeStatus('MIGRATING'), /Railway reports MIGRATING/);
});

test('the classification covers exactly the DeploymentStatus enum of the Railway SDL', () => {
  const type = railwaySchema().getType('DeploymentStatus');
  const values = isEnumType(type) ? type.getValues().map((v) => v.name) : [];
  assert.ok(values.length > 0);
  for (const v of values) assert.ok(isKnownStatus(v), `${v} is not classified`);
});
