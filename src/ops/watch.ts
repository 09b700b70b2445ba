// Waits driven by engine events, not polling. One events stream per operation feeds a table of container
// states; a waiter resolves the moment an event makes its condition true or impossible.
// Invariant: the stream is opened with `since` set before the operation's first engine call, so the engine
// replays anything that happened while the stream was connecting and no transition is missed.
// Invariant: an event older than the state an inspect read (the engine's own StartedAt/FinishedAt) never
// overrides it. The replay reaches back a second before the watcher was made, so it can hold the `die` of a
// stop that ran just before this command: without that rule, a wait on the container just started again
// failed at once with the old exit code.
import type { ContainerInspect, Engine, EngineEvent, HealthStatus } from '../engine/types.js';
import { projectFilter } from '../model/labels.js';
import { rfc3339Nanos } from '../model/logs.js';

export interface ContainerStateView {
  readonly status: string;
  readonly running: boolean;
  readonly exitCode?: number;
  readonly health?: HealthStatus;
}

export type Verdict = 'ok' | 'pending' | { readonly fail: string };
type Check = (s: ContainerStateView) => Verdict;

interface Waiter {
  readonly id: string;
  readonly check: Check;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
  /** The container's state has been read (inspect) since the waiter was made. */
  inspected?: boolean;
}

/**
 * What a wait fails with when the events stream ends on its own: no event can settle it any more (a dry run's
 * engine ends its stream at once; a real one only when its connection goes), so it fails instead of hanging.
 */
const streamEnded = () => new Error('the engine ended its event stream while this wait was pending');

export class ContainerWatcher {
  private readonly states = new Map<string, ContainerStateView>();
  /** Events seen per container, to tell whether an inspect result is older than what events said. */
  private readonly seen = new Map<string, number>();
  /** Per container: the time of the last event applied, and the engine time its last inspect reflects (ns). */
  private readonly eventTime = new Map<string, number>();
  private readonly asOf = new Map<string, number>();
  private readonly waiters = new Set<Waiter>();
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private streamError?: Error;
  private ended = false;
  private closedUnopened = false;
  /** Taken at construction: a stream opened later replays from here, so opening it lazily misses nothing. */
  private readonly since = Date.now() / 1000 - 1;

  constructor(
    private readonly engine: Engine,
    private readonly project: string,
  ) {}

  /** The events stream is opened by the first wait: a run with nothing to wait for never opens one. */
  private open(): void {
    if (this.loop) return;
    // closed before it was ever opened: the stream is opened aborted, as it would have been
    if (this.closedUnopened) this.abort.abort();
    const stream = this.engine.events({ labels: [projectFilter(this.project)], types: ['container'], since: this.since, signal: this.abort.signal });
    this.loop = (async () => {
      try {
        for await (const e of stream) this.onEvent(e);
        if (!this.abort.signal.aborted) {
          this.ended = true;
          // a waiter whose inspect is still in flight is settled by that inspect (see waitFor)
          for (const w of [...this.waiters]) {
            if (!w.inspected) continue;
            this.waiters.delete(w);
            w.reject(streamEnded());
          }
        }
      } catch (err) {
        if (!this.abort.signal.aborted) {
          this.streamError = err instanceof Error ? err : new Error(String(err));
          for (const w of this.waiters) w.reject(this.streamError);
          this.waiters.clear();
        }
      }
    })();
  }

  private onEvent(e: EngineEvent): void {
    // older than what an inspect already read: a replayed event of an earlier run of the container
    if (e.timeNano < (this.asOf.get(e.id) ?? -Infinity)) return;
    const prev = this.states.get(e.id);
    const action = e.action;
    let next: ContainerStateView | undefined;
    // a (re)start begins a new run: its health is not the last run's (the engine restarts it at "starting";
    // unknown here until an inspect or a health event says), an unpause carries on with the same run
    if (action === 'start' || action === 'restart') next = { ...prev, status: 'running', running: true, exitCode: undefined, health: undefined };
    else if (action === 'unpause') next = { ...prev, status: 'running', running: true, exitCode: undefined };
    else if (action === 'die') next = { ...prev, status: 'exited', running: false, exitCode: Number(e.attributes.exitCode ?? 0) };
    else if (action.startsWith('health_status')) {
      const h = healthStatus(action.split(':')[1]?.trim());
      next = { status: prev?.status ?? 'running', running: prev?.running ?? true, ...prev, health: h };
    } else if (action === 'destroy') next = { status: 'removed', running: false };
    if (!next) return;
    this.seen.set(e.id, (this.seen.get(e.id) ?? 0) + 1);
    this.eventTime.set(e.id, e.timeNano);
    this.states.set(e.id, next);
    this.evaluate(e.id);
  }

