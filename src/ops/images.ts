// Images a run needs: pulled (or, later, built) before reconciling, so that a changed image id is seen by
// the planner and recreates the containers that use it.
import type { Engine, ImageSummary } from '../engine/types.js';
import { ErrorCodes, OperationError } from '../model/errors.js';
import { noopSink, type EventSink } from '../model/events.js';
import type { Project } from '../model/types.js';
import { serviceImage } from './convert.js';

export interface ImageOptions {
  readonly onEvent?: EventSink;
}

/** Image ref → image id after preparation (undefined: still missing). */
export type ImageIds = Record<string, string | undefined>;

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Make sure every image the given services run exists: missing ones are pulled. */
export async function prepareImages(
  engine: Engine,
  project: Project,
  services: readonly string[],
  observed: Readonly<Record<string, ImageSummary | undefined>>,
  options: ImageOptions = {},
): Promise<ImageIds> {
  const emit = options.onEvent ?? noopSink;
  const ids: ImageIds = Object.fromEntries(Object.entries(observed).map(([k, v]) => [k, v?.id]));
  const wanted = new Map<string, string>();
  for (const s of services) {
    const ref = serviceImage(project, s);
    if (!wanted.has(ref)) wanted.set(ref, s);
  }
  await Promise.all(
    [...wanted].filter(([ref]) => ids[ref] === undefined).map(async ([ref, service]) => {
      emit({ type: 'resource', kind: 'image', name: ref, status: 'working', text: 'Pulling', service });
      try {
        await engine.pullImage(ref);
      } catch (err) {
        emit({ type: 'resource', kind: 'image', name: ref, status: 'error', text: 'Error', service, detail: errText(err) });
        throw new OperationError(ErrorCodes.IMAGE_NOT_FOUND, `service "${service}": image ${ref} is not present and could not be pulled: ${errText(err)}`, { service, cause: err });
      }
      ids[ref] = (await engine.inspectImage(ref))?.id;
      emit({ type: 'resource', kind: 'image', name: ref, status: 'done', text: 'Pulled', service });
    }),
  );
  return ids;
}
