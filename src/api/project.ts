import type { LoadOptions } from '../config/index.js';
import { ConfigError, ErrorCodes } from '../model/errors.js';
import type { Project } from '../model/types.js';
import { loadProjectCached, type ProjectCacheOptions } from './project-cache.js';

export interface ProjectOptions extends LoadOptions {
  /** Reuse a project loaded before from the same, unchanged inputs (see project-cache.ts); the CLI sets it. */
  readonly cache?: ProjectCacheOptions;
}

/** Load, through the project cache when one is given. */
async function load(options: ProjectOptions): Promise<Project> {
  return options.cache ? loadProjectCached(options, options.cache) : (await import('../config/index.js')).loadProject(options);
}

/**
 * The project for commands that can work without a compose file (down, ps): the loaded project when a file
 * is found, otherwise just the name given with -p / COMPOSE_PROJECT_NAME.
 */
export async function loadProjectOrName(options: ProjectOptions): Promise<{ name: string; project?: Project }> {
  try {
    const project = await load(options);
    return { name: project.name, project };
  } catch (err) {
    const name = options.projectName ?? (options.env ?? process.env).COMPOSE_PROJECT_NAME;
    // A missing or empty (truncated) file must not keep the user from taking the stack down by a name given
    // with -p / COMPOSE_PROJECT_NAME, as before "empty compose file" was an error. Other errors in the files
    // are still reported first (a typo there may well be what the user means to fix before down).
    if (err instanceof ConfigError && (err.code === ErrorCodes.CONFIG_NOT_FOUND || err.code === ErrorCodes.EMPTY_FILE) && name) return { name };
    throw err;
  }
}

export const isProject = (p: ProjectOptions | Project | undefined): p is Project => !!p && 'services' in p && 'meta' in p;

export async function resolveProject(p: ProjectOptions | Project | undefined): Promise<Project> {
  return isProject(p) ? p : load(p ?? {});
}

/** The project name, and the project when a compose file is found (commands that work by labels alone). */
export async function resolveName(p: ProjectOptions | Project | undefined): Promise<{ name: string; project?: Project }> {
  return isProject(p) ? { name: p.name, project: p } : loadProjectOrName(p ?? {});
}
