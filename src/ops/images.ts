// Images a run needs, prepared before reconciling so that a pulled or rebuilt image's new id is what the
// planner compares containers against (a changed id recreates the containers that use it; the config hash
// leaves build out, as compose does). Order, as in compose: pulls first (a buildable service whose pull
// fails is built instead), then builds in dependency order, then every image must exist.
import type { Engine, ImageSummary, LayerProgress } from '../engine/types.js';
import { BerthError, ErrorCodes, OperationError, PullFailedError } from '../model/errors.js';
import { noopSink, type EventSink } from '../model/events.js';
import { serviceImage } from '../model/labels.js';
import type { Project } from '../model/types.js';
import { buildServices } from './build.js';
import { hasBuild } from './build-spec.js';
import { parsePullPolicy, type PullFlag, type PullPolicy } from './pull-policy.js';

// (the policies are pull-policy.ts's, re-exported for the commands that import them from here)
export { parsePullPolicy, PULL_FLAG_VALUES, type PullFlag, type PullPolicy } from './pull-policy.js';

export interface ImageOptions {
  readonly onEvent?: EventSink;
  /** up --build: build every selected service that has a build section. */
  readonly build?: boolean;
  /** up --no-build: never build; a missing image is an error. */
  readonly noBuild?: boolean;
  /** up --pull: replaces every service's pull_policy. */
  readonly pull?: PullFlag;
  /** up --quiet-pull: no per-layer progress. */
  readonly quietPull?: boolean;
  /** up/run --quiet-build: no build step progress (the build's outcome, and its output on failure, still shown). */
  readonly quietBuild?: boolean;
  readonly parallel?: number;
  readonly signal?: AbortSignal;
  /** Clock for refresh policies (tests). */
  readonly now?: () => number;
}

/** Image ref → image id after preparation (undefined: still missing). */
export type ImageIds = Record<string, string | undefined>;

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// Statuses after which a layer line has nothing more to do.
const LAYER_DONE = /^(Pull complete|Already exists|Pushed|Layer already exists|Mounted from .*)$/;

/** Progress events of one pull or push: the image line, and unless quiet one line per layer. */
export function layerReporter(emit: EventSink, service: string, quiet: boolean): (line: LayerProgress) => void {
  return (line) => {
    // lines without a layer id are about the whole image ("Pulling from x", "Digest: …", "Status: …")
    if (quiet || !line.id || !/^[0-9a-f]{12}$/.test(line.id)) return;
    emit({ type: 'resource', kind: 'image', name: line.id, service, status: LAYER_DONE.test(line.status) ? 'done' : 'working', text: line.status, detail: line.progress });
  };
}

/**
 * Pull one image with progress events, then re-tag it onto itself: the engine does not record a pull's time,
 * and the refresh policies (daily, every_12h, …) judge a local image by its last tag time, as compose does.
 */
export async function pullImage(engine: Engine, ref: string, service: string, emit: EventSink, quiet: boolean): Promise<string | undefined> {
  emit({ type: 'resource', kind: 'image', name: ref, status: 'working', text: 'Pulling', service });
  try {
    await engine.pullImage(ref, layerReporter(emit, service, quiet));
  } catch (err) {
    emit({ type: 'resource', kind: 'image', name: ref, status: 'error', text: 'Error', service, detail: errText(err).split('\n')[0] });
    throw err;
  }
  if (!ref.includes('@')) await engine.tagImage(ref, ref).catch(() => undefined);
  const id = (await engine.inspectImage(ref))?.id;
  emit({ type: 'resource', kind: 'image', name: ref, status: 'done', text: 'Pulled', service });
  return id;
}

/** Whether a pull is due for a present-or-missing image under a policy. */
export function pullDue(policy: PullPolicy, local: ImageSummary | undefined, now: number): boolean {
  switch (policy.kind) {
    case 'always':
      return true;
    case 'never':
    case 'build':
      return false;
    case 'missing':
      return !local;
    case 'refresh':
      // an image never tagged here has no known age: refresh it
      return !local || local.lastTagTime === undefined || now - local.lastTagTime >= policy.maxAgeMs;
  }
}

