// The one check that the services a call names exist. Every API function that takes service names runs it
// once, before it touches the engine; ops below trust the names they are given.
import { NoSuchServiceError } from '../model/errors.js';
import type { Project } from '../model/types.js';

export interface CheckServicesOptions {
  /** Also accept a service of a profile that is not enabled (down and rm may name one whose containers remain). */
  readonly allowDisabled?: boolean;
}

/**
 * Throws NoSuchServiceError for the first name the project does not define. Without a project (a call made by
 * project name alone) there is nothing to check against: the engine's containers say what exists.
 */
export function checkServices(project: Project | undefined, services: Iterable<string> | undefined, options: CheckServicesOptions = {}): void {
  if (!project) return;
  for (const s of services ?? []) {
    if (project.services[s]) continue;
    if (options.allowDisabled && project.meta.disabledServices[s]) continue;
    throw new NoSuchServiceError(s);
  }
}
