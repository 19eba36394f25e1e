import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { composeWarnings } from '../../src/compose/compose.ts';
import { composeError } from '../../src/services/start.ts';

/** What Compose 2.26 wrote to a pipe (no terminal) for a file with an unset variable and a `version` key. */
const STDERR = [
  'time="2026-12-06T18:57:31Z" level=warning msg="The \\"DB_PASSWORD\\" variable is not set. Defaulting to a blank string."',
  'time="2026-12-06T18:57:31Z" level=warning msg="/src/docker-compose.yml: `version` is obsolete"',
  ' Container deploy-check-r1-db-1  Creating',
  'time="2026-12-06T18:57:32Z" level=warning msg="The \\"DB_PASSWORD\\" variable is not set. Defaulting to a blank string."',
  'Error response from daemon: Conflict. The container name "/fixed-db" is already in use',
].join('\n');

describe('composeWarnings', () => {
  test('each warning once, unquoted, from the plain and the terminal format', () => {
    assert.deepEqual(composeWarnings(STDERR), [
      'The "DB_PASSWORD" variable is not set. Defaulting to a blank string.',
      '/src/docker-compose.yml: `version` is obsolete',
    ]);
    assert.deepEqual(composeWarnings('WARN[0000] The "X" variable is not set. Defaulting to a blank string.\n'), [
      'The "X" variable is not set. Defaulting to a blank string.',
    ]);
    assert.deepEqual(composeWarnings('level=error msg="boom"\n'), []);
  });

  test('composeError leaves the warnings out of the error', () => {
    assert.equal(composeError(STDERR), 'Error response from daemon: Conflict. The container name "/fixed-db" is already in use');
  });
});
