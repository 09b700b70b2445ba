import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ProjectOptions } from '../api/project.js';
import { workingDirectory } from '../config/working-directory.js';
import type { EventSink } from '../model/events.js';
import { BerthError, ErrorCodes } from '../model/errors.js';

/** Set by scripts/bundle-cli.mjs to a fresh id for each build of the CLI bundle; absent when unbundled. */
declare const __BERTH_BUILD__: string | undefined;

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

/**
 * Where the CLI keeps loaded projects (api/project-cache.ts): $BERTH_CACHE_DIR, else $XDG_CACHE_HOME/berth,
 * else ~/.cache/berth. Only the bundled CLI caches, since only its build id says which code made an entry;
 * BERTH_PROJECT_CACHE=0 turns the cache off.
 */
export function projectCache(env: NodeJS.ProcessEnv = process.env): ProjectOptions['cache'] {
  if (typeof __BERTH_BUILD__ !== 'string' || env.BERTH_PROJECT_CACHE === '0') return undefined;
  const dir = env.BERTH_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'berth');
  return { dir, build: __BERTH_BUILD__, deferWrite: true };
}

export function loadOptions(g: GlobalOptions, env: NodeJS.ProcessEnv = process.env): ProjectOptions {
  const profiles = g.profile?.length ? g.profile : env.COMPOSE_PROFILES ? env.COMPOSE_PROFILES.split(',').filter(Boolean) : undefined;
  const cache = projectCache(env);
  return {
    // a dry run reads the cache but leaves it as it was
    ...(cache ? { cache: g.dryRun ? { ...cache, readOnly: true } : cache } : {}),
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
  // quiet and json output have no colour: the colour policy (and chalk) is not even loaded for them
  const color = mode === 'quiet' || mode === 'json' ? false : await colorWanted(g, process.stderr, env);
  // a dry run's progress lines say so, as compose's do: " DRY-RUN MODE -  Container p-web-1  Started" (plain
  // output only: the live region redraws its lines, and json lines must stay JSON)
  const dryPlain = g.dryRun && (mode === 'plain' || (mode === 'auto' && !process.stderr.isTTY));
  // (quiet: no stream at all, so that process.stderr is never made; see createProgressRenderer)
  const stream = mode === 'quiet' ? undefined : dryPlain ? { write: (chunk: string) => process.stderr.write(chunk.replace(/^(?=.)/gm, ' DRY-RUN MODE - ')), isTTY: false } : process.stderr;
  const renderer = await createProgressRenderer(mode, { stream, env, color });
  return { onEvent: (e) => renderer.onEvent(e), done: () => renderer.done() };
}

export function parseSeconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new BerthError(ErrorCodes.USAGE, `invalid ${flag} value "${value}": expected a number of seconds`);
  return n;
}
