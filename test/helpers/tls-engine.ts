// A second Docker engine for the engine-selection tests: listening on TCP with TLS (certificates made here with
// openssl), never the machine's main engine.
//
// It runs in a network namespace of its own, reached over a veth pair on 10.216.255.0/30. Why not the host's
// network namespace with --bridge none --iptables=false: compose's default network is a bridge, so `up` on that
// engine would create bridges (and, with iptables off, half-working ones) beside the main engine's, in the
// host's namespace. In its own namespace the engine's bridges, routes and iptables rules are all its own; the
// only things in the host's namespace are one veth end and its /30 route, removed with the namespace.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunResult } from './e2e.js';

/** The prefix of every machine-wide name this engine uses (network namespace, veth, directories). */
export const PREFIX = 'b16c';
const NETNS = `${PREFIX}-tls`;
const HOST_IF = `${PREFIX}-h0`;
const NS_IF = `${PREFIX}-n0`;
export const ENGINE_IP = '10.216.255.2';
const HOST_IP = '10.216.255.1';
export const ENGINE_PORT = 2376;

export interface TlsEngine {
  readonly dir: string;
  /** tcp://10.216.255.2:2376 */
  readonly tcpHost: string;
  /** The engine's own unix socket, for the test's direct checks. */
  readonly unixHost: string;
  /** ca.pem, cert.pem, key.pem for a client: a DOCKER_CERT_PATH. */
  readonly clientCertDir: string;
  /** A CA that did not sign the server's certificate. */
  readonly wrongCa: string;
  /** `docker -H <unix socket> ...` against this engine. */
  docker(args: readonly string[]): Promise<RunResult>;
  stop(): Promise<void>;
}

async function sh(script: string, what: string): Promise<string> {
  const r = await run('bash', ['-euo', 'pipefail', '-c', script], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** Remove what an earlier, interrupted run left: processes in our namespace, the namespace and its veth. */
async function removeNetns(): Promise<void> {
  await sh(
    `if ip netns list | grep -qw '${NETNS}'; then
       for p in $(ip netns pids '${NETNS}'); do kill -TERM "$p" 2>/dev/null || true; done
       for i in $(seq 1 100); do [ -z "$(ip netns pids '${NETNS}')" ] && break; sleep 0.2; done
       for p in $(ip netns pids '${NETNS}'); do kill -KILL "$p" 2>/dev/null || true; done
       ip netns del '${NETNS}'
     fi
     ip link del '${HOST_IF}' 2>/dev/null || true`,
    'removing the test network namespace',
  );
}

async function makeCertificates(dir: string): Promise<void> {
  // EC keys: quick to make on a loaded machine. The server certificate names the address it is reached at.
  await sh(
    `cd '${dir}'
     key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1" 2>/dev/null; }
     key ca-key.pem
     openssl req -x509 -new -key ca-key.pem -out ca.pem -days 2 -subj '/CN=berth test CA'
     key wrong-ca-key.pem
     openssl req -x509 -new -key wrong-ca-key.pem -out wrong-ca.pem -days 2 -subj '/CN=berth wrong CA'
     key server-key.pem
     openssl req -new -key server-key.pem -out server.csr -subj '/CN=berth test engine'
     printf 'subjectAltName=IP:${ENGINE_IP}\\nextendedKeyUsage=serverAuth\\n' > server.ext
     openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out server-cert.pem -days 2 -extfile server.ext 2>/dev/null
     mkdir -p client
     key client/key.pem
     openssl req -new -key client/key.pem -out client.csr -subj '/CN=berth test client'
     printf 'extendedKeyUsage=clientAuth\\n' > client.ext
     openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out client/cert.pem -days 2 -extfile client.ext 2>/dev/null
     cp ca.pem client/ca.pem
     chmod 600 ca-key.pem wrong-ca-key.pem server-key.pem client/key.pem`,
    'making TLS certificates with openssl',
  );
}

export async function startTlsEngine(): Promise<TlsEngine> {
  await removeNetns();
  const dir = await mkdtemp(join(tmpdir(), `${PREFIX}-tls-`));
  await makeCertificates(dir);
  await sh(
    `ip netns add '${NETNS}'
     ip link add '${HOST_IF}' type veth peer name '${NS_IF}'
     ip link set '${NS_IF}' netns '${NETNS}'
     ip addr add ${HOST_IP}/30 dev '${HOST_IF}'
     ip link set '${HOST_IF}' up
     ip netns exec '${NETNS}' ip link set lo up
     ip netns exec '${NETNS}' ip addr add ${ENGINE_IP}/30 dev '${NS_IF}'
     ip netns exec '${NETNS}' ip link set '${NS_IF}' up`,
    'making the test network namespace',
  );
  await mkdir(join(dir, 'engine'));
  await writeFile(join(dir, 'engine', 'daemon.json'), '{}\n');
  const unixSocket = join(dir, 'engine', 'docker.sock');
  const e = (f: string) => join(dir, 'engine', f);
  // setsid: its own session, so a Ctrl-C of the test run does not reach it before afterAll stops it;
  // unshare --mount: its mounts stay out of the host's mount table (`ip netns exec` would hide cgroup mounts).
  const daemon: ChildProcess = spawn(
    'setsid',
    [
      'nsenter', `--net=/run/netns/${NETNS}`, '--', 'unshare', '--mount', '--propagation', 'slave', '--',
      'dockerd',
      '--config-file', e('daemon.json'),
      '--data-root', e('data'),
      '--exec-root', e('exec'),
      '--pidfile', e('docker.pid'),
      '-H', `unix://${unixSocket}`,
      '-H', `tcp://${ENGINE_IP}:${ENGINE_PORT}`,
      '--tlsverify', '--tlscacert', join(dir, 'ca.pem'), '--tlscert', join(dir, 'server-cert.pem'), '--tlskey', join(dir, 'server-key.pem'),
      '--bridge', 'none',
      '--default-address-pool', 'base=10.216.0.0/17,size=24',
      '--cgroup-parent', `/${PREFIX}-tls`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  daemon.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  let exited = false;
  daemon.on('exit', () => (exited = true));

  const docker = (args: readonly string[]) => run('docker', ['-H', `unix://${unixSocket}`, ...args], { env: { DOCKER_CONFIG: join(dir, 'no-config'), DOCKER_CONTEXT: '' } });
  const stop = async (): Promise<void> => {
    if (!exited && daemon.pid !== undefined) {
      daemon.kill('SIGTERM');
      for (let i = 0; i < 150 && !exited; i++) await new Promise((r) => setTimeout(r, 200));
      if (!exited) daemon.kill('SIGKILL');
    }
    await removeNetns();
  };
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (exited) throw new Error(`the test engine exited: ${log}`);
      if (existsSync(unixSocket) && (await docker(['version', '--format', '{{.Server.Version}}'])).code === 0) break;
      if (Date.now() > deadline) throw new Error(`the test engine did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    await sh(`docker save busybox:local | docker -H 'unix://${unixSocket}' load -q`, 'loading busybox:local into the test engine');
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    dir,
    tcpHost: `tcp://${ENGINE_IP}:${ENGINE_PORT}`,
    unixHost: `unix://${unixSocket}`,
    clientCertDir: join(dir, 'client'),
    wrongCa: join(dir, 'wrong-ca.pem'),
    docker,
    stop,
  };
}

