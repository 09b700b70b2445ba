// Issue 14, defect 2: a session is judged from anywhere. Same PID namespace: by PID and start time; another
// namespace or host: by its lease on the engine; neither: undecided, left alone and reported.
import { describe, expect, it } from 'vitest';
import { hostIdentity, processStartTime, processState, selfRecord, type HostIdentity, type ProcessRecord, type ProcessState } from '../../../src/api/host-identity.js';
import { judgeOwner, prune, SessionLabels, SessionLease, withSessionLabels } from '../../../src/api/session.js';
import { up } from '../../../src/ops/up.js';
import { fakeEngine, project } from '../ops/plan-helpers.js';

const here: HostIdentity = { boot: 'boot-1', pidNamespace: 'pid:[100]', hostname: 'runner' };
const owner = (o: Partial<ProcessRecord> = {}): ProcessRecord => ({ pid: 4242, startTime: '777', boot: 'boot-1', pidNamespace: 'pid:[100]', hostname: 'runner', ...o });
const states = (table: Record<number, ProcessState>) => (pid: number) => table[pid] ?? 'gone';
const NOW = 1_700_000_000_000;

describe('judgeOwner (pure)', () => {
  const ctx = (table: Record<number, ProcessState>) => ({ here, now: NOW, state: states(table) });
  it('same namespace, PID running with the recorded start time: alive', () => {
    expect(judgeOwner(owner(), undefined, ctx({ 4242: 'alive' })).verdict).toBe('alive');
  });
  it('same namespace, PID gone: dead, even with a fresh lease', () => {
    expect(judgeOwner(owner(), { renewed: NOW - 1000, ttlSeconds: 120 }, ctx({})).verdict).toBe('dead');
  });
  it('same namespace, PID reused by a process started at another time: dead', () => {
    const v = judgeOwner(owner(), undefined, ctx({ 4242: 'reused' }));
    expect(v).toEqual({ verdict: 'dead', reason: 'pid 4242 now belongs to another process (it started at another time)' });
  });
  it('another PID namespace, no lease: undecided, whatever our PID table says', () => {
    for (const o of [owner({ pidNamespace: 'pid:[200]' }), owner({ boot: 'boot-2' })]) {
      const v = judgeOwner(o, undefined, ctx({ 4242: 'alive' }));
      expect(v.verdict).toBe('undecided');
      expect(judgeOwner(o, undefined, ctx({})).verdict).toBe('undecided');
    }
  });
  it('an older record without host identity: undecided', () => {
    expect(judgeOwner({ pid: 1 }, undefined, ctx({})).verdict).toBe('undecided');
  });
  it('another namespace with a fresh lease: alive; with an expired one: dead', () => {
    const o = owner({ pidNamespace: 'pid:[200]' });
    expect(judgeOwner(o, { renewed: NOW - 119_000, ttlSeconds: 120 }, ctx({}))).toEqual({ verdict: 'alive', reason: 'its lease on the engine was renewed 119s ago' });
    expect(judgeOwner(o, { renewed: NOW - 150_000, ttlSeconds: 120 }, ctx({}))).toEqual({ verdict: 'dead', reason: 'its lease on the engine expired 30s ago (not renewed for 150s)' });
  });
});

describe('process identity', () => {
  it('this process: alive with its own start time, reused with another, gone for a PID that does not exist', () => {
    const me = processStartTime(process.pid);
    expect(me).toMatch(/^\d+$/);
    expect(processState(process.pid, me)).toBe('alive');
    expect(processState(process.pid, String(Number(me) + 1))).toBe('reused');
    expect(processState(2 ** 22 + 17, me)).toBe('gone');
    expect(selfRecord()).toMatchObject({ pid: process.pid, startTime: me, boot: hostIdentity().boot, pidNamespace: hostIdentity().pidNamespace });
  });
});

/** A stack of session `id` up on the fake engine, owned by `o`. */
async function sessionStack(engine: ReturnType<typeof fakeEngine>, name: string, id: string, o: ProcessRecord) {
  await up(engine, withSessionLabels(await project('services:\n  a:\n    image: busybox:local\n    volumes: ["data:/d"]\nvolumes:\n  data: {}\n', name), id, o));
}
const names = async (engine: ReturnType<typeof fakeEngine>) => (await engine.listContainers({ all: true })).map((c) => c.name).sort();

