// start, stop, restart, kill, rm, pause, unpause, wait: thin wrappers over the API.
import { createInterface } from 'node:readline/promises';
import * as api from '../../api/runtime.js';
import { EXIT_OK } from '../exit-codes.js';
import { loadOptions, parallelLimit, parseSeconds, progressFor, type GlobalOptions } from '../global.js';

interface Flags extends GlobalOptions {
  timeout?: string;
  deps?: boolean;
  signal?: string;
  force?: boolean;
  stop?: boolean;
  volumes?: boolean;
  downProject?: boolean;
  removeOrphans?: boolean;
  wait?: boolean;
  waitTimeout?: string;
}

/** --dry-run: the operations, one line each on stdout, as `down --dry-run` prints its plan. */
const planPrinter = () => (line: string) => void process.stdout.write(`${line}\n`);

type Verb = 'start' | 'stop' | 'restart' | 'kill' | 'pause' | 'unpause';

export async function lifecycleCommand(verb: Verb, services: string[], o: Flags): Promise<number> {
  const progress = await progressFor(o);
  try {
    const common = { project: loadOptions(o), services, onEvent: progress.onEvent, parallel: parallelLimit(o), dryRun: o.dryRun, onPlan: planPrinter() };
    const timeout = parseSeconds(o.timeout, '--timeout');
    if (verb === 'start') await api.start({ ...common, wait: o.wait, waitTimeout: parseSeconds(o.waitTimeout, '--wait-timeout') || undefined });
    else if (verb === 'stop') await api.stop({ ...common, timeout });
    else if (verb === 'restart') await api.restart({ ...common, timeout, noDeps: o.deps === false });
    else if (verb === 'kill') await api.kill({ ...common, signal: o.signal, removeOrphans: o.removeOrphans });
    else if (verb === 'pause') await api.pause(common);
    else await api.unpause(common);
  } finally {
    await progress.done();
  }
  return EXIT_OK;
}

/**
 * rm's confirmation, on stdout as compose's: on a terminal a question; otherwise compose prints the list with
 * no line end and reads one word from stdin, removing for "y" or a true value of strconv.ParseBool ("yes" is no).
 */
async function ask(names: readonly string[]): Promise<boolean> {
  if (!process.stdin.isTTY) {
    process.stdout.write(`Going to remove ${names.join(', ')}`);
    const rl = createInterface({ input: process.stdin });
    const line = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    rl.close();
    const { composeStringToBool } = await import('../argv.js');
    return composeStringToBool(line.trim().split(/\s+/)[0]!);
  }
  process.stdout.write(`Going to remove ${names.join(', ')}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question('? Are you sure? (y/N) ')).trim());
  } finally {
    rl.close();
  }
}

/** rm -f asks nothing, but compose still says what it removes, on stdout. */
async function forced(names: readonly string[]): Promise<boolean> {
  process.stdout.write(`Going to remove ${names.join(', ')}\n`);
  return true;
}

export async function rmCommand(services: string[], o: Flags): Promise<number> {
  const progress = await progressFor(o);
  try {
    await api.rm({ project: loadOptions(o), services, stop: o.stop, volumes: o.volumes, onEvent: progress.onEvent, dryRun: o.dryRun, onPlan: planPrinter(), confirm: o.force ? forced : ask });
  } finally {
    await progress.done();
  }
  return EXIT_OK;
}

export async function waitCommand(services: string[], o: Flags): Promise<number> {
  const progress = o.downProject ? await progressFor(o) : undefined;
  try {
    const r = await api.wait({ project: loadOptions(o), services, downProject: o.downProject, onEvent: progress?.onEvent });
    process.stdout.write(`container "${r.id}" exited with status code ${r.exitCode}\n`);
    return r.exitCode;
  } finally {
    await progress?.done();
  }
}
