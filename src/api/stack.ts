// createStack(): a compose project as an object a Node test suite holds — up with readiness, service handles
// keyed by service name, logs as an async iterable, exec, down — and that cleans up after itself
// (`await using stack = await createStack(...)`). Every call goes through the same API functions the CLI uses.
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject, workingDirectory, type LoadOptions } from '../config/index.js';
import type { ContainerSummary, Engine } from '../engine/types.js';
import { BerthError, ErrorCodes } from '../model/errors.js';
import type { EventSink } from '../model/events.js';
import { Labels, projectFilter } from '../model/labels.js';
import type { LogLine } from '../model/logs.js';
import type { Project } from '../model/types.js';
import { execCapture, type CapturedOutput, type ExecCaptureOptions } from '../ops/exec-capture.js';
import type { PsEntry } from '../ops/ps.js';
import { nodeCrypto } from '../model/crypto.js';
import type { ComposeFile } from './compose-file.js';
import { engineFor } from './engine.js';
import { down, ps, up } from './up-down.js';
import { waitReady, type WaitStrategy } from './readiness.js';
import { logs, runCapture } from './runtime.js';
import { checkServices } from './services.js';
import { prune, SessionLease, withSessionLabels, type PruneOptions, type PruneResult } from './session.js';
import { startDevelopWatch, type DevelopWatch, type WatchBatchReport } from '../ops/develop-watch.js';

export interface CreateStackOptions {
  /** Where relative paths of the compose file resolve; default: the first file's folder, else the cwd. */
  readonly projectDirectory?: string;
  readonly files?: readonly string[];
  /** Default: the file's `name:`, else a unique `berth-<session>` (test stacks must not collide). */
  readonly projectName?: string;
  /** The environment for interpolation; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly envFiles?: readonly string[];
  readonly profiles?: readonly string[];
  /** An inline compose file, used alone or on top of `files`. */
  readonly compose?: ComposeFile;
  readonly engine?: Engine;
  /** Labelled on everything the stack creates, for crash cleanup; default a random id. */
  readonly session?: string;
}

export interface StackUpOptions {
  readonly services?: readonly string[];
  /** Build images first (services with `build:`). */
  readonly build?: boolean;
  /** Wait for healthchecks and running state (default true), then for the `waitFor` checks. */
  readonly wait?: boolean;
  /** Seconds for all waits together; default 120. */
  readonly waitTimeout?: number;
  readonly waitFor?: Readonly<Record<string, WaitStrategy>>;
  readonly forceRecreate?: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: EventSink;
}

export interface StackDownOptions {
  /** Remove volumes too; default true (a test stack's data is throwaway). */
  readonly volumes?: boolean;
  readonly timeout?: number;
}

export interface ServiceHandleJSON {
  readonly service: string;
  readonly host: string;
  /** "8080/tcp" → published host port */
  readonly ports: Readonly<Record<string, number>>;
  readonly containers: readonly { readonly id: string; readonly name: string }[];
}

/** A service of a running stack: where to reach it. Serializable (toJSON) for vitest provide/inject. */
export class ServiceHandle {
  constructor(private readonly data: ServiceHandleJSON) {}

  static fromJSON(data: ServiceHandleJSON): ServiceHandle {
    return new ServiceHandle(data);
  }

  get name(): string {
    return this.data.service;
  }

  /** The address to connect to from the host running the tests. */
  get host(): string {
    return this.data.host;
  }

  get containers(): readonly { readonly id: string; readonly name: string }[] {
    return this.data.containers;
  }

  /** The host port a container port is published on. */
  port(target: number, protocol: 'tcp' | 'udp' = 'tcp'): number {
    const p = this.data.ports[`${target}/${protocol}`];
    if (p === undefined) {
      throw new BerthError(ErrorCodes.USAGE, `service "${this.data.service}" does not publish ${target}/${protocol}; add "ports: ['127.0.0.1::${target}']" to it`, { service: this.data.service });
    }
    return p;
  }

