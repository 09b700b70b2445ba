// Berth's narrow view of a Docker Engine, in berth's own types. Only engine/dockerode/ talks to the real
// API; engine/fake/ implements the same interface in memory for planner and API unit tests.
// Request shapes follow the Engine API's JSON (PascalCase) because that is the contract being spoken;
// results are reduced to what berth reads.

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
export type HealthStatus = 'starting' | 'healthy' | 'unhealthy' | 'none';

export interface PortBinding {
  readonly HostIp?: string;
  readonly HostPort?: string;
}

export interface EndpointSettings {
  readonly Aliases?: string[];
  readonly IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] };
  readonly MacAddress?: string;
  readonly DriverOpts?: Record<string, string>;
  readonly Links?: string[];
}

export interface Mount {
  readonly Type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  readonly Source?: string;
  readonly Target: string;
  readonly ReadOnly?: boolean;
  readonly Consistency?: string;
  readonly BindOptions?: { Propagation?: string; CreateMountpoint?: boolean };
  readonly VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; Subpath?: string };
  readonly TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface HealthConfig {
  readonly Test?: string[];
  /** nanoseconds */
  readonly Interval?: number;
  readonly Timeout?: number;
  readonly Retries?: number;
  readonly StartPeriod?: number;
  readonly StartInterval?: number;
}

export interface HostConfig {
  readonly Binds?: string[];
  readonly Mounts?: Mount[];
  readonly PortBindings?: Record<string, PortBinding[]>;
  readonly RestartPolicy?: { Name: string; MaximumRetryCount?: number };
  readonly NetworkMode?: string;
  readonly Init?: boolean;
  readonly Privileged?: boolean;
  readonly ReadonlyRootfs?: boolean;
  readonly [key: string]: unknown;
}

export interface ContainerCreateRequest {
  readonly name: string;
  readonly Image: string;
  readonly Cmd?: string[];
  readonly Entrypoint?: string[];
  readonly Env?: string[];
  readonly Labels?: Record<string, string>;
  readonly ExposedPorts?: Record<string, Record<string, never>>;
  readonly Healthcheck?: HealthConfig;
  readonly Hostname?: string;
  readonly Domainname?: string;
  readonly User?: string;
  readonly WorkingDir?: string;
  readonly Tty?: boolean;
  readonly OpenStdin?: boolean;
  readonly AttachStdin?: boolean;
  readonly AttachStdout?: boolean;
  readonly AttachStderr?: boolean;
  readonly StopSignal?: string;
  readonly StopTimeout?: number;
  readonly Volumes?: Record<string, Record<string, never>>;
  readonly HostConfig: HostConfig;
  readonly NetworkingConfig?: { EndpointsConfig: Record<string, EndpointSettings> };
  readonly [key: string]: unknown;
}

export interface ContainerPort {
  readonly privatePort: number;
  readonly publicPort?: number;
  readonly ip?: string;
  readonly type: string;
}

export interface ContainerSummary {
  readonly id: string;
  /** Without the leading slash. */
  readonly name: string;
  readonly image: string;
  readonly imageId: string;
  readonly command: string;
  readonly created: number;
  readonly state: ContainerState;
  readonly status: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ports: readonly ContainerPort[];
  /** Network names the container is attached to. */
  readonly networks: readonly string[];
  readonly mounts: readonly { readonly type: string; readonly name?: string; readonly source?: string; readonly destination: string }[];
}

export interface ContainerInspect {
  readonly id: string;
  readonly name: string;
  /** Image id the container runs. */
  readonly image: string;
  readonly state: {
    readonly status: ContainerState;
    readonly running: boolean;
    readonly exitCode: number;
    readonly health?: HealthStatus;
    readonly startedAt?: string;
    readonly finishedAt?: string;
  };
  readonly config: {
    readonly image: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly env: readonly string[];
    readonly cmd?: readonly string[];
    readonly entrypoint?: readonly string[];
  };
  readonly mounts: readonly { readonly type: string; readonly name?: string; readonly source?: string; readonly destination: string }[];
  readonly networks: Readonly<Record<string, { readonly aliases?: readonly string[]; readonly ipAddress?: string; readonly networkId?: string }>>;
  /** The raw engine document, for differential tests and `inspect`-like output. */
  readonly raw: unknown;
}

