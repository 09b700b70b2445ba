// Which compose files make the project, and where the project directory is.

import path from 'node:path';
import type { ResourceLoader } from './files.js';
import { ConfigError, ErrorCodes } from '../model/errors.js';

/** In order of preference: the first one found in a directory is the project file. */
export const DEFAULT_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;
export const OVERRIDE_FILE_NAMES = [
  'compose.override.yaml',
  'compose.override.yml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
] as const;

export interface DiscoverInput {
  cwd: string;
  files?: readonly string[];
  /** The environment COMPOSE_FILE / COMPOSE_PATH_SEPARATOR are read from (OS env + .env). */
  env: Readonly<Record<string, string | undefined>>;
  projectDirectory?: string;
  /** Where files are looked for (the load's resource loader). */
  resources: ResourceLoader;
}

export interface Discovered {
  /** Absolute paths, in merge order. */
  readonly files: readonly string[];
  readonly projectDir: string;
  readonly warnings: readonly string[];
}

export function discoverFiles(input: DiscoverInput): Discovered {
  const warnings: string[] = [];
  let given = input.files && input.files.length > 0 ? [...input.files] : undefined;
  if (!given && input.env.COMPOSE_FILE) {
    const sep = input.env.COMPOSE_PATH_SEPARATOR || path.delimiter;
    given = input.env.COMPOSE_FILE.split(sep).filter((f) => f !== '');
  }
  let files: string[];
  if (given) {
    files = given.map((f) => path.resolve(input.cwd, f));
    for (const f of files) {
      if (!input.resources.isFile(f)) {
        if (input.resources.pathExists(f)) throw new ConfigError(ErrorCodes.FILE_UNREADABLE, `read ${f}: is a directory: give -f / COMPOSE_FILE the compose file, not its folder`);
        throw new ConfigError(ErrorCodes.CONFIG_NOT_FOUND, `open ${f}: no such file or directory: check the -f / COMPOSE_FILE path`);
      }
    }
  } else {
    // without -f, compose looks in --project-directory when given, else the working directory (and parents)
    files = findDefaultFiles(path.resolve(input.cwd, input.projectDirectory ?? '.'), warnings, input.resources);
  }
  const projectDir = input.projectDirectory ? path.resolve(input.cwd, input.projectDirectory) : path.dirname(files[0]);
  return { files, projectDir, warnings };
}

function findDefaultFiles(start: string, warnings: string[], resources: ResourceLoader): string[] {
  // compose looks in the working directory, then each parent up to the root
  for (let dir = start; ; dir = path.dirname(dir)) {
    // anything by a default name counts, as in compose: a directory named compose.yaml is then reported as
    // one when read, not passed over for a compose file further up
    const found = DEFAULT_FILE_NAMES.map((n) => path.join(dir, n)).filter((f) => resources.pathExists(f));
    if (found.length > 0) {
      if (found.length > 1) {
        warnings.push(`Found multiple config files with supported names: ${found.join(', ')}; using ${found[0]}`);
      }
      const overrides = OVERRIDE_FILE_NAMES.map((n) => path.join(dir, n)).filter((f) => resources.isFile(f));
      if (overrides.length > 1) {
        warnings.push(`Found multiple override files with supported names: ${overrides.join(', ')}; using ${overrides[0]}`);
      }
      return overrides.length > 0 ? [found[0], overrides[0]] : [found[0]];
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new ConfigError(ErrorCodes.CONFIG_NOT_FOUND, 'no configuration file provided: not found');
}
