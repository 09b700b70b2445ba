import type { ContainerSummary, Engine } from '../engine/types.js';
import { Labels, projectFilter } from '../model/labels.js';

export interface PsOptions {
  /** Also stopped containers. */
  readonly all?: boolean;
  readonly services?: readonly string[];
  readonly status?: readonly string[];
  /** Containers of services the project no longer declares too (default true, as compose's --orphans). */
  readonly orphans?: boolean;
}

export interface PsEntry {
  readonly container: ContainerSummary;
  readonly service: string;
  readonly number: number;
  readonly project: string;
  readonly health?: string;
  readonly exitCode?: number;
}

/** The project's service containers (one-off containers excluded), sorted by name like compose. */
export async function ps(engine: Engine, projectName: string, options: PsOptions = {}): Promise<PsEntry[]> {
  const containers = await engine.listContainers({ all: options.all || !!options.status?.length, labels: [projectFilter(projectName), `${Labels.oneoff}=False`] });
  return containers
    .filter((c) => !options.services?.length || options.services.includes(c.labels[Labels.service]))
    .filter((c) => !options.status?.length || options.status.includes(c.state))
    .map((c) => ({
      container: c,
      service: c.labels[Labels.service] ?? '',
      number: Number(c.labels[Labels.containerNumber] ?? 0),
      project: projectName,
      health: /\((healthy|unhealthy|health: starting)\)/.exec(c.status)?.[1]?.replace('health: ', ''),
      exitCode: c.state === 'exited' ? Number(/Exited \((\d+)\)/.exec(c.status)?.[1] ?? 0) : 0,
    }))
    .sort((a, b) => (a.container.name < b.container.name ? -1 : a.container.name > b.container.name ? 1 : 0));
}
