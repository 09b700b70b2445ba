// The lifecycle commands on existing containers: start, stop, restart, kill, rm, pause, unpause, wait.
// Order follows the dependency graph (from the project, or from the depends_on labels without a file):
// start/restart/unpause dependencies first, stop/kill/pause dependents first.
import type { ContainerSummary, Engine } from '../engine/types.js';
import { buildGraph, dependencyEdges, walk } from '../graph/index.js';
import { ErrorCodes, OperationError } from '../model/errors.js';
import { noopSink, type EventSink } from '../model/events.js';
import { Labels, projectFilter } from '../model/labels.js';
import type { DependsOn, Project } from '../model/types.js';
import { parseDuration } from '../model/units.js';
import { runHooks } from './hooks.js';
import { preStartHooks, runPreStart } from './pre-start.js';
import { waitDependencies } from './wait-dependencies.js';
import { ContainerWatcher } from './watch.js';

export interface LifecycleOptions {
  readonly services?: readonly string[];
  /** Seconds before the engine kills (stop, restart). */
  readonly timeout?: number;
  readonly onEvent?: EventSink;
  readonly parallel?: number;
  /** Change nothing; report each operation that would run to onPlan instead. */
  readonly dryRun?: boolean;
  /** Dry run: one line per operation, as `down --dry-run` prints them ("stop container p-web-1 (stop)"). */
  readonly onPlan?: (line: string) => void;
}

export interface Target {
  readonly engine: Engine;
  readonly name: string;
  readonly project?: Project;
}

const isUp = (c: ContainerSummary) => c.state === 'running' || c.state === 'restarting' || c.state === 'paused';

async function containersOf(t: Target, services: readonly string[] | undefined, oneoff = false): Promise<ContainerSummary[]> {
  const list = await t.engine.listContainers({ all: true, labels: [projectFilter(t.name), ...(oneoff ? [] : [`${Labels.oneoff}=False`])] });
  return list.filter((c) => !services?.length || services.includes(c.labels[Labels.service]));
}

/** Visit the services' containers in dependency order (up: dependencies first); `before` runs once per service, first. */
async function inOrder(
  t: Target,
  containers: readonly ContainerSummary[],
  direction: 'up' | 'down',
  parallel: number | undefined,
  fn: (c: ContainerSummary, service: string) => Promise<void>,
  before?: (service: string) => Promise<void>,
): Promise<void> {
  const by = new Map<string, ContainerSummary[]>();
  for (const c of containers) by.set(c.labels[Labels.service] ?? '', [...(by.get(c.labels[Labels.service] ?? '') ?? []), c]);
  const edges: Record<string, string[]> = {};
  for (const c of containers) {
    const s = c.labels[Labels.service] ?? '';
    const deps = (c.labels[Labels.dependsOn] ?? '').split(',').filter(Boolean).map((d) => d.split(':')[0]);
    edges[s] = [...new Set([...(edges[s] ?? []), ...deps])];
  }
  if (t.project) Object.assign(edges, dependencyEdges(t.project.services));
  for (const s of by.keys()) edges[s] ??= [];
  for (const deps of Object.values(edges)) for (const d of deps) edges[d] ??= [];
  await walk(buildGraph(edges), {
    direction,
    concurrency: parallel,
    only: new Set(by.keys()),
    visit: async (s) => {
      await before?.(s);
      await Promise.all((by.get(s) ?? []).map((c) => fn(c, s)));
    },
  });
}

function stopTimeout(t: Target, service: string, timeout: number | undefined): number | undefined {
  if (timeout !== undefined) return timeout;
  const grace = t.project?.services[service]?.stop_grace_period;
  return grace ? Math.round(parseDuration(grace) / 1000) : undefined;
}

/** What a step prints; `op` and `cause` make its dry-run line: "<op> container <name> (<cause>)". */
/** quiet: no event while working (compose reports only the outcome of some steps) */
/** acts: whether the container is acted on; one that is not is only reported (compose reports a stop of a stopped container too) */
type Step = { working: string; done: string; op: string; cause: string; quiet?: boolean; acts?: (c: ContainerSummary) => boolean };

