// export, commit and volumes: commands of newer compose (2.31+/2.33+) that need no new engine feature. Shaped
// after docker/compose main: the service's container is the one of the given --index (the lowest number
// otherwise, one-off containers after service ones), running ones only.
import type { CommitOptions, ContainerSummary, Engine, VolumeSummary } from '../engine/types.js';
import { OperationError, ErrorCodes } from '../model/errors.js';
import { noopSink, type EventSink } from '../model/events.js';
import { Labels, projectFilter } from '../model/labels.js';

/** The running container of a service that export and commit act on (compose's getSpecifiedContainer). */
export async function specifiedContainer(engine: Engine, project: string, service: string, index?: number): Promise<ContainerSummary> {
  const labels = [projectFilter(project), `${Labels.service}=${service}`, ...(index ? [`${Labels.containerNumber}=${index}`] : [])];
  const list = (await engine.listContainers({ all: false, labels })).filter((c) => c.labels[Labels.service] === service);
  if (!list.length) {
    throw new OperationError(ErrorCodes.NO_CONTAINERS, index ? `service "${service}" is not running container #${index}` : `service "${service}" is not running`, { service });
  }
  const oneoff = (c: ContainerSummary) => (c.labels[Labels.oneoff] === 'True' ? 1 : 0);
  const num = (c: ContainerSummary) => Number(c.labels[Labels.containerNumber] ?? 0);
  return [...list].sort((a, b) => oneoff(a) - oneoff(b) || num(a) - num(b) || (a.name < b.name ? -1 : 1))[0];
}

export interface ExportOptions {
  readonly service: string;
  readonly index?: number;
  readonly onEvent?: EventSink;
  /** Find the container and report, export nothing (the tar stream is empty). */
  readonly dryRun?: boolean;
}

/** The filesystem of the service's container as a tar stream. */
export async function exportService(engine: Engine, project: string, o: ExportOptions): Promise<{ container: string; tar: AsyncIterable<Buffer> }> {
  const c = await specifiedContainer(engine, project, o.service, o.index);
  (o.onEvent ?? noopSink)({ type: 'resource', kind: 'container', name: c.name, status: 'working', text: 'Exporting', service: o.service });
  if (o.dryRun) return { container: c.name, tar: (async function* () {})() };
  return { container: c.name, tar: await engine.exportContainer(c.id) };
}

export interface CommitServiceOptions extends CommitOptions {
  readonly service: string;
  readonly index?: number;
  readonly onEvent?: EventSink;
  /** Make no image: the API gives the command a dry-run engine, whose commit is recorded (the id is made up). */
  readonly dryRun?: boolean;
}

/** A new image from the service's container; its id. */
export async function commitService(engine: Engine, project: string, o: CommitServiceOptions): Promise<string> {
  const emit = o.onEvent ?? noopSink;
  const c = await specifiedContainer(engine, project, o.service, o.index);
  emit({ type: 'resource', kind: 'container', name: c.name, status: 'working', text: 'Committing', service: o.service });
  const { id } = await engine.commitContainer(c.id, o);
  emit({ type: 'resource', kind: 'container', name: c.name, status: 'done', text: `Committed as ${id}`, service: o.service });
  return id;
}

/**
 * The project's volumes (labelled with it); with services, only those their containers mount. Sorted by
 * name (compose prints them in the engine's order, which is no fixed order).
 */
export async function projectVolumes(engine: Engine, project: string, services: readonly string[] = []): Promise<VolumeSummary[]> {
  const volumes = (await engine.listVolumes({ labels: [projectFilter(project)] })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (!services.length) return volumes;
  const containers = await engine.listContainers({ all: false, labels: [projectFilter(project)] });
  const mounted = new Set(containers.filter((c) => services.includes(c.labels[Labels.service] ?? '')).flatMap((c) => c.mounts.map((m) => m.name).filter(Boolean)));
  return volumes.filter((v) => mounted.has(v.name));
}
