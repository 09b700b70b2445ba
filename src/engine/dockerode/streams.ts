// Byte-level decoding of the engine's two streaming formats: newline-delimited JSON (events, pull progress) and
// the 8-byte-header multiplexed stdout/stderr framing of non-TTY container logs.
import { StringDecoder } from 'node:string_decoder';

/**
 * Splits chunks of newline-delimited JSON into objects. Chunk boundaries fall anywhere (inside an object, inside a
 * multi-byte UTF-8 character), so bytes are decoded statefully and only complete lines are parsed.
 */
export class NdjsonSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  /** Objects completed by this chunk, in order. Blank lines are skipped; a malformed line throws. */
  push(chunk: Buffer | string): unknown[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const out: unknown[] = [];
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl).trim();
      this.pending = this.pending.slice(nl + 1);
      if (line !== '') out.push(JSON.parse(line));
    }
    return out;
  }

  /** The last object when the stream ended without a trailing newline. */
  end(): unknown[] {
    const line = (this.pending + this.decoder.end()).trim();
    this.pending = '';
    return line === '' ? [] : [JSON.parse(line)];
  }
}

/**
 * Decode a complete multiplexed log body into text, stdout and stderr interleaved as the engine recorded them.
 * Frames: byte 0 = stream (0 stdin, 1 stdout, 2 stderr), bytes 4..7 = big-endian payload length.
 * A truncated final frame keeps what arrived rather than losing the tail of the output.
 */
export function demultiplex(body: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= body.length) {
    const size = body.readUInt32BE(offset + 4);
    const start = offset + 8;
    const end = Math.min(start + size, body.length);
    parts.push(body.subarray(start, end));
    offset = end;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Read a whole stream into one buffer. */
export async function collect(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
