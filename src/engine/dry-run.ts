// The dry run, at the engine boundary (as compose does it): an Engine that reads from the real engine and
// records every write as an operation instead of sending it. Commands need no dry-run code of their own to be
// safe: the real engine is held in a private field that no caller can reach, and every write method is
// implemented here without it. Writes answer with plausible results (fresh ids, an image id for a build) and
// a small overlay remembers what the dry run made, changed and removed, so that a later read of the same
// command sees it (a container the dry run created is listed; one it removed is gone).
//
// Reads that would never end are cut short: events() ends at once, a followed log stream is not followed,
// attach and a non-detached exec give streams that are already over, and waiting on a running container is
// recorded as a step of the plan instead of blocking.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { normalizeImageRef } from './image-ref.js';
import type * as T from './types.js';
import type { Engine } from './types.js';

export { ENGINE_METHODS } from './methods.js';

/** One write the dry run did not send. */
export interface RecordedWrite {
  /** "1", "2", … in the order recorded. */
  readonly id: string;
  readonly method: keyof Engine;
  /** What the operation does, in the words of the plan: "create container p-web-1", "push image r/app:v1". */
  readonly text: string;
  /** Ids of the recorded writes it depends on: earlier writes on the same objects, or on objects it uses. */
  readonly after: readonly string[];
}

export interface DryRunOptions {
  /** Called with each write as it is recorded, and every write recorded so far (the new one last). */
  readonly onWrite?: (write: RecordedWrite, writes: readonly RecordedWrite[]) => void;
}

export interface DryRunEngine extends Engine {
  /** Every write recorded so far, in order. */
  readonly writes: readonly RecordedWrite[];
}

const DRY_RUN = Symbol('berth.dry-run');

export function isDryRunEngine(engine: Engine): engine is DryRunEngine {
  return (engine as Partial<Record<typeof DRY_RUN, boolean>>)[DRY_RUN] === true;
}

/** Wrap `real`; a dry-run engine is returned as it is (a dry run of a dry run is the same dry run). */
export function createDryRunEngine(real: Engine, options: DryRunOptions = {}): DryRunEngine {
  return isDryRunEngine(real) ? real : new DryRun(real, options);
}

interface OverlayContainer {
  id: string;
  name: string;
  request: T.ContainerCreateRequest;
  state: T.ContainerState;
  created: number;
}

const fakeId = () => randomBytes(32).toString('hex');
const isLive = (s: T.ContainerState) => s === 'running' || s === 'paused' || s === 'restarting';

function matchesLabels(labels: Readonly<Record<string, string>>, filters: readonly string[] | undefined): boolean {
  return (filters ?? []).every((f) => {
    const eq = f.indexOf('=');
    return eq < 0 ? Object.hasOwn(labels, f) : labels[f.slice(0, eq)] === f.slice(eq + 1);
  });
}

