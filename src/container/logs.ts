import type Docker from 'dockerode';

/**
 * Docker multiplexes stdout and stderr of a container without a TTY into frames:
 * an 8-byte header (stream, 3 zero bytes, big-endian length) then the payload.
 */
export function demuxDockerStream(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const kind = buffer[offset];
    const length = buffer.readUInt32BE(offset + 4);
    if (kind === undefined || kind > 2 || buffer[offset + 1] !== 0 || buffer[offset + 2] !== 0 || buffer[offset + 3] !== 0) {
      // Not multiplexed (a TTY container): the buffer is plain text.
      return buffer.toString('utf8');
    }
    parts.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The last `tail` lines the container wrote to stdout and stderr, interleaved as Docker stored them. */
export async function lastLogLines(container: Docker.Container, tail = 100): Promise<string[]> {
  try {
    const raw = (await container.logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
    const text = demuxDockerStream(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    const lines = text.split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-tail);
  } catch {
    return [];
  }
}
