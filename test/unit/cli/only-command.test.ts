// Registering only the command a command line names (src/cli/only-command.ts): the program built for those
// arguments must parse them exactly as the full program does, and must not build the other commands.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { normaliseArgv } from '../../../src/cli/argv.js';
import { buildProgram } from '../../../src/cli/main.js';
import { ALONE } from '../../../src/cli/only-command.js';

const build = (args?: string[]) => buildProgram(async () => {}, { selectEngine: false, ...(args ? { args } : {}) });
const flags = (c: Command) => c.options.map((o) => `${o.flags}|${o.description}|${String(o.defaultValue)}|${o.negate}|${o.hidden}`);
/** What commander is handed and what the actions will read, with Commands named instead of compared by identity. */
function parsed(program: Command, args: string[]) {
  const n = normaliseArgv(program, args);
  const named = (m: Map<Command, unknown>) => [...m].map(([c, v]) => [c.name(), v instanceof Set ? [...v] : v]);
  return { argv: n.argv, overrides: named(n.overrides), changed: named(n.changed), stdout: n.stdout };
}

const lines = [
  ['up', '-d'],
  ['-p', 'shop', '--progress', 'quiet', 'up', '-d', '--wait', 'web'],
  ['--dry-run', '-f', 'a.yaml', '-f', 'b.yaml', 'up', '--no-start', '--scale', 'web=2'],
  ['-p', 'up', 'ps', '-a', '--format', 'json'],
  ['--project-name=down', 'ps', '--services'],
  ['ps', '-q', 'web'],
  ['down', '-v', '-t', '3', '--remove-orphans'],
  ['version', '--short'],
  ['logs', '-f', '--tail', '5', 'web'],
  ['exec', '-T', 'web', 'sh', '-c', 'echo hi'],
  ['run', '--rm', '-e', 'A=1', 'web', 'echo', 'x'],
  ['config', '--services'],
  ['--ansi', 'never', 'stop', '-t5'],
  ['restart', 'web', '--no-deps'],
  ['ls', '--all'],
];

describe('only the named command is built', () => {
  for (const args of lines) {
    it(args.join(' '), () => {
      const full = build();
      const only = build(args);
      const name = only.commands.map((c) => c.name());
      // the stand-in registered nothing else
      expect(name).toHaveLength(1);
      expect(ALONE.has(name[0])).toBe(true);
      const fullCmd = full.commands.find((c) => c.name() === name[0])!;
      expect(flags(only.commands[0])).toEqual(flags(fullCmd));
      expect(flags(only)).toEqual(flags(full));
      expect(parsed(only, args)).toEqual(parsed(full, args));
    });
  }

  it('builds every command for help, no command, an unknown one, a root flag it cannot read, or a command not listed', () => {
    const all = build().commands.length;
    for (const args of [[], ['--help'], ['up', '--help'], ['ps', '-h'], ['help', 'up'], ['-v'], ['nosuch'], ['--bogus', 'up'], ['completion', 'bash'], ['stack', 'ls'], ['watch']]) {
      expect(build(args).commands.length, args.join(' ')).toBe(all);
    }
  });

  it('errors for a bad flag of the named command are the full program\'s', () => {
    for (const args of [['up', '--bogus'], ['ps', '-p', 'x'], ['down', '-t', 'soon']]) {
      const err = (p: Command) => {
        try {
          normaliseArgv(p, args);
        } catch (e) {
          return String(e);
        }
        return 'no error';
      };
      expect(err(build(args))).toBe(err(build()));
      expect(err(build())).not.toBe('no error');
    }
  });
});