const matchesNames = (name: string, names: readonly string[] | undefined) => !names?.length || names.some((n) => name.includes(n.replace(/^\//, '')));

async function* nothing<V>(): AsyncGenerator<V> {}

/** A process connection that is already over: what attach and exec give in a dry run. */
function endedProcess(stdin: boolean | undefined): T.ProcessIO {
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  return { output: { [Symbol.asyncIterator]: () => nothing<T.OutputChunk>() }, ...(stdin ? { stdin: sink } : {}), close: () => undefined };
}

class DryRun implements DryRunEngine {
  readonly [DRY_RUN] = true;
  readonly writes: RecordedWrite[] = [];
  // private (#): nothing outside this class can send a request to the real engine
  readonly #real: Engine;
  readonly #onWrite: DryRunOptions['onWrite'];

  // the overlay: what the recorded writes would have changed
  readonly #containers = new Map<string, OverlayContainer>();
  readonly #states = new Map<string, T.ContainerState>();
  readonly #renamed = new Map<string, string>();
  readonly #removed = new Set<string>();
  readonly #names = new Map<string, string>();
  readonly #networks = new Map<string, T.NetworkSummary>();
  readonly #volumes = new Map<string, T.VolumeSummary>();
  readonly #images = new Map<string, T.ImageSummary>();
  readonly #execs = new Map<string, string>();
  /** Object key ("container:p-web-1") → id of the last write on it. */
  readonly #last = new Map<string, string>();

  constructor(real: Engine, options: DryRunOptions) {
    this.#real = real;
    this.#onWrite = options.onWrite;
  }

  #record(method: keyof Engine, text: string, objects: readonly string[], uses: readonly string[] = []): void {
    const id = String(this.writes.length + 1);
    const after = [...new Set([...objects, ...uses].map((k) => this.#last.get(k)).filter((x): x is string => x !== undefined))];
    const write: RecordedWrite = { id, method, text, after };
    for (const k of objects) this.#last.set(k, id);
    this.writes.push(write);
    this.#onWrite?.(write, this.writes);
  }

  // ---------------------------------------------------------------- lookups

  #overlay(idOrName: string): OverlayContainer | undefined {
    const bare = idOrName.replace(/^\//, '');
    for (const c of this.#containers.values()) if (c.id === bare || c.name === bare || (bare.length >= 12 && c.id.startsWith(bare))) return c;
    return undefined;
  }

  #learn(list: readonly { id: string; name: string }[]): void {
    for (const c of list) this.#names.set(c.id, c.name);
  }

  /** The container's name as the plan prints it (its dry-run name after a rename). */
  async #containerName(idOrName: string): Promise<string> {
    const o = this.#overlay(idOrName);
    if (o) return o.name;
    const id = await this.#containerId(idOrName);
    return this.#renamed.get(id) ?? this.#names.get(id) ?? idOrName;
  }

  async #containerId(idOrName: string): Promise<string> {
    const o = this.#overlay(idOrName);
    if (o) return o.id;
    if (this.#names.has(idOrName)) return idOrName;
    for (const [id, name] of this.#names) if (name === idOrName) return id;
    const c = await this.#real.inspectContainer(idOrName).catch(() => undefined);
    if (!c) return idOrName;
    this.#learn([{ id: c.id, name: c.name.replace(/^\//, '') }]);
    return c.id;
  }

  #isRemoved(id: string, name?: string): boolean {
    return this.#removed.has(id) || (name !== undefined && this.#removed.has(`name:${name}`));
  }

  #summary(c: OverlayContainer): T.ContainerSummary {
    const r = c.request;
    const endpoints = Object.keys(r.NetworkingConfig?.EndpointsConfig ?? {});
    const mode = r.HostConfig.NetworkMode;
    return {
      id: c.id,
      name: c.name,
      image: r.Image,
      imageId: this.#images.get(normalizeImageRef(r.Image))?.id ?? '',
      command: [...(r.Entrypoint ?? []), ...(r.Cmd ?? [])].join(' '),
      created: c.created,
      state: c.state,
      status: c.state === 'running' ? 'Up Less than a second' : c.state === 'created' ? 'Created' : 'Exited (0) Less than a second ago',
      labels: r.Labels ?? {},
      ports: [],
      networks: endpoints.length ? endpoints : mode ? [mode] : [],
      mounts: (r.HostConfig.Mounts ?? []).map((m) => ({ type: m.Type, name: m.Type === 'volume' ? m.Source : undefined, source: m.Source, destination: m.Target })),
    };
  }

  #inspect(c: OverlayContainer): T.ContainerInspect {
    const s = this.#summary(c);
    const r = c.request;
    // A container the dry run started has done its work at once: it reads as exited 0 and healthy, so that
    // every wait on it (started, healthy, completed successfully) is satisfied instead of waiting forever.
    const state: T.ContainerInspect['state'] = isLive(c.state) ? { status: 'exited', running: false, exitCode: 0, health: 'healthy' } : { status: c.state, running: false, exitCode: 0 };
    return {
      id: c.id,
      name: c.name,
      image: s.imageId,
      state,
      config: { image: r.Image, labels: r.Labels ?? {}, env: r.Env ?? [], cmd: r.Cmd, entrypoint: r.Entrypoint },
      mounts: s.mounts,
      networks: Object.fromEntries(Object.entries(r.NetworkingConfig?.EndpointsConfig ?? {}).map(([k, e]) => [k, { aliases: e.Aliases ?? [] }])),
      raw: { Id: c.id, Name: `/${c.name}`, Config: { ...r, HostConfig: undefined }, HostConfig: r.HostConfig, State: { Status: c.state, Running: c.state === 'running', ExitCode: 0 } },
    };
  }

  #patch<C extends { id: string; name: string; state: T.ContainerState }>(c: C): C {
    const state = this.#states.get(c.id);
    const name = this.#renamed.get(c.id);
    return { ...c, ...(state ? { state } : {}), ...(name ? { name } : {}) };
  }

  #setState(id: string, state: T.ContainerState): void {
    const o = this.#overlay(id);
    if (o) o.state = state;
    else this.#states.set(id, state);
  }

  // ---------------------------------------------------------------- reads

  version(): Promise<T.EngineVersion> {
    return this.#real.version();
  }

  info(): Promise<T.EngineInfo> {
    return this.#real.info();
  }

  async listContainers(filter: T.ListFilter): Promise<T.ContainerSummary[]> {
    const real = await this.#real.listContainers(filter.all || !this.#states.size ? filter : { ...filter, all: true });
    this.#learn(real);
    const shown = real
      .filter((c) => !this.#isRemoved(c.id, c.name))
      .map((c) => this.#patch(c))
      .filter((c) => filter.all || isLive(c.state));
    const made = [...this.#containers.values()]
      .filter((c) => !this.#isRemoved(c.id) && (filter.all || isLive(c.state)) && matchesLabels(c.request.Labels ?? {}, filter.labels) && matchesNames(c.name, filter.names))
      .map((c) => this.#summary(c));
    return [...shown, ...made];
  }

  async inspectContainer(idOrName: string): Promise<T.ContainerInspect | undefined> {
    const o = this.#overlay(idOrName);
    if (o) return this.#isRemoved(o.id) ? undefined : this.#inspect(o);
    const c = await this.#real.inspectContainer(idOrName);
    if (!c || this.#isRemoved(c.id, c.name.replace(/^\//, ''))) return undefined;
    this.#learn([{ id: c.id, name: c.name.replace(/^\//, '') }]);
    const state = this.#states.get(c.id);
    return { ...c, ...(this.#renamed.has(c.id) ? { name: this.#renamed.get(c.id)! } : {}), ...(state ? { state: { ...c.state, status: state, running: state === 'running' } } : {}) };
  }

  async containerLogs(id: string, options?: T.LogsOptions): Promise<string> {
    return this.#overlay(id) ? '' : this.#real.containerLogs(id, options);
  }

  async listNetworks(filter: T.ListFilter): Promise<T.NetworkSummary[]> {
    const real = (await this.#real.listNetworks(filter)).filter((n) => !this.#removed.has(`network:${n.name}`) && !this.#removed.has(`network:${n.id}`));
    const made = [...this.#networks.values()].filter((n) => !this.#removed.has(`network:${n.name}`) && matchesLabels(n.labels, filter.labels) && matchesNames(n.name, filter.names));
    return [...real, ...made];
  }

  async inspectNetwork(idOrName: string): Promise<T.NetworkSummary | undefined> {
    if (this.#removed.has(`network:${idOrName}`)) return undefined;
    const made = [...this.#networks.values()].find((n) => n.name === idOrName || n.id === idOrName);
    if (made) return made;
    const n = await this.#real.inspectNetwork(idOrName);
    return n && !this.#removed.has(`network:${n.name}`) ? n : undefined;
  }

  async listVolumes(filter: T.ListFilter): Promise<T.VolumeSummary[]> {
    const real = (await this.#real.listVolumes(filter)).filter((v) => !this.#removed.has(`volume:${v.name}`));
    const made = [...this.#volumes.values()].filter((v) => !this.#removed.has(`volume:${v.name}`) && matchesLabels(v.labels, filter.labels) && matchesNames(v.name, filter.names));
    return [...real, ...made];
  }

  async inspectVolume(name: string): Promise<T.VolumeSummary | undefined> {
    if (this.#removed.has(`volume:${name}`)) return undefined;
    return this.#volumes.get(name) ?? this.#real.inspectVolume(name);
  }

  async inspectImage(ref: string): Promise<T.ImageSummary | undefined> {
    const key = ref.startsWith('sha256:') ? ref : normalizeImageRef(ref);
    if (this.#removed.has(`image:${key}`)) return undefined;
    return this.#images.get(key) ?? this.#real.inspectImage(ref);
  }

  /** Ends at once: a dry run has nothing to wait for, and the overlay's changes make no events. */
  events(_options: T.EventsOptions): AsyncIterable<T.EngineEvent> {
    return { [Symbol.asyncIterator]: () => nothing<T.EngineEvent>() };
  }

  logStream(id: string, options?: T.LogStreamOptions): AsyncIterable<T.OutputChunk> {
    if (this.#overlay(id)) return { [Symbol.asyncIterator]: () => nothing<T.OutputChunk>() };
    return this.#real.logStream(id, { ...options, follow: false });
  }

  async waitContainer(id: string, condition: T.WaitCondition = 'not-running', signal?: AbortSignal): Promise<{ exitCode: number }> {
    const o = this.#overlay(id);
    if (o) {
      // the dry run's own containers "exit" at once, successfully
      if (isLive(o.state)) o.state = 'exited';
      return { exitCode: 0 };
    }
    const c = await this.inspectContainer(id);
    if (!c) return { exitCode: 0 };
    const done = condition === 'removed' ? false : condition === 'not-running' && !isLive(c.state.status);
    if (done) return this.#real.waitContainer(c.id, condition, signal);
    this.#record('waitContainer', `wait for container ${await this.#containerName(c.id)} to ${condition === 'removed' ? 'be removed' : 'stop'}`, [`container:${c.id}`]);
    return { exitCode: 0 };
  }

  async topContainer(id: string, psArgs?: string): Promise<T.ContainerTop> {
    return this.#overlay(id) ? { titles: [], processes: [] } : this.#real.topContainer(id, psArgs);
  }

  async containerStats(id: string): Promise<T.ContainerStats> {
    if (!this.#overlay(id)) return this.#real.containerStats(id);
    return { cpuTotal: 0, preCpuTotal: 0, systemCpu: 0, preSystemCpu: 0, onlineCpus: 1, memoryUsage: 0, memoryLimit: 0, memoryCache: 0, networkRx: 0, networkTx: 0, blockRead: 0, blockWrite: 0, pids: 0 };
  }

  async inspectExec(execId: string): Promise<T.ExecInspect> {
    return this.#execs.has(execId) ? { running: false, exitCode: 0, pid: 0 } : this.#real.inspectExec(execId);
  }

  async statPath(id: string, path: string): Promise<T.PathStat | undefined> {
    return this.#overlay(id) ? undefined : this.#real.statPath(id, path);
  }

  getArchive(id: string, path: string): Promise<{ readonly stat: T.PathStat; readonly tar: AsyncIterable<Buffer> }> {
    return this.#real.getArchive(id, path);
  }

  distributionDigest(ref: string): Promise<string> {
    return this.#real.distributionDigest(ref);
  }

  exportContainer(id: string): Promise<AsyncIterable<Buffer>> {
    return this.#real.exportContainer(id);
  }

  swarmState(): Promise<T.SwarmState> {
    return this.#real.swarmState();
  }

  listServices(filter: { readonly labels?: readonly string[]; readonly names?: readonly string[] }): Promise<T.ServiceInfo[]> {
    return this.#real.listServices(filter);
  }

  inspectService(idOrName: string): Promise<T.ServiceInfo | undefined> {
    return this.#real.inspectService(idOrName);
  }

  listTasks(filter: { readonly services?: readonly string[]; readonly labels?: readonly string[] }): Promise<T.TaskInfo[]> {
    return this.#real.listTasks(filter);
  }

  listNodes(): Promise<T.NodeInfo[]> {
    return this.#real.listNodes();
  }

  listSecrets(filter: { readonly labels?: readonly string[] }): Promise<T.SwarmObjectInfo[]> {
    return this.#real.listSecrets(filter);
  }

  listConfigs(filter: { readonly labels?: readonly string[] }): Promise<T.SwarmObjectInfo[]> {
    return this.#real.listConfigs(filter);
  }

  // ---------------------------------------------------------------- writes: recorded, never sent

  async createContainer(request: T.ContainerCreateRequest): Promise<{ id: string; warnings?: string[] }> {
    const id = fakeId();
    this.#containers.set(id, { id, name: request.name, request, state: 'created', created: Math.floor(Date.now() / 1000) });
    const networks = Object.keys(request.NetworkingConfig?.EndpointsConfig ?? {});
    const mode = request.HostConfig.NetworkMode;
    if (mode && !networks.includes(mode)) networks.push(mode);
    const volumes = (request.HostConfig.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Source).map((m) => `volume:${m.Source}`);
    const uses = [...networks.map((n) => `network:${n}`), ...volumes, `image:${normalizeImageRef(request.Image)}`];
    this.#record('createContainer', `create container ${request.name}${request.HostConfig.AutoRemove ? ' with auto-remove' : ''}`, [`container:${id}`], uses);
    return { id };
  }

  async #containerWrite(method: keyof Engine, verb: string, idOrName: string, state?: T.ContainerState): Promise<void> {
    const id = await this.#containerId(idOrName);
    this.#record(method, `${verb} container ${await this.#containerName(idOrName)}`, [`container:${id}`]);
    if (state) this.#setState(id, state);
  }

  startContainer(id: string): Promise<void> {
    return this.#containerWrite('startContainer', 'start', id, 'running');
  }

  stopContainer(id: string, _timeout?: number): Promise<void> {
    return this.#containerWrite('stopContainer', 'stop', id, 'exited');
  }

  killContainer(id: string, _signal?: string): Promise<void> {
    return this.#containerWrite('killContainer', 'kill', id, 'exited');
  }

  restartContainer(id: string, _timeout?: number): Promise<void> {
    return this.#containerWrite('restartContainer', 'restart', id, 'running');
  }

  pauseContainer(id: string): Promise<void> {
    return this.#containerWrite('pauseContainer', 'pause', id, 'paused');
  }

  unpauseContainer(id: string): Promise<void> {
    return this.#containerWrite('unpauseContainer', 'unpause', id, 'running');
  }

  async removeContainer(idOrName: string, _options?: { force?: boolean; volumes?: boolean }): Promise<void> {
    const id = await this.#containerId(idOrName);
    const name = await this.#containerName(idOrName);
    this.#record('removeContainer', `remove container ${name}`, [`container:${id}`]);
    this.#removed.add(id);
    this.#removed.add(`name:${name}`);
  }

  async renameContainer(idOrName: string, name: string): Promise<void> {
    const id = await this.#containerId(idOrName);
    this.#record('renameContainer', `rename container ${await this.#containerName(idOrName)} to ${name}`, [`container:${id}`]);
    const o = this.#overlay(id);
    if (o) o.name = name;
    else this.#renamed.set(id, name);
  }

  async attachContainer(id: string, options?: T.AttachOptions): Promise<T.ProcessIO> {
    this.#record('attachContainer', `attach to container ${await this.#containerName(id)}`, [`container:${await this.#containerId(id)}`]);
    return endedProcess(options?.stdin);
  }

  async resizeContainer(id: string, size: T.TerminalSize): Promise<void> {
    this.#record('resizeContainer', `resize container ${await this.#containerName(id)} to ${size.columns}x${size.rows}`, [`container:${await this.#containerId(id)}`]);
  }

  async createNetwork(request: T.NetworkCreateRequest): Promise<{ id: string }> {
    const id = fakeId();
    this.#networks.set(request.Name, { id, name: request.Name, driver: request.Driver ?? 'bridge', labels: request.Labels ?? {} });
    this.#removed.delete(`network:${request.Name}`);
    this.#record('createNetwork', `create network ${request.Name}`, [`network:${request.Name}`]);
    return { id };
  }

  async removeNetwork(idOrName: string): Promise<void> {
    const n = await this.inspectNetwork(idOrName);
    const name = n?.name ?? idOrName;
    this.#record('removeNetwork', `remove network ${name}`, [`network:${name}`]);
    this.#removed.add(`network:${name}`);
    if (n) this.#removed.add(`network:${n.id}`);
  }

  async connectNetwork(network: string, container: string, _endpoint?: T.EndpointSettings): Promise<void> {
    const name = (await this.inspectNetwork(network))?.name ?? network;
    this.#record('connectNetwork', `connect container ${await this.#containerName(container)} to network ${name}`, [`container:${await this.#containerId(container)}`], [`network:${name}`]);
  }

  async createVolume(request: T.VolumeCreateRequest): Promise<T.VolumeSummary> {
    const v: T.VolumeSummary = { name: request.Name, driver: request.Driver ?? 'local', labels: request.Labels ?? {}, scope: 'local' };
    this.#volumes.set(request.Name, v);
    this.#removed.delete(`volume:${request.Name}`);
    this.#record('createVolume', `create volume ${request.Name}`, [`volume:${request.Name}`]);
    return v;
  }

  async removeVolume(name: string, _options?: { force?: boolean }): Promise<void> {
    this.#record('removeVolume', `remove volume ${name}`, [`volume:${name}`]);
    this.#removed.add(`volume:${name}`);
  }

  #addImage(refs: readonly string[], id: string): void {
    for (const ref of refs) {
      const key = normalizeImageRef(ref);
      this.#images.set(key, { id, repoTags: [key], lastTagTime: Date.now() });
      this.#removed.delete(`image:${key}`);
    }
    this.#images.set(id, { id, repoTags: refs.map(normalizeImageRef) });
  }

  async removeImage(ref: string, _options?: { force?: boolean }): Promise<void> {
    const key = ref.startsWith('sha256:') ? ref : normalizeImageRef(ref);
    this.#record('removeImage', `remove image ${ref}`, [`image:${key}`]);
    this.#removed.add(`image:${key}`);
  }

  async pullImage(ref: string, _onProgress?: (line: { status: string; id?: string; progress?: string }) => void): Promise<void> {
    this.#record('pullImage', `pull image ${ref}`, [`image:${normalizeImageRef(ref)}`]);
    this.#addImage([ref], `sha256:${fakeId()}`);
  }

  async buildImage(context: NodeJS.ReadableStream, request: T.BuildRequest, _onOutput?: (line: string) => void): Promise<{ id: string }> {
    // the context is read to its end (the producer must not stall), and nothing is sent
    context.resume();
    const id = `sha256:${fakeId()}`;
    this.#record('buildImage', `build image ${request.tags[0] ?? id}${request.tags.length > 1 ? ` (also tagged ${request.tags.slice(1).join(', ')})` : ''}`, request.tags.map((t) => `image:${normalizeImageRef(t)}`));
    this.#addImage(request.tags, id);
    return { id };
  }

  // A BuildKit build is recorded like a classic one: no session is opened, so no file of the context is read.
  async buildImageKit(request: T.BuildKitRequest, _onProgress?: (p: T.BuildKitProgress) => void): Promise<T.BuildKitResult> {
    const id = `sha256:${fakeId()}`;
    this.#record('buildImageKit', `build image ${request.tags[0] ?? id}${request.tags.length > 1 ? ` (also tagged ${request.tags.slice(1).join(', ')})` : ''}`, request.tags.map((t) => `image:${normalizeImageRef(t)}`));
    this.#addImage(request.tags, id);
    return { id, transfers: [] };
  }

  async pushImage(ref: string, _onProgress?: (line: T.LayerProgress) => void): Promise<void> {
    this.#record('pushImage', `push image ${ref}`, [`image:${normalizeImageRef(ref)}`]);
  }

  async tagImage(source: string, target: string): Promise<void> {
    const from = await this.inspectImage(source);
    this.#record('tagImage', `tag image ${source} as ${target}`, [`image:${normalizeImageRef(target)}`], [`image:${source.startsWith('sha256:') ? source : normalizeImageRef(source)}`]);
    this.#addImage([target], from?.id ?? `sha256:${fakeId()}`);
  }

  async createExec(containerId: string, request: T.ExecCreateRequest): Promise<string> {
    const id = fakeId();
    const container = await this.#containerId(containerId);
    this.#execs.set(id, container);
    this.#record('createExec', `create exec ${JSON.stringify(request.Cmd.join(' '))} in container ${await this.#containerName(containerId)}`, [`exec:${id}`], [`container:${container}`]);
    return id;
  }

  async startExec(execId: string, options: { readonly tty?: boolean; readonly stdin?: boolean; readonly detach?: boolean }): Promise<T.ProcessIO | undefined> {
    const container = this.#execs.get(execId);
    this.#record('startExec', `start exec in container ${container ? await this.#containerName(container) : execId}${options.detach ? ' (detached)' : ''}`, [`exec:${execId}`]);
    return options.detach ? undefined : endedProcess(options.stdin);
  }

  async resizeExec(execId: string, size: T.TerminalSize): Promise<void> {
    this.#record('resizeExec', `resize exec to ${size.columns}x${size.rows}`, [`exec:${execId}`]);
  }

  async putArchive(id: string, path: string, _tar: Buffer, _options?: { readonly copyUIDGID?: boolean }): Promise<void> {
    this.#record('putArchive', `copy into container ${await this.#containerName(id)}:${path}`, [`container:${await this.#containerId(id)}`]);
  }

  async commitContainer(id: string, options?: T.CommitOptions): Promise<{ readonly id: string }> {
    const image = `sha256:${fakeId()}`;
    this.#record('commitContainer', `commit container ${await this.#containerName(id)}${options?.reference ? ` as ${options.reference}` : ''}`, options?.reference ? [`image:${normalizeImageRef(options.reference)}`] : [], [`container:${await this.#containerId(id)}`]);
    this.#addImage(options?.reference ? [options.reference] : [], image);
    return { id: image };
  }

  async createService(spec: T.ServiceSpec, _options?: T.ServiceWriteOptions): Promise<{ id: string; warnings?: string[] }> {
    this.#record('createService', `create service ${spec.Name}`, [`service:${spec.Name}`]);
    return { id: fakeId().slice(0, 25) };
  }

  async updateService(id: string, _version: number, spec: T.ServiceSpec, _options?: T.ServiceWriteOptions): Promise<{ warnings?: string[] }> {
    this.#record('updateService', `update service ${spec.Name || id}`, [`service:${spec.Name || id}`]);
    return {};
  }

  async removeService(idOrName: string): Promise<void> {
    this.#record('removeService', `remove service ${idOrName}`, [`service:${idOrName}`]);
  }

  async createSecret(request: T.SwarmObjectCreateRequest): Promise<{ id: string }> {
    this.#record('createSecret', `create secret ${request.Name}`, [`secret:${request.Name}`]);
    return { id: fakeId().slice(0, 25) };
  }

  async removeSecret(idOrName: string): Promise<void> {
    this.#record('removeSecret', `remove secret ${idOrName}`, [`secret:${idOrName}`]);
  }

  async createConfig(request: T.SwarmObjectCreateRequest): Promise<{ id: string }> {
    this.#record('createConfig', `create config ${request.Name}`, [`config:${request.Name}`]);
    return { id: fakeId().slice(0, 25) };
  }

  async removeConfig(idOrName: string): Promise<void> {
    this.#record('removeConfig', `remove config ${idOrName}`, [`config:${idOrName}`]);
  }
}