  url(target: number, path = '/'): string {
    return `http://${this.host}:${this.port(target)}${path.startsWith('/') ? path : `/${path}`}`;
  }

  toJSON(): ServiceHandleJSON {
    return this.data;
  }
}

/** A failure of a stack call: a stable code, the service it concerns and the last lines it printed. */
export class StackError extends BerthError {
  override name = 'StackError';
  readonly logs: string;
  constructor(code: string, message: string, options: { service?: string; logs?: string; cause?: unknown }) {
    super(code, options.logs ? `${message}\n--- last log lines of ${options.service} ---\n${options.logs}` : message, options);
    this.logs = options.logs ?? '';
  }
}

export interface StackWatchOptions {
  /** Only these services' develop.watch rules. */
  readonly services?: readonly string[];
  /** Quiet window before a batch of changes is applied, ms (default 50). */
  readonly quietMs?: number;
  /** Watch messages ("Syncing service ..."), errors included. */
  readonly onMessage?: (text: string, level: 'info' | 'error') => void;
}

/** A running develop.watch of a stack (`await using w = await stack.watch()`); dispose to stop watching. */
export interface StackWatch extends AsyncDisposable {
  /** Every batch applied so far, oldest first. */
  readonly reports: readonly WatchBatchReport[];
  /**
   * The next batch applied after this call (edit files, then await it). Rejects after timeoutMs (default 10 s),
   * or when the batch reported errors.
   */
  nextBatch(timeoutMs?: number): Promise<WatchBatchReport>;
  close(): Promise<void>;
}

export class Stack implements AsyncDisposable {
  private handles: Record<string, ServiceHandle> = {};
  /** Taken at the first up, so that prune() from another PID namespace or host can tell this session lives. */
  private readonly lease: SessionLease;

  private constructor(
    readonly project: Project,
    readonly session: string,
    private readonly engine: Engine,
    private readonly cleanupDir: string | undefined,
  ) {
    this.lease = new SessionLease(engine, session);
  }

  /** @internal use createStack() */
  static async create(options: CreateStackOptions): Promise<Stack> {
    const session = options.session ?? nodeCrypto().randomBytes(6).toString('hex');
    let inlineDir: string | undefined;
    const files = [...(options.files ?? [])];
    if (options.compose) {
      inlineDir = await fsp.mkdtemp(join(tmpdir(), 'berth-inline-'));
      const file = join(inlineDir, 'compose.yaml');
      // JSON is YAML: the loader reads it like any compose file, positions and all
      await fsp.writeFile(file, JSON.stringify(options.compose, null, 2));
      files.push(file);
    }
    const load: LoadOptions = {
      cwd: options.projectDirectory ?? workingDirectory(),
      files: files.length ? files : undefined,
      projectDirectory: options.projectDirectory ?? (options.files?.length ? undefined : workingDirectory()),
      projectName: options.projectName ?? (options.compose && !options.compose.name ? `berth-${session}` : undefined),
      env: options.env,
      envFiles: options.envFiles,
      profiles: options.profiles,
    };
    try {
      const project = withSessionLabels(await loadProject(load), session);
      return new Stack(project, session, await engineFor(options), inlineDir);
    } catch (err) {
      if (inlineDir) await fsp.rm(inlineDir, { recursive: true, force: true });
      throw err;
    }
  }

  get name(): string {
    return this.project.name;
  }

