// `stack` commands against a Docker Swarm manager (a drop-in for `docker stack`): load the compose files as a
// project named after the stack, then converge the swarm on it (ops/stack/deploy.ts).
import type { Engine } from '../engine/types.js';
import type { Project } from '../model/types.js';
import { stackDeploy, stackList, stackRemove, stackServices, stackTasks, type StackDeployResult, type StackEntry, type StackServiceEntry, type StackTaskEntry } from '../ops/stack/deploy.js';
import { connectEngine, engineFor } from './engine.js';
import { resolveProject, type ProjectOptions } from './project.js';

export interface StackCallOptions {
  /** DOCKER_HOST syntax; default $DOCKER_HOST */
  readonly host?: string;
  /** An engine to use instead of connecting (tests). */
  readonly engine?: Engine;
  /** Change nothing: the engine's writes are recorded (engine/dry-run.ts), not sent. */
  readonly dryRun?: boolean;
}

export interface StackDeployCallOptions extends StackCallOptions {
  readonly stack: string;
  /** Compose files (-c), the project name set to the stack's. */
  readonly project: ProjectOptions | Project;
  readonly prune?: boolean;
  readonly resolveImage?: 'always' | 'changed' | 'never';
  readonly withRegistryAuth?: boolean;
  readonly detach?: boolean;
  readonly dryRun?: boolean;
  readonly onLine?: (line: string) => void;
  /** Called with the unsupported-key warnings before anything is changed. */
  readonly onWarnings?: (text: string) => void;
}

const engineOf = async (o: StackCallOptions) => engineFor({ engine: o.engine ?? (await connectEngine({ host: o.host })), dryRun: o.dryRun });

export async function deployStack(o: StackDeployCallOptions): Promise<StackDeployResult> {
  const project = await resolveProject('services' in o.project ? o.project : { ...o.project, projectName: o.stack });
  const { unsupportedWarnings } = await import('../ops/stack/convert.js');
  const warnings = unsupportedWarnings(project);
  if (warnings) o.onWarnings?.(warnings);
  return stackDeploy({ ...o, engine: await engineOf(o), project, stack: o.stack });
}

export async function listStacks(o: StackCallOptions = {}): Promise<StackEntry[]> {
  return stackList(await engineOf(o));
}

export async function stackServiceList(stack: string, o: StackCallOptions = {}): Promise<StackServiceEntry[]> {
  return stackServices(await engineOf(o), stack);
}

export async function stackTaskList(stack: string, o: StackCallOptions = {}): Promise<StackTaskEntry[]> {
  return stackTasks(await engineOf(o), stack);
}

/** false when the stack had nothing on the swarm. */
export async function removeStack(stack: string, o: StackCallOptions & { onLine?: (line: string) => void } = {}): Promise<boolean> {
  return stackRemove(await engineOf(o), stack, o.onLine ?? (() => {}));
}

export type { StackDeployResult, StackEntry, StackServiceEntry, StackTaskEntry };
