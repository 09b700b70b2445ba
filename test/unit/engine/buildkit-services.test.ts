// The session services berth serves to the engine's BuildKit (secrets, ssh agent forwarding, registry
// auth), called over a real HTTP/2 connection with gRPC framing (test/helpers/grpc-h2.ts), the way the
// builder calls them through the session. The ssh tests run real ssh-agent/ssh-keygen (openssh-client).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authServices, CREDENTIALS_PATH, GET_TOKEN_AUTHORITY_PATH } from '../../../src/engine/dockerode/buildkit/services/auth.js';
import { GrpcStatus as GrpcCode } from '../../../src/engine/dockerode/buildkit/grpc.js';
import { sessionServices } from '../../../src/engine/dockerode/buildkit/services.js';
import { codec } from '../../../src/engine/dockerode/buildkit/services/codec.js';
import { GET_SECRET_PATH, MAX_SECRET_SIZE, secretsServices } from '../../../src/engine/dockerode/buildkit/services/secrets.js';
import { CHECK_AGENT_PATH, FORWARD_AGENT_PATH, sshServices } from '../../../src/engine/dockerode/buildkit/services/ssh.js';
import { readDockerConfig } from '../../../src/engine/dockerode/registry-auth.js';
import { callGrpc, openStream, serveGrpc } from '../../helpers/grpc-h2.js';

const getSecretReq = codec<{ ID: string }>('moby.buildkit.secrets.v1.GetSecretRequest');
const getSecretRes = codec<{ data: Uint8Array }>('moby.buildkit.secrets.v1.GetSecretResponse');
const credsReq = codec<{ Host: string }>('moby.filesync.v1.CredentialsRequest');
const credsRes = codec<{ Username: string; Secret: string }>('moby.filesync.v1.CredentialsResponse');
const checkReq = codec<{ ID: string }>('moby.sshforward.v1.CheckAgentRequest');
const bytesMsg = codec<{ data: Uint8Array }>('moby.sshforward.v1.BytesMessage');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'bk-services-'));
});

