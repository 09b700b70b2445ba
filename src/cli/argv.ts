// The command line read as compose reads it (cobra/pflag), before commander sees it. commander stays the
// declaration of every command and flag; this module walks the user's argv with each Command's own option
// table and rewrites it into one canonical spelling commander parses without surprises:
//   -it            → -i -t (combined short booleans)        -t5, -t=5     → --timeout=5
//   --detach=false → (omitted, value forced to false)        --opt value   → --opt=value (even "-1")
//   up web -d      → up -d -- web (flags interleave with positional arguments, except where compose stops at
//                    the first one: the root command, exec, run)
// Anything pflag rejects is rejected here with pflag's message and compose's exit code, so the errors a script
// sees are compose's. Boolean values commander cannot express (`--interactive=false` on a flag whose default
// is true) come back as overrides for the action's Command, applied before the action runs.
import type { Command, Option } from 'commander';
import { EXIT_CODES } from './exit-codes.js';

/** compose's exit code for a command line it cannot parse (its CommandSyntaxFailure), from the one table. */
export const EXIT_USAGE = EXIT_CODES.FLAG_USAGE;

export class UsageError extends Error {
  constructor(
    message: string,
    /** 16 for flag errors (pflag), 1 for argument-count errors (cobra's Args validators), as compose exits */
    readonly exitCode: number,
    /** printed on stdout before the message (compose prints its help there for an unknown command) */
    readonly stdout?: string,
  ) {
    super(message);
  }
}

export interface NormalisedArgv {
  /** argv for commander: [global flags…, command, its flags…, '--', positional arguments…] */
  argv: string[];
  /** option values commander cannot be told through argv, per Command, keyed by attribute name */
  overrides: Map<Command, Record<string, unknown>>;
  /** flags the user set, per Command, by long name without dashes (pflag's Flags().Changed) */
  changed: Map<Command, Set<string>>;
  /** printed on stdout before the command runs: pflag's note on a deprecated shorthand (`ps -h`) */
  stdout?: string;
}

/**
 * Flags compose declares as int (pflag IntVar): a non-number is a usage error there, at parse time.
 * Keyed by command name ('' for the root command), long names without dashes.
 */
export const INT_FLAGS: Readonly<Record<string, readonly string[]>> = {
  '': ['parallel'],
  up: ['timeout', 'wait-timeout'],
  down: ['timeout'],
  stop: ['timeout'],
  restart: ['timeout'],
  exec: ['index'],
  logs: ['index'],
  port: ['index'],
  cp: ['index'],
  attach: ['index'],
};

/**
 * Argument counts compose checks before running, and the shape of its message: cobra's own validators
 * ("requires at least 2 arg(s), only received 1") or the docker CLI's (`"docker compose wait" requires at least
 * 1 argument.` followed by the usage). Commands not listed take any number of arguments.
 */
const ARG_RULES: Readonly<Record<string, { min?: number; max?: number; docker?: boolean }>> = {
  attach: { min: 1 },
  exec: { min: 2 },
  run: { min: 1 },
  port: { min: 2 },
  scale: { min: 1 },
  stats: { max: 1 },
  ls: { max: 0 },
  version: { max: 0 },
  wait: { min: 1, docker: true },
  cp: { min: 2, max: 2, docker: true },
};

/** strconv.ParseBool's spellings, which pflag accepts after `--flag=` and `-f=`. */
export function parseBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** compose's utils.StringToBool, for answers and COMPOSE_* variables: "y" or a true ParseBool, any case. */
export function composeStringToBool(value: string): boolean {
  const v = value.trim().toLowerCase();
  return v === 'y' || parseBool(v) === true;
}

const takesValue = (o: Option) => o.required || o.optional;
const longName = (o: Option) => o.long?.replace(/^--/, '');
/** How pflag names a flag in its messages: "-t, --timeout" or "--timeout". */
const display = (o: Option) => (o.short ? `${o.short}, ${o.long}` : `${o.long}`);

/** commander keeps pass-through (compose's SetInterspersed(false)) in a private field; it has no getter. */
function interspersed(cmd: Command): boolean {
  return !(cmd as unknown as { _passThroughOptions?: boolean })._passThroughOptions;
}

interface Parsed {
  flags: string[];
  positionals: string[];
  overrides: Record<string, unknown>;
  changed: Set<string>;
  help: boolean;
  /** help asked for with -h, a shorthand compose deprecates on its commands (not on the root) */
  shortHelp: boolean;
}

