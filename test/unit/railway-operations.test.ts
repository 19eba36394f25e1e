import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'vitest';
import { buildClientSchema, getOperationAST, parse, validate, type IntrospectionQuery } from 'graphql';
import { OPERATIONS } from '../../src/deploy/railway/operations.ts';
import { RAILWAY_SCHEMA_PATH } from '../support/railway-schema.ts';

test('every operation deploy-check sends parses, is named as declared and is valid against Railway\'s schema', (t) => {
  assert.ok(OPERATIONS.length >= 10);
  for (const op of OPERATIONS) {
    const ast = getOperationAST(parse(op.document), null);
    assert.equal(ast?.name?.value, op.name);
    assert.equal(ast?.operation, op.kind);
  }
  if (!existsSync(RAILWAY_SCHEMA_PATH)) {
    const reason = `Railway's schema is not at ${RAILWAY_SCHEMA_PATH}: operations were parsed but not validated`;
    console.log(`skipped: ${reason}`);
    t.skip(reason);
    return;
  }
  const raw = JSON.parse(readFileSync(RAILWAY_SCHEMA_PATH, 'utf8')) as { data: IntrospectionQuery };
  const schema = buildClientSchema(raw.data);
  for (const op of OPERATIONS) {
    const errors = validate(schema, parse(op.document)).map((e) => e.message);
    assert.deepEqual(errors, [], `${op.name}: ${errors.join('; ')}`);
  }
});

test('operation names are unique (the local server and logs tell them apart by name)', () => {
  const names = OPERATIONS.map((o) => o.name);
  assert.deepEqual([...new Set(names)], names);
});
