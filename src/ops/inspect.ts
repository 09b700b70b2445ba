// The read-only inspection commands: top, port, images, ls, stats, events, and attach. Each returns data in
// berth's terms; the CLI formats it the way compose 2.26 prints it.
import type { ContainerStats, ContainerSummary, ContainerTop, Engine, EngineEvent } from '../engine/types.js';
import { ErrorCodes, OperationError } from '../model/errors.js';
import { Labels, projectFilter } from '../model/labels.js';
import { DEFAULT_DETACH_KEYS, escapeProxy, parseDetachKeys } from './escape-keys.js';
import { at } from './json.js';
import { pumpProcess, type ProcessStreams } from './exec.js';

const byName = (a: ContainerSummary, b: ContainerSummary) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const isRunning = (c: ContainerSummary) => c.state === 'running';

/** The project's containers, one-off ones included when asked, sorted by name. */
export async function projectContainers(engine: Engine, project: string, o: { services?: readonly string[]; all?: boolean; oneoff?: boolean } = {}): Promise<ContainerSummary[]> {
  const list = await engine.listContainers({ all: !!o.all, labels: [projectFilter(project), ...(o.oneoff ? [] : [`${Labels.oneoff}=False`])] });
  return list.filter((c) => !o.services?.length || o.services.includes(c.labels[Labels.service])).sort(byName);
}

// ---- top

export interface TopEntry extends ContainerTop {
  readonly name: string;
}

/** The processes of each running container of the services (all when none named). */
export async function top(engine: Engine, project: string, services?: readonly string[]): Promise<TopEntry[]> {
  const containers = (await projectContainers(engine, project, { services })).filter(isRunning);
  return Promise.all(containers.map(async (c) => ({ name: c.name, ...(await engine.topContainer(c.id)) })));
}

// ---- port

/** "host:port" a container port is published on; compose's error when it is not. */
export async function port(engine: Engine, project: string, o: { service: string; privatePort: number; protocol?: string; index?: number }): Promise<string> {
  const protocol = o.protocol ?? 'tcp';
  const index = o.index ?? 1;
  const list = await projectContainers(engine, project, { services: [o.service], all: true });
  const c = list.find((x) => Number(x.labels[Labels.containerNumber]) === index);
  if (!c) throw new OperationError(ErrorCodes.NO_CONTAINERS, `service "${o.service}" is not running container #${index}`, { service: o.service });
  const p = c.ports.find((x) => x.privatePort === o.privatePort && x.type === protocol && x.publicPort);
  if (!p) {
    // compose lists the ports the container does publish after the colon
    const published = c.ports.filter((x) => x.publicPort).map((x) => `${x.publicPort}/${x.type}`).join(', ');
    throw new OperationError(ErrorCodes.NO_PUBLISHED_PORT, `no port ${o.privatePort}/${protocol} for container ${c.name}: ${published}`, { service: o.service });
  }
  return `${p.ip ?? ''}:${p.publicPort}`;
}

// ---- images

export interface ImageEntry {
  readonly container: string;
  readonly repository: string;
  readonly tag: string;
  /** "sha256:..." */
  readonly id: string;
  readonly size: number;
}

/** "reg:5000/a/b:tag" → ["reg:5000/a/b", "tag"]; a digest reference keeps "<none>" as tag. */
export function splitRepoTag(ref: string | undefined): [string, string] {
  if (!ref) return ['<none>', '<none>'];
  const at = ref.indexOf('@');
  if (at >= 0) return [ref.slice(0, at), '<none>'];
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return [ref.slice(0, colon), ref.slice(colon + 1)];
  return [ref, 'latest'];
}

/** The image of every container of the project (one-off ones too, as compose lists them), by container name. */
export async function images(engine: Engine, project: string, services?: readonly string[]): Promise<ImageEntry[]> {
  const containers = await projectContainers(engine, project, { services, all: true, oneoff: true });
  const cache = new Map<string, ReturnType<Engine['inspectImage']>>();
  return Promise.all(
    containers.map(async (c) => {
      const key = c.imageId || c.image;
      if (!cache.has(key)) cache.set(key, engine.inspectImage(key));
      const img = await cache.get(key)!;
      const [repository, tag] = splitRepoTag(img?.repoTags[0]);
      return { container: c.name, repository, tag, id: img?.id ?? c.imageId, size: img?.size ?? 0 };
    }),
  );
}

// ---- ls

export interface ProjectEntry {
  readonly name: string;
  /** "exited(3), running(2)": the count of containers per state, states sorted. */
  readonly status: string;
  readonly configFiles: string;
}

