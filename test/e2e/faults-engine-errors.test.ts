// Faults that do not need the engine killed (issue 14): a host port taken, a container name taken by a foreign
// container, a dependency that never becomes healthy — each compared with compose-ref on a project of its own —
// and an engine that is missing, refuses, denies permission, or accepts and never answers (a bounded timeout,
// stated in the message).
import { chmod, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { berth, berthBin, cleanup, composeRef, describeEngine, docker, freePort, leftovers, projectDir, run, uniqueProject, type RunResult } from '../helpers/e2e.js';
import { closeHard, track } from '../helpers/tracked-server.js';

/** The lines of stderr that are not progress ("Container x  Created"): what the user reads as the error. */
const errorLines = (r: RunResult) =>
  r.stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^ ?(Network|Container|Volume|Image) \S+ {2}\S/.test(l));

/** Leftovers with the project name taken out, so two projects' leftovers compare. */
async function shape(project: string): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
  const l = await leftovers(project);
  const strip = (xs: string[]) => xs.map((x) => x.replace(project, '<p>'));
  return { containers: strip(l.containers), networks: strip(l.networks), volumes: strip(l.volumes) };
}

const listen = (server: Server, ...args: unknown[]) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    (server.listen as (...a: unknown[]) => void)(...args, () => resolve());
  });

describeEngine('faults on the shared engine, berth beside compose', () => {
  const made: { project: string; dir?: string }[] = [];
  const servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(made.map((m) => cleanup(m.project, m.dir)));
    await Promise.all(servers.map(closeHard));
  });

  it('a host port taken: one line naming the service and the port; the same leftovers as compose', async () => {
    const port = await freePort();
    const taken = createServer();
    servers.push(track(taken));
    await listen(taken, port, '127.0.0.1');
    const file = `services:
  web:
    image: busybox:local
    init: true
    command: ["sleep", "3600"]
    ports: ["127.0.0.1:${port}:80"]
  other:
    image: busybox:local
    init: true
    command: ["sleep", "3600"]
`;
    const dir = await projectDir({ 'compose.yaml': file });
    const ours = uniqueProject('porttaken');
    const theirs = uniqueProject('porttaken-ref');
    made.push({ project: ours, dir }, { project: theirs });
    const [b, c] = await Promise.all([berth(['-p', ours, 'up', '-d'], { cwd: dir }), composeRef(['-p', theirs, 'up', '-d'], { cwd: dir })]);
    expect(b.code).toBe(c.code);
    expect(b.code).not.toBe(0);
    const lines = errorLines(b);
    expect(lines, b.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/service "web"/);
    expect(lines[0]).toContain(`127.0.0.1:${port}`);
    expect(await shape(ours)).toEqual(await shape(theirs));
  });

  it('a name taken by a foreign container: one line naming the service; the foreign container untouched', async () => {
    const ours = uniqueProject('nametaken');
    const theirs = uniqueProject('nametaken-ref');
    const foreign = `${ours}-foreign`;
    const dir = await projectDir({
      'compose.yaml': `services:
  web:
    image: busybox:local
    container_name: ${foreign}
    command: ["sleep", "3600"]
`,
    });
    made.push({ project: ours, dir }, { project: theirs });
    const f = await docker(['run', '-d', '--init', '--name', foreign, 'busybox:local', 'sleep', '3600']);
    expect(f.code, f.stderr).toBe(0);
    const id = f.stdout.trim();
    try {
      const b = await berth(['-p', ours, 'up', '-d'], { cwd: dir });
      const c = await composeRef(['-p', theirs, 'up', '-d'], { cwd: dir });
      expect(b.code).toBe(c.code);
      expect(b.code).not.toBe(0);
      const lines = errorLines(b);
      expect(lines, b.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/service "web"/);
      expect(lines[0]).toContain(foreign);
      const after = await docker(['inspect', '-f', '{{.Id}} {{.State.Running}} {{json .Config.Labels}}', foreign]);
      expect(after.stdout.trim()).toBe(`${id} true {}`);
      expect(await shape(ours)).toEqual(await shape(theirs));
    } finally {
      await docker(['rm', '-f', id]);
    }
  });

  it('a dependency that never becomes healthy: one line naming it, the exit code of compose', async () => {
    const ours = uniqueProject('neverhealthy');
    const theirs = uniqueProject('neverhealthy-ref');
    const dir = await projectDir({
      'compose.yaml': `services:
  db:
    image: busybox:local
    init: true
    command: ["sleep", "3600"]
    healthcheck: { test: ["CMD", "false"], interval: 300ms, retries: 2 }
  api:
    image: busybox:local
    init: true
    command: ["sleep", "3600"]
    depends_on: { db: { condition: service_healthy } }
`,
    });
    made.push({ project: ours, dir }, { project: theirs });
    const [b, c] = await Promise.all([berth(['-p', ours, 'up', '-d'], { cwd: dir }), composeRef(['-p', theirs, 'up', '-d'], { cwd: dir })]);
    expect(b.code).toBe(c.code);
    expect(b.code).not.toBe(0);
    // berth adds the dependency's last log lines (none here: db prints nothing) to the one error line
    const lines = errorLines(b);
    expect(lines, b.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`${ours}-db-1 is unhealthy.*service "db"|service "db".*${ours}-db-1 is unhealthy`));
    expect(await shape(ours)).toEqual(await shape(theirs));
  });
});

