// compose's hidden and deprecated flags (docker/compose 2.26 cmd/compose/*.go and the standalone
// docker-compose's root flags): accepted with compose's behaviour and compose's warning, and the checks compose
// makes between flags before running. Applied once commander has parsed, before the action runs.
import { Option, type Command } from 'commander';
import { composeStringToBool, UsageError } from './argv.js';
import { EXIT_CODES } from './exit-codes.js';
import { setNameSeparator } from '../model/labels.js';

/** compose's checks between flags fail before anything runs: exit 1, the message plain (no colour). */
const usage = (message: string) => new UsageError(message, EXIT_CODES.USAGE);

/** compose prints these deprecation notes in red (aec.RedF), terminal or not. */
const red = (text: string) => `\x1b[31m${text}\x1b[0m`;

/**
 * A flag compose accepts but does not list. Its attribute is explicit: commander would read `--no-ansi` as the
 * negation of `--ansi`, where compose has a separate boolean flag named "no-ansi".
 */
export function hiddenFlag(flags: string, attribute: string, description = 'compose compatibility flag (hidden in compose too)'): Option {
  const o = new Option(flags, description).hideHelp();
  o.negate = false;
  o.attributeName = () => attribute;
  return o;
}

/** --compatibility, or COMPOSE_COMPATIBILITY as compose reads it (utils.StringToBool). */
export function compatibilityWanted(flag: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  return flag === true || composeStringToBool(env.COMPOSE_COMPATIBILITY ?? '');
}

export function applyComposeFlagRules(
  program: Command,
  action: Command,
  changed: ReadonlyMap<Command, ReadonlySet<string>>,
  env: NodeJS.ProcessEnv,
  stderr: Pick<NodeJS.WriteStream, 'write'> = process.stderr,
): void {
  const root = program.opts();
  // compose's version command replaces the root's pre-run: no root flag is checked or warned about there
  if (action.name() === 'version') return;
  const rootChanged = changed.get(program) ?? new Set<string>();
  const set = (cmd: Command, key: string, value: unknown) => cmd.setOptionValueWithSource(key, value, 'cli');

  // root: --verbose, -D/--debug, --log-level debug|trace ask for compose's debug output; berth's is BERTH_DEBUG
  if (root.verbose || root.debug || ['debug', 'trace'].includes(String(root.logLevel ?? '').toLowerCase())) env.BERTH_DEBUG ||= '1';
  if (root.noAnsi) {
    if (rootChanged.has('ansi') && root.ansi !== 'auto') {
      throw usage('cannot specify DEPRECATED "--no-ansi" and "--ansi". Please use only "--ansi"');
    }
    set(program, 'ansi', 'never');
    stderr.write("option '--no-ansi' is DEPRECATED ! Please use '--ansi' instead.\n");
  }
  if (root.workdir !== undefined && root.workdir !== '') {
    if (root.projectDirectory !== undefined && root.projectDirectory !== '') {
      throw usage('cannot specify DEPRECATED "--workdir" and "--project-directory". Please use only "--project-directory" instead');
    }
    set(program, 'projectDirectory', root.workdir);
    stderr.write(red("option '--workdir' is DEPRECATED at root level! Please use '--project-directory' instead.\n"));
  }
  // --compatibility (or COMPOSE_COMPATIBILITY): compose v1's names; config prints the model un-normalised
  if (compatibilityWanted(root.compatibility as boolean | undefined, env)) {
    set(program, 'compatibility', true);
    setNameSeparator('_');
  }

  const o = action.opts();
  const mine = changed.get(action) ?? new Set<string>();
  switch (action.name()) {
    case 'build':
      // compose's condition tests --ssh too (a slip in compose 2.26); the warning is the same whenever shown
      if (mine.has('progress') && !o.ssh) stderr.write(`--progress is a global compose flag, better use \`${program.name()} --progress xx build ...\n`);
      break;
    case 'pull':
      if (mine.has('no-parallel') && o.noParallel) stderr.write(red("option '--no-parallel' is DEPRECATED and will be ignored.\n"));
      break;
    case 'down':
      if (mine.has('volume')) stderr.write('WARN[0000] --volume is deprecated, please use --volumes\n');
      break;
    case 'cp':
      if (mine.has('all')) stderr.write('Flag --all has been deprecated, By default all the containers of the service will get the source file/directory to be copied\n');
      break;
    case 'run':
      // -t/--tty is hidden; given, it decides the TTY unless -T is given too
      if (mine.has('tty')) {
        if (mine.has('no-TTY')) throw usage("--tty and --no-TTY can't be used together");
        set(action, 'TTY', o.tty !== false);
      }
      break;
    case 'config':
      if (program.opts().compatibility) set(action, 'normalize', false);
      break;
  }
}
