// Execute a plan: every op is one engine call (or one wait), run as soon as the ops it depends on are done,
// at most `parallel` at once (without it, container starts alone are bounded: slots.ts). The first failure
// stops new work; ops already running finish; the error names the service.
import type { Engine } from '../engine/types.js';
import { buildGraph, walk } from '../graph/index.js';
import { EngineError, ErrorCodes, OperationError } from '../model/errors.js';
import type { EventSink, ProgressStatus, ResourceKind } from '../model/events.js';
import type { Project } from '../model/types.js';
import { serviceImage } from '../model/labels.js';
import { createRequest, endpointSettings, fileArchive, networkCreateRequest, networkName, postCreateCopies, serviceNetworks, volumeCreateRequest } from './convert.js';
import type { ContainerTarget, Plan, PlanOp } from './plan.js';
import { runHooks } from './hooks.js';
import { preStartHooks, runPreStart } from './pre-start.js';
import { engineSlots } from './slots.js';
import { conditions, ContainerWatcher } from './watch.js';

export interface ContainerRef {
  readonly id: string;
  readonly name: string;
}

export interface ExecuteOptions {
  readonly parallel?: number;
  /** Stop timeout in seconds for containers being replaced or removed. */
  readonly timeout?: number;
  readonly signal?: AbortSignal;
  readonly onEvent: EventSink;
  /** Image ref → id, recorded in com.docker.compose.image. */
  readonly imageIds: Readonly<Record<string, string | undefined>>;
  readonly beforeStart?: (container: ContainerRef & { readonly service: string; readonly running: boolean }) => Promise<void>;
  /**
   * Called once the convergence is done (every network, volume and container created, recreated or kept),
   * while starts and the waits on dependencies may still be under way; with every container the run ends with.
   * Attached `up` starts showing the containers' output here, as compose does.
   */
  readonly onConverged?: (containers: readonly { readonly service: string; readonly name: string }[]) => void | Promise<void>;
}

/** The ops of a plan that start containers or wait on them; every other op is part of the convergence. */
const START_PHASE: ReadonlySet<PlanOp['op']['kind']> = new Set(['start-container', 'restart-container', 'wait']);

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Name the service in every engine failure, keeping the engine's code (port in use, name conflict, ...). */
async function wrap<T>(service: string, container: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof EngineError && err.service === undefined) {
      throw new EngineError(err.code, `service "${service}" (container ${container}): ${err.message}`, { statusCode: err.statusCode, cause: err, service });
    }
    throw err;
  }
}

