// The typed API of the runtime commands: attached up, logs, exec, run and the container lifecycle commands.
// The CLI calls exactly these functions.
import type { Engine } from '../engine/types.js';
import type { EventSink } from '../model/events.js';
import type { LogSink } from '../model/logs.js';
import type { Project } from '../model/types.js';
import { attachedUp, checkUpFlags, type AttachedUpOptions, type AttachedUpResult } from '../ops/attached.js';
import { startDevelopWatch, type DevelopWatch, type DevelopWatchOptions } from '../ops/develop-watch.js';
import { watchRules } from '../ops/watch-rules.js';
import { logs as logsOp, type LogsOptions } from '../ops/logs.js';
import { engineFor, runsDry } from './engine.js';
import { withProjectLock } from './lock.js';
import { isProject, resolveName, resolveProject, type ProjectOptions } from './project.js';
import { checkServices } from './services.js';

export type { LogEvent, LogLine, LogSink } from '../model/logs.js';
export type { AttachedUpOptions, AttachedUpResult, LogsOptions };
export { checkUpFlags };

export interface RuntimeCommonOptions {
  /** Load options, or an already loaded project. */
  readonly project?: ProjectOptions | Project;
  /** Defaults to the Docker engine at DOCKER_HOST. */
  readonly engine?: Engine;
  readonly onEvent?: EventSink;
  /** Change nothing: the engine's writes are recorded (engine/dry-run.ts), not sent. */
  readonly dryRun?: boolean;
}

export { isProject, resolveName, resolveProject };

export async function engineOf(o: { engine?: Engine; dryRun?: boolean }): Promise<Engine> {
  return engineFor(o);
}

export interface UpAttachedCallOptions extends RuntimeCommonOptions, Omit<AttachedUpOptions, 'onEvent'> {
  /** `up --watch`: once the containers are up and attached, act on develop.watch rules until the stop. */
  readonly watch?: Omit<DevelopWatchOptions, 'services' | 'onEvent'>;
}

/** `up` without -d: converge, print the output of the attached services until they stop; the exit code. */
export async function upAttached(options: UpAttachedCallOptions): Promise<AttachedUpResult & { project: Project }> {
  const project = await resolveProject(options.project);
  checkServices(project, [...(options.services ?? []), ...(options.attach ?? []), ...(options.noAttach ?? []), ...(options.exitCodeFrom ? [options.exitCodeFrom] : [])]);
  const engine = await engineOf(options);
  // the same per-project lock as detached up: one convergence at a time
  let watcher: Promise<DevelopWatch | undefined> | undefined;
  // bad or missing develop.watch rules fail before anything is created
  if (options.watch && !watchRules(project, options.services).length) {
    throw new OperationError(ErrorCodes.USAGE, "none of the selected services is configured for watch, consider setting a 'develop' section");
  }
  const stopWatching = async () => {
    const w = await watcher;
    watcher = undefined;
    await w?.close();
  };
  try {
    const result = await attachedUp(engine, project, {
      ...options,
      serialize: (fn) => withProjectLock(project.name, fn, { onWait: (text) => options.onEvent?.({ type: 'message', level: 'warning', text }) }),
      onAttached: async () => {
        await options.onAttached?.();
        // started, not awaited: "Attaching to ..." comes first, then "Watch enabled", as compose prints them
        const w = options.watch;
        if (w) {
          watcher = startDevelopWatch(engine, project, { ...w, services: options.services, onEvent: options.onEvent }).catch((err: unknown) => {
            w.onMessage?.(`Watch disabled with errors: ${err instanceof Error ? err.message : String(err)}`, 'error');
            return undefined;
          });
        }
      },
      onStopping: async () => {
        await stopWatching();
        await options.onStopping?.();
      },
    });
    return { ...result, project };
  } finally {
    await stopWatching();
  }
}

export interface LogsCallOptions extends Omit<RuntimeCommonOptions, 'onEvent'>, LogsOptions {
  readonly onLog: LogSink;
}

/** Print (to onLog) the output of the project's containers; with follow, until they have all stopped. */
export async function logs(options: LogsCallOptions): Promise<void> {
  const { name, project } = await resolveName(options.project);
  checkServices(project, options.services);
  const engine = await engineOf(options);
  await logsOp(engine, name, options.onLog, options);
}

// ---------------------------------------------------------------- lifecycle

import * as life from '../ops/lifecycle.js';
import { down as downOp } from '../ops/down.js';

export type { LifecycleOptions, RmOptions, WaitResult } from '../ops/lifecycle.js';

export interface LifecycleCallOptions extends RuntimeCommonOptions, Omit<life.LifecycleOptions, 'onEvent'> {}

/** The project and engine a lifecycle call acts on, the services it names checked. */
async function target(o: RuntimeCommonOptions & { services?: readonly string[] }): Promise<life.Target> {
  const { name, project } = await resolveName(o.project);
  checkServices(project, o.services);
  return { engine: await engineOf(o), name, project };
}

