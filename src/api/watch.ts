// The typed API of `watch`: bring the project up (unless noUp), then act on develop.watch rules as files change,
// until close() (or the signal). `berth watch`, `berth up --watch` and stack.watch() all come through here.
import type { Project } from '../model/types.js';
import { startDevelopWatch, type DevelopWatch, type DevelopWatchOptions, type WatchBatchReport } from '../ops/develop-watch.js';
import { ErrorCodes, OperationError } from '../model/errors.js';
import { buildServices } from '../ops/build.js';
import { watchRules } from '../ops/watch-rules.js';
import { engineFor } from './engine.js';
import { resolveProject } from './project.js';
import { checkServices } from './services.js';
import { up, type CommonOptions } from './up-down.js';

export type { DevelopWatch, DevelopWatchOptions, WatchBatchReport };

export interface WatchCallOptions extends CommonOptions, Omit<DevelopWatchOptions, 'onEvent'> {
  /** Do not build and start the services before watching (`--no-up`). */
  readonly noUp?: boolean;
  /** Aborting stops the watch (as close()). */
  readonly signal?: AbortSignal;
}

export async function watch(options: WatchCallOptions = {}): Promise<DevelopWatch & { readonly project: Project }> {
  const project = await resolveProject(options.project);
  const engine = await engineFor(options);
  // bad rules (or none) fail before anything is created, as every bad input does
  if (!watchRules(project, options.services).length) {
    throw new OperationError(ErrorCodes.USAGE, "none of the selected services is configured for watch, consider setting a 'develop' section");
  }
  checkServices(project, options.services);
  if (!options.noUp) {
    // as compose: services with both develop and build sections are built before they start
    const develop = Object.entries(project.services).filter(([s, svc]) => (!options.services?.length || options.services.includes(s)) && svc.build && (svc as { develop?: unknown }).develop);
    if (develop.length) await buildServices(engine, project, develop.map(([s]) => s), { onEvent: options.onEvent, signal: options.signal });
    await up({ project, engine, services: options.services, onEvent: options.onEvent, signal: options.signal });
  }
  const w = await startDevelopWatch(engine, project, { ...options });
  const onAbort = () => void w.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  void w.done.then(() => options.signal?.removeEventListener('abort', onAbort));
  return Object.assign(w, { project });
}
