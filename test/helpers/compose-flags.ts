// compose 2.26's commands and flags: what `compose-ref <command> --help` lists, plus the hidden flags its
// source declares (docker/compose v2.26.1 cmd/compose/*.go, cmd/compatibility/convert.go), with berth's status
// for each. One table for the acceptance test (test/e2e/flags.test.ts) and the section of docs/conformance.md
// it keeps in step.

export interface ComposeFlag {
  readonly long: string;
  readonly short?: string;
  /** pflag's type name ("string", "int", "stringArray", "list", …); undefined for a boolean */
  readonly type?: string;
  readonly hidden?: boolean;
}

/** The Options section of a cobra help text. */
export function parseHelpFlags(help: string): ComposeFlag[] {
  const at = help.indexOf('\nOptions:\n');
  if (at < 0) return [];
  const flags: ComposeFlag[] = [];
  for (const line of help.slice(at).split('\n').slice(2)) {
    if (line.trim() === '') break;
    // a flag's line starts "  -d, --detach" or "      --build"; deeper lines continue a description
    const m = /^ {2}(?:-(\w), | {4})--([\w-]+)(?: ([\w ]+?))?(?:\s{2,}|$)/.exec(line);
    if (!m) continue;
    // pflag takes a back-quoted word of the usage as the type name ("-T, --no-TTY docker compose exec"): a
    // type with spaces is such a quirk, and the flag a boolean
    const type = m[3] && !m[3].includes(' ') ? m[3] : undefined;
    flags.push({ long: m[2]!, ...(m[1] ? { short: m[1] } : {}), ...(type ? { type } : {}) });
  }
  return flags;
}

/** The Commands section of the root help text. */
export function parseHelpCommands(help: string): string[] {
  const at = help.indexOf('\nCommands:\n');
  const out: string[] = [];
  for (const line of help.slice(at).split('\n').slice(2)) {
    const m = /^ {2}([\w-]+)\s{2,}/.exec(line);
    if (!m) break;
    out.push(m[1]!);
  }
  return out;
}

/** Hidden flags from compose's source; '' is the root command. Each with what compose does with it. */
export const HIDDEN_FLAGS: Readonly<Record<string, readonly (ComposeFlag & { note: string })[]>> = {
  '': [
    { long: 'version', short: 'v', note: 'prints the version (as `version`)' },
    { long: 'no-ansi', note: "same as --ansi never, with compose's deprecation warning" },
    { long: 'workdir', type: 'string', note: "same as --project-directory, with compose's deprecation warning" },
    { long: 'verbose', note: 'standalone docker-compose: debug output (berth: BERTH_DEBUG)' },
    { long: 'log-level', type: 'string', note: 'standalone docker-compose: debug/trace turn on debug output' },
    { long: 'debug', short: 'D', note: 'standalone docker-compose: debug output (berth: BERTH_DEBUG)' },
    { long: 'host', short: 'H', type: 'string', note: 'standalone docker-compose: the engine to use' },
    { long: 'context', type: 'string', note: 'standalone docker-compose: the docker context to use' },
    { long: 'tls', note: 'standalone docker-compose: TLS to the engine' },
    { long: 'tlsverify', note: 'standalone docker-compose: TLS to the engine, verified' },
    { long: 'tlscacert', type: 'string', note: 'standalone docker-compose: TLS CA' },
    { long: 'tlscert', type: 'string', note: 'standalone docker-compose: TLS certificate' },
    { long: 'tlskey', type: 'string', note: 'standalone docker-compose: TLS key' },
  ],
  build: [
    { long: 'parallel', note: 'deprecated, no effect' },
    { long: 'compress', note: 'deprecated, no effect' },
    { long: 'force-rm', note: 'deprecated, no effect' },
    { long: 'no-rm', note: 'deprecated, no effect' },
    { long: 'progress', type: 'string', note: "sets the progress output, with compose's warning to use the global flag" },
  ],
  pull: [
    { long: 'parallel', note: 'deprecated, no effect' },
    { long: 'no-parallel', note: "deprecated, no effect, compose's warning" },
  ],
  exec: [
    { long: 'interactive', short: 'i', note: 'default true; -i=false gives the process no stdin' },
    { long: 'tty', short: 't', note: 'no effect (a TTY is decided by -T and the terminal), as in compose' },
  ],
  run: [
    { long: 'tty', short: 't', note: 'decides the TTY; with -T it is an error, as in compose' },
    { long: 'volumes', type: 'stringArray', note: 'compose normalises it to --volume' },
    { long: 'labels', type: 'stringArray', note: 'compose normalises it to --label' },
  ],
  rm: [{ long: 'all', short: 'a', note: 'deprecated, no effect' }],
  cp: [{ long: 'all', note: "deprecated; pflag's deprecation message" }],
  down: [{ long: 'volume', note: "same as --volumes, with compose's warning" }],
  up: [{ long: 'menu', note: 'experimental navigation menu; accepted, no menu in berth' }],
};

/** What berth does not implement, and why. Keyed by command ('watch') or 'command --flag'. */
export const NOT_IMPLEMENTED: Readonly<Record<string, string>> = {};

export const keyOf = (command: string, long: string) => `${command} --${long}`;
