// `run`: a one-off container of a service, `<project>-<service>-run-<12 hex>`, shaped like compose 2.26 makes
// it (compare `compose-ref run` + docker inspect): the service's config with the command, environment, ports,
// volumes, ... of the command line; oneoff=True and a slug label; no restart policy; no published ports unless
// asked; only its own name as network alias unless --use-aliases. Dependencies are started by the caller (the
// API's up); this waits for their depends_on conditions, creates, attaches, starts and returns the exit code.
import type { ContainerCreateRequest, EndpointSettings, Engine } from '../engine/types.js';
import { ErrorCodes, OperationError } from '../model/errors.js';
import { noopSink, type EventSink } from '../model/events.js';
import { Labels, nameSeparator, projectFilter, serviceImage } from '../model/labels.js';
import type { Project, ServiceConfig, ServicePort, ServiceVolume } from '../model/types.js';
import { createRequest, endpointSettings, fileArchive, networkCreateRequest, networkName, postCreateCopies, serviceNetworks, volumeCreateRequest } from './convert.js';
import { pumpProcess, type ProcessStreams } from './exec.js';
import { runHooks } from './hooks.js';
import { prepareImages, type PullFlag } from './images.js';
import { waitDependencies } from './wait-dependencies.js';
import { nodeCrypto } from '../model/crypto.js';

export const SLUG_LABEL = 'com.docker.compose.slug';

export interface RunOptions extends Partial<ProcessStreams> {
  readonly service: string;
  /** Replaces the service's command when non-empty. */
  readonly cmd?: readonly string[];
  /** Replaces the service's entrypoint (`--entrypoint`, already split into words; [] clears it). */
  readonly entrypoint?: readonly string[];
  readonly name?: string;
  /** Remove the container once it exits (the engine's AutoRemove, as compose sets it). */
  readonly rm?: boolean;
  /** Start it and return at once (exit code 0); the id goes to onStarted. */
  readonly detach?: boolean;
  /** "KEY=value", over the service's environment. */
  readonly env?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  /** `-p`: published ports (the service's own are dropped unless servicePorts). */
  readonly publish?: readonly ServicePort[];
  /** `-P/--service-ports`: publish the service's ports as the file declares them. */
  readonly servicePorts?: boolean;
  readonly volumes?: readonly ServiceVolume[];
  readonly workdir?: string;
  readonly user?: string;
  readonly tty?: boolean;
  /** Keep stdin open and attach it (compose's -i, on by default for an attached run). */
  readonly interactive?: boolean;
  /** Give the container the service's network aliases too. */
  readonly useAliases?: boolean;
  /** Do not wait for the dependencies' depends_on conditions. */
  readonly noDeps?: boolean;
  readonly build?: boolean;
  readonly pull?: PullFlag;
  readonly quietPull?: boolean;
  readonly quietBuild?: boolean;
  /** `--cap-add`/`--cap-drop`: over the service's cap_add/cap_drop (an added one leaves cap_drop, and back). */
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  /** Remove containers of services the project no longer declares, as the dependencies' up would. */
  readonly removeOrphans?: boolean;
  readonly onEvent?: EventSink;
  /** Called once the container has started. */
  readonly onStarted?: (container: { id: string; name: string }) => void;
  /** Called before the container's output starts (a CLI closes its progress display here). */
  readonly beforeOutput?: () => void | Promise<void>;
  /** First Ctrl-C: SIGINT to the container's process; second: SIGKILL. */
  readonly interruptSignal?: AbortSignal;
  readonly killSignal?: AbortSignal;
}

export interface RunResult {
  readonly id: string;
  readonly name: string;
  /** 0 for a detached run. */
  readonly exitCode: number;
}

/** The service as the one-off runs it: the command line's overrides applied, restart policy cleared. */
export function oneOffService(service: ServiceConfig, o: RunOptions): ServiceConfig {
  const environment: Record<string, string | null> = { ...(service.environment ?? {}) };
  for (const e of o.env ?? []) {
    const at = e.indexOf('=');
    if (at < 0) environment[e] = null;
    else environment[e.slice(0, at)] = e.slice(at + 1);
  }
  const s: { -readonly [K in keyof ServiceConfig]: ServiceConfig[K] } = {
    ...service,
    environment,
    labels: { ...(service.labels ?? {}), ...(o.labels ?? {}) },
    ports: o.servicePorts ? [...(service.ports ?? []), ...(o.publish ?? [])] : o.publish?.length ? [...o.publish] : undefined,
    volumes: [...(service.volumes ?? []), ...(o.volumes ?? [])],
    restart: undefined,
    scale: 1,
  };
  if (o.cmd?.length) s.command = [...o.cmd];
  if (o.entrypoint) s.entrypoint = o.entrypoint.length ? [...o.entrypoint] : undefined;
  if (o.workdir) s.working_dir = o.workdir;
  if (o.user) s.user = o.user;
  if (o.tty !== undefined) s.tty = o.tty;
  if (o.interactive !== undefined) s.stdin_open = o.interactive;
  if (o.name) s.container_name = o.name;
  // compose appends the flags' capabilities and takes each out of the opposite list
  if (o.capAdd?.length) {
    s.cap_add = [...(s.cap_add ?? []), ...o.capAdd];
    s.cap_drop = (s.cap_drop ?? []).filter((c) => !o.capAdd!.includes(c));
  }
  if (o.capDrop?.length) {
    s.cap_drop = [...(s.cap_drop ?? []), ...o.capDrop];
    s.cap_add = (s.cap_add ?? []).filter((c) => !o.capDrop!.includes(c));
  }
  const deploy = service.deploy;
  if (deploy?.restart_policy) {
    const { restart_policy: _, ...rest } = deploy;
    s.deploy = rest;
  }
  return s;
}

