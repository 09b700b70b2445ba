// moby.sshforward.v1.SSH: SSH agent forwarding into build steps (`RUN --mount=type=ssh[,id=…]`). For each
// agent id the builder may use, berth connects a ForwardAgent stream (raw bytes of the ssh-agent protocol)
// to a local agent socket: the user's ($SSH_AUTH_SOCK, or a socket path given), or, for private key files,
// an ssh-agent berth starts for this build with its own socket in a private directory and loads the keys
// into with ssh-add (berth never parses or holds the keys itself). The build only gets a read-only agent:
// requests other than listing identities and signing are refused, as BuildKit's own provider does.
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildSshAgent } from '../../../types.js';
import { GrpcError, GrpcStatus, type GrpcCall, type GrpcServices } from '../grpc.js';
import { codec, unary } from './codec.js';

export const CHECK_AGENT_PATH = '/moby.sshforward.v1.SSH/CheckAgent';
export const FORWARD_AGENT_PATH = '/moby.sshforward.v1.SSH/ForwardAgent';
/** The request header naming the agent id of a ForwardAgent stream (sshforward.KeySSHID). */
export const SSH_ID_HEADER = 'buildkit.ssh.id';
export const DEFAULT_SSH_ID = 'default';

// ssh-agent protocol (draft-miller-ssh-agent): uint32 length, then a type byte
const SSH_AGENT_FAILURE = 5;
const SSH_AGENTC_REQUEST_IDENTITIES = 11;
const SSH_AGENTC_SIGN_REQUEST = 13;
const READ_ONLY = new Set([SSH_AGENTC_REQUEST_IDENTITIES, SSH_AGENTC_SIGN_REQUEST]);
/** OpenSSH's own limit on one agent message. */
const MAX_AGENT_MESSAGE = 256 * 1024;

interface CheckAgentRequest {
  ID: string;
}
interface BytesMessage {
  data: Uint8Array;
}
const checkRequest = codec<CheckAgentRequest>('moby.sshforward.v1.CheckAgentRequest');
const checkResponse = codec<Record<string, never>>('moby.sshforward.v1.CheckAgentResponse');
const bytesMessage = codec<BytesMessage>('moby.sshforward.v1.BytesMessage');

export interface SshForwarding {
  readonly services: GrpcServices;
  /** Stops the agents berth started and removes their sockets; idempotent. */
  close(): Promise<void>;
}

/** An agent berth started for key files: the child, its private directory and socket. */
interface OwnAgent {
  readonly child: ChildProcess;
  readonly dir: string;
  readonly socket: string;
}

/**
 * Resolves every agent (sockets checked, key files loaded into an agent of berth's) before the build starts,
 * so a wrong path fails up front; then serves CheckAgent and ForwardAgent for exactly those ids.
 */
export async function sshServices(agents: readonly BuildSshAgent[], env: NodeJS.ProcessEnv = process.env): Promise<SshForwarding> {
  const sockets = new Map<string, string>();
  const own: OwnAgent[] = [];
  const close = async () => {
    const all = own.splice(0);
    await Promise.all(all.map(stopAgent));
  };
  if (agents.length === 0) return { services: {}, close };
  try {
    for (const a of agents) {
      const id = a.id || DEFAULT_SSH_ID;
      if (sockets.has(id)) throw new Error(`invalid duplicate ssh ID ${id}`);
      const paths = a.paths.filter((p) => p !== '');
      if (paths.length === 0) {
        const sock = env.SSH_AUTH_SOCK;
        if (!sock) throw new Error(`ssh ${id}: invalid empty ssh agent socket, make sure SSH_AUTH_SOCK is set`);
        paths.push(sock);
      }
      sockets.set(id, await agentSocket(id, paths, own));
    }
  } catch (err) {
    await close();
    throw err;
  }
  const services: GrpcServices = {
    [CHECK_AGENT_PATH]: (call) =>
      unary(call, checkRequest, checkResponse, ({ ID }) => {
        const id = ID || DEFAULT_SSH_ID;
        if (!sockets.has(id)) throw new GrpcError(GrpcStatus.UNKNOWN, `unset ssh forward key ${id}`);
        return {};
      }),
    [FORWARD_AGENT_PATH]: (call) => forwardAgent(call, sockets),
  };
  return { services, close };
}

