// A gRPC server on one already-open connection: the socket of a BuildKit session, on which the ENGINE is the
// HTTP/2 client (it calls back into berth for files, secrets, ssh and credentials) and berth the server.
// gRPC over HTTP/2 as its spec says: a POST per call, `content-type: application/grpc`, each message framed as
// one flag byte (compressed, never set here: berth announces no compression) and a 4-byte big-endian length,
// the outcome in `grpc-status`/`grpc-message` trailers. The engine's health checks are answered here, since a
// session that fails them is closed by the engine.
import type { Http2Stream, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';

export interface GrpcCall {
  readonly path: string; // e.g. '/moby.filesync.v1.FileSync/DiffCopy'
  readonly metadata: Record<string, string[]>; // request headers, lower-case names
  messages(): AsyncIterable<Uint8Array>; // each request message, unframed
  send(message: Uint8Array): void; // one response message (framed by the server)
  end(status?: { code: number; message?: string }): void; // trailers; code 0 when omitted
}
export type GrpcHandler = (call: GrpcCall) => Promise<void>;
export type GrpcServices = Record<string, GrpcHandler>; // path -> handler; the session exposes these paths

/** What a handler may use beyond GrpcCall: waiting for the peer to take what was sent (flow control). */
export interface GrpcServerCall extends GrpcCall {
  /** Resolves once the stream's buffer is below its limit (at once when it has room). */
  writable(): Promise<void>;
  /** One response message given in parts (a header and a file's chunk), framed without copying the parts. */
  sendParts(parts: readonly Uint8Array[]): void;
  /** Several response messages in one write: many small ones (file stats) cost one stream write, not one each
   * (optional: a handler falls back to send()). */
  sendBatch?(messages: readonly Uint8Array[]): void;
  /** Bytes of response messages sent so far, frames included. */
  readonly bytesSent: number;
}

export const GrpcStatus = { OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, NOT_FOUND: 5, PERMISSION_DENIED: 7, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14 } as const;

/** A handler's failure with a gRPC status other than UNKNOWN. */
export class GrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const WRITE_BUFFER = 4 * 1024 * 1024;

export const HEALTH_CHECK = '/grpc.health.v1.Health/Check';
// HealthCheckResponse{status: SERVING}: field 1, varint 1
const SERVING = Uint8Array.of(0x08, 0x01);

/**
 * Splits a byte stream into gRPC messages; frames may be cut anywhere, the header included. Chunks are kept
 * as a list and copied once, when a whole message is there: a message of megabytes (a content store's
 * write) arrives in many 16 kB chunks, and joining them as they come would copy it over and over.
 */
export class GrpcDeframer {
  private chunks: Buffer[] = [];
  private length = 0;

  push(chunk: Buffer): Uint8Array[] {
    if (chunk.length) {
      this.chunks.push(chunk);
      this.length += chunk.length;
    }
    const out: Uint8Array[] = [];
    while (this.length >= 5) {
      const head = this.chunks[0]!.length >= 5 ? this.chunks[0]! : Buffer.concat(this.chunks, 5);
      if (head[0] !== 0) throw new GrpcError(GrpcStatus.UNIMPLEMENTED, 'compressed gRPC messages are not supported');
      const size = head.readUInt32BE(1);
      if (this.length < 5 + size) break;
      this.take(5);
      out.push(this.take(size));
    }
    return out;
  }

  /** The next n bytes (a view when they are in one chunk). */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    this.length -= n;
    if (first && first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }

  get empty(): boolean {
    return this.length === 0;
  }
}

/**
 * The gRPC messages of an HTTP/2 stream (either side's), read with read()/'readable' rather than the stream's
 * async iterator: a reader that stops early (the file sync after FIN) must not destroy the stream, which would
 * reset it (CANCEL) before the response's trailers are out. Ends when the stream has ended or is destroyed.
 */
export async function* streamMessages(stream: Http2Stream): AsyncGenerator<Uint8Array> {
  const deframer = new GrpcDeframer();
  for (;;) {
    const chunk = stream.read() as Buffer | null;
    if (chunk !== null) {
      for (const m of deframer.push(chunk)) yield m;
      continue;
    }
    if (stream.readableEnded || stream.destroyed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        stream.off('readable', done);
        stream.off('end', done);
        stream.off('close', done);
        resolve();
      };
      stream.on('readable', done);
      stream.on('end', done);
      stream.on('close', done);
    });
  }
}