describe('Secrets/GetSecret', () => {
  it('answers file and environment sources by id, reading the file when asked, and NOT_FOUND for other ids', async () => {
    const file = path.join(dir, 'token.txt');
    writeFileSync(file, 'file-canary-1');
    const services = await secretsServices([
      { id: 'tok', file },
      { id: 'api_key', env: 'API_KEY', value: 'env-canary-2' },
    ]);
    const server = await serveGrpc(services);
    try {
      const one = await callGrpc(server.url, GET_SECRET_PATH, [await getSecretReq.encode({ ID: 'tok' })]);
      expect(one.code).toBe(0);
      expect(Buffer.from((await getSecretRes.decode(one.messages[0])).data).toString()).toBe('file-canary-1');
      writeFileSync(file, 'file-canary-changed');
      const again = await callGrpc(server.url, GET_SECRET_PATH, [await getSecretReq.encode({ ID: 'tok' })]);
      expect(Buffer.from((await getSecretRes.decode(again.messages[0])).data).toString()).toBe('file-canary-changed');
      const env = await callGrpc(server.url, GET_SECRET_PATH, [await getSecretReq.encode({ ID: 'api_key' })]);
      expect(Buffer.from((await getSecretRes.decode(env.messages[0])).data).toString()).toBe('env-canary-2');
      const missing = await callGrpc(server.url, GET_SECRET_PATH, [await getSecretReq.encode({ ID: 'nope' })]);
      expect(missing).toMatchObject({ code: GrpcCode.NOT_FOUND, messages: [] });
      expect(missing.message).toContain('nope');
    } finally {
      await server.close();
    }
  });

  it('fails before the build for a missing or oversized file, naming the secret but never its content', async () => {
    await expect(secretsServices([{ id: 's1', file: path.join(dir, 'absent') }])).rejects.toThrow(/secret "s1": cannot read .*absent: ENOENT/);
    const big = path.join(dir, 'big');
    writeFileSync(big, Buffer.alloc(MAX_SECRET_SIZE + 1, 'x'));
    await expect(secretsServices([{ id: 'big', file: big }])).rejects.toThrow(/secret "big": .* more than BuildKit's limit/);
  });

  it('offers no secrets service when the build has no secrets', async () => {
    expect(await secretsServices([])).toEqual({});
  });
});

describe('Auth', () => {
  let configDir: string;
  beforeAll(() => {
    configDir = path.join(dir, 'docker-config');
    execFileSync('mkdir', ['-p', configDir]);
    writeFileSync(
      path.join(configDir, 'config.json'),
      JSON.stringify({
        auths: {
          '127.0.0.1:5001': { auth: Buffer.from('berth:pa:ss').toString('base64') },
          'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpass').toString('base64') },
          'tok.example:443': { identitytoken: 'id-token-3' },
        },
      }),
    );
  });

  it('answers Credentials from the docker config per host (Hub under its v1 key, identity tokens as the secret, none as empty)', async () => {
    const server = await serveGrpc(authServices(() => readDockerConfig({ DOCKER_CONFIG: configDir })));
    try {
      const ask = async (Host: string) => {
        const r = await callGrpc(server.url, CREDENTIALS_PATH, [await credsReq.encode({ Host })]);
        expect(r.code).toBe(0);
        return await credsRes.decode(r.messages[0]);
      };
      expect(await ask('127.0.0.1:5001')).toEqual({ Username: 'berth', Secret: 'pa:ss' });
      expect(await ask('registry-1.docker.io')).toEqual({ Username: 'hubuser', Secret: 'hubpass' });
      expect(await ask('tok.example:443')).toEqual({ Username: '', Secret: 'id-token-3' });
      expect(await ask('127.0.0.1:5000')).toEqual({ Username: '', Secret: '' });
    } finally {
      await server.close();
    }
  });

  it('declines client-side token authority with UNAVAILABLE, so the builder fetches tokens with the credentials', async () => {
    const server = await serveGrpc(authServices(() => readDockerConfig({ DOCKER_CONFIG: configDir })));
    try {
      const r = await callGrpc(server.url, GET_TOKEN_AUTHORITY_PATH, [await codec<{ Host: string }>('moby.filesync.v1.GetTokenAuthorityRequest').encode({ Host: 'x' })]);
      expect(r.code).toBe(GrpcCode.UNAVAILABLE);
    } finally {
      await server.close();
    }
  });
});

// ---- ssh: real agents and keys

const AGENT_FAILURE = 5;
const IDENTITIES_ANSWER = 12;
function agentMessage(type: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length + 1, 0);
  head[4] = type;
  return Buffer.concat([head, body]);
}
/** The key blobs of an IDENTITIES_ANSWER. */
function identities(reply: Buffer): Buffer[] {
  expect(reply[4]).toBe(IDENTITIES_ANSWER);
  const n = reply.readUInt32BE(5);
  const out: Buffer[] = [];
  let at = 9;
  for (let i = 0; i < n; i++) {
    const len = reply.readUInt32BE(at);
    out.push(reply.subarray(at + 4, at + 4 + len));
    at += 4 + len;
    at += 4 + reply.readUInt32BE(at); // comment
  }
  return out;
}
function keygen(name: string): { key: string; blob: Buffer } {
  const key = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', key]);
  const blob = Buffer.from(readFileSync(`${key}.pub`, 'utf8').split(' ')[1], 'base64');
  return { key, blob };
}

/** One ForwardAgent stream: send agent requests, get the replies the build would see. */
async function forward(url: string, id: string | undefined, requests: Buffer[]): Promise<{ replies: Buffer[]; code: number; message: string }> {
  const { stream, close } = openStream(url, FORWARD_AGENT_PATH, id ? { 'buildkit.ssh.id': id } : {});
  const replies: Buffer[] = [];
  // the requests may arrive split across messages: send the first one in two halves
  for (const [i, r] of requests.entries()) {
    if (i === 0) {
      stream.write(await bytesMsg.encode({ data: r.subarray(0, 3) }));
      stream.write(await bytesMsg.encode({ data: r.subarray(3) }));
    } else stream.write(await bytesMsg.encode({ data: r }));
    const m = await stream.read();
    if (!m) break;
    replies.push(Buffer.from((await bytesMsg.decode(m)).data));
  }
  stream.end();
  while (await stream.read());
  const status = await stream.status();
  close();
  return { replies, ...status };
}

