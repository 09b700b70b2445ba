// Issue 14, defect 2: a session owned by a process in another PID namespace (a CI job in a container) is
// judged by its lease on the engine, never by a PID that means nothing here; without a lease it is
// undecided: left alone and reported. `berth down --session` still removes it when asked, with a warning.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { pruneSessions } from '../../src/api/index.js';
import { berth, cleanup, describeEngine, docker, leftovers, projectDir, repoRoot, uniqueProject } from '../helpers/e2e.js';

const compose = { services: { a: { image: 'busybox:local', init: true, command: ['sleep', '3600'] } } };

/** A PID no process has on this host right now: the owner is given it inside its own namespace. */
function unusedPid(): number {
  for (let p = 30000; p > 20000; p -= 7) if (!existsSync(`/proc/${p}`)) return p;
  throw new Error('no unused pid found');
}

interface Owner {
  child: ChildProcessWithoutNullStreams;
  pid: number;
  pidNamespace: string;
}

/** The owner runs under `unshare --pid --fork --mount-proc`, as PID `pid` of its new namespace. */
async function startOwner(dir: string, project: string, session: string, mode: 'lease' | 'nolease'): Promise<Owner> {
  const pid = unusedPid();
  const script = `echo ${pid - 1} > /proc/sys/kernel/ns_last_pid && "$0" "$@"`;
  const child = spawn('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', 'sh', '-c', script, process.execPath, join(repoRoot, 'test/e2e/fixtures/session-owner.mjs'), join(dir, 'compose.json'), project, session, mode], { cwd: dir });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.once('exit', (code) => reject(new Error(`owner exited ${code}: ${err}`)));
  });
  const [, p, ns] = line.split(' ');
  return { child, pid: Number(p), pidNamespace: ns };
}

async function stopOwner(o: Owner): Promise<void> {
  if (o.child.exitCode !== null || o.child.signalCode !== null) return;
  const exited = new Promise((r) => o.child.once('exit', r));
  o.child.kill('SIGKILL');
  await exited;
}

async function ids(project: string): Promise<string[]> {
  const r = await docker(['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`]);
  return r.stdout.split('\n').filter(Boolean).sort();
}

describeEngine('sessions owned from another PID namespace', () => {
  const made: { project: string; dir: string; owner?: Owner }[] = [];
  afterAll(async () => {
    for (const m of made) if (m.owner) await stopOwner(m.owner);
    await Promise.all(made.map((m) => cleanup(m.project, m.dir)));
    // the sessions' leases: volumes labelled with the session and no project
    for (const m of made) {
      const r = await docker(['volume', 'ls', '-q', '--filter', `label=dev.berth.session=${m.project}`]);
      for (const v of r.stdout.split('\n').filter(Boolean)) await docker(['volume', 'rm', '-f', v]);
    }
  });

  for (const mode of ['lease', 'nolease'] as const) {
    it(`${mode === 'lease' ? 'with a lease: alive' : 'without a lease: undecided and reported'}; prune leaves the stack alone; down --session removes it with a warning`, async () => {
      const project = uniqueProject(`ns${mode}`);
      const session = project;
      const dir = await projectDir({ 'compose.json': JSON.stringify(compose) });
      const entry: (typeof made)[number] = { project, dir };
      made.push(entry);
      const owner = await startOwner(dir, project, session, mode);
      entry.owner = owner;
      // the case the old judge got wrong: the owner's PID names no process here
      expect(owner.pidNamespace).not.toBe(readlinkSync('/proc/self/ns/pid'));
      expect(existsSync(`/proc/${owner.pid}`)).toBe(false);
      const before = await ids(project);
      expect(before).toHaveLength(1);

      const r = await pruneSessions();
      expect(await ids(project)).toEqual(before);
      const verdicts = r.sessions.filter((s) => s.session === session);
      expect(verdicts).toHaveLength(1);
      if (mode === 'lease') {
        expect(verdicts[0]).toMatchObject({ verdict: 'alive', owner: expect.stringContaining(`pid ${owner.pid} `) });
        expect(verdicts[0].reason).toMatch(/^its lease on the engine was renewed \d+s ago$/);
      } else {
        expect(r.undecided.filter((s) => s.session === session)).toEqual(verdicts);
        expect(verdicts[0]).toMatchObject({ verdict: 'undecided', reason: expect.stringContaining('another PID namespace') });
      }

      // killed: a lease still holds for a while (the owner might only be slow); no lease stays undecided
      await stopOwner(owner);
      await pruneSessions();
      expect(await ids(project)).toEqual(before);

      // the user's explicit command removes it, and says what it could tell about the owner
      const d = await berth(['down', '--session', session]);
      expect(d.code, d.stderr).toBe(0);
      expect(d.stderr).toMatch(new RegExp(`^WARN session ${session} may still be in use.*its owner, pid ${owner.pid} `, 'm'));
      expect(await leftovers(project)).toEqual({ containers: [], networks: [], volumes: [] });
      expect((await docker(['volume', 'ls', '-q', '--filter', `label=dev.berth.session=${session}`])).stdout.trim()).toBe('');
    });
  }
});