  async up(options: StackUpOptions = {}): Promise<void> {
    const deadline = AbortSignal.timeout((options.waitTimeout ?? 120) * 1000);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    try {
      await this.lease.start();
      await up({
        project: this.project,
        engine: this.engine,
        services: options.services,
        wait: options.wait ?? true,
        waitTimeout: options.waitTimeout ?? 120,
        forceRecreate: options.forceRecreate,
        signal,
        onEvent: options.onEvent,
        ...(options.build ? { build: true } : {}),
      });
      await this.refresh();
      await Promise.all(
        Object.entries(options.waitFor ?? {}).map(async ([service, strategy]) => {
          const handle = this.service(service);
          await Promise.all(
            handle.containers.map((c) => waitReady(this.engine, { service, containerId: c.id, containerName: c.name, hostPort: (t) => handle.toJSON().ports[`${t}/tcp`] }, strategy, signal)),
          );
        }),
      );
    } catch (err) {
      throw await this.explain(err, signal.aborted && !options.signal?.aborted ? `timed out after ${options.waitTimeout ?? 120}s` : undefined);
    }
  }

  async down(options: StackDownOptions = {}): Promise<void> {
    await down({ project: this.project, engine: this.engine, volumes: options.volumes ?? true, timeout: options.timeout, removeOrphans: true });
    this.handles = {};
    // nothing of the session is left to vouch for; the next up takes a new lease
    await this.lease.stop();
  }

  async ps(): Promise<PsEntry[]> {
    return ps({ project: this.project, engine: this.engine, all: true });
  }

  /** The service's handle, as of the last up (or refresh). */
  service(name: string): ServiceHandle {
    const handle = this.handles[name];
    if (!handle) {
      checkServices(this.project, [name]);
      throw new BerthError(ErrorCodes.USAGE, `service "${name}" has no running container: call stack.up() first`, { service: name });
    }
    return handle;
  }

  /** Re-read containers and published ports from the engine. */
  async refresh(): Promise<void> {
    const containers = await this.engine.listContainers({ labels: [projectFilter(this.project.name), `${Labels.oneoff}=False`] });
    const by: Record<string, ContainerSummary[]> = {};
    for (const c of containers) (by[c.labels[Labels.service]] ??= []).push(c);
    this.handles = Object.fromEntries(
      Object.entries(by).map(([service, list]) => {
        list.sort((a, b) => Number(a.labels[Labels.containerNumber]) - Number(b.labels[Labels.containerNumber]));
        const ports: Record<string, number> = {};
        for (const p of list[0].ports) if (p.publicPort && (p.ip === undefined || !p.ip.includes(':'))) ports[`${p.privatePort}/${p.type}`] ??= p.publicPort;
        const bound = list[0].ports.find((p) => p.publicPort)?.ip;
        const host = !bound || bound === '0.0.0.0' || bound === '::' ? '127.0.0.1' : bound;
        return [service, new ServiceHandle({ service, host, ports, containers: list.map((c) => ({ id: c.id, name: c.name })) })];
      }),
    );
  }

  /** Every service's handle, for vitest `provide` (JSON-serializable). */
  toJSON(): { project: string; session: string; services: Record<string, ServiceHandleJSON> } {
    return { project: this.project.name, session: this.session, services: Object.fromEntries(Object.entries(this.handles).map(([k, h]) => [k, h.toJSON()])) };
  }

  /** Run a command in the service's first container and collect its output. */
  async exec(service: string, cmd: readonly string[], options: ExecCaptureOptions & { index?: number } = {}): Promise<CapturedOutput> {
    if (!this.handles[service]) await this.refresh();
    const container = this.service(service).containers[(options.index ?? 1) - 1];
    if (!container) throw new BerthError(ErrorCodes.NO_CONTAINERS, `service "${service}" has no container #${options.index}`, { service });
    return execCapture(this.engine, container.id, cmd, options);
  }

  /** Run a command in a new one-off container of the service (removed afterwards) and collect its output. */
  async run(service: string, cmd: readonly string[], options: { env?: Readonly<Record<string, string>>; rm?: boolean; noDeps?: boolean } = {}): Promise<CapturedOutput> {
    return runCapture({ project: this.project, engine: this.engine, service, cmd, ...options });
  }

