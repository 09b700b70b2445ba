// exec and run: a process in a container with the user's terminal or pipes connected. Both go through the API
// (api.exec, api.run); this module only decides TTY and raw mode and maps flags.
import * as api from '../../api/runtime.js';
import { BerthError, ErrorCodes } from '../../model/errors.js';
import { EXIT_SIGINT } from '../exit-codes.js';
import { loadOptions, progressFor, type GlobalOptions } from '../global.js';
import { installInterrupts } from '../signals.js';
import { parseIndex } from './logs.js';

export interface ExecFlags extends GlobalOptions {
  detach?: boolean;
  env?: string[];
  user?: string;
  workdir?: string;
  /** false with -T/--no-TTY (run: also set by -t/--tty) */
  TTY?: boolean;
  /** compose's hidden -t/--tty, as given */
  tty?: boolean;
  privileged?: boolean;
  index?: string;
  /** compose's -i, true unless -i=false: false gives the process no stdin */
  interactive?: boolean;
}

/**
 * Whether the process gets a TTY, as compose decides: unless -T, when berth's stdout is a terminal; run's hidden
 * -t/--tty, when given, decides instead (exec's -t has no effect, in compose too). Asked for a TTY while reading
 * a stdin that is not a terminal, compose refuses, as the docker CLI does ("the input device is not a TTY"):
 * `echo x | berth exec web cat` in a terminal needs -T, as with compose, and `berth exec web cat f > out`
 * gets no TTY, its output byte-exact.
 */
export function ttyFor(o: { TTY?: boolean; tty?: boolean; interactive?: boolean }, command: 'exec' | 'run', streams: { stdin: { isTTY?: boolean }; stdout: { isTTY?: boolean } } = process): boolean {
  const requested = command === 'run' && o.tty !== undefined ? o.TTY !== false : o.TTY !== false && !!streams.stdout.isTTY;
  if (requested && o.interactive !== false && !streams.stdin.isTTY) throw new BerthError(ErrorCodes.USAGE, 'the input device is not a TTY');
  return requested;
}

/**
 * run --env-from-file: each file's variables (dotenv syntax, as env_file), as KEY=VALUE entries, under the -e
 * ones: a variable -e sets, or an earlier file, is kept (compose's rule). Expansion in a file sees those.
 */
