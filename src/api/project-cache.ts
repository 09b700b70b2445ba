// A loaded project, kept on disk for the next command with the same inputs. Loading is most of what a no-op
// `up` or a `ps` spends on its own (YAML parsing runs as cold code in a short-lived process), and those
// commands are run again and again on an unchanged project. Measured (bench: 20 alternating runs of a no-op
// `up -d` of a 10-service stack, bundled CLI, on a loaded 2-core machine): median 197 ms with the cache,
// 249 ms without it (fastest runs 118 vs 144 ms) before entries were sealed; sealed as below, 344 vs 380 ms
// (fastest 187 vs 218) under heavier load: the ~30 ms a hit saves is kept, less the ~1 ms of digests and AES.
//
// An entry is reused only when everything the load depended on is unchanged:
//  - the build of berth that made it (a new build may load differently);
//  - the load options and the working directory (the entry's key);
//  - the whole OS environment (interpolation, COMPOSE_* variables and the project's recorded environment
//    all come from it);
//  - every answer the file system gave the loader: the text of each file read (compose files, .env, env
//    files, label files, included and extended files), and each existence check (so a newly created
//    compose.override.yaml or .env is noticed). config/files.ts is the loader's only door to the disk.
//
// No value is written in clear (cache directories get uploaded by CI caches): the environment and the files'
// texts are kept as sha256 digests, which is all that deciding reuse needs. The project itself holds values
// (interpolated `environment:`, the recorded environment), so it is stored encrypted (AES-256-GCM) under a
// key derived from those very inputs: the environment and every file text the load read. Whoever can decrypt
// an entry already has everything needed to load the project; an entry says no more than the digests do.
// (Not storing the project at all would cost each no-op command the whole load, the figure above.)
//
// A load that fails is never stored; stdin and in-memory files are never cached. Entries are files of their
// own (0600, in a 0700 directory), written atomically; `down` removes its project's entries, and the cache
// is bounded in count (MAX_ENTRIES) and bytes (MAX_BYTES), oldest removed first. An entry also holds the
// services' config hashes, which a hit hands to config/hash.ts.
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { factHolds, recordingResources, type FileFact } from '../config/files.js';
import { rememberConfigHashes, serviceConfigHash } from '../config/hash.js';
import type { LoadOptions } from '../config/index.js';
import { workingDirectory } from '../config/working-directory.js';
import { nodeCrypto } from '../model/crypto.js';
import { startupMark } from '../model/startup-trace.js';
import type { Project } from '../model/types.js';

export interface ProjectCacheOptions {
  /** Where entries are kept (created if missing). */
  readonly dir: string;
  /** Identifies the code that loads: entries of another build are never used. */
  readonly build: string;
  /**
   * Write a new entry (and compute the config hashes it carries) after the load has returned, in a later
   * turn of the event loop or at exit, whichever comes first: a command's first engine requests leave
   * before that work. The CLI sets it.
   */
  readonly deferWrite?: boolean;
  /**
   * Look entries up, but write and remove nothing: a dry run changes nothing on disk either (the CLI sets it
   * for --dry-run). A miss loads as usual.
   */
  readonly readOnly?: boolean;
  /** @internal tests: told whether a load was answered from the cache. */
  readonly onLookup?: (hit: boolean) => void;
  /** @internal tests: the bounds (default MAX_ENTRIES, MAX_BYTES). */
  readonly maxEntries?: number;
  readonly maxBytes?: number;
}

/** A file-system answer as stored: a file's text only as its digest. */
type StoredFact =
  | { readonly kind: 'text'; readonly path: string; readonly sha256: string }
  | { readonly kind: 'exists' | 'isFile' | 'isSymlink'; readonly path: string; readonly value: boolean }
  /** A resolved path is a location, not file content: kept as it is ('' when it could not be resolved). */
  | { readonly kind: 'realpath'; readonly path: string; readonly value: string };

interface Entry {
  readonly version: 2;
  /** Load options, working directory and build (no values: the environment is not part of it). */
  readonly key: string;
  /** sha256 of the environment. */
  readonly env: string;
  readonly facts: readonly StoredFact[];
  /** AES-256-GCM of { project, hashes }, base64; the key comes from the inputs (see deriveKey). */
  readonly iv: string;
  readonly tag: string;
  readonly sealed: string;
}

