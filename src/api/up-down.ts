// up, down and ps: the calls the CLI's most used commands make, apart from index.ts so that loading them
// loads only what they need (ops/up.js and its image building only when up runs, the config loader only when
// the project cache has no answer).
import type { Engine } from '../engine/types.js';
import type { EventSink } from '../model/events.js';
import type { Project } from '../model/types.js';
import { isValidProjectName } from '../config/project-name.js';
import { Labels } from '../model/labels.js';
import { down as downOp, type DownOptions, type DownResult } from '../ops/down.js';
import { ps as psOp, type PsEntry, type PsOptions } from '../ops/ps.js';
import { prefetchProject } from '../ops/observe.js';
import type { UpOptions, UpResult } from '../ops/up.js';

export { checkUpFlags } from '../ops/up-flags.js';
export type { DownOptions, DownResult, PsEntry, PsOptions, UpOptions, UpResult };
import { engineFor } from './engine.js';
import { withProjectLock } from './lock.js';
import { isProject, resolveName, resolveProject, type ProjectOptions } from './project.js';
import { checkServices } from './services.js';

export interface CommonOptions {
  /** Load options, or an already loaded project. */
  readonly project?: ProjectOptions | Project;
  /** Defaults to the Docker engine at DOCKER_HOST. */
  readonly engine?: Engine;
  readonly onEvent?: EventSink;
}


export interface UpCallOptions extends CommonOptions, Omit<UpOptions, 'onEvent'> {}

/** Converge the engine on the project; the project is loaded and validated before anything on the engine changes. */
export async function up(options: UpCallOptions = {}): Promise<UpResult & { project: Project }> {
  const early = knownName(options.project);
  if (early === undefined) {
    const project = await resolveProject(options.project);
    checkServices(project, options.services);
    warn(project, options.onEvent);
    const engine = await engineFor(options);
    // two processes converging one project would both create what is missing: one at a time
    const { up: upOp } = await import('../ops/up.js');
    const result = await upOp(engine, project, { ...options, serialize: projectLock(project.name, options.signal, options.onEvent) });
    return { ...result, project };
  }
  // The name is known before the files are read: the engine lists the project's objects while they load.
  // The lock is taken first, so that what the lists say still holds when the plan acts on it.
  const engine = await engineFor(options);
  const converge = async () => {
    // (volumes are listed once the project says it declares any: observe.ts)
    const prefetched = await prefetchProject(engine, early, { volumes: false });
    const [project, { up: upOp }] = await Promise.all([resolveProject(options.project), import('../ops/up.js')]);
    checkServices(project, options.services);
    warn(project, options.onEvent);
    // (the name is never another one: -p and COMPOSE_PROJECT_NAME win over the files; kept safe regardless)
    if (project.name !== early) return { ...(await upOp(engine, project, { ...options, serialize: projectLock(project.name, options.signal, options.onEvent) })), project };
    return { ...(await upOp(engine, project, options, prefetched)), project };
  };
  return options.dryRun ? converge() : withProjectLock(early, converge, { signal: options.signal, onWait: waitNotice(options.onEvent) });
}

/** The project's name when the options fix it before any file is read (-p, COMPOSE_PROJECT_NAME). */
function knownName(p: ProjectOptions | Project | undefined): string | undefined {
  if (isProject(p)) return undefined;
  const name = p?.projectName || (p?.env ?? process.env).COMPOSE_PROJECT_NAME;
  // an invalid one is left to the loader, which reports it
  return name && isValidProjectName(name) ? name : undefined;
}

/** Concurrent ups of one project (from any process) take turns. */
function projectLock(project: string, signal?: AbortSignal, onEvent?: EventSink): <T>(fn: () => Promise<T>) => Promise<T> {
  return (fn) => withProjectLock(project, fn, { signal, onWait: waitNotice(onEvent) });
}

/** Waiting for another up's lock is said, once, as a warning: a silent wait looks like a hang. */
export function waitNotice(onEvent: EventSink | undefined): ((text: string) => void) | undefined {
  return onEvent && ((text) => onEvent({ type: 'message', level: 'warning', text }));
}

/** The loader's warnings (obsolete `version:`, unset variables, ...) reach the user as compose shows them. */
function warn(project: Project, onEvent: EventSink | undefined): void {
  for (const text of project.meta.warnings) onEvent?.({ type: 'message', level: 'warning', text });
}

export interface DownCallOptions extends CommonOptions, Omit<DownOptions, 'onEvent'> {}

export async function down(options: DownCallOptions = {}): Promise<DownResult & { projectName: string }> {
  const early = knownName(options.project);
  const engine = await engineFor(options);
  const prefetched = early === undefined ? undefined : await prefetchProject(engine, early, { volumes: !!options.volumes });
  const { name, project } = await resolveName(options.project);
  if (project) warn(project, options.onEvent);
  // with the compose file loaded a service it does not declare is an error; by project name alone it may be
  // one whose containers are gone already, and is passed over (compose 2.26 does both)
  checkServices(project, options.services, { allowDisabled: true });
  const result = await downOp(engine, name, project, options, prefetched);
  // the project cache keeps nothing of a project taken down
  const cache = isProject(options.project) ? undefined : options.project?.cache;
  if (cache && !options.dryRun) (await import('./project-cache.js')).forgetProject(cache, name);
  return { ...result, projectName: name };
}

export interface PsCallOptions extends Omit<CommonOptions, 'onEvent'>, PsOptions {}

export async function ps(options: PsCallOptions = {}): Promise<PsEntry[]> {
  const early = knownName(options.project);
  // The name is known before the files are read: the engine lists the project's containers while they load
  // (the list does not depend on them; the services are picked from it after). Errors keep their order: the
  // files' own first, then the engine's.
  const listed = early === undefined ? undefined : engineFor(options).then((engine) => psOp(engine, early, { ...options, services: undefined }));
  if (listed) {
    listed.catch(() => {});
    // the load that follows is synchronous: one turn of the event loop first, in which the request leaves
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { name, project } = await resolveName(options.project);
  // without --orphans (compose's --orphans=false) only the services the project declares are listed
  const services = project && options.orphans === false && !options.services?.length ? Object.keys(project.services) : options.services;
  if (listed && name === early) {
    const entries = await listed;
    return services?.length ? entries.filter((e) => services.includes(e.container.labels[Labels.service])) : entries;
  }
  const engine = await engineFor(options);
  return psOp(engine, name, { ...options, services });
}

