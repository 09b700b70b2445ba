// Acceptance for compose's command line (issue 16, items 1 and 5): every command compose-ref 2.26 lists, and
// every flag of each (from `compose-ref <command> --help`, with the hidden ones of compose's source beside it,
// test/helpers/compose-flags.ts), is accepted by berth's parser in every spelling pflag accepts, and ends up as
// the value the command reads. Parsing runs in-process through buildProgram() (actions stubbed out); compose's
// usage errors are compared side by side with compose-ref. The flags table of docs/conformance.md is generated
// from the same data (UPDATE_CONFORMANCE_DOC=1 rewrites it; otherwise a stale table fails).
import type { Command, Option } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram, parseCommandLine } from '../../src/cli/main.js';
import { setNameSeparator } from '../../src/model/labels.js';
import { berth, composeRef, repoRoot } from '../helpers/e2e.js';
import {
  HIDDEN_FLAGS,
  keyOf,
  NOT_IMPLEMENTED,
  parseHelpCommands,
  parseHelpFlags,
  type ComposeFlag,
} from '../helpers/compose-flags.js';

interface ComposeCommand {
  readonly name: string; // '' for the root
  readonly flags: readonly (ComposeFlag & { note?: string })[];
}

let commands: ComposeCommand[] = [];

beforeAll(async () => {
  const root = await composeRef(['--help']);
  // CI installs compose-ref (scripts/setup-test-env.sh): without it this test must fail, not skip
  expect(root.code, `compose-ref --help: ${root.stderr}`).toBe(0);
  const names = parseHelpCommands(root.stdout);
  expect(names.length).toBeGreaterThan(25);
  const helps = await Promise.all(names.map((n) => composeRef([n, '--help'])));
  const withHidden = (name: string, listed: ComposeFlag[]) => [
    ...listed.filter((f) => f.long !== 'help'),
    ...(HIDDEN_FLAGS[name] ?? []).map((f) => ({ ...f, hidden: true })),
  ];
  commands = [{ name: '', flags: withHidden('', parseHelpFlags(root.stdout)) }, ...names.map((name, i) => ({ name, flags: withHidden(name, parseHelpFlags(helps[i]!.stdout)) }))];
}, 120_000);

afterEach(() => setNameSeparator('-'));

const notImplemented = (command: string, long?: string) => NOT_IMPLEMENTED[command] ?? (long ? NOT_IMPLEMENTED[keyOf(command, long)] : undefined);

/** Arguments each command needs to be valid at all (compose's argument counts). */
const POSITIONALS: Readonly<Record<string, readonly string[]>> = {
  exec: ['web', 'true'],
  run: ['web'],
  port: ['web', '80'],
  cp: ['web:/a', '/b'],
  attach: ['web'],
  scale: ['web=2'],
  wait: ['web'],
};
/** compose stops reading flags at the first argument of these (SetInterspersed(false)). */
const NOT_INTERSPERSED = new Set(['exec', 'run']);

function quietProgram(): Command {
  const p = buildProgram(async () => {}, { selectEngine: false });
  for (const c of [p, ...p.commands]) c.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {}, outputError: () => {} });
  return p;
}

/** The option values berth's command reads for `argv`, and the option declaring `long` there. */
async function parse(command: string, long: string, argv: string[]): Promise<{ value: unknown; option: Option }> {
  const program = quietProgram();
  const owner = command === '' ? program : program.commands.find((c) => c.name() === command)!;
  const option = owner.options.find((o) => o.long === `--${long}`);
  if (!option) throw new Error(`berth ${command} has no --${long}`);
  await parseCommandLine(program, argv, {}, { write: () => true });
  return { value: owner.getOptionValue(option.attributeName()), option };
}

/** argv for one spelling of a flag: before the arguments, or after them where compose interleaves. */
function argvFor(command: string, spelling: string[], after = false): string[] {
  if (command === '') return [...spelling, 'ps'];
  const pos = POSITIONALS[command] ?? [];
  return after ? [command, ...pos, ...spelling] : [command, ...spelling, ...pos];
}

const BOOL_SPELLINGS: [string, boolean][] = [
  ['', true],
  ['=true', true],
  ['=false', false],
  ['=1', true],
  ['=0', false],
  ['=t', true],
  ['=F', false],
  ['=TRUE', true],
  ['=False', false],
];

