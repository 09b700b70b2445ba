// Down: stop and remove the project's containers in reverse dependency order, then its networks, and with
// `volumes` its named volumes. Works without the compose file: the graph is rebuilt from the
// com.docker.compose.depends_on labels, and only objects labelled with the project are touched.
import type { ContainerSummary, Engine } from '../engine/types.js';
import { buildGraph, dependencyEdges, walk, withDependents } from '../graph/index.js';
import { EngineError } from '../model/errors.js';
import { noopSink, type EventSink } from '../model/events.js';
import { Labels, nameSeparator } from '../model/labels.js';
import type { Project } from '../model/types.js';
import { parseDuration } from '../model/units.js';
import { runHooks } from './hooks.js';
import { projectLists, type Prefetched } from './observe.js';

export interface DownOptions {
  /** Also remove named volumes declared by the project (and anonymous volumes of its containers). */
  readonly volumes?: boolean;
  /** Stop timeout in seconds, overriding each service's stop_grace_period. */
  readonly timeout?: number;
  readonly removeOrphans?: boolean;
  readonly parallel?: number;
  readonly dryRun?: boolean;
  /** Also remove images: `all` those of every service, `local` only those without an `image:` (built). */
  readonly rmi?: 'local' | 'all';
  /**
   * Only these services' containers and those of the services that depend on them (compose's
   * `down [SERVICES]`); networks and volumes are still taken down where nothing else uses them.
   */
  readonly services?: readonly string[];
  readonly onEvent?: EventSink;
}

export interface DownResult {
  readonly removedContainers: readonly string[];
  readonly removedNetworks: readonly string[];
  readonly removedVolumes: readonly string[];
  readonly removedImages: readonly string[];
  /** What down does (or, with dryRun, would do), one line per operation with its cause. */
  readonly planText: string;
}

function edgesFromLabels(containers: readonly ContainerSummary[]): Record<string, string[]> {
  const edges: Record<string, string[]> = {};
  for (const c of containers) {
    const s = c.labels[Labels.service];
    const deps = (c.labels[Labels.dependsOn] ?? '').split(',').filter(Boolean).map((d) => d.split(':')[0]);
    edges[s] = [...new Set([...(edges[s] ?? []), ...deps])];
  }
  return edges;
}

