// The session's gRPC server (engine/dockerode/buildkit/grpc.ts) against Node's own HTTP/2 client, as the
// engine's grpc-go client would call it over the hijacked socket: framing, trailers, unknown methods.
import { connect, type ClientHttp2Session } from 'node:http2';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GrpcDeframer, grpcFrame, serveGrpc, type GrpcServer, type GrpcServices } from '../../../src/engine/dockerode/buildkit/grpc.js';

let net: Server | undefined;
let grpc: GrpcServer | undefined;
let client: ClientHttp2Session | undefined;
afterEach(() => {
  client?.close();
  grpc?.close();
  net?.close();
});

/** A client connected to serveGrpc over a real socket. */
async function start(services: GrpcServices): Promise<ClientHttp2Session> {
  const accepted = new Promise<Socket>((resolve) => {
    net = createServer((s) => resolve(s));
  });
  await new Promise<void>((r) => net!.listen(0, '127.0.0.1', r));
  const port = (net!.address() as { port: number }).port;
  client = connect(`http://127.0.0.1:${port}`);
  grpc = await serveGrpc(await accepted, services);
  return client;
}

interface Reply {
  headers: Record<string, unknown>;
  trailers: Record<string, unknown>;
  messages: Buffer[];
}

function call(c: ClientHttp2Session, path: string, messages: Buffer[], split = false, extra: Record<string, string | string[]> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = c.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...extra });
    const reply: Reply = { headers: {}, trailers: {}, messages: [] };
    const deframer = new GrpcDeframer();
    req.on('response', (h) => (reply.headers = h));
    req.on('trailers', (t) => (reply.trailers = t));
    req.on('data', (chunk: Buffer) => reply.messages.push(...deframer.push(chunk).map((m) => Buffer.from(m))));
    req.on('end', () => resolve(reply));
    req.on('error', reject);
    const bytes = Buffer.concat(messages.map((m) => grpcFrame(m)));
    // byte by byte: frames cut anywhere, headers included
    if (split) for (const b of bytes) req.write(Buffer.of(b));
    else req.write(bytes);
    req.end();
  });
}

describe('GrpcDeframer', () => {
  it('splits messages cut anywhere, and keeps a partial one for later', () => {
    const d = new GrpcDeframer();
    const wire = Buffer.concat([grpcFrame(Buffer.from('abc')), grpcFrame(Buffer.alloc(0)), grpcFrame(Buffer.from('de'))]);
    expect(d.push(wire.subarray(0, 4))).toEqual([]);
    expect(d.push(wire.subarray(4, 15)).map((m) => Buffer.from(m).toString())).toEqual(['abc', '']);
    expect(d.empty).toBe(false);
    expect(d.push(wire.subarray(15)).map((m) => Buffer.from(m).toString())).toEqual(['de']);
    expect(d.empty).toBe(true);
  });
  it('frames as gRPC does: flag 0, big-endian length', () => {
    expect([...grpcFrame(Buffer.from('hi'))]).toEqual([0, 0, 0, 0, 2, 0x68, 0x69]);
  });
});

describe('serveGrpc', () => {
  it('answers the health check the engine uses to keep the session open', async () => {
    const c = await start({});
    const r = await call(c, '/grpc.health.v1.Health/Check', [Buffer.alloc(0)]);
    expect(r.trailers['grpc-status']).toBe('0');
    expect(r.messages.map((m) => [...m])).toEqual([[0x08, 0x01]]);
  });

  it('ends an unknown method with UNIMPLEMENTED (12)', async () => {
    const c = await start({});
    const r = await call(c, '/moby.nosuch.v1.X/Y', [Buffer.from('x')]);
    // trailers-only: the status is in the response headers
    expect(r.headers['grpc-status']).toBe('12');
    expect(r.messages).toEqual([]);
  });

  it('streams messages both ways, passes repeated metadata in order, and sends a handler\'s status', async () => {
    const seen: Record<string, string[]>[] = [];
    const c = await start({
      '/test.Echo/Bidi': async (callee) => {
        seen.push(callee.metadata);
        for await (const m of callee.messages()) callee.send(Buffer.from(Buffer.from(m).toString().toUpperCase()));
        callee.end({ code: 0 });
      },
      '/test.Echo/Fail': async () => {
        throw new Error('no such secret: 100% gone');
      },
    });
    const r = await call(c, '/test.Echo/Bidi', [Buffer.from('one'), Buffer.from('two'), Buffer.alloc(0)], true, { 'exclude-patterns': ['a', 'b, c'], 'dir-name': 'context' });
    expect(r.trailers['grpc-status']).toBe('0');
    expect(r.messages.map((m) => m.toString())).toEqual(['ONE', 'TWO', '']);
    expect(seen[0]!['exclude-patterns']).toEqual(['a', 'b, c']);
    expect(seen[0]!['dir-name']).toEqual(['context']);

    const f = await call(c, '/test.Echo/Fail', []);
    expect(f.headers['grpc-status']).toBe('2');
    expect(decodeURIComponent(String(f.headers['grpc-message']))).toBe('no such secret: 100% gone');
  });
});