export async function executePlan(engine: Engine, project: Project, plan: Plan, watcher: ContainerWatcher, options: ExecuteOptions): Promise<Record<string, ContainerRef[]>> {
  const created = new Map<string, string>();
  const resolve = (t: ContainerTarget): string => {
    if ('existing' in t) return t.existing;
    const id = created.get(t.created);
    if (!id) throw new Error(`internal: container of ${t.created} not created yet`);
    return id;
  };
  const ev = (kind: ResourceKind, name: string, status: ProgressStatus, text: string, service?: string, detail?: string) =>
    options.onEvent({ type: 'resource', kind, name, status, text, service, detail });
  const serviceContainer = (s: string): string | undefined => {
    const first = plan.final[s]?.[0];
    if (first) return 'existing' in first.target ? first.target.existing : created.get(first.target.created);
    return plan.kept.find((k) => k.service === s)?.id;
  };

  // pre_start runs once per service, before its first container starts, and only when none of its containers
  // stays running through this plan (compose: no replica running); every start of the service waits for it
  const preStart = new Map<string, Promise<void>>();
  const runsPreStart = (s: string) => preStartHooks(project, s).length > 0 && !plan.kept.some((k) => k.kind === 'container' && k.service === s && k.running);

  // starts are bounded by the engine's CPUs unless --parallel bounds everything (slots.ts)
  const slots = engineSlots(engine, plan.ops.filter((p) => p.op.kind === 'start-container').length, options.parallel);
  // Set by the first failed op. A start still queued for a slot then is new work and does not begin (nor
  // after an abort: Ctrl-C); the walk reports only the first failure, so the refusal below is never seen.
  let failed = false;

  for (const k of plan.kept) {
    if (k.kind !== 'container') continue;
    ev('container', k.name, 'done', k.running ? 'Running' : 'Created', k.service);
    if (k.running) await options.beforeStart?.({ id: k.id!, name: k.name, service: k.service!, running: true });
  }

  const run = async (p: PlanOp): Promise<void> => {
    const op = p.op;
    switch (op.kind) {
      case 'create-network':
        ev('network', op.name, 'working', 'Creating');
        await engine.createNetwork(networkCreateRequest(project, op.key));
        ev('network', op.name, 'done', 'Created');
        return;
      case 'create-volume':
        ev('volume', op.name, 'working', 'Creating');
        await engine.createVolume(volumeCreateRequest(project, op.key));
        ev('volume', op.name, 'done', 'Created');
        return;
      case 'create-container': {
        ev('container', op.name, 'working', op.replaces ? 'Recreate' : 'Creating', op.service, op.replaces ? p.reason : undefined);
        const imageId = options.imageIds[serviceImage(project, op.service)];
        const req = createRequest({ project, serviceName: op.service, number: op.number, name: op.name, imageId, inheritVolumes: op.inheritVolumes, serviceContainer });
        const createName = op.tempName ?? op.name;
        const { id } = await wrap(op.service, op.name, () => engine.createContainer({ ...req, name: createName }));
        created.set(p.id, id);
        // API 1.41 attaches one network at create time; the others are connected before the first start.
        const service = project.services[op.service];
        if (!service.network_mode) {
          for (const key of serviceNetworks(service).slice(1)) {
            await wrap(op.service, op.name, () => engine.connectNetwork(networkName(project, key), id, endpointSettings(project, op.service, key, op.name)));
          }
        }
        if (!op.replaces) ev('container', op.name, 'done', 'Created', op.service);
        return;
      }
      case 'stop-container': {
        const quiet = p.reason === 'replaced';
        if (!quiet) ev('container', op.name, 'working', 'Stopping', op.service);
        // pre_stop before the stop request, also when the container is being replaced (hooks.ts says why)
        await runHooks(engine, op.id, op.service, project.services[op.service], 'pre_stop');
        await wrap(op.service, op.name, () => engine.stopContainer(op.id, options.timeout));
        if (!quiet) ev('container', op.name, 'done', 'Stopped', op.service);
        return;
      }
      case 'remove-container': {
        const quiet = p.reason === 'replaced';
        if (!quiet) ev('container', op.name, 'working', 'Removing', op.service);
        // anonymous volumes stay: a replaced container hands them on, and data is never dropped implicitly
        await wrap(op.service, op.name, () => engine.removeContainer(op.id, { force: true }));
        if (!quiet) ev('container', op.name, 'done', 'Removed', op.service);
        return;
      }
      case 'rename-container':
        await wrap(op.service, op.name, () => engine.renameContainer(resolve(op.target), op.name));
        ev('container', op.name, 'done', 'Recreated', op.service);
        return;
      case 'start-container': {
        const id = resolve(op.target);
        // environment/content secrets and configs are written into the container before each start, as compose does
        for (const copy of postCreateCopies(project, op.service)) {
          await wrap(op.service, op.name, () => engine.putArchive(id, '/', fileArchive(copy), { copyUIDGID: copy.copyUIDGID }));
        }
        await options.beforeStart?.({ id, name: op.name, service: op.service, running: false });
        if (runsPreStart(op.service)) {
          if (!preStart.has(op.service)) preStart.set(op.service, runPreStart(engine, project, op.service, id));
          try {
            await preStart.get(op.service);
          } catch (err) {
            ev('container', op.name, 'error', 'Error', op.service, errText(err));
            throw err;
          }
        }
        await slots(() => {
          if (failed || options.signal?.aborted) return Promise.reject(new Error(`start of ${op.name} not begun: an earlier operation failed or up was aborted`));
          ev('container', op.name, 'working', 'Starting', op.service);
          return wrap(op.service, op.name, () => engine.startContainer(id));
        });
        // post_start before the container counts as Started: its dependents wait for the hooks too, as in compose
        try {
          await runHooks(engine, id, op.service, project.services[op.service], 'post_start');
        } catch (err) {
          ev('container', op.name, 'error', 'Error', op.service, errText(err));
          throw err;
        }
        ev('container', op.name, 'done', 'Started', op.service);
        return;
      }
      case 'restart-container':
        ev('container', op.name, 'working', 'Restarting', op.service, p.reason);
        await runHooks(engine, op.id, op.service, project.services[op.service], 'pre_stop');
        await wrap(op.service, op.name, () => engine.stopContainer(op.id, options.timeout));
        await wrap(op.service, op.name, () => engine.startContainer(op.id));
        await runHooks(engine, op.id, op.service, project.services[op.service], 'post_start');
        ev('container', op.name, 'done', 'Restarted', op.service);
        return;
      case 'engine':
        // recorded by a dry run, to be printed: running one would replay a write the dry run never sent
        throw new Error(`a recorded operation cannot be executed: ${op.text}`);
      case 'wait': {
        const check =
          op.condition === 'service_healthy' ? conditions.healthy() : op.condition === 'service_completed_successfully' ? conditions.completedSuccessfully() : conditions.started();
        await Promise.all(
          op.containers.map(async (c) => {
            const id = resolve(c.target);
            ev('container', c.name, 'working', 'Waiting', op.service);
            try {
              await watcher.waitFor(id, check, options.signal);
            } catch (err) {
              ev('container', c.name, op.required ? 'error' : 'warning', 'Error', op.service, errText(err));
              if (!op.required) return;
              const tail = await lastLines(engine, id);
              throw new OperationError(ErrorCodes.DEPENDENCY_FAILED, `dependency failed to start: container ${c.name} ${errText(err)} (service "${op.service}")${tail}`, { service: op.service });
            }
            ev('container', c.name, 'done', op.condition === 'service_healthy' ? 'Healthy' : 'Exited', op.service);
          }),
        );
        return;
      }
    }
  };

  let converging = plan.ops.filter((p) => !START_PHASE.has(p.op.kind)).length;
  const converged = async () => {
    await options.onConverged?.(Object.entries(plan.final).flatMap(([service, list]) => list.map((c) => ({ service, name: c.name }))));
  };
  if (converging === 0) await converged();

  const byId = new Map(plan.ops.map((o) => [o.id, o]));
  const graph = buildGraph(Object.fromEntries(plan.ops.map((o) => [o.id, [...o.after]])));
  await walk(graph, {
    direction: 'up',
    concurrency: options.parallel,
    signal: options.signal,
    visit: async (id) => {
      const p = byId.get(id)!;
      await run(p).catch((err: unknown) => {
        failed = true;
        throw err;
      });
      if (!START_PHASE.has(p.op.kind) && --converging === 0) await converged();
    },
  });

  const out: Record<string, ContainerRef[]> = {};
  for (const [s, list] of Object.entries(plan.final)) out[s] = list.map((c) => ({ id: resolve(c.target), name: c.name }));
  return out;
}

