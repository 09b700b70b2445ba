// The engine's request/response transport (src/engine/dockerode/http.ts), against an HTTP server on a unix
// socket of the test's own: what goes on the wire (method, path, query, body, headers), what comes back, and
// that failures map to the same EngineErrors as docker-modem's (errors.ts). Also: a no-op command's calls
// never load dockerode.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerEngine } from '../../../src/engine/dockerode/index.js';
import { queryString, requestBody } from '../../../src/engine/dockerode/http.js';
import { ErrorCodes } from '../../../src/model/errors.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let dir: string;
let socket: string;
let server: Server;
const seen: Seen[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'berth-http-'));
  socket = path.join(dir, 'engine.sock');
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const url = new URL(req.url!, 'http://engine');
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (url.pathname === '/containers/json') return json(200, [{ Id: 'c1', Names: ['/p-web-1'], Image: 'busybox', State: 'running', Labels: { a: 'b' } }]);
      if (url.pathname === '/containers/create') return json(201, { Id: 'new-id', Warnings: [] });
      if (url.pathname === '/containers/c1/start') return res.writeHead(204).end();
      if (url.pathname === '/containers/gone/json') return json(404, { message: 'No such container: gone' });
      if (url.pathname === '/containers/busy/stop') return json(409, { message: 'container busy is restarting' });
      if (url.pathname === '/broken') return res.writeHead(500).end('plain text failure');
      return json(404, { message: `page not found: ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('queryString and requestBody (docker-modem wire format)', () => {
  it('sends objects as JSON and leaves undefined out', () => {
    expect(queryString({ all: 'true', filters: { label: ['a=b'] }, skip: undefined })).toBe(
      `?all=true&filters=${encodeURIComponent('{"label":["a=b"]}')}`,
    );
    expect(queryString({})).toBe('');
    expect(queryString(undefined)).toBe('');
  });

  it('sends an empty POST body as no body at all (POST /start rejects one)', () => {
    expect(requestBody('POST', {})).toBeUndefined();
    expect(requestBody('POST', { Image: 'x' })).toBe('{"Image":"x"}');
    expect(requestBody('GET', { a: 1 })).toBeUndefined();
  });
});

describe('the engine over its own http transport', () => {
  it('lists and starts with the expected requests', async () => {
    const engine = createDockerEngine({ host: `unix://${socket}` });
    seen.length = 0;
    const list = await engine.listContainers({ all: true, labels: ['com.docker.compose.project=p'] });
    expect(list.map((c) => c.id)).toEqual(['c1']);
    expect(seen[0]).toMatchObject({ method: 'GET' });
    expect(decodeURIComponent(seen[0].url)).toBe('/containers/json?all=true&filters={"label":["com.docker.compose.project=p"]}');

    await engine.startContainer('c1');
    expect(seen[1]).toMatchObject({ method: 'POST', url: '/containers/c1/start', body: '' });
    expect(seen[1].headers['content-type']).toBeUndefined();
  });

  it('maps engine errors as errors.ts does for docker-modem', async () => {
    const engine = createDockerEngine({ host: `unix://${socket}` });
    expect(await engine.inspectContainer('gone')).toBeUndefined();
    await expect(engine.stopContainer('busy', 1)).rejects.toMatchObject({ code: ErrorCodes.ENGINE_CONFLICT, message: 'container busy is restarting' });
  });

  it('reports an engine that is not there as unreachable, naming the address', async () => {
    const engine = createDockerEngine({ host: `unix://${path.join(dir, 'nothing.sock')}` });
    const err = await engine.version().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCodes.ENGINE_UNREACHABLE });
    expect(String((err as Error).message)).toContain(`unix://${path.join(dir, 'nothing.sock')}`);
  });

  it('does not load dockerode for request/response calls', async () => {
    const engine = createDockerEngine({ host: `unix://${socket}` });
    await engine.listContainers({ all: true });
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/dockerode/') || k.includes('/node_modules/docker-modem/'));
    expect(loaded).toEqual([]);
  });
});
