// `berth stack …`: docker stack's commands and flags, output as docker stack prints it.
import { deployStack, listStacks, removeStack, stackServiceList, stackTaskList } from '../../api/swarm-stack.js';
import { serializeConfig } from '../../config/serialize-config.js';
import { resolveProject } from '../../api/project.js';
import { stackPlanText } from '../../ops/stack/deploy.js';
import { BerthError, ErrorCodes } from '../../model/errors.js';
import { createdAgo } from '../../ui/format.js';
import { renderTable } from '../../ui/table.js';
import { EXIT_OK } from '../exit-codes.js';
import { loadOptions, type GlobalOptions } from '../global.js';

interface StackFlags extends GlobalOptions {
  host?: string;
  composeFile?: string[];
  prune?: boolean;
  resolveImage?: string;
  withRegistryAuth?: boolean;
  detach?: boolean;
  quiet?: boolean;
  format?: string;
  skipInterpolation?: boolean;
}

const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(s);

function composeProject(o: StackFlags, stack: string) {
  if (!o.composeFile?.length) throw new BerthError(ErrorCodes.USAGE, 'Please specify a Compose file (with --compose-file)');
  return { ...loadOptions({ ...o, file: o.composeFile, projectName: stack }), projectName: stack };
}

export async function stackDeployCommand(stack: string, o: StackFlags): Promise<number> {
  const resolveImage = (o.resolveImage ?? 'always') as 'always' | 'changed' | 'never';
  if (!['always', 'changed', 'never'].includes(resolveImage)) throw new BerthError(ErrorCodes.USAGE, `Invalid option ${resolveImage} for flag --resolve-image`);
  const detach = o.detach !== false;
  const result = await deployStack({
    stack,
    host: o.host,
    project: composeProject(o, stack),
    prune: o.prune,
    resolveImage,
    withRegistryAuth: o.withRegistryAuth,
    detach,
    dryRun: o.dryRun,
    onWarnings: (w) => err(w),
    onLine: o.quiet ? undefined : (l) => out(`${l}\n`),
  });
  if (o.dryRun) out(stackPlanText(result.plan));
  return EXIT_OK;
}

export async function stackLsCommand(o: StackFlags): Promise<number> {
  const stacks = await listStacks({ host: o.host });
  if (o.format === 'json') out(stacks.map((s) => `${JSON.stringify({ Name: s.name, Namespace: '', Orchestrator: 'Swarm', Services: String(s.services) })}\n`).join(''));
  else out(renderTable(['NAME', 'SERVICES'], stacks.map((s) => [s.name, String(s.services)])));
  return EXIT_OK;
}

export async function stackServicesCommand(stack: string, o: StackFlags): Promise<number> {
  const services = await stackServiceList(stack, { host: o.host });
  if (!services.length) {
    err(`Nothing found in stack: ${stack}\n`);
    return EXIT_OK;
  }
  if (o.quiet) out(services.map((s) => `${s.id}\n`).join(''));
  else if (o.format === 'json') out(services.map((s) => `${JSON.stringify({ ID: s.id.slice(0, 12), Image: s.image, Mode: s.mode, Name: s.name, Ports: s.ports, Replicas: s.replicas })}\n`).join(''));
  else out(renderTable(['ID', 'NAME', 'MODE', 'REPLICAS', 'IMAGE', 'PORTS'], services.map((s) => [s.id.slice(0, 12), s.name, s.mode, s.replicas, s.image, s.ports])));
  return EXIT_OK;
}

export async function stackPsCommand(stack: string, o: StackFlags): Promise<number> {
  const tasks = await stackTaskList(stack, { host: o.host });
  if (!tasks.length) {
    err(`nothing found in stack: ${stack}\n`);
    return 1;
  }
  // "Running 20 seconds ago", as docker stack ps prints the current state
  const state = (t: (typeof tasks)[number]) => (t.since && !Number.isNaN(Date.parse(t.since)) ? `${t.currentState} ${createdAgo(Date.parse(t.since))}` : t.currentState);
  if (o.quiet) out(tasks.map((t) => `${t.id}\n`).join(''));
  else if (o.format === 'json') out(tasks.map((t) => `${JSON.stringify({ CurrentState: state(t), DesiredState: t.desiredState, Error: t.error, ID: t.id.slice(0, 12), Image: t.image, Name: t.name, Node: t.node, Ports: '' })}\n`).join(''));
  else out(renderTable(['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR', 'PORTS'], tasks.map((t) => [t.id.slice(0, 12), t.name, t.image, t.node, t.desiredState, state(t), t.error, ''])));
  return EXIT_OK;
}

export async function stackRmCommand(stacks: string[], o: StackFlags): Promise<number> {
  let code = EXIT_OK;
  for (const stack of stacks) {
    const found = await removeStack(stack, { host: o.host, onLine: (l) => (l.startsWith('Nothing') ? err(`${l}\n`) : out(`${l}\n`)) });
    if (!found) code = EXIT_OK;
  }
  return code;
}

/** The merged compose file, as `docker stack config` prints it. */
export async function stackConfigCommand(o: StackFlags): Promise<number> {
  const project = await resolveProject(composeProject(o, 'stack'));
  // docker stack config prints the file without a top-level name (the stack is named at deploy)
  out(serializeConfig(project, 'yaml').replace(/^name: .*\n/, ''));
  return EXIT_OK;
}
