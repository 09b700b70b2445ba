// The control API's build request (Control.Solve's SolveRequest, built by one pure function from berth's
// request) and berth's gRPC client (grpc-client.ts) against its own gRPC server over a real socket.
import { createServer, type Server, type Socket } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { needsBuildRoute, sessionDirs, solveRequest } from '../../../src/engine/dockerode/buildkit/control.js';
import { grpcClient, type GrpcClient } from '../../../src/engine/dockerode/buildkit/grpc-client.js';
import { GrpcError, GrpcStatus, serveGrpc, type GrpcServer, type GrpcServices } from '../../../src/engine/dockerode/buildkit/grpc.js';
import { protoType } from '../../../src/engine/dockerode/buildkit/proto.js';
import type { BuildKitRequest } from '../../../src/engine/types.js';

const base: BuildKitRequest = { tags: ['p-web'], dockerfile: 'Dockerfile', context: { path: '/c' }, dockerfileDir: { path: '/c' }, sessionName: 'web', sharedKey: 'k' };

describe('solveRequest', () => {
  it('maps every build key to the attributes the engine derives on its build route (golden)', () => {
    const r = solveRequest({
      ref: 'ref1',
      session: 'sess1',
      request: {
        ...base,
        tags: ['p-web', 'reg/web:1'],
        dockerfile: 'app.Dockerfile',
        buildArgs: { A: '1', BUILDKIT_INLINE_CACHE: '1' },
        labels: { l: 'v' },
        target: 'prod',
        noCache: true,
        pull: true,
        networkMode: 'host',
        shmSize: 1024,
        extraHosts: ['db:10.0.0.2', 'v6:::1'],
        cacheFrom: ['reg/web:cache'],
        platform: 'linux/amd64',
      },
    });
    expect(r).toEqual({
      Ref: 'ref1',
      Session: 'sess1',
      Frontend: 'dockerfile.v0',
      FrontendAttrs: {
        filename: 'app.Dockerfile',
        target: 'prod',
        'build-arg:A': '1',
        'build-arg:BUILDKIT_INLINE_CACHE': '1',
        'label:l': 'v',
        'no-cache': '',
        'image-resolve-mode': 'pull',
        platform: 'linux/amd64',
        'force-network-mode': 'host',
        'add-hosts': 'db=10.0.0.2,v6=::1',
        'shm-size': '1024',
        'cache-imports': '[{"Type":"registry","Attrs":{"ref":"reg/web:cache"}}]',
      },
      ExporterDeprecated: 'moby',
      ExporterAttrsDeprecated: { name: 'p-web,reg/web:1' },
      Exporters: [{ Type: 'moby', Attrs: { name: 'p-web,reg/web:1' } }],
      Cache: { Imports: [{ Type: 'registry', Attrs: { ref: 'reg/web:cache' } }], Exports: [{ Type: 'inline', Attrs: {} }] },
      Entitlements: ['network.host'],
    });
  });

  it('asks for nothing more than the defaults of a plain build', () => {
    const r = solveRequest({ ref: 'r', session: 's', request: base });
    expect(r.FrontendAttrs).toEqual({ filename: 'Dockerfile', 'image-resolve-mode': 'local' });
    expect(r.Cache).toEqual({ Imports: [], Exports: [] });
    expect(r.Entitlements).toEqual([]);
  });

  it('takes network none without an entitlement, and refuses a network BuildKit cannot join', () => {
    expect(solveRequest({ ref: 'r', session: 's', request: { ...base, networkMode: 'none' } })).toMatchObject({ FrontendAttrs: { 'force-network-mode': 'none' }, Entitlements: [] });
    expect(solveRequest({ ref: 'r', session: 's', request: { ...base, networkMode: 'default' } }).FrontendAttrs['force-network-mode']).toBeUndefined();
    expect(() => solveRequest({ ref: 'r', session: 's', request: { ...base, networkMode: 'mynet' } })).toThrow('network mode "mynet" not supported by buildkit');
  });

  it('exports the inline cache only when BUILDKIT_INLINE_CACHE is true as Go reads it', () => {
    expect(solveRequest({ ref: 'r', session: 's', request: { ...base, buildArgs: { BUILDKIT_INLINE_CACHE: 'true' } } }).Cache.Exports).toEqual([{ Type: 'inline', Attrs: {} }]);
    expect(solveRequest({ ref: 'r', session: 's', request: { ...base, buildArgs: { BUILDKIT_INLINE_CACHE: '0' } } }).Cache.Exports).toEqual([]);
  });

  it('adds cache exports after the inline one, and imports of any type after the registry references', () => {
    const r = solveRequest({ ref: 'r', session: 's', request: { ...base, buildArgs: { BUILDKIT_INLINE_CACHE: '1' }, cacheExports: [{ type: 'registry', attrs: { ref: 'h:5000/c:1', mode: 'max' } }] } });
    expect(r.Cache.Exports).toEqual([
      { Type: 'inline', Attrs: {} },
      { Type: 'registry', Attrs: { ref: 'h:5000/c:1', mode: 'max' } },
    ]);
    expect(needsBuildRoute({ ...base, extraHosts: ['h:host-gateway'], cacheExports: [{ type: 'registry', attrs: { ref: 'x' } }] })).toBe(false);
    const imports = solveRequest({ ref: 'r', session: 's', request: { ...base, cacheFrom: ['h/c:1'], cacheImports: [{ type: 'local', attrs: { src: '/c' } }] } });
    expect(imports.Cache.Imports).toEqual([
      { Type: 'registry', Attrs: { ref: 'h/c:1' } },
      { Type: 'local', Attrs: { src: '/c' } },
    ]);
    expect(JSON.parse(imports.FrontendAttrs['cache-imports']!)).toEqual(imports.Cache.Imports);
  });

  it('encodes as a SolveRequest and decodes back the same', async () => {
    const T = await protoType('moby.buildkit.v1.SolveRequest');
    const r = solveRequest({ ref: 'r', session: 's', request: { ...base, cacheFrom: ['x'], networkMode: 'host' } });
    // as control.ts encodes it: the plain object, no fromObject
    const back = T.toObject(T.decode(T.encode(r as never).finish()), { arrays: true, objects: true });
    expect(back).toMatchObject(JSON.parse(JSON.stringify(r)));
  });

  it('passes named contexts as buildx names them: local directories by their own name (but context/dockerfile), images as docker-image://', () => {
    const request: BuildKitRequest = { ...base, namedContexts: { extra: { dir: { path: '/e' } }, context: { dir: { path: '/c2' } }, base: { image: 'p-base' } } };
    const r = solveRequest({ ref: 'r', session: 's', request });
    expect(r.FrontendAttrs).toMatchObject({
      'context:extra': 'local:extra',
      'context:context': 'local:_context',
      'context:base': 'docker-image://p-base',
      'frontend.caps': 'moby.buildkit.frontend.contexts+forward',
    });
    expect(sessionDirs(request)).toEqual({ context: { path: '/c' }, dockerfile: { path: '/c' }, extra: { path: '/e' }, _context: { path: '/c2' } });
    expect(solveRequest({ ref: 'r', session: 's', request: base }).FrontendAttrs['frontend.caps']).toBeUndefined();
  });

  it('keeps the build route for host-gateway, which only the engine resolves there', () => {
    expect(needsBuildRoute({ ...base, extraHosts: ['h:host-gateway'] })).toBe(true);
    expect(needsBuildRoute({ ...base, extraHosts: ['h:10.0.0.1'] })).toBe(false);
  });
});