export async function down(engine: Engine, projectName: string, project: Project | undefined, options: DownOptions = {}, prefetched?: Prefetched): Promise<DownResult> {
  const emit = options.onEvent ?? noopSink;
  const { containers, networks, volumes } = await projectLists(engine, projectName, { volumes: !!options.volumes }, prefetched);

  const known = project ? new Set([...Object.keys(project.services), ...Object.keys(project.meta.disabledServices)]) : undefined;
  const orphans = known ? containers.filter((c) => !known.has(c.labels[Labels.service])) : [];
  if (orphans.length && !options.removeOrphans) {
    emit({ type: 'message', level: 'warning', text: `Found orphan containers ([${orphans.map((c) => c.name).sort().join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.` });
  }
  let doomed = containers.filter((c) => !orphans.includes(c) || options.removeOrphans);
  if (options.services?.length) {
    const all = { ...edgesFromLabels(containers), ...(project ? dependencyEdges(project.services) : {}) };
    for (const s of options.services) all[s] ??= [];
    const selected = withDependents(buildGraph(all), options.services.filter((s) => s in all));
    doomed = doomed.filter((c) => orphans.includes(c) || selected.has(c.labels[Labels.service] ?? ''));
  }
  // Networks: those the project declares (by name), or every labelled one when there is no file.
  const declared = project ? new Set(Object.values(project.networks).filter((n) => !n.external).map((n) => n.name)) : undefined;
  const doomedNetworks = networks.filter((n) => !declared || declared.has(n.name)).filter((n) => n.labels[Labels.project] === projectName);
  const declaredVolumes = project ? new Set(Object.values(project.volumes).filter((v) => !v.external).map((v) => v.name)) : undefined;
  const doomedVolumes = volumes.filter((v) => !declaredVolumes || declaredVolumes.has(v.name)).filter((v) => v.labels[Labels.project] === projectName);

  const images = imagesToRemove(projectName, project, doomed, options.rmi);
  const running = (c: ContainerSummary) => c.state === 'running' || c.state === 'restarting' || c.state === 'paused';
  const lines = [
    ...[...doomed].sort(byName).flatMap((c) => [
      ...(running(c) ? [`stop container ${c.name}${preStopText(project, c)} (${orphans.includes(c) ? 'orphan (--remove-orphans)' : 'down'})`] : []),
      `remove container ${c.name} (${orphans.includes(c) ? 'orphan (--remove-orphans)' : 'down'})`,
    ]),
    ...doomedNetworks.map((n) => `remove network ${n.name} (down)`),
    ...doomedVolumes.map((v) => `remove volume ${v.name} (down -v)`),
    ...images.map((i) => `remove image ${i} (--rmi ${options.rmi})`),
  ];
  const planText = lines.map((l) => `${l}\n`).join('');
  const result = {
    removedContainers: doomed.map((c) => c.name),
    removedNetworks: doomedNetworks.map((n) => n.name),
    removedVolumes: doomedVolumes.map((v) => v.name),
    removedImages: images,
    planText,
  };
  if (options.dryRun) return result;

  const byService = new Map<string, ContainerSummary[]>();
  for (const c of doomed) {
    const s = c.labels[Labels.service] ?? '';
    byService.set(s, [...(byService.get(s) ?? []), c]);
  }
  const edges = { ...edgesFromLabels(doomed), ...(project ? dependencyEdges(project.services) : {}) };
  for (const s of byService.keys()) edges[s] ??= [];
  const graph = buildGraph(edges);

  // The order matters for stopping: a dependency keeps running until its dependents have stopped. Removing a
  // stopped container is not ordered, so the walk moves on to the dependencies as soon as a service's
  // containers are stopped, and its removals run alongside (compose waits for them at every step). With
  // --parallel they stay inside the walk, which is what bounds the engine calls in flight.
  const removals: Promise<void>[] = [];
  let removalFailure: unknown;
  const remove = async (c: ContainerSummary, service: string) => {
    emit({ type: 'resource', kind: 'container', name: c.name, status: 'working', text: 'Removing', service });
    await engine.removeContainer(c.id, { force: true, volumes: options.volumes });
    emit({ type: 'resource', kind: 'container', name: c.name, status: 'done', text: 'Removed', service });
  };
  try {
    await walk(graph, {
      direction: 'down',
      concurrency: options.parallel,
      only: new Set(byService.keys()),
      visit: async (service) => {
        const grace = project?.services[service]?.stop_grace_period;
        const timeout = options.timeout ?? (grace ? Math.round(parseDuration(grace) / 1000) : undefined);
        await Promise.all(
          (byService.get(service) ?? []).map(async (c) => {
            if (c.state === 'running' || c.state === 'restarting' || c.state === 'paused') {
              emit({ type: 'resource', kind: 'container', name: c.name, status: 'working', text: 'Stopping', service });
              // pre_stop needs the file's service (down without a file has none); a container that exited by
              // itself is not listed as running here, so a crash skips it
              if (c.state === 'running') await runHooks(engine, c.id, service, project?.services[service], 'pre_stop');
              await engine.stopContainer(c.id, timeout);
              emit({ type: 'resource', kind: 'container', name: c.name, status: 'done', text: 'Stopped', service });
            } else {
              // compose stops every container before it removes it, and reports a stopped one as stopped
              emit({ type: 'resource', kind: 'container', name: c.name, status: 'working', text: 'Stopping', service });
              emit({ type: 'resource', kind: 'container', name: c.name, status: 'done', text: 'Stopped', service });
            }
            if (options.parallel) await remove(c, service);
            else removals.push(remove(c, service));
          }),
        );
      },
    });
  } finally {
    const settled = await Promise.allSettled(removals);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    // a failed stop is the error to report; a failed removal only when everything else went through
    if (failed) removalFailure = failed.reason;
  }
  if (removalFailure !== undefined) throw removalFailure;

  await Promise.all(
    doomedNetworks.map(async (n) => {
      emit({ type: 'resource', kind: 'network', name: n.name, status: 'working', text: 'Removing' });
      const outcome = await removeNetwork(engine, n.name, new Set(doomed.map((c) => c.id)));
      emit(
        outcome === 'removed'
          ? { type: 'resource', kind: 'network', name: n.name, status: 'done', text: 'Removed' }
          : {
              type: 'resource',
              kind: 'network',
              name: n.name,
              status: 'warning',
              text: 'Resource is still in use',
              ...(outcome === 'leaked' ? { detail: 'the engine counts endpoints on it that no container holds (an engine 20.10 fault): restarting the Docker daemon releases it' } : {}),
            },
      );
    }),
  );
  // Anonymous volumes a recreate handed on are mounted by name in the new container, so removing the container
  // with `volumes` no longer takes them: remove those of the removed containers here (engine-named, 64 hex,
  // unlabelled, not a declared volume). One still used by another container stays.
  if (options.volumes) {
    const declaredNames = new Set(volumes.map((v) => v.name));
    const anonymous = new Set(doomed.flatMap((c) => c.mounts.filter((m) => m.type === 'volume' && m.name && /^[0-9a-f]{64}$/.test(m.name) && !declaredNames.has(m.name)).map((m) => m.name!)));
    await Promise.all(
      [...anonymous].map(async (name) => {
        const v = await engine.inspectVolume(name);
        if (!v || Object.keys(v.labels).length) return;
        await engine.removeVolume(name).catch(() => undefined);
      }),
    );
  }
  await Promise.all(
    doomedVolumes.map(async (v) => {
      emit({ type: 'resource', kind: 'volume', name: v.name, status: 'working', text: 'Removing' });
      await engine.removeVolume(v.name);
      emit({ type: 'resource', kind: 'volume', name: v.name, status: 'done', text: 'Removed' });
    }),
  );
  for (const ref of images) {
    emit({ type: 'resource', kind: 'image', name: ref, status: 'working', text: 'Removing' });
    try {
      await engine.removeImage(ref);
      emit({ type: 'resource', kind: 'image', name: ref, status: 'done', text: 'Removed' });
    } catch (err) {
      // an image another container still uses stays; that is not down's failure
      emit({ type: 'resource', kind: 'image', name: ref, status: 'warning', text: 'Resource is still in use', detail: err instanceof Error ? err.message : String(err) });
    }
  }
  return result;
}

