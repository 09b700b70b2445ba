// The tty progress renderer: a live region drawn by listr2 (see progress.ts for the other modes). Its own
// module, so that commands rendering plain, json or quiet progress never load listr2.
import {
  DefaultRenderer,
  Listr,
  ListrDefaultRendererLogLevels,
  ListrLogger,
  ListrTaskState,
  ProcessOutput,
  figures,
  type ListrTaskObject,
  type ListrTaskWrapper,
} from 'listr2';
import type { ProgressEvent, ProgressStatus } from '../model/events.js';
import type { ChalkInstance } from './color.js';
import { messageLine, progressId, type ProgressRenderer, type ProgressStream } from './progress-lines.js';
import { textWidth } from './table.js';

interface Line {
  kind: string;
  name: string;
  label: string;
  status: ProgressStatus;
  text: string;
  detail?: string;
  /** When the current phase began: a line going back to `working` ("Created" → "Starting") restarts it. */
  start: number;
  end?: number;
  task?: ListrTaskObject<any, any, any>;
}

/** listr2 refuses its default renderer when process.stdout is no TTY; the decision is ours, made on our stream. */
class LiveRenderer extends DefaultRenderer {
  static override nonTTY = true;
}

const TICK_MS = 100;

/** Tasks berth drives by hand are never run by listr2 (see TtyRenderer); harmless if that changed. */
const neverRun = (): void => {};

/**
 * The live region. listr2 draws it; berth drives the tasks' state and title directly instead of running
 * task functions, because resources are not known up front: they appear as events arrive, and a line can
 * go from done back to working ("Created" → "Starting"), which a run-to-completion task cannot do.
 *
 * Shape: an untitled root task whose subtask list holds an untitled anchor task, kept pending until
 * done() so that the list stays alive; the header ("[+] Running n/m") and one task per resource are
 * appended to that list once it runs. Invariants: tasks are only added once the anchor runs (a task added
 * earlier would be run by listr2, and has no function), and they are never closed, so the renderer never
 * caches their text; it redraws them on its spinner tick.
 */
export class TtyRenderer implements ProgressRenderer {
  private readonly lines = new Map<string, Line>();
  private readonly pending: string[] = [];
  private sub?: Listr<any, any, any>;
  private header?: ListrTaskObject<any, any, any>;
  private running?: Promise<unknown>;
  private releaseAnchor!: () => void;
  private readonly anchorReleased = new Promise<void>((resolve) => (this.releaseAnchor = resolve));
  private ticker?: ReturnType<typeof setInterval>;
  private closing?: Promise<void>;
  private readonly startedAt = Date.now();

  constructor(
    private readonly out: ProgressStream,
    private readonly chalk: ChalkInstance,
    private readonly verb: string,
  ) {}

  onEvent(e: ProgressEvent): void {
    if (this.closing) return;
    if (e.type === 'message') {
      const text = messageLine(e, this.chalk, this.startedAt);
      // once the live region is up, writing would tear it; messages wait for the final frame
      if (this.running) this.pending.push(text);
      else this.out.write(text + '\n');
      return;
    }
    if (e.type === 'build') {
      // BuildKit's steps, one line each with their own timings, as buildx draws them ("[web 2/3] RUN …  DONE")
      for (const v of e.vertexes) {
        if (v.started === undefined && !v.cached && !v.error) continue;
        const key = `step\0${e.service}\0${v.digest}`;
        const prev = this.lines.get(key);
        const status: ProgressStatus = v.error ? 'error' : v.cached || v.completed !== undefined ? 'done' : 'working';
        const start = v.started ?? prev?.start ?? Date.now();
        const end = status === 'working' ? undefined : (v.completed ?? start);
        const text = v.error ? 'ERROR' : v.cached ? 'CACHED' : v.completed !== undefined ? 'DONE' : 'Building';
        this.lines.set(key, { ...(prev ?? {}), kind: 'step', name: v.digest, label: v.name, status, text, detail: v.error, start, end });
      }
      this.start();
      this.sync();
      return;
    }
    const now = Date.now();
    const key = `${e.kind}\0${e.name}`;
    let line = this.lines.get(key);
    if (!line) {
      line = { kind: e.kind, name: e.name, label: '', status: e.status, text: e.text, start: now };
      this.lines.set(key, line);
    } else if (line.status !== 'working' && e.status === 'working') {
      line.start = now;
    }
    line.label = progressId(e);
    line.status = e.status;
    line.text = e.text;
    line.detail = e.detail;
    line.end = e.status === 'working' ? undefined : now;
    this.start();
    this.sync();
  }

  done(): Promise<void> {
    this.closing ??= this.close();
    return this.closing;
  }

  private async close(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    if (this.running) {
      this.sync();
      this.releaseAnchor();
      try {
        // resolves after listr2's end(), which prints the final frame
        await this.running;
      } catch {
        // listr2 could not draw: fall back to the plain lines so the outcome is not lost
        for (const l of this.lines.values()) this.out.write(` ${l.label}  ${l.text}${l.detail ? ` ${l.detail}` : ''}\n`);
      }
    }
    for (const text of this.pending) this.out.write(text + '\n');
  }

