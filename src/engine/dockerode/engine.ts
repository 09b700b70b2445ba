// The Engine interface over the Docker Engine HTTP API. dockerode is loaded on the first call, never at import,
// because every CLI invocation imports this module and most of them must start in milliseconds.
//
// Request/response calls and plain streams go over Node's http directly (http.ts says why); hijacked
// connections, file bodies, image calls with registry auth and ssh:// engines go through dockerode's modem.
// Neither uses dockerode's high-level wrappers, for control they do not give: createContainer copies the
// whole body into the query string and drops Warnings; start/stop treat 304 as an error; logs come back JSON-parsed when the output
// happens to be JSON; getEvents leaks the AbortSignal into the URL.
import { loadDockerode } from './load.js';
import { promises as fsp } from 'node:fs';
import type { Readable } from 'node:stream';
import { EngineError, ErrorCodes } from '../../model/errors.js';
import type {
  BuildRequest,
  ContainerCreateRequest,
  ContainerInspect,
  ContainerSummary,
  EndpointSettings,
  Engine,
  EngineEvent,
  EngineVersion,
  EventsOptions,
  ImageSummary,
  LayerProgress,
  ListFilter,
  LogsOptions,
  NetworkCreateRequest,
  NetworkSummary,
  VolumeCreateRequest,
  VolumeSummary,
} from '../types.js';
import type { DockerConnection } from './docker-host.js';
import { callName, toEngineError } from './errors.js';
import { SwarmCalls } from './swarm.js';
import {
  toContainerInspect,
  toContainerSummary,
  toEngineEvent,
  toImageSummary,
  toNetworkSummary,
  toVolumeSummary,
} from './mapping.js';
import { NdjsonSplitter, collect, demultiplex } from './streams.js';
import { buildImage as buildImageVia, distributionDigest, pullImage as pullImageVia, pushImage as pushImageVia, tagImage as tagImageVia } from './images.js';
import type * as IO from '../types.js';
import { EngineHttp, type HttpCall, type TlsMaterial } from './http.js';
import { engineTime, outputOf, processIO, rawDial, toContainerStats, toPathStat, type Modem, type RawDialOptions } from './io.js';

type Json = Record<string, any>;