/** Every compose project the engine knows (from container labels); without all, those with a running container. */
export async function listProjects(engine: Engine, o: { all?: boolean; name?: string } = {}): Promise<ProjectEntry[]> {
  const containers = await engine.listContainers({ all: !!o.all, labels: [Labels.project] });
  const by = new Map<string, ContainerSummary[]>();
  for (const c of containers) {
    const p = c.labels[Labels.project];
    by.set(p, [...(by.get(p) ?? []), c]);
  }
  const out: ProjectEntry[] = [];
  for (const [name, list] of by) {
    if (o.name !== undefined && !name.includes(o.name)) continue;
    const counts = new Map<string, number>();
    for (const c of list) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
    const status = [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([s, n]) => `${s}(${n})`).join(', ');
    const files = [...new Set(list.sort(byName).map((c) => c.labels[Labels.configFiles]).filter(Boolean))].join(',');
    out.push({ name, status, configFiles: files });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// ---- stats

export interface StatsEntry {
  readonly id: string;
  readonly name: string;
  readonly stats?: ContainerStats;
}

/** One sample per container (running ones, or all with `all`; a stopped one has no sample). */
export async function stats(engine: Engine, project: string, o: { services?: readonly string[]; all?: boolean } = {}): Promise<StatsEntry[]> {
  // in the engine's order (newest first), as docker's stats lists them, not sorted by name
  const listed = await engine.listContainers({ all: !!o.all, labels: [projectFilter(project), `${Labels.oneoff}=False`] });
  const containers = listed.filter((c) => !o.services?.length || o.services.includes(c.labels[Labels.service]));
  return Promise.all(containers.map(async (c) => ({ id: c.id, name: c.name, stats: isRunning(c) ? await engine.containerStats(c.id) : undefined })));
}

// ---- events

export interface ProjectEvent {
  readonly time: Date;
  /** nanoseconds since the epoch, for the fraction Date cannot hold */
  readonly timeNano: bigint;
  readonly type: string;
  readonly action: string;
  readonly id: string;
  readonly service: string;
  /** The engine's attributes without the container's labels (compose prints only these). */
  readonly attributes: Readonly<Record<string, string>>;
}

/** The project's container events, live, until the signal aborts. */
export async function events(engine: Engine, project: string, o: { services?: readonly string[]; since?: number; until?: number; signal?: AbortSignal; onEvent: (e: ProjectEvent) => void }): Promise<void> {
  for await (const e of engine.events({ labels: [projectFilter(project)], types: ['container'], since: o.since, until: o.until, signal: o.signal })) {
    const service = e.attributes[Labels.service] ?? '';
    if (o.services?.length && !o.services.includes(service)) continue;
    o.onEvent(projectEvent(e, service));
  }
}

function projectEvent(e: EngineEvent, service: string): ProjectEvent {
  // The engine mixes the container's labels into the attributes; label keys are dotted (com.docker.compose.*,
  // user labels by convention), the engine's own attributes (name, image, exitCode, signal) are not.
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.attributes)) if (!k.includes('.')) attributes[k] = v;
  const nano = BigInt(Math.round(e.timeNano));
  return { time: new Date(Number(nano / 1_000_000n)), timeNano: nano, type: e.type, action: e.action, id: e.id, service, attributes };
}

// ---- attach

export interface AttachOptions extends Partial<ProcessStreams> {
  readonly service: string;
  readonly index?: number;
  readonly noStdin?: boolean;
  /** The key sequence that detaches from a TTY container (default ctrl-p,ctrl-q). */
  readonly detachKeys?: string;
  /**
   * Signals berth receives, to pass on to a non-TTY container (compose's --sig-proxy, on by default): a
   * subscription the CLI gives, returning its unsubscribe.
   */
  readonly signals?: (forward: (signal: string) => void) => () => void;
}

/**
 * Connect to a service container's streams until it stops; its exit code (as `docker attach` returns it). The
 * detach sequence on a terminal ends it with compose's "read escape sequence" error, the container running on.
 */
export async function attach(engine: Engine, project: string, o: AttachOptions): Promise<number> {
  const list = (await projectContainers(engine, project, { services: [o.service] })).filter(isRunning);
  const c = list.find((x) => Number(x.labels[Labels.containerNumber]) === (o.index ?? 1));
  if (!c) throw new OperationError(ErrorCodes.NO_CONTAINERS, `service "${o.service}" is not running`, { service: o.service });
  const info = await engine.inspectContainer(c.id);
  const tty = !!at(info?.raw, 'Config', 'Tty');
  const withStdin = !o.noStdin && !!at(info?.raw, 'Config', 'OpenStdin') && !!o.stdin;
  const keys = parseDetachKeys(o.detachKeys || DEFAULT_DETACH_KEYS);
  const io = await engine.attachContainer(c.id, { stdin: withStdin, tty, ...(o.detachKeys ? { detachKeys: o.detachKeys } : {}) });
  let escaped = false;
  let stdin = withStdin ? o.stdin : undefined;
  // with a TTY, stdin goes through a proxy that watches for the detach keys
  let proxy: ReturnType<typeof escapeProxy> | undefined;
  if (stdin && tty) {
    proxy = escapeProxy(keys, () => {
      escaped = true;
      io.close();
    });
    stdin.pipe(proxy);
    stdin = proxy;
  }
  const unsubscribe = !tty && o.signals ? o.signals((signal) => void engine.killContainer(c.id, signal).catch(() => undefined)) : undefined;
  try {
    await pumpProcess(io, { stdin, stdout: o.stdout ?? process.stdout, stderr: o.stderr ?? process.stderr, terminal: tty ? o.terminal : undefined }, (size) => engine.resizeContainer(c.id, size));
  } finally {
    unsubscribe?.();
    if (proxy) o.stdin?.unpipe(proxy);
  }
  if (escaped) throw new OperationError(ErrorCodes.DETACHED, 'read escape sequence', { service: o.service });
  const after = await engine.inspectContainer(c.id);
  return after && !after.state.running ? after.state.exitCode : 0;
}