/** " with N pre_stop hook(s)" for a running container whose service declares some (as up's plan prints it). */
function preStopText(project: Project | undefined, c: ContainerSummary): string {
  const list = project?.services[c.labels[Labels.service]]?.pre_stop;
  const n = c.state === 'running' && Array.isArray(list) ? list.length : 0;
  return n ? ` with ${n} pre_stop hook${n > 1 ? 's' : ''}` : '';
}

const byName = (a: ContainerSummary, b: ContainerSummary) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Image refs `--rmi` removes: from the project when there is one, else from the containers' labels. */
function imagesToRemove(projectName: string, project: Project | undefined, containers: readonly ContainerSummary[], rmi: DownOptions['rmi']): string[] {
  if (!rmi) return [];
  const refs = new Set<string>();
  if (project) {
    for (const [name, s] of Object.entries(project.services)) {
      if (s.image && rmi === 'all') refs.add(s.image);
      if (!s.image) refs.add(`${projectName}${nameSeparator()}${name}`);
    }
  } else {
    for (const c of containers) {
      const service = c.labels[Labels.service];
      if (rmi === 'all' || c.image === `${projectName}${nameSeparator()}${service}`) refs.add(c.image);
    }
  }
  return [...refs].sort();
}

/**
 * Engine 20.10 can report a network as having active endpoints for a moment after its last container is
 * removed, and even list that container as attached: retry while only containers this down removed are
 * listed, for up to RACE_WAIT_MS. A network used by any other container is kept at once (false), with a
 * warning. 20.10 can also leak the count for good: the network lists no endpoint at all, yet every removal
 * fails until the daemon restarts (seen in about one in twenty 50-service downs). Retrying that is waiting
 * for nothing, so with an empty list berth gives up after LEAK_WAIT_MS and reports it.
 */
export const RACE_WAIT_MS = 3000;
export const LEAK_WAIT_MS = 1000;

async function removeNetwork(engine: Engine, name: string, removed: ReadonlySet<string>): Promise<'removed' | 'in-use' | 'leaked'> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      await engine.removeNetwork(name);
      return 'removed';
    } catch (err) {
      if (err instanceof EngineError && err.code === 'ENGINE_NOT_FOUND') return 'removed';
      const inUse = err instanceof Error && /active endpoints|in use/i.test(err.message);
      if (!inUse) throw err;
      // another container on it: keep it now. Only our removed containers, or the engine's stale endpoint
      // records ("ep-…"), listed: 20.10's race, retry.
      const attached = (await engine.inspectNetwork(name))?.containers ?? [];
      const foreign = attached.filter((id) => !removed.has(id) && !id.startsWith('ep-'));
      if (foreign.length > 0) return 'in-use';
      const budget = attached.length === 0 ? LEAK_WAIT_MS : RACE_WAIT_MS;
      if (Date.now() - started >= budget) return attached.length === 0 ? 'leaked' : 'in-use';
      await new Promise((r) => setTimeout(r, Math.min(100 * (attempt + 1), 500)));
    }
  }
}
