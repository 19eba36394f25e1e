import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { ConfigError } from '../../src/inputs/inputs.ts';
import { parseCommand, parseHostLines, parseKeyValueLines, splitCommandWords } from '../../src/inputs/lines.ts';

describe('parseKeyValueLines', () => {
  test('one KEY=VALUE a line; blanks and comments skipped; values keep "=" and inner spaces', () => {
    const raw = 'A=1\n\n# a comment\r\nB_2=x=y\n  C.d-e = spaced value \nEMPTY=';
    assert.deepEqual(parseKeyValueLines('env', raw), [
      { key: 'A', value: '1' },
      { key: 'B_2', value: 'x=y' },
      { key: 'C.d-e', value: ' spaced value' },
      { key: 'EMPTY', value: '' },
    ]);
  });
  test('empty input gives nothing', () => assert.deepEqual(parseKeyValueLines('env', ''), []));
  for (const [raw, line] of [
    ['NOEQUALS', 1],
    ['A=1\n=value', 2],
    ['A=1\nB=2\n1X=3', 3],
    ['A=1\nwith space=3', 2],
  ] as const) {
    test(`${JSON.stringify(raw)} is refused at line ${line}, naming the input`, () => {
      assert.throws(
        () => parseKeyValueLines('build-args', raw),
        (err: unknown) => err instanceof ConfigError && err.input === 'build-args' && err.message.includes(`line ${line} `),
      );
    });
  }
  test('the refused line is never echoed (it may hold a secret)', () => {
    assert.throws(
      () => parseKeyValueLines('build-secrets', 'token: hunter2-secret-value', 'id=VALUE'),
      (err: unknown) => err instanceof ConfigError && !err.message.includes('hunter2') && err.message.includes('id=VALUE'),
    );
  });
});

describe('parseHostLines', () => {
  test('lines or commas; host=ip is accepted as host:ip', () => {
    assert.deepEqual(parseHostLines('add-hosts', 'db.internal:10.0.0.5\napi:host-gateway, cache=10.0.0.6'), [
      'db.internal:10.0.0.5',
      'api:host-gateway',
      'cache:10.0.0.6',
    ]);
  });
  test('IPv6 addresses, bracketed or not', () => {
    assert.deepEqual(parseHostLines('add-hosts', 'v6:::1\nv6b=[fd00::5]'), ['v6:::1', 'v6b:fd00::5']);
  });
  for (const entry of ['api:999.1.1.1', 'api:10.0.0', 'api:localhost', 'api:[10.0.0.1', 'api:1.2.3.4.5']) {
    test(`"${entry}" is refused: not an IP address`, () => {
      assert.throws(
        () => parseHostLines('add-hosts', entry),
        (err: unknown) => err instanceof ConfigError && err.input === 'add-hosts' && /is not an IP address/.test(err.message),
      );
    });
  }
  test('an entry without an address is refused', () => {
    assert.throws(
      () => parseHostLines('add-hosts', 'justahost'),
      (err: unknown) => err instanceof ConfigError && err.input === 'add-hosts',
    );
  });
});

describe('parseCommand', () => {
  test('empty is "use the image CMD"', () => assert.equal(parseCommand('command', '  '), undefined));
  test('a JSON array', () => assert.deepEqual(parseCommand('command', '["python3", "-m", "app"]'), ['python3', '-m', 'app']));
  test('words with quotes', () => {
    assert.deepEqual(parseCommand('command', `sh -c "echo \\"hi there\\"; sleep 1" 'single q'`), ['sh', '-c', 'echo "hi there"; sleep 1', 'single q']);
  });
  for (const raw of ['[not json', '[]', '[1, 2]', '["ok", 3]', 'sh -c "unclosed', "it's"]) {
    test(`${raw} is refused`, () => {
      assert.throws(
        () => parseCommand('command', raw),
        (err: unknown) => err instanceof ConfigError && err.input === 'command',
      );
    });
  }
});

describe('splitCommandWords: words as a POSIX shell splits them, nothing expanded', () => {
  for (const [raw, words] of [
    ['gunicorn app:app --bind 0.0.0.0:$PORT', ['gunicorn', 'app:app', '--bind', '0.0.0.0:$PORT']],
    ['/bin/sh -c "exec python main.py --port $PORT"', ['/bin/sh', '-c', 'exec python main.py --port $PORT']],
    // Quotes join the text around them, as in a shell.
    ['serve --bind="0.0.0.0:8000" --name=\'my app\'', ['serve', '--bind=0.0.0.0:8000', '--name=my app']],
    ['a"b c"d \'\' e', ['ab cd', '', 'e']],
    // Inside "…" a backslash escapes only " \\ $ `; elsewhere it stays.
    ['echo "a\\"b\\$c\\nd"', ['echo', 'a"b$c\\nd']],
    // Outside quotes a backslash keeps the next character.
    ['echo a\\ b \\$PORT', ['echo', 'a b', '$PORT']],
    ['  tabs\tand\n newlines  ', ['tabs', 'and', 'newlines']],
  ] as const) {
    test(JSON.stringify(raw), () => assert.deepEqual(splitCommandWords('railway.json deploy.startCommand', raw), words));
  }
  test('an unclosed quote is refused, naming the input and where it opens', () => {
    assert.throws(
      () => splitCommandWords('railway.json deploy.startCommand', `sh -c 'echo hi`),
      (err: unknown) =>
        err instanceof ConfigError && err.input === 'railway.json deploy.startCommand' && /' at character 7 that is never closed/.test(err.message),
    );
  });
});
