import type { Engine } from '../engine/types.js';

/**
 * Which engine to talk to, as the docker CLI's flags say it: `host` is -H/--host (DOCKER_HOST syntax),
 * `context` is --context, and the --tls* flags. What is not given comes from the environment as the docker CLI
 * reads it: DOCKER_HOST, DOCKER_CONTEXT, currentContext in $DOCKER_CONFIG/config.json, DOCKER_TLS_VERIFY, ...
 */
export interface EngineSelection {
  readonly host?: string;
  readonly context?: string;
  readonly tls?: boolean;
  readonly tlsVerify?: boolean;
  readonly tlsCaCert?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

// The selection the command line made, for every engine this process connects to without being handed one
// (the CLI sets it once, from its global flags, before the command runs).
let processSelection: EngineSelection = {};

/** Make `selection` the default of every later connectEngine() in this process (the CLI's global flags). */
export function selectEngine(selection: EngineSelection): void {
  processSelection = { ...selection };
}

/**
 * Fail now, as docker compose does at start-up, when the selection (or DOCKER_CONTEXT, or currentContext) names a
 * context that is not in the store: every command, `config` included. The default context's address is still
 * checked only when the engine is first used, so commands that never use it work with any DOCKER_HOST.
 */
export async function checkEngineSelection(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { contextName, resolveEngine, DEFAULT_CONTEXT } = await import('../engine/dockerode/docker-context.js');
  if (contextName(processSelection, env) !== DEFAULT_CONTEXT) resolveEngine(processSelection, env);
}

/** The real engine, loaded on first use: the dockerode stack costs start-up time that `config` never pays. */
export async function connectEngine(options: EngineSelection = {}): Promise<Engine> {
  const { createDockerEngine } = await import('../engine/dockerode/index.js');
  return createDockerEngine({ ...processSelection, ...options });
}
