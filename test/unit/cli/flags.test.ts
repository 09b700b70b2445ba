// The command line's flag table: how flags placed after a subcommand are read, as compose reads them.
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/main.js';

function parse(argv: string[]) {
  const program = buildProgram(async () => {}, { selectEngine: false });
  program.parse(argv, { from: 'user' });
  const cmd = program.commands.find((c) => c.name() === argv.find((a) => !a.startsWith('-')))!;
  return cmd.optsWithGlobals() as Record<string, unknown>;
}

describe('--dry-run is persistent (compose: `docker compose up --dry-run`)', () => {
  it.each([['up', '-d', '--dry-run'], ['down', '--dry-run'], ['start', '--dry-run'], ['stop', '--dry-run'], ['rm', '-f', '--dry-run'], ['ps', '--dry-run'], ['pull', '--dry-run']])('%s … --dry-run', (...argv) => {
    expect(parse(argv).dryRun).toBe(true);
  });
  it('before the subcommand too, and absent when not given', () => {
    expect(parse(['--dry-run', 'up', '-d']).dryRun).toBe(true);
    expect(parse(['up', '-d']).dryRun).toBeUndefined();
  });
  it('other global flags stay global only, as in compose (`ps -p x` is unknown there)', () => {
    const program = buildProgram(async () => {}, { selectEngine: false });
    program.exitOverride().configureOutput({ writeErr: () => {}, outputError: () => {} });
    for (const c of program.commands) c.exitOverride().configureOutput({ writeErr: () => {}, outputError: () => {} });
    expect(() => program.parse(['ps', '--project-name', 'x'], { from: 'user' })).toThrow(/unknown option/);
  });
});
