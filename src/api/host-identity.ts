// Who a process is, in terms another berth process can check: a PID only means something inside the PID
// namespace of the kernel that gave it. Sessions (session.ts) and project locks (lock.ts) record the owner's
// kernel boot id, PID namespace and process start time next to the PID, and judge it by PID only where those
// match what the judging process sees.
// Synchronous reads of /proc: microseconds each, and no thread pool started for them (see lock.ts).
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

export interface HostIdentity {
  /** The running kernel: /proc/sys/kernel/random/boot_id (the same in every container of a host, unlike the hostname); `host:<name>` without /proc. */
  readonly boot: string;
  /** The PID namespace, as /proc/self/ns/pid names it (`pid:[4026531836]`); '' without /proc. */
  readonly pidNamespace: string;
  /** For messages only: names are not unique, and containers have their own. */
  readonly hostname: string;
}

let cached: HostIdentity | undefined;

export function hostIdentity(): HostIdentity {
  if (cached) return cached;
  const name = hostname();
  const boot = readOr('/proc/sys/kernel/random/boot_id', '').trim();
  let pidNamespace = '';
  try {
    pidNamespace = readlinkSync('/proc/self/ns/pid');
  } catch {
    // no /proc (macOS, Windows): a PID can then only be judged where the host name matches
  }
  cached = { boot: boot || `host:${name}`, pidNamespace, hostname: name };
  return cached;
}

/**
 * A process's start time, in clock ticks after boot (field 22 of /proc/<pid>/stat); with the boot id it
 * tells a PID's owner from a later process that was given the same PID. undefined without /proc or process.
 */
export function processStartTime(pid: number): string | undefined {
  const stat = readOr(`/proc/${pid}/stat`, '');
  // the command name (field 2) is in parentheses and may itself hold spaces and parentheses
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field 22 is rest[19]
  return stat && rest.length > 19 ? rest[19] : undefined;
}

/** Whether a process with this pid exists in our PID namespace (EPERM: it exists, but is someone else's). */
export function pidExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type ProcessState = 'alive' | 'gone' | 'reused';

/**
 * The state of a process of our PID namespace: gone, alive, or `reused` when a process has the PID but
 * started at another time than the one recorded (the owner died and the PID went to an unrelated process).
 * Without a recorded start time (older records) a live PID counts as alive.
 */
export function processState(pid: number, startTime?: string): ProcessState {
  if (!pidExists(pid)) return 'gone';
  if (!startTime) return 'alive';
  const now = processStartTime(pid);
  // a process that exited between the two checks
  if (now === undefined) return pidExists(pid) ? 'alive' : 'gone';
  return now === startTime ? 'alive' : 'reused';
}

/** The identity of this process, as labels or lock files record it. */
export interface ProcessRecord {
  readonly pid: number;
  readonly startTime?: string;
  readonly boot?: string;
  readonly pidNamespace?: string;
  readonly hostname?: string;
}

export function selfRecord(): ProcessRecord {
  const id = hostIdentity();
  return { pid: process.pid, startTime: processStartTime(process.pid), boot: id.boot, pidNamespace: id.pidNamespace, hostname: id.hostname };
}

/** Whether a recorded PID can be checked from here: same kernel boot and same PID namespace. */
export function samePidNamespace(owner: ProcessRecord, here: HostIdentity = hostIdentity()): boolean {
  return !!owner.boot && owner.boot === here.boot && (owner.pidNamespace ?? '') === here.pidNamespace;
}

/** "pid 12 (started at tick 345) on host h, PID namespace pid:[…]" for messages. */
export function describeOwner(owner: ProcessRecord): string {
  const where = [owner.hostname ? `on host ${owner.hostname}` : '', owner.pidNamespace ? `in PID namespace ${owner.pidNamespace}` : ''].filter(Boolean).join(' ');
  return `pid ${owner.pid}${where ? ` ${where}` : ''}`;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}