/** Make sure every image the given services run exists: pulled, built or already there, per pull policy. */
export async function prepareImages(
  engine: Engine,
  project: Project,
  services: readonly string[],
  observed: Readonly<Record<string, ImageSummary | undefined>>,
  options: ImageOptions = {},
): Promise<ImageIds> {
  const emit = options.onEvent ?? noopSink;
  const now = options.now ?? Date.now;
  const ids: ImageIds = Object.fromEntries(Object.entries(observed).map(([k, v]) => [k, v?.id]));

  // One decision per image: services sharing an image share its pull, and a build section on any of them
  // makes it buildable.
  interface Want {
    readonly ref: string;
    readonly service: string;
    readonly policy: PullPolicy;
    /** The service whose build section makes the image, if any. */
    readonly builder?: string;
    /** `image:` given (an image without one is only ever built, never pulled). */
    readonly named: boolean;
  }
  const wanted = new Map<string, Want>();
  for (const s of services) {
    const ref = serviceImage(project, s);
    const policy = parsePullPolicy(options.pull ?? project.services[s].pull_policy, s);
    const prev = wanted.get(ref);
    const builder = prev?.builder ?? (hasBuild(project, s) ? s : undefined);
    wanted.set(ref, { ref, service: prev?.service ?? s, policy: prev?.policy ?? policy, builder, named: !!project.services[s].image });
  }

  const mustBuild = (w: Want) => !!w.builder && !options.noBuild && (options.build === true || w.policy.kind === 'build');

  // Pulls, all at once: independent of each other and mostly waiting on the registry.
  const failedPulls = new Map<string, unknown>();
  await Promise.all(
    [...wanted.values()]
      .filter((w) => w.named && !mustBuild(w) && pullDue(w.policy, observed[w.ref], now()))
      .map(async (w) => {
        try {
          ids[w.ref] = (await pullImage(engine, w.ref, w.service, emit, !!options.quietPull)) ?? ids[w.ref];
        } catch (err) {
          if (err instanceof BerthError && err.code === ErrorCodes.ENGINE_UNREACHABLE) throw err;
          failedPulls.set(w.ref, err);
        }
      }),
  );
  for (const [ref, err] of failedPulls) {
    const w = wanted.get(ref)!;
    // compose's rule: an image that can be built is built instead; one that cannot fails the run
    if (w.builder && !options.noBuild) {
      emit({ type: 'message', level: 'warning', text: `service "${w.service}": pulling ${ref} failed (${errText(err).split('\n')[0]}); building it instead` });
      continue;
    }
    throw new PullFailedError(err instanceof BerthError ? err.code : ErrorCodes.IMAGE_NOT_FOUND, `service "${w.service}": ${errText(err)}`, { service: w.service, cause: err });
  }

  const toBuild = [...wanted.values()].filter((w) => w.builder && !options.noBuild && (mustBuild(w) || ids[w.ref] === undefined || failedPulls.has(w.ref)));
  if (toBuild.length) {
    const buildEmit: EventSink = options.quietBuild ? (e) => void (e.type !== 'build' && emit(e)) : emit;
    const built = await buildServices(engine, project, toBuild.map((w) => w.builder!), { onEvent: buildEmit, parallel: options.parallel, signal: options.signal });
    for (const b of built) ids[b.image] = b.id;
  }

  for (const w of wanted.values()) {
    if (ids[w.ref] !== undefined) continue;
    const why = w.builder ? 'it is not built and --no-build was given' : w.policy.kind === 'never' ? 'pull_policy is never' : 'it was not pulled';
    throw new OperationError(ErrorCodes.IMAGE_NOT_FOUND, `service "${w.service}": image ${w.ref} is not present locally and ${why}`, { service: w.service });
  }
  return ids;
}