/** Start the services' existing containers. */
export async function start(o: LifecycleCallOptions & Pick<life.StartOptions, 'wait' | 'waitTimeout'> = {}): Promise<void> {
  await life.start(await target(o), o);
}

export async function stop(o: LifecycleCallOptions = {}): Promise<void> {
  await life.stop(await target(o), o);
}

/** Restart the services and, unless noDeps, the services that depend on them with `restart: true` (as compose). */
export async function restart(o: LifecycleCallOptions & { noDeps?: boolean } = {}): Promise<void> {
  await life.restart(await target(o), o);
}

export async function kill(o: LifecycleCallOptions & { signal?: string; removeOrphans?: boolean } = {}): Promise<void> {
  await life.kill(await target(o), o);
}

export async function pause(o: LifecycleCallOptions = {}): Promise<void> {
  await life.pause(await target(o), o);
}

export async function unpause(o: LifecycleCallOptions = {}): Promise<void> {
  await life.unpause(await target(o), o);
}

/** Remove stopped containers (with stop: running ones too); the names removed. */
export async function rm(o: LifecycleCallOptions & Omit<life.RmOptions, 'onEvent'> = {}): Promise<string[]> {
  return life.rm(await target(o), o);
}

/** Wait for the first of the services' containers to stop; with downProject, then take the project down. */
export async function wait(o: RuntimeCommonOptions & { services?: readonly string[]; downProject?: boolean; signal?: AbortSignal } = {}): Promise<life.WaitResult> {
  const t = await target(o);
  const result = await life.waitFirst(t, o);
  if (o.downProject) await downOp(t.engine, t.name, t.project, { onEvent: o.onEvent });
  return result;
}

// ---------------------------------------------------------------- exec, run, create

import { exec as execOp, type ExecOptions } from '../ops/exec.js';
import { runOneOff, type RunOptions, type RunResult } from '../ops/run.js';
import { withDependencies, buildGraph, dependencyEdges } from '../graph/index.js';
import { BerthError, ErrorCodes, OperationError } from '../model/errors.js';
import type { CapturedOutput } from '../ops/exec-capture.js';
import { Writable } from 'node:stream';

export type { ExecOptions, RunOptions, RunResult, CapturedOutput };
export type { TerminalControl, ProcessStreams } from '../ops/exec.js';

export interface ExecCallOptions extends Omit<RuntimeCommonOptions, 'onEvent'>, ExecOptions {}

/** Run a command in a running service container, its streams connected to the given ones; its exit code. */
export async function exec(o: ExecCallOptions): Promise<number> {
  const { name, project } = await resolveName(o.project);
  checkServices(project, [o.service]);
  if (!o.cmd.length) throw new BerthError(ErrorCodes.USAGE, 'exec needs a command to run');
  return execOp(await engineOf(o), name, o);
}

export interface RunCallOptions extends RuntimeCommonOptions, Omit<RunOptions, 'onEvent'> {}

/** The service with the services it depends on (transitively), the service itself excluded. */
function dependenciesOf(project: Project, service: string): string[] {
  const graph = buildGraph(dependencyEdges(project.services));
  return [...withDependencies(graph, [service])].filter((s) => s !== service);
}

/** A service of a disabled profile can be run by name, as compose allows: the project with it enabled. */
function enableService(project: Project, service: string): Project {
  if (project.services[service] || !project.meta.disabledServices[service]) return project;
  return { ...project, services: { ...project.services, [service]: project.meta.disabledServices[service] } };
}

/**
 * A one-off container of the service. Unless noDeps, its dependencies are brought up first with the same `up`
 * the CLI's up runs (as compose does), then their depends_on conditions are awaited.
 */
export async function run(o: RunCallOptions): Promise<RunResult> {
  const project = enableService(await resolveProject(o.project), o.service);
  checkServices(project, [o.service]);
  const engine = await engineOf(o);
  if (o.removeOrphans && !o.noDeps) {
    const { removeOrphanContainers } = await import('../ops/run.js');
    await removeOrphanContainers(engine, project, o.onEvent);
  }
  if (!o.noDeps) {
    const deps = dependenciesOf(project, o.service);
    if (deps.length) {
      const { up } = await import('./up-down.js');
      await up({ project, engine, services: deps, onEvent: o.onEvent, build: o.build, pull: o.pull, quietPull: o.quietPull, quietBuild: o.quietBuild });
    }
  }
  return runOneOff(engine, project, o);
}

export interface RunCaptureOptions {
  readonly project?: ProjectOptions | Project;
  readonly engine?: Engine;
  readonly service: string;
  readonly cmd: readonly string[];
  /** Over the service's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Remove the container afterwards; default true. */
  readonly rm?: boolean;
  readonly noDeps?: boolean;
  readonly onEvent?: EventSink;
}

