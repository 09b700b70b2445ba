// Attached `up`: converge like `up`, attach to the chosen services before their containers start, print their
// output until they have all stopped, and stop the project on Ctrl-C or, when asked, on a container's exit.
import type { Engine } from '../engine/types.js';
import { noopSink } from '../model/events.js';
import { Labels } from '../model/labels.js';
import { displayName, type LogSink } from '../model/logs.js';
import type { Project } from '../model/types.js';
import { parseDuration } from '../model/units.js';
import { runHooks } from './hooks.js';
import { delay, LogFollower, serviceContainers } from './logs.js';
import { buildGraph, dependencyEdges, walk } from '../graph/graph.js';
import type { Plan } from './plan.js';
import { up, type UpOptions, type UpResult } from './up.js';

export { checkUpFlags } from './up-flags.js';

export interface AttachedUpOptions extends Omit<UpOptions, 'beforeStart' | 'onConverged' | 'wait' | 'waitTimeout' | 'noStart'> {
  readonly onLog: LogSink;
  /** Only these services' output (`--attach`). */
  readonly attach?: readonly string[];
  /** Not these services' output (`--no-attach`). */
  readonly noAttach?: readonly string[];
  /** Also the output of the dependencies of the services named (`--attach-dependencies`). */
  readonly attachDependencies?: boolean;
  readonly abortOnContainerExit?: boolean;
  readonly abortOnContainerFailure?: boolean;
  /** Return this service's exit code; implies abortOnContainerExit. */
  readonly exitCodeFrom?: string;
  readonly timestamps?: boolean;
  /** Graceful stop (first Ctrl-C): stop the containers, then return 130. */
  readonly stopSignal?: AbortSignal;
  /** Forced stop (second Ctrl-C): kill the containers, then return 130. */
  readonly killSignal?: AbortSignal;
  /**
   * Called once the convergence is done and the containers' output starts, while starts and the waits on
   * dependencies may still be under way (a CLI closes its progress display here: compose shows no start).
   */
  readonly onConverged?: () => void | Promise<void>;
  /** Called once the containers are up (the watch of `up --watch` starts here). */
  readonly onAttached?: () => void | Promise<void>;
  /** Called before the stop phase starts (a CLI opens a progress display here). */
  readonly onStopping?: () => void | Promise<void>;
  /** How long, once every watched container has stopped, to wait for one to start again. */
  readonly settleMs?: number;
}

export interface AttachedUpResult extends UpResult {
  readonly exitCode: number;
}

/** Which services' output attached up prints. */
export function attachedServices(project: Project, planned: readonly string[], o: Pick<AttachedUpOptions, 'attach' | 'noAttach' | 'attachDependencies' | 'services'>): Set<string> {
  let out: string[];
  if (o.attach?.length) out = [...o.attach];
  else if (o.attachDependencies || !o.services?.length) out = [...planned];
  else out = [...o.services];
  // `attach: false` in the file only changes the default
  if (!o.attach?.length) out = out.filter((s) => project.services[s]?.attach !== false);
  return new Set(out.filter((s) => !(o.noAttach ?? []).includes(s)));
}

