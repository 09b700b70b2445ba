// ssh:// engines, reached as the docker CLI reaches them (docker/cli cli/connhelper): the `ssh` binary runs
// `docker system dial-stdio` on the far side, and HTTP is spoken over its stdin/stdout. The ssh binary rather
// than an ssh library, because it is what honours the user's ~/.ssh/config, keys, agent and known_hosts exactly
// as `docker -H ssh://…` does. Each connection is one ssh process; the http Agent keeps them alive between
// requests, so a command opens a handful, not one per call.
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, type AgentOptions } from 'node:http';
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { DockerConnection } from './docker-host.js';

type SshConnection = Extract<DockerConnection, { kind: 'ssh' }>;

/** The ssh command line for one connection, as the docker CLI builds it. */
export function sshArgs(c: SshConnection): string[] {
  const args: string[] = [];
  if (c.username !== undefined) args.push('-l', c.username);
  if (c.port !== undefined) args.push('-p', String(c.port));
  // ConnectTimeout and -T (no pseudo-terminal: the remote command must not run as a login shell) are the
  // docker CLI's own additions; `--` keeps a host name from being read as an option.
  args.push('-o', 'ConnectTimeout=30', '-T', '--', c.host);
  const remote = c.socketPath === undefined ? ['docker', 'system', 'dial-stdio'] : ['docker', `--host=unix://${c.socketPath}`, 'system', 'dial-stdio'];
  args.push(remote.map(shellQuote).join(' '));
  return args;
}

/** POSIX shell quoting: the remote command is run by the far side's shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A stream over one ssh process, shaped enough like a net.Socket for Node's http client: the socket methods
 * the client and its Agent call are provided; ref/unref follow the process, so an idle kept-alive connection
 * never keeps the program running.
 */
class SshStream extends Duplex {
  private stderr = '';
  private exited = false;

  constructor(private readonly child: ChildProcess) {
    super({ allowHalfOpen: false });
    const out = child.stdout!;
    out.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) out.pause();
    });
    // the end of ssh's output is reported once ssh has exited: a failed ssh is an error with its reason, not
    // an engine that hung up
    child.stderr!.on('data', (chunk: Buffer) => {
      // the last words only: enough to say why ssh gave up
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-2000);
    });
    child.stdin!.on('error', () => {
      // EPIPE after ssh exited: the exit is reported below, with ssh's own reason
    });
    child.on('error', (err) => this.destroy(this.failure(`cannot run ssh: ${err.message}`)));
    child.on('exit', () => {
      this.exited = true;
    });
    child.on('close', (code, signal) => {
      if (this.destroyed) return;
      if (code === 0) {
        this.push(null);
        return;
      }
      const why = this.stderr.trim().split('\n').filter(Boolean).pop() ?? `ssh exited with ${signal ?? `status ${code}`}`;
      this.destroy(this.failure(why));
    });
  }

  private failure(detail: string): Error {
    // ECONNREFUSED: the engine layer reports it as "cannot connect to the Docker engine at ssh://…: <why>"
    return Object.assign(new Error(detail), { code: 'ECONNREFUSED' });
  }

  override _read(): void {
    this.child.stdout!.resume();
  }

  // A write that fails (EPIPE: ssh already gave up) is not the stream's error: ssh's exit, reported on 'close'
  // with ssh's own reason, is. Passing the EPIPE on would destroy the stream first, and the user would read
  // "lost the connection" instead of "Connection refused".
  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.child.stdin!.write(chunk, encoding, () => callback());
  }

  override _final(callback: () => void): void {
    this.child.stdin!.end(() => callback());
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    if (!this.exited) this.child.kill('SIGTERM');
    callback(err);
  }

  // the net.Socket surface http and its Agent use
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(_ms: number, cb?: () => void): this {
    if (cb) this.once('timeout', cb);
    return this;
  }
  ref(): this {
    this.child.ref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr] as unknown as (Socket | null)[]) s?.ref?.();
    return this;
  }
  unref(): this {
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr] as unknown as (Socket | null)[]) s?.unref?.();
    return this;
  }
}

/** An http Agent whose connections are ssh processes running `docker system dial-stdio`. */
export class SshAgent extends Agent {
  constructor(
    private readonly connection: SshConnection,
    options: AgentOptions = { keepAlive: true },
  ) {
    super(options);
  }

  override createConnection(): Duplex {
    const child = spawn('ssh', sshArgs(this.connection), { stdio: ['pipe', 'pipe', 'pipe'] });
    return new SshStream(child);
  }
}
