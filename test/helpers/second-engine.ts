// A private Docker Engine for the fault tests, which kill and restart an engine: the shared one must never be.
// It runs in a network namespace of its own (`b14f-<random>`), with its own data-root, exec-root, pidfile and
// socket under a directory of /tmp, no bridge (`--bridge none`: containers get only loopback, or the networks a
// stack creates from its own address pool), no iptables rules, an empty config file and a cgroup parent of its
// own, so that whatever it started can be found and ended even when the daemon was killed. Started as BRIEF.md
// prescribes: `setsid nsenter --net=… -- unshare --mount --propagation slave -- dockerd …` (`ip netns exec`
// would hide the cgroup mounts); dockerd starts its own managed containerd under its exec-root.
//
// Every engine started here is ended and its directory and namespace removed by stop(), by the test file's
// afterAll (the caller registers it) and, as a last resort, synchronously when the process exits.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe } from 'vitest';
import { run, type RunResult } from './e2e.js';

const inCI = () => !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const TOOLS = ['dockerd', 'containerd', 'unshare', 'nsenter', 'setsid', 'ip', 'docker'];

function which(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** Why no second engine can be started here, or undefined when one can. */
export function secondEngineMissing(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (a private dockerd needs root)';
  const missing = TOOLS.filter((t) => !which(t));
  return missing.length ? `missing ${missing.join(', ')} (scripts/setup-test-env.sh installs them)` : undefined;
}

/**
 * `describe` when a second engine can be started; `describe.skip` outside CI otherwise. In CI a missing
 * prerequisite fails: the block runs and its first test reports why.
 */
export function describeSecondEngine(name: string, body: () => void): void {
  const why = secondEngineMissing();
  if (why && !inCI()) {
    describe.skip(`${name} (skipped: ${why})`, body);
    return;
  }
  describe(name, () => {
    if (why) throw new Error(`second engine: ${why}; in CI the fault tests must run`);
    body();
  });
}

const live = new Set<SecondEngine>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // synchronous: nothing asynchronous runs in an 'exit' handler
  process.on('exit', () => {
    for (const e of live) e.destroySync();
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const e of live) e.destroySync();
      process.exit(130);
    });
  }
}

/** Where scripts/engine-next.sh installs the newer engine's dockerd (Docker 26, BuildKit 0.13). */
export const ENGINE_NEXT_DOCKERD = join(process.env.ENGINE_NEXT_DIR ?? '/opt/berth/engine-next', 'bin', 'dockerd');

export interface SecondEngineOptions {
  /** The dockerd binary (default: the one on PATH, the main engine's version); its directory leads PATH. */
  readonly dockerd?: string;
  /** daemon.json (default: empty), e.g. `{ features: { 'containerd-snapshotter': true } }`. */
  readonly daemonConfig?: Record<string, unknown>;
}

export class SecondEngine {
  readonly id = randomBytes(3).toString('hex');
  readonly netns: string;
  readonly cgroupParent: string;
  private dirPath?: string;

  /** `prefix`: the name prefix of the helper (suite) that owns it, for its netns, cgroup, directory and namespaces. */
  constructor(
    readonly prefix = 'b14f',
    readonly options: SecondEngineOptions = {},
  ) {
    this.netns = `${prefix}-${this.id}`;
    this.cgroupParent = `/${prefix}-${this.id}`;
  }

  /**
   * Made by the first start(), not at construction: a skipped suite still constructs its engine. Short on
   * purpose: containerd's sockets live under the exec-root and a unix socket path has ~108 bytes.
   */
  get dir(): string {
    if (!this.dirPath) throw new Error('second engine: start() it first');
    return this.dirPath;
  }
  get socket(): string {
    return join(this.dir, 'docker.sock');
  }
  get host(): string {
    return `unix://${this.socket}`;
  }
  private starts = 0;

  private args(): string[] {
    return [
      '--config-file', join(this.dir, 'daemon.json'),
      '--data-root', join(this.dir, 'data'),
      '--exec-root', join(this.dir, 'exec'),
      '--pidfile', join(this.dir, 'docker.pid'),
      '-H', this.host,
      '--bridge', 'none',
      '--iptables=false',
      '--ip6tables=false',
      '--default-address-pool', 'base=10.214.0.0/16,size=24',
      // a cgroup of its own, so cleanup finds every process it started; cgroupfs, so the parent is a plain path
      // (dockerd picks the systemd driver on some cgroup v2 hosts, where the parent would have to be a slice)
      '--cgroup-parent', this.cgroupParent,
      '--exec-opt', 'native.cgroupdriver=cgroupfs',
      // dockerd uses a system containerd when /run/containerd/containerd.sock exists (docker-ce hosts, CI
      // runners) instead of starting its own: namespaces of our own keep its objects apart from the main engine's
      '--containerd-namespace', `${this.prefix}-${this.id}`,
      '--containerd-plugins-namespace', `${this.prefix}-${this.id}-plugins`,
    ];
  }

