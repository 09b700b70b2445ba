// Issue 14, defect 3: the per-project lock. Every user who may use the engine can take it (a directory per
// user, 0700), a stale lock (owner killed, its PID reused by an unrelated process) is taken at once, and a
// wait says what it waits for and for how long.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processStartTime, selfRecord } from '../../../src/api/host-identity.js';
import { LockBusyError, lockDir, selectLockBusy, withProjectLock } from '../../../src/api/lock.js';
import { ErrorCodes, OperationError } from '../../../src/model/errors.js';

const root = path.resolve(import.meta.dirname, '../../..');
const isRoot = process.getuid?.() === 0;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'berth-lock-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const unique = (p: string) => `${p}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

/** A process that lives until killed; its pid and start time. */
async function sleeper(): Promise<{ pid: number; start: string; kill: () => Promise<void> }> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  await new Promise((r) => child.once('spawn', r));
  const pid = child.pid!;
  // /proc/<pid>/stat says sleep once exec has happened; the start time is the fork's either way
  const start = processStartTime(pid)!;
  return {
    pid,
    start,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('the lock directory', () => {
  it('is per user, 0700, and lock files are 0600', async () => {
    expect(lockDir({})).toBe(path.join(tmpdir(), `berth-locks-${process.getuid!()}`));
    const d = path.join(dir, 'mode');
    await withProjectLock('p', async () => {
      expect(statSync(d).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(d, 'p.lock')).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(path.join(d, 'p.lock'), 'utf8'))).toMatchObject({ pid: process.pid, startTime: processStartTime(process.pid), boot: selfRecord().boot });
    }, { dir: d });
  });

  it('an older 0755 directory of ours is narrowed to 0700', async () => {
    const d = path.join(dir, 'wide');
    mkdirSync(d, { mode: 0o755 });
    chmodSync(d, 0o755);
    await withProjectLock('p', async () => undefined, { dir: d });
    expect(statSync(d).mode & 0o777).toBe(0o700);
  });
});

describe('stale locks are taken at once', () => {
  it('the owner was killed', async () => {
    const d = path.join(dir, 'killed');
    const s = await sleeper();
    await s.kill();
    mkdirSync(d, { recursive: true, mode: 0o700 });
    writeFileSync(path.join(d, 'p.lock'), JSON.stringify({ ...selfRecord(), pid: s.pid, startTime: s.start, since: Date.now() - 5000 }));
    const waits: string[] = [];
    expect(await withProjectLock('p', async () => 'ran', { dir: d, timeoutMs: 60_000, onWait: (m) => waits.push(m) })).toBe('ran');
    expect(waits).toEqual([]);
  });

  it('the PID now belongs to an unrelated live process (another start time)', async () => {
    const d = path.join(dir, 'reused');
    const s = await sleeper();
    try {
      mkdirSync(d, { recursive: true, mode: 0o700 });
      writeFileSync(path.join(d, 'p.lock'), JSON.stringify({ ...selfRecord(), pid: s.pid, startTime: String(Number(s.start) - 100), since: Date.now() - 5000 }));
      const waits: string[] = [];
      expect(await withProjectLock('p', async () => 'ran', { dir: d, timeoutMs: 60_000, onWait: (m) => waits.push(m) })).toBe('ran');
      expect(waits).toEqual([]);
    } finally {
      await s.kill();
    }
  });

  it('a lock of an earlier boot', async () => {
    const d = path.join(dir, 'reboot');
    mkdirSync(d, { recursive: true, mode: 0o700 });
    writeFileSync(path.join(d, 'p.lock'), JSON.stringify({ ...selfRecord(), boot: 'an-earlier-boot' }));
    expect(await withProjectLock('p', async () => 'ran', { dir: d, timeoutMs: 60_000 })).toBe('ran');
  });
});

