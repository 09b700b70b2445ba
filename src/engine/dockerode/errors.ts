// Translation of transport and HTTP failures into EngineError with the stable codes the CLI maps to exit codes.
// Everything here works on plain error shapes (docker-modem's Error with statusCode/json, Node's system errors)
// so it needs no dockerode import.
import { EngineError, ErrorCodes } from '../../model/errors.js';

// Socket-level failures that mean "there is no engine there for us", as opposed to an engine that answered.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'EACCES',
  'EPERM',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

// TLS handshakes that failed over certificates, on either side: the engine's certificate was not verified by the
// CA we were given (Node's OpenSSL codes), or the engine refused ours (TLS alerts, ERR_SSL_*).
const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function isTlsFailure(code: string | undefined): boolean {
  return code !== undefined && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_'));
}

// The connection broke after it was made: the engine died or restarted in the middle of a call. Unlike the
// codes above, the engine was there; what it did with the call is unknown, and rerunning converges.
const CONNECTION_LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Whether a failure is a connection that broke mid-call ("socket hang up", ECONNRESET, EPIPE). */
export function isConnectionLost(err: unknown): boolean {
  const e = (err ?? {}) as ModemError;
  return (typeof e.code === 'string' && CONNECTION_LOST_CODES.has(e.code)) || /^socket hang up$/i.test(e.message ?? '');
}

/** "POST /containers/create", "GET /containers/x/json" (version prefix and query dropped): a call, for messages. */
export function callName(method: string, path: string): string {
  return `${method} ${path.replace(/^\/v[\d.]+(?=\/)/, '').replace(/\?.*$/, '')}`;
}

const PORT_IN_USE = /port is already allocated|address already in use/i;
// Engine 20.10 answers 403, not 409, for these two conflicts over existing state ("endpoint with name x already
// exists in network y", "network y id … has active endpoints"); callers treat them like any other conflict.
const FORBIDDEN_CONFLICT = /already exists|has active endpoints/i;

interface ModemError {
  readonly message?: string;
  readonly code?: string;
  readonly statusCode?: number;
  readonly json?: unknown;
}

/** The engine's own message, without docker-modem's "(HTTP code 500) server error - " wrapping. */
export function engineMessage(err: unknown): string {
  const e = (err ?? {}) as ModemError;
  const json = e.json;
  if (json && typeof json === 'object' && !Buffer.isBuffer(json) && typeof (json as { message?: unknown }).message === 'string') {
    return ((json as { message: string }).message).trim();
  }
  const raw = typeof e.message === 'string' ? e.message : String(err);
  return raw.replace(/^\(HTTP code \d+\) [^-]*?- /, '').trim();
}

export function unreachable(display: string, err: unknown): EngineError {
  const e = err as ModemError;
  const detail = (e?.message ?? String(err)).trim();
  const hint =
    e?.code === 'EACCES' || e?.code === 'EPERM'
      ? 'does your user have permission to use the socket (e.g. membership of the docker group)?'
      : isTlsFailure(e?.code)
        ? "TLS certificates not accepted: check the CA, certificate and key (the context's, --tlscacert/--tlscert/--tlskey, or those in DOCKER_CERT_PATH)"
        : 'is the Docker daemon running?';
  return new EngineError(
    ErrorCodes.ENGINE_UNREACHABLE,
    `cannot connect to the Docker engine at ${display}: ${detail} — ${hint} (set DOCKER_HOST to point elsewhere)`,
    { cause: err },
  );
}

/**
 * Map any failure of an engine call; `display` is the engine address, named in unreachable errors, and
 * `operation` the call that was under way, named when the connection broke during it. The engine's
 * messages already name the object ("No such container: x", "The container name "/x" is already in use"), so
 * they are kept verbatim for the caller to prefix with the resource it was working on.
 */
export function toEngineError(err: unknown, display: string, operation?: string): EngineError {
  if (err instanceof EngineError) return err;
  const e = (err ?? {}) as ModemError;
  if (typeof e.statusCode !== 'number') {
    if (isConnectionLost(err)) {
      return new EngineError(ErrorCodes.ENGINE_CONNECTION_LOST, `lost the connection to the Docker engine at ${display}${operation ? ` during ${operation}` : ''}; rerun the command: it converges`, { cause: err });
    }
    if (typeof e.code === 'string' && (UNREACHABLE_CODES.has(e.code) || isTlsFailure(e.code))) return unreachable(display, err);
    return new EngineError(ErrorCodes.ENGINE_FAILED, engineMessage(err), { cause: err });
  }
  const message = engineMessage(err);
  const statusCode = e.statusCode;
  const code =
    statusCode === 404
      ? ErrorCodes.ENGINE_NOT_FOUND
      : statusCode === 409 || (statusCode === 403 && FORBIDDEN_CONFLICT.test(message))
        ? ErrorCodes.ENGINE_CONFLICT
        : PORT_IN_USE.test(message)
          ? ErrorCodes.ENGINE_PORT_IN_USE
          : ErrorCodes.ENGINE_FAILED;
  return new EngineError(code, message, { statusCode, cause: err });
}

/** A failure reported inside a 200 stream (pull progress), which carries no status code. */
export function streamError(message: string, notFoundCode: string = ErrorCodes.ENGINE_FAILED): EngineError {
  return new EngineError(isImageNotFound(message) ? notFoundCode : ErrorCodes.ENGINE_FAILED, message.trim());
}

// What registries and the engine say when a reference names nothing pullable; engine 20.10 reports most of these
// as a 404 on POST /images/create, but some registries only say so inside the progress stream.
export function isImageNotFound(message: string): boolean {
  return /manifest unknown|not found|does not exist|repository .* not found|no such image/i.test(message);
}
