import { logs } from '../../api/runtime.js';
import { BerthError, ErrorCodes } from '../../model/errors.js';
import { parseTimeArg } from '../../model/logs.js';
import { createLogPrinter } from '../../ui/log-prefixer.js';
import { EXIT_OK, EXIT_SIGINT } from '../exit-codes.js';
import { colorWanted, loadOptions, type GlobalOptions } from '../global.js';
import { installInterrupts } from '../signals.js';

interface LogsFlags extends GlobalOptions {
  follow?: boolean;
  tail?: string;
  timestamps?: boolean;
  since?: string;
  until?: string;
  color?: boolean;
  logPrefix?: boolean;
  index?: string;
}

export function parseTail(value: string | undefined): number | 'all' | undefined {
  if (value === undefined || value === 'all') return value;
  const n = Number(value);
  // docker treats a negative or unparsable tail as "all"
  return Number.isInteger(n) && n >= 0 ? n : 'all';
}

export function parseIndex(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new BerthError(ErrorCodes.USAGE, `invalid --index value "${value}": expected a positive whole number`);
  return n;
}

function time(value: string | undefined, flag: string): number | undefined {
  try {
    return parseTimeArg(value);
  } catch (err) {
    throw new BerthError(ErrorCodes.USAGE, `invalid ${flag}: ${(err as Error).message}`);
  }
}

export async function logsCommand(services: string[], o: LogsFlags): Promise<number> {
  const color = o.color !== false && (await colorWanted(o, process.stdout));
  const print = createLogPrinter({ stdout: process.stdout, stderr: process.stderr, color, prefix: o.logPrefix !== false });
  const interrupts = o.follow ? installInterrupts() : undefined;
  try {
    await logs({
      project: loadOptions(o),
      services,
      follow: o.follow,
      tail: parseTail(o.tail),
      timestamps: o.timestamps,
      since: time(o.since, '--since'),
      until: time(o.until, '--until'),
      index: parseIndex(o.index),
      signal: interrupts?.stop,
      onLog: print,
      onNames: (names) => print.addNames(names),
    });
  } finally {
    interrupts?.dispose();
  }
  return interrupts?.stop.aborted ? EXIT_SIGINT : EXIT_OK;
}