export interface NetworkCreateRequest {
  readonly Name: string;
  readonly Driver?: string;
  readonly Options?: Record<string, string>;
  readonly IPAM?: { Driver?: string; Config?: Record<string, unknown>[]; Options?: Record<string, string> };
  readonly Internal?: boolean;
  readonly Attachable?: boolean;
  readonly EnableIPv6?: boolean;
  readonly Labels?: Record<string, string>;
  readonly CheckDuplicate?: boolean;
}

export interface NetworkSummary {
  readonly id: string;
  readonly name: string;
  readonly driver: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Container ids attached (only filled by inspect). */
  readonly containers?: readonly string[];
}

export interface VolumeCreateRequest {
  readonly Name: string;
  readonly Driver?: string;
  readonly DriverOpts?: Record<string, string>;
  readonly Labels?: Record<string, string>;
}

export interface VolumeSummary {
  readonly name: string;
  readonly driver: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly mountpoint?: string;
  /** "local" or "global" */
  readonly scope?: string;
}

export interface ImageSummary {
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly size?: number;
  /** ms since the epoch the image was last tagged locally (Metadata.LastTagTime); absent when never. */
  readonly lastTagTime?: number;
}

// ---- images: build, push (pull is above with the other image calls)

/** One line of pull or push progress, as the engine reports it per layer. */
export interface LayerProgress {
  readonly status: string;
  /** Layer id (12 hex) or tag; absent for the whole-image lines. */
  readonly id?: string;
  /** The engine's progress bar text, e.g. "[==>   ]  1.2MB/3.4MB". */
  readonly progress?: string;
}

/** POST /build parameters (classic builder), in berth's words. */
export interface BuildRequest {
  /** Every name the image gets; the first is its main name. */
  readonly tags: readonly string[];
  /** Path of the Dockerfile inside the context archive. */
  readonly dockerfile: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly noCache?: boolean;
  /** Pull newer versions of the FROM images. */
  readonly pull?: boolean;
  readonly networkMode?: string;
  /** bytes */
  readonly shmSize?: number;
  /** Memory limit of the build's containers, bytes (`build -m`). */
  readonly memory?: number;
  /** "host:ip" */
  readonly extraHosts?: readonly string[];
  readonly cacheFrom?: readonly string[];
  readonly platform?: string;
  readonly signal?: AbortSignal;
}

export interface EngineVersion {
  readonly version: string;
  readonly apiVersion: string;
}

/** What berth reads of the engine's /info. */
export interface EngineInfo {
  /** CPUs the engine's host (or VM) has. */
  readonly cpus: number;
}

export interface EngineEvent {
  readonly type: 'container' | 'network' | 'volume' | 'image' | string;
  /** e.g. "start", "die", "health_status: healthy", "destroy". */
  readonly action: string;
  readonly id: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** nanoseconds since the epoch */
  readonly timeNano: number;
}

export interface EventsOptions {
  /** label filters, "key=value" */
  readonly labels?: readonly string[];
  readonly types?: readonly string[];
  readonly since?: number;
  /** Seconds since the epoch: the stream ends there (one wholly in the past ends after its replay). */
  readonly until?: number;
  readonly signal?: AbortSignal;
}

export interface LogsOptions {
  readonly tail?: number | 'all';
  readonly timestamps?: boolean;
}

export interface ListFilter {
  /** label filters, "key=value" or "key" */
  readonly labels?: readonly string[];
  /** also stopped containers */
  readonly all?: boolean;
  readonly names?: readonly string[];
}

// ---- process I/O and lifecycle (logs, attach, exec, wait, top, stats, archives)

export interface OutputChunk {
  readonly stream: 'stdout' | 'stderr';
  readonly data: Buffer;
}

export interface LogStreamOptions {
  /** Keep the stream open until the container stops (or the signal aborts). */
  readonly follow?: boolean;
  readonly tail?: number | 'all';
  /** Seconds since the epoch, fractional allowed: only lines logged at or after. */
  readonly since?: number;
  /** Seconds since the epoch: only lines logged before. */
  readonly until?: number;
  /** Prefix every line with its RFC 3339 (nanoseconds) timestamp and a blank, as the engine does. */
  readonly timestamps?: boolean;
  readonly signal?: AbortSignal;
}

/** A live connection to a process's standard streams (container attach, exec start). */
export interface ProcessIO {
  /** In order; ends when the process's output ends or the connection closes. A TTY gives one raw stdout. */
  readonly output: AsyncIterable<OutputChunk>;
  /** Present when stdin was asked for; end() closes the process's stdin (for a non-TTY process). */
  readonly stdin?: NodeJS.WritableStream;
  /** Drop the connection; the process keeps running. */
  close(): void;
}

