// A BuildKit build on the engine's build route (API 1.41), kept for what the control API (control.ts) cannot
// do on every engine: a session serving the context and Dockerfile
// directories, then `POST /build?version=2&remote=client-session&session=<id>`, whose NDJSON answer carries
// BuildKit's progress as `moby.buildkit.trace` aux messages (a StatusResponse, protobuf, base64 in JSON) and
// the image id as `moby.image.id`. The engine's builder reads the Dockerfile from the session's "dockerfile"
// directory (the `dockerfile` parameter is its name there) and the files from "context".
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { EngineError, ErrorCodes } from '../../../model/errors.js';
import type { BuildKitProgress, BuildKitRequest, BuildKitResult, BuildKitTransfer } from '../../types.js';
import { toEngineError } from '../errors.js';
import type { EngineHttp } from '../http.js';
import { NdjsonSplitter } from '../streams.js';
import { fileSyncServices, type FileSyncTransfer } from './filesync.js';
import type { GrpcServices } from './grpc.js';
import { loadProtos, protoType } from './proto.js';
import { progressOf } from './progress.js';
import { openSession, sessionId, type BuildSession } from './session.js';

type Json = Record<string, any>;

/** The query of the build route; repeated parameters (t, extrahosts) are repeated keys, maps are JSON. */
export function buildQuery(request: BuildKitRequest, sessionId: string, buildId: string): string {
  const q = new URLSearchParams();
  q.set('version', '2');
  q.set('remote', 'client-session');
  q.set('session', sessionId);
  q.set('buildid', buildId);
  q.set('dockerfile', request.dockerfile);
  for (const t of request.tags) q.append('t', t);
  if (request.buildArgs && Object.keys(request.buildArgs).length) q.set('buildargs', JSON.stringify(request.buildArgs));
  if (request.labels && Object.keys(request.labels).length) q.set('labels', JSON.stringify(request.labels));
  if (request.target) q.set('target', request.target);
  if (request.noCache) q.set('nocache', '1');
  if (request.pull) q.set('pull', '1');
  if (request.networkMode) q.set('networkmode', request.networkMode);
  if (request.shmSize !== undefined) q.set('shmsize', String(request.shmSize));
  for (const h of request.extraHosts ?? []) q.append('extrahosts', h);
  if (request.cacheFrom?.length) q.set('cachefrom', JSON.stringify(request.cacheFrom));
  if (request.platform) q.set('platform', request.platform);
  return `/build?${q.toString()}`;
}

/** A StatusResponse (protobuf, base64 as the build route's aux messages carry it) in berth's words. */
export async function decodeTrace(base64: string): Promise<BuildKitProgress> {
  const StatusResponse = await protoType('moby.buildkit.v1.StatusResponse');
  // the decoded message is read as it is (unset fields are its defaults: '', 0, null, []), not converted to a
  // plain object first: a build decodes one of these per progress update, tens to thousands of them
  return progressOf(StatusResponse.decode(Buffer.from(base64, 'base64')) as Json);
}

export interface BuildKitBuildOptions {
  /** Extra session services (secrets, ssh forwarding, registry auth), by gRPC path. */
  readonly services?: GrpcServices;
}

/**
 * A BuildKit build: through the control API (control.ts), as compose runs them, unless the request needs what
 * only the build route does (`host-gateway` in extra hosts, which the engine resolves there).
 */
export async function buildWithBuildKit(
  http: EngineHttp,
  address: string,
  request: BuildKitRequest,
  onProgress?: (p: BuildKitProgress) => void,
  options: BuildKitBuildOptions = {},
): Promise<BuildKitResult> {
  const { buildWithControl, needsBuildRoute } = await import('./control.js');
  if (needsBuildRoute(request)) return buildWithBuildRoute(http, address, request, onProgress, options);
  return buildWithControl(http, address, request, onProgress, options);
}

