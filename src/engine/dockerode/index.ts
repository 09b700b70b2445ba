// Entry point of the real engine. Importing this module must stay cheap: nothing here (or in what it imports
// statically) loads dockerode; engine.ts imports it dynamically on the first call.
import { EngineError } from '../../model/errors.js';
import type { Engine } from '../types.js';
import type { DockerConnection } from './docker-host.js';
import { resolveEngine, type EngineSelection } from './docker-context.js';
import { DockerEngine } from './engine.js';

export { parseDockerHost, type DockerConnection, type DockerHostEnv } from './docker-host.js';
export { resolveEngine, contextName, type EngineSelection } from './docker-context.js';
export { DockerEngine } from './engine.js';

/**
 * Which engine: as the docker CLI picks it. `host` (-H, in DOCKER_HOST syntax) and `context` (--context)
 * override the environment (DOCKER_HOST, DOCKER_CONTEXT, currentContext in $DOCKER_CONFIG/config.json).
 */
export type DockerEngineOptions = EngineSelection;

export function createDockerEngine(options?: DockerEngineOptions): Engine & { readonly address: string } {
  let connection: DockerConnection | EngineError;
  try {
    connection = resolveEngine(options).connection;
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    connection = err;
  }
  return new DockerEngine(connection);
}