/**
 * One command's flags, pflag's way. Options come from the Command and, for persistent ones, nowhere else:
 * commander has no persistent options, so a flag every command must accept (--dry-run) is declared on each.
 * `stopAtFirstPositional` is pflag's SetInterspersed(false).
 */
function parseFlags(cmd: Command, args: string[], stopAtFirstPositional: boolean, cmdKey: string): Parsed & { rest: string[] } {
  const options = cmd.options as readonly Option[];
  const byLong = new Map<string, Option>();
  const byShort = new Map<string, Option>();
  for (const o of options) {
    if (o.long) byLong.set(o.long.slice(2), o);
    if (o.short) byShort.set(o.short.slice(1), o);
  }
  const ints = new Set(INT_FLAGS[cmdKey] ?? []);
  const bools = new Map<Option, boolean>();
  const values: [Option, string][] = [];
  const positionals: string[] = [];
  const changed = new Set<string>();
  let help = false;
  let shortHelp = false;

  const setValue = (o: Option, value: string) => {
    const name = longName(o);
    if (name && ints.has(name) && !(o.optional && value === '') && !/^[+-]?\d+$/.test(value)) {
      throw new UsageError(`invalid argument "${value}" for "${display(o)}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`, EXIT_USAGE);
    }
    values.push([o, value]);
    changed.add(name ?? o.short!.slice(1));
  };
  const setBool = (o: Option, raw: string | undefined) => {
    const v = raw === undefined ? true : parseBool(raw);
    if (v === undefined) throw new UsageError(`invalid argument "${raw}" for "${display(o)}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`, EXIT_USAGE);
    // a later spelling wins, as pflag sets the flag again
    bools.delete(o);
    bools.set(o, v);
    changed.add(longName(o) ?? o.short!.slice(1));
  };

  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      i = args.length;
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      if (stopAtFirstPositional) break;
      positionals.push(a);
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const inline = eq < 0 ? undefined : a.slice(eq + 1);
      if (name === 'help') {
        help = true;
        continue;
      }
      const o = byLong.get(name);
      if (!o) throw new UsageError(`unknown flag: --${name}`, EXIT_USAGE);
      if (!takesValue(o)) setBool(o, inline);
      else if (inline !== undefined) setValue(o, inline);
      else if (o.optional) setValue(o, '');
      else if (i + 1 < args.length) setValue(o, args[++i]!);
      else throw new UsageError(`flag needs an argument: --${name}`, EXIT_USAGE);
      continue;
    }
    // a run of shorthands: booleans until one takes a value, which takes the rest ("-t5", "-t=5") or the next arg
    const shorts = a.slice(1);
    for (let j = 0; j < shorts.length; j++) {
      const c = shorts[j]!;
      if (c === 'h') {
        help = true;
        shortHelp = true;
        continue;
      }
      const o = byShort.get(c);
      // pflag names the shorthands not yet read: `-aZ` → "'Z' in -Z"
      if (!o) throw new UsageError(`unknown shorthand flag: '${c}' in -${shorts.slice(j)}`, EXIT_USAGE);
      const inline = shorts[j + 1] === '=' ? shorts.slice(j + 2) : undefined;
      if (!takesValue(o)) {
        setBool(o, inline);
        if (inline !== undefined) break;
        continue;
      }
      if (inline !== undefined) setValue(o, inline);
      else if (j + 1 < shorts.length) setValue(o, shorts.slice(j + 1));
      else if (o.optional) setValue(o, '');
      else if (i + 1 < args.length) setValue(o, args[++i]!);
      else throw new UsageError(`flag needs an argument: '${c}' in -${shorts.slice(j)}`, EXIT_USAGE);
      break;
    }
  }

  const flags: string[] = [];
  const overrides: Record<string, unknown> = {};
  for (const [o, v] of values) {
    if (o.optional && v === '') flags.push(o.long ?? o.short!);
    else if (o.long) flags.push(`${o.long}=${v}`);
    else flags.push(o.short!, v);
  }
  for (const [o, v] of bools) {
    // a `--no-x` flag set true is commander's negation; set false it is as if not given (compose: no-x=false)
    if (v) flags.push(o.long ?? o.short!);
    else if (!o.negate) overrides[o.attributeName()] = false;
  }
  return { flags, positionals, overrides, changed, help, shortHelp, rest: args.slice(i) };
}