async function each(
  t: Target,
  o: LifecycleOptions,
  containers: readonly ContainerSummary[],
  direction: 'up' | 'down',
  step: Step,
  fn: (c: ContainerSummary, service: string) => Promise<void>,
  before?: (service: string) => Promise<void>,
): Promise<void> {
  const emit = o.onEvent ?? noopSink;
  // a dry run changes nothing, so there is nothing to wait for either
  const first = o.dryRun ? undefined : before;
  await inOrder(t, containers, direction, o.parallel, async (c, service) => {
    if (!step.quiet) emit({ type: 'resource', kind: 'container', name: c.name, status: 'working', text: step.working, service });
    if (step.acts && !step.acts(c)) {
      emit({ type: 'resource', kind: 'container', name: c.name, status: 'done', text: step.done, service });
      return;
    }
    if (o.dryRun) {
      o.onPlan?.(`${step.op} container ${c.name} (${step.cause})`);
      emit({ type: 'resource', kind: 'container', name: c.name, status: 'done', text: step.done, service });
      return;
    }
    try {
      await fn(c, service);
    } catch (err) {
      emit({ type: 'resource', kind: 'container', name: c.name, status: 'error', text: `Error while ${step.working}`, service });
      throw err;
    }
    emit({ type: 'resource', kind: 'container', name: c.name, status: 'done', text: step.done, service });
  }, first);
}

/** Before a service starts: its dependencies meet their depends_on conditions (compose's start and restart). */
function dependenciesMet(t: Target, o: LifecycleOptions, only?: (dependency: string, d: DependsOn) => boolean): ((service: string) => Promise<void>) | undefined {
  const project = t.project;
  return project && ((service) => waitDependencies(t.engine, project, service, o.onEvent ?? noopSink, { only }));
}

export interface StartOptions extends LifecycleOptions {
  /** Then wait for every container of the services to be running, or healthy when it has a healthcheck (--wait). */
  readonly wait?: boolean;
  /** Seconds the --wait may take (--wait-timeout); none: no limit. */
  readonly waitTimeout?: number;
}

export async function start(t: Target, o: StartOptions = {}): Promise<void> {
  // made before the first start: its events stream then replays every transition of the wait (watch.ts)
  const watcher = o.wait && !o.dryRun ? new ContainerWatcher(t.engine, t.name) : undefined;
  try {
    await startContainers(t, o);
    if (watcher) {
      const containers: Record<string, { id: string; name: string }[]> = {};
      for (const c of await containersOf(t, o.services)) (containers[c.labels[Labels.service] ?? ''] ??= []).push({ id: c.id, name: c.name });
      await (await import('./execute.js')).waitRunning(t.project, containers, watcher, o.waitTimeout, o.onEvent ?? noopSink);
    }
  } finally {
    await watcher?.close();
  }
}

async function startContainers(t: Target, o: LifecycleOptions): Promise<void> {
  const all = await containersOf(t, o.services);
  for (const s of o.services ?? []) {
    if (!all.some((c) => c.labels[Labels.service] === s)) throw new OperationError(ErrorCodes.NO_CONTAINERS, `service "${s}" has no container to start`, { service: s });
  }
  if (!all.length) throw new OperationError(ErrorCodes.NO_CONTAINERS, `no containers to start`);
  // pre_start once per service whose containers are all stopped, before the first of them starts
  const preStart = new Map<string, Promise<void>>();
  const stopped = (s: string) => all.every((c) => c.labels[Labels.service] !== s || !isUp(c));
  await each(t, o, all.filter((c) => !isUp(c)), 'up', { working: 'Starting', done: 'Started', op: 'start', cause: 'start' }, async (c, s) => {
    const project = t.project;
    if (project && preStartHooks(project, s).length && stopped(s)) {
      if (!preStart.has(s)) preStart.set(s, runPreStart(t.engine, project, s, c.id));
      await preStart.get(s);
    }
    await t.engine.startContainer(c.id);
    await runHooks(t.engine, c.id, s, t.project?.services[s], 'post_start');
  }, dependenciesMet(t, o));
}

export async function stop(t: Target, o: LifecycleOptions & { cause?: string } = {}): Promise<void> {
  // every container of the services, as compose lists them: one already stopped is reported Stopped, untouched
  const all = await containersOf(t, o.services);
  await each(t, o, all, 'down', { working: 'Stopping', done: 'Stopped', op: 'stop', cause: o.cause ?? 'stop', acts: isUp }, async (c, s) => {
    // only a running container runs its pre_stop (a paused one refuses the exec, which runHooks passes over)
    if (c.state === 'running') await runHooks(t.engine, c.id, s, t.project?.services[s], 'pre_stop');
    await t.engine.stopContainer(c.id, stopTimeout(t, s, o.timeout));
  });
}