describe('every compose 2.26 command and flag, in every pflag spelling', () => {
  it('compose-ref lists the commands and flags this test knows of', () => {
    expect(commands.map((c) => c.name)).toEqual(expect.arrayContaining(['', 'up', 'down', 'exec', 'run', 'ps', 'watch']));
    expect(commands.find((c) => c.name === 'stop')!.flags).toContainEqual({ long: 'timeout', short: 't', type: 'int' });
    expect(commands.find((c) => c.name === 'exec')!.flags).toContainEqual({ long: 'no-TTY', short: 'T' });
  });

  it('berth knows every command (or says why not)', () => {
    const program = quietProgram();
    for (const { name } of commands.slice(1)) {
      if (notImplemented(name)) continue;
      expect(program.commands.some((c) => c.name() === name), `berth ${name}`).toBe(true);
    }
  });

  it('booleans: --x, --x=true|false|1|0|t|F|TRUE|False, -s, -s=false, combined -sX, and after the arguments', async () => {
    let checked = 0;
    for (const { name, flags } of commands) {
      if (notImplemented(name)) continue;
      const shortBools = flags.filter((f) => !f.type && f.short && f.long !== 'version');
      for (const f of flags) {
        if (f.type || notImplemented(name, f.long) || f.long === 'version') continue;
        const spellings: [string[], boolean][] = BOOL_SPELLINGS.map(([suffix, v]) => [[`--${f.long}${suffix}`], v]);
        if (f.short) {
          spellings.push([[`-${f.short}`], true], [[`-${f.short}=false`], false], [[`-${f.short}=1`], true]);
          const other = shortBools.find((o) => o.short !== f.short);
          if (other) spellings.push([[`-${other.short}${f.short}`], true], [[`-${f.short}${other.short}`], true]);
        }
        for (const [spelling, v] of spellings) {
          for (const after of name !== '' && !NOT_INTERSPERSED.has(name) ? [false, true] : [false]) {
            const argv = argvFor(name, spelling, after);
            const { value, option } = await parse(name, f.long, argv).catch((err: Error) => {
              throw new Error(`berth ${argv.join(' ')}: ${err.message}`);
            });
            // a `--no-x` flag is commander's negation: set, the attribute is false; set false, it is not false
            if (option.negate) expect(v ? value === false : value !== false, `berth ${argv.join(' ')} → ${String(value)}`).toBe(true);
            else expect(!!value, `berth ${argv.join(' ')} → ${String(value)}`).toBe(v);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('values: --x v, --x=v, -s v, -sv, -s=v, repeated, negative numbers, and after the arguments', async () => {
    let checked = 0;
    for (const { name, flags } of commands) {
      if (notImplemented(name)) continue;
      for (const f of flags) {
        if (!f.type || notImplemented(name, f.long)) continue;
        const v = f.type === 'int' ? '-1' : 'x1';
        const w = f.type === 'int' ? '7' : 'x2';
        const spellings: string[][] = [[`--${f.long}`, v], [`--${f.long}=${v}`]];
        if (f.short) spellings.push([`-${f.short}`, v], [`-${f.short}${v}`], [`-${f.short}=${v}`]);
        for (const spelling of spellings) {
          for (const after of name !== '' && !NOT_INTERSPERSED.has(name) ? [false, true] : [false]) {
            const argv = argvFor(name, spelling, after);
            const { value } = await parse(name, f.long, argv);
            expect(Array.isArray(value) ? value : [value], `berth ${argv.join(' ')}`).toContain(v);
            checked++;
          }
        }
        // repeated: a list keeps both, a single value takes the last
        const argv = argvFor(name, [`--${f.long}`, v, `--${f.long}=${w}`]);
        const { value } = await parse(name, f.long, argv);
        if (Array.isArray(value)) expect(value, `berth ${argv.join(' ')}`).toEqual([v, w]);
        else expect(value, `berth ${argv.join(' ')}`).toBe(w);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it("int flags refuse a non-number as compose does (pflag's message)", async () => {
    for (const { name, flags } of commands) {
      for (const f of flags) {
        if (f.type !== 'int' || notImplemented(name, f.long)) continue;
        const program = quietProgram();
        const argv = argvFor(name, [`--${f.long}`, 'abc']);
        const shown = f.short ? `-${f.short}, --${f.long}` : `--${f.long}`;
        await expect(parseCommandLine(program, argv, {}), `berth ${argv.join(' ')}`).rejects.toThrow(
          `invalid argument "abc" for "${shown}" flag: strconv.ParseInt: parsing "abc": invalid syntax`,
        );
      }
    }
  });

  it('`--` ends the flags: what follows is an argument', async () => {
    const program = quietProgram();
    const action = await parseCommandLine(program, ['ps', '-a', '--', '-q'], {});
    expect(action.opts().quiet).toBeUndefined();
    expect(action.args).toEqual(['-q']);
  });
});

describe("usage errors, side by side with compose-ref: same exit code and message (compose's 'docker compose' is berth's 'berth')", () => {
  it.each(
    [
    ['ps', '--xyz'],
    ['--xyz', 'ps'],
    ['ps', '-Z'],
    ['ps', '-aZ'],
    ['ps', '-p', 'x'],
    ['stop', '-t'],
    ['stop', '--timeout'],
    ['stop', '-t', 'abc'],
    ['stop', '-tx'],
    ['up', '--detach=maybe'],
    ['up', '-d=yes'],
    ['ps', '-a=x'],
    ['exec'],
    ['exec', '-it'],
    ['exec', 'web'],
    ['run'],
    ['attach'],
    ['scale'],
    ['port', 'web'],
    ['ls', 'foo'],
    ['version', 'x'],
    ['stats', 'a', 'b'],
    ['wait'],
    ['cp', 'a'],
    ].map((argv) => [argv.join(' '), argv]),
  )('%s', async (_name, argv) => {
    const [c, b] = await Promise.all([composeRef(['-p', 'nope', ...argv]), berth(['-p', 'nope', ...argv])]);
    expect(b.code, b.stderr).toBe(c.code);
    // the first line: the docker CLI's messages go on with the usage, whose synopsis is each tool's own
    const first = (s: string) => s.split('\n')[0]!.replaceAll('docker compose', 'berth');
    expect(first(b.stderr)).toBe(first(c.stderr));
    expect(b.stdout).toBe('');
  });

  it('an unknown command: exit 16, the help on stdout, one line on stderr, as compose', async () => {
    const [c, b] = await Promise.all([composeRef(['xyz']), berth(['xyz'])]);
    expect([b.code, c.code]).toEqual([16, 16]);
    expect(c.stdout).toContain('Commands:');
    expect(b.stdout).toContain('Commands:');
    expect(b.stderr).toBe('unknown berth command: "xyz"\n');
  });

  it('deprecated flags warn as compose does', async () => {
    const dir = repoRoot;
    const noAnsi = await berth(['--no-ansi', '-p', 'nope', 'ls', '-q'], { cwd: dir });
    expect(noAnsi.stderr).toContain("option '--no-ansi' is DEPRECATED ! Please use '--ansi' instead.\n");
    const [c, b] = await Promise.all([composeRef(['--no-ansi', '--ansi', 'always', 'ls']), berth(['--no-ansi', '--ansi', 'always', 'ls'])]);
    expect(b.stderr.trim()).toBe(c.stderr.trim());
    expect(b.code).toBe(c.code);
  });
});

// ---- docs/conformance.md: the flags table, from the same data ----

const BEGIN = '<!-- flags-table:begin (generated by test/e2e/flags.test.ts; UPDATE_CONFORMANCE_DOC=1 to rewrite) -->';
const END = '<!-- flags-table:end -->';

function statusOf(command: string, f: ComposeFlag & { note?: string; hidden?: boolean }): string {
  const reason = notImplemented(command, f.long);
  if (reason) return reason;
  if (f.hidden) return `hidden in compose; ${f.note ?? 'accepted'}`;
  return 'implemented';
}

function flagsTable(): string {
  const lines = [BEGIN, '', '| command | flag | type | status |', '|---|---|---|---|'];
  for (const c of commands) {
    const cmd = c.name === '' ? '(global)' : c.name;
    if (c.name && notImplemented(c.name)) lines.push(`| ${cmd} | (all) | | ${notImplemented(c.name)} |`);
    for (const f of c.flags) {
      if (c.name && notImplemented(c.name)) continue;
      const spelled = `${f.short ? `-${f.short}, ` : ''}--${f.long}`;
      lines.push(`| ${cmd} | \`${spelled}\` | ${f.type ?? 'bool'} | ${statusOf(c.name, f)} |`);
    }
  }
  lines.push('', END);
  return lines.join('\n');
}

describe('docs/conformance.md', () => {
  it('lists every compose 2.26 command and flag with its status in berth', () => {
    const path = join(repoRoot, 'docs', 'conformance.md');
    const doc = readFileSync(path, 'utf8');
    const table = flagsTable();
    const start = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    if (process.env.UPDATE_CONFORMANCE_DOC === '1') {
      writeFileSync(path, start >= 0 && end > start ? doc.slice(0, start) + table + doc.slice(end + END.length) : `${doc.trimEnd()}\n\n${table}\n`);
      return;
    }
    expect(start, 'docs/conformance.md has no flags table; run with UPDATE_CONFORMANCE_DOC=1').toBeGreaterThanOrEqual(0);
    expect(doc.slice(start, end + END.length)).toBe(table);
  });
});