describe('prune on the fake engine', () => {
  it('removes the dead, keeps the alive and the undecided, and reports the undecided', async () => {
    const engine = fakeEngine();
    await sessionStack(engine, 'live', 's-live', owner({ pid: 10 }));
    await sessionStack(engine, 'gone', 's-gone', owner({ pid: 11 }));
    await sessionStack(engine, 'reused', 's-reused', owner({ pid: 12 }));
    await sessionStack(engine, 'other', 's-other', owner({ pid: 10, pidNamespace: 'pid:[999]' }));
    const r = await prune(engine, { judge: { here, now: NOW, state: states({ 10: 'alive', 12: 'reused' }) } });
    expect([...r.containers].sort()).toEqual(['gone-a-1', 'reused-a-1']);
    expect([...r.volumes].sort()).toEqual(['gone_data', 'reused_data']);
    expect(await names(engine)).toEqual(['live-a-1', 'other-a-1']);
    expect(r.undecided).toEqual([
      {
        session: 's-other',
        owner: 'pid 10 on host runner in PID namespace pid:[999]',
        verdict: 'undecided',
        reason: 'its owner runs in another PID namespace or on another host, and the session holds no lease on the engine',
      },
    ]);
    expect(r.sessions.map((s) => `${s.session} ${s.verdict}`).sort()).toEqual(['s-gone dead', 's-live alive', 's-other undecided', 's-reused dead']);
  });

  it('another namespace with a lease: kept while it is renewed, removed (lease too) once it expires', async () => {
    const engine = fakeEngine();
    const o = owner({ pidNamespace: 'pid:[999]' });
    await sessionStack(engine, 'leased', 's-leased', o);
    const lease = new SessionLease(engine, 's-leased', { owner: o, now: () => NOW, ttlSeconds: 60 });
    await lease.renew();
    await lease.renew();
    // one lease volume at a time: a renewal replaces the previous one
    const leaseVolumes = () => engine.listVolumes({ labels: [SessionLabels.lease] });
    expect(await leaseVolumes()).toHaveLength(1);

    const fresh = await prune(engine, { judge: { here, now: NOW + 59_000, state: states({}) } });
    expect(fresh.containers).toEqual([]);
    expect(fresh.sessions.map((s) => s.verdict)).toEqual(['alive']);
    expect(await names(engine)).toEqual(['leased-a-1']);

    const late = await prune(engine, { judge: { here, now: NOW + 61_000, state: states({}) } });
    expect(late.containers).toEqual(['leased-a-1']);
    expect(late.sessions.map((s) => s.verdict)).toEqual(['dead']);
    expect(late.leases).toHaveLength(1);
    expect(await leaseVolumes()).toEqual([]);
    expect(await names(engine)).toEqual([]);
  });

  it('a stopped lease is gone from the engine', async () => {
    const engine = fakeEngine();
    const lease = new SessionLease(engine, 's1', { ttlSeconds: 4 });
    await lease.start();
    expect(await engine.listVolumes({ labels: [`${SessionLabels.session}=s1`, SessionLabels.lease] })).toHaveLength(1);
    await lease.stop();
    expect(await engine.listVolumes({ labels: [SessionLabels.lease] })).toEqual([]);
  });

  it('a session named explicitly is removed whatever its verdict, and the verdict is reported', async () => {
    const engine = fakeEngine();
    await sessionStack(engine, 'other', 's-other', owner({ pidNamespace: 'pid:[999]' }));
    await sessionStack(engine, 'live', 's-live', owner({ pid: 10 }));
    const r = await prune(engine, { session: 's-other', judge: { here, now: NOW, state: states({ 10: 'alive' }) } });
    expect(r.containers).toEqual(['other-a-1']);
    expect(r.sessions.map((s) => `${s.session} ${s.verdict}`)).toEqual(['s-other undecided']);
    expect(await names(engine)).toEqual(['live-a-1']);
  });
});

describe('leases without objects', () => {
  it('a lease whose owner is gone goes at the next prune; a live owner\'s stays', async () => {
    const engine = fakeEngine();
    await new SessionLease(engine, 'crashed', { owner: owner({ pid: 11 }), now: () => NOW }).renew();
    await new SessionLease(engine, 'running', { owner: owner({ pid: 10 }), now: () => NOW }).renew();
    await new SessionLease(engine, 'elsewhere', { owner: owner({ pidNamespace: 'pid:[9]' }), now: () => NOW }).renew();
    const r = await prune(engine, { judge: { here, now: NOW + 1000, state: states({ 10: 'alive' }) } });
    expect(r.leases).toHaveLength(1);
    const left = (await engine.listVolumes({ labels: [SessionLabels.lease] })).map((v) => v.labels[SessionLabels.session]).sort();
    expect(left).toEqual(['elsewhere', 'running']);
  });
});
