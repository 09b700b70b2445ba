// BuildKit's progress as compose prints it with `--progress plain` (buildx's plain printer):
//
//   #0 building with "default" instance using docker driver
//
//   #1 [web internal] load build definition from Dockerfile
//   #1 transferring dockerfile: 102B done
//   #1 DONE 0.0s
//   ...
//   #5 [web 1/3] FROM docker.io/library/busybox:local
//   #5 CACHED
//
//   #7 [web 3/3] RUN make
//   #7 0.238 output line          (seconds since the step started)
//   #7 DONE 0.3s
//
// Steps are numbered in the order they are first shown, across every service of the run; a step's header is
// repeated when its output resumes after another step's. Sub-tasks ("transferring context") print once done.
import type { BuildEvent, BuildVertex, BuildVertexStatus } from '../model/events.js';
import { humanSize } from '../model/units.js';

/** Docker's HumanSize as buildx prints transfer sizes: 4 significant digits ("279B", "1.234kB"). */
export const humanSize4 = (bytes: number): string => humanSize(bytes, 4);

interface Step {
  /** 0 until its header is first printed. */
  index: number;
  /** Order of first appearance: which step's output is printed next. */
  seen: number;
  vertex: BuildVertex;
  /** Lines waiting to be printed (without the "#n " prefix). */
  lines: string[];
  /** Status ids already reported as done. */
  doneStatuses: Set<string>;
  partial: string;
  finished: boolean;
  /** All its lines, the final one included, have been printed. */
  closed: boolean;
}

/**
 * One step is printed at a time, as buildx does, so that each step's lines stay together: the printer stays
 * on the step it is on until that step ends, while the others' lines wait in their buffers; then it moves to
 * the earliest step with something to print.
 */
export class BuildPlainPrinter {
  private readonly steps = new Map<string, Step>();
  private next = 1;
  private seen = 0;
  private current?: Step;
  private started = false;
  private queued: BuildEvent[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly write: (text: string) => void) {}

  /**
   * Updates are merged over a short window before printing, as buildx does: BuildKit reports a cache hit as
   * a completed step first and marks it cached a moment later, and compose prints it as CACHED.
   */
  push(e: BuildEvent): void {
    this.queued.push(e);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), 100);
      this.timer.unref();
    }
  }

  /** Print what is due; `final` (the run is over) prints every step's remaining lines too. */
  flush(final = false): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const queued = this.queued.splice(0);
    if (queued.length) {
      // per service: builds running side by side share step digests (the same FROM), not their lines
      for (const service of new Set(queued.map((e) => e.service))) {
        const mine = queued.filter((e) => e.service === service);
        const vertexes = new Map<string, BuildVertex>();
        const statuses = new Map<string, BuildVertexStatus>();
        for (const e of mine) {
          for (const v of e.vertexes) vertexes.set(v.digest, { ...vertexes.get(v.digest), ...v });
          for (const st of e.statuses) statuses.set(`${st.vertex}\0${st.id}`, st);
        }
        this.collect({ type: 'build', service, vertexes: [...vertexes.values()], statuses: [...statuses.values()], logs: mine.flatMap((e) => e.logs) });
      }
    }
    this.print(final);
  }

  private since(s: Step, at: number | undefined): string {
    const from = s.vertex.started ?? at ?? Date.now();
    return (Math.max(0, (at ?? Date.now()) - from) / 1000).toFixed(3);
  }

  private collect(e: BuildEvent): void {
    const key = (digest: string) => `${e.service}\0${digest}`;
    for (const v of e.vertexes) {
      const s = this.steps.get(key(v.digest));
      if (s) s.vertex = { ...s.vertex, ...v };
      else this.steps.set(key(v.digest), { index: 0, seen: this.seen++, vertex: v, lines: [], doneStatuses: new Set(), partial: '', finished: false, closed: false });
    }
    for (const st of e.statuses) {
      const s = this.steps.get(key(st.vertex));
      if (!s || st.completed === undefined || s.doneStatuses.has(st.id)) continue;
      s.doneStatuses.add(st.id);
      const amount = st.total ? ` ${humanSize4(st.current)} / ${humanSize4(st.total)}` : st.current ? ` ${humanSize4(st.current)}` : '';
      // buildx shows how long a sub-task took once that is more than 10 ms
      const took = st.started !== undefined ? (st.completed - st.started) / 1000 : 0;
      s.lines.push(`${st.id}${amount}${took > 0.01 ? ` ${took.toFixed(1)}s` : ''} done`);
    }
    for (const l of e.logs) {
      const s = this.steps.get(key(l.vertex));
      if (!s) continue;
      const lines = (s.partial + Buffer.from(l.data).toString('utf8')).split('\n');
      s.partial = lines.pop()!;
      for (const line of lines) s.lines.push(`${this.since(s, l.timestamp)} ${line.replace(/\r$/, '')}`);
    }
    for (const v of e.vertexes) {
      const s = this.steps.get(key(v.digest))!;
      const x = s.vertex;
      if (s.finished || !(x.cached || x.error || (x.completed !== undefined && x.started !== undefined))) continue;
      s.finished = true;
      if (s.partial) s.lines.push(`${this.since(s, x.completed)} ${s.partial}`);
      s.partial = '';
      if (x.error) s.lines.push(`ERROR: ${x.error}`);
      else if (x.cached) s.lines.push('CACHED');
      else s.lines.push(`DONE ${(Math.max(0, x.completed! - x.started!) / 1000).toFixed(1)}s`);
    }
  }

  private print(final: boolean): void {
    for (;;) {
      let s = this.current;
      if (!s || s.closed) {
        // the earliest step that has something to show (finished ones first, so a long step does not hold
        // back the ones that are already over)
        const open = [...this.steps.values()].filter((x) => !x.closed && (x.lines.length > 0 || x.vertex.started !== undefined));
        s = open.filter((x) => x.finished).sort((a, b) => a.seen - b.seen)[0] ?? open.sort((a, b) => a.seen - b.seen)[0];
        if (!s) return;
      }
      if (s !== this.current) {
        if (!this.started) {
          this.started = true;
          this.write('#0 building with "default" instance using docker driver\n');
        }
        if (s.index === 0) s.index = this.next++;
        this.current = s;
        this.write(`\n#${s.index} ${s.vertex.name}\n`);
      }
      for (const line of s.lines.splice(0)) this.write(`#${s.index} ${line}\n`);
      if (s.finished) {
        s.closed = true;
        continue;
      }
      if (!final) return;
      // the run is over but the step never ended (a cancelled build): close it as it stands
      s.closed = true;
    }
  }
}
