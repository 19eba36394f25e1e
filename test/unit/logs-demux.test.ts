import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { demuxDockerStream } from '../../src/container/logs.ts';

/** One frame of Docker's multiplexed log stream: stream byte, three zero bytes, big-endian length, payload. */
function frame(stream: 1 | 2, payload: string | Buffer): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

describe('demuxDockerStream', () => {
  test('stdout and stderr frames are joined in the order Docker stored them', () => {
    const raw = Buffer.concat([frame(1, 'listening on 8000\n'), frame(2, 'warning: slow disk\n'), frame(1, 'GET /health 200\n')]);
    assert.equal(demuxDockerStream(raw), 'listening on 8000\nwarning: slow disk\nGET /health 200\n');
  });

  test('a multi-byte character split across two frames survives', () => {
    const text = Buffer.from('café ✓\n', 'utf8');
    const raw = Buffer.concat([frame(1, text.subarray(0, 4)), frame(1, text.subarray(4))]);
    assert.equal(demuxDockerStream(raw), 'café ✓\n');
  });

  test('an empty frame and an empty buffer', () => {
    assert.equal(demuxDockerStream(Buffer.concat([frame(1, ''), frame(2, 'x')])), 'x');
    assert.equal(demuxDockerStream(Buffer.alloc(0)), '');
  });

  test('a frame longer than 255 bytes (length uses all four bytes)', () => {
    const long = 'a'.repeat(70_000);
    assert.equal(demuxDockerStream(frame(1, long)), long);
  });

  test('a truncated last frame keeps what arrived', () => {
    const raw = Buffer.concat([frame(1, 'complete\n'), frame(2, 'cut short').subarray(0, 12)]);
    assert.equal(demuxDockerStream(raw), 'complete\ncut ');
  });

  test('a container with a TTY sends plain text, returned as is', () => {
    assert.equal(demuxDockerStream(Buffer.from('plain tty output\nsecond line\n')), 'plain tty output\nsecond line\n');
  });
});
