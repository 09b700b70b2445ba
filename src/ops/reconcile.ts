// Reconcile: a pure function from the project, the observed engine state and the options to a plan (a DAG of
// single engine operations, each with its cause). No engine calls here: the golden tests drive it with
// observed state from the fake engine and compare the plan text.
import type { ContainerSummary } from '../engine/types.js';
import { buildGraph, dependencyEdges, withDependencies } from '../graph/index.js';
import { serviceConfigHash } from '../config/hash.js';
import { containerName, Labels, serviceImage } from '../model/labels.js';
import type { Project, ServiceConfig } from '../model/types.js';
import type { ObservedState } from './observe.js';
import type { ContainerTarget, HookCounts, Kept, Op, Plan, PlanOp } from './plan.js';

export interface ReconcileOptions {
  /** Services named on the command line; empty means all. */
  readonly services?: readonly string[];
  readonly forceRecreate?: boolean;
  readonly noRecreate?: boolean;
  /** Recreate the dependencies of the named services too. */
  readonly alwaysRecreateDeps?: boolean;
  /** -V: recreate with fresh anonymous volumes instead of the old container's. */
  readonly renewAnonVolumes?: boolean;
  readonly removeOrphans?: boolean;
  readonly noDeps?: boolean;
  readonly noStart?: boolean;
  /** --scale SERVICE=N */
  readonly scale?: Readonly<Record<string, number>>;
}

export function serviceScale(service: ServiceConfig): number {
  return service.scale ?? service.deploy?.replicas ?? 1;
}

/** The services a run acts on: those named (all when none) plus, unless noDeps, their dependencies. */
export function selectServices(project: Project, options: Pick<ReconcileOptions, 'services' | 'noDeps'>): string[] {
  const graph = buildGraph(dependencyEdges(project.services));
  const asked = options.services?.length ? options.services : graph.nodes;
  const selected = options.noDeps ? new Set(asked) : withDependencies(graph, asked);
  return graph.nodes.filter((n) => selected.has(n));
}

/** Services in dependency order, ties broken by name. */
export function dependencyOrder(project: Project, services: readonly string[]): string[] {
  const inSet = new Set(services);
  const done = new Set<string>();
  const out: string[] = [];
  while (out.length < services.length) {
    const next = services.filter((s) => !done.has(s) && Object.keys(project.services[s].depends_on ?? {}).every((d) => done.has(d) || !inSet.has(d)));
    if (!next.length) break;
    for (const s of next) {
      done.add(s);
      out.push(s);
    }
  }
  return out;
}

/** Services whose container this one refers to: namespaces shared with `service:x`, and volumes_from. */
export function referencedServices(service: ServiceConfig): string[] {
  const out = new Set<string>();
  for (const key of ['network_mode', 'ipc', 'pid'] as const) {
    const v = service[key];
    if (typeof v === 'string' && v.startsWith('service:')) out.add(v.slice('service:'.length));
  }
  for (const v of service.volumes_from ?? []) {
    if (!v.startsWith('container:')) out.add(v.split(':')[0]);
  }
  return [...out].sort();
}

const numberOf = (c: ContainerSummary): number => Number(c.labels[Labels.containerNumber] ?? 0);

