// Container output as compose prints it: "web-1  | line", names padded to the widest, one colour per service.
import type { LogEvent } from '../model/logs.js';
import { createChalk, type ChalkInstance } from './color.js';
import { textWidth } from './table.js';

export interface LogPrinterOptions {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  readonly color: boolean;
  /** Print "name  | " before each line (default true). */
  readonly prefix?: boolean;
  /** Lines a container wrote to stderr go to our stderr (attached up, run); `logs` prints all on stdout. */
  readonly splitStderr?: boolean;
  /** Names known up front, so the padding does not change as containers appear. */
  readonly names?: readonly string[];
}

type Paint = (s: string) => string;

/** The colour cycle, per service in the order services first appear. */
export function colorCycle(chalk: ChalkInstance): Paint[] {
  return [
    chalk.cyan,
    chalk.yellow,
    chalk.green,
    chalk.magenta,
    chalk.blue,
    chalk.cyanBright,
    chalk.yellowBright,
    chalk.greenBright,
    chalk.magentaBright,
    chalk.blueBright,
  ];
}

export interface LogPrinter {
  (event: LogEvent): void;
  /** Make room for names that will appear. */
  addNames(names: readonly string[]): void;
}

export function createLogPrinter(o: LogPrinterOptions): LogPrinter {
  const chalk = createChalk(o.color);
  const cycle = colorCycle(chalk);
  const colors = new Map<string, Paint>();
  let width = 0;
  const paintFor = (service: string): Paint => {
    let p = colors.get(service);
    if (!p) {
      p = cycle[colors.size % cycle.length];
      colors.set(service, p);
    }
    return p;
  };
  const addNames = (names: readonly string[]) => {
    for (const n of names) width = Math.max(width, textWidth(n));
  };
  addNames(o.names ?? []);
  const serviceOf = (display: string) => display.replace(/-\d+$/, '');

  const print = ((e: LogEvent) => {
    switch (e.type) {
      case 'line': {
        addNames([e.display]);
        const prefix = o.prefix === false ? '' : paintFor(e.service)(`${e.display}${' '.repeat(width - textWidth(e.display) + 2)}| `);
        const ts = e.timestamp ? `${e.timestamp} ` : '';
        const out = o.splitStderr && e.stream === 'stderr' ? o.stderr : o.stdout;
        out.write(`${prefix}${ts}${e.text}\n`);
        return;
      }
      case 'attaching':
        addNames(e.displays);
        for (const d of e.displays) paintFor(serviceOf(d));
        o.stdout.write(`Attaching to ${e.displays.join(', ')}\n`);
        return;
      case 'exited':
        o.stdout.write(`${e.display} exited with code ${e.exitCode}\n`);
        return;
      case 'recreated':
        o.stdout.write(`${e.display} has been recreated\n`);
        return;
      case 'notice':
        o.stderr.write(`${e.text}\n`);
        return;
    }
  }) as LogPrinter;
  print.addNames = addNames;
  return print;
}
