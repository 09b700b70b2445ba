// An in-memory Engine for planner, ops and API unit tests. It mirrors the behaviour of engine 20.10 that berth
// depends on (name conflicts, list filters, state transitions, the events each transition emits, the error
// codes the dockerode engine maps to), not the Docker API in full. Tests drive what the engine would do on its
// own (a container exiting, a healthcheck passing) through the helpers below the Engine methods.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { extract, pack } from 'tar-stream';
import { EngineError, ErrorCodes } from '../../model/errors.js';
import { normalizeImageRef } from '../image-ref.js';
import type {
  BuildRequest,
  ContainerCreateRequest,
  ContainerInspect,
  ContainerPort,
  ContainerState,
  ContainerSummary,
  EndpointSettings,
  Engine,
  EngineEvent,
  EngineVersion,
  EventsOptions,
  HealthStatus,
  ImageSummary,
  LayerProgress,
  ListFilter,
  LogsOptions,
  NetworkCreateRequest,
  NetworkSummary,
  VolumeCreateRequest,
  VolumeSummary,
} from '../types.js';
import type * as IO from '../types.js';

export interface FakeCall {
  readonly method: string;
  readonly args: readonly unknown[];
}

export interface FakeEngineInit {
  /** Images present locally, as if pulled or built. */
  readonly images?: readonly string[];
  /** Images pullImage can fetch; a pull of anything else fails with IMAGE_NOT_FOUND. */
  readonly remoteImages?: readonly string[];
  /** Let pullImage fetch any reference. */
  readonly pullAnything?: boolean;
  /** Containers with a healthcheck become healthy right after they start (asynchronously, with an event). */
  readonly autoHealthy?: boolean;
  readonly version?: EngineVersion;
  /** The engine's CPU count, as /info's NCPU. Default 2. */
  readonly cpus?: number;
}

interface FakeEndpoint {
  networkId: string;
  aliases: string[];
  ipAddress: string;
}

interface FakeContainer {
  id: string;
  name: string;
  request: ContainerCreateRequest;
  imageId: string;
  created: number;
  state: ContainerState;
  exitCode: number;
  health?: HealthStatus;
  startedAt?: string;
  finishedAt?: string;
  networks: Map<string, FakeEndpoint>;
  /** Networks the create request named that did not exist: the engine looks them up again at start. */
  unresolved: Map<string, EndpointSettings | undefined>;
  logs: string[];
}

interface FakeNetwork {
  id: string;
  request: NetworkCreateRequest;
}

interface FakeVolume {
  name: string;
  driver: string;
  labels: Record<string, string>;
}

interface FakeImage {
  id: string;
  tags: Set<string>;
  size: number;
  lastTagTime?: number;
}

interface FakeFile {
  mode: number;
  mtime: Date;
  /** absent for a directory */
  data?: Buffer;
}

// The directories every fake container's filesystem starts with (busybox's top level, reduced).
const BASE_DIRECTORIES = ['/', '/bin', '/dev', '/etc', '/home', '/proc', '/root', '/sys', '/tmp', '/usr', '/var'];

function normalizePath(path: string): string {
  return posix.resolve('/', path);
}

function fileStat(path: string, f: FakeFile): IO.PathStat {
  // Go's os.FileMode: the directory bit is 1<<31
  const mode = (f.data ? 0 : 2 ** 31) + (f.mode & 0o7777);
  return { name: posix.basename(path) || '/', size: f.data?.length ?? 4096, mode, mtime: f.mtime.toISOString(), linkTarget: '' };
}

interface Subscriber {
  readonly options: EventsOptions;
  push(event: EngineEvent): void;
}

/** The methods of Engine, which are the ones recorded in `calls`. */
export type EngineMethod = keyof Engine;

// Pseudo-networks every engine has; they carry no labels, so project-scoped listings never include them.
const BUILTIN_NETWORKS = [
  { Name: 'bridge', Driver: 'bridge' },
  { Name: 'host', Driver: 'host' },
  { Name: 'none', Driver: 'null' },
] as const;

function matchesLabels(labels: Readonly<Record<string, string>>, filters: readonly string[] | undefined): boolean {
  // Every filter must hold (the engine ANDs label filters); "key" alone asks for presence.
  return (filters ?? []).every((f) => {
    const eq = f.indexOf('=');
    return eq < 0 ? Object.hasOwn(labels, f) : labels[f.slice(0, eq)] === f.slice(eq + 1);
  });
}

function notFound(message: string): EngineError {
  return new EngineError(ErrorCodes.ENGINE_NOT_FOUND, message, { statusCode: 404 });
}

function conflict(message: string): EngineError {
  return new EngineError(ErrorCodes.ENGINE_CONFLICT, message, { statusCode: 409 });
}

export class FakeEngine implements Engine {
  /** Every Engine method call, in order, with its arguments as given. */
  readonly calls: FakeCall[] = [];