interface Sealed {
  readonly project: Project;
  readonly hashes: Readonly<Record<string, string>>;
}

export const MAX_ENTRIES = 64;
export const MAX_BYTES = 32 * 1024 * 1024;
/** A project bigger than this is not stored: one entry must not push every other one out. */
const MAX_ENTRY_BYTES = 8 * 1024 * 1024;

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
    options.resolveEnvironment ?? null,
    options.validate ?? null,
    options.consistency ?? null,
    options.projectNameFromDirectory ?? null,
  ]);
}

/** 64-bit FNV-1a (two 32-bit lanes) in hex: in entries' file names. The entry itself holds the full key. */
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

/** `project-<key hash>-<project name hash>.json`: found by key on a load, by project name on `down`. */
const ENTRY = /^project-([0-9a-f]{16})-([0-9a-f]{16})\.json$/;
const entryName = (key: string, projectName: string) => `project-${fileNameHash(key)}-${fileNameHash(projectName)}.json`;

/** The environment in one comparable string (sorted, undefined values dropped). */
function envText(env: Readonly<Record<string, string | undefined>>): string {
  const entries = Object.entries(env)
    .filter((e) => e[1] !== undefined)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify(entries);
}

const sha256 = (text: string) => nodeCrypto().createHash('sha256').update(text).digest('hex');

/**
 * The entry's encryption key: a digest of everything the project was made from (build, key, environment and
 * every file text read, each length-prefixed so that no two input lists give the same stream).
 */
function deriveKey(key: string, env: string, texts: readonly { path: string; value: string }[]): Buffer {
  const h = nodeCrypto().createHash('sha256');
  const part = (s: string) => h.update(`${Buffer.byteLength(s)}:`).update(s);
  part('berth project cache v2');
  part(key);
  part(env);
  for (const t of texts) {
    part(t.path);
    part(t.value);
  }
  return h.digest();
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
  const env = envText(options.env ?? process.env);
  const hit = lookup(cache.dir, key, env);
  cache.onLookup?.(hit !== undefined);
  startupMark(hit ? 'project from the cache' : 'project cache missed');
  if (hit) {
    rememberConfigHashes(hit.project.services, hit.hashes ?? {});
    return hit.project;
  }

  const { loadProjectSync } = await loader();
  if (cache.readOnly) return loadProjectSync(options);
  // the load reads through a recording loader: its facts are what the entry stays valid on
  const resources = recordingResources();
  const result = loadProjectSync({ ...options, resources });
  const facts = resources.facts;
  const file = join(cache.dir, entryName(key, result.name));
  const store = () => {
    const hashes = Object.fromEntries(Object.entries(result.services).map(([name, s]) => [name, serviceConfigHash(s)]));
    writeEntry(cache, file, seal(key, env, facts, { project: result, hashes }));
  };
  if (cache.deferWrite) later(file, store);
  else store();
  return result;
}

function seal(key: string, env: string, facts: readonly FileFact[], content: Sealed): Entry {
  const crypto = nodeCrypto();
  const texts = facts.flatMap((f) => (f.kind === 'text' ? [{ path: f.path, value: f.value }] : []));
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', deriveKey(key, env, texts), iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(content), 'utf8'), cipher.final()]);
  return {
    version: 2,
    key,
    env: sha256(env),
    facts: facts.map((f) => (f.kind === 'text' ? { kind: 'text', path: f.path, sha256: sha256(f.value) } : f)),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    sealed: sealed.toString('base64'),
  };
}