let net: Server | undefined;
let server: GrpcServer | undefined;
let client: GrpcClient | undefined;
afterEach(() => {
  client?.close();
  server?.close();
  net?.close();
});

async function start(services: GrpcServices): Promise<GrpcClient> {
  const accepted = new Promise<Socket>((resolve) => {
    net = createServer((s) => resolve(s));
  });
  await new Promise<void>((r) => net!.listen(0, '127.0.0.1', r));
  const socket = connect((net!.address() as { port: number }).port, '127.0.0.1');
  client = await grpcClient(socket);
  server = await serveGrpc(await accepted, services);
  return client;
}

describe('grpcClient', () => {
  it('makes unary calls and reads server streams to their end', async () => {
    const c = await start({
      '/t.S/Echo': async (call) => {
        for await (const m of call.messages()) call.send(Buffer.concat([Buffer.from('re:'), m]));
      },
      '/t.S/Count': async (call) => {
        for await (const _ of call.messages());
        for (let i = 0; i < 3; i++) call.send(Buffer.from(String(i)));
      },
    });
    expect(Buffer.from(await c.unary('/t.S/Echo', Buffer.from('x'))).toString()).toBe('re:x');
    const got: string[] = [];
    for await (const m of c.serverStream('/t.S/Count', Buffer.alloc(0))) got.push(Buffer.from(m).toString());
    expect(got).toEqual(['0', '1', '2']);
  });

  it("throws the call's status and message, trailers-only answers included", async () => {
    const c = await start({
      '/t.S/Fail': async (call) => {
        call.send(Buffer.from('partial'));
        throw new GrpcError(GrpcStatus.NOT_FOUND, 'no such job: 100% gone');
      },
    });
    await expect(c.unary('/t.S/Fail', Buffer.alloc(0))).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND, message: 'no such job: 100% gone' });
    await expect(c.unary('/t.S/Missing', Buffer.alloc(0))).rejects.toMatchObject({ code: GrpcStatus.UNIMPLEMENTED });
  });

  it('cancels a call when its signal aborts', async () => {
    let cancelled!: () => void;
    const seen = new Promise<void>((r) => (cancelled = r));
    const c = await start({
      '/t.S/Hang': async (call) => {
        for await (const _ of call.messages());
        await new Promise((r) => setTimeout(r, 50));
        // the stream is reset: waiting for room fails
        await (call as unknown as { writable(): Promise<void> }).writable().catch(() => cancelled());
        await seen;
      },
    });
    const ac = new AbortController();
    const p = c.unary('/t.S/Hang', Buffer.alloc(0), ac.signal);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: GrpcStatus.CANCELLED });
    await seen;
  });
});
