// Following container output: `logs` (with -f across restarts and recreations), attached `up` and `run`.
//
// Every run of a container is read exactly once. The first run of a container that attached mode starts is
// read through an attach opened before the start (nothing is lost, whatever the log driver); every other run
// through the engine's log, from the moment the previous run died (its `die` event time). Log reads always ask
// the engine for timestamps, so a line already seen (same or earlier timestamp) is never printed twice.
import { StringDecoder } from 'node:string_decoder';
import type { ContainerSummary, Engine, EngineEvent, OutputChunk } from '../engine/types.js';
import { OperationError, ErrorCodes } from '../model/errors.js';
import { Labels, projectFilter } from '../model/labels.js';
import { displayName, nowTimestamp, rfc3339Nanos, type LogSink } from '../model/logs.js';

export interface ContainerRefLike {
  readonly id: string;
  readonly name: string;
  readonly service: string;
}

interface Tracked extends ContainerRefLike {
  readonly display: string;
  /** A stream is open for the current run. */
  active: boolean;
  /** Runs started (start events) that no stream has covered yet. */
  pendingRun: boolean;
  /** Start events already covered by an attach opened before the start. */
  coveredStarts: number;
  running: boolean;
  /** Timestamp (ns) of the last line read from the log. */
  lastTs?: bigint;
  /** When the previous run died (ns): the next run's lines come after it. */
  floor?: bigint;
  removed: boolean;
  /** Ends the open stream. */
  cancel?: () => void;
}

export interface FollowerOptions {
  /** Print the engine's timestamp (or the arrival time, for attached output) with each line. */
  readonly timestamps?: boolean;
  /** Services whose containers are followed. */
  readonly selected: (service: string) => boolean;
  /** Where log reads of new runs start when there is no previous run: seconds since the epoch. */
  readonly since?: number;
  readonly until?: number;
  readonly signal: AbortSignal;
}

/** Splits output chunks into lines per stream, keeping partial lines until their end arrives. */
class LineSplitter {
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private readonly pending = { stdout: '', stderr: '' };

  push(chunk: OutputChunk): { stream: 'stdout' | 'stderr'; text: string }[] {
    const s = chunk.stream;
    this.pending[s] += this.decoders[s].write(chunk.data);
    const out: { stream: 'stdout' | 'stderr'; text: string }[] = [];
    let nl: number;
    while ((nl = this.pending[s].indexOf('\n')) >= 0) {
      out.push({ stream: s, text: this.pending[s].slice(0, nl).replace(/\r$/, '') });
      this.pending[s] = this.pending[s].slice(nl + 1);
    }
    return out;
  }

  end(): { stream: 'stdout' | 'stderr'; text: string }[] {
    const out: { stream: 'stdout' | 'stderr'; text: string }[] = [];
    for (const s of ['stdout', 'stderr'] as const) {
      const rest = (this.pending[s] + this.decoders[s].end()).replace(/\r$/, '');
      this.pending[s] = '';
      if (rest !== '') out.push({ stream: s, text: rest });
    }
    return out;
  }
}

const nanosToSeconds = (n: bigint): number => Number(n / 1000n) / 1e6;
const sinceFloor = (n: bigint | undefined): number | undefined => (n === undefined ? undefined : nanosToSeconds(n));

export class LogFollower {
  private readonly tracked = new Map<string, Tracked>();
  private readonly pumps = new Set<Promise<void>>();
  private changed?: () => void;
  private eventsLoop?: Promise<void>;
  private streamError?: unknown;

  constructor(
    private readonly engine: Engine,
    private readonly project: string,
    private readonly sink: LogSink,
    private readonly options: FollowerOptions,
  ) {}

  /** Start reacting to engine events: restarts and new containers of followed services get read. */
  watchEvents(since: number = Date.now() / 1000 - 1): void {
    const stream = this.engine.events({ labels: [projectFilter(this.project)], types: ['container'], since, signal: this.options.signal });
    this.eventsLoop = (async () => {
      try {
        for await (const e of stream) this.onEvent(e);
      } catch (err) {
        if (!this.options.signal.aborted) this.streamError = err;
      }
      this.notify();
    })();
  }

  /** A container whose next start an attach will cover; attach now (before it starts). */
  async attachBeforeStart(c: ContainerRefLike, running: boolean): Promise<void> {
    const t = this.track(c);
    if (!running) t.coveredStarts++;
    else t.running = true;
    t.active = true;
    let io;
    try {
      io = await this.engine.attachContainer(c.id);
    } catch (err) {
      t.active = false;
      throw err;
    }
    const onAbort = () => io.close();
    this.options.signal.addEventListener('abort', onAbort, { once: true });
    t.cancel = onAbort;
    this.pump(t, io.output, false).finally(() => this.options.signal.removeEventListener('abort', onAbort));
  }

