import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { shellWrapHint, unexpandedVariables } from '../../src/container/exec-form.ts';

describe('variables a command in exec form never sees expanded', () => {
  for (const [argv, found] of [
    [['gunicorn', 'app:app', '--bind', '0.0.0.0:$PORT'], ['$PORT']],
    [
      ['serve', '--port=${PORT}', '--db', '${DATABASE_URL:-sqlite://}', '$PORT'],
      ['${PORT}', '${DATABASE_URL:-sqlite://}', '$PORT'],
    ],
    // A shell given a script expands its own variables.
    [['/bin/sh', '-c', 'exec serve --port $PORT'], []],
    [['bash', '-lc', 'serve --port $PORT'], []],
    [['/usr/bin/env', 'A=1', 'sh', '-c', 'serve $PORT'], []],
    // A shell running a script file gets its arguments as written.
    [['sh', 'start.sh', '$PORT'], ['$PORT']],
    [['echo', 'costs $5', '$$', '$1'], []],
  ] as const) {
    test(argv.join(' '), () => assert.deepEqual(unexpandedVariables(argv), found));
  }
});

describe('the hint to wrap a command in a shell', () => {
  test("names the variables and gives the command wrapped the way Railway's documentation does", () => {
    assert.equal(
      shellWrapHint(['gunicorn', 'app:app', '--bind', '0.0.0.0:$PORT'], 'start command'),
      'the start command runs without a shell (exec form, as on Railway), so $PORT reaches it as written, not expanded: ' +
        'wrap it in a shell, /bin/sh -c "exec gunicorn app:app --bind 0.0.0.0:$PORT"',
    );
  });
  test('words with spaces are quoted inside the script; a quoted word holding a variable gets no ready-made script', () => {
    assert.match(
      shellWrapHint(['serve', '--title', 'my "app"', '--port', '${PORT}'], 'start command') ?? '',
      /\$\{PORT\} reaches it .*\/bin\/sh -c "exec serve --title 'my \\"app\\"' --port \$\{PORT\}"$/,
    );
    assert.match(
      shellWrapHint(['migrate', '--url', 'db at $DATABASE_URL', '$X'], 'pre-deploy command') ?? '',
      /^the pre-deploy command .* so \$DATABASE_URL, \$X reach it .*\/bin\/sh -c "exec …"$/,
    );
  });
  test('none for a command without variables or already in a shell', () => {
    assert.equal(shellWrapHint(['httpd', '-f', '-p', '8000'], 'start command'), undefined);
    assert.equal(shellWrapHint(['/bin/sh', '-c', 'exec httpd -p $PORT'], 'start command'), undefined);
  });
});