describe('a lock held by a live process', () => {
  it('is waited for, saying once for what and for how long; the timeout says how to clear it', async () => {
    const d = path.join(dir, 'held');
    const s = await sleeper();
    try {
      mkdirSync(d, { recursive: true, mode: 0o700 });
      const since = Date.UTC(2026, 0, 2, 3, 4, 5);
      writeFileSync(path.join(d, 'p.lock'), JSON.stringify({ ...selfRecord(), pid: s.pid, startTime: s.start, since }));
      const waits: string[] = [];
      const err = await withProjectLock('p', async () => 'ran', { dir: d, timeoutMs: 400, onWait: (m) => waits.push(m) }).catch((e: unknown) => e);
      const file = path.join(d, 'p.lock');
      expect(waits).toEqual([`waiting for project "p": locked by pid ${s.pid} (sleep 30) since 2026-01-02T03:04:05.000Z (${file}); giving up after 0.4s`]);
      expect(err).toBeInstanceOf(OperationError);
      expect((err as OperationError).code).toBe(ErrorCodes.TIMEOUT);
      expect((err as OperationError).message).toBe(
        `project "p" is still locked by pid ${s.pid} (sleep 30) since 2026-01-02T03:04:05.000Z after waiting 0.4s: if that process is not running berth on this project, remove ${file}`,
      );
    } finally {
      await s.kill();
    }
  });

  it('under selectLockBusy (the fast attempt at up) is reported and not waited for; a free or stale one is taken as usual', async () => {
    const d = path.join(dir, 'busy');
    const s = await sleeper();
    const busy: string[] = [];
    selectLockBusy((project) => busy.push(project));
    try {
      mkdirSync(d, { recursive: true, mode: 0o700 });
      writeFileSync(path.join(d, 'p.lock'), JSON.stringify({ ...selfRecord(), pid: s.pid, startTime: s.start }));
      const waits: string[] = [];
      const ran: string[] = [];
      const err = await withProjectLock('p', async () => void ran.push('p'), { dir: d, onWait: (m) => waits.push(m) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockBusyError);
      expect(busy).toEqual(['p']);
      expect(waits).toEqual([]);
      expect(ran).toEqual([]);
      // the holder's file is left as it was
      expect(JSON.parse(readFileSync(path.join(d, 'p.lock'), 'utf8')).pid).toBe(s.pid);
      await s.kill();
      await withProjectLock('p', async () => void ran.push('p'), { dir: d });
      await withProjectLock('q', async () => void ran.push('q'), { dir: d });
      expect(ran).toEqual(['p', 'q']);
      expect(busy).toEqual(['p']);
    } finally {
      selectLockBusy(undefined);
      await s.kill();
    }
  });

  it('the default wait is stated in minutes', async () => {
    const d = path.join(dir, 'default');
    const s = await sleeper();
    try {
      mkdirSync(d, { recursive: true, mode: 0o700 });
      writeFileSync(path.join(d, 'p.lock'), JSON.stringify({ ...selfRecord(), pid: s.pid, startTime: s.start }));
      const ac = new AbortController();
      const waits: string[] = [];
      const p = withProjectLock('p', async () => 'ran', { dir: d, signal: ac.signal, onWait: (m) => (waits.push(m), ac.abort(new Error('stop'))) });
      await expect(p).rejects.toThrow('stop');
      expect(waits[0]).toMatch(/giving up after 10 minutes$/);
    } finally {
      await s.kill();
    }
  });

  it('an owner in another PID namespace cannot be judged here: waited for, not taken', async () => {
    const d = path.join(dir, 'otherns');
    mkdirSync(d, { recursive: true, mode: 0o700 });
    // pid 999999 exists nowhere here; in the owner's namespace it may well be running
    writeFileSync(path.join(d, 'p.lock'), JSON.stringify({ ...selfRecord(), pid: 999999, pidNamespace: 'pid:[1]', hostname: 'ci-job' }));
    const waits: string[] = [];
    await expect(withProjectLock('p', async () => 'ran', { dir: d, timeoutMs: 200, onWait: (m) => waits.push(m) })).rejects.toThrow(/still locked by pid 999999 in another PID namespace on ci-job/);
    expect(waits).toHaveLength(1);
  });
});

describe('another user', () => {
  const needsRoot = isRoot || !!process.env.CI;
  // A small script taking the lock with every default, run as nobody; the code is bundled from src so that
  // nobody needs no access to the checkout.
  it.runIf(needsRoot)('takes the lock on a project root holds a lock on, and one root left stale (no EACCES)', async () => {
    expect(isRoot, 'this test runs as root (to become nobody with setpriv)').toBe(true);
    // both users share /tmp, as on any machine (the test run's own TMPDIR is root's alone)
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = '/tmp';
    const work = mkdtempSync('/tmp/berth-lock-nobody-');
    chmodSync(work, 0o755);
    try {
      buildSync({ entryPoints: [path.join(root, 'src/api/lock.ts')], bundle: true, platform: 'node', format: 'esm', outfile: path.join(work, 'lock.mjs'), logLevel: 'error' });
      const script = `import { withProjectLock } from './lock.mjs';\nconst r = await withProjectLock(process.argv[2], async () => 'took ' + process.getuid(), { timeoutMs: 2000 });\nconsole.log(r);\n`;
      writeFileSync(path.join(work, 'take.mjs'), script);
      chmodSync(path.join(work, 'lock.mjs'), 0o644);
      chmodSync(path.join(work, 'take.mjs'), 0o644);
      const project = unique('shared');
      const env = { PATH: process.env.PATH, HOME: '/nonexistent' };
      // root's directory, made the way root's `up` makes it; root holds the project's lock meanwhile
      const held = await withProjectLock(project, async () => spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, 'take.mjs', project], { cwd: work, env, encoding: 'utf8' }));
      expect(held.stderr).toBe('');
      expect(held.stdout.trim()).toBe('took 65534');
      // a stale lock of a killed root process in root's directory is no business of nobody's either
      const s = await sleeper();
      await s.kill();
      writeFileSync(path.join(lockDir(), `${project}.lock`), JSON.stringify({ ...selfRecord(), pid: s.pid, startTime: s.start }));
      const stale = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, 'take.mjs', project], { cwd: work, env, encoding: 'utf8' });
      expect(stale.stderr).toBe('');
      expect(stale.stdout.trim()).toBe('took 65534');
      rmSync(path.join(lockDir(), `${project}.lock`), { force: true });
      expect(statSync(lockDir()).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(work, { recursive: true, force: true });
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
  });
});
