// What a container's request is built from, and the names of other services' containers it refers to.
import { containerName as defaultContainerName } from '../../model/labels.js';
import type { Project, ServiceConfig } from '../../model/types.js';

export interface ContainerSpecInput {
  readonly project: Project;
  readonly serviceName: string;
  readonly number: number;
  readonly name: string;
  /** Image id the container is created from (stored in com.docker.compose.image). */
  readonly imageId?: string;
  /**
   * Anonymous volumes of the container being replaced, mounted again at the same targets so a recreate
   * keeps their data (empty with -V / --renew-anon-volumes).
   */
  readonly inheritVolumes?: readonly { readonly name: string; readonly target: string }[];
  /**
   * The id of a container of another service, for `network_mode`/`ipc`/`pid: service:x` and `volumes_from`.
   * The planner orders the create after that container exists.
   */
  readonly serviceContainer?: (service: string) => string | undefined;
}

export function serviceScale(service: ServiceConfig | undefined): number {
  return service?.scale ?? service?.deploy?.replicas ?? 1;
}

export function containerNameOf(project: Project, service: string, n: number): string {
  return project.services[service]?.container_name ?? defaultContainerName(project.name, service, n);
}

/**
 * `service:x` → `container:<id of x's first container>`; compose resolves it the same way at create time.
 * Without an id (a dry run, a unit test) the first container's name stands in: the engine resolves names too.
 */
export function resolveServiceRef(input: ContainerSpecInput, mode: string | undefined): string | undefined {
  if (!mode?.startsWith('service:')) return mode;
  const other = mode.slice('service:'.length);
  return `container:${input.serviceContainer?.(other) ?? containerNameOf(input.project, other, 1)}`;
}