const enc = encodeURIComponent;
// Image references keep "/" and ":" literal: the engine routes /images/{name:.*}/json and does not unescape %2F.
const encImage = (ref: string) => encodeURI(ref).replace(/[?#]/g, (c) => enc(c));

function isNotFound(err: unknown): boolean {
  return err instanceof EngineError && err.code === ErrorCodes.ENGINE_NOT_FOUND;
}

function listFilters(filter: ListFilter, withNames: boolean): Record<string, string[]> | undefined {
  const filters: Record<string, string[]> = {};
  if (filter.labels?.length) filters.label = [...filter.labels];
  // The engine's name filters match substrings (containers: unanchored regexps), so they only narrow the
  // result; exactness is enforced by exactNames() on the way back.
  if (withNames && filter.names?.length) filters.name = [...filter.names];
  return Object.keys(filters).length ? filters : undefined;
}

function exactNames<T extends { name: string }>(items: T[], filter: ListFilter): T[] {
  if (!filter.names?.length) return items;
  const wanted = new Set(filter.names);
  return items.filter((i) => wanted.has(i.name));
}

/**
 * Node's default CAs plus NODE_EXTRA_CA_CERTS, for a TLS engine without its own ca.pem. bin/berth.js keeps
 * that variable from Node at start-up (it costs every command tens of milliseconds), so it is applied here, in
 * the only place berth itself speaks TLS.
 */
async function extraCaCerts(): Promise<string[] | undefined> {
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  if (!extra) return undefined;
  const [{ rootCertificates }, pem] = await Promise.all([import('node:tls'), fsp.readFile(extra, 'utf8').catch(() => undefined)]);
  return pem === undefined ? undefined : [...rootCertificates, pem];
}

export class DockerEngine implements Engine {
  private modemPromise?: Promise<Modem>;
  private http?: EngineHttp;

  /**
   * @param connection where the engine is, or the error that resolving DOCKER_HOST produced; an invalid address
   * is reported by the first call rather than at construction, so commands that never touch the engine work.
   */
  constructor(private readonly connection: DockerConnection | EngineError) {}

  /** The engine address as printed in messages, e.g. "unix:///var/run/docker.sock". */
  get address(): string {
    return this.connection instanceof EngineError ? '(invalid DOCKER_HOST)' : this.connection.display;
  }

  private modem(): Promise<Modem> {
    this.modemPromise ??= this.loadModem();
    return this.modemPromise;
  }

  private async loadModem(): Promise<Modem> {
    const connection = this.connection;
    if (connection instanceof EngineError) throw connection;
    const Docker = await loadDockerode();
    const options: Record<string, unknown> = {
      // Every key is set, even to undefined, because docker-modem merges our options over its own reading of
      // DOCKER_HOST; a leftover `host` from there would silently win over our socketPath.
      socketPath: undefined,
      host: undefined,
      port: undefined,
      protocol: undefined,
      ca: undefined,
      cert: undefined,
      key: undefined,
    };
    if (connection.kind === 'unix' || connection.kind === 'npipe') {
      options.socketPath = connection.socketPath;
    } else if (connection.kind === 'tcp') {
      Object.assign(options, { host: connection.host, port: connection.port, protocol: connection.protocol });
      if (connection.protocol === 'https' && connection.tls) {
        const { ca, cert, key, rejectUnauthorized } = await this.tlsMaterial();
        Object.assign(options, { ca, cert, key });
        if (!rejectUnauthorized) {
          const { Agent } = await import('node:https');
          options.agent = new Agent({ rejectUnauthorized: false, cert, key });
        }
      }
    } else if (connection.kind === 'ssh') {
      // plain HTTP over ssh processes (ssh.ts), not docker-modem's own ssh client: see ssh.ts for why
      const { SshAgent } = await import('./ssh.js');
      Object.assign(options, { host: 'docker', port: 80, protocol: 'http', agent: new SshAgent(connection) });
    }
    // docker-modem's constructor re-reads DOCKER_HOST/DOCKER_CERT_PATH and can throw on values we have already
    // resolved differently (an explicit host, a cert path it reads eagerly). Hiding them for the synchronous
    // constructor call keeps our resolution the only one.
    const saved = { DOCKER_HOST: process.env.DOCKER_HOST, DOCKER_CERT_PATH: process.env.DOCKER_CERT_PATH };
    delete process.env.DOCKER_HOST;
    delete process.env.DOCKER_CERT_PATH;
    try {
      return new Docker(options).modem as unknown as Modem;
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
    }
  }

  /**
   * The CA, certificate and key files the connection names (DOCKER_CERT_PATH's, --tls* flags', or a context's);
   * without a CA file, Node's CAs and NODE_EXTRA_CA_CERTS.
   */
  private async tlsMaterial(): Promise<TlsMaterial> {
    const tls = (this.connection as Extract<DockerConnection, { kind: 'tcp' }>).tls;
    const read = (file: string | undefined) => (file ? fsp.readFile(file).catch(() => undefined) : Promise.resolve(undefined));
    const [ca, cert, key] = await Promise.all([read(tls?.ca), read(tls?.cert), read(tls?.key)]);
    return { ca: ca ?? (await extraCaCerts()), cert, key, rejectUnauthorized: tls?.verify !== false };
  }

  /** Request/response calls and plain streams: Node's http directly (see http.ts), ssh:// engines included. */
  private async dial<T = Json>(o: HttpCall): Promise<T> {
    const connection = this.connection;
    if (connection instanceof EngineError) throw connection;
    this.http ??= new EngineHttp(connection, () => this.tlsMaterial());
    try {
      return await this.http.call<T>(o);
    } catch (err) {
      throw toEngineError(err, this.address, callName(o.method, o.path));
    }
  }

  private async inspectOrUndefined<T>(path: string): Promise<T | undefined> {
    try {
      return await this.dial<T>({ path, method: 'GET', ok: [200] });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async version(): Promise<EngineVersion> {
    const v = await this.dial({ path: '/version', method: 'GET', ok: [200] });
    return { version: String(v.Version ?? ''), apiVersion: String(v.ApiVersion ?? '') };
  }

  async info(): Promise<IO.EngineInfo> {
    const i = await this.dial({ path: '/info', method: 'GET', ok: [200] });
    return { cpus: Number(i.NCPU) || 1 };
  }

  // ---- containers

  async listContainers(filter: ListFilter): Promise<ContainerSummary[]> {
    const filters = listFilters(filter, true);
    const list = await this.dial<Json[]>({
      path: '/containers/json',
      method: 'GET',
      ok: [200],
      query: { all: filter.all ? 'true' : 'false', ...(filters ? { filters } : {}) },
    });
    return exactNames((list ?? []).map(toContainerSummary), filter);
  }

  async inspectContainer(idOrName: string): Promise<ContainerInspect | undefined> {
    const c = await this.inspectOrUndefined<Json>(`/containers/${enc(idOrName)}/json`);
    return c === undefined ? undefined : toContainerInspect(c);
  }

  async createContainer(request: ContainerCreateRequest): Promise<{ id: string; warnings?: string[] }> {
    const { name, ...body } = request;
    const r = await this.dial({
      path: '/containers/create',
      method: 'POST',
      ok: [200, 201],
      query: name ? { name } : {},
      body,
    });
    const warnings: string[] = Array.isArray(r.Warnings) ? r.Warnings.filter((w: unknown) => w) : [];
    return { id: String(r.Id), ...(warnings.length ? { warnings } : {}) };
  }

  async startContainer(id: string): Promise<void> {
    // 304: already running, which is the state the caller asked for.
    await this.dial({ path: `/containers/${enc(id)}/start`, method: 'POST', ok: [200, 204, 304] });
  }

  async stopContainer(id: string, timeout?: number): Promise<void> {
    // 304: already stopped.
    await this.dial({
      path: `/containers/${enc(id)}/stop`,
      method: 'POST',
      ok: [200, 204, 304],
      query: timeout === undefined ? {} : { t: Math.max(0, Math.round(timeout)) },
    });
  }

  async killContainer(id: string, signal?: string): Promise<void> {
    // A container that is not running answers 409 (ENGINE_CONFLICT); callers decide whether that matters.
    await this.dial({
      path: `/containers/${enc(id)}/kill`,
      method: 'POST',
      ok: [200, 204],
      query: signal ? { signal } : {},
    });
  }

  async removeContainer(id: string, options?: { force?: boolean; volumes?: boolean }): Promise<void> {
    await this.dial({
      path: `/containers/${enc(id)}`,
      method: 'DELETE',
      ok: [200, 204],
      query: { force: options?.force ? 'true' : 'false', v: options?.volumes ? 'true' : 'false' },
    });
  }

  async renameContainer(id: string, name: string): Promise<void> {
    await this.dial({ path: `/containers/${enc(id)}/rename`, method: 'POST', ok: [200, 204], query: { name } });
  }

  async containerLogs(id: string, options?: LogsOptions): Promise<string> {
    // Only non-TTY containers frame their output; a TTY container's log is the raw terminal stream.
    const info = await this.dial({ path: `/containers/${enc(id)}/json`, method: 'GET', ok: [200] });
    const stream = await this.dial<Readable>({
      path: `/containers/${enc(id)}/logs`,
      method: 'GET',
      ok: [200],
      isStream: true,
      query: {
        stdout: 'true',
        stderr: 'true',
        follow: 'false',
        tail: options?.tail === undefined ? 'all' : String(options.tail),
        timestamps: options?.timestamps ? 'true' : 'false',
      },
    });
    let body: Buffer;
    try {
      body = await collect(stream);
    } catch (err) {
      throw toEngineError(err, this.address, 'reading container logs');
    }
    return info.Config?.Tty ? body.toString('utf8') : demultiplex(body);
  }

  // ---- networks

  async listNetworks(filter: ListFilter): Promise<NetworkSummary[]> {
    const filters = listFilters(filter, true);
    const list = await this.dial<Json[]>({
      path: '/networks',
      method: 'GET',
      ok: [200],
      query: filters ? { filters } : {},
    });
    return exactNames((list ?? []).map((n) => toNetworkSummary(n, false)), filter);
  }

  async inspectNetwork(idOrName: string): Promise<NetworkSummary | undefined> {
    const n = await this.inspectOrUndefined<Json>(`/networks/${enc(idOrName)}`);
    return n === undefined ? undefined : toNetworkSummary(n, true);
  }

  async createNetwork(request: NetworkCreateRequest): Promise<{ id: string }> {
    // Engine 20.10 happily creates a second network with the same name unless asked to check (newer engines
    // always refuse); duplicates make every later by-name lookup ambiguous, so checking is the default.
    const body = { ...request, CheckDuplicate: request.CheckDuplicate ?? true };
    const r = await this.dial({ path: '/networks/create', method: 'POST', ok: [200, 201], body });
    return { id: String(r.Id) };
  }

  async removeNetwork(idOrName: string): Promise<void> {
    await this.dial({ path: `/networks/${enc(idOrName)}`, method: 'DELETE', ok: [200, 204] });
  }

  async connectNetwork(network: string, container: string, endpoint?: EndpointSettings): Promise<void> {
    await this.dial({
      path: `/networks/${enc(network)}/connect`,
      method: 'POST',
      ok: [200, 201, 204],
      body: { Container: container, ...(endpoint ? { EndpointConfig: endpoint } : {}) },
    });
  }

  // ---- volumes

  async listVolumes(filter: ListFilter): Promise<VolumeSummary[]> {
    const filters = listFilters(filter, true);
    const r = await this.dial({ path: '/volumes', method: 'GET', ok: [200], query: filters ? { filters } : {} });
    // Volumes is null, not [], when there are none.
    const list: Json[] = Array.isArray(r?.Volumes) ? r.Volumes : [];
    return exactNames(list.map(toVolumeSummary), filter);
  }

  async inspectVolume(name: string): Promise<VolumeSummary | undefined> {
    const v = await this.inspectOrUndefined<Json>(`/volumes/${enc(name)}`);
    return v === undefined ? undefined : toVolumeSummary(v);
  }

  async createVolume(request: VolumeCreateRequest): Promise<VolumeSummary> {
    // Creating an existing name returns the existing volume (labels unchanged) instead of a conflict.
    const v = await this.dial({ path: '/volumes/create', method: 'POST', ok: [200, 201], body: request });
    return toVolumeSummary(v);
  }

  async removeVolume(name: string, options?: { force?: boolean }): Promise<void> {
    await this.dial({
      path: `/volumes/${enc(name)}`,
      method: 'DELETE',
      ok: [200, 204],
      query: options?.force ? { force: 'true' } : {},
    });
  }

  // ---- images

  async removeImage(ref: string, options?: { force?: boolean }): Promise<void> {
    await this.dial({ path: `/images/${encImage(ref)}`, method: 'DELETE', ok: [200, 404], query: options?.force ? { force: 'true' } : {} });
  }

  async inspectImage(ref: string): Promise<ImageSummary | undefined> {
    const i = await this.inspectOrUndefined<Json>(`/images/${encImage(ref)}/json`);
    return i === undefined ? undefined : toImageSummary(i);
  }

  // Pull, push, build and tag live in images.ts (registry credentials, the build context stream).

  async pullImage(ref: string, onProgress?: (line: LayerProgress) => void): Promise<void> {
    return pullImageVia(await this.modem(), this.address, ref, onProgress);
  }

  async pushImage(ref: string, onProgress?: (line: LayerProgress) => void): Promise<void> {
    return pushImageVia(await this.modem(), this.address, ref, onProgress);
  }

  async buildImage(context: NodeJS.ReadableStream, request: BuildRequest, onOutput?: (line: string) => void): Promise<{ id: string }> {
    return buildImageVia(await this.modem(), this.address, context, request, onOutput);
  }

  async buildImageKit(request: IO.BuildKitRequest, onProgress?: (p: IO.BuildKitProgress) => void): Promise<IO.BuildKitResult> {
    const connection = this.connection;
    if (connection instanceof EngineError) throw connection;
    this.http ??= new EngineHttp(connection, () => this.tlsMaterial());
    const [{ buildWithBuildKit }, { sessionServices }] = await Promise.all([import('./buildkit/build.js'), import('./buildkit/services.js')]);
    let extra;
    try {
      extra = await sessionServices(request);
    } catch (err) {
      // a secret file or ssh key that cannot be used: the build's failure, before anything is sent
      throw new EngineError(ErrorCodes.BUILD_FAILED, err instanceof Error ? err.message : String(err), { cause: err });
    }
    try {
      return await buildWithBuildKit(this.http, this.address, request, onProgress, { services: extra.services });
    } finally {
      await extra.close();
    }
  }

  async tagImage(source: string, target: string): Promise<void> {
    return tagImageVia(await this.modem(), this.address, source, target);
  }

  // ---- process I/O and lifecycle (implemented with the helpers of io.ts)

  private async io<T = Json>(o: RawDialOptions): Promise<T> {
    return rawDial<T>(await this.modem(), o, this.address);
  }

  private async isTty(id: string): Promise<boolean> {
    const info = await this.io({ path: `/containers/${enc(id)}/json`, method: 'GET', ok: [200] });
    return !!info.Config?.Tty;
  }

  logStream(id: string, options: IO.LogStreamOptions = {}): AsyncIterable<IO.OutputChunk> {
    return { [Symbol.asyncIterator]: () => this.logChunks(id, options) };
  }

  private async *logChunks(id: string, options: IO.LogStreamOptions): AsyncGenerator<IO.OutputChunk> {
    if (options.signal?.aborted) return;
    const tty = await this.isTty(id);
    const stream = await this.io<Readable>({
      path: `/containers/${enc(id)}/logs`,
      method: 'GET',
      ok: [200],
      isStream: true,
      signal: options.signal,
      query: {
        stdout: 'true',
        stderr: 'true',
        follow: options.follow ? 'true' : 'false',
        tail: options.tail === undefined ? 'all' : String(options.tail),
        timestamps: options.timestamps ? 'true' : 'false',
        ...(options.since !== undefined ? { since: engineTime(options.since) } : {}),
        ...(options.until !== undefined ? { until: engineTime(options.until) } : {}),
      },
    }).catch((err) => {
      if (options.signal?.aborted) return undefined;
      throw err;
    });
    if (stream) yield* outputOf(stream, tty, this.address, options.signal);
  }

  async attachContainer(id: string, options: IO.AttachOptions = {}): Promise<IO.ProcessIO> {
    const tty = options.tty ?? (await this.isTty(id));
    const socket = await this.io<import('node:stream').Duplex>({
      path: `/containers/${enc(id)}/attach`,
      method: 'POST',
      ok: [101, 200],
      hijack: true,
      openStdin: !!options.stdin,
      emptyBody: !!options.stdin,
      query: { stream: 'true', stdout: 'true', stderr: 'true', stdin: options.stdin ? 'true' : 'false', ...(options.detachKeys ? { detachKeys: options.detachKeys } : {}) },
    });
    return processIO(socket, tty, !!options.stdin, this.address);
  }

  async resizeContainer(id: string, size: IO.TerminalSize): Promise<void> {
    await this.io({ path: `/containers/${enc(id)}/resize`, method: 'POST', ok: [200, 204], query: { h: size.rows, w: size.columns } });
  }

  async waitContainer(id: string, condition: IO.WaitCondition = 'not-running', signal?: AbortSignal): Promise<{ exitCode: number }> {
    const r = await this.io({ path: `/containers/${enc(id)}/wait`, method: 'POST', ok: [200], query: { condition }, signal });
    if (r?.Error?.Message) throw new EngineError(ErrorCodes.ENGINE_FAILED, String(r.Error.Message));
    return { exitCode: Number(r?.StatusCode ?? 0) };
  }

  async restartContainer(id: string, timeout?: number): Promise<void> {
    await this.io({ path: `/containers/${enc(id)}/restart`, method: 'POST', ok: [200, 204], query: timeout === undefined ? {} : { t: Math.max(0, Math.round(timeout)) } });
  }

  async pauseContainer(id: string): Promise<void> {
    await this.io({ path: `/containers/${enc(id)}/pause`, method: 'POST', ok: [200, 204] });
  }

  async unpauseContainer(id: string): Promise<void> {
    await this.io({ path: `/containers/${enc(id)}/unpause`, method: 'POST', ok: [200, 204] });
  }

  async topContainer(id: string, psArgs?: string): Promise<IO.ContainerTop> {
    const r = await this.io({ path: `/containers/${enc(id)}/top`, method: 'GET', ok: [200], query: psArgs ? { ps_args: psArgs } : {} });
    return { titles: (r.Titles ?? []).map(String), processes: (r.Processes ?? []).map((p: unknown[]) => p.map(String)) };
  }

  async containerStats(id: string): Promise<IO.ContainerStats> {
    return toContainerStats(await this.io({ path: `/containers/${enc(id)}/stats`, method: 'GET', ok: [200], query: { stream: 'false' } }));
  }

  async createExec(containerId: string, request: IO.ExecCreateRequest): Promise<string> {
    const r = await this.io({ path: `/containers/${enc(containerId)}/exec`, method: 'POST', ok: [200, 201], body: request });
    return String(r.Id);
  }

  async startExec(execId: string, options: { tty?: boolean; stdin?: boolean; detach?: boolean }): Promise<IO.ProcessIO | undefined> {
    const body = { Detach: !!options.detach, Tty: !!options.tty };
    if (options.detach) {
      await this.io({ path: `/exec/${enc(execId)}/start`, method: 'POST', ok: [200, 204], body });
      return undefined;
    }
    const socket = await this.io<import('node:stream').Duplex>({ path: `/exec/${enc(execId)}/start`, method: 'POST', ok: [101, 200], hijack: true, openStdin: !!options.stdin, body });
    return processIO(socket, !!options.tty, !!options.stdin, this.address);
  }

  async resizeExec(execId: string, size: IO.TerminalSize): Promise<void> {
    await this.io({ path: `/exec/${enc(execId)}/resize`, method: 'POST', ok: [200, 201, 204], query: { h: size.rows, w: size.columns } });
  }

  async inspectExec(execId: string): Promise<IO.ExecInspect> {
    const r = await this.io({ path: `/exec/${enc(execId)}/json`, method: 'GET', ok: [200] });
    return { running: !!r.Running, exitCode: r.Running ? null : Number(r.ExitCode ?? 0), pid: Number(r.Pid ?? 0) };
  }

  async statPath(id: string, path: string): Promise<IO.PathStat | undefined> {
    try {
      const res = await this.io<import('node:http').IncomingMessage>({ path: `/containers/${enc(id)}/archive`, method: 'HEAD', ok: [200], isStream: true, query: { path } });
      res.resume();
      return toPathStat(res.headers['x-docker-container-path-stat'] as string | undefined, path);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async getArchive(id: string, path: string): Promise<{ stat: IO.PathStat; tar: AsyncIterable<Buffer> }> {
    const res = await this.io<import('node:http').IncomingMessage>({ path: `/containers/${enc(id)}/archive`, method: 'GET', ok: [200], isStream: true, query: { path } });
    return { stat: toPathStat(res.headers['x-docker-container-path-stat'] as string | undefined, path), tar: res };
  }

  async putArchive(id: string, path: string, tar: Buffer, options: { copyUIDGID?: boolean } = {}): Promise<void> {
    await this.io({ path: `/containers/${enc(id)}/archive`, method: 'PUT', ok: [200], file: tar, query: { path, ...(options.copyUIDGID ? { copyUIDGID: 'true' } : {}) } });
  }

  async distributionDigest(ref: string): Promise<string> {
    return distributionDigest(await this.modem(), this.address, ref);
  }

  async exportContainer(id: string): Promise<AsyncIterable<Buffer>> {
    return this.io<import('node:http').IncomingMessage>({ path: `/containers/${enc(id)}/export`, method: 'GET', ok: [200], isStream: true });
  }

  async commitContainer(id: string, options: IO.CommitOptions = {}): Promise<{ id: string }> {
    const ref = options.reference ? splitReference(options.reference) : undefined;
    const query: Record<string, string | string[]> = { container: id, pause: options.pause === false ? 'false' : 'true' };
    if (ref) {
      query.repo = ref.repo;
      if (ref.tag) query.tag = ref.tag;
    }
    if (options.comment) query.comment = options.comment;
    if (options.author) query.author = options.author;
    if (options.changes?.length) query.changes = [...options.changes];
    const r = await this.io({ path: '/commit', method: 'POST', ok: [200, 201], query, body: {} });
    return { id: String(r.Id) };
  }

  // ---- events

  events(options: EventsOptions): AsyncIterable<EngineEvent> {
    return { [Symbol.asyncIterator]: () => this.eventStream(options) };
  }

  // The request is made on the first next(): an unstarted iteration holds no connection, so nothing can keep
  // the process alive by forgetting to iterate. Callers that must not miss events between deciding to wait and
  // the subscription reaching the engine pass `since` (taken before their check); the engine replays from it.
  private async *eventStream(options: EventsOptions): AsyncGenerator<EngineEvent> {
    const signal = options.signal;
    if (signal?.aborted) return;
    const filters: Record<string, string[]> = {};
    if (options.types?.length) filters.type = [...options.types];
    if (options.labels?.length) filters.label = [...options.labels];
    let stream: Readable;
    try {
      stream = await this.dial<Readable>({
        path: '/events',
        method: 'GET',
        ok: [200],
        isStream: true,
        signal,
        query: {
          ...(Object.keys(filters).length ? { filters } : {}),
          ...(options.since !== undefined ? { since: engineTime(options.since) } : {}),
          ...(options.until !== undefined ? { until: engineTime(options.until) } : {}),
        },
      });
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    }
    // Destroying the response is what ends a pending read: the engine never ends /events on its own, except
    // at `until`.
    const onAbort = () => stream.destroy();
    signal?.addEventListener('abort', onAbort, { once: true });
    const splitter = new NdjsonSplitter();
    try {
      if (signal?.aborted) return;
      for await (const chunk of stream) {
        for (const obj of splitter.push(chunk as Buffer)) {
          const event = toEngineEvent(obj as Json);
          if (event) yield event;
          if (signal?.aborted) return;
        }
      }
      if (signal?.aborted || options.until !== undefined) return;
      throw new EngineError(ErrorCodes.ENGINE_FAILED, `the Docker engine at ${this.address} closed the event stream`);
    } catch (err) {
      if (signal?.aborted) return;
      throw toEngineError(err, this.address, 'watching engine events');
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stream.destroy();
    }
  }

  // ---- swarm mode (stack deploy); the calls live in swarm.ts

  private swarmCalls?: SwarmCalls;
  private get swarm(): SwarmCalls {
    this.swarmCalls ??= new SwarmCalls((o) => this.dial(o));
    return this.swarmCalls;
  }
  swarmState(): Promise<IO.SwarmState> { return this.swarm.swarmState(); }
  listServices(f: { labels?: readonly string[]; names?: readonly string[] }): Promise<IO.ServiceInfo[]> { return this.swarm.listServices(f); }
  inspectService(idOrName: string): Promise<IO.ServiceInfo | undefined> { return this.swarm.inspectService(idOrName); }
  createService(spec: IO.ServiceSpec, o?: IO.ServiceWriteOptions): Promise<{ id: string; warnings?: string[] }> { return this.swarm.createService(spec, o); }
  updateService(id: string, version: number, spec: IO.ServiceSpec, o?: IO.ServiceWriteOptions): Promise<{ warnings?: string[] }> { return this.swarm.updateService(id, version, spec, o); }
  removeService(idOrName: string): Promise<void> { return this.swarm.removeService(idOrName); }
  listTasks(f: { services?: readonly string[]; labels?: readonly string[] }): Promise<IO.TaskInfo[]> { return this.swarm.listTasks(f); }
  listNodes(): Promise<IO.NodeInfo[]> { return this.swarm.listNodes(); }
  listSecrets(f: { labels?: readonly string[] }): Promise<IO.SwarmObjectInfo[]> { return this.swarm.listObjects('secrets', f); }
  createSecret(r: IO.SwarmObjectCreateRequest): Promise<{ id: string }> { return this.swarm.createObject('secrets', r); }
  removeSecret(idOrName: string): Promise<void> { return this.swarm.removeObject('secrets', idOrName); }
  listConfigs(f: { labels?: readonly string[] }): Promise<IO.SwarmObjectInfo[]> { return this.swarm.listObjects('configs', f); }
  createConfig(r: IO.SwarmObjectCreateRequest): Promise<{ id: string }> { return this.swarm.createObject('configs', r); }
  removeConfig(idOrName: string): Promise<void> { return this.swarm.removeObject('configs', idOrName); }
}

/** "reg:5000/a/b:tag" → repo and tag (a port's colon is not a tag's; a digest is kept in repo). */
function splitReference(ref: string): { repo: string; tag?: string } {
  if (ref.includes('@')) return { repo: ref };
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repo: ref };
}
