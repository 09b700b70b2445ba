// buildWithBuildRoute (the build route, berth's path for host-gateway extra hosts) sends POST /build and the session's upgrade together (the engine's builder waits for the
// session the build names): the build request goes out before the session is open, and a session that cannot
// be opened cancels the build and fails with the session's error. Driven through a stand-in EngineHttp.
import { Duplex, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildWithBuildRoute } from '../../../src/engine/dockerode/buildkit/build.js';
import type { EngineHttp } from '../../../src/engine/dockerode/http.js';
import { HttpStatusError } from '../../../src/engine/dockerode/http.js';
import type { BuildKitRequest } from '../../../src/engine/types.js';

const request: BuildKitRequest = {
  tags: ['b8p-overlap'],
  dockerfile: 'Dockerfile',
  context: { files: { a: Buffer.from('a') } },
  dockerfileDir: { files: { Dockerfile: Buffer.from('FROM scratch\n') } },
  sessionName: 'app',
  sharedKey: 'k',
};

/** A socket that never speaks: the session's HTTP/2 server waits on it until it is closed. */
function quietSocket(): Duplex {
  return new Duplex({
    read() {},
    write(_chunk, _encoding, done) {
      done();
    },
  });
}

interface Recorded {
  events: string[];
  paths: string[];
  queries: Record<string, unknown>[];
}

function standIn(o: { upgrade: (events: string[]) => Promise<Duplex>; build: (events: string[]) => Promise<unknown> }): { http: EngineHttp; rec: Recorded } {
  const rec: Recorded = { events: [], paths: [], queries: [] };
  const http = {
    upgrade: (path: string) => {
      rec.events.push(`upgrade ${path}`);
      return o.upgrade(rec.events);
    },
    call: (c: { path: string; query?: Record<string, unknown> }) => {
      rec.paths.push(c.path);
      rec.queries.push(c.query ?? {});
      if (c.path.startsWith('/build?')) {
        rec.events.push('POST /build');
        return o.build(rec.events);
      }
      rec.events.push(`POST ${c.path}`);
      return Promise.resolve(undefined);
    },
  } as unknown as EngineHttp;
  return { http, rec };
}

describe('buildWithBuildRoute: the build and its session requested together', () => {
  it('sends POST /build before the session is open, and builds once both are there', async () => {
    let openSession!: () => void;
    const socket = quietSocket();
    const { http, rec } = standIn({
      upgrade: (events) =>
        new Promise((resolve) => {
          openSession = () => {
            events.push('session open');
            resolve(socket);
          };
        }),
      build: async (events) => {
        // the session is still opening when the build is requested: open it now, answer the build after
        expect(events).not.toContain('session open');
        setImmediate(() => openSession());
        await new Promise((r) => setTimeout(r, 20));
        return Readable.from([`${JSON.stringify({ id: 'moby.image.id', aux: { ID: 'sha256:abc' } })}\n`]);
      },
    });
    const result = await buildWithBuildRoute(http, 'unix:///stand-in.sock', request);
    expect(result.id).toBe('sha256:abc');
    expect(rec.events.slice(0, 2).sort()).toEqual(['POST /build', 'upgrade /session']);
    expect(rec.events.indexOf('POST /build')).toBeLessThan(rec.events.indexOf('session open'));
    // the session, named by the build, is closed with it
    expect(new URLSearchParams(rec.paths[0]!.split('?')[1]).get('session')).toMatch(/^[a-z2-7]{25}$/);
    expect(socket.destroyed).toBe(true);
  });

  it('a session the engine refuses cancels the build and fails with the session error', async () => {
    let buildDestroyed = false;
    const { http, rec } = standIn({
      upgrade: () => Promise.reject(new HttpStatusError(500, { message: 'no sessions today' })),
      build: async () => {
        const res = new Readable({ read() {} });
        res.on('close', () => (buildDestroyed = true));
        return res;
      },
    });
    await expect(buildWithBuildRoute(http, 'unix:///stand-in.sock', request)).rejects.toThrow(/no sessions today/);
    // the cancel names the build that was sent
    const buildId = new URLSearchParams(rec.paths[0]!.split('?')[1]).get('buildid');
    expect(buildId).toMatch(/^[0-9a-f-]{36}$/);
    const cancel = rec.paths.indexOf('/build/cancel');
    expect(cancel).toBeGreaterThan(0);
    expect(rec.queries[cancel]).toEqual({ id: buildId });
    // and its answer, which came anyway, is dropped
    await new Promise((r) => setImmediate(r));
    expect(buildDestroyed).toBe(true);
  });
});
