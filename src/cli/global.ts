import { workingDirectory, type LoadOptions } from '../config/index.js';
import type { EventSink } from '../model/events.js';
import { BerthError, ErrorCodes } from '../model/errors.js';

/** Options given before the command, as docker compose spells them. */
export interface GlobalOptions {
  file?: string[];
  projectName?: string;
  projectDirectory?: string;
  envFile?: string[];
  profile?: string[];
  progress?: string;
  ansi?: string;
  parallel?: string;
  dryRun?: boolean;
}

export function loadOptions(g: GlobalOptions, env: NodeJS.ProcessEnv = process.env): LoadOptions {
  const profiles = g.profile?.length ? g.profile : env.COMPOSE_PROFILES ? env.COMPOSE_PROFILES.split(',').filter(Boolean) : undefined;
  return {
    cwd: workingDirectory(env),
    files: g.file?.length ? g.file : undefined,
    projectName: g.projectName,
    projectDirectory: g.projectDirectory,
    envFiles: g.envFile?.length ? g.envFile : undefined,
    profiles,
    env,
  };
}

/** --parallel, else COMPOSE_PARALLEL_LIMIT; -1 or absent means unbounded. */
export function parallelLimit(g: GlobalOptions, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = g.parallel ?? env.COMPOSE_PARALLEL_LIMIT;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new BerthError(ErrorCodes.USAGE, `invalid --parallel value "${raw}": expected a whole number`);
  return n > 0 ? n : undefined;
}

export interface Progress {
  readonly onEvent: EventSink;
  done(): Promise<void>;
}

export function colorWanted(g: GlobalOptions, stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return import('../ui/color.js').then(({ resolveColor }) =>
    resolveColor({ ansi: (g.ansi ?? 'auto') as 'auto' | 'always' | 'never', env, isTTY: !!stream.isTTY }),
  );
}

export async function progressFor(g: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Promise<Progress> {
  const mode = (g.progress ?? env.COMPOSE_PROGRESS ?? 'auto') as 'auto' | 'tty' | 'plain' | 'json' | 'quiet';
  if (!['auto', 'tty', 'plain', 'json', 'quiet'].includes(mode)) {
    throw new BerthError(ErrorCodes.USAGE, `invalid --progress value "${mode}": use auto, tty, plain, json or quiet`);
  }
  const { createProgressRenderer } = await import('../ui/progress.js');
  const color = await colorWanted(g, process.stderr, env);
  const renderer = await createProgressRenderer(mode, { stream: process.stderr, env, color });
  return { onEvent: (e) => renderer.onEvent(e), done: () => renderer.done() };
}

export function parseSeconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new BerthError(ErrorCodes.USAGE, `invalid ${flag} value "${value}": expected a number of seconds`);
  return n;
}