function checkArgs(cmdKey: string, path: string, cmd: Command, positionals: readonly string[]): void {
  const n = positionals.length;
  const rule = ARG_RULES[cmdKey];
  if (!rule) return;
  const usage = () => `\nSee '${path} --help'.\n\nUsage:  ${path} ${cmd.usage()}\n\n${cmd.description()}`;
  if (rule.min !== undefined && n < rule.min) {
    if (!rule.docker) throw new UsageError(`requires at least ${rule.min} arg(s), only received ${n}`, EXIT_CODES.USAGE);
    const exact = rule.max === rule.min;
    throw new UsageError(`"${path}" requires ${exact ? 'exactly' : 'at least'} ${rule.min} argument${rule.min === 1 ? '' : 's'}.${usage()}`, EXIT_CODES.USAGE);
  }
  if (rule.max !== undefined && n > rule.max) {
    if (rule.docker) throw new UsageError(`"${path}" requires exactly ${rule.max} argument${rule.max === 1 ? '' : 's'}.${usage()}`, EXIT_CODES.USAGE);
    if (rule.max === 0) throw new UsageError(`unknown command "${positionals[0]}" for "${path}"`, EXIT_CODES.USAGE);
    throw new UsageError(`accepts at most ${rule.max} arg(s), received ${n}`, EXIT_CODES.USAGE);
  }
}

/**
 * Rewrite `args` (the user's arguments, without node and script) for commander. Throws UsageError where
 * compose would refuse the command line.
 */
/** The command `args` name after the root's flags, when no help is asked for; undefined if none or unparsable. */
export function namedCommand(program: Command, args: readonly string[]): string | undefined {
  try {
    const root = parseFlags(program, [...args], true, '');
    return root.help ? undefined : root.rest[0];
  } catch {
    return undefined;
  }
}

export function normaliseArgv(program: Command, args: readonly string[]): NormalisedArgv {
  const overrides = new Map<Command, Record<string, unknown>>();
  const changed = new Map<Command, Set<string>>();
  // the root command stops at its first positional (the command's name), as compose's root does
  const root = parseFlags(program, [...args], true, '');
  overrides.set(program, root.overrides);
  changed.set(program, root.changed);
  const name = root.rest[0];
  if (root.help || name === undefined) {
    // help, version and a bare `berth` are commander's to print
    return { argv: [...root.flags, ...(root.help ? ['--help'] : []), ...root.rest], overrides, changed };
  }
  const cmd = program.commands.find((c) => c.name() === name || c.aliases().includes(name));
  if (!cmd) {
    throw new UsageError(`unknown ${program.name()} command: "${name}"`, EXIT_USAGE, program.helpInformation());
  }
  // a command with subcommands of its own (`stack deploy`): its flags up to the subcommand's name, as the root's
  let leaf = cmd;
  let key = cmd.name();
  let path = `${program.name()} ${cmd.name()}`;
  const prefix: string[] = [name];
  let rest = root.rest.slice(1);
  while (leaf.commands.length > 0) {
    const group = parseFlags(leaf, rest, true, key);
    overrides.set(leaf, group.overrides);
    changed.set(leaf, group.changed);
    const subName = group.rest[0];
    const next = subName === undefined ? undefined : leaf.commands.find((c) => c.name() === subName || c.aliases().includes(subName));
    if (group.help || !next) {
      // help of the group, or a subcommand commander reports as unknown (with the group's help)
      return { argv: [...root.flags, ...prefix, ...group.flags, ...(group.help ? ['--help'] : []), ...group.rest], overrides, changed };
    }
    prefix.push(...group.flags, next.name());
    leaf = next;
    key = `${key} ${next.name()}`;
    path = `${path} ${next.name()}`;
    rest = group.rest.slice(1);
  }
  const sub = parseFlags(leaf, rest, !interspersed(leaf), key);
  overrides.set(leaf, sub.overrides);
  changed.set(leaf, sub.changed);
  const positionals = [...sub.positionals, ...sub.rest];
  if (sub.help) {
    const note = sub.shortHelp ? 'Flag shorthand -h has been deprecated, please use --help\n' : undefined;
    return { argv: [...root.flags, ...prefix, '--help'], overrides, changed, ...(note ? { stdout: note } : {}) };
  }
  checkArgs(key, path, leaf, positionals);
  return { argv: [...root.flags, ...prefix, ...sub.flags, '--', ...positionals], overrides, changed };
}
