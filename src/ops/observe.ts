// Observe: what the engine holds for a project, in one list call per kind.
import type { ContainerSummary, Engine, ImageSummary, NetworkSummary, VolumeSummary } from '../engine/types.js';
import { Labels, projectFilter } from '../model/labels.js';
import type { Project } from '../model/types.js';
import { serviceImage } from './convert.js';

export interface ObservedState {
  /** Every container labelled with the project, one-off containers excluded. */
  readonly containers: readonly ContainerSummary[];
  /** Networks found by the names the project wants (labelled or not, external included). */
  readonly networks: Readonly<Record<string, NetworkSummary | undefined>>;
  readonly volumes: Readonly<Record<string, VolumeSummary | undefined>>;
  /** Image ref → what the engine has (undefined when missing). */
  readonly images: Readonly<Record<string, ImageSummary | undefined>>;
}

export async function observeContainers(engine: Engine, project: string): Promise<ContainerSummary[]> {
  const all = await engine.listContainers({ all: true, labels: [projectFilter(project)] });
  return all.filter((c) => c.labels[Labels.oneoff] !== 'True');
}

export async function observe(engine: Engine, project: Project, services: Iterable<string>): Promise<ObservedState> {
  const filter = { labels: [projectFilter(project.name)] };
  const refs = [...new Set([...services].map((s) => serviceImage(project, s)))];
  const [containers, networks, volumes, images] = await Promise.all([
    observeContainers(engine, project.name),
    engine.listNetworks(filter),
    engine.listVolumes(filter),
    Promise.all(refs.map(async (ref) => [ref, await engine.inspectImage(ref)] as const)),
  ]);
  const byNetName = new Map(networks.map((n) => [n.name, n]));
  const byVolName = new Map(volumes.map((v) => [v.name, v]));
  // A network or volume the project declares but that is not labelled as ours (external, or made by hand)
  // is looked up by name; the common case (all labelled) costs no extra call.
  const netEntries = await Promise.all(
    Object.values(project.networks).map(async (n) => [n.name, byNetName.get(n.name) ?? (await engine.inspectNetwork(n.name))] as const),
  );
  const volEntries = await Promise.all(
    Object.values(project.volumes).map(async (v) => [v.name, byVolName.get(v.name) ?? (await engine.inspectVolume(v.name))] as const),
  );
  return {
    containers,
    networks: Object.fromEntries(netEntries),
    volumes: Object.fromEntries(volEntries),
    images: Object.fromEntries(images),
  };
}
