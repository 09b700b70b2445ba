// `exec`: run a command in a running service container, its standard streams connected to the caller's (a TTY
// when asked), and its exit code returned. Also the stream plumbing `run` and `attach` share: pumpProcess().
import type { ContainerSummary, Engine, ProcessIO, TerminalSize } from '../engine/types.js';
import { ErrorCodes, OperationError } from '../model/errors.js';
import { Labels, projectFilter } from '../model/labels.js';

/** The caller's terminal, when the process gets a TTY: its size now and when it changes. */
export interface TerminalControl {
  size(): TerminalSize | undefined;
  /** Subscribe to size changes; returns the unsubscribe function. */
  onResize(listener: () => void): () => void;
}

/** Where a process's streams go. Absent stdin: the process gets none. */
export interface ProcessStreams {
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Present when the process has a TTY. */
  readonly terminal?: TerminalControl;
}

export interface ExecOptions extends Partial<ProcessStreams> {
  readonly service: string;
  readonly cmd: readonly string[];
  /** Container number (`--index`); default 1. */
  readonly index?: number;
  readonly detach?: boolean;
  /** "KEY=value" (a bare KEY was resolved by the caller). */
  readonly env?: readonly string[];
  readonly user?: string;
  readonly workdir?: string;
  readonly privileged?: boolean;
  readonly tty?: boolean;
}

/**
 * The running container `exec` targets: the service's container with that number. One-off containers are not
 * candidates (their number is always 1 and would shadow the service's own container).
 */
export async function runningServiceContainer(engine: Engine, project: string, service: string, index = 1): Promise<ContainerSummary> {
  const list = await engine.listContainers({ labels: [projectFilter(project), `${Labels.service}=${service}`, `${Labels.oneoff}=False`] });
  const c = list.find((x) => Number(x.labels[Labels.containerNumber]) === index);
  if (!c) {
    // compose's wording, so that scripts matching it keep working
    throw new OperationError(ErrorCodes.NO_CONTAINERS, index === 1 ? `service "${service}" is not running` : `service "${service}" is not running container #${index}`, { service });
  }
  return c;
}

/** The exit code of a finished exec. Its output ends when the process does; the engine's books may lag. */
export async function execExitCode(engine: Engine, execId: string): Promise<number> {
  for (let i = 0; ; i++) {
    const info = await engine.inspectExec(execId);
    if (!info.running && info.exitCode !== null) return info.exitCode;
    await new Promise((r) => setTimeout(r, Math.min(10 * (i + 1), 100)));
  }
}

export async function exec(engine: Engine, project: string, o: ExecOptions): Promise<number> {
  const c = await runningServiceContainer(engine, project, o.service, o.index);
  const tty = !!o.tty && !o.detach;
  const withStdin = !o.detach && !!o.stdin;
  const execId = await engine.createExec(c.id, {
    Cmd: [...o.cmd],
    Env: o.env?.length ? [...o.env] : undefined,
    User: o.user,
    WorkingDir: o.workdir,
    Privileged: o.privileged || undefined,
    Tty: tty,
    AttachStdin: withStdin,
    AttachStdout: !o.detach,
    AttachStderr: !o.detach,
  });
  if (o.detach) {
    await engine.startExec(execId, { detach: true });
    return 0;
  }
  const io = await engine.startExec(execId, { tty, stdin: withStdin });
  if (!io) return execExitCode(engine, execId);
  await pumpProcess(io, { stdin: withStdin ? o.stdin : undefined, stdout: o.stdout ?? process.stdout, stderr: o.stderr ?? process.stderr, terminal: tty ? o.terminal : undefined }, (size) => engine.resizeExec(execId, size));
  return execExitCode(engine, execId);
}

/**
 * Connect a process's streams to the caller's until its output ends (the process exited or its connection
 * closed). The caller's stdin is read only meanwhile and left paused afterwards, so that a finished command
 * does not keep Node alive. Without a TTY the end of the caller's stdin closes the process's stdin, as
 * `docker exec -i` does; with a TTY it does not (a terminal's EOF is a key the process reads).
 */
export async function pumpProcess(io: ProcessIO, s: ProcessStreams, resize?: (size: TerminalSize) => Promise<void>): Promise<void> {
  const cleanups: (() => void)[] = [];
  if (s.terminal && resize) {
    const apply = () => {
      const size = s.terminal!.size();
      if (size) void resize(size).catch(() => undefined);
    };
    apply();
    cleanups.push(s.terminal.onResize(apply));
  }
  if (s.stdin && io.stdin) {
    const input = s.stdin;
    const target = io.stdin;
    // the connection may close (the process exited) while input is still arriving: not an error
    target.on('error', () => undefined);
    const onData = (d: Buffer | string) => {
      target.write(d);
    };
    const onEnd = () => {
      if (!s.terminal) target.end();
    };
    input.on('data', onData);
    input.once('end', onEnd);
    input.resume();
    cleanups.push(() => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause();
    });
  }
  try {
    for await (const chunk of io.output) {
      const out = chunk.stream === 'stderr' ? s.stderr : s.stdout;
      if (!out.write(chunk.data)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  } finally {
    for (const c of cleanups) c();
    io.close();
  }
}
