// A BuildKit build through the engine's control API, as compose (buildx's docker driver) runs one: a session
// serving the context and Dockerfile directories (and named contexts, secrets, ssh, auth), then
// `POST /grpc` upgraded to h2c, on which berth calls `moby.buildkit.v1.Control/Solve` (frontend
// dockerfile.v0, exporter "moby") and `Control/Status` (the progress, StatusResponse messages). Unlike the
// build route (build.ts), the request carries any frontend attribute (named contexts), cache imports and
// exports of every type and entitlements. The image id is the exporter's `containerimage.digest`.
import { EngineError, ErrorCodes } from '../../../model/errors.js';
import { startupMark } from '../../../model/startup-trace.js';
import { BUILD_CACHE_EXPORT_UNSUPPORTED, type BuildKitDir, type BuildKitProgress, type BuildKitRequest, type BuildKitResult, type BuildKitTransfer } from '../../types.js';
import { toEngineError } from '../errors.js';
import type { EngineHttp } from '../http.js';
import { fileSyncServices, type FileSyncTransfer } from './filesync.js';
import { grpcClient, type GrpcClient } from './grpc-client.js';
import { localCaches, type CacheEntry, type LocalCaches } from './local-cache.js';
import { GrpcError, GrpcStatus, type GrpcServices } from './grpc.js';
import { protoType } from './proto.js';
import { openSession, sessionId } from './session.js';
import { progressOf } from './progress.js';

type Json = Record<string, any>;

export const SOLVE = '/moby.buildkit.v1.Control/Solve';
export const STATUS = '/moby.buildkit.v1.Control/Status';

/** A cache import or export of the request (CacheOptionsEntry). */
export interface SolveCacheEntry {
  readonly Type: string;
  readonly Attrs: Record<string, string>;
}

/** The SolveRequest fields berth sets, by the names of control.proto. */
export interface SolveRequestObject {
  readonly Ref: string;
  readonly Session: string;
  readonly Frontend: 'dockerfile.v0';
  readonly FrontendAttrs: Record<string, string>;
  /**
   * The one exporter, in the fields every BuildKit reads (≥ 0.13 moves them into `Exporters` itself when that
   * is empty). Not `Exporters` as well: each message type protobufjs encodes costs its code generation at
   * start-up, on every build.
   */
  readonly ExporterDeprecated: string;
  readonly ExporterAttrsDeprecated: Record<string, string>;
  /** Absent when there is nothing to import or export (for the same reason). */
  readonly Cache?: { readonly Imports: readonly SolveCacheEntry[]; readonly Exports: readonly SolveCacheEntry[] };
  readonly Entitlements: readonly string[];
}

export interface SolveRequestOptions {
  readonly request: BuildKitRequest;
  /** The build's id (Status is asked for the same). */
  readonly ref: string;
  /** The session serving the directories. */
  readonly session: string;
  /** type=local caches as local-cache.ts resolved them (imports with their digest, absolute paths). */
  readonly localCaches?: { readonly imports: readonly CacheEntry[]; readonly exports: readonly CacheEntry[] };
}

/** The session's name of a named context's directory: its own, unless it is one of the two the frontend reads by default. */
export function localName(name: string): string {
  return name === 'context' || name === 'dockerfile' ? `_${name}` : name;
}

/** The directories the session serves, by the names the builder asks for. */
export function sessionDirs(request: BuildKitRequest): Record<string, BuildKitDir> {
  const dirs: Record<string, BuildKitDir> = { context: request.context, dockerfile: request.dockerfileDir };
  for (const [name, c] of Object.entries(request.namedContexts ?? {})) if ('dir' in c) dirs[localName(name)] = c.dir;
  return dirs;
}

// The Dockerfile frontend's capability for `context:<name>` attributes. "+forward": a frontend without it
// may hand the build to a newer frontend image named by the Dockerfile's syntax directive; without one it
// fails with "unsupported frontend capability moby.buildkit.frontend.contexts" (Docker 20.10).
const CONTEXTS_CAP = 'moby.buildkit.frontend.contexts+forward';

// Go's strconv.ParseBool, as the engine reads BUILDKIT_INLINE_CACHE
const goTrue = (v: string | undefined) => v !== undefined && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);

/**
 * The SolveRequest of a build (pure). The frontend attributes are those the engine's build route derives
 * from its query (moby's builder-next), so that a build means the same on either path, plus those only
 * this API carries; where buildx's docker driver differs (image-resolve-mode), compose's. Cache imports go both in the request and, as JSON, in the `cache-imports` attribute the
 * Dockerfile frontend reads, as buildkit's client sends them.
 */