export function reconcile(project: Project, observed: ObservedState, options: ReconcileOptions = {}): Plan {
  const graph = buildGraph(dependencyEdges(project.services));
  const services = selectServices(project, options);
  const asked = new Set(options.services?.length ? options.services : services);
  const ops: PlanOp[] = [];
  const kept: Kept[] = [];
  const warnings: string[] = [];
  const add = (id: string, op: Op, after: readonly (string | undefined)[], reason: string): string => {
    ops.push({ id, op, after: [...new Set(after.filter((a): a is string => !!a))], reason });
    return id;
  };

  const pulls = services
    .map((s) => ({ service: s, image: serviceImage(project, s) }))
    .filter((p, i, all) => observed.images[p.image] === undefined && all.findIndex((q) => q.image === p.image) === i);

  // Networks and volumes the selected services use.
  const missingExternal: Plan['missingExternal'][number][] = [];
  const resourceOp = new Map<string, string>();
  const usedNetworks = new Set(services.flatMap((s) => Object.keys(project.services[s].networks ?? {})));
  for (const key of Object.keys(project.networks).sort()) {
    if (!usedNetworks.has(key)) continue;
    const net = project.networks[key];
    if (observed.networks[net.name]) kept.push({ kind: 'network', name: net.name, reason: 'exists' });
    else if (net.external) missingExternal.push({ kind: 'network', name: net.name });
    else resourceOp.set(`network:${key}`, add(`network:${key}`, { kind: 'create-network', key, name: net.name }, [], 'missing'));
  }
  const usedVolumes = new Set(services.flatMap((s) => (project.services[s].volumes ?? []).filter((v) => v.type === 'volume' && v.source).map((v) => v.source!)));
  for (const key of Object.keys(project.volumes).sort()) {
    if (!usedVolumes.has(key)) continue;
    const vol = project.volumes[key];
    if (observed.volumes[vol.name]) kept.push({ kind: 'volume', name: vol.name, reason: 'exists' });
    else if (vol.external) missingExternal.push({ kind: 'volume', name: vol.name });
    else resourceOp.set(`volume:${key}`, add(`volume:${key}`, { kind: 'create-volume', key, name: vol.name }, [], 'missing'));
  }
  const namedVolumeNames = new Set(Object.values(project.volumes).map((v) => v.name));

  const final: Record<string, { name: string; target: ContainerTarget }[]> = {};
  /** service → ids of the ops that (re)start its containers in this run */
  const startOps: Record<string, string[]> = {};
  /** service → ids of the ops that create its containers in this run */
  const createOps: Record<string, string[]> = {};
  const recreated = new Set<string>();
  const waitOps = new Map<string, string>();

  const waitFor = (dep: string, condition: NonNullable<ServiceConfig['depends_on']>[string]): string | undefined => {
    if (!services.includes(dep) || !final[dep]?.length) return undefined;
    const id = `wait:${dep}:${condition.condition}`;
    if (!waitOps.has(id)) {
      const why = condition.condition === 'service_started' ? undefined : id;
      if (!why) {
        // service_started needs no engine call: ordering after the start ops is enough.
        waitOps.set(id, '');
        return undefined;
      }
      add(id, { kind: 'wait', service: dep, condition: condition.condition, containers: final[dep], required: condition.required }, startOps[dep] ?? [], `dependents need ${dep} ${condition.condition.replace('service_', '').replace('_', ' ')}`);
      waitOps.set(id, id);
    }
    return waitOps.get(id) || undefined;
  };

  for (const s of dependencyOrder(project, services)) {
    const service = project.services[s];
    const hash = serviceConfigHash(service);
    const imageId = observed.images[serviceImage(project, s)]?.id;
    const existing = observed.containers.filter((c) => c.labels[Labels.service] === s).sort((a, b) => numberOf(a) - numberOf(b));
    const scale = options.scale?.[s] ?? serviceScale(service);
    const refersTo = referencedServices(service).filter((r) => services.includes(r));
    const resources = [
      ...Object.keys(service.networks ?? {}).map((k) => resourceOp.get(`network:${k}`)),
      ...(service.volumes ?? []).filter((v) => v.type === 'volume' && v.source).map((v) => resourceOp.get(`volume:${v.source}`)),
    ].filter((x): x is string => !!x);
    const missingResource = ops.find((o) => resources.includes(o.id))?.op;
    const deps = Object.entries(service.depends_on ?? {});
    const waits = () => deps.map(([d, c]) => waitFor(d, c)).concat(deps.flatMap(([d, c]) => (c.condition === 'service_started' ? startOps[d] ?? [] : [])));
    const refOps = refersTo.flatMap((r) => startOps[r] ?? []);
    // A service's containers are created once its dependencies' are, as compose creates in dependency order.
    // Creating them all at once would put every create in front of the first start, the head of the
    // critical path of a chain; this way the dependents' creates run while their dependencies start.
    const depCreates = deps.flatMap(([d]) => createOps[d] ?? []);
    final[s] = [];
    startOps[s] = [];
    createOps[s] = [];

    existing.forEach((c, i) => {
      if (i < scale) return;
      const why = `scale ${existing.length} → ${scale}`;
      const stop = c.state === 'running' || c.state === 'restarting' || c.state === 'paused' ? add(`stop:${c.name}`, { kind: 'stop-container', service: s, name: c.name, id: c.id }, [], why) : undefined;
      add(`remove:${c.name}`, { kind: 'remove-container', service: s, name: c.name, id: c.id }, [stop], why);
    });

    for (const c of existing.slice(0, scale)) {
      let why: string | undefined;
      if (options.forceRecreate) why = 'forced (--force-recreate)';
      else if (c.labels[Labels.configHash] !== hash) why = 'config changed';
      else if (imageId && c.imageId && c.imageId !== imageId) why = 'image changed';
      else if (missingResource) why = `${missingResource.kind === 'create-network' ? 'network' : 'volume'} ${'name' in missingResource ? missingResource.name : ''} is missing`;
      else if (refersTo.some((r) => recreated.has(r))) why = `shares a namespace or volumes with ${refersTo.find((r) => recreated.has(r))}, which is recreated`;
      else if (options.alwaysRecreateDeps && !asked.has(s)) why = 'dependency of a named service (--always-recreate-deps)';

      if (why && !options.noRecreate) {
        const temp = `${c.id.slice(0, 12)}_${c.name}`;
        const inherit = options.renewAnonVolumes
          ? []
          : c.mounts.filter((m) => m.type === 'volume' && m.name && !namedVolumeNames.has(m.name)).map((m) => ({ name: m.name!, target: m.destination }));
        const create = add(`create:${c.name}`, { kind: 'create-container', service: s, number: numberOf(c), name: c.name, tempName: temp, replaces: c, inheritVolumes: inherit, refersTo }, [...resources, ...refOps, ...depCreates], `recreate: ${why}${inherit.length ? `; keeps anonymous volume${inherit.length > 1 ? 's' : ''} at ${inherit.map((v) => v.target).join(', ')}` : ''}`);
        const stop = c.state === 'running' || c.state === 'restarting' || c.state === 'paused' ? add(`stop:${c.name}`, { kind: 'stop-container', service: s, name: c.name, id: c.id }, [create], 'replaced') : undefined;
        const rm = add(`remove:${c.name}`, { kind: 'remove-container', service: s, name: c.name, id: c.id }, [create, stop], 'replaced');
        createOps[s].push(create);
        const target = { created: create };
        const rename = add(`rename:${c.name}`, { kind: 'rename-container', service: s, from: temp, name: c.name, target }, [rm], 'takes the old name');
        if (!options.noStart) startOps[s].push(add(`start:${c.name}`, { kind: 'start-container', service: s, name: c.name, target }, [rename, ...waits()], 'recreated'));
        recreated.add(s);
        final[s].push({ name: c.name, target });
      } else if (c.state === 'running' || c.state === 'restarting') {
        kept.push({ kind: 'container', service: s, name: c.name, id: c.id, running: true, reason: why ? `${why}, kept (--no-recreate)` : 'up to date' });
        final[s].push({ name: c.name, target: { existing: c.id } });
      } else if (options.noStart) {
        kept.push({ kind: 'container', service: s, name: c.name, id: c.id, running: false, reason: `${c.state} (--no-start)` });
        final[s].push({ name: c.name, target: { existing: c.id } });
      } else {
        const target = { existing: c.id };
        startOps[s].push(add(`start:${c.name}`, { kind: 'start-container', service: s, name: c.name, target }, waits(), `${c.state}${why ? `; ${why}, kept (--no-recreate)` : ''}`));
        final[s].push({ name: c.name, target });
      }
    }

    let next = Math.max(0, ...existing.map(numberOf)) + 1;
    for (let made = Math.min(existing.length, scale); made < scale; made++, next++) {
      const name = service.container_name ?? containerName(project.name, s, next);
      const create = add(`create:${name}`, { kind: 'create-container', service: s, number: next, name, inheritVolumes: [], refersTo }, [...resources, ...refOps, ...depCreates], existing.length ? `scale ${existing.length} → ${scale}` : 'no container');
      createOps[s].push(create);
      const target = { created: create };
      if (!options.noStart) startOps[s].push(add(`start:${name}`, { kind: 'start-container', service: s, name, target }, [create, ...waits()], 'created'));
      final[s].push({ name, target });
    }

    // depends_on.restart: a dependency that was recreated or restarted takes its running dependents with it.
    for (const [d, c] of deps) {
      if (!c.restart || !(recreated.has(d) || (startOps[d]?.length ?? 0) > 0) || options.noStart) continue;
      for (const k of kept.filter((x) => x.kind === 'container' && x.service === s && x.running)) {
        startOps[s].push(add(`restart:${k.name}`, { kind: 'restart-container', service: s, name: k.name, id: k.id! }, [waitFor(d, c), ...(startOps[d] ?? [])], `depends on ${d} with restart: true, and ${d} is ${recreated.has(d) ? 'recreated' : 'restarted'}`));
      }
    }
  }

  const known = new Set(Object.keys(project.services).concat(Object.keys(project.meta.disabledServices)));
  const orphans = observed.containers.filter((c) => !known.has(c.labels[Labels.service])).sort((a, b) => (a.name < b.name ? -1 : 1));
  if (orphans.length && !options.removeOrphans) {
    warnings.push(`Found orphan containers ([${orphans.map((c) => c.name).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`);
  }
  if (options.removeOrphans) {
    for (const c of orphans) {
      const why = `orphan: service ${c.labels[Labels.service]} is not in the project (--remove-orphans)`;
      const stop = c.state === 'running' || c.state === 'restarting' || c.state === 'paused' ? add(`stop:${c.name}`, { kind: 'stop-container', service: c.labels[Labels.service], name: c.name, id: c.id }, [], why) : undefined;
      add(`remove:${c.name}`, { kind: 'remove-container', service: c.labels[Labels.service], name: c.name, id: c.id }, [stop], why);
    }
  }

  return { project: project.name, graph, services, pulls, ops: withHooks(project, ops, kept), kept, warnings, final, missingExternal };
}

