// up: observe → prepare images → reconcile (pure) → execute the plan's op DAG → optionally wait.
import { isDryRunEngine } from '../engine/dry-run.js';
import type { Engine } from '../engine/types.js';
import { ErrorCodes, OperationError } from '../model/errors.js';
import { noopSink, type EventSink } from '../model/events.js';
import type { Project } from '../model/types.js';
import { executePlan, waitRunning, type ContainerRef, type ExecuteOptions } from './execute.js';
import { prepareImages, type PullFlag } from './images.js';
import { observe, type Prefetched } from './observe.js';
import type { Plan } from './plan.js';
import { reconcile, selectServices, type ReconcileOptions } from './reconcile.js';
import { ContainerWatcher } from './watch.js';

export type { ContainerRef };

export interface UpOptions extends ReconcileOptions {
  /** Wait for every service to be running or healthy. */
  readonly wait?: boolean;
  /** Seconds; 0 or undefined means no limit. */
  readonly waitTimeout?: number;
  /** Stop timeout in seconds for containers being replaced. */
  readonly timeout?: number;
  /** At most this many engine operations at once. */
  readonly parallel?: number;
  /** Plan only: change nothing. */
  readonly dryRun?: boolean;
  readonly onEvent?: EventSink;
  readonly signal?: AbortSignal;
  /**
   * Called for every container of the run before it is started (after create, or before restarting a stopped
   * one), and for containers already running; attached mode hooks its log streams here so no line is lost.
   */
  /** Runs the whole convergence inside this (a lock across processes); see api/lock.ts. */
  readonly serialize?: <T>(fn: () => Promise<T>) => Promise<T>;
  readonly beforeStart?: (container: ContainerRef & { readonly service: string; readonly running: boolean }) => Promise<void>;
  /** See ExecuteOptions.onConverged. */
  readonly onConverged?: ExecuteOptions['onConverged'];
  /** --build: build the images of services that have a build section before starting. */
  readonly build?: boolean;
  /** --no-build: never build; a missing image fails the run. */
  readonly noBuild?: boolean;
  /** --pull: overrides every service's pull_policy. */
  readonly pull?: PullFlag;
  /** --quiet-pull: no per-layer pull progress. */
  readonly quietPull?: boolean;
  readonly quietBuild?: boolean;
}

export interface UpResult {
  readonly plan: Plan;
  /** service → its containers after up */
  readonly containers: Readonly<Record<string, readonly ContainerRef[]>>;
}

/** Converge; with `serialize`, inside it (the API passes the per-project lock, so concurrent ups take turns). */
export function up(engine: Engine, project: Project, options: UpOptions = {}, prefetched?: Prefetched): Promise<UpResult> {
  return options.serialize && !options.dryRun ? options.serialize(() => converge(engine, project, options, prefetched)) : converge(engine, project, options, prefetched);
}

async function converge(engine: Engine, project: Project, options: UpOptions, prefetched: Prefetched | undefined): Promise<UpResult> {
  const emit = options.onEvent ?? noopSink;
  // As compose: nothing to run is an error, never a plan. A plan from a project without services would
  // read every container of the stack as an orphan, and --remove-orphans would remove them all.
  if (Object.keys(project.services).length === 0) {
    const files = project.meta.composeFiles.join(', ');
    const disabled = Object.keys(project.meta.disabledServices).length;
    throw new OperationError(
      ErrorCodes.NO_SERVICES,
      disabled
        ? `no service selected: every service of ${files} has a profile that is not enabled: name one, or enable its profile with --profile`
        : `no service selected: ${files} defines no services: add them under services:`,
    );
  }
  const observed0 = await observe(engine, project, Object.keys(project.services), prefetched);
  // Images first: a pulled or rebuilt image changes the image id the planner compares against.
  const selected = selectServices(project, options);
  // A dry run leaves the images as they are, unless the engine is a dry-run engine (engine/dry-run.ts) and
  // the flags ask for image work (--build, --pull): then the builds and pulls are recorded, as steps of the plan.
  const imageWork = isDryRunEngine(engine) && (options.build === true || options.pull !== undefined);
  const imageIds = options.dryRun && !imageWork
    ? Object.fromEntries(Object.entries(observed0.images).map(([k, v]) => [k, v?.id]))
    : await prepareImages(engine, project, selected, observed0.images, {
        onEvent: emit,
        build: options.build,
        noBuild: options.noBuild,
        pull: options.pull,
        quietPull: options.quietPull,
        quietBuild: options.quietBuild,
        parallel: options.parallel,
        signal: options.signal,
      });
  const observed = {
    ...observed0,
    images: Object.fromEntries(Object.entries(imageIds).map(([ref, id]) => [ref, id ? (observed0.images[ref]?.id === id ? observed0.images[ref] : { id, repoTags: [ref] }) : undefined])),
  };
  const plan = reconcile(project, observed, options);
  if (options.dryRun) return { plan, containers: {} };

  if (plan.missingExternal.length) {
    const m = plan.missingExternal[0];
    throw new OperationError(ErrorCodes.EXTERNAL_NOT_FOUND, `${m.kind} ${m.name} declared as external, but could not be found: create it first (docker ${m.kind} create ${m.name})`);
  }
  for (const w of plan.warnings) emit({ type: 'message', level: 'warning', text: w });

  // Made before the first change: its `since` makes sure every state transition of this run reaches a waiter.
  const watcher = new ContainerWatcher(engine, project.name);
  try {
    const containers = await executePlan(engine, project, plan, watcher, { parallel: options.parallel, timeout: options.timeout, signal: options.signal, onEvent: emit, imageIds, beforeStart: options.beforeStart, onConverged: options.onConverged });
    if (options.wait && !options.noStart) await waitRunning(project, containers, watcher, options.waitTimeout, emit);
    return { plan, containers };
  } finally {
    await watcher.close();
  }
}
