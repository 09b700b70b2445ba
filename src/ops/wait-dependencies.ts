// Waiting for a service's dependencies to meet their depends_on conditions before it starts: `run` (its
// dependencies), `start` and `restart` (each service in dependency order), as compose's waitDependencies.
// `up` has its own waits in the plan's execution (ops/execute.ts), which also serve --wait.
import type { ContainerSummary, Engine } from '../engine/types.js';
import { ErrorCodes, OperationError } from '../model/errors.js';
import type { EventSink } from '../model/events.js';
import { Labels, projectFilter } from '../model/labels.js';
import type { DependsOn, Project } from '../model/types.js';
import { conditions, ContainerWatcher } from './watch.js';

export interface WaitDependenciesOptions {
  readonly signal?: AbortSignal;
  /** Which of the service's dependencies count (restart: only those declared with `restart: true`). */
  readonly only?: (dependency: string, d: DependsOn) => boolean;
  /** The project's containers, when the caller has listed them already (else they are listed here). */
  readonly containers?: readonly ContainerSummary[];
}

/**
 * Wait until the containers of each dependency meet the condition (service_healthy: healthy;
 * service_completed_successfully: exited 0; service_started: nothing to wait for). A failed wait of a
 * required dependency fails, naming it; of an optional one (`required: false`) it is a warning.
 */
export async function waitDependencies(engine: Engine, project: Project, serviceName: string, emit: EventSink, options: WaitDependenciesOptions = {}): Promise<void> {
  const deps = Object.entries(project.services[serviceName]?.depends_on ?? {}).filter(([dep, d]) => d.condition !== 'service_started' && (options.only?.(dep, d) ?? true));
  if (!deps.length) return;
  const watcher = new ContainerWatcher(engine, project.name);
  try {
    const containers = options.containers ?? (await engine.listContainers({ all: true, labels: [projectFilter(project.name), `${Labels.oneoff}=False`] }));
    await Promise.all(
      deps.flatMap(([dep, d]) =>
        containers
          .filter((c) => c.labels[Labels.service] === dep && c.labels[Labels.oneoff] !== 'True')
          .map(async (c) => {
            emit({ type: 'resource', kind: 'container', name: c.name, status: 'working', text: 'Waiting', service: dep });
            try {
              await watcher.waitFor(c.id, d.condition === 'service_healthy' ? conditions.healthy() : conditions.completedSuccessfully(), options.signal);
            } catch (err) {
              emit({ type: 'resource', kind: 'container', name: c.name, status: d.required ? 'error' : 'warning', text: 'Error', service: dep });
              if (!d.required) return;
              throw new OperationError(ErrorCodes.DEPENDENCY_FAILED, `dependency failed to start: container ${c.name} ${err instanceof Error ? err.message : String(err)}`, { service: dep });
            }
            emit({ type: 'resource', kind: 'container', name: c.name, status: 'done', text: d.condition === 'service_healthy' ? 'Healthy' : 'Exited', service: dep });
          }),
      ),
    );
  } finally {
    await watcher.close();
  }
}
