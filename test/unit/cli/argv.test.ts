// The pflag-compatible argv normaliser (src/cli/argv.ts): golden rewrites, then the option values commander
// ends up with for compose's spellings, then compose's errors (messages and exit codes as compose-ref 2.26.1
// prints them for the same command lines).
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { composeStringToBool, normaliseArgv, parseBool, UsageError } from '../../../src/cli/argv.js';
import { containerName, serviceImage, setNameSeparator } from '../../../src/model/labels.js';
import { buildProgram, parseCommandLine } from '../../../src/cli/main.js';

const program = () => {
  const p = buildProgram(async () => {}, { selectEngine: false });
  for (const c of [p, ...p.commands]) c.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {}, outputError: () => {} });
  return p;
};
const rewrite = (...args: string[]) => normaliseArgv(program(), args).argv;

/** The options the command's action would read (its own and the globals), after compose's spellings. */
async function opts(...args: string[]): Promise<Record<string, unknown>> {
  const p = program();
  const action: Command = await parseCommandLine(p, args, {});
  return action.optsWithGlobals();
}
async function args(...argv: string[]): Promise<string[]> {
  const p = program();
  const action = await parseCommandLine(p, argv, {});
  return action.args;
}
function usageError(...args: string[]): { message: string; exitCode: number } {
  try {
    normaliseArgv(program(), args);
  } catch (err) {
    if (err instanceof UsageError) return { message: err.message, exitCode: err.exitCode };
    throw err;
  }
  throw new Error(`accepted: ${args.join(' ')}`);
}

describe('parseBool: strconv.ParseBool spellings', () => {
  it.each([
    ['1', true],
    ['t', true],
    ['T', true],
    ['TRUE', true],
    ['true', true],
    ['True', true],
    ['0', false],
    ['f', false],
    ['F', false],
    ['FALSE', false],
    ['false', false],
    ['False', false],
    ['yes', undefined],
    ['tRUE', undefined],
    ['', undefined],
  ])('%j → %j', (s, v) => expect(parseBool(s)).toBe(v));
});

describe("composeStringToBool: compose's utils.StringToBool (rm's answer, COMPOSE_* variables)", () => {
  it.each([
    ['y', true],
    [' Y ', true],
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', false],
    ['n', false],
    ['', false],
  ])('%j → %j', (s, v) => expect(composeStringToBool(s)).toBe(v));
});

describe('--compatibility: compose v1 names', () => {
  it('joins names with "_" once set, "-" otherwise', async () => {
    try {
      await opts('--compatibility', 'ps');
      expect(containerName('p', 'web', 1)).toBe('p_web_1');
      expect(serviceImage({ name: 'p', services: { web: {} } }, 'web')).toBe('p_web');
    } finally {
      setNameSeparator('-');
    }
    expect(containerName('p', 'web', 1)).toBe('p-web-1');
  });
  it('COMPOSE_COMPATIBILITY=true does the same', async () => {
    try {
      const p = program();
      await parseCommandLine(p, ['ps'], { COMPOSE_COMPATIBILITY: 'true' });
      expect(containerName('p', 'web', 2)).toBe('p_web_2');
    } finally {
      setNameSeparator('-');
    }
  });
});

describe('golden rewrites', () => {
  it.each([
    // combined shorthands, values attached or after '=', flags after arguments (pflag interleaves)
    [['exec', '-it', 'web', 'sh'], ['exec', '--interactive', '--tty', '--', 'web', 'sh']],
    [['up', '-dV'], ['up', '--detach', '--renew-anon-volumes', '--']],
    [['stop', '-t5', 'db'], ['stop', '--timeout=5', '--', 'db']],
    [['stop', '-t=5', 'db'], ['stop', '--timeout=5', '--', 'db']],
    [['stop', '-t', '5', 'db'], ['stop', '--timeout=5', '--', 'db']],
    [['stop', '--timeout', '5', 'db'], ['stop', '--timeout=5', '--', 'db']],
    [['up', 'web', '-d'], ['up', '--detach', '--', 'web']],
    [['logs', 'web', '-fn', '3'], ['logs', '--tail=3', '--follow', '--', 'web']],
    // booleans with values: false is left out (and forced false), a later spelling wins
    [['up', '-d', '--detach=false'], ['up', '--']],
    [['up', '--detach=false', '-d'], ['up', '--detach', '--']],
    [['up', '--no-recreate=true'], ['up', '--no-recreate', '--']],
    [['up', '--no-recreate=false'], ['up', '--']],
    [['ps', '-qa=false'], ['ps', '--quiet', '--']],
    // negative numbers and dashes are values where a value is due
    [['--parallel', '-1', 'pull'], ['--parallel=-1', 'pull', '--']],
    [['exec', '-e', '-x=1', 'web', 'env'], ['exec', '--env=-x=1', '--', 'web', 'env']],
    // repeated options keep every value, in order
    [['-f', 'a.yml', '--file=b.yml', '-fc.yml', 'config'], ['--file=a.yml', '--file=b.yml', '--file=c.yml', 'config', '--']],
    // `--` ends the flags: what follows is an argument even when it looks like one
    [['ps', '--', '-a'], ['ps', '--', '-a']],
    // exec and run stop at their first argument (compose's SetInterspersed(false)): the rest is the command
    [['exec', 'web', 'ls', '-la', '--', 'x'], ['exec', '--', 'web', 'ls', '-la', '--', 'x']],
    [['run', '--rm', 'web', 'sh', '-c', 'echo -d'], ['run', '--rm', '--', 'web', 'sh', '-c', 'echo -d']],
    // the root stops at the command's name: its flags come first
    [['-p', 'x', 'ps', '-a'], ['--project-name=x', 'ps', '--all', '--']],
    // help anywhere among the flags
    [['ps', '-a', '--help'], ['ps', '--help']],
    [['up', '-h'], ['up', '--help']],
    [['--help'], ['--help']],
  ])('%j → %j', (input, expected) => {
    expect(rewrite(...input)).toEqual(expected);
  });
});

