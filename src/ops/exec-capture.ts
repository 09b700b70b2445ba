// Run a command in a running container and collect what it prints: the programmatic form of `exec -T`.
import type { ContainerEngine } from '../engine/types.js';

export interface CapturedOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecCaptureOptions {
  /** A null or undefined value passes the name alone (the engine takes it from the container's environment). */
  readonly env?: Readonly<Record<string, string | null | undefined>>;
  readonly user?: string;
  readonly workdir?: string;
  readonly privileged?: boolean;
}

export async function execCapture(engine: ContainerEngine, containerId: string, cmd: readonly string[], options: ExecCaptureOptions = {}): Promise<CapturedOutput> {
  const execId = await engine.createExec(containerId, {
    Cmd: [...cmd],
    Env: options.env && Object.keys(options.env).length ? Object.entries(options.env).map(([k, v]) => (v === null || v === undefined ? k : `${k}=${v}`)) : undefined,
    User: options.user || undefined,
    WorkingDir: options.workdir || undefined,
    Privileged: options.privileged || undefined,
    AttachStdout: true,
    AttachStderr: true,
  });
  const io = await engine.startExec(execId, { tty: false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  if (io) for await (const chunk of io.output) (chunk.stream === 'stderr' ? err : out).push(chunk.data);
  // the output ends when the process does; its exit code may lag by a moment in the engine's books
  for (let i = 0; ; i++) {
    const info = await engine.inspectExec(execId);
    if (!info.running && info.exitCode !== null) return { exitCode: info.exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
    await new Promise((r) => setTimeout(r, Math.min(10 * (i + 1), 100)));
  }
}