  /** Read a container's log (its current run when following). */
  read(c: ContainerRefLike & { readonly running?: boolean }, options: { follow: boolean; tail?: number | 'all'; since?: number; until?: number }): void {
    const t = this.track(c);
    if (c.running) t.running = true;
    t.active = true;
    const output = this.engine.logStream(c.id, { ...options, timestamps: true, signal: this.streamSignal(t) });
    void this.pump(t, output, true);
  }

  /** Containers followed, by id. */
  get containers(): ReadonlyMap<string, Readonly<Tracked>> {
    return this.tracked;
  }

  /** True while a stream is open or a run is waiting for one. */
  get busy(): boolean {
    return [...this.tracked.values()].some((t) => t.active || t.pendingRun);
  }

  get anyRunning(): boolean {
    return [...this.tracked.values()].some((t) => t.running && !t.removed);
  }

  /** Resolves on the next change (a stream ended, an event arrived). */
  nextChange(): Promise<void> {
    return new Promise((resolve) => {
      const prev = this.changed;
      this.changed = () => {
        prev?.();
        resolve();
      };
    });
  }

  /** All streams ended (without following, the command is done then). */
  async drained(): Promise<void> {
    while (this.pumps.size) await Promise.all([...this.pumps]);
    if (this.streamError) throw this.streamError;
  }