/** A one-off container without a terminal, its output collected: the programmatic `run -T`. */
export async function runCapture(o: RunCaptureOptions): Promise<CapturedOutput> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (into: Buffer[]) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        into.push(Buffer.from(chunk));
        done();
      },
    });
  const r = await run({
    project: o.project,
    engine: o.engine,
    service: o.service,
    cmd: o.cmd,
    env: Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`),
    rm: o.rm ?? true,
    noDeps: o.noDeps,
    onEvent: o.onEvent,
    interactive: false,
    tty: false,
    stdout: sink(out),
    stderr: sink(err),
  });
  return { exitCode: r.exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** `create`: up without starting anything (compose's `create` is `up --no-start`). */
export async function create(o: Omit<import('./up-down.js').UpCallOptions, 'noStart' | 'wait'> = {}): Promise<import('./up-down.js').UpResult & { project: Project }> {
  const { up } = await import('./up-down.js');
  return up({ ...o, noStart: true });
}

// ---------------------------------------------------------------- inspection: top, port, images, ls, stats, events, cp, attach, scale

import * as inspect from '../ops/inspect.js';
import { cp as cpOp, type CpOptions } from '../ops/cp.js';

export type { TopEntry, ImageEntry, ProjectEntry, StatsEntry, ProjectEvent } from '../ops/inspect.js';
export type { CpOptions };

type NameOnly = Omit<RuntimeCommonOptions, 'onEvent'>;

async function named(o: NameOnly, services?: readonly string[]): Promise<{ name: string; engine: Engine }> {
  const { name, project } = await resolveName(o.project);
  checkServices(project, services);
  return { name, engine: await engineOf(o) };
}

/** The processes running in the services' containers. */
export async function top(o: NameOnly & { services?: readonly string[] } = {}): Promise<inspect.TopEntry[]> {
  const { name, engine } = await named(o, o.services);
  return inspect.top(engine, name, o.services);
}

/** The public "host:port" of a service's container port. */
export async function port(o: NameOnly & { service: string; privatePort: number; protocol?: string; index?: number }): Promise<string> {
  const { name, engine } = await named(o, [o.service]);
  return inspect.port(engine, name, o);
}

/** The images the project's containers use, by container. */
export async function images(o: NameOnly & { services?: readonly string[] } = {}): Promise<inspect.ImageEntry[]> {
  const { name, engine } = await named(o, o.services);
  return inspect.images(engine, name, o.services);
}

/** The compose projects the engine runs (all: stopped ones too); name filters by substring. */
export async function ls(o: { engine?: Engine; all?: boolean; name?: string } = {}): Promise<inspect.ProjectEntry[]> {
  return inspect.listProjects(await engineOf(o), o);
}

/** One resource-usage sample per container. */
export async function stats(o: NameOnly & { services?: readonly string[]; all?: boolean } = {}): Promise<inspect.StatsEntry[]> {
  const { name, engine } = await named(o, o.services);
  return inspect.stats(engine, name, o);
}

/**
 * The project's container events, live, until the signal aborts; since/until (seconds since the epoch) replay
 * past ones, and until ends the stream.
 */
export async function events(o: NameOnly & { services?: readonly string[]; since?: number; until?: number; signal?: AbortSignal; onEvent: (e: inspect.ProjectEvent) => void }): Promise<void> {
  const { name, engine } = await named(o, o.services);
  await inspect.events(engine, name, o);
}

/** Copy files between a service container and the host. */
export async function cp(o: NameOnly & CpOptions): Promise<void> {
  const { name, engine } = await named(o, [o.service]);
  await cpOp(engine, name, { ...o, dryRun: runsDry(o) });
}

/** Attach to a service container's streams until it stops; its exit code. */
export async function attach(o: NameOnly & Parameters<typeof inspect.attach>[2]): Promise<number> {
  const { name, engine } = await named(o, [o.service]);
  return inspect.attach(engine, name, o);
}

/** Scale services to the given numbers of containers (and start their dependencies unless noDeps). */
export async function scale(o: RuntimeCommonOptions & { scale: Readonly<Record<string, number>>; noDeps?: boolean }): Promise<void> {
  const { up } = await import('./up-down.js');
  // the engine is made here (a dry run when asked), and up converges through it
  await up({ project: o.project, engine: await engineOf(o), onEvent: o.onEvent, services: Object.keys(o.scale), scale: o.scale, noDeps: o.noDeps });
}

// ---------------------------------------------------------------- export, commit, volumes (newer compose)

import * as snapshot from '../ops/export-commit.js';

export type { CommitServiceOptions, ExportOptions } from '../ops/export-commit.js';

/** The filesystem of a service's running container, as a tar stream. */
export async function exportContainer(o: NameOnly & snapshot.ExportOptions): Promise<{ container: string; tar: AsyncIterable<Buffer> }> {
  const { name, engine } = await named(o, [o.service]);
  return snapshot.exportService(engine, name, o);
}

/** A new image from a service's running container; its id. */
export async function commit(o: NameOnly & snapshot.CommitServiceOptions): Promise<string> {
  const { name, engine } = await named(o, [o.service]);
  return snapshot.commitService(engine, name, o);
}

/** The project's volumes; with services, those their running containers mount. */
export async function volumes(o: NameOnly & { services?: readonly string[] } = {}): Promise<import('../engine/types.js').VolumeSummary[]> {
  const { name, engine } = await named(o, o.services);
  return snapshot.projectVolumes(engine, name, o.services);
}
