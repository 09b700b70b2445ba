// Request/response calls to the Engine API over Node's own http/https: the JSON calls (list, inspect, create,
// start, stop, remove, ...) and plain response streams (logs, events). They are what every `up`, `down` and
// `ps` consists of, and going through docker-modem costs each of those commands ~30 ms: loading dockerode and
// docker-modem (readable-stream, debug, ...) and an eager util.inspect of every request's options with
// showHidden and unlimited depth (done for its debug log even when that log is off). Hijacked connections
// (attach, exec), request bodies streamed from files and registry-authenticated image calls still go through
// docker-modem (engine.ts decides); ssh:// engines are reached through ssh processes (ssh.ts) on both paths.
// The wire format is the same as docker-modem's: JSON query values for objects, a JSON body unless it is
// empty, the same error shape (statusCode, json, "(HTTP code N) ..." message) so errors.ts maps both alike.
import type { Agent, IncomingMessage, RequestOptions } from 'node:http';
import { startupMark } from '../../model/startup-trace.js';
import type { DockerConnection } from './docker-host.js';

export interface HttpCall {
  readonly path: string;
  readonly method: 'GET' | 'POST' | 'DELETE' | 'HEAD' | 'PUT';
  /** Status codes that mean success; any other is an error carrying the engine's message. */
  readonly ok: readonly number[];
  readonly query?: Record<string, unknown>;
  readonly body?: unknown;
  /** Resolve with the response stream instead of its parsed body. */
  readonly isStream?: boolean;
  readonly signal?: AbortSignal;
  /** Extra request headers (X-Registry-Auth for service create/update). */
  readonly headers?: Record<string, string>;
}

/** TLS material for an https engine, as read from DOCKER_CERT_PATH. */
export interface TlsMaterial {
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized: boolean;
}

/** The error docker-modem gives for an unexpected status, which errors.ts understands. */
export class HttpStatusError extends Error {
  constructor(
    readonly statusCode: number,
    readonly json: unknown,
  ) {
    const cause = json && typeof json === 'object' && !Buffer.isBuffer(json) ? ((json as { message?: string }).message ?? JSON.stringify(json)) : String(json ?? '');
    super(`(HTTP code ${statusCode}) unexpected - ${cause} `);
  }
}

/** Objects become JSON (the engine's filters), everything else its string form; undefined is left out. */
export function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const text = value !== null && typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : String(value);
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** The body as docker-modem sends it: JSON, except that an empty object is no body at all (POST /start). */
export function requestBody(method: string, body: unknown): string | undefined {
  if (method !== 'POST' || body === undefined) return undefined;
  const json = JSON.stringify(body);
  return json === '{}' || json === '""' ? undefined : json;
}

/** Parsed JSON when the body is JSON, else the raw bytes (docker-modem's rule). */
function parseBody(buffer: Buffer): unknown {
  if (buffer.length === 0) return buffer;
  try {
    return JSON.parse(buffer.toString('utf8'));
  } catch {
    return buffer;
  }
}

function readAll(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
  });
}

/**
 * How long a request may wait for the engine's first answer (response headers), until the engine has answered
 * once: an address where something accepts connections but never speaks (a wedged daemon, a port forward to
 * nothing, the wrong service) otherwise hangs every command forever. After the first answer there is no limit,
 * since some calls are slow by nature (stop waits for the grace period, remove for the volumes). Seconds, from
 * BERTH_ENGINE_TIMEOUT; 0 turns the limit off.
 */
export const DEFAULT_ENGINE_TIMEOUT_S = 60;

export function engineTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.BERTH_ENGINE_TIMEOUT;
  const n = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return (Number.isFinite(n) && n >= 0 ? n : DEFAULT_ENGINE_TIMEOUT_S) * 1000;
}

/** No answer within the limit; code ETIMEDOUT so errors.ts reports the engine as unreachable. */
export class EngineSilentError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`connected, but the engine did not answer within ${ms / 1000} s (BERTH_ENGINE_TIMEOUT=${ms / 1000}; 0 waits forever)`);
  }
}