export async function restart(t: Target, o: LifecycleOptions & { noDeps?: boolean } = {}): Promise<void> {
  let services = o.services;
  if (services?.length && !o.noDeps && t.project) {
    // compose restarts the services named and, transitively, the services that depend on one of them with
    // `restart: true` (their dependents, not their dependencies); --no-deps only the services named
    const all = Object.entries(t.project.services);
    const out = new Set<string>();
    const visit = (s: string) => {
      if (out.has(s) || !t.project!.services[s]) return;
      out.add(s);
      for (const [name, svc] of all) if (svc.depends_on?.[s]?.restart) visit(name);
    };
    services.forEach(visit);
    services = [...out];
  }
  const all = await containersOf(t, services);
  await each(t, o, all, 'up', { working: 'Restarting', done: 'Started', op: 'restart', cause: 'restart' }, async (c, s) => {
    const svc = t.project?.services[s];
    if (c.state === 'running') await runHooks(t.engine, c.id, s, svc, 'pre_stop');
    await t.engine.restartContainer(c.id, stopTimeout(t, s, o.timeout));
    await runHooks(t.engine, c.id, s, svc, 'post_start');
    // (the newer compose waits only for the dependencies a restart concerns: those declared restart: true)
  }, dependenciesMet(t, o, (_dep, d) => d.restart === true));
}

export async function kill(t: Target, o: LifecycleOptions & { signal?: string; removeOrphans?: boolean } = {}): Promise<void> {
  // compose kills one-off containers of the services too, and containers of services the file no longer
  // declares only with --remove-orphans
  const known = t.project ? new Set(Object.keys(t.project.services)) : undefined;
  const all = (await containersOf(t, o.services, true)).filter(isUp).filter((c) => o.removeOrphans || !known || known.has(c.labels[Labels.service] ?? ''));
  await each(t, o, all, 'down', { working: 'Killing', done: 'Killed', op: 'kill', cause: 'kill' }, (c) => t.engine.killContainer(c.id, o.signal ?? 'SIGKILL'));
}

export async function pause(t: Target, o: LifecycleOptions = {}): Promise<void> {
  const all = (await containersOf(t, o.services)).filter((c) => c.state === 'running');
  // compose reports only the outcome of pause and unpause (no "Pausing" line)
  await each(t, o, all, 'down', { working: 'Pausing', done: 'Paused', op: 'pause', cause: 'pause', quiet: true }, (c) => t.engine.pauseContainer(c.id));
}

export async function unpause(t: Target, o: LifecycleOptions = {}): Promise<void> {
  const all = (await containersOf(t, o.services)).filter((c) => c.state === 'paused');
  await each(t, o, all, 'up', { working: 'Unpausing', done: 'Unpaused', op: 'unpause', cause: 'unpause', quiet: true }, (c) => t.engine.unpauseContainer(c.id));
}

export interface RmOptions extends LifecycleOptions {
  /** Stop running containers first (-s). */
  readonly stop?: boolean;
  /** Remove anonymous volumes (-v). */
  readonly volumes?: boolean;
  /** Asked before removing; false keeps everything. Absent: remove without asking (-f). */
  readonly confirm?: (names: readonly string[]) => Promise<boolean>;
}

/** The containers rm would remove (stopped ones; with stop, running ones too). */
export async function rmCandidates(t: Target, o: RmOptions): Promise<ContainerSummary[]> {
  return (await containersOf(t, o.services, true)).filter((c) => o.stop || !isUp(c));
}

export async function rm(t: Target, o: RmOptions = {}): Promise<string[]> {
  if (o.stop) await stop(t, { ...o, cause: 'rm -s' });
  // a dry run stopped nothing: the running containers -s would have stopped are removed too
  const doomed = await rmCandidates(t, { ...o, stop: !!o.dryRun && !!o.stop });
  if (!doomed.length) {
    (o.onEvent ?? noopSink)({ type: 'message', level: 'info', text: 'No stopped containers' });
    return [];
  }
  // named as compose names them, in the engine's order (newest first)
  const names = [...doomed].sort((a, b) => b.created - a.created).map((c) => c.name);
  if (o.confirm && !o.dryRun && !(await o.confirm(names))) return [];
  await each(t, o, doomed, 'down', { working: 'Removing', done: 'Removed', op: 'remove', cause: 'rm' }, (c) => t.engine.removeContainer(c.id, { force: true, volumes: o.volumes }));
  return doomed.map((c) => c.name);
}

export interface WaitResult {
  readonly container: string;
  readonly id: string;
  readonly exitCode: number;
}

/** Block until the first of the services' containers stops; its exit code. */
export async function waitFirst(t: Target, o: { services?: readonly string[]; signal?: AbortSignal }): Promise<WaitResult> {
  const all = await containersOf(t, o.services);
  if (!all.length) throw new OperationError(ErrorCodes.NO_CONTAINERS, `no containers for project "${t.name}"`);
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.any(all.map(async (c) => ({ container: c.name, id: c.id, exitCode: (await t.engine.waitContainer(c.id, 'not-running', abort.signal)).exitCode })));
  } catch (err) {
    if (err instanceof AggregateError) throw err.errors[0];
    throw err;
  } finally {
    abort.abort();
    o.signal?.removeEventListener('abort', onAbort);
  }
}
