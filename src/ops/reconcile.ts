// Reconcile: a pure function from the project, the observed engine state and the options to a plan.
// The plan says what will happen to each object and why; it prints deterministically so tests compare text.
import type { ContainerSummary } from '../engine/types.js';
import { buildGraph, withDependencies, type ServiceGraph } from '../graph/index.js';
import { serviceConfigHash } from '../model/hash.js';
import { containerName, Labels } from '../model/labels.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { serviceImage } from './convert.js';
import type { ObservedState } from './observe.js';

export type ContainerAction =
  | { readonly action: 'create'; readonly service: string; readonly number: number; readonly name: string; readonly reason: string }
  | { readonly action: 'recreate'; readonly service: string; readonly number: number; readonly name: string; readonly container: ContainerSummary; readonly reason: string }
  | { readonly action: 'start'; readonly service: string; readonly number: number; readonly name: string; readonly container: ContainerSummary; readonly reason: string }
  | { readonly action: 'keep'; readonly service: string; readonly number: number; readonly name: string; readonly container: ContainerSummary; readonly reason: string }
  | { readonly action: 'remove'; readonly service: string; readonly number: number; readonly name: string; readonly container: ContainerSummary; readonly reason: string };

export interface ResourceAction {
  readonly action: 'create' | 'keep' | 'missing-external';
  readonly key: string;
  readonly name: string;
  readonly reason: string;
}

export interface Plan {
  readonly project: string;
  readonly graph: ServiceGraph;
  /** Services acted upon: those asked for plus their dependencies. */
  readonly services: readonly string[];
  readonly pulls: readonly { readonly service: string; readonly image: string }[];
  readonly networks: readonly ResourceAction[];
  readonly volumes: readonly ResourceAction[];
  readonly containers: Readonly<Record<string, readonly ContainerAction[]>>;
  readonly orphans: readonly { readonly container: ContainerSummary; readonly action: 'remove' | 'warn' }[];
}

export interface ReconcileOptions {
  /** Services named on the command line; empty means all. */
  readonly services?: readonly string[];
  readonly forceRecreate?: boolean;
  readonly noRecreate?: boolean;
  readonly removeOrphans?: boolean;
  readonly noDeps?: boolean;
}

export function dependencyEdges(services: Project['services']): Record<string, string[]> {
  return Object.fromEntries(Object.entries(services).map(([name, s]) => [name, Object.keys(s.depends_on ?? {})]));
}

export function serviceScale(service: ServiceConfig): number {
  const replicas = (service.deploy as { replicas?: number } | undefined)?.replicas;
  return service.scale ?? replicas ?? 1;
}

const number = (c: ContainerSummary): number => Number(c.labels[Labels.containerNumber] ?? 0);

function containerNameFor(project: Project, service: string, n: number): string {
  return project.services[service].container_name ?? containerName(project.name, service, n);
}

/** The services a run acts on: those named (all when none) plus, unless noDeps, their dependencies. */
export function selectServices(project: Project, options: Pick<ReconcileOptions, 'services' | 'noDeps'>): string[] {
  const graph = buildGraph(dependencyEdges(project.services));
  const asked = options.services?.length ? options.services : graph.nodes;
  const selected = options.noDeps ? new Set(asked) : withDependencies(graph, asked);
  return graph.nodes.filter((n) => selected.has(n));
}

