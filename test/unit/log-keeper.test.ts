import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { compactLogLines, DockerStreamDemuxer, LOG_LINE_MAX_CHARS, LogKeeper } from '../../src/container/logs.ts';

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Lines with runs of repeats, deterministic. */
function sample(n: number, seed: number): string[] {
  const out: string[] = [];
  let x = seed;
  while (out.length < n) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const repeat = 1 + (x % 5 === 0 ? x % 7 : 0);
    for (let i = 0; i < repeat; i++) out.push(`line ${x % 13}`);
  }
  return out;
}

describe('LogKeeper', () => {
  for (const n of [0, 1, 39, 100, 101, 170, 1000, 5000]) {
    test(`keeps what compactLogLines shows of ${n} lines, fed in uneven pieces`, () => {
      const lines = sample(n, n + 1);
      const keeper = new LogKeeper();
      const text = lines.map((l) => `${l}\n`).join('');
      for (let i = 0; i < text.length; i += 7) keeper.write(text.slice(i, i + 7));
      const kept = keeper.end();
      assert.deepEqual(kept.lines, compactLogLines(lines));
      assert.equal(kept.count, lines.length);
    });
  }

  test('a line without an end and CRLF endings', () => {
    const keeper = new LogKeeper();
    keeper.write('a\r\nb\r\nlast');
    assert.deepEqual(keeper.end().lines, ['a', 'b', 'last']);
  });

  test('a gigantic line is cut, so what is kept stays small', () => {
    const keeper = new LogKeeper();
    const chunk = 'y'.repeat(65536);
    for (let i = 0; i < 200; i++) keeper.write(chunk);
    keeper.write('\nafter\n');
    const kept = keeper.end();
    assert.equal(kept.count, 2);
    assert.ok((kept.lines[0] ?? '').length < LOG_LINE_MAX_CHARS + 100);
    assert.match(kept.lines[0] ?? '', /line cut at/);
    assert.equal(kept.lines[1], 'after');
  });
});

describe('DockerStreamDemuxer', () => {
  test('frames split anywhere, multi-byte characters across frames', () => {
    const raw = Buffer.concat([frame(1, 'café '), frame(2, '✓ ok\n'), frame(1, 'two\n')]);
    for (let size = 1; size <= raw.length; size++) {
      let out = '';
      const demux = new DockerStreamDemuxer((t) => (out += t));
      for (let i = 0; i < raw.length; i += size) demux.write(raw.subarray(i, i + size));
      assert.equal(out, 'café ✓ ok\ntwo\n', `pieces of ${size}`);
    }
  });

  test('a TTY stream is plain text', () => {
    let out = '';
    const demux = new DockerStreamDemuxer((t) => (out += t));
    demux.write(Buffer.from('plain tty output\nsecond'));
    demux.write(Buffer.from(' line\n'));
    assert.equal(out, 'plain tty output\nsecond line\n');
  });
});
