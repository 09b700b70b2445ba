// One `up` at a time per project and user: two processes converging the same project would both see a
// service missing and both create it (duplicates, or a name conflict). The lock is a file created exclusively
// (O_EXCL) holding its owner (pid, process start time, boot id, PID namespace, since when); a lock whose owner
// is gone, or whose PID now belongs to another process, is stale and taken over.
//
// The locks live in a directory of the user's own (mode 0700): $BERTH_LOCK_DIR, else <tmpdir>/berth-locks-<uid>
// (not $XDG_RUNTIME_DIR: a login shell has it and a cron job does not, and both must find the same lock). A directory shared by every user would have to be writable by all and
// would let one user's stale lock block the others (and its owner's umask decide who may remove it). Per
// user means two users running `up` on one project at the same moment are not serialized: compose has no
// lock at all, and the engine's name conflicts still keep them from creating duplicates silently.
// Synchronous file calls: they take microseconds, and a first asynchronous one would start libuv's thread
// pool, ~10 ms of every `up`.
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, OperationError } from '../model/errors.js';
import { hostIdentity, processState, samePidNamespace, selfRecord, type ProcessRecord } from './host-identity.js';

/** How long `up` waits for another `up` of the same project before giving up. */
export const LOCK_TIMEOUT_MS = 10 * 60_000;

export function lockDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BERTH_LOCK_DIR) return env.BERTH_LOCK_DIR;
  return join(tmpdir(), `berth-locks-${process.getuid?.() ?? 'user'}`);
}

/** The lock directory, made if missing; one another user made or can write to is refused, not used. */
function ensureLockDir(dir: string): void {
  // (made only when missing: one system call less on every `up` after the first)
  let st = lstatSync(dir, { throwIfNoEntry: false });
  if (!st) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    st = lstatSync(dir);
  }
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) {
    throw new OperationError(ErrorCodes.LOCK_DIRECTORY, `the lock directory ${dir} is not a directory of this user's: remove it, or set BERTH_LOCK_DIR to a directory of yours`);
  }
  // made by an older berth (0755) or under a wide umask: narrowed, it is ours
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

interface LockOwner extends ProcessRecord {
  /** ms since the epoch */
  readonly since?: number;
}

/** A lock file's owner; older berths wrote the bare pid. undefined: being written right now (empty). */
export function parseLockFile(text: string): LockOwner | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (/^\d+$/.test(t)) return { pid: Number(t) };
  try {
    const o = JSON.parse(t) as Partial<LockOwner>;
    if (typeof o.pid === 'number') return o as LockOwner;
  } catch {
    // a torn or foreign file: judged below as an owner that cannot be checked
  }
  return { pid: 0 };
}

/**
 * Whether the lock's owner is certainly gone: its PID is free or went to a process started at another time,
 * or it ran on an earlier boot. An owner in another PID namespace (a container sharing this directory)
 * cannot be checked: it is waited for. A lock without boot id (an older berth) is judged by PID alone.
 */
function stale(owner: LockOwner): boolean {
  const here = hostIdentity();
  if (owner.boot === undefined) return processState(owner.pid) === 'gone';
  if (owner.boot !== here.boot) return true;
  if (!samePidNamespace(owner, here)) return false;
  return processState(owner.pid, owner.startTime) !== 'alive';
}

/** The running process behind a pid, for messages: its command line with `KEY=value` arguments cut to `KEY=…`. */
function commandOf(pid: number): string | undefined {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const shown = args.map((a) => (a.includes('=') ? `${a.slice(0, a.indexOf('='))}=…` : a)).join(' ');
    return shown.length > 120 ? `${shown.slice(0, 119)}…` : shown || undefined;
  } catch {
    return undefined;
  }
}

function describeHolder(owner: LockOwner): string {
  const parts = [`pid ${owner.pid}`];
  const cmd = samePidNamespace(owner) ? commandOf(owner.pid) : undefined;
  if (cmd) parts.push(`(${cmd})`);
  if (!samePidNamespace(owner) && owner.boot !== undefined) parts.push(`in another PID namespace${owner.hostname ? ` on ${owner.hostname}` : ''}`);
  if (owner.since) parts.push(`since ${new Date(owner.since).toISOString()}`);
  return parts.join(' ');
}

function duration(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}` : `${Math.round(ms / 100) / 10}s`;
}

export interface LockOptions {
  /** default LOCK_TIMEOUT_MS */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Told once, when the lock is held by another process and waiting begins: one line saying for what. */
  readonly onWait?: (message: string) => void;
  /** default lockDir() */
  readonly dir?: string;
}

// Set by the CLI's fast attempt at `up` (cli/fast-up.ts): its output is held back until it ends, so a wait
// for another process's lock would be a silent one. A held lock is reported to it, and it gives the command to
// the full CLI, which waits saying so.
let processOnBusy: ((project: string) => void) | undefined;

/** The error withProjectLock throws, instead of waiting, while selectLockBusy has a handler. */
export class LockBusyError extends Error {
  override name = 'LockBusyError';
  constructor(readonly project: string) {
    super(`project "${project}" is locked by another process`);
  }
}

/** Make every later withProjectLock of this process report a held lock to `onBusy` and throw LockBusyError, not wait; undefined: wait. */
export function selectLockBusy(onBusy: ((project: string) => void) | undefined): void {
  processOnBusy = onBusy;
}

export async function withProjectLock<T>(project: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const dir = options.dir ?? lockDir();
  ensureLockDir(dir);
  const path = join(dir, `${project}.lock`);
  const timeoutMs = options.timeoutMs ?? LOCK_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const me = { ...selfRecord(), since: Date.now() };
  let told = false;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = parseLockFile(readOr(path, ''));
      // an empty file is a lock being written right now: wait, do not steal it
      if (owner && stale(owner)) {
        removeLock(path);
        continue;
      }
      if (options.signal?.aborted) throw options.signal.reason;
      if (processOnBusy) {
        processOnBusy(project);
        throw new LockBusyError(project);
      }
      const holder = owner ? describeHolder(owner) : 'a process writing it right now';
      if (Date.now() > deadline) {
        throw new OperationError(
          ErrorCodes.TIMEOUT,
          `project "${project}" is still locked by ${holder} after waiting ${duration(timeoutMs)}: if that process is not running berth on this project, remove ${path}`,
        );
      }
      if (!told && owner) {
        told = true;
        options.onWait?.(`waiting for project "${project}": locked by ${holder} (${path}); giving up after ${duration(timeoutMs)}`);
      }
      await new Promise((r) => setTimeout(r, delay));
    }
  }
  try {
    return await fn();
  } finally {
    removeLock(path);
  }
}

/** The lock file gone (already gone is fine). unlink, not rmSync: rmSync loads Node's rimraf on first use. */
function removeLock(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}