export function solveRequest(o: SolveRequestOptions): SolveRequestObject {
  const r = o.request;
  const attrs: Record<string, string> = {};
  if (r.dockerfile && r.dockerfile !== '.') attrs.filename = r.dockerfile;
  if (r.target) attrs.target = r.target;
  for (const [k, v] of Object.entries(r.buildArgs ?? {})) attrs[`build-arg:${k}`] = v;
  for (const [k, v] of Object.entries(r.labels ?? {})) attrs[`label:${k}`] = v;
  if (r.noCache) attrs['no-cache'] = '';
  // "local" (prefer the engine's images) as buildx's docker driver sends it: the engine's build route says
  // "default", which the containerd-store builder reads as "the registry first, local images if that fails"
  attrs['image-resolve-mode'] = r.pull ? 'pull' : 'local';
  if (r.platform) attrs.platform = r.platform;
  const entitlements: string[] = [];
  const network = r.networkMode ?? '';
  if (network === 'host' || network === 'none') attrs['force-network-mode'] = network;
  else if (network !== '' && network !== 'default') {
    throw new EngineError(ErrorCodes.BUILD_FAILED, `network mode "${network}" not supported by buildkit`);
  }
  if (network === 'host') entitlements.push('network.host');
  for (const e of r.entitlements ?? []) if (!entitlements.includes(e)) entitlements.push(e);
  if (r.extraHosts?.length) {
    attrs['add-hosts'] = r.extraHosts
      .map((h) => {
        const colon = h.indexOf(':');
        return `${h.slice(0, colon)}=${h.slice(colon + 1)}`;
      })
      .join(',');
  }
  if (r.shmSize !== undefined && r.shmSize > 0) attrs['shm-size'] = String(r.shmSize);
  const named = Object.entries(r.namedContexts ?? {});
  for (const [name, c] of named) attrs[`context:${name}`] = 'dir' in c ? `local:${localName(name)}` : `docker-image://${c.image}`;
  if (named.length) attrs['frontend.caps'] = CONTEXTS_CAP;

  const imports: SolveCacheEntry[] = [
    ...(r.cacheFrom ?? []).map((ref) => ({ Type: 'registry', Attrs: { ref } })),
    // type=local ones as local-cache.ts resolved them (absolute paths, the import's digest), when it did
    ...(r.cacheImports ?? []).filter((e) => e.type !== 'local' || !o.localCaches).map((e) => ({ Type: e.type, Attrs: { ...e.attrs } })),
  ];
  const exports: SolveCacheEntry[] = [];
  if (goTrue(r.buildArgs?.BUILDKIT_INLINE_CACHE)) exports.push({ Type: 'inline', Attrs: {} });
  for (const e of r.cacheExports ?? []) if (e.type !== 'local' || !o.localCaches) exports.push({ Type: e.type, Attrs: { ...e.attrs } });
  for (const e of o.localCaches?.imports ?? []) imports.push({ Type: e.type, Attrs: { ...e.attrs } });
  for (const e of o.localCaches?.exports ?? []) exports.push({ Type: e.type, Attrs: { ...e.attrs } });
  if (imports.length) attrs['cache-imports'] = JSON.stringify(imports);

  const exporterAttrs: Record<string, string> = r.tags.length ? { name: r.tags.join(',') } : {};
  return {
    Ref: o.ref,
    Session: o.session,
    Frontend: 'dockerfile.v0',
    FrontendAttrs: attrs,
    ExporterDeprecated: 'moby',
    ExporterAttrsDeprecated: exporterAttrs,
    ...(imports.length || exports.length ? { Cache: { Imports: imports, Exports: exports } } : {}),
    Entitlements: entitlements,
  };
}

/** What the build route does that this path does not: the engine maps `host-gateway` to its own address. */
export function needsBuildRoute(request: BuildKitRequest): boolean {
  if (Object.keys(request.namedContexts ?? {}).length || request.cacheExports?.length || request.cacheImports?.length || request.entitlements?.length) return false;
  return (request.extraHosts ?? []).some((h) => h.slice(h.indexOf(':') + 1) === 'host-gateway');
}

/**
 * Whether the engine's builder has cache exporters besides inline: only with the containerd image store
 * (`/info` DriverStatus driver-type io.containerd.snapshotter.v1), the rule buildx's docker driver applies
 * before it starts a build, which compose then refuses; asking first keeps the refusal ahead of any output.
 */
export async function canExportCache(http: EngineHttp): Promise<boolean> {
  const info = await http.call<{ DriverStatus?: [string, string][] | null }>({ path: '/info', method: 'GET', ok: [200] });
  return (info.DriverStatus ?? []).some(([k, v]) => k === 'driver-type' && v === 'io.containerd.snapshotter.v1');
}

export interface ControlBuildOptions {
  /** Extra session services (secrets, ssh forwarding, registry auth), by gRPC path. */
  readonly services?: GrpcServices;
}

// Plain objects straight to encode/decode (no fromObject/toObject): every field berth sets is already of its
// wire type, and each converter protobufjs would otherwise compile costs start-up time.
async function encode(type: string, value: unknown): Promise<Uint8Array> {
  const T = await protoType(type);
  return T.encode(value as Json).finish();
}

