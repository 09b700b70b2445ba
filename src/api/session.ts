// Sessions: everything a Stack creates carries a session label and who made it, so objects left behind by a
// test process that died can be found and removed later: `berth down --session <id>`, or `prune()` for every
// session whose owner is gone.
//
// Whether an owner is gone must be decidable from any process sharing the engine: CI jobs run in containers
// (their own PID namespaces) or on other hosts, where the owner's PID means nothing or names an unrelated
// process. So each object records the owner's kernel boot id, PID namespace, PID and process start time, and a
// live session keeps a lease on the engine itself: a small volume labelled with the time it was renewed,
// replaced by a fresh one every LEASE_SECONDS / 4 while the owner runs. A judge in the owner's PID namespace
// goes by the PID (and start time, which tells a reused PID); anyone else goes by the lease. A session that
// has neither (objects of an older berth, a lease lost to `docker volume prune`) is undecided: it is left
// alone and reported, never removed on a guess.
import type { Engine } from '../engine/types.js';
import { nodeCrypto } from '../model/crypto.js';
import { Labels } from '../model/labels.js';
import type { Project } from '../model/types.js';
import { describeOwner, hostIdentity, processState, samePidNamespace, selfRecord, type HostIdentity, type ProcessRecord, type ProcessState } from './host-identity.js';

export const SessionLabels = {
  session: 'dev.berth.session',
  pid: 'dev.berth.session.pid',
  /** The owner's start time (clock ticks after boot): a PID given to another process later does not match. */
  start: 'dev.berth.session.start',
  /** The owner's kernel boot id: a PID is only checked on the kernel that gave it. */
  boot: 'dev.berth.session.boot',
  /** The owner's PID namespace (`pid:[…]`): a PID is only checked inside it. */
  pidNamespace: 'dev.berth.session.pidns',
  /** For messages. */
  hostname: 'dev.berth.session.hostname',
  /** On lease volumes: when the lease was renewed, in ms since the epoch (the owner's clock). */
  lease: 'dev.berth.session.lease',
  /** On lease volumes: seconds the lease holds after its renewal. */
  leaseTtl: 'dev.berth.session.lease.ttl',
} as const;

/**
 * How long a lease holds without renewal. Renewed every quarter of it, so only an owner whose event loop is
 * blocked for that long (or that is gone) lets it lapse. Hosts judging by lease are assumed to keep their
 * clocks within a few seconds of each other (NTP), far below this.
 */
export const LEASE_SECONDS = 120;

function ownerLabels(owner: ProcessRecord): Record<string, string> {
  const labels: Record<string, string> = { [SessionLabels.pid]: String(owner.pid) };
  if (owner.startTime) labels[SessionLabels.start] = owner.startTime;
  if (owner.boot) labels[SessionLabels.boot] = owner.boot;
  if (owner.pidNamespace) labels[SessionLabels.pidNamespace] = owner.pidNamespace;
  if (owner.hostname) labels[SessionLabels.hostname] = owner.hostname;
  return labels;
}

function ownerOf(labels: Readonly<Record<string, string>>): ProcessRecord {
  return {
    pid: Number(labels[SessionLabels.pid] ?? 0),
    startTime: labels[SessionLabels.start],
    boot: labels[SessionLabels.boot],
    pidNamespace: labels[SessionLabels.pidNamespace],
    hostname: labels[SessionLabels.hostname],
  };
}

/** The project with the session labels on every service, network and volume berth would create. */
export function withSessionLabels(project: Project, session: string, owner: ProcessRecord = selfRecord()): Project {
  const labels = { [SessionLabels.session]: session, ...ownerLabels(owner) };
  return {
    ...project,
    services: Object.fromEntries(Object.entries(project.services).map(([k, s]) => [k, { ...s, labels: { ...(s.labels ?? {}), ...labels } }])),
    networks: Object.fromEntries(Object.entries(project.networks).map(([k, n]) => [k, n.external ? n : { ...n, labels: { ...(n.labels ?? {}), ...labels } }])),
    volumes: Object.fromEntries(Object.entries(project.volumes).map(([k, v]) => [k, v.external ? v : { ...v, labels: { ...(v.labels ?? {}), ...labels } }])),
  };
}

/**
 * A session's lease on the engine. Labels cannot change on a volume, so a renewal creates a new lease volume
 * and then removes the previous one; a judge reads the newest. A failed renewal is retried on the next tick
 * (the lease holds for four of them); a lease never taken leaves the session to be judged by PID, or
 * undecided.
 */