/** The stored project for this key, if every input it was made from is unchanged. */
function lookup(dir: string, key: string, env: string): Sealed | undefined {
  const prefix = `project-${fileNameHash(key)}-`;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(prefix) && ENTRY.test(n));
  } catch {
    return undefined;
  }
  for (const name of names) {
    const entry = readEntry(join(dir, name));
    if (!entry || entry.version !== 2 || entry.key !== key || entry.env !== sha256(env)) continue;
    const texts: { path: string; value: string }[] = [];
    if (!entry.facts.every((f) => holds(f, texts))) continue;
    try {
      const decipher = nodeCrypto().createDecipheriv('aes-256-gcm', deriveKey(key, env, texts), Buffer.from(entry.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(entry.tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(entry.sealed, 'base64')), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as Sealed;
    } catch {
      // tampered with, or made from other inputs under a colliding name: a miss
    }
  }
  return undefined;
}

/** Whether the file system still gives the answer recorded; a text read is kept for the key. */
function holds(fact: StoredFact, texts: { path: string; value: string }[]): boolean {
  switch (fact.kind) {
    case 'text': {
      let value: string;
      try {
        value = readFileSync(fact.path, 'utf8');
      } catch {
        return false;
      }
      texts.push({ path: fact.path, value });
      return sha256(value) === fact.sha256;
    }
    default:
      // the loader's own check, so a fact kind it records is always judged the way it was recorded
      return factHolds(fact);
  }
}

/**
 * After `down`: the project's entries go (a project taken down is not loaded again soon, and its entries
 * would otherwise stay until pushed out), including one a deferred write of this process has not made yet.
 */
export function forgetProject(cache: ProjectCacheOptions, projectName: string): void {
  if (cache.readOnly) return;
  const suffix = `-${fileNameHash(projectName)}.json`;
  for (const file of pending.keys()) if (file.endsWith(suffix)) pending.delete(file);
  let names: string[];
  try {
    names = readdirSync(cache.dir);
  } catch {
    return; // no cache directory: nothing to forget
  }
  for (const n of names) if (ENTRY.test(n) && n.endsWith(suffix)) removeFile(join(cache.dir, n));
}

const pending = new Map<string, () => void>();

/**
 * How long a deferred write waits: past the command's first engine requests (a build's upgrades and Solve go
 * out ~10-25 ms after the load), so sealing and writing the entry (~5 ms of CPU) does not delay them.
 */
const DEFER_MS = 40;

/** Runs `fn` once the command's first requests are out, or when the process exits before that (a short command). */
function later(file: string, fn: () => void): void {
  if (pending.size === 0) process.once('exit', flushPending);
  pending.set(file, fn);
  // unref'd: a deferred write never keeps a finished command alive (the exit hook writes it)
  setTimeout(() => {
    if (pending.get(file) === fn) {
      pending.delete(file);
      fn();
    }
    if (pending.size === 0) process.removeListener('exit', flushPending);
  }, DEFER_MS).unref();
}

function flushPending(): void {
  for (const fn of pending.values()) fn();
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
function writeEntry(cache: ProjectCacheOptions, file: string, entry: Entry): void {
  const dir = cache.dir;
  try {
    const text = JSON.stringify(entry);
    if (Buffer.byteLength(text) > MAX_ENTRY_BYTES) return;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // a directory made by an older berth, or under a wide umask
    if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
    prune(dir, cache.maxEntries ?? MAX_ENTRIES, cache.maxBytes ?? MAX_BYTES);
  } catch {
    // read-only or full disk: no cache
  }
}

/** Oldest first, entries go until at most maxEntries of at most maxBytes together are left. */
function prune(dir: string, maxEntries: number, maxBytes: number): void {
  const all = readdirSync(dir)
    // entries of older berths (`project-<hash>.json`, holding values in clear) go at once
    .filter((n) => n.startsWith('project-') && n.endsWith('.json'))
    .flatMap((n) => {
      const path = join(dir, n);
      if (!ENTRY.test(n)) {
        removeFile(path);
        return [];
      }
      const st = statSync(path, { throwIfNoEntry: false });
      return st ? [{ path, mtime: st.mtimeMs, size: st.size }] : [];
    })
    .sort((a, b) => b.mtime - a.mtime);
  let bytes = 0;
  all.forEach((e, i) => {
    bytes += e.size;
    if (i >= maxEntries || bytes > maxBytes) removeFile(e.path);
  });
}

/** An entry file removed, if it is still there. unlinkSync, not rmSync: the first rmSync loads Node's rimraf (0.7 ms against 0.1 ms, at the end of every `down`). */
function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already (another command removed it)
  }
}
