// `pull`: fetch the images of the project's services, as compose's pull command decides which:
// services without `image:` have nothing to pull; pull_policy never/build skip; missing/if_not_present skip
// an image already here; anything else (no policy, always, the refresh forms) pulls. A buildable service
// whose pull fails is a warning (it can be built); any other failure fails the command unless ignored.
import type { Engine } from '../engine/types.js';
import { BerthError, ErrorCodes, PullFailedError } from '../model/errors.js';
import { noopSink, type EventSink } from '../model/events.js';
import type { Project } from '../model/types.js';
import { hasBuild } from './build-spec.js';
import { parsePullPolicy, pullImage } from './images.js';
import { selectServices } from './reconcile.js';

export interface PullOptions {
  /** Services named on the command line; empty means all. */
  readonly services?: readonly string[];
  /** Also pull the dependencies of the named services. */
  readonly includeDeps?: boolean;
  readonly ignorePullFailures?: boolean;
  /** Skip services that can be built. */
  readonly ignoreBuildable?: boolean;
  /** --policy missing|always: replaces every service's pull_policy. */
  readonly policy?: 'missing' | 'always';
  /** No per-layer progress. */
  readonly quiet?: boolean;
  readonly onEvent?: EventSink;
}

export interface PullResult {
  readonly pulled: readonly string[];
  readonly failed: readonly { readonly service: string; readonly image: string; readonly error: string }[];
}

export async function pull(engine: Engine, project: Project, options: PullOptions = {}): Promise<PullResult> {
  const emit = options.onEvent ?? noopSink;
  const services = selectServices(project, { services: options.services, noDeps: !options.includeDeps });
  const skip = (service: string, why?: string) =>
    emit({ type: 'resource', kind: 'service', name: service, service, status: 'done', text: 'Skipped', ...(why ? { detail: why } : {}) });

  const being = new Map<string, string>();
  const jobs: { service: string; image: string }[] = [];
  for (const s of services) {
    const service = project.services[s];
    if (!service.image) {
      skip(s, 'No image to be pulled');
      continue;
    }
    const policy = options.policy ? parsePullPolicy(options.policy) : service.pull_policy ? parsePullPolicy(service.pull_policy, s) : undefined;
    if (policy?.kind === 'never' || policy?.kind === 'build') {
      skip(s);
      continue;
    }
    if (policy?.kind === 'missing' && (await engine.inspectImage(service.image))) {
      skip(s, 'Image is already present locally');
      continue;
    }
    if (options.ignoreBuildable && hasBuild(project, s)) {
      skip(s, 'Image can be built');
      continue;
    }
    if (being.has(service.image)) {
      skip(s, `Image is already being pulled by ${being.get(service.image)}`);
      continue;
    }
    being.set(service.image, s);
    jobs.push({ service: s, image: service.image });
  }

  const pulled: string[] = [];
  const failed: { service: string; image: string; error: string; err: unknown }[] = [];
  await Promise.all(
    jobs.map(async ({ service, image }) => {
      try {
        await pullImage(engine, image, service, emit, !!options.quiet);
        pulled.push(image);
      } catch (err) {
        if (err instanceof BerthError && err.code === ErrorCodes.ENGINE_UNREACHABLE) throw err;
        failed.push({ service, image, error: err instanceof Error ? err.message : String(err), err });
      }
    }),
  );

  const mustBuild = failed.filter((f) => hasBuild(project, f.service)).map((f) => f.service);
  const fatal = failed.filter((f) => !hasBuild(project, f.service));
  if (fatal.length && !options.ignorePullFailures) {
    const first = fatal[0];
    throw new PullFailedError(first.err instanceof BerthError ? first.err.code : ErrorCodes.IMAGE_NOT_FOUND, `service "${first.service}": ${first.error}`, { service: first.service, cause: first.err });
  }
  for (const f of fatal) emit({ type: 'message', level: 'warning', text: `service "${f.service}": ${f.error}` });
  if (mustBuild.length) {
    emit({ type: 'message', level: 'warning', text: `Some service image(s) must be built from source by running: berth build ${mustBuild.sort().join(' ')}` });
  }
  return { pulled, failed: failed.map(({ service, image, error }) => ({ service, image, error })) };
}
