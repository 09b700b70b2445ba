// Issue 16, item 2: down [SERVICES], run --cap-add/--cap-drop, kill --remove-orphans, run --remove-orphans,
// build --builder/--ssh/-m, and the newer compose commands export and commit. Where compose-ref (2.26.1) has the
// behaviour, berth and compose-ref run the same file (each on its own project) and must agree; where 2.26 lacks
// it, the test says which compose it follows.
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berthInTerminal } from '../helpers/pty.js';
import { berth, berthBin, cleanup, composeRef, describeEngine, docker, projectDir, run, uniqueProject, type RunResult } from '../helpers/e2e.js';

const compose = `
services:
  web:
    image: busybox:local
    init: true
    command: ["sleep", "600"]
    depends_on: [db]
    cap_drop: [CHOWN]
  db:
    image: busybox:local
    init: true
    command: ["sleep", "600"]
  cache:
    image: busybox:local
    init: true
    command: ["sleep", "600"]
`;
const noCache = compose.replace(/\n {2}cache:[\s\S]*$/, '\n');
const build = `
services:
  app:
    build: .
    image: IMAGE
`;

type Tool = (args: readonly string[], options: { cwd?: string }) => Promise<RunResult>;
const tools: [string, Tool][] = [
  ['berth', berth],
  ['compose-ref', composeRef],
];

const states = async (project: string) =>
  (await docker(['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}} {{.State}}'])).stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(project, 'P'))
    .sort();

/** The progress lines of stderr, project name replaced, sorted (parallel steps interleave differently). */
const lines = (s: string, project: string) => s.split('\n').map((l) => l.replaceAll(project, 'P').trim()).filter(Boolean).sort();

