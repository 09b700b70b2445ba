// A BuildKit session with the engine: `POST /session`, upgraded to h2c, on which the engine's builder calls
// back the gRPC services berth announces (one X-Docker-Expose-Session-Grpc-Method header per method). The
// session lives until closed; a build names it by id (`POST /build?session=<id>`).
import { randomBytes } from 'node:crypto';
import type { EngineHttp } from '../http.js';
import { HEALTH_CHECK, serveGrpc, type GrpcServices } from './grpc.js';

export interface BuildSession {
  readonly id: string;
  /** Settles when the engine or berth has closed the connection. */
  readonly closed: Promise<void>;
  close(): void;
}

export interface SessionOptions {
  /** The session's id (sessionId()); a new one when absent. Known before the session is open, a build can name it at once. */
  readonly id?: string;
  /** Shown by the engine as the session's name (compose: the project directory's name). */
  readonly name: string;
  /** What the builder keys its per-client caches on (the local sources' last transfers): stable per context. */
  readonly sharedKey: string;
  readonly services: GrpcServices;
  /** A handler failed (for a debug log; the builder gets the error as the call's status). */
  readonly onError?: (path: string, err: unknown) => void;
}

/** 25 random base-32 characters, as BuildKit's identity package makes them. */
export function sessionId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return Array.from(randomBytes(25), (b) => alphabet[b & 31]).join('');
}

export async function openSession(http: EngineHttp, options: SessionOptions): Promise<BuildSession> {
  const id = options.id ?? sessionId();
  const headers: Record<string, string | string[]> = {
    'X-Docker-Expose-Session-Uuid': id,
    'X-Docker-Expose-Session-Name': options.name,
    'X-Docker-Expose-Session-Sharedkey': options.sharedKey,
    'X-Docker-Expose-Session-Grpc-Method': [...Object.keys(options.services), HEALTH_CHECK],
  };
  const socket = await http.upgrade('/session', 'h2c', headers);
  const server = await serveGrpc(socket, options.services, options.onError);
  return { id, closed: server.closed, close: () => server.close() };
}