  /** The project's log lines; with follow, until the signal aborts or every container has stopped. */
  logs(options: { services?: readonly string[]; follow?: boolean; tail?: number | 'all'; signal?: AbortSignal } = {}): AsyncIterable<LogLine> {
    const queue: LogLine[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: unknown;
    const done = logs({
      project: this.project,
      engine: this.engine,
      services: options.services,
      follow: options.follow,
      tail: options.tail,
      signal: options.signal,
      onLog: (e) => {
        if (e.type !== 'line') return;
        queue.push(e);
        wake?.();
      },
    } as Parameters<typeof logs>[0]).then(
      () => (finished = true),
      (err) => ((failure = err), (finished = true)),
    ).finally(() => wake?.());
    return {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (queue.length) yield queue.shift()!;
          if (finished) break;
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
        await done;
        if (failure && !options.signal?.aborted) throw failure;
      },
    };
  }

  /** Act on the services' develop.watch rules (sync, rebuild, restart, exec) while files change; call after up(). */
  async watch(options: StackWatchOptions = {}): Promise<StackWatch> {
    const reports: WatchBatchReport[] = [];
    let waiters: { resolve: (r: WatchBatchReport) => void; reject: (e: Error) => void }[] = [];
    checkServices(this.project, options.services);
    const w: DevelopWatch = await startDevelopWatch(this.engine, this.project, {
      services: options.services,
      quietMs: options.quietMs,
      onMessage: options.onMessage,
      onBatch: (r) => {
        reports.push(r);
        const now = waiters;
        waiters = [];
        for (const x of now) {
          if (r.errors.length) x.reject(new BerthError(ErrorCodes.WATCH_FAILED, `watch: ${r.errors.join('; ')}`));
          else x.resolve(r);
        }
      },
    });
    const close = async () => {
      await w.close();
      for (const x of waiters) x.reject(new BerthError(ErrorCodes.CANCELLED, 'watch closed before a batch was applied'));
      waiters = [];
    };
    return {
      reports,
      nextBatch: (timeoutMs = 10_000) =>
        new Promise<WatchBatchReport>((resolve, reject) => {
          const timer = setTimeout(() => {
            waiters = waiters.filter((x) => x.resolve !== done);
            reject(new BerthError(ErrorCodes.TIMEOUT, `watch: no batch of changes was applied within ${timeoutMs} ms`));
          }, timeoutMs);
          const done = (r: WatchBatchReport) => (clearTimeout(timer), resolve(r));
          waiters.push({ resolve: done, reject: (e) => (clearTimeout(timer), reject(e)) });
        }),
      close,
      [Symbol.asyncDispose]: close,
    };
  }

  /** Remove everything of this stack (volumes included); the files it wrote are removed too. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.down({ volumes: true, timeout: 1 });
    } finally {
      await this.lease.stop();
      if (this.cleanupDir) await fsp.rm(this.cleanupDir, { recursive: true, force: true });
    }
  }

  /** A stack error naming the service and carrying the tail of its logs. */
  private async explain(err: unknown, why?: string): Promise<unknown> {
    if (!(err instanceof BerthError)) return err;
    const service = err.service;
    let tail = '';
    if (service) {
      const c = (await this.engine.listContainers({ all: true, labels: [projectFilter(this.project.name), `${Labels.service}=${service}`] }))[0];
      if (c) tail = (await this.engine.containerLogs(c.id, { tail: 20 }).catch(() => '')).trimEnd();
    }
    return new StackError(err.code, why ? `${why}: ${err.message}` : err.message, { service, logs: tail, cause: err });
  }
}

export function createStack(options: CreateStackOptions = {}): Promise<Stack> {
  return Stack.create(options);
}

/** Remove what crashed test sessions left behind (see PruneOptions). */
export async function pruneSessions(options: PruneOptions & { engine?: Engine } = {}): Promise<PruneResult> {
  return prune(await engineFor(options), options);
}
