// Issue 14, defect 5: an engine that dies in the middle of a call. "socket hang up" / ECONNRESET becomes one
// line naming the engine and the call under way, and saying a rerun converges.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerEngine } from '../../../src/engine/dockerode/index.js';
import { callName, isConnectionLost, toEngineError } from '../../../src/engine/dockerode/errors.js';
import { EngineError, ErrorCodes } from '../../../src/model/errors.js';

let dir: string;
let socket: string;
let server: Server;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'berth-lost-'));
  socket = path.join(dir, 'engine.sock');
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://engine').pathname.replace(/^\/v[\d.]+/, '');
    // dies before answering
    if (url === '/containers/json') return req.socket.destroy();
    // dies half-way through its answer
    if (url === '/networks') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
      res.write('[{"Name":"a"');
      setTimeout(() => req.socket.destroy(), 20);
      return;
    }
    res.writeHead(404).end('{"message":"no"}');
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('the engine connection lost mid-call', () => {
  it('before the answer: one line naming the engine and the call', async () => {
    const engine = createDockerEngine({ host: `unix://${socket}` });
    const err = await engine.listContainers({ all: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe(ErrorCodes.ENGINE_CONNECTION_LOST);
    expect((err as EngineError).message).toBe(`lost the connection to the Docker engine at unix://${socket} during GET /containers/json; rerun the command: it converges`);
  });

  it('half-way through the answer', async () => {
    const engine = createDockerEngine({ host: `unix://${socket}` });
    const err = await engine.listNetworks({}).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe(ErrorCodes.ENGINE_CONNECTION_LOST);
    expect((err as EngineError).message).toMatch(/^lost the connection to the Docker engine at unix:\/\/.* during GET \/networks; rerun the command: it converges$/);
    expect((err as EngineError).message).not.toMatch(/socket hang up|ECONNRESET|aborted/);
  });

  it('the shapes of a broken connection, and what is not one', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const hangUp = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const pipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    for (const e of [reset, hangUp, pipe, new Error('socket hang up')]) expect(isConnectionLost(e)).toBe(true);
    expect(isConnectionLost(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(toEngineError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'unix:///x').code).toBe(ErrorCodes.ENGINE_UNREACHABLE);
    expect(toEngineError(hangUp, 'tcp://h:2375', 'POST /containers/create').message).toBe('lost the connection to the Docker engine at tcp://h:2375 during POST /containers/create; rerun the command: it converges');
    expect(callName('POST', '/v1.41/containers/abc/start?x=1')).toBe('POST /containers/abc/start');
  });
});