async function agentSocket(id: string, paths: string[], own: OwnAgent[]): Promise<string> {
  const kinds = await Promise.all(
    paths.map(async (p) => {
      try {
        return (await fsp.stat(p)).isSocket() ? 'socket' : 'key';
      } catch (err) {
        throw new Error(`ssh ${id}: cannot use ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }),
  );
  const socketCount = kinds.filter((k) => k === 'socket').length;
  if (socketCount > 1) throw new Error(`ssh ${id}: only one agent socket allowed`);
  if (socketCount === 1 && paths.length > 1) throw new Error(`ssh ${id}: invalid combination of keys and sockets`);
  if (socketCount === 1) return paths[0];
  const agent = await startAgent(id);
  own.push(agent);
  await addKeys(id, agent.socket, paths);
  return agent.socket;
}

/** `ssh-agent -D` (stays in the foreground: its life is the child's) on a socket in a 0700 directory. */
async function startAgent(id: string): Promise<OwnAgent> {
  const dir = await fsp.mkdtemp(join(tmpdir(), 'berth-ssh-'));
  await fsp.chmod(dir, 0o700);
  const socket = join(dir, 'agent.sock');
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout?.resume();
  const agent = { child, dir, socket };
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) =>
        reject(new Error(`ssh ${id}: cannot start ssh-agent to serve its keys: ${err.code === 'ENOENT' ? 'ssh-agent not found on PATH (install openssh-client)' : err.message}`)),
      );
      child.once('exit', (code) => reject(new Error(`ssh ${id}: ssh-agent exited (${code}): ${stderr.trim().split('\n')[0] ?? ''}`)));
      // ready once its socket exists (it prints the variable only after binding, but polling is simpler)
      const started = Date.now();
      const poll = () => {
        fsp.stat(socket).then(
          (st) => (st.isSocket() ? resolve() : setTimeout(poll, 10)),
          () => (Date.now() - started > 10_000 ? reject(new Error(`ssh ${id}: ssh-agent did not open its socket`)) : setTimeout(poll, 10)),
        );
      };
      poll();
    });
  } catch (err) {
    await stopAgent(agent);
    throw err;
  }
  child.removeAllListeners('exit');
  child.removeAllListeners('error');
  child.on('error', () => {});
  return agent;
}

function addKeys(id: string, socket: string, keys: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    // no terminal and no askpass: a key with a passphrase fails instead of prompting
    const child = spawn('ssh-add', ['-q', ...keys], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SSH_AUTH_SOCK: socket, SSH_ASKPASS_REQUIRE: 'never', DISPLAY: '' },
      detached: true,
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (err) => reject(new Error(`ssh ${id}: cannot run ssh-add: ${err.message}`)));
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`ssh ${id}: cannot load key ${keys.join(', ')}: ${stderr.trim().split('\n')[0] || `ssh-add exited ${code}`}`)),
    );
  });
}

async function stopAgent(agent: OwnAgent): Promise<void> {
  if (agent.child.exitCode === null && agent.child.signalCode === null) {
    const exited = new Promise<void>((resolve) => agent.child.once('exit', () => resolve()));
    agent.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
  }
  await fsp.rm(agent.dir, { recursive: true, force: true });
}

/** Frames of the agent protocol from a byte stream: each `next()` is one whole message (length included). */
class FrameReader {
  private buf = Buffer.alloc(0);
  constructor(private readonly chunks: AsyncIterator<Uint8Array>) {}

  async next(): Promise<Buffer | undefined> {
    for (;;) {
      if (this.buf.length >= 4) {
        const len = this.buf.readUInt32BE(0);
        if (len === 0 || len > MAX_AGENT_MESSAGE) throw new Error(`invalid ssh agent message length ${len}`);
        if (this.buf.length >= 4 + len) {
          const frame = this.buf.subarray(0, 4 + len);
          this.buf = this.buf.subarray(4 + len);
          return frame;
        }
      }
      const r = await this.chunks.next();
      if (r.done) {
        if (this.buf.length > 0) throw new Error('ssh agent stream ended inside a message');
        return undefined;
      }
      this.buf = Buffer.concat([this.buf, r.value]);
    }
  }
}

async function* requestBytes(call: GrpcCall): AsyncGenerator<Uint8Array> {
  for await (const m of call.messages()) {
    const { data } = await bytesMessage.decode(m);
    if (data.length > 0) yield data;
  }
}

async function* socketBytes(sock: Socket): AsyncGenerator<Uint8Array> {
  for await (const chunk of sock) yield chunk as Buffer;
}

async function forwardAgent(call: GrpcCall, sockets: ReadonlyMap<string, string>): Promise<void> {
  const id = call.metadata[SSH_ID_HEADER]?.[0] || DEFAULT_SSH_ID;
  const path = sockets.get(id);
  if (!path) return call.end({ code: GrpcStatus.UNKNOWN, message: `unset ssh forward key ${id}` });
  let sock: Socket | undefined;
  try {
    sock = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path, () => resolve(s));
      s.once('error', reject);
    });
    const agent = sock;
    agent.on('error', () => {});
    const requests = new FrameReader(requestBytes(call)[Symbol.asyncIterator]());
    const replies = new FrameReader(socketBytes(agent)[Symbol.asyncIterator]());
    // one request at a time: the protocol answers in order, so a refused request's failure reply can be
    // sent by berth without overtaking the agent's reply to an earlier one
    for (let req = await requests.next(); req; req = await requests.next()) {
      const type = req[4];
      if (!READ_ONLY.has(type)) {
        call.send(await bytesMessage.encode({ data: Buffer.from([0, 0, 0, 1, SSH_AGENT_FAILURE]) }));
        continue;
      }
      agent.write(req);
      const reply = await replies.next();
      if (!reply) throw new Error('ssh agent closed the connection');
      call.send(await bytesMessage.encode({ data: reply }));
    }
    call.end();
  } catch (err) {
    call.end({ code: GrpcStatus.UNAVAILABLE, message: `ssh ${id}: ${err instanceof Error ? err.message : String(err)}` });
  } finally {
    sock?.destroy();
  }
}
