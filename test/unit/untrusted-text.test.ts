/**
 * The output choke point (src/host/log.ts) and the local summary: control characters written
 * out, no line a workflow command, as GitHub's runner reads a step's output (test/support/workflow-commands.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { commandFree, commandFreeLines, oneLine, readsAsWorkflowCommand, visible } from '../../src/host/log.ts';
import { parseUrlPath } from '../../src/inputs/inputs.ts';
import { parseRailwayFile } from '../../src/config/railway-file.ts';
import { workflowCommands } from '../support/workflow-commands.ts';

test('visible writes out ESC, CR, BEL, C1 and bidi controls; keeps tabs and line feeds; CRLF is a line end', () => {
  assert.equal(visible('\u001b[2Jclear\u0007'), '\\x1b[2Jclear\\x07');
  assert.equal(visible('a\rb'), 'a\\rb');
  assert.equal(visible('a\r\nb\n'), 'a\nb\n');
  assert.equal(visible('\tx\u0085y\u202ez\u0000'), '\tx\\x85y\\u202ez\\x00');
  assert.equal(visible('plain — ünïcode ✔'), 'plain — ünïcode ✔');
  assert.equal(oneLine('a\nb\rc'), 'a\\nb\\rc');
});

test("the runner's command forms: `::` after any leading white space, the legacy `##[` anywhere in the line", () => {
  for (const line of [
    '::warning::x',
    '  ::error::x',
    '\t::set-output name=a::b',
    '\u00a0::notice::x',
    '##[warning]x',
    '  | ##[add-mask]x',
    'text ##[group]x',
  ]) {
    assert.equal(readsAsWorkflowCommand(line), true, JSON.stringify(line));
  }
  for (const line of ['  | ::warning::x', 'x ::warning::x', ': :warning', '#[warning]', '## [warning]'])
    assert.equal(readsAsWorkflowCommand(line), false, JSON.stringify(line));
  // The test reader agrees with the runner on both forms.
  assert.deepEqual(
    workflowCommands('  | ##[add-mask]x\n  | ::warning::y\n::unknown::z ##[error]w').map((c) => `${c.name}:${c.data}`),
    ['add-mask:x', 'error:w'],
  );
});

test('commandFree leaves ordinary text alone and puts text with a command line between stop-commands', () => {
  assert.equal(commandFree('Waiting up to 60s for GET /health'), 'Waiting up to 60s for GET /health');
  const payload = 'GET /health\n::set-output name=verdict::pass\n  ::add-mask::deploy-check\n  | ##[warning]x\nstep\r::warning::x';
  const out = commandFree(payload, () => 'f00d');
  assert.equal(
    out,
    '::stop-commands::f00d\nGET /health\n::set-output name=verdict::pass\n  ::add-mask::deploy-check\n  | ##[warning]x\nstep\\r::warning::x\n::f00d::',
  );
  // As the runner reads it: only the stop command itself, then nothing until the token.
  assert.deepEqual(
    workflowCommands(`${out}\n::warning::after`).map((c) => `${c.name}:${c.data}`),
    ['stop-commands:f00d', 'warning:after'],
  );
  // Raw, the same text would have issued four commands (the CR starts a line for the runner).
  assert.deepEqual(
    workflowCommands(payload).map((c) => c.name),
    ['set-output', 'add-mask', 'warning', 'warning'],
  );
  // A quoted legacy command alone is enough to need the block.
  assert.match(
    commandFree('  | ##[add-mask]x', () => 'f00d'),
    /^::stop-commands::f00d\n/,
  );
});

test('commandFree picks a new random token each time, which the text cannot know', () => {
  const a = commandFree('::warning::x');
  const b = commandFree('::warning::x');
  const token = (s: string): string => /^::stop-commands::([0-9a-f]{32})\n/.exec(s)?.[1] ?? '';
  assert.notEqual(token(a), '');
  assert.notEqual(token(a), token(b));
  assert.ok(a.endsWith(`\n::${token(a)}::`));
});

test('commandFreeLines puts a command-looking line behind "| ", writes the legacy form as ##\\[ and control characters out', () => {
  assert.equal(commandFreeLines('ok\n::error::x\n  | ##[warning]y\n\u001b[2Jz'), 'ok\n| ::error::x\n  | ##\\[warning]y\n\\x1b[2Jz');
  assert.deepEqual(workflowCommands(commandFreeLines('ok\n::error::x\n  ##[warning]y\nstep\r::warning::x\na ##[add-mask]b')), []);
});

test('a health path with a control character, white space or over 2048 characters is refused, naming where it came from', () => {
  assert.equal(parseUrlPath('health-path', '/health?probe=1&x=%20'), '/health?probe=1&x=%20');
  assert.equal(parseUrlPath('health-path', `/${'a'.repeat(2047)}`).length, 2048);
  assert.throws(
    () => parseUrlPath('health-path', '/health\n::warning::x'),
    /^ConfigError: Input "health-path": "\/health\\n::warning::x" holds a control character \(a line break, tab or escape\); a path of at most 2048 printable characters without spaces is accepted, e\.g\. "\/health"$/,
  );
  assert.throws(() => parseUrlPath('health-path', '/a\u001b[2J'), /"\/a\\u001b\[2J" holds a control character/);
  assert.throws(() => parseUrlPath('health-path', '/a b'), /"\/a b" holds white space/);
  assert.throws(() => parseUrlPath('health-path', '/a\u00a0b'), /holds white space/);
  assert.throws(() => parseUrlPath('health-path', `/${'a'.repeat(2048)}`), /"\/a{79}…" is 2049 characters long/);
  assert.throws(
    () => parseRailwayFile('/repo/railway.json', JSON.stringify({ deploy: { healthcheckPath: '/health\n::warning::x' } })),
    /^ConfigError: Input "railway\.json deploy\.healthcheckPath": "\/health\\n::warning::x" holds a control character/,
  );
  assert.throws(
    () => parseRailwayFile('/repo/railway.toml', '[deploy]\nhealthcheckPath = "/health check"\n'),
    /Input "railway\.toml deploy\.healthcheckPath": "\/health check" holds white space/,
  );
});
