// Execute an up plan: pull, networks and volumes, then containers in a ready-set walk of the service graph.
// Each service waits for its own dependencies' conditions and nothing else.
import type { Engine } from '../engine/types.js';
import { walk } from '../graph/index.js';
import { EngineError, ErrorCodes, OperationError } from '../model/errors.js';
import { noopSink, type EventSink, type ResourceKind, type ProgressStatus } from '../model/events.js';
import { COMPOSE_COMPAT_VERSION, Labels } from '../model/labels.js';
import type { Project } from '../model/types.js';
import { createRequest, endpointSettings, networkName, serviceImage, serviceNetworks } from './convert.js';
import { observe } from './observe.js';
import { prepareImages } from './images.js';
import { reconcile, selectServices, type ContainerAction, type Plan, type ReconcileOptions } from './reconcile.js';
import { conditions, ContainerWatcher } from './watch.js';

export interface UpOptions extends ReconcileOptions {
  /** Create but do not start. */
  readonly noStart?: boolean;
  /** Wait for every service to be running or healthy. */
  readonly wait?: boolean;
  /** Seconds; 0 or undefined means no limit. */
  readonly waitTimeout?: number;
  /** Stop timeout in seconds for containers being recreated. */
  readonly timeout?: number;
  /** At most this many engine operations at once (graph walk width). */
  readonly parallel?: number;
  /** Print the plan and change nothing. */
  readonly dryRun?: boolean;
  readonly onEvent?: EventSink;
  readonly signal?: AbortSignal;
  /**
   * Called for every container of the run before it is started (after create, or before restarting a stopped
   * one), and for containers already running; attached mode hooks its log streams here so no line is lost.
   */
  readonly beforeStart?: (container: ContainerRef & { readonly service: string; readonly running: boolean }) => Promise<void>;
}

export interface ContainerRef {
  readonly id: string;
  readonly name: string;
}

export interface UpResult {
  readonly plan: Plan;
  /** service → its containers after up */
  readonly containers: Readonly<Record<string, readonly ContainerRef[]>>;
}

export async function up(engine: Engine, project: Project, options: UpOptions = {}): Promise<UpResult> {
  const emit = options.onEvent ?? noopSink;
  const ev = (kind: ResourceKind, name: string, status: ProgressStatus, text: string, service?: string, detail?: string) =>
    emit({ type: 'resource', kind, name, status, text, service, detail });

  const asked = options.services ?? [];
  for (const s of asked) {
    if (!project.services[s]) throw new OperationError(ErrorCodes.NO_SUCH_SERVICE, `no such service: ${s}`, { service: s });
  }
  const observed0 = await observe(engine, project, Object.keys(project.services));
  // Images first: a pulled or rebuilt image changes the image id the planner compares against.
  const selected = selectServices(project, options);
  const imageIds = options.dryRun
    ? Object.fromEntries(Object.entries(observed0.images).map(([k, v]) => [k, v?.id]))
    : await prepareImages(engine, project, selected, observed0.images, { onEvent: emit });
  const observed = {
    ...observed0,
    images: Object.fromEntries(Object.entries(imageIds).map(([ref, id]) => [ref, id ? (observed0.images[ref]?.id === id ? observed0.images[ref] : { id, repoTags: [ref] }) : undefined])),
  };
  const plan = reconcile(project, observed, options);
  if (options.dryRun) return { plan, containers: {} };

  const missingExternal = [...plan.networks, ...plan.volumes].find((r) => r.action === 'missing-external');
  if (missingExternal) {
    throw new OperationError(ErrorCodes.ENGINE_NOT_FOUND, `${missingExternal.reason}: ${missingExternal.name} is declared external but does not exist; create it first (docker ${plan.networks.includes(missingExternal) ? 'network' : 'volume'} create ${missingExternal.name})`);
  }
  for (const o of plan.orphans) {
    if (o.action === 'warn') {
      emit({ type: 'message', level: 'warning', text: `Found orphan containers ([${plan.orphans.map((x) => x.container.name).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.` });
      break;
    }
  }

  // Opened before the first change so that every state transition of this run reaches a waiter.
  const watcher = new ContainerWatcher(engine, project.name);
  try {
    const images = imageIds;

    await Promise.all([
      ...plan.networks.filter((n) => n.action === 'create').map(async (n) => {
        const net = project.networks[n.key];
        ev('network', n.name, 'working', 'Creating');
        await engine.createNetwork({
          Name: n.name,
          Driver: net.driver,
          Options: net.driver_opts ? { ...net.driver_opts } : undefined,
          IPAM: net.ipam ? { Driver: net.ipam.driver, Config: net.ipam.config?.map((c) => ({ ...camelIpam(c) })), Options: net.ipam.options ? { ...net.ipam.options } : undefined } : undefined,
          Internal: net.internal,
          Attachable: net.attachable,
          EnableIPv6: net.enable_ipv6,
          CheckDuplicate: true,
          Labels: { ...(net.labels ?? {}), [Labels.network]: n.key, [Labels.project]: project.name, [Labels.version]: COMPOSE_COMPAT_VERSION },
        });
        ev('network', n.name, 'done', 'Created');
      }),
      ...plan.volumes.filter((v) => v.action === 'create').map(async (v) => {
        const vol = project.volumes[v.key];
        ev('volume', v.name, 'working', 'Creating');
        await engine.createVolume({
          Name: v.name,
          Driver: vol.driver,
          DriverOpts: vol.driver_opts ? { ...vol.driver_opts } : undefined,
          Labels: { ...(vol.labels ?? {}), [Labels.project]: project.name, [Labels.version]: COMPOSE_COMPAT_VERSION, [Labels.volume]: v.key },
        });
        ev('volume', v.name, 'done', 'Created');
      }),
    ]);

    for (const o of plan.orphans.filter((x) => x.action === 'remove')) {
      ev('container', o.container.name, 'working', 'Removing');
      await engine.removeContainer(o.container.id, { force: true });
      ev('container', o.container.name, 'done', 'Removed');
    }

    const ids: Record<string, ContainerRef[]> = {};
    await walk(plan.graph, {
      direction: 'up',
      only: new Set(plan.services),
      concurrency: options.parallel,
      signal: options.signal,
      visit: async (service) => {
        await waitDependencies(engine, project, plan, service, ids, watcher, emit, options.noStart);
        ids[service] = await convergeService(engine, project, service, plan.containers[service] ?? [], images, options, ev);
      },
    });

    if (options.wait && !options.noStart) {
      await waitAll(project, plan, ids, watcher, options, ev);
    }
    return { plan, containers: ids };
  } finally {
    await watcher.close();
  }
}