describe('option values the action reads', () => {
  it('up -d --detach=false is attached; --detach=1 / =t / =TRUE are detached', async () => {
    expect((await opts('up', '-d', '--detach=false')).detach).toBe(false);
    for (const v of ['1', 't', 'TRUE', 'True']) expect((await opts('up', `--detach=${v}`)).detach).toBe(true);
  });
  it('negated flags: --no-deps=true is --no-deps, --no-deps=false keeps deps', async () => {
    expect((await opts('up', '--no-deps=true')).deps).toBe(false);
    expect((await opts('up', '--no-deps=false')).deps).toBe(true);
    expect((await opts('exec', '-T', 'web', 'ls')).TTY).toBe(false);
    expect((await opts('exec', '-T=false', 'web', 'ls')).TTY).toBe(true);
  });
  it('exec -i=false gives no stdin; exec -it is accepted (both hidden in compose)', async () => {
    expect((await opts('exec', '-i=false', 'web', 'ls')).interactive).toBe(false);
    const o = await opts('exec', '-it', 'web', 'sh');
    expect([o.interactive, o.tty]).toEqual([true, true]);
    expect(await args('exec', '-it', 'web', 'sh', '-c', 'ls -l')).toEqual(['web', 'sh', '-c', 'ls -l']);
  });
  it('run -t decides the TTY; with -T too it is compose\'s usage error', async () => {
    expect((await opts('run', '-t', 'web')).TTY).toBe(true);
    expect((await opts('run', '--tty=false', 'web')).TTY).toBe(false);
    await expect(opts('run', '-t', '-T', 'web')).rejects.toThrow("--tty and --no-TTY can't be used together");
  });
  it('run --volumes/--labels are --volume/--label (compose normalises the names)', async () => {
    const o = await opts('run', '-v', '/a:/a', '--volumes', '/b:/b', '--labels', 'x=1', '-l', 'y=2', 'web');
    expect(o.volume).toEqual(['/a:/a', '/b:/b']);
    expect(o.label).toEqual(['x=1', 'y=2']);
  });
  it('values keep their order and negative numbers', async () => {
    expect((await opts('--parallel', '-1', 'pull')).parallel).toBe('-1');
    expect((await opts('up', '--scale', 'a=2', '--scale=b=3')).scale).toEqual(['a=2', 'b=3']);
    expect((await opts('stop', '-t=1', 'db')).timeout).toBe('1');
  });
  it('flags after arguments (up web -d) and arguments after flags', async () => {
    expect((await opts('up', 'web', '-d')).detach).toBe(true);
    expect(await args('up', 'web', '-d', 'db')).toEqual(['web', 'db']);
  });
  it('--dry-run is persistent: after the command too', async () => {
    expect((await opts('down', '--dry-run')).dryRun).toBe(true);
    expect((await opts('--dry-run', 'down')).dryRun).toBe(true);
  });
  it('down --volume is --volumes (deprecated spelling)', async () => {
    expect((await opts('down', '--volume')).volumes).toBe(true);
  });
  it('build --progress sets the progress; the deprecated build and pull flags are accepted', async () => {
    expect((await opts('build', '--progress', 'plain', '--parallel', '--compress=false', '--force-rm', '--no-rm')).progress).toBe('plain');
    expect((await opts('pull', '--no-parallel', '--parallel=false')).noParallel).toBe(true);
  });
  it('root: --no-ansi is --ansi never, --workdir is --project-directory, --compatibility un-normalises config', async () => {
    expect((await opts('--no-ansi', 'ps')).ansi).toBe('never');
    expect((await opts('--workdir', '/tmp', 'ps')).projectDirectory).toBe('/tmp');
    expect((await opts('--compatibility', 'config')).normalize).toBe(false);
    await expect(opts('--no-ansi', '--ansi', 'always', 'ps')).rejects.toThrow('cannot specify DEPRECATED "--no-ansi" and "--ansi"');
    await expect(opts('--workdir', '/a', '--project-directory', '/b', 'ps')).rejects.toThrow('cannot specify DEPRECATED "--workdir"');
  });
});