describeEngine('issue 16 commands and flags, side by side with compose-ref', () => {
  const projects: string[] = [];
  let dir = '';
  const fresh = (tag: string) => {
    const p = uniqueProject(tag);
    projects.push(p);
    return p;
  };

  beforeAll(async () => {
    dir = await projectDir({ 'compose.yaml': compose, 'no-cache.yaml': noCache, 'Dockerfile': 'FROM busybox:local\nRUN cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes\n' });
  });
  afterAll(async () => {
    await Promise.all(projects.map((p) => cleanup(p)));
    await cleanup('unused', dir);
  });

  it('down SERVICE removes it and the services depending on it; the network stays while in use', async () => {
    const out: Record<string, { states: string[]; stderr: string[]; code: number }> = {};
    for (const [name, tool] of tools) {
      const p = fresh('down');
      expect((await tool(['-p', p, 'up', '-d'], { cwd: dir })).code).toBe(0);
      const down = await tool(['-p', p, '--progress', 'plain', 'down', 'db'], { cwd: dir });
      out[name] = { states: await states(p), stderr: lines(down.stderr, p), code: down.code };
    }
    expect(out.berth.states).toEqual(['P-cache-1 running']);
    expect(out.berth).toEqual(out['compose-ref']);
  });

  it('down with an undeclared service: compose\'s error when the file is loaded', async () => {
    const p = fresh('down-bad');
    const got = await berth(['-p', p, '-f', 'compose.yaml', 'down', 'nosuch'], { cwd: dir });
    const want = await composeRef(['-p', p, '-f', 'compose.yaml', 'down', 'nosuch'], { cwd: dir });
    expect({ code: got.code, stderr: got.stderr }).toEqual({ code: want.code, stderr: want.stderr });
    expect(got.code).toBe(1);
  });

  it('run --cap-add/--cap-drop: the same effective capabilities as compose gives the one-off', async () => {
    const caps: string[] = [];
    for (const [, tool] of tools) {
      const p = fresh('caps');
      const r = await tool(['-p', p, 'run', '--rm', '-T', '--no-deps', '--cap-add', 'NET_ADMIN', '--cap-add', 'CHOWN', '--cap-drop', 'MKNOD', 'web', 'grep', 'CapEff', '/proc/self/status'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      caps.push(r.stdout);
    }
    expect(caps[0]).toMatch(/^CapEff:\s+[0-9a-f]{16}\n$/);
    expect(caps[0]).toBe(caps[1]);
    // and not what the service has without the flags (CHOWN dropped, no NET_ADMIN)
    const plain = await berth(['-p', fresh('caps'), 'run', '--rm', '-T', '--no-deps', 'web', 'grep', 'CapEff', '/proc/self/status'], { cwd: dir });
    expect(plain.stdout).not.toBe(caps[0]);
  });

  it('kill: an orphan only with --remove-orphans', async () => {
    const out: Record<string, string[][]> = {};
    for (const [name, tool] of tools) {
      const p = fresh('kill');
      expect((await tool(['-p', p, 'up', '-d'], { cwd: dir })).code).toBe(0);
      expect((await tool(['-p', p, '-f', 'no-cache.yaml', 'kill'], { cwd: dir })).code).toBe(0);
      const after = await states(p);
      expect((await tool(['-p', p, '-f', 'no-cache.yaml', 'kill', '--remove-orphans'], { cwd: dir })).code).toBe(0);
      out[name] = [after, await states(p)];
    }
    expect(out.berth[0]).toEqual(['P-cache-1 running', 'P-db-1 exited', 'P-web-1 exited']);
    expect(out.berth[1]).toEqual(['P-cache-1 exited', 'P-db-1 exited', 'P-web-1 exited']);
    expect(out.berth).toEqual(out['compose-ref']);
  });

  // compose 2.26 declares run --remove-orphans but ignores it; docker/compose 2.31 (commit bf521fe) passes it to
  // the dependencies' create, which removes the orphans: berth follows 2.31+
  it('run --remove-orphans removes containers of services the file no longer declares (compose 2.31+)', async () => {
    const p = fresh('run-orph');
    expect((await berth(['-p', p, 'up', '-d'], { cwd: dir })).code).toBe(0);
    const r = await berth(['-p', p, '-f', 'no-cache.yaml', 'run', '--rm', '-T', '--remove-orphans', 'web', 'true'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Container ${p}-cache-1  Removed`);
    expect(await states(p)).toEqual(['P-db-1 running', 'P-web-1 running']);
    // without the flag the orphan stays (and is reported)
    const q = fresh('run-orph');
    expect((await berth(['-p', q, 'up', '-d'], { cwd: dir })).code).toBe(0);
    expect((await berth(['-p', q, '-f', 'no-cache.yaml', 'run', '--rm', '-T', 'web', 'true'], { cwd: dir })).code).toBe(0);
    expect(await states(q)).toContain('P-cache-1 running');
  });

  it('build -m limits the build containers\' memory; --builder other than the engine\'s default and --ssh are clear errors', async () => {
    const p = fresh('build');
    const image = `${p}-app:t`;
    const bdir = await projectDir({ 'compose.yaml': build.replace('IMAGE', image), Dockerfile: 'FROM busybox:local\nRUN cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes\n' });
    const built: string[] = [];
    try {
      const limited = await berth(['-p', p, '--progress', 'plain', 'build', '--no-cache', '-m', '64m', '--builder', 'default'], { cwd: bdir });
      expect(limited.code, limited.stderr).toBe(0);
      expect(limited.stderr).toContain(' 67108864');
      // the rebuild below moves the tag: this image is removed by its id
      built.push((await docker(['image', 'inspect', '--format', '{{.Id}}', image])).stdout.trim());
      const free = await berth(['-p', p, '--progress', 'plain', 'build', '--no-cache'], { cwd: bdir });
      expect(free.stderr).not.toContain(' 67108864');

      const bad = await berth(['-p', p, 'build', '--builder', 'nosuch'], { cwd: bdir });
      const badRef = await composeRef(['-p', p, 'build', '--builder', 'nosuch'], { cwd: bdir });
      expect(bad.code).toBe(badRef.code);
      expect(bad.stderr.startsWith(badRef.stderr.trim())).toBe(true);

      // the classic builder (DOCKER_BUILDKIT=0) cannot forward an agent; BuildKit does (buildkit-session.test.ts)
      const ssh = await berth(['-p', p, 'build', '--ssh', 'default'], { cwd: bdir, env: { ...process.env, DOCKER_BUILDKIT: '0' } });
      expect(ssh.code).toBe(1);
      expect(ssh.stderr).toContain('needs BuildKit');
      // compose's own check of the spec comes first, with its message
      const key = await berth(['-p', p, 'build', '--ssh', 'foo'], { cwd: bdir });
      const keyRef = await composeRef(['-p', p, 'build', '--ssh', 'foo'], { cwd: bdir });
      expect({ code: key.code, stderr: key.stderr }).toEqual({ code: keyRef.code, stderr: keyRef.stderr });
    } finally {
      await docker(['image', 'rm', '-f', image, ...built.filter(Boolean)]);
      await cleanup('unused', bdir);
    }
  });

  // export and commit are newer than compose-ref (2.26 has neither): flags and messages of docker/compose main
  it('export -o writes the container\'s filesystem as a tar (owner-only), to stdout when piped; --index; errors', async () => {
    const p = fresh('export');
    expect((await berth(['-p', p, 'up', '-d', 'cache'], { cwd: dir })).code).toBe(0);
    const file = join(dir, `${p}.tar`);
    const r = await berth(['-p', p, 'export', '--index', '1', '-o', file, 'cache'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const list = await run('tar', ['tf', file]);
    expect(list.stdout.split('\n')).toEqual(expect.arrayContaining(['.dockerenv', 'bin/', 'bin/sleep']));
    const piped = await run('sh', ['-c', `node ${berthBin} -p ${p} export cache | tar t | grep -c '^bin/'`], { cwd: dir });
    expect(Number(piped.stdout.trim())).toBeGreaterThan(100);
    expect((await readFile(file)).length % 512).toBe(0);

    const notRunning = await berth(['-p', p, 'export', 'db', '-o', file], { cwd: dir });
    expect(notRunning).toMatchObject({ code: 1, stderr: 'service "db" is not running\n' });
    // --dry-run finds the container and reports, and writes no file
    const dryFile = join(dir, `${p}-dry.tar`);
    const dry = await berth(['-p', p, '--dry-run', 'export', 'cache', '-o', dryFile], { cwd: dir });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain(`Container ${p}-cache-1  Exported`);
    expect(await stat(dryFile).catch(() => undefined)).toBeUndefined();
    const noDir = await berth(['-p', p, 'export', 'cache', '-o', join(dir, 'missing', 'x.tar')], { cwd: dir });
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toContain(`failed to export container: invalid output path: directory "${join(dir, 'missing')}" does not exist`);
  });

  it('commit -a -m -c makes an image of the service container, tagged when a reference is given', async () => {
    const p = fresh('commit');
    const image = `${p}-snap:v1`;
    expect((await berth(['-p', p, 'up', '-d', 'cache'], { cwd: dir })).code).toBe(0);
    expect((await docker(['exec', `${p}-cache-1`, 'sh', '-c', 'echo saved > /marker'])).code).toBe(0);
    try {
      // --dry-run reports and makes no image
      const dry = await berth(['-p', p, '--dry-run', 'commit', 'cache', image], { cwd: dir });
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stderr).toContain(`Container ${p}-cache-1  Committed`);
      expect((await docker(['image', 'inspect', image])).code).not.toBe(0);
      const c = await berth(['-p', p, 'commit', '-a', 'Jane <j@x>', '-m', 'snapshot', '-c', 'ENV MARK=1', '-c', 'LABEL k=v', 'cache', image], { cwd: dir });
      expect(c.code, c.stderr).toBe(0);
      expect(c.stderr).toMatch(new RegExp(`Container ${p}-cache-1 {2}Committed as sha256:[0-9a-f]{64}`));
      const info = await docker(['image', 'inspect', image, '--format', '{{.Author}}|{{.Comment}}|{{.Config.Labels.k}}|{{json .Config.Env}}']);
      const [author, comment, label, env] = info.stdout.trim().split('|');
      expect({ author, comment, label }).toEqual({ author: 'Jane <j@x>', comment: 'snapshot', label: 'v' });
      expect(JSON.parse(env)).toContain('MARK=1');
      const marker = await docker(['run', '--rm', image, 'cat', '/marker']);
      expect(marker.stdout).toBe('saved\n');
    } finally {
      await docker(['image', 'rm', '-f', image]);
    }
  });

  // compose 2.26 pins digests only with --no-interpolate (its interpolating path drops the flag); berth pins them
  // on both paths, as newer compose does. The digest comes from the local registry on 127.0.0.1:5000.
  it('config --resolve-image-digests pins the image to the digest the registry serves', async () => {
    const p = fresh('digest');
    const image = `127.0.0.1:5000/${p}/bb:t`;
    expect((await docker(['tag', 'busybox:local', image])).code).toBe(0);
    try {
      const pushed = await docker(['push', image]);
      expect(pushed.code, pushed.stderr).toBe(0);
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)?.[1];
      expect(digest).toBeDefined();
      const ddir = await projectDir({ 'compose.yaml': `services:\n  a:\n    image: ${image}\n` });
      try {
        const ref = await composeRef(['-p', p, 'config', '--resolve-image-digests', '--no-interpolate', '--format', 'json'], { cwd: ddir });
        expect(ref.code, ref.stderr).toBe(0);
        const want = (JSON.parse(ref.stdout) as { services: { a: { image: string } } }).services.a.image;
        expect(want).toBe(`${image}@${digest}`);
        for (const args of [['--format', 'json'], ['--no-interpolate', '--format', 'json']]) {
          const got = await berth(['-p', p, 'config', '--resolve-image-digests', ...args], { cwd: ddir });
          expect(got.code, got.stderr).toBe(0);
          expect((JSON.parse(got.stdout) as { services: { a: { image: string } } }).services.a.image).toBe(want);
        }
        // an image no registry serves: the registry's error, exit 1, as compose
        const missing = await projectDir({ 'compose.yaml': `services:\n  a:\n    image: 127.0.0.1:5000/${p}/nothing:t\n` });
        const bad = await berth(['-p', p, 'config', '--resolve-image-digests'], { cwd: missing });
        const badRef = await composeRef(['-p', p, 'config', '--resolve-image-digests', '--no-interpolate'], { cwd: missing });
        expect(bad.code).toBe(1);
        expect(badRef.code).toBe(1);
        expect(bad.stderr.startsWith('Error response from daemon:')).toBe(badRef.stderr.startsWith('Error response from daemon:'));
        await cleanup('unused', missing);
      } finally {
        await cleanup('unused', ddir);
      }
    } finally {
      await docker(['image', 'rm', image]);
    }
  });

  it('attach: ctrl-p,ctrl-q (or --detach-keys) detaches from a TTY container with compose\'s "read escape sequence", exit 1', async () => {
    const p = fresh('attach');
    const adir = await projectDir({ 'compose.yaml': 'services:\n  sh:\n    image: busybox:local\n    stdin_open: true\n    tty: true\n    command: sh\n' });
    try {
      expect((await berth(['-p', p, 'up', '-d'], { cwd: adir })).code).toBe(0);
      for (const [flags, keys, other] of [[[], ['C-p', 'C-q'], ['C-x', 'y']], [['--detach-keys', 'ctrl-x,y'], ['C-x', 'y'], ['C-p', 'C-q']]] as const) {
        const term = await berthInTerminal(['-p', p, 'attach', ...flags, 'sh'], { cwd: adir });
        try {
          await new Promise((res) => setTimeout(res, 1500));
          // the other sequence is only keys: it reaches the shell and does not detach
          await term.send(other[0]);
          await term.send(other[1]);
          await term.send('Enter');
          await term.send('echo hi-$((40+2))', true);
          await term.send('Enter');
          await term.waitFor('hi-42');
          await term.send(keys[0]);
          await term.send(keys[1]);
          await term.waitFor('read escape sequence');
          expect(await term.exitCode()).toBe(1);
        } finally {
          await term.close();
        }
        expect((await docker(['inspect', '-f', '{{.State.Status}}', `${p}-sh-1`])).stdout.trim()).toBe('running');
      }
    } finally {
      await cleanup('unused', adir);
    }
  });

  // compose 2.26 cancels its own run on SIGINT before the docker CLI's forwarding reaches the engine, so its
  // --sig-proxy has no effect; berth gives the flag the meaning it has in `docker attach`, and is compared with it
  it('attach --sig-proxy: SIGINT reaches a non-TTY container (default) as with docker attach; not with --no-sig-proxy', async () => {
    const adir = await projectDir({ 'compose.yaml': `services:\n  t:\n    image: busybox:local\n    command: ["sh", "-c", "trap 'echo got INT; exit 7' INT; echo ready; while :; do sleep 0.2; done"]\n` });
    const attach = async (cmd: readonly string[], p: string) => {
      expect((await berth(['-p', p, 'up', '-d'], { cwd: adir })).code).toBe(0);
      const child = spawn(cmd[0], cmd.slice(1), { cwd: adir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
      // attach shows only new output: give it time to connect, then interrupt
      await new Promise((res) => setTimeout(res, 2500));
      child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise<undefined>((res) => setTimeout(() => res(undefined), 15_000))]);
      if (code === undefined) child.kill('SIGKILL');
      const state = (await docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', `${p}-t-1`])).stdout.trim();
      return { code, out: out.includes('got INT'), state };
    };
    try {
      const p1 = fresh('sigproxy');
      const proxied = await attach([process.execPath, berthBin, '-p', p1, 'attach', '--no-stdin', 't'], p1);
      const p2 = fresh('sigproxy');
      const dockerAttach = await attach(['docker', 'attach', '--no-stdin', `${p2}-t-1`], p2);
      expect(proxied).toEqual({ code: 7, out: true, state: 'exited 7' });
      expect(proxied).toEqual(dockerAttach);
      const p3 = fresh('sigproxy');
      const off = await attach([process.execPath, berthBin, '-p', p3, 'attach', '--no-stdin', '--no-sig-proxy', 't'], p3);
      expect({ out: off.out, state: off.state }).toEqual({ out: false, state: 'running 0' });
    } finally {
      await cleanup('unused', adir);
    }
  });
});
