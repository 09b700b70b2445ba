// The project name: -p > COMPOSE_PROJECT_NAME > top-level `name:` > project directory's basename.

import path from 'node:path';
import { ConfigError, ErrorCodes } from '../model/errors.js';

const VALID = /^[a-z0-9][a-z0-9_-]*$/;

/** Lowercases and drops what compose does not allow, so a directory name always yields a usable name. */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '').replace(/^[^a-z0-9]+/, '');
}

export const isValidProjectName = (name: string): boolean => VALID.test(name);

export function checkProjectName(name: string): string {
  if (!VALID.test(name)) {
    throw new ConfigError(
      ErrorCodes.INVALID_PROJECT_NAME,
      `invalid project name ${JSON.stringify(name)}: must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`,
    );
  }
  return name;
}

export function resolveProjectName(input: {
  explicit?: string;
  env: Readonly<Record<string, string | undefined>>;
  fromFile?: unknown;
  projectDir: string;
  /** false at the library level: no name from the directory (compose-go's loader behaviour). */
  fromDirectory?: boolean;
}): string {
  // names the user typed are checked strictly; names derived from files and directories are normalized
  if (input.explicit) return checkProjectName(input.explicit);
  if (input.env.COMPOSE_PROJECT_NAME) return checkProjectName(input.env.COMPOSE_PROJECT_NAME);
  if (typeof input.fromFile === 'string' && input.fromFile !== '') {
    const n = normalizeProjectName(input.fromFile);
    if (n) return n;
  }
  const fromDir = input.fromDirectory === false ? '' : normalizeProjectName(path.basename(input.projectDir));
  if (!fromDir) {
    throw new ConfigError(
      ErrorCodes.INVALID_PROJECT_NAME,
      `project name must not be empty: set one with -p, COMPOSE_PROJECT_NAME or a top-level name:` +
        (input.fromDirectory === false ? '' : ` (directory ${JSON.stringify(input.projectDir)} gives none)`),
    );
  }
  return fromDir;
}