  /** Wait for open streams to end, at most `ms`. */
  async settle(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all([...this.pumps]), new Promise((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.eventsLoop;
  }

  track(c: ContainerRefLike): Tracked {
    let t = this.tracked.get(c.id);
    if (!t) {
      t = { ...c, display: displayName(this.project, c.name), active: false, pendingRun: false, coveredStarts: 0, running: false, removed: false };
      this.tracked.set(c.id, t);
    }
    return t;
  }

  private notify(): void {
    const f = this.changed;
    this.changed = undefined;
    f?.();
  }

  /** The state transitions that matter here; also used by attached up to learn about exits. */
  onEvent(e: EngineEvent): void {
    const service = e.attributes[Labels.service];
    if (e.attributes[Labels.oneoff] === 'True' || !service || !this.options.selected(service)) return;
    let t = this.tracked.get(e.id);
    if (e.action === 'start') {
      if (!t) {
        t = this.track({ id: e.id, name: e.attributes.name ?? e.id.slice(0, 12), service });
        const replaced = [...this.tracked.values()].find((o) => o !== t && o.display === t!.display && o.removed);
        if (replaced) this.sink({ type: 'recreated', service, display: t.display });
      }
      t.running = true;
      if (t.coveredStarts > 0) t.coveredStarts--;
      else {
        t.pendingRun = true;
        this.openNext(t);
      }
    } else if (t && e.action === 'die') {
      t.running = false;
      t.floor = BigInt(Math.round(e.timeNano));
      this.sink({ type: 'exited', service: t.service, display: t.display, exitCode: Number(e.attributes.exitCode ?? 0) });
      // Engine 20.10 can leave a follow open after the container stopped; end it once the tail has arrived.
      const stopped = t;
      setTimeout(() => {
        if (!stopped.running && stopped.active) stopped.cancel?.();
      }, 2000).unref?.();
    } else if (t && e.action === 'destroy') {
      t.running = false;
      t.removed = true;
    } else if (t && e.action === 'rename' && e.attributes.name) {
      // recreation renames the old container first; keep the display of the name it had
    }
    this.notify();
  }

  /** A signal for one stream of `t`: aborted with everything, or alone by t.cancel(). */
  private streamSignal(t: Tracked): AbortSignal {
    const own = new AbortController();
    t.cancel = () => own.abort();
    return AbortSignal.any([this.options.signal, own.signal]);
  }

  private openNext(t: Tracked): void {
    if (t.active || !t.pendingRun || t.removed || this.options.signal.aborted) return;
    t.pendingRun = false;
    t.active = true;
    const since = t.floor !== undefined ? nanosToSeconds(t.floor) : this.options.since;
    const output = this.engine.logStream(t.id, { follow: true, timestamps: true, since, until: this.options.until, signal: this.streamSignal(t) });
    void this.pump(t, output, true);
  }

  private pump(t: Tracked, output: AsyncIterable<OutputChunk>, fromLog: boolean): Promise<void> {
    const split = new LineSplitter();
    const emit = (l: { stream: 'stdout' | 'stderr'; text: string }) => {
      let text = l.text;
      let timestamp: string | undefined;
      if (fromLog) {
        const sp = text.indexOf(' ');
        const ts = sp > 0 ? text.slice(0, sp) : text;
        const n = rfc3339Nanos(ts);
        if (n !== undefined) {
          if (t.lastTs !== undefined && n <= t.lastTs) return;
          t.lastTs = n;
          timestamp = ts;
          text = sp > 0 ? text.slice(sp + 1) : '';
        }
      } else if (this.options.timestamps) {
        timestamp = nowTimestamp();
      }
      this.sink({ type: 'line', service: t.service, container: t.name, display: t.display, stream: l.stream, text, ...(this.options.timestamps && timestamp ? { timestamp } : {}) });
    };
    const self: { p?: Promise<void> } = {};
    const p = (async () => {
      await Promise.resolve();
      try {
        for await (const chunk of output) for (const l of split.push(chunk)) emit(l);
        for (const l of split.end()) emit(l);
      } catch (err) {
        if (!this.options.signal.aborted && !isGone(err)) this.streamError ??= err;
      } finally {
        t.active = false;
        if (self.p) this.pumps.delete(self.p);
        this.openNext(t);
        this.notify();
      }
    })();
    self.p = p;
    this.pumps.add(p);
    return p;
  }
}

function isGone(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === ErrorCodes.ENGINE_NOT_FOUND;
}

// ---------------------------------------------------------------- the logs operation

export interface LogsOptions {
  readonly services?: readonly string[];
  readonly follow?: boolean;
  /** Lines from the end of each container's log. */
  readonly tail?: number | 'all';
  /** Seconds since the epoch. */
  readonly since?: number;
  readonly until?: number;
  readonly timestamps?: boolean;
  /** Only the container with this number (`--index`). */
  readonly index?: number;
  readonly signal?: AbortSignal;
  /** How long, once every followed container has stopped, to wait for one to start again. */
  readonly settleMs?: number;
  /** The display names of the containers about to be read (for padding). */
  readonly onNames?: (displays: readonly string[]) => void;
}

/** The project's service containers, by service then number (one-off containers excluded). */
export async function serviceContainers(engine: Engine, project: string, services: readonly string[] = [], all = true): Promise<ContainerSummary[]> {
  const list = await engine.listContainers({ all, labels: [projectFilter(project), `${Labels.oneoff}=False`] });
  const num = (c: ContainerSummary) => Number(c.labels[Labels.containerNumber] ?? 0);
  return list
    .filter((c) => !services.length || services.includes(c.labels[Labels.service]))
    .sort((a, b) => (a.labels[Labels.service] < b.labels[Labels.service] ? -1 : a.labels[Labels.service] > b.labels[Labels.service] ? 1 : num(a) - num(b)));
}

const isUp = (c: ContainerSummary) => c.state === 'running' || c.state === 'restarting' || c.state === 'paused';

export async function logs(engine: Engine, project: string, sink: LogSink, options: LogsOptions = {}): Promise<void> {
  const services = options.services ?? [];
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const follower = new LogFollower(engine, project, sink, {
    timestamps: options.timestamps,
    selected: (s) => !services.length || services.includes(s),
    since: options.since,
    until: options.until,
    signal: abort.signal,
  });
  try {
    // events first, so a container that starts while the listing is made is not missed
    if (options.follow) follower.watchEvents();
    let containers = await serviceContainers(engine, project, services);
    if (options.index !== undefined) {
      const wanted = containers.filter((c) => Number(c.labels[Labels.containerNumber]) === options.index);
      if (!wanted.length) {
        throw new OperationError(ErrorCodes.NO_CONTAINERS, `service "${services[0] ?? ''}" is not running container #${options.index}`);
      }
      containers = wanted;
    }
    options.onNames?.(containers.map((c) => displayName(project, c.name)));
    for (const c of containers) {
      follower.read(
        { id: c.id, name: c.name, service: c.labels[Labels.service], running: isUp(c) },
        { follow: !!options.follow, tail: options.tail, since: options.since, until: options.until },
      );
    }
    if (!options.follow) {
      await follower.drained();
      return;
    }
    // Following ends when nothing is running any more and nothing started again within a moment (a restart
    // or a recreation leaves every container stopped for an instant).
    for (;;) {
      if (abort.signal.aborted) return;
      if (!follower.busy && !follower.anyRunning) {
        const change = follower.nextChange();
        const quiet = await Promise.race([change.then(() => false), delay(options.settleMs ?? 1500).then(() => true)]);
        if (!quiet) continue;
        const again = (await serviceContainers(engine, project, services, false)).filter((c) => !follower.containers.get(c.id)?.active);
        if (!again.length) return;
        for (const c of again) follower.read({ id: c.id, name: c.name, service: c.labels[Labels.service], running: true }, { follow: true, since: sinceFloor(follower.containers.get(c.id)?.floor) ?? options.since });
        continue;
      }
      await follower.nextChange();
    }
  } finally {
    abort.abort();
    options.signal?.removeEventListener('abort', onAbort);
    await follower.close();
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
