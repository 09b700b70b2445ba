import type { DryRunOptions } from '../engine/dry-run.js';
import type { Engine } from '../engine/types.js';
import { createReadOnlyEngine } from '../engine/read-only.js';

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

// The dry run the command line asked for (--dry-run), for every engine this process uses. It is applied here,
// where every engine of the API is made, so that no command can write under --dry-run, whatever it does.
let processDryRun: DryRunOptions | undefined;

/** Make every later engine of this process a dry run (writes recorded, not sent); undefined turns it off. */
export function selectDryRun(options: DryRunOptions | undefined): void {
  processDryRun = options;
}

/**
 * The command line's dry run: each write, as it is recorded, is written out as a line of the plan, in the
 * shape `up --dry-run` prints ("<operation> (<cause>)"), followed by what it waits for
 * (" after: <operation>, …"); the cause is the command ("scale", "wait --down-project").
 */
export async function dryRunPrinter(cause: string, write: (text: string) => void): Promise<DryRunOptions> {
  // loaded only for a dry run, as the dry-run engine is: other commands do not pay for them at start-up
  const { planLine, recordedOps } = await import('../ops/plan.js');
  return {
    onWrite: (w, writes) => {
      const ops = recordedOps(writes, cause);
      write(`${planLine(ops[ops.length - 1], new Map(ops.map((o) => [o.id, o])))}\n`);
    },
  };
}

// Set for the CLI's fast attempt at an `up` (cli/fast-up.ts): every engine this process connects to refuses
// writes, and the attempt is told of the first one asked for.
let processReadOnly: ((method: keyof Engine) => void) | undefined;

/** Make every later engine this process connects to refuse writes, calling `onRefused` for each; undefined turns it off. */
export function selectReadOnly(onRefused: ((method: keyof Engine) => void) | undefined): void {
  processReadOnly = onRefused;
}

/**
 * The engine, loaded on first use: the dockerode stack costs start-up time that `config` never pays. Under the
 * process's dry run, it comes wrapped: reads reach the engine, writes are only recorded. Under the process's
 * read-only selection, writes are refused.
 */
export async function connectEngine(options: EngineSelection = {}): Promise<Engine> {
  const { createDockerEngine } = await import('../engine/dockerode/index.js');
  const docker = createDockerEngine({ ...processSelection, ...options });
  const engine = processReadOnly ? createReadOnlyEngine(docker, processReadOnly) : docker;
  return processDryRun ? (await import('../engine/dry-run.js')).createDryRunEngine(engine, processDryRun) : engine;
}

/**
 * The one place an API call gets its engine: the one it was handed, else the one the selection names; a dry
 * run (the call's `dryRun`, or the process's) wraps it, so nothing the call does can change the engine.
 */
export async function engineFor(o: { readonly engine?: Engine; readonly dryRun?: boolean }): Promise<Engine> {
  const engine = o.engine ?? (await connectEngine());
  if (!o.dryRun && !processDryRun) return engine;
  // a dry-run engine is returned as it is (createDryRunEngine does not wrap one twice)
  return (await import('../engine/dry-run.js')).createDryRunEngine(engine, processDryRun ?? {});
}

/** Whether a call runs dry (its own dryRun, or the process's): for what a command writes outside the engine. */
export function runsDry(o: { readonly dryRun?: boolean }): boolean {
  return !!o.dryRun || !!processDryRun;
}