describe('an engine that cannot be used: one line, non-zero, a bounded wait', () => {
  const compose = 'services:\n  web:\n    image: busybox:local\n';
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map(closeHard)));

  async function both(host: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ b: RunResult; ms: number }> {
    const dir = await projectDir({ 'compose.yaml': compose });
    const t0 = Date.now();
    const b = await berth(['-p', uniqueProject('noengine'), 'up', '-d'], { cwd: dir, env: { DOCKER_HOST: host, ...extraEnv } });
    return { b, ms: Date.now() - t0 };
  }

  it('the socket is missing', async () => {
    const sock = join(tmpdir(), 'b14f-missing.sock');
    const { b } = await both(`unix://${sock}`);
    expect(b.code).not.toBe(0);
    expect(b.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`cannot connect to the Docker engine at unix://${sock}: .*ENOENT.*is the Docker daemon running`))]);
  });

  it('the socket refuses (a socket file nobody listens on)', async () => {
    const sock = join(tmpdir(), 'b14f-refused.sock');
    // a process that binds the socket and dies: the file stays, nobody accepts
    const r = await run(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(r.code).not.toBe(0);
    const { b } = await both(`unix://${sock}`);
    expect(b.code).not.toBe(0);
    expect(b.stderr.trim().split('\n')).toEqual([expect.stringMatching(/cannot connect to the Docker engine at unix:\/\/.*b14f-refused\.sock: .*ECONNREFUSED/)]);
  });

  // needs root to become nobody; CI runs as root, and there a missing setpriv or root fails rather than skips
  const ci = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
  it.runIf(process.getuid?.() === 0 || ci)('permission denied (berth run as nobody against a 0600 socket)', async () => {
    const base = join(tmpdir(), 'b14f-perm');
    await mkdir(base, { recursive: true });
    await chmod(tmpdir(), 0o755);
    await chmod(base, 0o777);
    const sock = join(base, 'engine.sock');
    const server = createServer((c) => c.destroy());
    servers.push(track(server));
    await listen(server, sock);
    await chmod(sock, 0o600);
    // no BERTH_LOCK_DIR: nobody takes its own per-user lock directory under TMPDIR (a shared 0777 one is refused)
    const b = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--', berthBin, '-p', uniqueProject('perm'), '-f', '-', 'up', '-d'], {
      cwd: '/',
      input: compose,
      env: { DOCKER_HOST: `unix://${sock}`, HOME: base, BERTH_LOCK_DIR: undefined, BERTH_CACHE_DIR: join(base, 'cache'), TMPDIR: base },
    });
    expect(b.code).not.toBe(0);
    expect(b.stderr.trim().split('\n')).toEqual([expect.stringMatching(/cannot connect to the Docker engine at unix:\/\/.*engine\.sock: .*EACCES.*permission/)]);
  });

  // fixed by issue-14a (defect 3: the lock directory root creates is 0755, so another user's up gets EACCES from
  // the lock before it ever reaches the engine)
  it('another user after root: up reaches the engine (its own error), not EACCES from root\'s lock directory', async () => {
    const base = join(tmpdir(), 'b14f-shared');
    await mkdir(base, { recursive: true });
    await chmod(tmpdir(), 0o755);
    await chmod(base, 0o1777);
    const sock = join(base, 'engine.sock');
    const server = createServer((c) => c.destroy());
    servers.push(track(server));
    await listen(server, sock);
    await chmod(sock, 0o600);
    const project = uniqueProject('sharedlock');
    const common = { DOCKER_HOST: `unix://${sock}`, TMPDIR: base, BERTH_LOCK_DIR: undefined, BERTH_PROJECT_CACHE: '0' };
    // root first: it takes (and creates the directory of) the project's lock, then fails at the engine
    const asRoot = await run(process.execPath, ['--', berthBin, '-p', project, '-f', '-', 'up', '-d'], { cwd: '/', input: compose, env: common });
    expect(asRoot.code).not.toBe(0);
    const b = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--', berthBin, '-p', project, '-f', '-', 'up', '-d'], {
      cwd: '/',
      input: compose,
      env: { ...common, HOME: base },
    });
    expect(b.code).not.toBe(0);
    expect(b.stderr.trim().split('\n')).toEqual([expect.stringMatching(/cannot connect to the Docker engine at unix:\/\/.*engine\.sock: .*EACCES/)]);
  });

  it('a tcp engine that accepts but never answers: a bounded wait, stated in the message', async () => {
    const server = createServer(() => {
      /* accept, read nothing, answer nothing */
    });
    servers.push(track(server));
    await listen(server, 0, '127.0.0.1');
    const port = (server.address() as { port: number }).port;
    const { b, ms } = await both(`tcp://127.0.0.1:${port}`, { BERTH_ENGINE_TIMEOUT: '2' });
    expect(b.code).not.toBe(0);
    expect(b.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`cannot connect to the Docker engine at tcp://127\\.0\\.0\\.1:${port}: .*did not answer within 2 s.*BERTH_ENGINE_TIMEOUT`))]);
    expect(ms).toBeGreaterThanOrEqual(2000);
    expect(ms).toBeLessThan(30_000);
  });
});