export async function attachedUp(engine: Engine, project: Project, options: AttachedUpOptions): Promise<AttachedUpResult> {
  const abortOnExit = !!options.abortOnContainerExit || (!!options.exitCodeFrom && !options.abortOnContainerFailure);

  // output is held back until up is done, so that it does not tear the progress display
  let held: Parameters<LogSink>[0][] | undefined = [];
  const sink: LogSink = (e) => (held ? held.push(e) : options.onLog(e));

  // The plan made inside up() covers the asked services and their dependencies (unless noDeps).
  const planned = options.noDeps ? (options.services?.length ? [...options.services] : Object.keys(project.services)) : withDeps(project, options.services);
  const attached = attachedServices(project, planned, options);
  let watched = new Set([...attached, ...(options.exitCodeFrom ? [options.exitCodeFrom] : [])]);
  if (!watched.size) watched = new Set(planned);

  // Exits decide the outcome: remember the first one when aborting on exit (or failure).
  let trigger: { service: string; exitCode: number } | undefined;
  let wake: (() => void) | undefined;
  const poke = () => wake?.();
  const stopping = { now: false };
  const observeExit = (service: string, exitCode: number) => {
    if (stopping.now || trigger) return;
    if (abortOnExit || (options.abortOnContainerFailure && exitCode !== 0)) {
      trigger = { service, exitCode };
      poke();
    }
  };
  const innerSink: LogSink = (e) => {
    // once an exit has decided to abort, the exits of the containers stopped for it are not reported (compose's
    // printer has stopped by then: only the deciding exit is printed)
    if (e.type === 'exited' && trigger) return;
    if (e.type === 'exited') observeExit(e.service, e.exitCode);
    if ((e.type === 'exited' || e.type === 'line' || e.type === 'recreated') && !attached.has(e.service)) return;
    sink(e);
  };

  const streams = new AbortController();
  const follower = new LogFollower(engine, project.name, innerSink, {
    timestamps: options.timestamps,
    selected: (s) => watched.has(s),
    signal: streams.signal,
  });

  follower.watchEvents();
  const onStop = () => poke();
  options.stopSignal?.addEventListener('abort', onStop, { once: true });
  options.killSignal?.addEventListener('abort', onStop, { once: true });

  // "Attaching to ..." and the output from then on come once the convergence is done, as in compose: a
  // dependency's output shows while its dependents wait for it to be healthy
  let attaching: Promise<void> | undefined;
  const attach = (containers: readonly { readonly service: string; readonly name: string }[]) =>
    (attaching ??= (async () => {
      await options.onConverged?.();
      const displays = containers.filter((c) => attached.has(c.service)).map((c) => displayName(project.name, c.name)).sort();
      options.onLog({ type: 'attaching', displays });
      for (const e of held ?? []) options.onLog(e);
      held = undefined;
    })());

  let result: UpResult;
  try {
    try {
      result = await up(engine, project, {
        ...options,
        signal: options.stopSignal,
        beforeStart: async (c) => {
          if (watched.has(c.service)) await follower.attachBeforeStart(c, c.running);
        },
        onConverged: attach,
      });
    } catch (err) {
      if (options.stopSignal?.aborted) {
        result = { plan: interruptedPlan(project.name), containers: {} };
        await stopAll(engine, project, options, planned, !!options.killSignal?.aborted);
        return { ...result, exitCode: 130 };
      }
      throw err;
    }

    // (a run whose convergence never ended, without error, has none to attach to: not the case of any plan)
    await attach(Object.entries(result.containers).flatMap(([service, list]) => list.map((c) => ({ service, name: c.name }))));
    await options.onAttached?.();

    // Watch until every watched container has stopped, an abort condition holds, or the user stops us.
    for (;;) {
      if (options.stopSignal?.aborted || options.killSignal?.aborted || trigger) break;
      const running = [...follower.containers.values()].some((t) => watched.has(t.service) && t.running && !t.removed);
      if (!running && !follower.busy) {
        const quiet = await Promise.race([follower.nextChange().then(() => false), delay(options.settleMs ?? 500).then(() => true)]);
        if (!quiet) continue;
        const again = await serviceContainers(engine, project.name, [...watched], false);
        if (!again.length) break;
        for (const c of again) if (!follower.containers.get(c.id)?.active) follower.read({ id: c.id, name: c.name, service: c.labels[Labels.service], running: true }, { follow: true });
        continue;
      }
      await Promise.race([follower.nextChange(), new Promise<void>((r) => (wake = r))]);
    }

    if (options.stopSignal?.aborted || options.killSignal?.aborted) {
      stopping.now = true;
      if (!options.killSignal?.aborted) options.onLog({ type: 'notice', text: 'Gracefully stopping... (press Ctrl+C again to force)' });
      await options.onStopping?.();
      await stopAll(engine, project, options, planned, !!options.killSignal?.aborted);
      await follower.settle(2000);
      return { ...result, exitCode: 130 };
    }
    if (trigger) {
      stopping.now = true;
      options.onLog({ type: 'notice', text: 'Aborting on container exit...' });
      await options.onStopping?.();
      await stopAll(engine, project, options, planned, false);
      await follower.settle(2000);
      if (options.exitCodeFrom) return { ...result, exitCode: await exitCodeOf(engine, project.name, options.exitCodeFrom) };
      return { ...result, exitCode: trigger.exitCode };
    }
    await follower.settle(2000);
    if (options.exitCodeFrom) return { ...result, exitCode: await exitCodeOf(engine, project.name, options.exitCodeFrom) };
    return { ...result, exitCode: 0 };
  } finally {
    options.stopSignal?.removeEventListener('abort', onStop);
    options.killSignal?.removeEventListener('abort', onStop);
    streams.abort();
    await follower.close();
  }
}

