// Observe: what the engine holds for a project, in one list call per kind.
import type { ContainerSummary, Engine, ImageSummary, NetworkSummary, VolumeSummary } from '../engine/types.js';
import { Labels, projectFilter, serviceImage } from '../model/labels.js';
import type { Project } from '../model/types.js';
import { parsePullPolicy } from './pull-policy.js';

export interface ObservedState {
  /** Every container labelled with the project, one-off containers excluded. */
  readonly containers: readonly ContainerSummary[];
  /** Networks found by the names the project wants (labelled or not, external included). */
  readonly networks: Readonly<Record<string, NetworkSummary | undefined>>;
  readonly volumes: Readonly<Record<string, VolumeSummary | undefined>>;
  /** Image ref → what the engine has (undefined when missing). */
  readonly images: Readonly<Record<string, ImageSummary | undefined>>;
}

// pre_start hook containers (kept after a failure) carry the service label but are none of its containers
const withoutOneOffs = (all: readonly ContainerSummary[]) => all.filter((c) => c.labels[Labels.oneoff] !== 'True' && c.labels['com.docker.compose.hook'] === undefined);

/** Everything labelled with the project, one list call per kind; needs only its name, not its files. */
export interface ProjectLists {
  /** One-off containers included. */
  readonly containers: readonly ContainerSummary[];
  readonly networks: readonly NetworkSummary[];
  /** Empty unless asked for. */
  readonly volumes: readonly VolumeSummary[];
}

export async function listProject(engine: Engine, project: string, options: { readonly volumes: boolean }): Promise<ProjectLists> {
  const filter = { labels: [projectFilter(project)] };
  const [containers, networks, volumes] = await Promise.all([
    engine.listContainers({ ...filter, all: true }),
    engine.listNetworks(filter),
    options.volumes ? engine.listVolumes(filter) : Promise.resolve([]),
  ]);
  return { containers, networks, volumes };
}

/**
 * When the project's name is known before its files are loaded (-p, COMPOSE_PROJECT_NAME), the lists are
 * asked for first and answered while the files load. A failure is kept for whoever uses the lists, so that
 * an error in the files is still the one reported.
 */
export async function prefetchProject(engine: Engine, project: string, options: { readonly volumes: boolean }): Promise<Prefetched> {
  const lists = listProject(engine, project, options);
  lists.catch(() => {});
  // The load that follows is synchronous: one turn of the event loop first, in which the requests are
  // written to the engine's socket, or they would only leave once the files are loaded.
  await new Promise((resolve) => setImmediate(resolve));
  return { name: project, volumes: options.volumes, lists };
}

export interface Prefetched {
  readonly name: string;
  readonly volumes: boolean;
  readonly lists: Promise<ProjectLists>;
}

/** The prefetched lists when they answer this question (completed by a volume list if it lacks one), else fresh list calls. */
export function projectLists(engine: Engine, project: string, options: { readonly volumes: boolean }, prefetched?: Prefetched): Promise<ProjectLists> {
  if (!prefetched || prefetched.name !== project) return listProject(engine, project, options);
  if (prefetched.volumes || !options.volumes) return prefetched.lists;
  const volumes = engine.listVolumes({ labels: [projectFilter(project)] });
  return Promise.all([prefetched.lists, volumes]).then(([lists, v]) => ({ ...lists, volumes: v }));
}

export async function observe(engine: Engine, project: Project, services: Iterable<string>, prefetched?: Prefetched): Promise<ObservedState> {
  const wanted = [...services];
  const refs = [...new Set(wanted.map((s) => serviceImage(project, s)))];
  // the volume list answers only the project's declared volumes: a project without any does not ask for it
  const lists = projectLists(engine, project.name, { volumes: Object.keys(project.volumes).length > 0 }, prefetched);
  // an image judged by its age needs the engine's record of it: asked for at once, alongside the lists
  const byAge = new Set(wanted.filter((s) => judgedByAge(project.services[s]?.pull_policy)).map((s) => serviceImage(project, s)));
  const inspect = async (ref: string) => [ref, await engine.inspectImage(ref)] as const;
  const early = Promise.all([...byAge].map(inspect));
  early.catch(() => {});
  const containers = withoutOneOffs((await lists).containers);
  const listed = imagesFromContainers(containers);
  const images = [...(await early), ...(await Promise.all(refs.filter((r) => !byAge.has(r)).map((ref) => (listed.has(ref) ? ([ref, listed.get(ref)] as const) : inspect(ref)))))];
  const { networks, volumes } = await lists;
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

/** Whether a pull_policy judges the local image by when it was tagged (an invalid one is inspected too, and refused later by prepareImages). */
function judgedByAge(policy: string | undefined): boolean {
  try {
    return parsePullPolicy(policy).kind === 'refresh';
  } catch {
    return true;
  }
}

/**
 * The image each reference names, as the container list already tells it: the engine lists a container's
 * image by the reference it was created from only while that reference still names the image the container
 * runs, and by the image's id once the reference has moved or gone (moby's list, refreshImage; checked for
 * the fake and the real engine by the engine contract). So a container listed under `ref` says that `ref`
 * is its image id today, and a no-op `up` needs no image inspect. A reference no container is listed under
 * is inspected as before.
 */
function imagesFromContainers(containers: readonly ContainerSummary[]): Map<string, ImageSummary> {
  const found = new Map<string, ImageSummary>();
  for (const c of containers) {
    if (c.imageId && c.image && c.image !== c.imageId && !found.has(c.image)) found.set(c.image, { id: c.imageId, repoTags: [c.image] });
  }
  return found;
}