  private readonly containers = new Map<string, FakeContainer>();
  private readonly networks = new Map<string, FakeNetwork>();
  private readonly volumes = new Map<string, FakeVolume>();
  private readonly images = new Map<string, FakeImage>();
  private readonly remote = new Set<string>();
  private readonly history: EngineEvent[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private readonly failures = new Map<string, Error[]>();
  private counter = 0;
  private lastTimeNano = 0;
  private readonly pullAnything: boolean;
  private readonly autoHealthy: boolean;
  private readonly engineVersion: EngineVersion;
  private readonly cpus: number;

  constructor(init: FakeEngineInit = {}) {
    this.pullAnything = init.pullAnything ?? false;
    this.autoHealthy = init.autoHealthy ?? false;
    this.engineVersion = init.version ?? { version: '20.10.24', apiVersion: '1.41' };
    this.cpus = init.cpus ?? 2;
    for (const request of BUILTIN_NETWORKS) {
      const id = this.newId(`network:${request.Name}`);
      this.networks.set(id, { id, request });
    }
    for (const ref of init.images ?? []) this.addImage(ref);
    for (const ref of init.remoteImages ?? []) this.addRemoteImage(ref);
  }

  // ---------------------------------------------------------------- test helpers

  /** Make an image present locally; returns its id. Tagging an existing id adds the tag. */
  addImage(ref: string, id?: string): string {
    const tag = normalizeImageRef(ref);
    for (const image of this.images.values()) image.tags.delete(tag);
    const imageId = id ?? `sha256:${this.hash(`image:${tag}`)}`;
    const image = this.images.get(imageId) ?? { id: imageId, tags: new Set<string>(), size: 1_000_000 };
    image.tags.add(tag);
    image.lastTagTime = Date.now();
    this.images.set(imageId, image);
    return imageId;
  }

  /** Make an image available to pullImage. */
  addRemoteImage(ref: string): void {
    this.remote.add(normalizeImageRef(ref));
  }

  /** Set a running container's health, emitting `health_status: <status>` as the engine does on a change. */
  setHealth(idOrName: string, status: HealthStatus): void {
    const c = this.mustFind(idOrName);
    const changed = c.health !== status;
    c.health = status;
    if (changed && (status === 'healthy' || status === 'unhealthy')) this.emitContainer(c, `health_status: ${status}`);
  }

  /** The container's main process exits on its own with `code`. */
  exit(idOrName: string, code = 0): void {
    const c = this.mustFind(idOrName);
    if (c.state !== 'running' && c.state !== 'paused' && c.state !== 'restarting') {
      throw new Error(`fake engine: container ${c.name} is not running`);
    }
    this.terminate(c, code);
  }

  /** Append lines to what containerLogs returns; a trailing newline is added to each when missing. */
  addLogs(idOrName: string, ...lines: string[]): void {
    const c = this.mustFind(idOrName);
    for (const line of lines) c.logs.push(line.endsWith('\n') ? line : `${line}\n`);
    for (const wake of [...this.logWaiters]) wake();
  }

  /** Make the next call of `method` fail with `error` (queued: several calls fail in order). */
  failNext(method: EngineMethod, error: Error): void {
    const queue = this.failures.get(method) ?? [];
    queue.push(error);
    this.failures.set(method, queue);
  }

  /** Emit an arbitrary engine event to subscribers (and the replay history). */
  emit(event: Omit<EngineEvent, 'timeNano'> & { timeNano?: number }): EngineEvent {
    const full: EngineEvent = { ...event, timeNano: event.timeNano ?? this.now() };
    this.history.push(full);
    for (const s of this.subscribers) {
      if (matchesEvent(full, s.options)) s.push(full);
    }
    return full;
  }

  /** Calls of one method, in order. */
  callsTo(method: EngineMethod): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Names of the Engine methods called, in order: handy for asserting "no writes happened". */
  get methodsCalled(): string[] {
    return this.calls.map((c) => c.method);
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  /** Events emitted so far. */
  get emitted(): readonly EngineEvent[] {
    return this.history;
  }

  /** Number of live events() subscriptions; lets tests check that waits unsubscribe. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  // ---------------------------------------------------------------- Engine

  async version(): Promise<EngineVersion> {
    this.enter('version', []);
    return { ...this.engineVersion };
  }

  async info(): Promise<IO.EngineInfo> {
    this.enter('info', []);
    return { cpus: this.cpus };
  }

  async listContainers(filter: ListFilter): Promise<ContainerSummary[]> {
    this.enter('listContainers', [filter]);
    const names = filter.names?.length ? new Set(filter.names) : undefined;
    return [...this.containers.values()]
      .filter((c) => filter.all || c.state === 'running' || c.state === 'paused' || c.state === 'restarting')
      .filter((c) => matchesLabels(c.request.Labels ?? {}, filter.labels))
      .filter((c) => !names || names.has(c.name))
      // the engine lists newest first
      .reverse()
      .map((c) => this.summary(c));
  }

  async inspectContainer(idOrName: string): Promise<ContainerInspect | undefined> {
    this.enter('inspectContainer', [idOrName]);
    const c = this.find(idOrName);
    return c && this.inspect(c);
  }

  async createContainer(request: ContainerCreateRequest): Promise<{ id: string; warnings?: string[] }> {
    this.enter('createContainer', [request]);
    const name = request.name || `fake_${this.counter + 1}`;
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) {
      throw new EngineError(
        ErrorCodes.ENGINE_FAILED,
        `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
        { statusCode: 400 },
      );
    }
    const existing = this.byName(name);
    if (existing) {
      throw conflict(
        `Conflict. The container name "/${name}" is already in use by container "${existing.id}". ` +
          'You have to remove (or rename) that container to be able to reuse that name.',
      );
    }
    const image = this.findImage(request.Image);
    if (!image) throw notFound(`No such image: ${normalizeImageRef(request.Image)}`);

    // Engine 20.10 accepts a network that does not exist at create and fails the start with 404 instead.
    const endpoints = new Map<string, { network: FakeNetwork; settings?: EndpointSettings }>();
    const unresolved = new Map<string, EndpointSettings | undefined>();
    const mode = request.HostConfig.NetworkMode;
    const primary = mode === undefined || mode === '' || mode === 'default' ? 'bridge' : mode;
    if (!primary.startsWith('container:')) {
      const network = this.findNetwork(primary);
      if (network) endpoints.set(network.request.Name, { network });
      else unresolved.set(primary, undefined);
    }
    for (const [key, settings] of Object.entries(request.NetworkingConfig?.EndpointsConfig ?? {})) {
      const network = this.findNetwork(key);
      if (network) {
        unresolved.delete(key);
        endpoints.set(network.request.Name, { network, settings });
      } else unresolved.set(key, settings);
    }

    const id = this.newId(`container:${name}`);
    const c: FakeContainer = {
      id,
      name,
      request: { ...request, name },
      imageId: image.id,
      created: Math.floor(Date.now() / 1000),
      state: 'created',
      exitCode: 0,
      networks: new Map(),
      unresolved,
      logs: [],
    };
    for (const [networkName, { network, settings }] of endpoints) this.attach(c, networkName, network, settings);
    for (const volume of this.namedVolumes(request)) {
      // The engine creates a named volume a container mounts when it does not exist yet, without labels.
      if (!this.volumes.has(volume)) this.putVolume({ Name: volume });
    }
    this.containers.set(id, c);
    this.emitContainer(c, 'create');
    return { id };
  }

  async startContainer(id: string): Promise<void> {
    this.enter('startContainer', [id]);
    const c = this.mustGet(id);
    if (c.state === 'running') return;
    for (const [key, settings] of c.unresolved) {
      const network = this.findNetwork(key);
      if (!network) throw notFound(`network ${key} not found`);
      this.attach(c, network.request.Name, network, settings);
      c.unresolved.delete(key);
    }
    const bound = this.hostPorts(c);
    for (const other of this.containers.values()) {
      if (other === c || other.state !== 'running') continue;
      const clash = this.hostPorts(other).find((p) => bound.includes(p));
      if (clash) {
        throw new EngineError(
          ErrorCodes.ENGINE_PORT_IN_USE,
          `driver failed programming external connectivity on endpoint ${c.name} (${c.id}): ` +
            `Bind for 0.0.0.0:${clash.split('/')[0]} failed: port is already allocated`,
          { statusCode: 500 },
        );
      }
    }
    c.state = 'running';
    c.exitCode = 0;
    c.startedAt = this.stamp();
    c.finishedAt = undefined;
    const test = c.request.Healthcheck?.Test;
    if (test?.length && test[0] !== 'NONE') c.health = 'starting';
    this.emitContainer(c, 'start');
    if (this.autoHealthy && c.health === 'starting') {
      setImmediate(() => {
        if (c.state === 'running' && c.health === 'starting' && this.containers.has(c.id)) this.setHealth(c.id, 'healthy');
      });
    }
  }

  async stopContainer(id: string, timeout?: number): Promise<void> {
    this.enter('stopContainer', [id, timeout]);
    const c = this.mustGet(id);
    if (c.state !== 'running' && c.state !== 'paused' && c.state !== 'restarting') return;
    this.emitContainer(c, 'kill', { signal: String(c.request.StopSignal ?? 'SIGTERM') });
    this.terminate(c, 0);
    this.emitContainer(c, 'stop');
  }

  async killContainer(id: string, signal?: string): Promise<void> {
    this.enter('killContainer', [id, signal]);
    const c = this.mustGet(id);
    if (c.state !== 'running' && c.state !== 'paused' && c.state !== 'restarting') {
      throw conflict(`Cannot kill container: ${id}: Container ${c.id} is not running`);
    }
    this.emitContainer(c, 'kill', { signal: signal ?? 'SIGKILL' });
    this.terminate(c, 137);
  }

  async removeContainer(id: string, options?: { force?: boolean; volumes?: boolean }): Promise<void> {
    this.enter('removeContainer', [id, options]);
    const c = this.mustGet(id);
    if (c.state === 'running' || c.state === 'paused' || c.state === 'restarting') {
      if (!options?.force) {
        throw conflict(
          `You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`,
        );
      }
      this.emitContainer(c, 'kill', { signal: 'SIGKILL' });
      this.terminate(c, 137);
    }
    for (const networkName of [...c.networks.keys()]) this.detach(c, networkName);
    this.containers.delete(c.id);
    this.emitContainer(c, 'destroy');
    // `volumes` removes anonymous volumes only, and the fake creates none; named volumes outlive containers.
  }

  async renameContainer(id: string, name: string): Promise<void> {
    this.enter('renameContainer', [id, name]);
    const c = this.mustGet(id);
    const existing = this.byName(name);
    if (existing && existing !== c) {
      throw conflict(`Error when allocating new name: Conflict. The container name "/${name}" is already in use by container "${existing.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    const oldName = c.name;
    c.name = name;
    c.request = { ...c.request, name };
    this.emitContainer(c, 'rename', { oldName: `/${oldName}` });
  }

  async containerLogs(id: string, options?: LogsOptions): Promise<string> {
    this.enter('containerLogs', [id, options]);
    const c = this.mustGet(id);
    const tail = options?.tail;
    const lines = tail === undefined || tail === 'all' ? c.logs : tail <= 0 ? [] : c.logs.slice(-tail);
    return lines.join('');
  }

  async listNetworks(filter: ListFilter): Promise<NetworkSummary[]> {
    this.enter('listNetworks', [filter]);
    const names = filter.names?.length ? new Set(filter.names) : undefined;
    return [...this.networks.values()]
      .filter((n) => matchesLabels(n.request.Labels ?? {}, filter.labels))
      .filter((n) => !names || names.has(n.request.Name))
      .map((n) => this.networkSummary(n, false));
  }

  async inspectNetwork(idOrName: string): Promise<NetworkSummary | undefined> {
    this.enter('inspectNetwork', [idOrName]);
    const n = this.findNetwork(idOrName);
    return n && this.networkSummary(n, true);
  }

  async createNetwork(request: NetworkCreateRequest): Promise<{ id: string }> {
    this.enter('createNetwork', [request]);
    if (request.CheckDuplicate !== false && this.findNetworkByName(request.Name)) {
      throw conflict(`network with name ${request.Name} already exists`);
    }
    const id = this.newId(`network:${request.Name}`);
    this.networks.set(id, { id, request: { ...request } });
    this.emit({ type: 'network', action: 'create', id, attributes: { name: request.Name, type: request.Driver ?? 'bridge' } });
    return { id };
  }

  async removeNetwork(idOrName: string): Promise<void> {
    this.enter('removeNetwork', [idOrName]);
    const n = this.findNetwork(idOrName);
    if (!n) throw notFound(`network ${idOrName} not found`);
    if (BUILTIN_NETWORKS.some((b) => b.Name === n.request.Name)) {
      throw new EngineError(ErrorCodes.ENGINE_FAILED, `${n.request.Name} is a pre-defined network and cannot be removed`, {
        statusCode: 403,
      });
    }
    if (this.endpointsOn(n).length) {
      throw new EngineError(
        ErrorCodes.ENGINE_CONFLICT,
        `error while removing network: network ${n.request.Name} id ${n.id} has active endpoints`,
        { statusCode: 403 },
      );
    }
    this.networks.delete(n.id);
    this.emit({ type: 'network', action: 'destroy', id: n.id, attributes: { name: n.request.Name, type: n.request.Driver ?? 'bridge' } });
  }

  async connectNetwork(network: string, container: string, endpoint?: EndpointSettings): Promise<void> {
    this.enter('connectNetwork', [network, container, endpoint]);
    const n = this.findNetwork(network);
    if (!n) throw notFound(`network ${network} not found`);
    const c = this.find(container);
    if (!c) throw notFound(`No such container: ${container}`);
    // a stopped container has no endpoint: connecting it again only rewrites its configuration
    if (c.networks.has(n.request.Name) && this.isLive(c)) {
      throw new EngineError(
        ErrorCodes.ENGINE_CONFLICT,
        `endpoint with name ${c.name} already exists in network ${n.request.Name}`,
        { statusCode: 403 },
      );
    }
    if (c.networks.has(n.request.Name)) this.detach(c, n.request.Name);
    this.attach(c, n.request.Name, n, endpoint);
  }

  async listVolumes(filter: ListFilter): Promise<VolumeSummary[]> {
    this.enter('listVolumes', [filter]);
    const names = filter.names?.length ? new Set(filter.names) : undefined;
    return [...this.volumes.values()]
      .filter((v) => matchesLabels(v.labels, filter.labels))
      .filter((v) => !names || names.has(v.name))
      .map((v) => this.volumeSummary(v));
  }

  async inspectVolume(name: string): Promise<VolumeSummary | undefined> {
    this.enter('inspectVolume', [name]);
    const v = this.volumes.get(name);
    return v && this.volumeSummary(v);
  }

  async createVolume(request: VolumeCreateRequest): Promise<VolumeSummary> {
    this.enter('createVolume', [request]);
    // An existing name returns the existing volume unchanged, as the engine does.
    const v = this.volumes.get(request.Name) ?? this.putVolume(request);
    return this.volumeSummary(v);
  }

  async removeVolume(name: string, options?: { force?: boolean }): Promise<void> {
    this.enter('removeVolume', [name, options]);
    const v = this.volumes.get(name);
    if (!v) {
      if (options?.force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    const users = [...this.containers.values()].filter((c) => this.namedVolumes(c.request).includes(name));
    if (users.length) {
      throw conflict(`remove ${name}: volume is in use - [${users.map((c) => c.id).join(', ')}]`);
    }
    this.volumes.delete(name);
    this.emit({ type: 'volume', action: 'destroy', id: name, attributes: { driver: v.driver } });
  }

  async removeImage(ref: string, options?: { force?: boolean }): Promise<void> {
    this.enter('removeImage', [ref, options]);
    const image = this.findImage(ref);
    if (!image) return;
    const tag = normalizeImageRef(ref);
    if (image.tags.has(tag) && image.tags.size > 1) {
      image.tags.delete(tag);
      return;
    }
    for (const [key, value] of this.images) if (value === image) this.images.delete(key);
  }

    async inspectImage(ref: string): Promise<ImageSummary | undefined> {
    this.enter('inspectImage', [ref]);
    const image = this.findImage(ref);
    return image && { id: image.id, repoTags: [...image.tags], size: image.size, ...(image.lastTagTime ? { lastTagTime: image.lastTagTime } : {}) };
  }

  /** Output lines the next builds print; a test sets it. */
  buildOutput: readonly string[] = ['Step 1/1 : FROM busybox:local'];

  // The id is a hash of the context bytes and the request, so an unchanged build gives the same id, like the
  // engine's build cache does.
  async buildImage(context: NodeJS.ReadableStream, request: BuildRequest, onOutput?: (line: string) => void): Promise<{ id: string }> {
    this.enter('buildImage', [context, request]);
    const hash = createHash('sha256');
    for await (const chunk of context as AsyncIterable<Buffer | string>) hash.update(chunk);
    const { signal: _signal, ...rest } = request;
    hash.update(JSON.stringify(rest));
    for (const line of this.buildOutput) onOutput?.(line);
    const id = `sha256:${hash.digest('hex')}`;
    for (const tag of request.tags) this.addImage(tag, id);
    return { id };
  }

  async pushImage(ref: string, onProgress?: (line: LayerProgress) => void): Promise<void> {
    this.enter('pushImage', [ref]);
    const tag = normalizeImageRef(ref);
    if (!this.findImage(tag)) throw new EngineError(ErrorCodes.IMAGE_NOT_FOUND, `push ${ref}: no such image (build or tag it first)`);
    onProgress?.({ status: 'Pushed', id: this.hash(tag).slice(0, 12) });
    this.remote.add(tag);
  }

  async tagImage(source: string, target: string): Promise<void> {
    this.enter('tagImage', [source, target]);
    const image = this.findImage(source);
    if (!image) throw notFound(`No such image: ${source}`);
    this.addImage(target, image.id);
  }

  async pullImage(
    ref: string,
    onProgress?: (line: { status: string; id?: string; progress?: string }) => void,
  ): Promise<void> {
    this.enter('pullImage', [ref]);
    const tag = normalizeImageRef(ref);
    if (!this.pullAnything && !this.remote.has(tag)) {
      throw new EngineError(
        ErrorCodes.IMAGE_NOT_FOUND,
        `pull access denied for ${tag.split(':')[0]}, repository does not exist or may require 'docker login'`,
        { statusCode: 404 },
      );
    }
    const [, version = 'latest'] = tag.split(':');
    onProgress?.({ status: `Pulling from ${tag.split(':')[0]}`, id: version });
    onProgress?.({ status: 'Pull complete', id: this.hash(tag).slice(0, 12) });
    onProgress?.({ status: `Status: Downloaded newer image for ${tag}` });
    this.addImage(tag);
    this.emit({ type: 'image', action: 'pull', id: tag, attributes: { name: tag } });
  }

  // ---- process I/O and lifecycle. Output comes from addLogs; exec runs execHandler (default: exit 0, no output).

  /** What an exec prints and returns; tests replace it. */
  execHandler: (containerId: string, cmd: readonly string[]) => { output?: string; exitCode?: number } = () => ({});
  private readonly logWaiters = new Set<() => void>();
  private readonly execs = new Map<string, { containerId: string; request: IO.ExecCreateRequest; running: boolean; exitCode: number | null }>();
  /** Each container's files as archives put them, by absolute path; directories have no data. */
  private readonly files = new Map<string, Map<string, FakeFile>>();

  private isLive(c: FakeContainer): boolean {
    return this.containers.get(c.id) === c && (c.state === 'running' || c.state === 'paused' || c.state === 'restarting');
  }

  private async *follow(c: FakeContainer, from: number, follow: boolean, timestamps: boolean, signal?: AbortSignal): AsyncGenerator<IO.OutputChunk> {
    let i = from;
    for (;;) {
      while (i < c.logs.length) {
        const line = c.logs[i++];
        yield { stream: 'stdout', data: Buffer.from(timestamps ? `${new Date().toISOString()} ${line}` : line) };
      }
      if (!follow || signal?.aborted || !this.isLive(c)) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.logWaiters.delete(wake);
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        this.logWaiters.add(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  logStream(id: string, options: IO.LogStreamOptions = {}): AsyncIterable<IO.OutputChunk> {
    this.enter('logStream', [id, options]);
    const c = this.mustGet(id);
    const tail = options.tail;
    const from = tail === undefined || tail === 'all' ? 0 : Math.max(0, c.logs.length - tail);
    return { [Symbol.asyncIterator]: () => this.follow(c, from, !!options.follow, !!options.timestamps, options.signal) };
  }

  async attachContainer(id: string, options: IO.AttachOptions = {}): Promise<IO.ProcessIO> {
    this.enter('attachContainer', [id, options]);
    const c = this.mustGet(id);
    const abort = new AbortController();
    const from = c.logs.length;
    // attached before start: the stream lives until the container next stops
    const waiters = this.logWaiters;
    const follow = (f: number) => this.follow(c, f, true, false, abort.signal);
    async function* output(): AsyncGenerator<IO.OutputChunk> {
      if (c.state !== 'running') {
        await new Promise<void>((resolve) => {
          const wake = () => (c.state === 'running' || abort.signal.aborted ? (waiters.delete(wake), resolve()) : undefined);
          waiters.add(wake);
        });
      }
      yield* follow(from);
    }
    return { output: { [Symbol.asyncIterator]: output }, close: () => abort.abort() };
  }

  async resizeContainer(id: string, size: IO.TerminalSize): Promise<void> {
    this.enter('resizeContainer', [id, size]);
    this.mustGet(id);
  }

  async waitContainer(id: string, condition: IO.WaitCondition = 'not-running', signal?: AbortSignal): Promise<{ exitCode: number }> {
    this.enter('waitContainer', [id, condition]);
    const c = this.mustGet(id);
    const done = () => (condition === 'removed' ? !this.containers.has(c.id) : !this.isLive(c));
    if (condition !== 'next-exit' && done()) return { exitCode: c.exitCode };
    await new Promise<void>((resolve, reject) => {
      const wake = () => {
        if (signal?.aborted) reject(new EngineError(ErrorCodes.CANCELLED, 'wait cancelled'));
        else if (!done()) return;
        this.logWaiters.delete(wake);
        resolve();
      };
      this.logWaiters.add(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
    return { exitCode: c.exitCode };
  }

  async restartContainer(id: string, timeout?: number): Promise<void> {
    this.enter('restartContainer', [id, timeout]);
    const c = this.mustGet(id);
    if (this.isLive(c)) {
      this.terminate(c, 0);
      this.emitContainer(c, 'stop');
    }
    // as a start does: the exit code is reset and a healthcheck starts over
    c.state = 'running';
    c.exitCode = 0;
    c.startedAt = this.stamp();
    c.finishedAt = undefined;
    const test = c.request.Healthcheck?.Test;
    if (test?.length && test[0] !== 'NONE') c.health = 'starting';
    this.emitContainer(c, 'start');
    this.emitContainer(c, 'restart');
  }

  async pauseContainer(id: string): Promise<void> {
    this.enter('pauseContainer', [id]);
    const c = this.mustGet(id);
    if (c.state !== 'running') throw conflict(`Container ${c.id} is not running`);
    c.state = 'paused';
    this.emitContainer(c, 'pause');
  }

  async unpauseContainer(id: string): Promise<void> {
    this.enter('unpauseContainer', [id]);
    const c = this.mustGet(id);
    // engine 20.10 answers 500 here, not 409 as for pausing a stopped container
    if (c.state !== 'paused') throw new EngineError(ErrorCodes.ENGINE_FAILED, `Container ${c.id} is not paused`, { statusCode: 500 });
    c.state = 'running';
    this.emitContainer(c, 'unpause');
  }

  async topContainer(id: string, psArgs?: string): Promise<IO.ContainerTop> {
    this.enter('topContainer', [id, psArgs]);
    const c = this.mustGet(id);
    if (c.state !== 'running') throw conflict(`Container ${c.id} is not running`);
    return { titles: ['PID', 'CMD'], processes: [['1', [...(c.request.Entrypoint ?? []), ...(c.request.Cmd ?? [])].join(' ')]] };
  }

  async containerStats(id: string): Promise<IO.ContainerStats> {
    this.enter('containerStats', [id]);
    this.mustGet(id);
    return { cpuTotal: 0, preCpuTotal: 0, systemCpu: 0, preSystemCpu: 0, onlineCpus: 1, memoryUsage: 0, memoryLimit: 0, memoryCache: 0, networkRx: 0, networkTx: 0, blockRead: 0, blockWrite: 0, pids: 1 };
  }

  async createExec(containerId: string, request: IO.ExecCreateRequest): Promise<string> {
    this.enter('createExec', [containerId, request]);
    const c = this.mustGet(containerId);
    if (c.state !== 'running') throw conflict(`Container ${c.id} is not running`);
    const id = this.newId(`exec:${c.id}`);
    this.execs.set(id, { containerId: c.id, request, running: false, exitCode: null });
    return id;
  }

  async startExec(execId: string, options: { tty?: boolean; stdin?: boolean; detach?: boolean }): Promise<IO.ProcessIO | undefined> {
    this.enter('startExec', [execId, options]);
    const e = this.execs.get(execId);
    if (!e) throw notFound(`No such exec instance: ${execId}`);
    const result = this.execHandler(e.containerId, e.request.Cmd);
    e.exitCode = result.exitCode ?? 0;
    if (options.detach) return undefined;
    const data = result.output ? [{ stream: 'stdout' as const, data: Buffer.from(result.output) }] : [];
    return { output: { [Symbol.asyncIterator]: async function* () { yield* data; } }, close: () => {} };
  }

  async resizeExec(execId: string, size: IO.TerminalSize): Promise<void> {
    this.enter('resizeExec', [execId, size]);
  }

  async inspectExec(execId: string): Promise<IO.ExecInspect> {
    this.enter('inspectExec', [execId]);
    const e = this.execs.get(execId);
    if (!e) throw notFound(`No such exec instance: ${execId}`);
    return { running: e.running, exitCode: e.exitCode, pid: 0 };
  }

  async statPath(id: string, path: string): Promise<IO.PathStat | undefined> {
    this.enter('statPath', [id, path]);
    const c = this.mustGet(id);
    const file = this.filesOf(c).get(normalizePath(path));
    return file && fileStat(normalizePath(path), file);
  }

  async getArchive(id: string, path: string): Promise<{ stat: IO.PathStat; tar: AsyncIterable<Buffer> }> {
    this.enter('getArchive', [id, path]);
    const c = this.mustGet(id);
    const files = this.filesOf(c);
    const at = normalizePath(path);
    const file = files.get(at);
    if (!file) throw notFound(`Could not find the file ${path} in container ${c.name}`);
    // as the engine does: the entry (and, for a directory, everything under it) named from its base name
    const base = posix.basename(at) || '.';
    const entries = [...files].filter(([p]) => p === at || p.startsWith(at === '/' ? '/' : `${at}/`)).sort(([a], [b]) => a.localeCompare(b));
    const archive = pack();
    for (const [p, f] of entries) {
      const name = posix.join(base, posix.relative(at, p));
      if (f.data) archive.entry({ name, mode: f.mode, mtime: f.mtime, size: f.data.length }, f.data);
      else archive.entry({ name, type: 'directory', mode: f.mode, mtime: f.mtime });
    }
    archive.finalize();
    return { stat: fileStat(at, file), tar: archive as AsyncIterable<Buffer> };
  }

  async putArchive(id: string, path: string, tar: Buffer, options?: { copyUIDGID?: boolean }): Promise<void> {
    this.enter('putArchive', [id, path, options]);
    const c = this.mustGet(id);
    const files = this.filesOf(c);
    const at = normalizePath(path);
    if (files.get(at)?.data !== undefined || !files.has(at)) throw notFound(`Could not find the file ${path} in container ${c.name}`);
    const x = extract();
    const reading = (async () => {
      for await (const entry of x) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        const target = posix.join(at, entry.header.name);
        const mtime = entry.header.mtime ?? new Date();
        const mode = entry.header.mode ?? (entry.header.type === 'directory' ? 0o755 : 0o644);
        for (let dir = posix.dirname(target); !files.has(dir); dir = posix.dirname(dir)) files.set(dir, { mode: 0o755, mtime });
        files.set(target, entry.header.type === 'directory' ? { mode, mtime } : { mode, mtime, data: Buffer.concat(chunks) });
      }
    })();
    x.end(tar);
    await reading;
  }

  private filesOf(c: FakeContainer): Map<string, FakeFile> {
    let files = this.files.get(c.id);
    if (!files) {
      const mtime = new Date(c.created * 1000);
      files = new Map(BASE_DIRECTORIES.map((d) => [d, { mode: 0o755, mtime }]));
      this.files.set(c.id, files);
    }
    return files;
  }

  async distributionDigest(ref: string): Promise<string> {
    this.enter('distributionDigest', [ref]);
    // as the dockerode adapter reports a registry's refusal: the daemon's error, not a 404 of the engine's own
    if (!this.remote.has(normalizeImageRef(ref))) throw new EngineError(ErrorCodes.ENGINE_FAILED, `Error response from daemon: manifest unknown: ${ref}`);
    return `sha256:${this.hash(`remote:${normalizeImageRef(ref)}`)}`;
  }

  async exportContainer(id: string): Promise<AsyncIterable<Buffer>> {
    this.enter('exportContainer', [id]);
    const c = this.mustGet(id);
    // the container's whole file tree, as `docker export`: paths relative to the root
    const archive = pack();
    for (const [p, f] of [...this.filesOf(c)].sort(([a], [b]) => a.localeCompare(b))) {
      if (p === '/') continue;
      const name = p.slice(1);
      if (f.data) archive.entry({ name, mode: f.mode, mtime: f.mtime, size: f.data.length }, f.data);
      else archive.entry({ name, type: 'directory', mode: f.mode, mtime: f.mtime });
    }
    archive.finalize();
    return archive as AsyncIterable<Buffer>;
  }

  async commitContainer(id: string, options: IO.CommitOptions = {}): Promise<{ id: string }> {
    this.enter('commitContainer', [id, options]);
    const c = this.mustGet(id);
    const imageId = `sha256:${this.hash(`commit:${c.id}:${options.reference ?? ''}:${this.images.size}`)}`;
    if (options.reference) this.addImage(options.reference, imageId);
    else this.images.set(imageId, { id: imageId, tags: new Set<string>(), size: 1_000_000 });
    return { id: imageId };
  }

  /**
   * Subscribes at call time (not at first next()), so a test can subscribe, act, then iterate without racing;
   * `since` (seconds) replays earlier events from the history, as the engine does from its buffer.
   */
  events(options: EventsOptions): AsyncIterable<EngineEvent> {
    try {
      this.enter('events', [options]);
    } catch (err) {
      // An injected failure surfaces where the real engine's would: on the first next(), not at events().
      return { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(err) }) };
    }
    const queue: EngineEvent[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    const subscriber: Subscriber = {
      options,
      push: (event) => {
        queue.push(event);
        wake?.();
      },
    };
    const finish = () => {
      finished = true;
      this.subscribers.delete(subscriber);
      wake?.();
    };
    const untilNano = options.until === undefined ? Infinity : options.until * 1e9;
    if (options.since !== undefined) {
      const sinceNano = options.since * 1e9;
      for (const e of this.history) if (e.timeNano >= sinceNano && e.timeNano <= untilNano && matchesEvent(e, options)) queue.push(e);
    }
    if (options.signal?.aborted) finished = true;
    else if (untilNano <= this.now()) {
      // wholly in the past: the replay, then the end (as the engine closes such a stream)
      finished = true;
      const replayed = [...queue];
      queue.length = 0;
      return { [Symbol.asyncIterator]: () => ({ next: async () => (replayed.length ? { done: false, value: replayed.shift()! } : { done: true, value: undefined }) }) };
    } else {
      this.subscribers.add(subscriber);
      options.signal?.addEventListener('abort', finish, { once: true });
      if (untilNano !== Infinity) setTimeout(finish, (untilNano - Date.now() * 1e6) / 1e6).unref?.();
    }
    const iterator: AsyncIterator<EngineEvent> = {
      next: async () => {
        for (;;) {
          // After an abort nothing more is delivered, even what was queued: the real stream is destroyed too.
          if (finished) return { done: true, value: undefined };
          const event = queue.shift();
          if (event) return { done: false, value: event };
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
      return: async () => {
        finish();
        options.signal?.removeEventListener('abort', finish);
        return { done: true, value: undefined };
      },
    };
    return { [Symbol.asyncIterator]: () => iterator };
  }

  // ---------------------------------------------------------------- swarm mode (stack deploy)
  // Services keep a version index that every write bumps, as swarmkit's does; no tasks are scheduled (tests
  // that need tasks run against a real swarm). `swarmActive` false models an engine that is not a manager.

  swarmActive = true;
  private readonly services = new Map<string, { id: string; version: number; spec: IO.ServiceSpec; createdAt: string; updatedAt: string }>();
  private readonly swarmObjects = { secrets: new Map<string, IO.SwarmObjectInfo>(), configs: new Map<string, IO.SwarmObjectInfo>() };

  async swarmState(): Promise<IO.SwarmState> {
    return { localNodeState: this.swarmActive ? 'active' : 'inactive', controlAvailable: this.swarmActive, nodeId: this.swarmActive ? 'fakenode' : '' };
  }

  private requireManager(): void {
    if (!this.swarmActive) throw new EngineError(ErrorCodes.ENGINE_FAILED, 'This node is not a swarm manager.');
  }

  private serviceInfo(s: { id: string; version: number; spec: IO.ServiceSpec; createdAt: string; updatedAt: string }): IO.ServiceInfo {
    return { id: s.id, version: s.version, spec: structuredClone(s.spec), createdAt: s.createdAt, updatedAt: s.updatedAt };
  }

  async listServices(f: { labels?: readonly string[]; names?: readonly string[] }): Promise<IO.ServiceInfo[]> {
    this.requireManager();
    return [...this.services.values()]
      .filter((s) => matchesLabels(s.spec.Labels ?? {}, f.labels) && (!f.names?.length || f.names.includes(s.spec.Name)))
      .map((s) => this.serviceInfo(s));
  }

  async inspectService(idOrName: string): Promise<IO.ServiceInfo | undefined> {
    this.requireManager();
    const s = [...this.services.values()].find((x) => x.id === idOrName || x.spec.Name === idOrName);
    return s && this.serviceInfo(s);
  }

  async createService(spec: IO.ServiceSpec): Promise<{ id: string }> {
    this.requireManager();
    if ([...this.services.values()].some((s) => s.spec.Name === spec.Name)) throw new EngineError(ErrorCodes.ENGINE_CONFLICT, `service ${spec.Name} already exists`);
    const id = this.newId(`service:${spec.Name}`).slice(0, 25);
    const at = new Date().toISOString();
    this.counter += 1;
    this.services.set(id, { id, version: this.counter, spec: structuredClone(spec), createdAt: at, updatedAt: at });
    return { id };
  }

  async updateService(id: string, version: number, spec: IO.ServiceSpec): Promise<{ warnings?: string[] }> {
    this.requireManager();
    const s = this.services.get(id);
    if (!s) throw new EngineError(ErrorCodes.ENGINE_NOT_FOUND, `service ${id} not found`);
    if (s.version !== version) throw new EngineError(ErrorCodes.ENGINE_FAILED, 'update out of sequence');
    this.counter += 1;
    Object.assign(s, { version: this.counter, spec: structuredClone(spec), updatedAt: new Date().toISOString() });
    return {};
  }

  async removeService(idOrName: string): Promise<void> {
    const s = [...this.services.values()].find((x) => x.id === idOrName || x.spec.Name === idOrName);
    if (!s) throw new EngineError(ErrorCodes.ENGINE_NOT_FOUND, `service ${idOrName} not found`);
    this.services.delete(s.id);
  }

  async listTasks(): Promise<IO.TaskInfo[]> {
    return [];
  }

  async listNodes(): Promise<IO.NodeInfo[]> {
    return this.swarmActive ? [{ id: 'fakenode', hostname: 'fake', addr: '127.0.0.1', state: 'ready', availability: 'active', role: 'manager' }] : [];
  }

  private listObjects(kind: 'secrets' | 'configs', f: { labels?: readonly string[] }): IO.SwarmObjectInfo[] {
    this.requireManager();
    return [...this.swarmObjects[kind].values()].filter((o) => matchesLabels(o.labels, f.labels));
  }

  private createObject(kind: 'secrets' | 'configs', r: IO.SwarmObjectCreateRequest): { id: string } {
    this.requireManager();
    if ([...this.swarmObjects[kind].values()].some((o) => o.name === r.Name)) throw new EngineError(ErrorCodes.ENGINE_CONFLICT, `${kind} ${r.Name} already exists`);
    const id = this.newId(`${kind}:${r.Name}`).slice(0, 25);
    this.swarmObjects[kind].set(id, { id, name: r.Name, labels: { ...r.Labels } });
    return { id };
  }

  private removeObject(kind: 'secrets' | 'configs', idOrName: string): void {
    const o = [...this.swarmObjects[kind].values()].find((x) => x.id === idOrName || x.name === idOrName);
    if (!o) throw new EngineError(ErrorCodes.ENGINE_NOT_FOUND, `${kind} ${idOrName} not found`);
    const inUse = [...this.services.values()].some((s) => JSON.stringify(s.spec).includes(`"${o.id}"`));
    if (inUse) throw new EngineError(ErrorCodes.ENGINE_CONFLICT, `${kind} ${o.name} is in use`);
    this.swarmObjects[kind].delete(o.id);
  }

  async listSecrets(f: { labels?: readonly string[] }): Promise<IO.SwarmObjectInfo[]> { return this.listObjects('secrets', f); }
  async createSecret(r: IO.SwarmObjectCreateRequest): Promise<{ id: string }> { return this.createObject('secrets', r); }
  async removeSecret(idOrName: string): Promise<void> { this.removeObject('secrets', idOrName); }
  async listConfigs(f: { labels?: readonly string[] }): Promise<IO.SwarmObjectInfo[]> { return this.listObjects('configs', f); }
  async createConfig(r: IO.SwarmObjectCreateRequest): Promise<{ id: string }> { return this.createObject('configs', r); }
  async removeConfig(idOrName: string): Promise<void> { this.removeObject('configs', idOrName); }

  // ---------------------------------------------------------------- internals

  private enter(method: EngineMethod, args: unknown[]): void {
    this.calls.push({ method, args });
    const failure = this.failures.get(method)?.shift();
    if (failure) throw failure;
  }

  private hash(seed: string): string {
    return createHash('sha256').update(seed).digest('hex');
  }

  private newId(seed: string): string {
    this.counter += 1;
    return this.hash(`${seed}#${this.counter}`);
  }

  /**
   * A state time (StartedAt, FinishedAt) from the same clock as the events, to the nanosecond as the engine
   * writes it: the event that follows is later, and an earlier run's events are earlier (ContainerWatcher
   * relies on both, as it does with the real engine).
   */
  private stamp(): string {
    const t = this.now();
    const ms = Math.floor(t / 1e6);
    return new Date(ms).toISOString().replace(/\.\d+Z$/, `.${String(ms % 1000).padStart(3, '0')}${String(Math.floor(t - ms * 1e6)).padStart(6, '0')}Z`);
  }

  // Strictly increasing even within one millisecond, so `since` replay and ordering assertions are exact.
  private now(): number {
    const t = Math.max(Date.now() * 1e6, this.lastTimeNano + 1000);
    this.lastTimeNano = t;
    return t;
  }

  private byName(name: string): FakeContainer | undefined {
    const bare = name.startsWith('/') ? name.slice(1) : name;
    for (const c of this.containers.values()) if (c.name === bare) return c;
    return undefined;
  }

  // Engine lookup order: full id, exact name, then a unique id prefix.
  private find(idOrName: string): FakeContainer | undefined {
    const exact = this.containers.get(idOrName) ?? this.byName(idOrName);
    if (exact) return exact;
    const prefixed = [...this.containers.values()].filter((c) => c.id.startsWith(idOrName));
    return prefixed.length === 1 ? prefixed[0] : undefined;
  }

  private mustGet(idOrName: string): FakeContainer {
    const c = this.find(idOrName);
    if (!c) throw notFound(`No such container: ${idOrName}`);
    return c;
  }

  private mustFind(idOrName: string): FakeContainer {
    const c = this.find(idOrName);
    if (!c) throw new Error(`fake engine: no container ${idOrName}`);
    return c;
  }

  private findNetworkByName(name: string): FakeNetwork | undefined {
    for (const n of this.networks.values()) if (n.request.Name === name) return n;
    return undefined;
  }

  private findNetwork(idOrName: string): FakeNetwork | undefined {
    const exact = this.findNetworkByName(idOrName) ?? this.networks.get(idOrName);
    if (exact) return exact;
    const prefixed = [...this.networks.values()].filter((n) => n.id.startsWith(idOrName));
    return prefixed.length === 1 ? prefixed[0] : undefined;
  }

  private findImage(ref: string): FakeImage | undefined {
    const byId = this.images.get(ref) ?? this.images.get(`sha256:${ref}`);
    if (byId) return byId;
    const tag = normalizeImageRef(ref);
    for (const image of this.images.values()) if (image.tags.has(tag)) return image;
    return undefined;
  }

  private attachedTo(n: FakeNetwork): FakeContainer[] {
    return [...this.containers.values()].filter((c) => c.networks.has(n.request.Name));
  }

  /** The containers with an endpoint on the network: the engine makes one at start and drops it at stop. */
  private endpointsOn(n: FakeNetwork): FakeContainer[] {
    return this.attachedTo(n).filter((c) => this.isLive(c));
  }

  private attach(c: FakeContainer, networkName: string, n: FakeNetwork, settings?: EndpointSettings): void {
    const octet = (this.attachedTo(n).length % 250) + 2;
    const subnet = [...this.networks.keys()].indexOf(n.id) % 250;
    c.networks.set(networkName, {
      networkId: n.id,
      aliases: [...(settings?.Aliases ?? [])],
      ipAddress: `172.${18 + Math.floor(subnet / 250)}.${subnet}.${octet}`,
    });
    this.emit({ type: 'network', action: 'connect', id: n.id, attributes: { container: c.id, name: networkName, type: n.request.Driver ?? 'bridge' } });
  }

  private detach(c: FakeContainer, networkName: string): void {
    const endpoint = c.networks.get(networkName);
    if (!endpoint) return;
    c.networks.delete(networkName);
    this.emit({ type: 'network', action: 'disconnect', id: endpoint.networkId, attributes: { container: c.id, name: networkName, type: 'bridge' } });
  }

  private putVolume(request: VolumeCreateRequest): FakeVolume {
    const v: FakeVolume = { name: request.Name, driver: request.Driver ?? 'local', labels: { ...(request.Labels ?? {}) } };
    this.volumes.set(v.name, v);
    this.emit({ type: 'volume', action: 'create', id: v.name, attributes: { driver: v.driver } });
    return v;
  }

  /** Named volumes a container uses, from Mounts and from "name:/path" Binds (a source without "/" is a name). */
  private namedVolumes(request: ContainerCreateRequest): string[] {
    const names = new Set<string>();
    for (const m of request.HostConfig.Mounts ?? []) if (m.Type === 'volume' && m.Source) names.add(m.Source);
    for (const bind of request.HostConfig.Binds ?? []) {
      const source = bind.split(':')[0];
      if (source && !source.startsWith('/') && !source.startsWith('.') && !source.startsWith('~')) names.add(source);
    }
    return [...names];
  }

  private hostPorts(c: FakeContainer): string[] {
    const out: string[] = [];
    for (const [port, bindings] of Object.entries(c.request.HostConfig.PortBindings ?? {})) {
      const proto = port.split('/')[1] ?? 'tcp';
      for (const b of bindings ?? []) if (b.HostPort) out.push(`${b.HostPort}/${proto}`);
    }
    return out;
  }

  private terminate(c: FakeContainer, exitCode: number): void {
    c.state = 'exited';
    c.exitCode = exitCode;
    c.finishedAt = this.stamp();
    // Engine 20.10 reports a stopped container with a healthcheck as unhealthy (and "starting" once restarted).
    if (c.health !== undefined) c.health = 'unhealthy';
    this.emitContainer(c, 'die', { exitCode: String(exitCode) });
  }

  private emitContainer(c: FakeContainer, action: string, extra: Record<string, string> = {}): void {
    this.emit({
      type: 'container',
      action,
      id: c.id,
      // As in the engine: the container's labels plus image and name.
      attributes: { ...(c.request.Labels ?? {}), image: c.request.Image, name: c.name, ...extra },
    });
    // followers, attachments and waits re-check the container's state
    for (const wake of [...this.logWaiters]) wake();
  }

  private mounts(c: FakeContainer): ContainerSummary['mounts'] {
    const out: { type: string; name?: string; source?: string; destination: string }[] = [];
    for (const m of c.request.HostConfig.Mounts ?? []) {
      out.push(
        m.Type === 'volume'
          ? // like the engine, an anonymous volume gets a generated 64-hex name, stable for the container
            { type: 'volume', name: m.Source || this.hash(`${c.id}:${m.Target}`), destination: m.Target }
          : { type: m.Type, ...(m.Source ? { source: m.Source } : {}), destination: m.Target },
      );
    }
    for (const bind of c.request.HostConfig.Binds ?? []) {
      const [source, destination] = bind.split(':');
      const named = !source.startsWith('/') && !source.startsWith('.') && !source.startsWith('~');
      out.push(named ? { type: 'volume', name: source, destination } : { type: 'bind', source, destination });
    }
    return out;
  }

  private summary(c: FakeContainer): ContainerSummary {
    const ports: ContainerPort[] = [];
    for (const [port, bindings] of Object.entries(c.request.HostConfig.PortBindings ?? {})) {
      const [privatePort, type = 'tcp'] = port.split('/');
      for (const b of bindings ?? []) {
        ports.push({
          privatePort: Number(privatePort),
          ...(c.state === 'running' && b.HostPort ? { publicPort: Number(b.HostPort), ip: b.HostIp || '0.0.0.0' } : {}),
          type,
        });
      }
    }
    const command = [...(c.request.Entrypoint ?? []), ...(c.request.Cmd ?? [])].join(' ');
    return {
      id: c.id,
      name: c.name,
      // as the engine lists it: by the reference it was created from while that still names its image, else by id
      image: this.findImage(c.request.Image)?.id === c.imageId ? c.request.Image : c.imageId,
      imageId: c.imageId,
      command,
      created: c.created,
      state: c.state,
      status:
        c.state === 'running'
          ? `Up${c.health && c.health !== 'none' ? ` (${c.health === 'starting' ? 'health: starting' : c.health})` : ''}`
          : c.state === 'exited'
            ? `Exited (${c.exitCode})`
            : c.state[0].toUpperCase() + c.state.slice(1),
      labels: { ...(c.request.Labels ?? {}) },
      ports,
      networks: [...c.networks.keys()],
      mounts: this.mounts(c),
    };
  }

  private inspect(c: FakeContainer): ContainerInspect {
    const { name: _name, HostConfig, NetworkingConfig: _networking, ...config } = c.request;
    const networks: Record<string, { aliases?: string[]; ipAddress?: string; networkId?: string }> = {};
    for (const [name, e] of c.networks) {
      networks[name] = {
        ...(e.aliases.length ? { aliases: [...e.aliases] } : {}),
        ...(c.state === 'running' ? { ipAddress: e.ipAddress } : {}),
        networkId: e.networkId,
      };
    }
    const raw = {
      Id: c.id,
      Name: `/${c.name}`,
      Image: c.imageId,
      Created: new Date(c.created * 1000).toISOString(),
      State: {
        Status: c.state,
        Running: c.state === 'running',
        ExitCode: c.exitCode,
        StartedAt: c.startedAt ?? '0001-01-01T00:00:00Z',
        FinishedAt: c.finishedAt ?? '0001-01-01T00:00:00Z',
        ...(c.health ? { Health: { Status: c.health } } : {}),
      },
      Config: { ...config, Labels: { ...(c.request.Labels ?? {}) }, Env: [...(c.request.Env ?? [])] },
      HostConfig: structuredClone(HostConfig),
      NetworkSettings: {
        Networks: Object.fromEntries(
          [...c.networks].map(([name, e]) => [
            name,
            { Aliases: e.aliases.length ? [...e.aliases] : null, NetworkID: e.networkId, IPAddress: c.state === 'running' ? e.ipAddress : '' },
          ]),
        ),
      },
    };
    return {
      id: c.id,
      name: c.name,
      image: c.imageId,
      state: {
        status: c.state,
        running: c.state === 'running',
        exitCode: c.exitCode,
        ...(c.health ? { health: c.health } : {}),
        ...(c.startedAt ? { startedAt: c.startedAt } : {}),
        ...(c.finishedAt ? { finishedAt: c.finishedAt } : {}),
      },
      config: {
        image: c.request.Image,
        labels: { ...(c.request.Labels ?? {}) },
        env: [...(c.request.Env ?? [])],
        ...(c.request.Cmd ? { cmd: [...c.request.Cmd] } : {}),
        ...(c.request.Entrypoint ? { entrypoint: [...c.request.Entrypoint] } : {}),
      },
      mounts: this.mounts(c),
      networks,
      raw,
    };
  }

  private networkSummary(n: FakeNetwork, withContainers: boolean): NetworkSummary {
    return {
      id: n.id,
      name: n.request.Name,
      driver: n.request.Driver ?? 'bridge',
      labels: { ...(n.request.Labels ?? {}) },
      ...(withContainers ? { containers: this.endpointsOn(n).map((c) => c.id) } : {}),
    };
  }

  private volumeSummary(v: FakeVolume): VolumeSummary {
    return { name: v.name, driver: v.driver, labels: { ...v.labels }, mountpoint: `/var/lib/docker/volumes/${v.name}/_data` };
  }
}

function matchesEvent(e: EngineEvent, options: EventsOptions): boolean {
  if (options.types?.length && !options.types.includes(e.type)) return false;
  return matchesLabels(e.attributes, options.labels);
}

export function createFakeEngine(init?: FakeEngineInit): FakeEngine {
  return new FakeEngine(init);
}