async function envFromFiles(files: readonly string[], given: readonly string[]): Promise<string[]> {
  const { parseDotenvTexts, envFileError } = await import('../../config/dotenv.js');
  const { readFileSync } = await import('node:fs');
  const { resolve } = await import('node:path');
  const env: Record<string, string> = Object.fromEntries(given.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  const out: string[] = [];
  for (const f of files) {
    const file = resolve(f);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new BerthError(ErrorCodes.USAGE, `--env-from-file ${f}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    let vars: Record<string, string>;
    try {
      vars = parseDotenvTexts([{ file, text }], (k) => env[k]);
    } catch (err) {
      throw envFileError(err);
    }
    for (const [k, v] of Object.entries(vars)) {
      if (k in env) continue;
      env[k] = v;
      out.push(`${k}=${v}`);
    }
  }
  return out;
}

/** "-e KEY=value" as is; "-e KEY" takes KEY from berth's environment, and is dropped when unset (as docker does). */
export function envFlags(values: readonly string[] | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const v of values ?? []) {
    if (v.includes('=')) out.push(v);
    else if (env[v] !== undefined) out.push(`${v}=${env[v]}`);
  }
  return out;
}

export function terminal(): api.TerminalControl {
  const out = process.stdout;
  return {
    size: () => (out.columns && out.rows ? { rows: out.rows, columns: out.columns } : undefined),
    onResize: (listener) => {
      out.on('resize', listener);
      return () => out.off('resize', listener);
    },
  };
}

/** Raw mode on the user's terminal while fn runs (keys, Ctrl-C included, go to the container's TTY). */
async function withTerminal<T>(tty: boolean, fn: () => Promise<T>): Promise<T> {
  const raw = tty && process.stdin.isTTY;
  if (raw) process.stdin.setRawMode(true);
  try {
    return await fn();
  } finally {
    if (raw) process.stdin.setRawMode(false);
    // the command is over: nothing may keep reading (a pipe left open would keep berth alive)
    process.stdin.pause();
    process.stdin.destroy();
  }
}

export async function execCommand(service: string, cmd: string[], o: ExecFlags): Promise<number> {
  const tty = !o.detach && ttyFor(o, 'exec');
  return withTerminal(tty, () =>
    api.exec({
      project: loadOptions(o),
      service,
      cmd,
      index: parseIndex(o.index),
      detach: o.detach,
      env: envFlags(o.env),
      user: o.user,
      workdir: o.workdir,
      privileged: o.privileged,
      tty,
      stdin: o.detach || o.interactive === false ? undefined : process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      terminal: tty ? terminal() : undefined,
    }),
  );
}

export interface RunFlags extends ExecFlags {
  rm?: boolean;
  entrypoint?: string;
  name?: string;
  /** false with --no-deps */
  deps?: boolean;
  servicePorts?: boolean;
  publish?: string[];
  volume?: string[];
  label?: string[];
  useAliases?: boolean;
  build?: boolean;
  pull?: string;
  quietPull?: boolean;
  quietBuild?: boolean;
  quiet?: boolean;
  envFromFile?: string[];
  removeOrphans?: boolean;
  capAdd?: string[];
  capDrop?: string[];
}

export async function runCommand(service: string, cmd: string[], o: RunFlags): Promise<number> {
  const { parsePortSpec, parseVolumeSpec } = await import('../../config/short-syntax.js');
  const { splitShellWords } = await import('../../model/shellwords.js');
  if (o.servicePorts && o.publish?.length) throw new BerthError(ErrorCodes.USAGE, '--service-ports and --publish are incompatible');
  const usage = (flag: string, err: unknown) => new BerthError(ErrorCodes.USAGE, `invalid ${flag}: ${err instanceof Error ? err.message : String(err)}`);
  const publish = (o.publish ?? []).flatMap((p) => {
    try {
      return parsePortSpec(p);
    } catch (err) {
      throw usage('--publish', err);
    }
  });
  const volumes = (o.volume ?? []).map((v) => {
    try {
      return parseVolumeSpec(v);
    } catch (err) {
      throw usage('--volume', err);
    }
  });
  const labels: Record<string, string> = {};
  for (const l of o.label ?? []) {
    const at = l.indexOf('=');
    labels[at < 0 ? l : l.slice(0, at)] = at < 0 ? '' : l.slice(at + 1);
  }
  const tty = ttyFor(o, 'run') && !o.detach;
  const env = envFlags(o.env);
  if (o.envFromFile?.length) env.push(...(await envFromFiles(o.envFromFile, env)));
  // -q: the progress says nothing (compose's quiet display); the command's own output is the container's
  const progress = await progressFor(o.quiet ? { ...o, progress: 'quiet' } : o);
  const interrupts = o.detach || tty ? undefined : installInterrupts();
  try {
    const r = await withTerminal(tty, async () =>
      api.run({
        project: loadOptions(o),
        service,
        cmd,
        entrypoint: o.entrypoint === undefined ? undefined : splitShellWords(o.entrypoint),
        name: o.name,
        rm: o.rm,
        detach: o.detach,
        env,
        labels,
        publish,
        servicePorts: o.servicePorts,
        volumes,
        workdir: o.workdir,
        user: o.user,
        tty,
        // compose keeps stdin open (-i is on by default) even for a detached one-off; only attaching needs us here
        interactive: o.interactive !== false,
        useAliases: o.useAliases,
        noDeps: o.deps === false,
        build: o.build === true,
        pull: o.pull as never,
        quietPull: o.quietPull,
        quietBuild: o.quietBuild,
        capAdd: o.capAdd,
        capDrop: o.capDrop,
        removeOrphans: o.removeOrphans,
        stdin: process.stdin,
        stdout: process.stdout,
        stderr: process.stderr,
        terminal: tty ? terminal() : undefined,
        interruptSignal: interrupts?.stop,
        killSignal: interrupts?.kill,
        onEvent: progress.onEvent,
        // the progress display ends before the process's output starts
        beforeOutput: () => progress.done(),
      }),
    );
    if (o.detach) process.stdout.write(`${r.id}\n`);
    return interrupts?.kill.aborted ? EXIT_SIGINT : r.exitCode;
  } finally {
    interrupts?.dispose();
    await progress.done();
  }
}
