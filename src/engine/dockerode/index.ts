// Entry point of the real engine. Importing this module must stay cheap: nothing here (or in what it imports
// statically) loads dockerode; engine.ts imports it dynamically on the first call.
import { EngineError } from '../../model/errors.js';
import type { Engine } from '../types.js';
import { type DockerConnection, parseDockerHost } from './docker-host.js';
import { DockerEngine } from './engine.js';

export { parseDockerHost, type DockerConnection, type DockerHostEnv } from './docker-host.js';
export { DockerEngine } from './engine.js';

export interface DockerEngineOptions {
  /** An engine address in DOCKER_HOST syntax; overrides the DOCKER_HOST environment variable. */
  readonly host?: string;
}

export function createDockerEngine(options?: DockerEngineOptions): Engine & { readonly address: string } {
  let connection: DockerConnection | EngineError;
  try {
    connection = parseDockerHost(options?.host);
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    connection = err;
  }
  return new DockerEngine(connection);
}