  /** Lazily: a command that touches no resource draws no empty "[+] Running 0/0". */
  private start(): void {
    if (this.running) return;
    const stream = this.out as unknown as NodeJS.WriteStream;
    const c = this.chalk;
    const L = ListrDefaultRendererLogLevels;
    const root = new Listr<any, any, any>(
      [
        {
          // untitled: draws no line of its own, its subtasks render at the top level
          task: (_ctx: unknown, outer: ListrTaskWrapper<any, any, any>) =>
            outer.newListr(
              [
                {
                  task: (_c: unknown, anchor: ListrTaskWrapper<any, any, any>) => {
                    this.sub = anchor.task.listr;
                    this.sync();
                    return this.anchorReleased;
                  },
                },
              ],
              { concurrent: true, exitOnError: false },
            ),
        },
      ],
      {
        renderer: LiveRenderer,
        rendererOptions: {
          // both channels on our stream: listr2 hijacks what it is given, and nothing else
          logger: new ListrLogger({ useIcons: true, processOutput: new ProcessOutput(stream, stream) }),
          collapseSubtasks: false,
          collapseErrors: true,
          // the title already carries the detail; listr2 would replace the line by the bare message
          showErrorMessage: false,
          formatOutput: 'truncate',
          // the header is a task left WAITING forever (resource tasks never are), so its icon is "[+]"
          // compose's cross is ✘; keep listr2's ASCII fallback on terminals without Unicode
          icon: { [L.WAITING]: '[+]', [L.FAILED]: figures.tick === '✔' ? '✘' : figures.cross },
          color: {
            [L.PENDING]: c.yellow,
            [L.COMPLETED]: c.green,
            [L.FAILED]: c.red,
            [L.FAILED_WITH_FAILED_SUBTASKS]: c.red,
            [L.COMPLETED_WITH_FAILED_SUBTASKS]: c.yellow,
            [L.COMPLETED_WITH_FAILED_SISTER_TASKS]: c.red,
            [L.WAITING]: c.blue,
            [L.RETRY]: c.yellow,
            [L.ROLLING_BACK]: c.red,
            [L.ROLLED_BACK]: c.red,
            [L.SKIPPED_WITH_COLLAPSE]: c.yellow,
            [L.SKIPPED_WITHOUT_COLLAPSE]: c.yellow,
            [L.PAUSED]: c.yellow,
          },
        },
        fallbackRendererCondition: false,
        silentRendererCondition: false,
        exitOnError: false,
        // SIGINT belongs to the CLI: listr2's handler would process.exit(127)
        registerSignalListeners: false,
      },
    );
    this.running = root.run();
    // elapsed times of working lines tick between events; unref'd so a forgotten done() can't hold the process
    this.ticker = setInterval(() => this.sync(), TICK_MS);
    this.ticker.unref?.();
  }

  private headerTitle(): string {
    const all = [...this.lines.values()];
    const finished = all.filter((l) => l.status !== 'working').length;
    return this.chalk.blue(`${this.verb} ${finished}/${all.length}`);
  }

  /** Push the model into listr2's tasks: create missing ones, then titles and states. */
  private sync(): void {
    const sub = this.sub;
    if (!sub) return;
    if (!this.header) {
      sub.add({ title: this.headerTitle(), task: neverRun });
      this.header = sub.tasks[sub.tasks.length - 1];
      void this.header.check(undefined);
    }
    this.header.title = this.headerTitle();
    const lines = [...this.lines.values()];
    const labelWidth = Math.max(...lines.map((l) => textWidth(l.label)));
    // listr2 truncates at process.stdout's width minus icon (2) and a margin (2)
    const columns = Math.min(this.out.columns ?? 80, process.stdout.columns ?? 80);
    const width = Math.max(20, columns - 5);
    const now = Date.now();
    for (const line of lines) {
      if (!line.task) {
        sub.add({ title: line.label, task: neverRun });
        line.task = sub.tasks[sub.tasks.length - 1];
        void line.task.check(undefined);
      }
      line.task.title = this.lineTitle(line, labelWidth, width, now);
      line.task.state =
        line.status === 'working' ? ListrTaskState.STARTED : line.status === 'error' ? ListrTaskState.FAILED : ListrTaskState.COMPLETED;
    }
  }

  /** `Container p-web-1  Started` padded so the elapsed time sits at the right edge, as compose draws it. */
  private lineTitle(line: Line, labelWidth: number, width: number, now: number): string {
    const elapsed = `${(((line.end ?? now) - line.start) / 1000).toFixed(1)}s`;
    const head = line.label + ' '.repeat(labelWidth - textWidth(line.label) + 2);
    let status = line.text + (line.detail ? ` ${line.detail}` : '');
    const room = width - elapsed.length - 1 - textWidth(head);
    if (textWidth(status) > room) status = [...status].slice(0, Math.max(0, room - 1)).join('') + '…';
    const gap = ' '.repeat(Math.max(1, width - textWidth(head) - textWidth(status) - elapsed.length));
    const paint =
      line.status === 'done' ? this.chalk.green : line.status === 'warning' ? this.chalk.yellow : line.status === 'error' ? this.chalk.red : (s: string) => s;
    return head + paint(status) + gap + this.chalk.blue(elapsed);
  }
}