/** The create request of a one-off container (pure). */
export function oneOffRequest(project: Project, o: RunOptions, slug: string, imageId: string | undefined): ContainerCreateRequest {
  const service = oneOffService(project.services[o.service], o);
  const name = o.name ?? service.container_name ?? [project.name, o.service, 'run', slug.slice(0, 12)].join(nameSeparator());
  const p: Project = { ...project, services: { ...project.services, [o.service]: service } };
  const req = createRequest({ project: p, serviceName: o.service, number: 1, name, imageId });
  const interactive = !!o.interactive;
  const endpoints = req.NetworkingConfig?.EndpointsConfig;
  return {
    ...req,
    Labels: { ...req.Labels, [Labels.oneoff]: 'True', [SLUG_LABEL]: slug },
    Tty: !!o.tty,
    OpenStdin: interactive,
    AttachStdin: interactive,
    StdinOnce: interactive,
    HostConfig: { ...req.HostConfig, AutoRemove: !!o.rm },
    ...(endpoints ? { NetworkingConfig: { EndpointsConfig: Object.fromEntries(Object.entries(endpoints).map(([k, e]) => [k, aliasesFor(e, name, o.useAliases)])) } } : {}),
  };
}

// compose gives a one-off only its own name as alias (the engine adds the short id); --use-aliases adds the
// service name and the network's aliases, as a service container has.
function aliasesFor(e: EndpointSettings, name: string, useAliases: boolean | undefined): EndpointSettings {
  return useAliases ? e : { ...e, Aliases: [name] };
}

/** The service's networks and named volumes, created when missing (a run without dependencies needs them too). */
async function ensureResources(engine: Engine, project: Project, serviceName: string, emit: EventSink): Promise<void> {
  const service = project.services[serviceName];
  for (const key of service.network_mode ? [] : serviceNetworks(service)) {
    const net = project.networks[key];
    const name = networkName(project, key);
    if (await engine.inspectNetwork(name)) continue;
    if (net?.external) throw new OperationError(ErrorCodes.EXTERNAL_NOT_FOUND, `network ${name} declared as external, but could not be found: create it first (docker network create ${name})`);
    emit({ type: 'resource', kind: 'network', name, status: 'working', text: 'Creating' });
    await engine.createNetwork(networkCreateRequest(project, key)).catch(async (err) => {
      // another process created it meanwhile: that is what we wanted
      if (!(await engine.inspectNetwork(name))) throw err;
    });
    emit({ type: 'resource', kind: 'network', name, status: 'done', text: 'Created' });
  }
  for (const v of service.volumes ?? []) {
    if (v.type !== 'volume' || !v.source || !project.volumes[v.source]) continue;
    const vol = project.volumes[v.source];
    if (await engine.inspectVolume(vol.name)) continue;
    if (vol.external) throw new OperationError(ErrorCodes.EXTERNAL_NOT_FOUND, `volume ${vol.name} declared as external, but could not be found: create it first (docker volume create ${vol.name})`);
    emit({ type: 'resource', kind: 'volume', name: vol.name, status: 'working', text: 'Creating' });
    await engine.createVolume(volumeCreateRequest(project, v.source));
    emit({ type: 'resource', kind: 'volume', name: vol.name, status: 'done', text: 'Created' });
  }
}

/**
 * The exit code of the container's next death and, for an auto-removed one, its removal, from the event stream
 * opened before it starts (`since` replays what happened while the stream was connecting).
 */
function lifeOf(engine: Engine, project: string, id: string, signal: AbortSignal): { died: Promise<number | undefined>; removed: Promise<void> } {
  const since = Date.now() / 1000 - 1;
  const events = engine.events({ labels: [projectFilter(project)], types: ['container'], since, signal });
  let died!: (code: number | undefined) => void;
  let removed!: () => void;
  const out = { died: new Promise<number | undefined>((r) => (died = r)), removed: new Promise<void>((r) => (removed = r)) };
  void (async () => {
    try {
      for await (const e of events) {
        if (e.id !== id) continue;
        if (e.action === 'die') died(Number(e.attributes.exitCode ?? 0));
        if (e.action === 'destroy') break;
      }
    } catch {
      // a broken stream: the caller asks the engine instead
    } finally {
      died(undefined);
      removed();
    }
  })();
  return out;
}

