// A loaded project, kept on disk for the next command with the same inputs. Loading is most of what a no-op
// `up` or a `ps` spends on its own (YAML parsing runs as cold code in a short-lived process: ~10 ms for a
// 10-service file, ~35 ms for 50), and those commands are run again and again on an unchanged project.
//
// An entry is reused only when everything the load depended on is unchanged:
//  - the build of berth that made it (a new build may load differently);
//  - the load options and the working directory (the entry's key);
//  - the whole OS environment (interpolation, COMPOSE_* variables and the project's recorded environment
//    all come from it);
//  - every answer the file system gave the loader: the text of each file read (compose files, .env, env
//    files, label files, included and extended files), and each existence check (so a newly created
//    compose.override.yaml or .env is noticed). config/files.ts is the loader's only door to the disk.
// A load that fails is never stored; stdin and in-memory files are never cached. Entries are files of their
// own (mode 0600: a project holds its environment) under the cache directory, written atomically, and the
// oldest are removed once there are more than MAX_ENTRIES. An entry also holds the services' config hashes,
// which a hit hands to config/hash.ts: a no-op `up` then never loads node:crypto.
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { factHolds, recordFileFacts, type FileFact } from '../config/files.js';
import { rememberConfigHashes, serviceConfigHash } from '../config/hash.js';
import type { LoadOptions } from '../config/index.js';
import { workingDirectory } from '../config/working-directory.js';
import type { Project } from '../model/types.js';

export interface ProjectCacheOptions {
  /** Where entries are kept (created if missing). */
  readonly dir: string;
  /** Identifies the code that loads: entries of another build are never used. */
  readonly build: string;
  /**
   * Write a new entry (and compute the config hashes it carries) after the load has returned, in a later
   * turn of the event loop or at exit, whichever comes first: a command's first engine requests leave
   * before that work, and loading node:crypto, instead of behind it. The CLI sets it.
   */
  readonly deferWrite?: boolean;
}

interface Entry {
  readonly key: string;
  readonly env: string;
  readonly facts: readonly FileFact[];
  readonly project: Project;
  readonly hashes: Readonly<Record<string, string>>;
}

const MAX_ENTRIES = 200;

/** Load options as they decide the result (functions and the environment are handled apart). */
function cacheKey(options: LoadOptions, build: string): string {
  const env = options.env ?? process.env;
  return JSON.stringify([
    build,
    options.cwd ?? workingDirectory(env),
    options.files ?? null,
    options.projectName ?? null,
    options.projectDirectory ?? null,
    options.envFiles ?? null,
    options.dotenv ?? null,
    options.profiles ?? null,
    options.services ?? null,
    options.interpolate ?? null,
    options.normalize ?? null,
    options.resolvePaths ?? null,
    options.discardEnvFiles ?? null,
    options.validate ?? null,
    options.consistency ?? null,
    options.projectNameFromDirectory ?? null,
  ]);
}

/** 64-bit FNV-1a (two 32-bit lanes) in hex: an entry's file name. The entry itself holds the full key. */
export function fileNameHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x0100019d) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/** The environment in one comparable string (sorted, undefined values dropped). */
function envText(env: Readonly<Record<string, string | undefined>>): string {
  const entries = Object.entries(env)
    .filter((e) => e[1] !== undefined)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify(entries);
}

/** Whether a load with these options can be cached at all: only files on disk can be checked again. */
export function cacheable(options: LoadOptions): boolean {
  return !options.configFiles && !options.readStdin && !(options.files ?? []).includes('-');
}

/**
 * loadProjectSync, answered from the cache when its entry is still valid. The loader (the YAML library, the
 * schema, every stage) is imported only on a miss: a hit needs none of it.
 */
export async function loadProjectCached(options: LoadOptions, cache: ProjectCacheOptions): Promise<Project> {
  const loader = () => import('../config/index.js');
  if (!cacheable(options)) return (await loader()).loadProjectSync(options);
  const key = cacheKey(options, cache.build);
  const file = join(cache.dir, `project-${fileNameHash(key)}.json`);
  const env = envText(options.env ?? process.env);
  const hit = readEntry(file);
  if (hit && hit.key === key && hit.env === env && hit.facts.every(factHolds)) {
    rememberConfigHashes(hit.project.services, hit.hashes ?? {});
    return hit.project;
  }

  const { loadProjectSync } = await loader();
  const { result, facts } = recordFileFacts(() => loadProjectSync(options));
  const store = () => {
    const hashes = Object.fromEntries(Object.entries(result.services).map(([name, s]) => [name, serviceConfigHash(s)]));
    writeEntry(cache.dir, file, { key, env, facts, project: result, hashes });
  };
  if (cache.deferWrite) later(store);
  else store();
  return result;
}

const pending = new Set<() => void>();

/** Runs `fn` in a later turn of the event loop, or when the process exits before that (a short command). */
function later(fn: () => void): void {
  if (pending.size === 0) process.once('exit', flushPending);
  pending.add(fn);
  setImmediate(() => {
    if (pending.delete(fn)) fn();
    if (pending.size === 0) process.removeListener('exit', flushPending);
  });
}

function flushPending(): void {
  for (const fn of pending) fn();
  pending.clear();
}

function readEntry(file: string): Entry | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Entry;
  } catch {
    return undefined;
  }
}

/** Best effort: a cache that cannot be written only means the next load parses again. */
function writeEntry(dir: string, file: string, entry: Entry): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
    prune(dir);
  } catch {
    // read-only or full disk: no cache
  }
}

function prune(dir: string): void {
  const names = readdirSync(dir).filter((n) => n.startsWith('project-') && n.endsWith('.json'));
  if (names.length <= MAX_ENTRIES) return;
  const byAge = names
    .map((n) => ({ path: join(dir, n), mtime: statSync(join(dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => a.mtime - b.mtime);
  for (const old of byAge.slice(0, names.length - MAX_ENTRIES / 2)) rmSync(old.path, { force: true });
}