describe("compose's usage errors", () => {
  it.each([
    [['ps', '--xyz'], 'unknown flag: --xyz', 16],
    [['--xyz', 'ps'], 'unknown flag: --xyz', 16],
    [['ps', '-Z'], "unknown shorthand flag: 'Z' in -Z", 16],
    [['ps', '-aZ'], "unknown shorthand flag: 'Z' in -Z", 16],
    [['stop', '-at'], "unknown shorthand flag: 'a' in -at", 16],
    [['rm', '-ft'], "unknown shorthand flag: 't' in -t", 16],
    [['logs', '-ftn'], "flag needs an argument: 'n' in -n", 16],
    [['ps', '-p', 'x'], "unknown shorthand flag: 'p' in -p", 16],
    [['stop', '-t'], "flag needs an argument: 't' in -t", 16],
    [['stop', '--timeout'], 'flag needs an argument: --timeout', 16],
    [['stop', '-t', 'abc'], 'invalid argument "abc" for "-t, --timeout" flag: strconv.ParseInt: parsing "abc": invalid syntax', 16],
    [['stop', '-tx'], 'invalid argument "x" for "-t, --timeout" flag: strconv.ParseInt: parsing "x": invalid syntax', 16],
    [['up', '--detach=maybe'], 'invalid argument "maybe" for "-d, --detach" flag: strconv.ParseBool: parsing "maybe": invalid syntax', 16],
    [['ps', '-a=x'], 'invalid argument "x" for "-a, --all" flag: strconv.ParseBool: parsing "x": invalid syntax', 16],
    [['up', '-d=false', '--xyz'], 'unknown flag: --xyz', 16],
    [['exec'], 'requires at least 2 arg(s), only received 0', 1],
    [['exec', '-it'], 'requires at least 2 arg(s), only received 0', 1],
    [['exec', 'web'], 'requires at least 2 arg(s), only received 1', 1],
    [['run'], 'requires at least 1 arg(s), only received 0', 1],
    [['attach'], 'requires at least 1 arg(s), only received 0', 1],
    [['scale'], 'requires at least 1 arg(s), only received 0', 1],
    [['port', 'a'], 'requires at least 2 arg(s), only received 1', 1],
    [['ls', 'foo'], 'unknown command "foo" for "berth ls"', 1],
    [['version', 'x'], 'unknown command "x" for "berth version"', 1],
    [['stats', 'a', 'b'], 'accepts at most 1 arg(s), received 2', 1],
  ])('%j: %s (exit %i)', (input, message, exitCode) => {
    expect(usageError(...input)).toEqual({ message, exitCode });
  });
  it('wait and cp word it as the docker CLI does, with the usage', () => {
    const w = usageError('wait');
    expect(w.exitCode).toBe(1);
    expect(w.message).toMatch(/^"berth wait" requires at least 1 argument\.\nSee 'berth wait --help'\.\n\nUsage: {2}berth wait SERVICE \[SERVICE\.\.\.\] \[OPTIONS\]\n\nBlock until the first service container stops$/);
    expect(usageError('cp', 'a').message).toMatch(/^"berth cp" requires exactly 2 arguments\./);
    expect(usageError('cp', 'a', 'b', 'c').message).toMatch(/^"berth cp" requires exactly 2 arguments\./);
  });
  it("a command's -h: pflag's deprecation note (compose's commands deprecate the shorthand), none for --help or the root's -h", () => {
    expect(normaliseArgv(program(), ['ps', '-h']).stdout).toBe('Flag shorthand -h has been deprecated, please use --help\n');
    expect(normaliseArgv(program(), ['ps', '--help']).stdout).toBeUndefined();
    expect(normaliseArgv(program(), ['-h']).stdout).toBeUndefined();
  });
  it('an unknown command: the help on stdout, the message on stderr, exit 16', () => {
    const p = program();
    let err: UsageError | undefined;
    try {
      normaliseArgv(p, ['xyz']);
    } catch (e) {
      err = e as UsageError;
    }
    expect(err?.exitCode).toBe(16);
    expect(err?.message).toBe('unknown berth command: "xyz"');
    expect(err?.stdout).toContain('Commands:');
  });
});