async function lastLines(engine: Engine, id: string): Promise<string> {
  try {
    const text = (await engine.containerLogs(id, { tail: 5 })).trimEnd();
    return text ? `\n  last log lines:\n    ${text.split('\n').join('\n    ')}` : '';
  } catch {
    return '';
  }
}

/** `up --wait`: every container of the run running, or healthy when it has a healthcheck. */
export async function waitRunning(project: Project | undefined, containers: Record<string, ContainerRef[]>, watcher: ContainerWatcher, timeoutSeconds: number | undefined, onEvent: EventSink): Promise<void> {
  const controller = new AbortController();
  const timer = timeoutSeconds
    ? setTimeout(() => controller.abort(new OperationError(ErrorCodes.TIMEOUT, `timed out after ${timeoutSeconds}s waiting for services to be running or healthy`)), timeoutSeconds * 1000)
    : undefined;
  try {
    await Promise.all(
      Object.entries(containers).flatMap(([s, list]) =>
        list.map(async ({ id, name }) => {
          onEvent({ type: 'resource', kind: 'container', name, status: 'working', text: 'Waiting', service: s });
          // a one-shot (restart "no") that exited 0 is done, not failed (docker/compose#10596)
          // (start by project name alone has no file: its containers are judged as one-shots would be)
          const oneShotOk = (project?.services[s]?.restart ?? 'no') === 'no';
          try {
            await watcher.waitFor(id, conditions.runningOrHealthy({ oneShotOk }), controller.signal);
          } catch (err) {
            onEvent({ type: 'resource', kind: 'container', name, status: 'error', text: 'Error', service: s, detail: errText(err) });
            if (err instanceof OperationError) throw new OperationError(err.code, `service "${s}": ${err.message} (container ${name})`, { service: s });
            throw new OperationError(ErrorCodes.UNHEALTHY, `service "${s}": container ${name} ${errText(err)}`, { service: s });
          }
          onEvent({ type: 'resource', kind: 'container', name, status: 'done', text: 'Healthy', service: s });
        }),
      ),
    );
  } finally {
    if (timer) clearTimeout(timer);
  }
}