export interface AttachOptions {
  readonly stdin?: boolean;
  /** The engine's own detach sequence ("ctrl-p,ctrl-q" unless given). */
  readonly detachKeys?: string;
  /** The container's Config.Tty; looked up when absent. */
  readonly tty?: boolean;
}

export interface ExecCreateRequest {
  readonly Cmd: string[];
  readonly Env?: string[];
  readonly User?: string;
  readonly WorkingDir?: string;
  readonly Privileged?: boolean;
  readonly Tty?: boolean;
  readonly AttachStdin?: boolean;
  readonly AttachStdout?: boolean;
  readonly AttachStderr?: boolean;
  readonly DetachKeys?: string;
}

export interface ExecInspect {
  readonly running: boolean;
  /** null while running */
  readonly exitCode: number | null;
  readonly pid: number;
}

export interface TerminalSize {
  readonly rows: number;
  readonly columns: number;
}

export interface ContainerTop {
  readonly titles: readonly string[];
  readonly processes: readonly (readonly string[])[];
}

/** One stats sample, reduced to what `stats` prints. Byte counts and CPU times in the engine's units. */
export interface ContainerStats {
  readonly cpuTotal: number;
  readonly preCpuTotal: number;
  readonly systemCpu: number;
  readonly preSystemCpu: number;
  readonly onlineCpus: number;
  readonly memoryUsage: number;
  readonly memoryLimit: number;
  /** Page cache counted in memoryUsage (cgroup v1 total_inactive_file / v2 inactive_file). */
  readonly memoryCache: number;
  readonly networkRx: number;
  readonly networkTx: number;
  readonly blockRead: number;
  readonly blockWrite: number;
  readonly pids: number;
}