/** A build through `POST /build?version=2` (see the top of this file). */
export async function buildWithBuildRoute(
  http: EngineHttp,
  address: string,
  request: BuildKitRequest,
  onProgress?: (p: BuildKitProgress) => void,
  options: BuildKitBuildOptions = {},
): Promise<BuildKitResult> {
  const transfers: BuildKitTransfer[] = [];
  const services: GrpcServices = {
    ...fileSyncServices({ context: request.context, dockerfile: request.dockerfileDir }, (t: FileSyncTransfer) => transfers.push({ ...t })),
    ...options.services,
  };
  // The build and its session are requested together, as the docker CLI and buildx do: the engine's builder
  // waits for the session it names (BuildKit's session manager, up to 5 s), and its first call on it (the
  // Dockerfile) comes tens of ms after the build started. So the session's upgrade, its HTTP/2 set-up and
  // loading the message types all happen while the engine starts the build, not before it; the build, the
  // longer path, is sent first.
  const id = sessionId();
  const buildId = randomUUID();
  const requested = http.call<IncomingMessage>({ path: buildQuery(request, id, buildId), method: 'POST', ok: [200], isStream: true, headers: { 'Content-Type': 'application/x-tar' } });
  // awaited below, after the session: a failure meanwhile is not unhandled
  requested.catch(() => undefined);
  const opening = openSession(http, { id, name: request.sessionName, sharedKey: request.sharedKey, services });
  const cancel = () => {
    http.call({ path: '/build/cancel', method: 'POST', ok: [200], query: { id: buildId } }).catch(() => undefined);
  };
  const signal = request.signal;
  signal?.addEventListener('abort', cancel, { once: true });
  let session: BuildSession;
  try {
    session = await opening;
  } catch (err) {
    // a build waiting for a session that will not come: cancelled, its answer dropped
    signal?.removeEventListener('abort', cancel);
    cancel();
    requested.then(
      (res) => res.destroy(),
      () => undefined,
    );
    throw toEngineError(err, address, 'POST /session');
  }
  // the file sync's first packets need them; loaded now, after both requests went out
  void loadProtos().catch(() => undefined);
  try {
    let res: IncomingMessage;
    try {
      res = await requested;
    } catch (err) {
      const e = toEngineError(err, address, 'POST /build');
      if (e instanceof EngineError && e.code !== ErrorCodes.ENGINE_UNREACHABLE) throw new EngineError(ErrorCodes.BUILD_FAILED, e.message, { statusCode: e.statusCode, cause: e });
      throw e;
    }
    let id: string | undefined;
    let failure: string | undefined;
    const splitter = new NdjsonSplitter();
    // traces are decoded in order; the first decode loads the message types
    let pending = Promise.resolve();
    const handle = (l: Json) => {
      if (l?.error || l?.errorDetail) failure ??= String(l.errorDetail?.message ?? l.error).trim();
      else if (l?.id === 'moby.buildkit.trace' && typeof l.aux === 'string') {
        const aux = l.aux;
        pending = pending.then(async () => onProgress?.(await decodeTrace(aux)));
      } else if (l?.id === 'moby.image.id' && typeof l.aux?.ID === 'string') id = l.aux.ID;
    };
    try {
      for await (const chunk of res) for (const line of splitter.push(chunk as Buffer)) handle(line as Json);
      for (const line of splitter.end()) handle(line as Json);
    } catch (err) {
      throw toEngineError(err, address, 'reading the build progress stream');
    } finally {
      res.destroy();
    }
    await pending;
    if (failure !== undefined) throw new EngineError(ErrorCodes.BUILD_FAILED, failure);
    if (!id) throw new EngineError(ErrorCodes.BUILD_FAILED, signal?.aborted ? 'the build was cancelled' : 'the engine reported no image id for the build');
    return { id, transfers };
  } finally {
    signal?.removeEventListener('abort', cancel);
    session.close();
  }
}
