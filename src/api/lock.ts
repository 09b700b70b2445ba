// One `up` at a time per project on this machine: two processes converging the same project would both see a
// service missing and both create it (duplicates, or a name conflict). The lock is a file created exclusively
// (O_EXCL) holding the owner's pid; a lock whose owner is gone is stale and taken over.
// Synchronous file calls: they take microseconds, and a first asynchronous one would start libuv's thread
// pool, ~10 ms of every `up`.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, OperationError } from '../model/errors.js';

const lockDir = () => process.env.BERTH_LOCK_DIR ?? join(tmpdir(), 'berth-locks');

/** Whether a process with this pid exists on this machine (EPERM: it exists, but is someone else's). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function withProjectLock<T>(project: string, fn: () => Promise<T>, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
  mkdirSync(lockDir(), { recursive: true });
  const path = join(lockDir(), `${project}.lock`);
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, String(process.pid));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readOr(path, '').trim());
      // an empty file is a lock being written right now: wait, do not steal it
      if (owner && !alive(owner)) {
        rmSync(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new OperationError(ErrorCodes.TIMEOUT, `project "${project}" is locked by process ${owner} (${path}); waited too long`);
      if (options.signal?.aborted) throw options.signal.reason;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}