export interface PathStat {
  readonly name: string;
  readonly size: number;
  /** Go's os.FileMode bits: 1<<31 directory, 1<<27 symlink, low 9 bits permissions. */
  readonly mode: number;
  readonly mtime: string;
  readonly linkTarget: string;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** Containers: lifecycle, process I/O (logs, attach, exec, wait, top, stats), archives, export and commit. */
export interface ContainerEngine {
  listContainers(filter: ListFilter): Promise<ContainerSummary[]>;
  /** undefined when there is no such container */
  inspectContainer(idOrName: string): Promise<ContainerInspect | undefined>;
  createContainer(request: ContainerCreateRequest): Promise<{ id: string; warnings?: string[] }>;
  startContainer(id: string): Promise<void>;
  /** timeout in seconds before the engine kills */
  stopContainer(id: string, timeout?: number): Promise<void>;
  killContainer(id: string, signal?: string): Promise<void>;
  removeContainer(id: string, options?: { force?: boolean; volumes?: boolean }): Promise<void>;
  renameContainer(id: string, name: string): Promise<void>;
  /** The last lines a container printed, stdout and stderr together. */
  containerLogs(id: string, options?: LogsOptions): Promise<string>;
  /** A container's log as it is recorded, stdout and stderr apart; with `follow`, live until it stops. */
  logStream(id: string, options?: LogStreamOptions): AsyncIterable<OutputChunk>;
  /** Attach to a container's streams (possible before it starts: nothing it prints is missed). */
  attachContainer(id: string, options?: AttachOptions): Promise<ProcessIO>;
  resizeContainer(id: string, size: TerminalSize): Promise<void>;
  /** Resolves with the exit code once the condition holds. */
  waitContainer(id: string, condition?: WaitCondition, signal?: AbortSignal): Promise<{ exitCode: number }>;
  /** timeout in seconds before the engine kills */
  restartContainer(id: string, timeout?: number): Promise<void>;
  pauseContainer(id: string): Promise<void>;
  unpauseContainer(id: string): Promise<void>;
  topContainer(id: string, psArgs?: string): Promise<ContainerTop>;
  /** One sample (no stream). */
  containerStats(id: string): Promise<ContainerStats>;
  createExec(containerId: string, request: ExecCreateRequest): Promise<string>;
  /** Detached: undefined once started. Otherwise the process's streams. */
  startExec(execId: string, options: { readonly tty?: boolean; readonly stdin?: boolean; readonly detach?: boolean }): Promise<ProcessIO | undefined>;
  resizeExec(execId: string, size: TerminalSize): Promise<void>;
  inspectExec(execId: string): Promise<ExecInspect>;
  /** undefined when the path does not exist in the container */
  statPath(id: string, path: string): Promise<PathStat | undefined>;
  /** A tar archive of `path` (a file or a directory, under its own base name). */
  getArchive(id: string, path: string): Promise<{ readonly stat: PathStat; readonly tar: AsyncIterable<Buffer> }>;
  /** Extract a tar archive into the directory `path` of the container. */
  putArchive(id: string, path: string, tar: Buffer, options?: { readonly copyUIDGID?: boolean }): Promise<void>;
  /** The container's whole filesystem as a tar archive (`docker export`). */
  exportContainer(id: string): Promise<AsyncIterable<Buffer>>;
  /** A new image from the container's changes (`docker commit`); the image's id. */
  commitContainer(id: string, options?: CommitOptions): Promise<{ readonly id: string }>;
}

/** Images: inspect, pull, build, push, tag, remove. */
export interface ImageEngine {
  /** Remove an image reference (untag; the image goes with its last tag). Missing is not an error. */
  removeImage(ref: string, options?: { force?: boolean }): Promise<void>;
  inspectImage(ref: string): Promise<ImageSummary | undefined>;
  /** Pull an image; progress lines are passed to onProgress. */
  pullImage(ref: string, onProgress?: (line: { status: string; id?: string; progress?: string }) => void): Promise<void>;
  /**
   * Build an image from a context archive (a tar stream, sent as it is read). onOutput gets the build's
   * output line by line ("Step 2/5 : RUN make", what the steps print). A failed step throws BUILD_FAILED.
   */
  buildImage(context: NodeJS.ReadableStream, request: BuildRequest, onOutput?: (line: string) => void): Promise<{ id: string }>;
  /**
   * Build with the engine's BuildKit: a session serves the directories as the builder asks for them (file
   * sync), POST /build?version=2 runs the build; progress as BuildKit reports it. A failed build throws
   * BUILD_FAILED. Absent on an engine without BuildKit (the fake): callers use buildImage.
   */
  buildImageKit?(request: BuildKitRequest, onProgress?: (p: BuildKitProgress) => void): Promise<BuildKitResult>;
  /** Push a local image to its registry (credentials from the Docker CLI config). */
  pushImage(ref: string, onProgress?: (line: LayerProgress) => void): Promise<void>;
  /** Give an image (id or ref) another name; re-tagging the same name records the time in lastTagTime. */
  tagImage(source: string, target: string): Promise<void>;
}

/** Networks: list, inspect, create, remove, connect. */
export interface NetworkEngine {
  listNetworks(filter: ListFilter): Promise<NetworkSummary[]>;
  inspectNetwork(idOrName: string): Promise<NetworkSummary | undefined>;
  createNetwork(request: NetworkCreateRequest): Promise<{ id: string }>;
  removeNetwork(idOrName: string): Promise<void>;
  connectNetwork(network: string, container: string, endpoint?: EndpointSettings): Promise<void>;
}

/** Volumes: list, inspect, create, remove. */
export interface VolumeEngine {
  listVolumes(filter: ListFilter): Promise<VolumeSummary[]>;
  inspectVolume(name: string): Promise<VolumeSummary | undefined>;
  createVolume(request: VolumeCreateRequest): Promise<VolumeSummary>;
  removeVolume(name: string, options?: { force?: boolean }): Promise<void>;
}

/** The engine itself: version, info, the event stream and registry lookups made through it. */
export interface SystemEngine {
  version(): Promise<EngineVersion>;
  info(): Promise<EngineInfo>;
  /** A live stream of engine events; ends when the signal aborts. */
  events(options: EventsOptions): AsyncIterable<EngineEvent>;
  /** The digest ("sha256:…") the image's registry serves for a reference, asked through the engine. */
  distributionDigest(ref: string): Promise<string>;
}

/**
 * The whole engine. Ops that need one concern take the narrow part (e.g. `VolumeEngine`), so a test or a
 * wrapper can supply only that; everything else takes `Engine`.
 */
export interface Engine extends ContainerEngine, ImageEngine, NetworkEngine, VolumeEngine, SystemEngine, SwarmEngine {}

export interface CommitOptions {
  /** "repo[:tag]" the image gets; none leaves it untagged. */
  readonly reference?: string;
  readonly comment?: string;
  readonly author?: string;
  /** Dockerfile instructions applied to the image ("ENV A=1", "CMD [\"sh\"]"). */
  readonly changes?: readonly string[];
  /** Pause the container while committing (the engine's default: true). */
  readonly pause?: boolean;
}

// ---- Swarm mode (stack deploy): services, tasks, nodes, secrets, configs. Specs are the Engine API's JSON
// (ServiceSpec and friends) because that is what is compared field by field with `docker service inspect`.

/** A ServiceSpec as the Engine API spells it; berth builds them in ops/stack/convert.ts. */
export type ServiceSpec = { readonly Name: string; readonly Labels?: Record<string, string>; readonly [key: string]: unknown };

export interface SwarmState {
  /** "inactive" | "pending" | "active" | "error" | "locked" */
  readonly localNodeState: string;
  /** true on a manager, the only place services can be created */
  readonly controlAvailable: boolean;
  readonly nodeId: string;
}

export interface ServiceInfo {
  readonly id: string;
  /** The version index every update must quote (optimistic concurrency). */
  readonly version: number;
  readonly spec: ServiceSpec;
  readonly previousSpec?: ServiceSpec;
  /** e.g. { State: "completed" | "updating" | "paused" | "rollback_started" | "rollback_completed", Message } */
  readonly updateStatus?: { readonly State?: string; readonly Message?: string };
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TaskInfo {
  readonly id: string;
  readonly serviceId: string;
  readonly nodeId: string;
  readonly slot?: number;
  /** The state the orchestrator wants: "running" | "shutdown" | … */
  readonly desiredState: string;
  /** Status.State: "new" … "running" | "complete" | "failed" | "shutdown" | "rejected" | "orphaned" … */
  readonly state: string;
  readonly message: string;
  readonly error?: string;
  readonly containerId?: string;
  readonly image: string;
  /** Status.Timestamp */
  readonly timestamp: string;
  /** The task's own version index. */
  readonly specVersion?: number;
  /** The task's Spec (a copy of the service's TaskTemplate when it was made): tells current tasks from old. */
  readonly spec?: Readonly<Record<string, unknown>>;
}

export interface NodeInfo {
  readonly id: string;
  readonly hostname: string;
  readonly addr: string;
  /** "ready" | "down" | "unknown" | "disconnected" */
  readonly state: string;
  readonly availability: string;
  readonly role: string;
}

/** A secret or a config: both are named blobs with labels. */
export interface SwarmObjectInfo {
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface SwarmObjectCreateRequest {
  readonly Name: string;
  readonly Labels?: Record<string, string>;
  /** The content; sent base64-encoded, never logged. */
  readonly Data: Buffer;
  /** Secrets only: a template driver etc. are not used by berth. */
}

export interface ServiceWriteOptions {
  readonly withRegistryAuth?: boolean;
}

export interface SwarmEngine {
  swarmState(): Promise<SwarmState>;
  listServices(filter: { readonly labels?: readonly string[]; readonly names?: readonly string[] }): Promise<ServiceInfo[]>;
  /** undefined when there is no such service */
  inspectService(idOrName: string): Promise<ServiceInfo | undefined>;
  /** withRegistryAuth: send the Docker CLI's credentials for the image's registry to the swarm's agents */
  createService(spec: ServiceSpec, options?: ServiceWriteOptions): Promise<{ id: string; warnings?: string[] }>;
  /** `version` must be the index read with the spec being replaced, else the engine refuses (out of sequence). */
  updateService(id: string, version: number, spec: ServiceSpec, options?: ServiceWriteOptions): Promise<{ warnings?: string[] }>;
  removeService(idOrName: string): Promise<void>;
  listTasks(filter: { readonly services?: readonly string[]; readonly labels?: readonly string[] }): Promise<TaskInfo[]>;
  listNodes(): Promise<NodeInfo[]>;
  listSecrets(filter: { readonly labels?: readonly string[] }): Promise<SwarmObjectInfo[]>;
  createSecret(request: SwarmObjectCreateRequest): Promise<{ id: string }>;
  removeSecret(idOrName: string): Promise<void>;
  listConfigs(filter: { readonly labels?: readonly string[] }): Promise<SwarmObjectInfo[]>;
  createConfig(request: SwarmObjectCreateRequest): Promise<{ id: string }>;
  removeConfig(idOrName: string): Promise<void>;
}

// ---- BuildKit session attachables: what a build offers the builder besides its context (issue 21)

/**
 * A build secret (compose `build.secrets`): the id a Dockerfile's `RUN --mount=type=secret,id=…` names
 * (the secret's `target` when set, else its key, as compose maps them) and where its value comes from: a
 * file, read when the builder asks, or an environment variable (resolved by the caller; unset is empty).
 * Values stay in memory: never logged, printed or written.
 */
export type BuildSecret = { readonly id: string; readonly file: string } | { readonly id: string; readonly env: string; readonly value: string };

/**
 * An SSH agent a build may use (`build.ssh`, `build --ssh`): `paths` empty means $SSH_AUTH_SOCK; else one
 * agent socket, or private key files berth serves through an agent of its own.
 */
export interface BuildSshAgent {
  readonly id: string;
  readonly paths: readonly string[];
}

// What a BuildKit build serves on its session besides file sync: this declaration merges into the
// BuildKitRequest declared below (kept apart from it so the two halves of the feature merge cleanly).
export interface BuildKitRequest {
  readonly secrets?: readonly BuildSecret[];
  readonly ssh?: readonly BuildSshAgent[];
}

/**
 * A named build context (`additional_contexts`, a Dockerfile's `FROM name` / `COPY --from=name`): a directory
 * the session serves, or an image (another service's, built first, or `docker-image://`). Needs the
 * control API and a Dockerfile frontend with named contexts (BuildKit ≥ 0.10; not Docker 20.10's).
 */
export type BuildKitNamedContext = { readonly dir: BuildKitDir } | { readonly image: string };

export interface BuildKitRequest {
  readonly namedContexts?: Readonly<Record<string, BuildKitNamedContext>>;
  /**
   * Cache exports besides inline (`cache_to` type=registry: ref, mode=min|max): only an engine with the
   * containerd image store has exporters for them; elsewhere the build fails with BUILD_CACHE_EXPORT_UNSUPPORTED.
   */
  readonly cacheExports?: readonly { readonly type: string; readonly attrs: Readonly<Record<string, string>> }[];
  /** Entitlements to ask the engine for (security.insecure, network.host); its configuration decides. */
  readonly entitlements?: readonly string[];
  /** Cache imports besides the registry references of `cacheFrom` (e.g. type=local through the session). */
  readonly cacheImports?: readonly { readonly type: string; readonly attrs: Readonly<Record<string, string>> }[];
}

/** The start of the message of a build refused because the engine cannot export its cache (compose's words). */
export const BUILD_CACHE_EXPORT_UNSUPPORTED = 'Cache export is not supported for the docker driver';

// ---- BuildKit builds (buildImageKit)

/** A directory the builder may read through the session. */
export interface BuildKitDir {
  /** Absolute directory on disk; absent for a directory made only of `files`. */
  readonly path?: string;
  /** berth's own exclude patterns (.dockerignore syntax), applied to the files on disk. */
  readonly excludes?: readonly string[];
  /** Files at the directory's root that exist only in memory (an inline Dockerfile), shadowing files on disk. */
  readonly files?: Readonly<Record<string, Uint8Array>>;
}

export interface BuildKitRequest extends Omit<BuildRequest, 'dockerfile' | 'memory'> {
  /** The Dockerfile's name inside `dockerfileDir`. */
  readonly dockerfile: string;
  readonly context: BuildKitDir;
  readonly dockerfileDir: BuildKitDir;
  /** The session's name and the key the builder keeps per-client transfer state under (stable per context). */
  readonly sessionName: string;
  readonly sharedKey: string;
}

// progress in the model's words (the ui renders them)
export type { BuildVertex as BuildKitVertex, BuildVertexStatus as BuildKitVertexStatus, BuildLog as BuildKitLog, BuildProgress as BuildKitProgress } from '../model/events.js';
import type { BuildProgress as BuildKitProgress } from '../model/events.js';

/** What one directory transfer of the session moved. */
export interface BuildKitTransfer {
  readonly dir: string;
  /** Paths whose stat was sent. */
  readonly listed: readonly string[];
  /** Paths whose content was sent. */
  readonly read: readonly string[];
  readonly dataBytes: number;
  /** All bytes sent on the call (stats, data, framing). */
  readonly wireBytes: number;
}

export interface BuildKitResult {
  readonly id: string;
  readonly transfers: readonly BuildKitTransfer[];
}

// ---- type=local build caches (issue 21): a directory on the client's disk (an OCI layout) that the builder
// reads and writes through the session's content store; served on the control API's path only. They are the
// `cacheImports` / `cacheExports` entries of type local (`src`, `dest`: relative paths are against the working
// directory). This declaration merges into BuildKitResult above.

/** A cache import or export as BuildKit takes it (compose's `type=…,key=value` entry, parsed). */
export interface BuildKitCacheEntry {
  readonly type: string;
  readonly attrs: Readonly<Record<string, string>>;
}

export interface BuildKitResult {
  /** What the build passed over without failing (a local cache directory with no usable cache). */
  readonly warnings?: readonly string[];
}
