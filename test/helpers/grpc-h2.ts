// A test-only gRPC-over-HTTP/2 pair: the session's gRPC server (as the engine reaches it through POST /session)
// on a loopback listener, and a client that calls it with gRPC's length-prefixed framing, so session services
// can be unit-tested on a real HTTP/2 connection without an engine.
import http2 from 'node:http2';
import { createServer, type AddressInfo } from 'node:net';
import { serveGrpc as serveOnSocket, type GrpcServer, type GrpcServices } from '../../src/engine/dockerode/buildkit/grpc.js';

function frame(message: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

async function* unframe(chunks: AsyncIterable<Buffer>): AsyncGenerator<Uint8Array> {
  let buf = Buffer.alloc(0);
  for await (const c of chunks) {
    buf = Buffer.concat([buf, c]);
    while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) {
      const len = buf.readUInt32BE(1);
      yield buf.subarray(5, 5 + len);
      buf = buf.subarray(5 + len);
    }
  }
  if (buf.length) throw new Error('stream ended inside a gRPC message');
}

export interface GrpcTestServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The session's own gRPC server (buildkit/grpc.ts) on each connection of a loopback listener. */
export async function serveGrpc(services: GrpcServices): Promise<GrpcTestServer> {
  const servers: GrpcServer[] = [];
  const listener = createServer((socket) => {
    void serveOnSocket(socket, services).then((s) => servers.push(s));
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const { port } = listener.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of servers) s.close();
      await new Promise<void>((r) => listener.close(() => r()));
    },
  };
}

export interface GrpcReply {
  readonly messages: Uint8Array[];
  readonly code: number;
  readonly message: string;
}

/** A bidi stream as a client sees it: write request messages, read replies, end, then the final status. */
export interface GrpcStream {
  write(message: Uint8Array): void;
  /** The next reply message, or undefined when the server ended the stream. */
  read(): Promise<Uint8Array | undefined>;
  end(): void;
  status(): Promise<{ code: number; message: string }>;
}

export function openStream(url: string, path: string, metadata: Record<string, string> = {}): { stream: GrpcStream; close: () => void } {
  const session = http2.connect(url);
  session.on('error', () => {});
  const req = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...metadata });
  let trailers: Record<string, unknown> = {};
  const status = new Promise<{ code: number; message: string }>((resolve) => {
    // a trailers-only answer (an error before any message) carries the status in its headers
    req.on('response', (h) => {
      if (h['grpc-status'] !== undefined) trailers = h;
    });
    req.on('trailers', (t) => (trailers = t));
    req.on('close', () => resolve({ code: Number(trailers['grpc-status'] ?? -1), message: decodeURIComponent(String(trailers['grpc-message'] ?? '')) }));
  });
  const replies = unframe(req as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  return {
    stream: {
      write: (m) => void req.write(frame(m)),
      read: async () => {
        const r = await replies.next();
        return r.done ? undefined : r.value;
      },
      end: () => void req.end(),
      status: () => status,
    },
    close: () => session.close(),
  };
}

/** One unary (or client-streaming) call: send the messages, collect every reply and the status. */
export async function callGrpc(url: string, path: string, requests: Uint8Array[], metadata: Record<string, string> = {}): Promise<GrpcReply> {
  const { stream, close } = openStream(url, path, metadata);
  for (const m of requests) stream.write(m);
  stream.end();
  const messages: Uint8Array[] = [];
  for (let m = await stream.read(); m; m = await stream.read()) messages.push(m);
  const { code, message } = await stream.status();
  close();
  return { messages, code, message };
}
