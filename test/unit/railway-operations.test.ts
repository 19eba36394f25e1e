import assert from 'node:assert/strict';
import { test } from 'vitest';
import { getOperationAST, parse, validate } from 'graphql';
import { OPERATIONS } from '../../src/railway/operations.ts';
import { railwaySchema } from '../support/railway-schema.ts';

test('every operation deploy-check sends parses, is named as declared and is valid against the Railway SDL', () => {
  assert.ok(OPERATIONS.length >= 10);
  for (const op of OPERATIONS) {
    const ast = getOperationAST(parse(op.document), null);
    assert.equal(ast?.name?.value, op.name);
    assert.equal(ast.operation, op.kind);
  }
  const schema = railwaySchema();
  for (const op of OPERATIONS) {
    const errors = validate(schema, parse(op.document)).map((e) => e.message);
    assert.deepEqual(errors, [], `${op.name}: ${errors.join('; ')}`);
  }
});

test('operation names are unique (the local server and logs tell them apart by name)', () => {
  const names = OPERATIONS.map((o) => o.name);
  assert.deepEqual([...new Set(names)], names);
});