export class EngineHttp {
  /** Set by the first response: from then on the engine is known to speak and requests have no deadline. */
  private answered = false;
  private agent?: Promise<{ agent: Agent; request: typeof import('node:http').request }>;

  /** `tls` is read lazily, on the first call, and only for an https engine. */
  constructor(
    private readonly connection: DockerConnection,
    private readonly tls: () => Promise<TlsMaterial>,
  ) {}

  private transport(): Promise<{ agent: Agent; request: typeof import('node:http').request }> {
    this.agent ??= (async () => {
      const c = this.connection;
      if (c.kind === 'ssh') {
        const [http, { SshAgent }] = await Promise.all([import('node:http'), import('./ssh.js')]);
        return { agent: new SshAgent(c), request: http.request };
      }
      if (c.kind === 'tcp' && c.protocol === 'https') {
        const https = await import('node:https');
        const tls = await this.tls();
        return { agent: new https.Agent({ keepAlive: true, ...tls, ca: tls.ca as string[] | undefined }), request: https.request };
      }
      const http = await import('node:http');
      // servername '' on a socket without TLS: otherwise Node derives one for every new socket, and the first
      // time that compiles net.isIP's expressions (~7 ms). keepAlive as Node's global agent; idle sockets are
      // unreferenced, so they never keep the process alive.
      const options = c.kind === 'tcp' ? { keepAlive: true } : { keepAlive: true, servername: '' };
      return { agent: new http.Agent(options as ConstructorParameters<typeof http.Agent>[0]), request: http.request };
    })();
    return this.agent;
  }

  /**
   * A request the engine answers by switching protocols (101): the raw connection, for a BuildKit session.
   * Any bytes the engine sent after its answer are put back at the socket's front.
   */
  async upgrade(path: string, protocol: string, headers: Record<string, string | string[]>): Promise<import('node:stream').Duplex> {
    const { agent, request } = await this.transport();
    const c = this.connection;
    return new Promise((resolve, reject) => {
      const req = request({
        method: 'POST',
        path,
        headers: { ...headers, Connection: 'Upgrade', Upgrade: protocol },
        agent,
        ...(c.kind === 'tcp' ? { host: c.host, port: c.port } : c.kind === 'ssh' ? { host: 'docker' } : { socketPath: c.socketPath }),
      });
      req.on('upgrade', (_res, socket, head) => {
        this.answered = true;
        if (head.length) socket.unshift(head);
        resolve(socket);
      });
      req.on('response', (res) => {
        readAll(res)
          .catch(() => Buffer.alloc(0))
          .then((raw) => reject(new HttpStatusError(res.statusCode ?? 0, parseBody(raw))));
      });
      req.on('error', reject);
      req.end();
    });
  }

  async call<T>(o: HttpCall): Promise<T> {
    const { agent, request } = await this.transport();
    const c = this.connection;
    const body = requestBody(o.method, o.body);
    const headers: Record<string, string | number> = { ...o.headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const options: RequestOptions = {
      method: o.method,
      path: o.path + queryString(o.query),
      headers,
      agent,
      // an ssh connection's address is the agent's business; the Host header names no real host, as the docker CLI's
      ...(c.kind === 'tcp' ? { host: c.host, port: c.port } : c.kind === 'ssh' ? { host: 'docker' } : { socketPath: c.socketPath }),
      ...(o.signal ? { signal: o.signal } : {}),
    };
    const limit = this.answered ? 0 : engineTimeoutMs();
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const req = request(options, (r) => {
        clearTimeout(timer);
        this.answered = true;
        resolve(r);
      });
      if (limit > 0) {
        timer = setTimeout(() => req.destroy(new EngineSilentError(limit)), limit);
        timer.unref();
      }
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(body);
      startupMark(`request ${o.method} ${o.path}`);
    });
    const status = res.statusCode ?? 0;
    if (!o.ok.includes(status)) {
      const raw = await readAll(res).catch(() => Buffer.alloc(0));
      throw new HttpStatusError(status, parseBody(raw));
    }
    if (o.isStream) return res as T;
    const raw = await readAll(res);
    startupMark(`response ${o.method} ${o.path}`);
    return parseBody(raw) as T;
  }
}