describe('SSH forwarding', () => {
  const agents: ChildProcess[] = [];
  afterAll(() => {
    for (const a of agents) a.kill();
  });

  it('serves key files through an agent of its own: lists them, refuses changes, and is gone after close', async () => {
    const a = keygen('id_a');
    const b = keygen('id_b');
    const fwd = await sshServices([{ id: 'default', paths: [a.key] }, { id: 'two', paths: [a.key, b.key] }], {});
    const server = await serveGrpc(fwd.services);
    try {
      const check = await callGrpc(server.url, CHECK_AGENT_PATH, [await checkReq.encode({ ID: '' })]);
      expect(check.code).toBe(0);
      const unknown = await callGrpc(server.url, CHECK_AGENT_PATH, [await checkReq.encode({ ID: 'other' })]);
      expect(unknown.code).not.toBe(0);
      expect(unknown.message).toContain('unset ssh forward key other');

      const one = await forward(server.url, undefined, [agentMessage(11), agentMessage(19), agentMessage(17, Buffer.from('xx')), agentMessage(11)]);
      expect(one.code).toBe(0);
      expect(identities(one.replies[0])).toEqual([a.blob]);
      expect(one.replies[1]).toEqual(Buffer.from([0, 0, 0, 1, AGENT_FAILURE])); // remove-all refused
      expect(one.replies[2]).toEqual(Buffer.from([0, 0, 0, 1, AGENT_FAILURE])); // add refused
      expect(identities(one.replies[3])).toEqual([a.blob]);

      const two = await forward(server.url, 'two', [agentMessage(11)]);
      expect(identities(two.replies[0]).map((k) => k.toString('hex')).sort()).toEqual([a.blob, b.blob].map((k) => k.toString('hex')).sort());

      const none = await forward(server.url, 'nope', [agentMessage(11)]);
      expect(none.code).not.toBe(0);
      expect(none.message).toContain('unset ssh forward key nope');
    } finally {
      await server.close();
      await fwd.close();
    }
    expect(execFileSync('sh', ['-c', 'ls -d "$TMPDIR"/berth-ssh-* 2>/dev/null || true']).toString().trim()).toBe('');
  });

  it('forwards $SSH_AUTH_SOCK for "default" without paths', async () => {
    const sock = path.join(mkdtempSync(path.join(tmpdir(), 'agent-')), 's');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    agents.push(agent);
    for (let i = 0; i < 200 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 10));
    const k = keygen('id_user');
    execFileSync('ssh-add', ['-q', k.key], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
    const fwd = await sessionServices({ ssh: [{ id: 'default', paths: [] }] }, { env: { SSH_AUTH_SOCK: sock } });
    const server = await serveGrpc(fwd.services);
    try {
      const r = await forward(server.url, 'default', [agentMessage(11)]);
      expect(identities(r.replies[0])).toEqual([k.blob]);
    } finally {
      await server.close();
      await fwd.close();
    }
    // the user's agent is not berth's to stop
    expect(agent.exitCode).toBeNull();
  });

  it('refuses bad configurations before the build: no SSH_AUTH_SOCK, a missing or unreadable key, duplicate ids', async () => {
    await expect(sshServices([{ id: 'default', paths: [] }], {})).rejects.toThrow('ssh default: invalid empty ssh agent socket, make sure SSH_AUTH_SOCK is set');
    await expect(sshServices([{ id: 'k', paths: [path.join(dir, 'absent')] }], {})).rejects.toThrow(/ssh k: cannot use .*absent: ENOENT/);
    const notKey = path.join(dir, 'not-a-key');
    writeFileSync(notKey, 'hello');
    await expect(sshServices([{ id: 'k', paths: [notKey] }], {})).rejects.toThrow(/ssh k: cannot load key .*not-a-key/);
    const a = keygen('id_dup');
    await expect(sshServices([{ id: 'x', paths: [a.key] }, { id: 'x', paths: [a.key] }], {})).rejects.toThrow('invalid duplicate ssh ID x');
    // nothing left running or on disk after a refusal
    expect(execFileSync('sh', ['-c', 'ls -d "$TMPDIR"/berth-ssh-* 2>/dev/null || true']).toString().trim()).toBe('');
  });
});