function camelIpam(c: Record<string, unknown>): Record<string, unknown> {
  const map: Record<string, string> = { subnet: 'Subnet', gateway: 'Gateway', ip_range: 'IPRange', aux_addresses: 'AuxiliaryAddresses' };
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [map[k] ?? k, v]));
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

type Ev = (kind: ResourceKind, name: string, status: ProgressStatus, text: string, service?: string, detail?: string) => void;

async function convergeService(
  engine: Engine,
  project: Project,
  service: string,
  actions: readonly ContainerAction[],
  images: Record<string, string | undefined>,
  options: UpOptions,
  ev: Ev,
): Promise<ContainerRef[]> {
  const imageId = images[serviceImage(project, service)];
  const out: ContainerRef[] = [];
  const create = async (a: ContainerAction): Promise<string> => {
    const req = createRequest({ project, serviceName: service, number: a.number, name: a.name, imageId });
    const { id } = await wrap(service, a.name, () => engine.createContainer(req));
    // API 1.41 attaches one network at create time; the rest are connected before the first start.
    for (const key of serviceNetworks(project.services[service]).slice(1)) {
      if (project.services[service].network_mode) break;
      await wrap(service, a.name, () => engine.connectNetwork(networkName(project, key), id, endpointSettings(project, service, key, a.name)));
    }
    return id;
  };
  const start = async (id: string, name: string) => {
    if (options.noStart) return;
    await options.beforeStart?.({ id, name, service, running: false });
    ev('container', name, 'working', 'Starting', service);
    await wrap(service, name, () => engine.startContainer(id));
    ev('container', name, 'done', 'Started', service);
  };
  await Promise.all(
    actions.map(async (a) => {
      switch (a.action) {
        case 'keep':
          ev('container', a.name, 'done', 'Running', service);
          out.push({ id: a.container.id, name: a.name });
          await options.beforeStart?.({ id: a.container.id, name: a.name, service, running: true });
          return;
        case 'start':
          out.push({ id: a.container.id, name: a.name });
          await start(a.container.id, a.name);
          return;
        case 'create': {
          ev('container', a.name, 'working', 'Creating', service);
          const id = await create(a);
          ev('container', a.name, 'done', 'Created', service);
          out.push({ id, name: a.name });
          await start(id, a.name);
          return;
        }
        case 'recreate': {
          ev('container', a.name, 'working', 'Recreate', service, a.reason);
          const old = a.container;
          if (old.state === 'running' || old.state === 'restarting' || old.state === 'paused') {
            await wrap(service, a.name, () => engine.stopContainer(old.id, options.timeout));
          }
          // The old container keeps running under a temporary name until the new one exists, as compose does.
          await wrap(service, a.name, () => engine.renameContainer(old.id, `${old.id.slice(0, 12)}_${a.name}`));
          const id = await create(a);
          await wrap(service, a.name, () => engine.removeContainer(old.id, { force: true }));
          ev('container', a.name, 'done', 'Recreated', service);
          out.push({ id, name: a.name });
          await start(id, a.name);
          return;
        }
        case 'remove':
          ev('container', a.name, 'working', 'Stopping', service);
          await wrap(service, a.name, () => engine.stopContainer(a.container.id, options.timeout));
          await wrap(service, a.name, () => engine.removeContainer(a.container.id, { force: true }));
          ev('container', a.name, 'done', 'Removed', service);
          return;
      }
    }),
  );
  return out;
}