export function reconcile(project: Project, observed: ObservedState, options: ReconcileOptions = {}): Plan {
  const graph = buildGraph(dependencyEdges(project.services));
  const services = selectServices(project, options);

  const pulls = services
    .filter((s) => observed.images[serviceImage(project, s)] === undefined)
    .map((s) => ({ service: s, image: serviceImage(project, s) }))
    .filter((p, i, all) => all.findIndex((q) => q.image === p.image) === i);

  const networks: ResourceAction[] = [];
  const usedNetworks = new Set(services.flatMap((s) => Object.keys(project.services[s].networks ?? {})));
  for (const key of Object.keys(project.networks).sort()) {
    if (!usedNetworks.has(key)) continue;
    const net = project.networks[key];
    const found = observed.networks[net.name];
    if (found) networks.push({ action: 'keep', key, name: net.name, reason: 'exists' });
    else if (net.external) networks.push({ action: 'missing-external', key, name: net.name, reason: 'external network not found' });
    else networks.push({ action: 'create', key, name: net.name, reason: 'missing' });
  }
  const volumes: ResourceAction[] = [];
  const usedVolumes = new Set(
    services.flatMap((s) => (project.services[s].volumes ?? []).filter((v) => v.type === 'volume' && v.source).map((v) => v.source!)),
  );
  for (const key of Object.keys(project.volumes).sort()) {
    if (!usedVolumes.has(key)) continue;
    const vol = project.volumes[key];
    const found = observed.volumes[vol.name];
    if (found) volumes.push({ action: 'keep', key, name: vol.name, reason: 'exists' });
    else if (vol.external) volumes.push({ action: 'missing-external', key, name: vol.name, reason: 'external volume not found' });
    else volumes.push({ action: 'create', key, name: vol.name, reason: 'missing' });
  }
  const createdResources = new Set([...networks, ...volumes].filter((r) => r.action === 'create').map((r) => r.key));

  const containers: Record<string, ContainerAction[]> = {};
  for (const s of services) {
    const service = project.services[s];
    const hash = serviceConfigHash(service);
    const imageId = observed.images[serviceImage(project, s)]?.id;
    const existing = observed.containers.filter((c) => c.labels[Labels.service] === s).sort((a, b) => number(a) - number(b));
    const scale = serviceScale(service);
    const actions: ContainerAction[] = [];
    const missingDeps = [
      ...Object.keys(service.networks ?? {}).filter((k) => createdResources.has(k)).map((k) => `network ${project.networks[k]?.name ?? k} is missing`),
      ...(service.volumes ?? []).filter((v) => v.type === 'volume' && v.source && createdResources.has(v.source)).map((v) => `volume ${project.volumes[v.source!]?.name} is missing`),
    ];
    existing.forEach((c, i) => {
      const n = number(c) || i + 1;
      if (i >= scale) {
        actions.push({ action: 'remove', service: s, number: n, name: c.name, container: c, reason: `scale ${existing.length} → ${scale}` });
        return;
      }
      const base = { service: s, number: n, name: c.name, container: c };
      let why: string | undefined;
      if (options.forceRecreate) why = 'forced (--force-recreate)';
      else if (c.labels[Labels.configHash] !== hash) why = 'config changed';
      else if (imageId && c.imageId && c.imageId !== imageId) why = 'image changed';
      else if (missingDeps.length) why = missingDeps[0];
      if (why && !options.noRecreate) actions.push({ action: 'recreate', ...base, reason: why });
      else if (c.state === 'running' || c.state === 'restarting') actions.push({ action: 'keep', ...base, reason: why ? `${why}, kept (--no-recreate)` : 'up to date' });
      else actions.push({ action: 'start', ...base, reason: `${c.state}${why ? `; ${why}, kept (--no-recreate)` : ''}` });
    });
    const taken = new Set(existing.slice(0, scale).map(number));
    for (let n = 1, made = Math.min(existing.length, scale); made < scale; n++) {
      if (taken.has(n)) continue;
      actions.push({ action: 'create', service: s, number: n, name: containerNameFor(project, s, n), reason: existing.length ? `scale ${existing.length} → ${scale}` : 'no container' });
      made++;
    }
    containers[s] = actions;
  }

  const known = new Set(Object.keys(project.services).concat(Object.keys(project.meta.disabledServices)));
  const orphans = observed.containers
    .filter((c) => !known.has(c.labels[Labels.service]))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((container) => ({ container, action: options.removeOrphans ? ('remove' as const) : ('warn' as const) }));

  return { project: project.name, graph, services, pulls, networks, volumes, containers, orphans };
}

/** One line per operation with its cause; stable order (resources by name, services in graph order). */
export function planText(plan: Plan): string {
  const lines: string[] = [];
  for (const p of plan.pulls) lines.push(`pull image ${p.image} (service ${p.service}: image missing)`);
  for (const n of plan.networks) lines.push(`${n.action === 'create' ? 'create' : n.action === 'keep' ? 'keep' : 'error'} network ${n.name} (${n.reason})`);
  for (const v of plan.volumes) lines.push(`${v.action === 'create' ? 'create' : v.action === 'keep' ? 'keep' : 'error'} volume ${v.name} (${v.reason})`);
  const order = topoOrder(plan);
  for (const s of order) for (const a of plan.containers[s] ?? []) lines.push(`${a.action} container ${a.name} (${a.reason})`);
  for (const o of plan.orphans) lines.push(`${o.action === 'remove' ? 'remove' : 'warn'} orphan container ${o.container.name} (service ${o.container.labels[Labels.service]} not in project)`);
  return lines.join('\n') + (lines.length ? '\n' : '');
}

/** Services in dependency order, ties broken by name. */
export function topoOrder(plan: Pick<Plan, 'graph' | 'services'>): string[] {
  const inSet = new Set(plan.services);
  const done = new Set<string>();
  const out: string[] = [];
  while (out.length < plan.services.length) {
    const next = plan.services.filter((s) => !done.has(s) && [...(plan.graph.dependencies.get(s) ?? [])].every((d) => done.has(d) || !inSet.has(d)));
    if (!next.length) break;
    for (const s of next) {
      done.add(s);
      out.push(s);
    }
  }
  return out;
}

/** True when executing the plan would change nothing. */
export function planIsNoop(plan: Plan): boolean {
  return (
    plan.pulls.length === 0 &&
    plan.networks.every((n) => n.action === 'keep') &&
    plan.volumes.every((v) => v.action === 'keep') &&
    Object.values(plan.containers).every((as) => as.every((a) => a.action === 'keep')) &&
    plan.orphans.every((o) => o.action === 'warn')
  );
}
