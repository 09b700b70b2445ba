// Registering only the command a command line runs (issue 19). Building all 44 commands with their ~260 options
// is commander work done on every start (Option objects, flag parsing, an event listener per option) although
// one command runs; on a no-op `up` that was ~3 ms of the ~12 between evaluating the bundle and the first
// engine request. When argv plainly names one of the commands below (no help asked for), the others are not
// built: their `program.command(...)` chains get a stand-in that accepts every call and does nothing. Anything
// else (help, no command, an unknown or abbreviated name, a root flag the root does not know) builds everything,
// so what is printed for those is unchanged. Commands that look at other commands (completion) are not listed.
import type { Command } from 'commander';
import { namedCommand } from './argv.js';

export const ALONE: ReadonlySet<string> = new Set([
  'up', 'down', 'ps', 'version', 'start', 'stop', 'restart', 'logs', 'ls', 'exec', 'run', 'create', 'rm', 'kill', 'pause',
  'unpause', 'images', 'top', 'port', 'config', 'pull', 'push', 'build', 'events', 'wait',
]);

/** A chain of registration calls that registers nothing. */
const nothing: any = new Proxy(function nothing() {}, { get: () => () => nothing });

/**
 * When `args` (the user's, after node and script) name one command of ALONE, make `program.command()` build only
 * that one until the returned function is called; undefined otherwise. The root's options must be declared.
 */
export function registerOnlyNamed(program: Command, args: readonly string[]): (() => void) | undefined {
  if (args.some((a) => a === '-h' || a === '--help' || a === 'help')) return undefined;
  const name = namedCommand(program, args);
  if (name === undefined || !ALONE.has(name)) return undefined;
  const real = program.command.bind(program) as (...a: unknown[]) => Command;
  (program as unknown as { command: (...a: unknown[]) => Command }).command = (nameAndArgs: unknown, ...rest: unknown[]) =>
    typeof nameAndArgs === 'string' && nameAndArgs.split(' ')[0] === name ? real(nameAndArgs, ...rest) : nothing;
  return () => {
    delete (program as unknown as { command?: unknown }).command;
  };
}