export async function runOneOff(engine: Engine, project: Project, o: RunOptions): Promise<RunResult> {
  const emit = o.onEvent ?? noopSink;
  const ref = serviceImage(project, o.service);
  const ids = await prepareImages(engine, project, [o.service], { [ref]: await engine.inspectImage(ref) }, { onEvent: emit, build: o.build, pull: o.pull, quietPull: o.quietPull, quietBuild: o.quietBuild });
  await ensureResources(engine, project, o.service, emit);
  if (!o.noDeps) await waitDependencies(engine, project, o.service, emit);

  // compose's slug: 32 random bytes; the name takes its first 12 hex digits
  const slug = nodeCrypto().randomBytes(32).toString('hex');
  const req = oneOffRequest(project, o, slug, ids[ref]);
  const name = req.name;
  const { id } = await engine.createContainer(req);
  const service = project.services[o.service];
  // API 1.41 attaches one network at create time; the others are connected before the start
  if (!service.network_mode) {
    for (const key of serviceNetworks(service).slice(1)) {
      await engine.connectNetwork(networkName(project, key), id, aliasesFor(endpointSettings(project, o.service, key, name), name, o.useAliases));
    }
  }
  for (const copy of postCreateCopies(project, o.service)) await engine.putArchive(id, '/', fileArchive(copy), { copyUIDGID: copy.copyUIDGID });

  if (o.detach) {
    await engine.startContainer(id);
    await runHooks(engine, id, o.service, service, 'post_start');
    o.onStarted?.({ id, name });
    return { id, name, exitCode: 0 };
  }

  await o.beforeOutput?.();
  const stopEvents = new AbortController();
  const life = lifeOf(engine, project.name, id, stopEvents.signal);
  // attached before the start, so that nothing the process prints is missed
  const io = await engine.attachContainer(id, { stdin: !!o.interactive && !!o.stdin, tty: !!o.tty });
  const onInterrupt = () => void engine.killContainer(id, 'SIGINT').catch(() => undefined);
  const onKill = () => void engine.killContainer(id, 'SIGKILL').catch(() => undefined);
  o.interruptSignal?.addEventListener('abort', onInterrupt, { once: true });
  o.killSignal?.addEventListener('abort', onKill, { once: true });
  try {
    const pumped = pumpProcess(
      io,
      { stdin: o.interactive ? o.stdin : undefined, stdout: o.stdout ?? process.stdout, stderr: o.stderr ?? process.stderr, terminal: o.tty ? o.terminal : undefined },
      (size) => engine.resizeContainer(id, size),
    );
    try {
      await engine.startContainer(id);
    } catch (err) {
      io.close();
      await engine.removeContainer(id, { force: true }).catch(() => undefined);
      throw err;
    }
    // post_start runs while the process does (compose starts and attaches in one call, then runs the hooks);
    // its failure is the run's error only when the process itself succeeded, as in compose
    const hooks = runHooks(engine, id, o.service, service, 'post_start').then(
      () => undefined,
      (err: unknown) => err,
    );
    // the size set while attaching did not apply (the container was not running yet)
    const size = o.tty ? o.terminal?.size() : undefined;
    if (size) await engine.resizeContainer(id, size).catch(() => undefined);
    o.onStarted?.({ id, name });
    await pumped;
    let code = await life.died;
    // the event stream ended without a death (it should not): ask the engine
    if (code === undefined) code = (await engine.inspectContainer(id))?.state.exitCode ?? 0;
    const hookError = await hooks;
    if (hookError !== undefined && code === 0) throw hookError;
    // --rm: return once the engine has removed it, so that the caller never sees it linger (bounded wait)
    if (o.rm) await Promise.race([life.removed, new Promise((r) => setTimeout(r, 10_000).unref())]);
    return { id, name, exitCode: code };
  } finally {
    stopEvents.abort();
    await life.removed;
    o.interruptSignal?.removeEventListener('abort', onInterrupt);
    o.killSignal?.removeEventListener('abort', onKill);
  }
}

/**
 * `run --remove-orphans`: stop and remove the project's service containers (not one-offs) whose service the
 * project declares nowhere, as the up of the dependencies does with the flag in compose.
 */
export async function removeOrphanContainers(engine: Engine, project: Project, onEvent: EventSink = noopSink): Promise<void> {
  const known = new Set([...Object.keys(project.services), ...Object.keys(project.meta.disabledServices)]);
  const containers = await engine.listContainers({ all: true, labels: [projectFilter(project.name), `${Labels.oneoff}=False`] });
  await Promise.all(
    containers
      .filter((c) => !known.has(c.labels[Labels.service] ?? ''))
      .map(async (c) => {
        const service = c.labels[Labels.service];
        if (c.state === 'running' || c.state === 'restarting' || c.state === 'paused') {
          onEvent({ type: 'resource', kind: 'container', name: c.name, status: 'working', text: 'Stopping', service });
          await engine.stopContainer(c.id);
          onEvent({ type: 'resource', kind: 'container', name: c.name, status: 'done', text: 'Stopped', service });
        }
        onEvent({ type: 'resource', kind: 'container', name: c.name, status: 'working', text: 'Removing', service });
        await engine.removeContainer(c.id, { force: true });
        onEvent({ type: 'resource', kind: 'container', name: c.name, status: 'done', text: 'Removed', service });
      }),
  );
}