/** Name the service in every engine failure, keeping the engine's code (port in use, name conflict, ...). */
async function wrap<T>(service: string, container: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof EngineError) {
      throw new EngineError(err.code, `service "${service}" (container ${container}): ${err.message}`, { statusCode: err.statusCode, cause: err, service });
    }
    throw err;
  }
}

async function waitDependencies(
  engine: Engine,
  project: Project,
  plan: Plan,
  service: string,
  ids: Record<string, ContainerRef[]>,
  watcher: ContainerWatcher,
  emit: EventSink,
  noStart: boolean | undefined,
): Promise<void> {
  if (noStart) return;
  const deps = project.services[service].depends_on ?? {};
  await Promise.all(
    Object.entries(deps).map(async ([dep, spec]) => {
      if (!plan.services.includes(dep)) return;
      const check =
        spec.condition === 'service_healthy' ? conditions.healthy() : spec.condition === 'service_completed_successfully' ? conditions.completedSuccessfully() : conditions.started();
      await Promise.all(
        (ids[dep] ?? []).map(async ({ id, name }) => {
          if (spec.condition !== 'service_started') emit({ type: 'resource', kind: 'container', name, status: 'working', text: 'Waiting', service: dep });
          try {
            await watcher.waitFor(id, check);
          } catch (err) {
            emit({ type: 'resource', kind: 'container', name, status: 'error', text: 'Error', service: dep, detail: errText(err) });
            if (!spec.required) return;
            const tail = await lastLines(engine, id);
            throw new OperationError(ErrorCodes.DEPENDENCY_FAILED, `dependency failed to start: container ${name} ${errText(err)} (service "${dep}", needed by "${service}")${tail}`, { service: dep });
          }
          if (spec.condition === 'service_healthy') emit({ type: 'resource', kind: 'container', name, status: 'done', text: 'Healthy', service: dep });
          if (spec.condition === 'service_completed_successfully') emit({ type: 'resource', kind: 'container', name, status: 'done', text: 'Exited', service: dep });
        }),
      );
    }),
  );
}

async function lastLines(engine: Engine, id: string): Promise<string> {
  try {
    const text = (await engine.containerLogs(id, { tail: 5 })).trimEnd();
    return text ? `\n  last log lines:\n    ${text.split('\n').join('\n    ')}` : '';
  } catch {
    return '';
  }
}

async function waitAll(project: Project, plan: Plan, ids: Record<string, ContainerRef[]>, watcher: ContainerWatcher, options: UpOptions, ev: Ev): Promise<void> {
  const controller = new AbortController();
  const timer = options.waitTimeout ? setTimeout(() => controller.abort(new OperationError(ErrorCodes.TIMEOUT, `timeout waiting for services after ${options.waitTimeout}s`)), options.waitTimeout * 1000) : undefined;
  try {
    await Promise.all(
      plan.services.flatMap((s) =>
        (ids[s] ?? []).map(async ({ id, name }) => {
          ev('container', name, 'working', 'Waiting', s);
          const restart = project.services[s].restart ?? 'no';
          try {
            await watcher.waitFor(id, conditions.runningOrHealthy({ oneShotOk: restart === 'no' }), controller.signal);
          } catch (err) {
            ev('container', name, 'error', 'Error', s, errText(err));
            if (err instanceof OperationError) throw new OperationError(err.code, `${err.message} (service "${s}", container ${name})`, { service: s });
            throw new OperationError(ErrorCodes.UNHEALTHY, `container ${name} ${errText(err)} (service "${s}")`, { service: s });
          }
          ev('container', name, 'done', 'Healthy', s);
        }),
      ),
    );
  } finally {
    if (timer) clearTimeout(timer);
  }
}