  /** The daemon's pid while it runs (from its pidfile). */
  pid(): number | undefined {
    if (!this.dirPath) return undefined;
    try {
      const pid = Number(readFileSync(join(this.dir, 'docker.pid'), 'utf8').trim());
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** Start (or restart, on the same data-root) and wait until it answers. */
  async start(timeoutMs = 60_000): Promise<void> {
    installExitHook();
    live.add(this);
    if (this.starts++ === 0) {
      this.dirPath = mkdtempSync(`/tmp/${this.prefix}-`);
      writeFileSync(join(this.dir, 'daemon.json'), `${JSON.stringify(this.options.daemonConfig ?? {})}\n`);
      execFileSync('ip', ['netns', 'add', this.netns]);
      execFileSync('ip', ['-n', this.netns, 'link', 'set', 'lo', 'up']);
    }
    // pidfiles left by a killed daemon: dockerd refuses to start, or waits for a "still running" containerd
    // whose pid is a zombie nobody reaped yet
    rmSync(join(this.dir, 'docker.pid'), { force: true });
    rmSync(join(this.dir, 'exec', 'containerd', 'containerd.pid'), { force: true });
    const log = openSync(join(this.dir, 'dockerd.log'), 'a');
    const dockerd = this.options.dockerd ?? 'dockerd';
    // a dockerd of another version finds its own docker-proxy beside it
    const env = this.options.dockerd ? { ...process.env, PATH: `${dirname(dockerd)}:${process.env.PATH ?? ''}` } : process.env;
    const child = spawn(
      'setsid',
      ['nsenter', `--net=/run/netns/${this.netns}`, '--', 'unshare', '--mount', '--propagation', 'slave', '--', dockerd, ...this.args()],
      { stdio: ['ignore', log, log], detached: true, env },
    );
    child.unref();
    closeSync(log);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await this.docker(['version', '--format', '{{.Server.Version}}']);
      if (v.code === 0) return;
      if (Date.now() > deadline) throw new Error(`second engine did not answer on ${this.host} within ${timeoutMs} ms: ${this.logTail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  logTail(): string {
    try {
      return readFileSync(join(this.dir, 'dockerd.log'), 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** The docker CLI against this engine. */
  docker(args: readonly string[], input?: string): Promise<RunResult> {
    return run('docker', ['-H', this.host, ...args], { input, timeoutMs: 60_000 });
  }

  /** Copy busybox:local from the main engine. */
  async loadBusybox(): Promise<void> {
    const r = await run('sh', ['-c', `docker save busybox:local | docker -H '${this.host}' load -q`], { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`loading busybox:local into the second engine failed: ${r.stderr}`);
    await this.docker(['tag', 'busybox:local', 'busybox:latest']);
  }

  private containerdPid(): number | undefined {
    if (!this.dirPath) return undefined;
    try {
      const pid = Number(readFileSync(join(this.dir, 'exec', 'containerd', 'containerd.pid'), 'utf8').trim());
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  private killed: number[] = [];

  /** SIGKILL the daemon and its managed containerd, as a crash would; container shims live on. */
  kill(): void {
    this.killed = [this.pid(), this.containerdPid()].filter((p): p is number => p !== undefined);
    for (const pid of this.killed) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }

  /** Wait until the killed processes are gone (or zombies: pid 1 here may reap late). */
  async waitGone(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const pid of this.killed) {
      while (alive(pid)) {
        if (Date.now() > deadline) throw new Error(`process ${pid} of the second engine did not exit`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Remove every container, stop the daemon, remove its namespace and directory. */
  async stop(): Promise<void> {
    if (!this.dirPath) return;
    if (this.pid() && (await this.docker(['version'])).code === 0) {
      const ids = (await this.docker(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
      if (ids.length) await this.docker(['rm', '-f', '-v', ...ids]);
    }
    this.destroySync();
  }

  /** Kill whatever is left of this engine and remove its traces; synchronous, so it can run at process exit. */
  destroySync(): void {
    if (!live.has(this) || !this.dirPath) return;
    live.delete(this);
    const pid = this.pid();
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      const deadline = Date.now() + 5000;
      while (existsSync(`/proc/${pid}`) && Date.now() < deadline) spawnSync('sleep', ['0.1']);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    // shims, containerd and container processes this engine started: by their cgroup (ours alone), then by the
    // command line naming our directory (shims and containerd are not in the cgroup)
    for (const pidOf of [...this.cgroupPids(), ...this.pidsNaming(`${this.dir}/`)]) {
      try {
        process.kill(pidOf, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    spawnSync('sleep', ['0.2']);
    for (const base of [...safeReaddir('/sys/fs/cgroup').map((c) => join('/sys/fs/cgroup', c, this.cgroupParent)), join('/sys/fs/cgroup', this.cgroupParent)]) {
      if (!existsSync(base)) continue;
      for (const sub of safeReaddir(base)) if (!sub.includes('.')) spawnSync('rmdir', [join(base, sub)]);
      spawnSync('rmdir', [base]);
    }
    // the overlay mounts live in the daemon's private mount namespace, gone with its last process
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 3 });
    spawnSync('ip', ['netns', 'del', this.netns]);
  }

  /** Processes in our cgroup parent's children: cgroup v1 (the pids controller) or v2 (the unified tree). */
  private cgroupPids(): number[] {
    const out: number[] = [];
    for (const base of [join('/sys/fs/cgroup/pids', this.cgroupParent), join('/sys/fs/cgroup', this.cgroupParent)]) {
      for (const sub of safeReaddir(base)) {
        try {
          out.push(...readFileSync(join(base, sub, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number));
        } catch {
          /* not a cgroup, or gone */
        }
      }
    }
    return out;
  }

  private pidsNaming(text: string): number[] {
    const out: number[] = [];
    for (const entry of safeReaddir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) out.push(Number(entry));
      } catch {
        /* gone */
      }
    }
    return out.filter((p) => p !== process.pid);
  }
}

function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