export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/** grpc-message is percent-encoded (spec: "Percent-Encoded" of UTF-8, printable ASCII kept but '%'). */
function encodeGrpcMessage(message: string): string {
  return Array.from(Buffer.from(message, 'utf8'))
    .map((b) => (b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

export interface GrpcServer {
  /** Settles when the connection is gone. */
  readonly closed: Promise<void>;
  close(): void;
}

/**
 * Serve `services` on `socket` (the peer speaks HTTP/2 with prior knowledge). A path without a handler is
 * answered UNIMPLEMENTED; a handler that throws ends its call with the error's code (UNKNOWN unless GrpcError).
 */
export async function serveGrpc(socket: Duplex, services: GrpcServices, onError?: (path: string, err: unknown) => void): Promise<GrpcServer> {
  const http2 = await import('node:http2');
  // the session's file transfers queue up to a window of data on the session; Node's default cap (10 MB) is
  // for many small requests, not one stream of files
  const server = http2.createServer({ maxSessionMemory: 64 });
  const sessions = new Set<import('node:http2').ServerHttp2Session>();
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => {
      sessions.delete(s);
      resolveClosed();
    });
    s.on('error', () => undefined);
  });
  socket.on('close', () => resolveClosed());
  socket.on('error', () => resolveClosed());

  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders?: string[]) => {
    stream.on('error', () => undefined);
    const path = String(headers[':path'] ?? '');
    const metadata: Record<string, string[]> = {};
    const raw = rawHeaders ?? Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v.flatMap((x) => [k, x]) : [k, String(v)]));
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      if (name.startsWith(':')) continue;
      (metadata[name] ??= []).push(raw[i + 1]!);
    }
    const handler = path === HEALTH_CHECK ? health : services[path];
    if (!handler) {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(GrpcStatus.UNIMPLEMENTED), 'grpc-message': encodeGrpcMessage(`unknown method ${path}`) }, { endStream: true });
      return;
    }
    let responded = false;
    let ended = false;
    let bytesSent = 0;
    const respond = () => {
      if (responded) return;
      responded = true;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    };
    const call: GrpcServerCall = {
      path,
      metadata,
      messages: () => streamMessages(stream),
      send(message) {
        if (ended || stream.destroyed) return;
        respond();
        const frame = grpcFrame(message);
        bytesSent += frame.length;
        stream.write(frame);
      },
      sendParts(parts) {
        if (ended || stream.destroyed) return;
        respond();
        const length = parts.reduce((n, p) => n + p.length, 0);
        const header = Buffer.allocUnsafe(5);
        header[0] = 0;
        header.writeUInt32BE(length, 1);
        bytesSent += 5 + length;
        stream.write(header);
        for (const p of parts) if (p.length) stream.write(p);
      },
      sendBatch(messages) {
        if (ended || stream.destroyed || !messages.length) return;
        respond();
        let length = 0;
        for (const m of messages) length += 5 + m.length;
        const buf = Buffer.allocUnsafe(length);
        let at = 0;
        for (const m of messages) {
          buf[at] = 0;
          buf.writeUInt32BE(m.length, at + 1);
          buf.set(m, at + 5);
          at += 5 + m.length;
        }
        bytesSent += length;
        stream.write(buf);
      },
      end(status) {
        if (ended) return;
        ended = true;
        if (stream.destroyed) return;
        const code = status?.code ?? 0;
        const trailers: Record<string, string> = { 'grpc-status': String(code) };
        if (status?.message) trailers['grpc-message'] = encodeGrpcMessage(status.message);
        if (!responded) {
          // trailers-only response
          responded = true;
          stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...trailers }, { endStream: true });
          return;
        }
        stream.once('wantTrailers', () => stream.sendTrailers(trailers));
        stream.end();
      },
      writable() {
        if (stream.destroyed) return Promise.reject(new GrpcError(GrpcStatus.CANCELLED, 'the call was cancelled'));
        // Node's stream buffer is 16 kB, less than one file chunk; a few chunks in flight keep the
        // connection busy while bounding what a transfer holds in memory
        if (stream.writableLength < WRITE_BUFFER) return Promise.resolve();
        return new Promise((resolve, reject) => {
          const done = () => {
            stream.off('drain', done);
            stream.off('close', done);
            if (stream.destroyed) reject(new GrpcError(GrpcStatus.CANCELLED, 'the call was cancelled'));
            else resolve();
          };
          stream.on('drain', done);
          stream.on('close', done);
        });
      },
      get bytesSent() {
        return bytesSent;
      },
    };
    handler(call).then(
      () => call.end(),
      (err: unknown) => {
        onError?.(path, err);
        call.end({ code: err instanceof GrpcError ? err.code : GrpcStatus.UNKNOWN, message: err instanceof Error ? err.message : String(err) });
      },
    );
  });

  server.emit('connection', socket);
  return {
    closed,
    close() {
      for (const s of sessions) s.destroy();
      socket.destroy();
      server.close();
    },
  };
}

async function health(call: GrpcCall): Promise<void> {
  // the request (a service name) is read and ignored: berth serves everything it announced
  for await (const _ of call.messages());
  call.send(SERVING);
}