export async function buildWithControl(
  http: EngineHttp,
  address: string,
  request: BuildKitRequest,
  onProgress?: (p: BuildKitProgress) => void,
  options: ControlBuildOptions = {},
): Promise<BuildKitResult> {
  if (request.cacheExports?.length) {
    let can: boolean;
    try {
      can = await canExportCache(http);
    } catch (err) {
      throw toEngineError(err, address, 'GET /info');
    }
    if (!can) throw new EngineError(ErrorCodes.BUILD_FAILED, `${BUILD_CACHE_EXPORT_UNSUPPORTED}: the engine has no containerd image store`);
  }
  const transfers: BuildKitTransfer[] = [];
  const caches = await openLocalCaches(request);
  // the context is walked while the engine starts the build (filesync.ts FileSyncOptions.prewalk)
  let solveSent!: () => void;
  const start = new Promise<void>((resolve) => (solveSent = resolve));
  const services: GrpcServices = {
    ...fileSyncServices(sessionDirs(request), (t: FileSyncTransfer) => transfers.push({ ...t }), { prewalk: { dirs: ['context'], start } }),
    ...options.services,
    ...caches.services,
  };
  const ref = sessionId();
  // protobufjs compiles a type's encoder on first use (~5 ms, more on a busy machine): done now, with a
  // stand-in session id, it overlaps the engine's answers to the upgrades instead of following them
  const warm = encode('moby.buildkit.v1.SolveRequest', solveRequest({ request, ref, session: ref })).catch(() => undefined);
  let session;
  let client: GrpcClient;
  try {
    // the session and the control connection are independent upgrades: open both at once
    const [s, socket] = await Promise.allSettled([openSession(http, { name: request.sessionName, sharedKey: request.sharedKey, services }), http.upgrade('/grpc', 'h2c', {})]);
    if (s.status === 'fulfilled') session = s.value;
    if (socket.status === 'rejected') {
      session?.close();
      throw toEngineError(socket.reason, address, 'POST /grpc');
    }
    if (s.status === 'rejected') {
      socket.value.destroy();
      throw toEngineError(s.reason, address, 'POST /session');
    }
    client = await grpcClient(socket.value);
    startupMark('buildkit session and control connection open');
  } catch (err) {
    session?.close();
    await caches.close();
    throw err;
  }
  const signal = request.signal;
  try {
    await warm;
    const solveMessage = await encode('moby.buildkit.v1.SolveRequest', solveRequest({ request, ref, session: session!.id, localCaches: caches }));
    const StatusResponse = await protoType('moby.buildkit.v1.StatusResponse');
    // Status waits (a few seconds) for the job Solve starts: both are sent at once
    const stopStatus = new AbortController();
    const status = (async () => {
      for await (const m of client.serverStream(STATUS, await encode('moby.buildkit.v1.StatusRequest', { Ref: ref }), stopStatus.signal)) {
        onProgress?.(progressOf(StatusResponse.decode(m) as Json)); // as decoded: see decodeTrace
      }
    })().catch(() => undefined); // progress is best-effort: Solve's answer decides the build
    // Once Solve has answered, the progress stream ends with the job; one for a job that never started
    // (a request refused up front) would wait out the engine's own delay: it gets 3 s, as buildkit's client
    // gives it.
    const statusEnd = () => {
      const timer = setTimeout(() => stopStatus.abort(), 3000);
      return status.finally(() => clearTimeout(timer));
    };
    let reply: Uint8Array;
    try {
      const solving = client.unary(SOLVE, solveMessage, signal);
      solveSent();
      reply = await solving;
      startupMark('buildkit Solve answered');
    } catch (err) {
      // the progress up to the failure is what names the failed step: let it arrive
      await statusEnd();
      if (signal?.aborted) throw new EngineError(ErrorCodes.BUILD_FAILED, 'the build was cancelled');
      if (err instanceof GrpcError && err.code !== GrpcStatus.UNAVAILABLE) throw new EngineError(ErrorCodes.BUILD_FAILED, err.message, { cause: err });
      throw toEngineError(err, address, 'POST /grpc (Control.Solve)');
    }
    await statusEnd();
    startupMark('buildkit progress ended');
    const SolveResponse = await protoType('moby.buildkit.v1.SolveResponse');
    const response = SolveResponse.decode(reply) as Json;
    const id = response.ExporterResponse?.['containerimage.digest'];
    if (typeof id !== 'string' || !id) throw new EngineError(ErrorCodes.BUILD_FAILED, 'the engine reported no image id for the build');
    try {
      await caches.finish(response.ExporterResponse ?? {});
    } catch (err) {
      throw new EngineError(ErrorCodes.BUILD_FAILED, `exporting the cache: ${(err as Error).message}`, { cause: err });
    }
    return { id, transfers, ...(caches.warnings.length ? { warnings: caches.warnings } : {}) };
  } finally {
    client.close();
    session!.close();
    await caches.close();
  }
}

/** The request's type=local caches: imports resolved from their index.json, exports with absolute paths. */
async function openLocalCaches(request: BuildKitRequest): Promise<LocalCaches> {
  try {
    return await localCaches((request.cacheImports ?? []).filter((e) => e.type === 'local'), (request.cacheExports ?? []).filter((e) => e.type === 'local'));
  } catch (err) {
    throw new EngineError(ErrorCodes.BUILD_FAILED, err instanceof Error ? err.message : String(err), { cause: err });
  }
}
