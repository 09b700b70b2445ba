// A gRPC client on one already-open connection: the socket of `POST /grpc` upgraded to h2c, on which the
// engine serves BuildKit's control API and berth is the HTTP/2 client (the reverse of the session's socket,
// grpc.ts). Calls are framed as grpc.ts frames them; a call's outcome is its `grpc-status` trailer (or the
// headers of a trailers-only answer), a status other than OK is a GrpcError carrying `grpc-message`.
import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import { GrpcError, GrpcStatus, grpcFrame, streamMessages } from './grpc.js';

export interface GrpcClient {
  /** One request, one response message. */
  unary(path: string, message: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
  /** One request, the server's stream of messages until its trailers. */
  serverStream(path: string, message: Uint8Array, signal?: AbortSignal): AsyncIterable<Uint8Array>;
  close(): void;
}

/** grpc-message is percent-encoded UTF-8. */
function decodeGrpcMessage(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function statusOf(headers: Record<string, unknown>): { code: number; message: string } | undefined {
  const code = headers['grpc-status'];
  if (code === undefined) return undefined;
  return { code: Number(code), message: decodeGrpcMessage(String(headers['grpc-message'] ?? '')) };
}

/**
 * Messages of one call as they arrive; throws the call's non-OK status (or its reset) at the end. The
 * listeners are attached at once, before the caller starts reading, so that no early answer is missed.
 */
function callMessages(stream: ClientHttp2Stream, path: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  let status: { code: number; message: string } | undefined;
  let httpStatus: number | undefined;
  stream.on('response', (headers) => {
    httpStatus = Number(headers[':status']);
    status ??= statusOf(headers);
  });
  stream.on('trailers', (trailers) => {
    status = statusOf(trailers) ?? status;
  });
  let failure: unknown;
  stream.on('error', (err) => (failure ??= err));
  const abort = () => stream.close(0x8 /* NGHTTP2_CANCEL */);
  if (signal?.aborted) abort();
  signal?.addEventListener('abort', abort, { once: true });
  return read();
  async function* read(): AsyncGenerator<Uint8Array> {
    try {
      yield* streamMessages(stream);
      // trailers are emitted before 'end'; wait for 'close' so that a late one is not missed
      if (!stream.closed) await new Promise<void>((resolve) => stream.once('close', resolve));
    } finally {
      signal?.removeEventListener('abort', abort);
      if (!stream.closed) stream.close(0x8);
    }
    if (signal?.aborted) throw new GrpcError(GrpcStatus.CANCELLED, `${path}: cancelled`);
    if (status && status.code !== GrpcStatus.OK) throw new GrpcError(status.code, status.message);
    if (failure) throw failure;
    if (!status) throw new GrpcError(GrpcStatus.INTERNAL, `${path}: the engine answered ${httpStatus ?? 'nothing'} without a gRPC status`);
  }
}

/** A client on `socket`, which speaks HTTP/2 with prior knowledge (h2c after the upgrade). */
export async function grpcClient(socket: Duplex): Promise<GrpcClient> {
  const http2 = await import('node:http2');
  const session: ClientHttp2Session = http2.connect('http://docker', { createConnection: () => socket as import('node:net').Socket });
  session.on('error', () => undefined);
  const open = (path: string, message: Uint8Array): ClientHttp2Stream => {
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
    stream.end(grpcFrame(message));
    return stream;
  };
  return {
    async unary(path, message, signal) {
      let reply: Uint8Array | undefined;
      for await (const m of callMessages(open(path, message), path, signal)) reply ??= m;
      if (!reply) throw new GrpcError(GrpcStatus.INTERNAL, `${path}: no response message`);
      return reply;
    },
    serverStream(path, message, signal) {
      return callMessages(open(path, message), path, signal);
    },
    close() {
      session.destroy();
      socket.destroy();
    },
  };
}
