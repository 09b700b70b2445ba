// `push`: send built images to their registries. As in compose, only services that have both a build
// section and an `image:` are pushed (the image name and every build.tags entry); the rest are skipped.
import type { Engine } from '../engine/types.js';
import { BerthError, ErrorCodes, OperationError } from '../model/errors.js';
import { noopSink, type EventSink } from '../model/events.js';
import type { Project } from '../model/types.js';
import { hasBuild } from './build-spec.js';
import { layerReporter } from './images.js';
import { selectServices } from './reconcile.js';

export interface PushOptions {
  readonly services?: readonly string[];
  readonly includeDeps?: boolean;
  readonly ignorePushFailures?: boolean;
  /** No per-layer progress. */
  readonly quiet?: boolean;
  readonly onEvent?: EventSink;
}

export interface PushResult {
  readonly pushed: readonly string[];
  readonly failed: readonly { readonly service: string; readonly image: string; readonly error: string }[];
}

export async function push(engine: Engine, project: Project, options: PushOptions = {}): Promise<PushResult> {
  const emit = options.onEvent ?? noopSink;
  const services = selectServices(project, { services: options.services, noDeps: !options.includeDeps });
  const jobs: { service: string; image: string }[] = [];
  const seen = new Set<string>();
  for (const s of services) {
    const service = project.services[s];
    if (!hasBuild(project, s) || !service.image) {
      emit({ type: 'resource', kind: 'service', name: s, service: s, status: 'done', text: 'Skipped' });
      continue;
    }
    for (const image of [service.image, ...(service.build?.tags ?? [])]) {
      if (seen.has(image)) continue;
      seen.add(image);
      jobs.push({ service: s, image });
    }
  }

  const pushed: string[] = [];
  const failed: { service: string; image: string; error: string; err: unknown }[] = [];
  const pushOne = async ({ service, image }: { service: string; image: string }) => {
    emit({ type: 'resource', kind: 'image', name: image, service, status: 'working', text: 'Pushing' });
    try {
      await engine.pushImage(image, layerReporter(emit, service, !!options.quiet));
      emit({ type: 'resource', kind: 'image', name: image, service, status: 'done', text: 'Pushed' });
      pushed.push(image);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      emit({ type: 'resource', kind: 'image', name: image, service, status: 'error', text: 'Error', detail: error });
      if (err instanceof BerthError && err.code === ErrorCodes.ENGINE_UNREACHABLE) throw err;
      failed.push({ service, image, error, err });
    }
  };
  // Services push in parallel; one service's names one after another. Its names are one image, so the
  // first push uploads the layers and the others find them there. Pushed at once (as compose does), they
  // upload the same blobs to the same repository concurrently, which the registry now and then refuses.
  const byService = new Map<string, { service: string; image: string }[]>();
  for (const j of jobs) byService.set(j.service, [...(byService.get(j.service) ?? []), j]);
  await Promise.all(
    [...byService.values()].map(async (list) => {
      for (const j of list) await pushOne(j);
    }),
  );
  if (failed.length && !options.ignorePushFailures) {
    const first = failed[0];
    throw new OperationError(first.err instanceof BerthError ? first.err.code : ErrorCodes.PUSH_FAILED, `service "${first.service}": ${first.error}`, { service: first.service, cause: first.err });
  }
  for (const f of failed) emit({ type: 'message', level: 'warning', text: `Pushing ${f.service}: ${f.error}` });
  return { pushed, failed: failed.map(({ service, image, error }) => ({ service, image, error })) };
}