/**
 * The hooks each start, stop and restart runs, for the plan text: post_start with every start and restart,
 * pre_stop with every stop of a running container and every restart, pre_start with the first start of a
 * service (in emission order) that keeps no container running (execute.ts runs them so).
 */
function withHooks(project: Project, ops: readonly PlanOp[], kept: readonly Kept[]): PlanOp[] {
  const count = (s: string, k: 'pre_start' | 'post_start' | 'pre_stop') => project.services[s]?.[k]?.length ?? 0;
  // only kinds with at least one hook are recorded
  const some = (hooks: HookCounts): HookCounts | undefined => (Object.values(hooks).some((n) => n) ? hooks : undefined);
  const preStartTaken = new Set<string>();
  return ops.map((p): PlanOp => {
    const op = p.op;
    if (op.kind === 'start-container') {
      const pre = !preStartTaken.has(op.service) && !kept.some((k) => k.kind === 'container' && k.service === op.service && k.running) ? count(op.service, 'pre_start') : 0;
      if (pre) preStartTaken.add(op.service);
      const hooks = some({ pre_start: pre, post_start: count(op.service, 'post_start') });
      return hooks ? { ...p, op: { ...op, hooks } } : p;
    }
    if (op.kind === 'stop-container') {
      const hooks = some({ pre_stop: count(op.service, 'pre_stop') });
      return hooks ? { ...p, op: { ...op, hooks } } : p;
    }
    if (op.kind === 'restart-container') {
      const hooks = some({ pre_stop: count(op.service, 'pre_stop'), post_start: count(op.service, 'post_start') });
      return hooks ? { ...p, op: { ...op, hooks } } : p;
    }
    return p;
  });
}
