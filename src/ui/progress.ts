// Progress renderers: ops push ProgressEvents, one of these turns them into what the user sees.
//   plain  one line per event, as `docker compose --progress plain`
//   tty    a live region drawn by listr2, one line per resource updated in place (progress-tty.ts)
//   json   one JSON object per line per event (compose 2.26 has no json mode; the shape is ours)
//   quiet  nothing; the CLI still reports the final error itself
import type { ProgressEvent } from '../model/events.js';
import { BuildPlainPrinter } from './build-progress.js';
import type { ChalkInstance, Env } from './color.js';
import { messageLine, progressId, type ProgressRenderer, type ProgressStream } from './progress-lines.js';

export { messageLine, progressId, type ProgressRenderer, type ProgressStream };

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'json' | 'quiet';

export interface ProgressOptions {
  /** Default process.stderr, where compose draws its progress. */
  readonly stream?: ProgressStream;
  /** For the `auto` decision (CI, TERM); default: std-env's view of process.env. */
  readonly env?: Env;
  /** Already decided by resolveColor. */
  readonly color: boolean;
  /** The tty header's verb: "[+] Running 2/3". Default "Running". */
  readonly title?: string;
  /** Where plain mode prints BuildKit's build progress: compose prints it on standard output. Default process.stdout. */
  readonly buildStream?: ProgressStream;
}

/** What `auto` means: a live region only on an interactive terminal outside CI. */
export function resolveProgressMode(
  mode: ProgressMode,
  stream: ProgressStream = process.stderr,
  env?: Env,
  /** Whether this is a CI run; default: CI is set in `env` (or process.env) and not false/0. */
  ci?: boolean,
): Exclude<ProgressMode, 'auto'> {
  if (mode !== 'auto') return mode;
  const e = env ?? process.env;
  const inCI = ci ?? (Boolean(e.CI) && e.CI !== 'false' && e.CI !== '0');
  return stream.isTTY === true && !inCI && e.TERM !== 'dumb' ? 'tty' : 'plain';
}

/** The live region's module (listr2) is loaded only when it is the one chosen. */
export async function createProgressRenderer(mode: ProgressMode, opts: ProgressOptions): Promise<ProgressRenderer> {
  // quiet prints nothing: process.stderr is not even made (for a pipe, a socket: ~1 ms of a no-op command)
  if (mode === 'quiet') return QUIET;
  const stream = opts.stream ?? process.stderr;
  // without an explicit environment, std-env's detection of CI providers decides (loaded only then)
  const ci = mode === 'auto' && opts.env === undefined ? (await import('std-env')).isCI : undefined;
  switch (resolveProgressMode(mode, stream, opts.env, ci)) {
    case 'quiet':
      return QUIET;
    case 'json':
      return new JsonRenderer(stream);
    // chalk, only for the modes that may colour
    case 'plain':
      return new PlainRenderer(stream, (await import('./color.js')).createChalk(opts.color), opts.buildStream ?? process.stdout);
    case 'tty': {
      const [{ TtyRenderer }, { createChalk }] = await Promise.all([import('./progress-tty.js'), import('./color.js')]);
      return new TtyRenderer(stream, createChalk(opts.color), opts.title ?? 'Running');
    }
  }
}

const QUIET: ProgressRenderer = { onEvent() {}, done: () => Promise.resolve() };

class PlainRenderer implements ProgressRenderer {
  private readonly startedAt = Date.now();
  private closed = false;
  private build?: BuildPlainPrinter;
  constructor(
    private readonly out: ProgressStream,
    private readonly chalk: ChalkInstance,
    private readonly buildOut: ProgressStream = out,
  ) {}

  onEvent(e: ProgressEvent): void {
    if (this.closed) return;
    if (e.type === 'build') {
      this.build ??= new BuildPlainPrinter((text) => this.buildOut.write(text));
      this.build.push(e);
      return;
    }
    // the BuildKit display already shows a service's build (compose prints no "Service x  Built" line then)
    if (e.type === 'resource' && e.kind === 'service' && this.build && (e.text === 'Building' || e.text === 'Built' || e.status === 'error')) return;
    this.build?.flush();
    const line =
      e.type === 'message'
        ? messageLine(e, this.chalk, this.startedAt)
        : // no colour: compose's plain output has none, and it is what gets grepped in CI logs
          ` ${progressId(e)}${e.label ? ' ' : '  '}${e.text}${e.detail ? ` ${e.detail}` : ''}`;
    this.out.write(line + '\n');
  }

  done(): Promise<void> {
    this.build?.flush(true);
    this.closed = true;
    return Promise.resolve();
  }
}

class JsonRenderer implements ProgressRenderer {
  private closed = false;
  constructor(private readonly out: ProgressStream) {}

  onEvent(e: ProgressEvent): void {
    if (this.closed) return;
    // `status` is compose's word ("Started"), `state` the machine-readable phase; absent keys are omitted
    if (e.type === 'build') {
      // one record per step change: its name, state and output, in berth's json shape
      for (const v of e.vertexes) {
        const state = v.error ? 'error' : v.cached ? 'cached' : v.completed !== undefined ? 'done' : v.started !== undefined ? 'working' : 'pending';
        this.out.write(JSON.stringify({ type: 'build', service: e.service, step: v.digest, name: v.name, state, started: v.started, completed: v.completed, error: v.error }) + '\n');
      }
      for (const st of e.statuses) this.out.write(JSON.stringify({ type: 'build-status', service: e.service, step: st.vertex, id: st.id, name: st.name, current: st.current, total: st.total, done: st.completed !== undefined }) + '\n');
      for (const l of e.logs) this.out.write(JSON.stringify({ type: 'build-log', service: e.service, step: l.vertex, stream: l.stream === 2 ? 'stderr' : 'stdout', text: Buffer.from(l.data).toString('utf8') }) + '\n');
      return;
    }
    const record =
      e.type === 'message'
        ? { type: 'message', level: e.level, message: e.text }
        : {
            type: 'resource',
            id: progressId(e),
            kind: e.kind,
            name: e.name,
            service: e.service,
            state: e.status,
            status: e.text,
            detail: e.detail,
          };
    this.out.write(JSON.stringify(record) + '\n');
  }

  done(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