  private evaluate(id: string): void {
    const s = this.states.get(id);
    if (!s) return;
    for (const w of [...this.waiters]) {
      // a waiter is judged only once its own inspect has said where the container stands
      if (w.id !== id || !w.inspected) continue;
      const v = w.check(s);
      if (v === 'pending') continue;
      this.waiters.delete(w);
      if (v === 'ok') w.resolve();
      else w.reject(new Error(v.fail));
    }
  }

  /** Resolve when `check` says ok, reject when it says fail; the current state is read once by inspect. */
  async waitFor(id: string, check: Check, signal?: AbortSignal): Promise<void> {
    this.open();
    if (this.streamError) throw this.streamError;
    let waiter!: Waiter;
    const p = new Promise<void>((resolve, reject) => {
      const w: Waiter = { id, check, resolve, reject };
      waiter = w;
      this.waiters.add(w);
      signal?.addEventListener('abort', () => {
        if (this.waiters.delete(w)) reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      }, { once: true });
    });
    // The inspect result wins unless an event newer than it arrived while it was in flight; even then it
    // supplies the health status, which a bare start event does not carry.
    const before = this.seen.get(id) ?? 0;
    let info: ContainerInspect | undefined;
    try {
      info = await this.engine.inspectContainer(id);
    } catch (err) {
      // the wait fails with the inspect's error; its waiter must not be left for close() to reject unheard
      this.waiters.delete(waiter);
      p.catch(() => {});
      throw err;
    }
    const asOf = info ? Math.max(engineTime(info.state.startedAt), engineTime(info.state.finishedAt)) : -Infinity;
    if (info) this.asOf.set(id, Math.max(asOf, this.asOf.get(id) ?? -Infinity));
    if ((this.seen.get(id) ?? 0) === before || (this.eventTime.get(id) ?? -Infinity) < asOf) {
      this.states.set(id, info ? fromInspect(info) : { status: 'removed', running: false });
    } else {
      const cur = this.states.get(id)!;
      if (cur.health === undefined && info) this.states.set(id, { ...cur, health: info.state.health ?? 'none' });
    }
    waiter.inspected = true;
    this.evaluate(id);
    if (this.ended && this.waiters.delete(waiter)) waiter.reject(streamEnded());
    return p;
  }

  async close(): Promise<void> {
    // A watcher never opened has nothing to stop: aborting would only build the abort reason (the process's
    // first DOMException, ~0.3 ms of a no-op `up`)
    if (this.loop) this.abort.abort();
    else this.closedUnopened = true;
    for (const w of this.waiters) w.reject(new Error('watch closed'));
    this.waiters.clear();
    await this.loop;
  }
}

/** An engine timestamp (RFC 3339 with up to nanoseconds) in ns since the epoch; -Infinity when absent or unreadable. */
export function engineTime(iso: string | undefined): number {
  const ns = iso ? rfc3339Nanos(iso) : undefined;
  return ns === undefined ? -Infinity : Number(ns);
}

function fromInspect(i: ContainerInspect): ContainerStateView {
  return { status: i.state.status, running: i.state.running, exitCode: i.state.running ? undefined : i.state.exitCode, health: i.state.health ?? 'none' };
}

export const conditions = {
  started: (): Check => (s) => (s.status === 'removed' ? { fail: 'was removed' } : s.running || s.status === 'exited' ? 'ok' : 'pending'),
  healthy: (): Check => (s) => {
    if (s.health === 'healthy') return 'ok';
    if (s.health === 'unhealthy') return { fail: 'is unhealthy' };
    if (!s.running && s.status !== 'created') return { fail: s.status === 'removed' ? 'was removed' : `exited (${s.exitCode ?? '?'})` };
    // undefined = not known yet (only events seen); 'none' = inspect says there is no healthcheck
    if (s.running && s.health === 'none') return { fail: 'has no healthcheck configured' };
    return 'pending';
  },
  completedSuccessfully: (): Check => (s) => {
    if (s.status === 'exited') return s.exitCode === 0 ? 'ok' : { fail: `exited (${s.exitCode})` };
    if (s.status === 'removed') return { fail: 'was removed' };
    return 'pending';
  },
  /** `up --wait`: running and, when it has a healthcheck, healthy; a one-shot that exited 0 counts as done. */
  runningOrHealthy: (opts: { oneShotOk: boolean }): Check => (s) => {
    if (s.health === 'unhealthy') return { fail: 'is unhealthy' };
    if (s.status === 'exited') return s.exitCode === 0 && opts.oneShotOk ? 'ok' : { fail: `exited (${s.exitCode})` };
    if (s.status === 'removed') return { fail: 'was removed' };
    if (!s.running) return 'pending';
    if (s.health === 'starting' || s.health === undefined) return 'pending';
    return 'ok';
  },
};

const HEALTH_STATUSES: readonly HealthStatus[] = ['starting', 'healthy', 'unhealthy', 'none'];

/** The status of a `health_status: <status>` event, when it is one the engine defines. */
function healthStatus(text: string | undefined): HealthStatus | undefined {
  return HEALTH_STATUSES.find((h) => h === text);
}
