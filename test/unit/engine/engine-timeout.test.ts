// The first-answer deadline of the engine connection (src/engine/dockerode/http.ts): an address that accepts
// and never speaks fails within BERTH_ENGINE_TIMEOUT, saying so; once the engine has answered, slow calls are
// not cut off.
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerEngine } from '../../../src/engine/dockerode/engine.js';
import { DEFAULT_ENGINE_TIMEOUT_S, engineTimeoutMs } from '../../../src/engine/dockerode/http.js';
import { EngineError, ErrorCodes } from '../../../src/model/errors.js';
import { closeHard, track } from '../../helpers/tracked-server.js';

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map(closeHard)));

function serve(onRequest: (send: (text: string) => void, n: number) => void): Promise<number> {
  let n = 0;
  const server = createServer((sock) => {
    sock.on('data', () => onRequest((text) => sock.write(text), n++));
  });
  servers.push(track(server));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

const tcp = (port: number) => new DockerEngine({ kind: 'tcp', protocol: 'http', host: '127.0.0.1', port, display: `tcp://127.0.0.1:${port}` });
const json = (body: unknown) => {
  const text = JSON.stringify(body);
  return `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
};

describe('engine first-answer timeout', () => {
  it('BERTH_ENGINE_TIMEOUT in seconds; unset, empty or invalid is the default; 0 is no limit', () => {
    expect(DEFAULT_ENGINE_TIMEOUT_S).toBe(60);
    expect(engineTimeoutMs({})).toBe(60_000);
    expect(engineTimeoutMs({ BERTH_ENGINE_TIMEOUT: '' })).toBe(60_000);
    expect(engineTimeoutMs({ BERTH_ENGINE_TIMEOUT: 'soon' })).toBe(60_000);
    expect(engineTimeoutMs({ BERTH_ENGINE_TIMEOUT: '-1' })).toBe(60_000);
    expect(engineTimeoutMs({ BERTH_ENGINE_TIMEOUT: '2.5' })).toBe(2500);
    expect(engineTimeoutMs({ BERTH_ENGINE_TIMEOUT: '0' })).toBe(0);
  });

  it('a server that accepts and never answers: ENGINE_UNREACHABLE within the limit, the limit stated', async () => {
    const port = await serve(() => {});
    const saved = process.env.BERTH_ENGINE_TIMEOUT;
    process.env.BERTH_ENGINE_TIMEOUT = '0.3';
    try {
      const t0 = Date.now();
      const err = await tcp(port).version().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).code).toBe(ErrorCodes.ENGINE_UNREACHABLE);
      expect((err as EngineError).message).toMatch(new RegExp(`tcp://127\\.0\\.0\\.1:${port}: connected, but the engine did not answer within 0\\.3 s \\(BERTH_ENGINE_TIMEOUT=0\\.3`));
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    } finally {
      if (saved === undefined) delete process.env.BERTH_ENGINE_TIMEOUT;
      else process.env.BERTH_ENGINE_TIMEOUT = saved;
    }
  });

  it('after the first answer a slow call is not cut off', async () => {
    const port = await serve((send, n) => {
      if (n === 0) send(json({ Version: '20.10', ApiVersion: '1.41' }));
      else setTimeout(() => send(json({ NCPU: 2 })), 600);
    });
    const saved = process.env.BERTH_ENGINE_TIMEOUT;
    process.env.BERTH_ENGINE_TIMEOUT = '0.3';
    try {
      const engine = tcp(port);
      expect(await engine.version()).toEqual({ version: '20.10', apiVersion: '1.41' });
      expect(await engine.info()).toEqual({ cpus: 2 });
    } finally {
      if (saved === undefined) delete process.env.BERTH_ENGINE_TIMEOUT;
      else process.env.BERTH_ENGINE_TIMEOUT = saved;
    }
  });
});