export class SessionLease {
  private timer: NodeJS.Timeout | undefined;
  private current: string | undefined;
  private renewing: Promise<void> | undefined;

  constructor(
    private readonly engine: Engine,
    readonly session: string,
    private readonly options: { ttlSeconds?: number; owner?: ProcessRecord; now?: () => number } = {},
  ) {}

  get ttlSeconds(): number {
    return this.options.ttlSeconds ?? LEASE_SECONDS;
  }

  /** Take the lease and keep renewing it until stop(); the timer never keeps the process alive. */
  async start(): Promise<void> {
    if (this.timer) return;
    await this.renew();
    this.timer = setInterval(() => void this.renew(), (this.ttlSeconds * 1000) / 4);
    this.timer.unref();
  }

  async renew(): Promise<void> {
    // one renewal at a time: a slow engine must not pile up lease volumes
    if (this.renewing) return this.renewing;
    this.renewing = (async () => {
      const name = `berth-session-lease-${nodeCrypto().randomBytes(6).toString('hex')}`;
      const labels = {
        [SessionLabels.session]: this.session,
        ...ownerLabels(this.options.owner ?? selfRecord()),
        [SessionLabels.lease]: String((this.options.now ?? Date.now)()),
        [SessionLabels.leaseTtl]: String(this.ttlSeconds),
      };
      try {
        await this.engine.createVolume({ Name: name, Labels: labels });
      } catch {
        return;
      }
      const previous = this.current;
      this.current = name;
      if (previous) await this.engine.removeVolume(previous, { force: true }).catch(() => undefined);
    })().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  /** Stop renewing and give the lease up (the session is over). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.renewing;
    if (this.current) await this.engine.removeVolume(this.current, { force: true }).catch(() => undefined);
    this.current = undefined;
  }
}

export type Liveness = 'alive' | 'dead' | 'undecided';

export interface SessionVerdict {
  readonly session: string;
  /** "pid 12 on host h in PID namespace pid:[…]" */
  readonly owner: string;
  readonly verdict: Liveness;
  /** Why, in words: "pid 12 has exited", "its lease expired 30s ago", ... */
  readonly reason: string;
}

export interface Lease {
  /** ms since the epoch */
  readonly renewed: number;
  readonly ttlSeconds: number;
}

export interface JudgeContext {
  readonly here: HostIdentity;
  /** ms since the epoch */
  readonly now: number;
  readonly state: (pid: number, startTime?: string) => ProcessState;
}

/** Pure: whether the owner recorded on an object is still running, as far as can be told from `ctx.here`. */
export function judgeOwner(owner: ProcessRecord, lease: Lease | undefined, ctx: JudgeContext): { verdict: Liveness; reason: string } {
  if (samePidNamespace(owner, ctx.here)) {
    // the PID is ours to check, and decisive either way (a lease may still look fresh after a crash)
    const s = ctx.state(owner.pid, owner.startTime);
    if (s === 'alive') return { verdict: 'alive', reason: `pid ${owner.pid} is still running` };
    if (s === 'reused') return { verdict: 'dead', reason: `pid ${owner.pid} now belongs to another process (it started at another time)` };
    return { verdict: 'dead', reason: `pid ${owner.pid} has exited` };
  }
  if (lease) {
    const age = Math.round((ctx.now - lease.renewed) / 1000);
    if (ctx.now - lease.renewed <= lease.ttlSeconds * 1000) return { verdict: 'alive', reason: `its lease on the engine was renewed ${Math.max(age, 0)}s ago` };
    return { verdict: 'dead', reason: `its lease on the engine expired ${age - lease.ttlSeconds}s ago (not renewed for ${age}s)` };
  }
  if (!owner.boot) return { verdict: 'undecided', reason: 'it was recorded without the host and PID namespace of its owner, and holds no lease on the engine' };
  return { verdict: 'undecided', reason: 'its owner runs in another PID namespace or on another host, and the session holds no lease on the engine' };
}

export interface PruneOptions {
  /**
   * Remove this session's objects, whatever its owner's state: the user named it (as `docker compose down`
   * removes a project another shell may still use); the verdict is still reported. Without it, the objects
   * of every session whose owner is judged gone; undecided sessions are left alone.
   */
  readonly session?: string;
  /** Also remove the sessions' volumes (named and anonymous). Default true: sessions are throwaway stacks. */
  readonly volumes?: boolean;
  /** @internal tests: the judging process's identity, clock and process table */
  readonly judge?: Partial<JudgeContext>;
}

export interface PruneResult {
  readonly containers: readonly string[];
  readonly networks: readonly string[];
  readonly volumes: readonly string[];
  /** Lease volumes removed with their sessions (or expired with no session left). */
  readonly leases: readonly string[];
  /** Every session owner found, with its verdict. */
  readonly sessions: readonly SessionVerdict[];
  /** The owners whose liveness could not be decided from here: their objects were left alone. */
  readonly undecided: readonly SessionVerdict[];
}

/** Remove what sessions left behind. Only objects labelled with a berth session (and a compose project) are touched. */
export async function prune(engine: Engine, options: PruneOptions = {}): Promise<PruneResult> {
  const ctx: JudgeContext = { here: options.judge?.here ?? hostIdentity(), now: options.judge?.now ?? Date.now(), state: options.judge?.state ?? processState };
  const sessionFilter = options.session !== undefined ? `${SessionLabels.session}=${options.session}` : SessionLabels.session;
  const filter = { labels: [sessionFilter, Labels.project] };
  const [allContainers, allNetworks, allVolumes, leaseVolumes] = await Promise.all([
    engine.listContainers({ ...filter, all: true }),
    engine.listNetworks(filter),
    options.volumes ?? true ? engine.listVolumes(filter) : Promise.resolve([]),
    engine.listVolumes({ labels: [sessionFilter, SessionLabels.lease] }),
  ]);

  const leases = new Map<string, Lease>();
  for (const v of leaseVolumes) {
    const session = v.labels[SessionLabels.session];
    const lease = { renewed: Number(v.labels[SessionLabels.lease]), ttlSeconds: Number(v.labels[SessionLabels.leaseTtl] ?? LEASE_SECONDS) };
    if (!Number.isFinite(lease.renewed) || !Number.isFinite(lease.ttlSeconds)) continue;
    const known = leases.get(session);
    if (!known || known.renewed < lease.renewed) leases.set(session, lease);
  }

  const verdicts = new Map<string, SessionVerdict>();
  const verdictOf = (labels: Readonly<Record<string, string>>): SessionVerdict => {
    const session = labels[SessionLabels.session];
    const owner = ownerOf(labels);
    const key = JSON.stringify([session, owner]);
    let v = verdicts.get(key);
    if (!v) {
      v = { session, owner: describeOwner(owner), ...judgeOwner(owner, leases.get(session), ctx) };
      verdicts.set(key, v);
    }
    return v;
  };
  const kept = new Set<string>();
  const removable = (labels: Readonly<Record<string, string>>): boolean => {
    const v = verdictOf(labels);
    if (options.session !== undefined || v.verdict === 'dead') return true;
    kept.add(v.session);
    return false;
  };

  const containers = allContainers.filter((c) => removable(c.labels));
  const networks = allNetworks.filter((n) => removable(n.labels));
  const volumes = allVolumes.filter((v) => removable(v.labels));
  await Promise.all(containers.map((c) => engine.removeContainer(c.id, { force: true, volumes: options.volumes ?? true }).catch(() => undefined)));
  const removedNetworks: string[] = [];
  await Promise.all(
    networks.map(async (n) => {
      for (let i = 0; i < 10; i++) {
        try {
          await engine.removeNetwork(n.id);
          removedNetworks.push(n.name);
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 100 * (i + 1)));
        }
      }
    }),
  );
  await Promise.all(volumes.map((v) => engine.removeVolume(v.name, { force: true }).catch(() => undefined)));

  // A lease goes with its session: when the session was named, or when it had objects here and none was
  // kept. A lease with no objects (a session before its first up, or a process that exited without
  // disposing of its stack) goes when its own owner is judged gone.
  const hadObjects = new Set([...verdicts.values()].map((v) => v.session));
  const staleLeases = leaseVolumes.filter((v) => {
    const session = v.labels[SessionLabels.session];
    if (options.session !== undefined) return true;
    if (kept.has(session)) return false;
    if (hadObjects.has(session)) return true;
    return judgeOwner(ownerOf(v.labels), leases.get(session), ctx).verdict === 'dead';
  });
  const removedLeases: string[] = [];
  await Promise.all(
    staleLeases.map((v) =>
      engine.removeVolume(v.name, { force: true }).then(
        () => void removedLeases.push(v.name),
        () => undefined,
      ),
    ),
  );

  const sessions = [...verdicts.values()];
  return {
    containers: containers.map((c) => c.name),
    networks: removedNetworks,
    volumes: volumes.map((v) => v.name),
    leases: removedLeases,
    sessions,
    undecided: options.session === undefined ? sessions.filter((s) => s.verdict === 'undecided') : [],
  };
}