function withDeps(project: Project, services: readonly string[] | undefined): string[] {
  const out = new Set<string>();
  const visit = (s: string) => {
    if (out.has(s) || !project.services[s]) return;
    out.add(s);
    for (const d of Object.keys(project.services[s].depends_on ?? {})) visit(d);
  };
  for (const s of services?.length ? services : Object.keys(project.services)) visit(s);
  return [...out];
}

/** The exit code of a service's first container, as the engine recorded it. */
/** The plan of an up interrupted before it returned one: nothing to report as planned. */
function interruptedPlan(project: string): Plan {
  return { project, graph: buildGraph({}), services: [], pulls: [], ops: [], kept: [], warnings: [], final: {}, missingExternal: [] };
}

async function exitCodeOf(engine: Engine, project: string, service: string): Promise<number> {
  const [c] = await serviceContainers(engine, project, [service]);
  if (!c) return 0;
  const info = await engine.inspectContainer(c.id);
  return info?.state.exitCode ?? 0;
}

/** Stop (or kill) every running container of the services, reporting progress like `stop`. */
async function stopAll(engine: Engine, project: Project, options: AttachedUpOptions, services: readonly string[], kill: boolean): Promise<void> {
  const emit = options.onEvent ?? noopSink;
  const containers = await serviceContainers(engine, project.name, services, false);
  let forced = kill;
  const by = new Map<string, typeof containers>();
  for (const c of containers) by.set(c.labels[Labels.service], [...(by.get(c.labels[Labels.service]) ?? []), c]);
  const edges = dependencyEdges(project.services);
  for (const s of by.keys()) edges[s] ??= [];
  // dependents first, as compose stops them (and as `stop` and `down` do): a service never loses a dependency
  // while it still runs; once a second Ctrl-C has come, each is killed as soon as its turn comes
  await walk(buildGraph(edges), {
    direction: 'down',
    only: new Set(by.keys()),
    visit: (s) => Promise.all((by.get(s) ?? []).map((c) => stopOne(c))).then(() => undefined),
  });

  async function stopOne(c: (typeof containers)[number]): Promise<void> {
    // (a second Ctrl-C that came between two turns of the walk)
    if (options.killSignal?.aborted) forced = true;
    const service = c.labels[Labels.service];
    const grace = project.services[service]?.stop_grace_period;
    const timeout = options.timeout ?? (grace ? Math.round(parseDuration(grace) / 1000) : undefined);
    emit({ type: 'resource', kind: 'container', name: c.name, status: 'working', text: forced ? 'Killing' : 'Stopping', service });
    const killNow = () => engine.killContainer(c.id).catch(() => undefined);
    const onKill = () => {
      forced = true;
      void killNow();
    };
    options.killSignal?.addEventListener('abort', onKill, { once: true });
    try {
      if (forced) await killNow();
      else {
        // Ctrl-C stops as `stop` does: pre_stop first (a second Ctrl-C kills, hooks or not)
        if (c.state === 'running') await runHooks(engine, c.id, service, project.services[service], 'pre_stop');
        await engine.stopContainer(c.id, timeout);
      }
    } catch (err) {
      if (!(err instanceof Error && /not running|No such container/i.test(err.message))) throw err;
    } finally {
      options.killSignal?.removeEventListener('abort', onKill);
    }
    emit({ type: 'resource', kind: 'container', name: c.name, status: 'done', text: forced ? 'Killed' : 'Stopped', service });
  }
}
