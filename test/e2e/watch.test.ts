// Issue 17: develop.watch on the real engine — `berth watch` (sync, rebuild, sync+restart, sync+exec, restart,
// ignores, a 1,000-file burst as one upload counted on the wire), `up --watch` with Ctrl-C through a terminal,
// and stack.watch() of the typed API.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStack } from '../../src/api/index.js';
import { berth, berthBin, cleanup, describeEngine, docker, leftovers, projectDir, uniqueProject } from '../helpers/e2e.js';
import { berthInTerminal, hasTmux } from '../helpers/pty.js';

/** A unix-socket proxy in front of the engine that counts the archive uploads passing through it. */
async function archiveCounter(): Promise<{ socket: string; uploads: () => number; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-e2e-proxy-'));
  const socket = join(dir, 'engine.sock');
  let uploads = 0;
  const server: Server = createServer((client) => {
    const upstream = connect('/var/run/docker.sock');
    let tail = '';
    client.on('data', (chunk: Buffer) => {
      // scan the whole chunk (a request line may sit at the start of a large body chunk); keep a short tail
      // so that a line split across two chunks is still seen, once
      const buf = tail + chunk.toString('latin1');
      let end = 0;
      for (const m of buf.matchAll(/PUT [^ ]*\/containers\/[^/ ]+\/archive\?[^ ]* HTTP\/1\.1\r\n/g)) {
        uploads++;
        end = (m.index ?? 0) + m[0].length;
      }
      tail = buf.slice(Math.max(end, buf.length - 512));
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('end', () => upstream.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(socket, r));
  return {
    socket,
    uploads: () => uploads,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const compose = `
services:
  app:
    image: busybox:local
    init: true
    command: ["sleep", "3600"]
    develop:
      watch:
        - action: sync
          path: ./src
          target: /app
          ignore: ["*.tmp", "cache/"]
  built:
    build: ./built
    init: true
    volumes: ["data:/data"]
    develop:
      watch:
        - action: rebuild
          path: ./built
  rs:
    image: busybox:local
    init: true
    command: ["sleep", "3600"]
    develop:
      watch:
        - action: sync+restart
          path: ./rs
          target: /cfg
  ex:
    image: busybox:local
    init: true
    command: ["sleep", "3600"]
    develop:
      watch:
        - action: sync+exec
          path: ./ex
          target: /hook
          exec:
            command: ["sh", "-c", "cat /hook/in.txt; id -u; pwd; echo $$HOOKVAR"]
            user: "65534"
            working_dir: /hook
            environment:
              HOOKVAR: from-hook
  usr:
    image: busybox:local
    init: true
    user: "65534:65534"
    command: ["sleep", "3600"]
    develop:
      watch:
        - action: sync
          path: ./usr
          target: /tmp/usr
  rst:
    image: busybox:local
    init: true
    command: ["sleep", "3600"]
    develop:
      watch:
        - action: restart
          path: ./rst/conf.txt
volumes:
  data: {}
`;

describeEngine('berth watch (develop.watch)', () => {
  const project = uniqueProject('watch');
  let dir = '';
  let proxy: Awaited<ReturnType<typeof archiveCounter>>;
  let child: ChildProcess | undefined;
  let out = '';
  const sh = async (svc: string, cmd: string) => {
    const r = await docker(['exec', `${project}-${svc}-1`, 'sh', '-c', cmd]);
    return r.code === 0 ? r.stdout : undefined;
  };
  const inspect = async (svc: string, fmt: string) => (await docker(['inspect', '-f', fmt, `${project}-${svc}-1`])).stdout.trim();

  beforeAll(async () => {
    dir = await projectDir({
      'compose.yaml': compose,
      'src/a.txt': 'one\n',
      'src/keep.txt': 'not synced: no initial_sync\n',
      'built/Dockerfile': 'FROM busybox:local\nCOPY v.txt /v.txt\nCMD ["sleep", "3600"]\n',
      'built/v.txt': 'v1\n',
      'rs/app.conf': 'c1\n',
      'ex/in.txt': 'e0\n',
      'rst/conf.txt': 'r1\n',
      'built/.dockerignore': 'notes.md\n',
      'usr/.keep': '',
    });
    proxy = await archiveCounter();
    child = spawn(process.execPath, [berthBin, '-p', project, '--progress', 'plain', 'watch'], { cwd: dir, env: { ...process.env, DOCKER_HOST: `unix://${proxy.socket}` }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await until('Watch enabled', async () => (out.includes('Watch enabled') ? true : undefined), 120_000);
  }, 180_000);

  afterAll(async () => {
    child?.kill('SIGINT');
    await new Promise((r) => (child?.exitCode !== null ? r(undefined) : child.once('exit', r)));
    await cleanup(project, dir);
    await docker(['rmi', '-f', `${project}-built`]);
    await proxy?.close();
  }, 60_000);

  it('sync: edit, create, delete and rename a file, each one upload; ignored files stay out', async () => {
    const file = (name: string) => sh('app', `cat /app/${name}`);
    let before = proxy.uploads();
    await writeFile(join(dir, 'src/a.txt'), 'two\n');
    await until('edit synced', async () => ((await file('a.txt')) === 'two\n' ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect(proxy.uploads() - before).toBe(1);

    await writeFile(join(dir, 'src/new.txt'), 'new\n');
    await until('create synced', async () => ((await file('new.txt')) === 'new\n' ? true : undefined));

    before = proxy.uploads();
    await rm(join(dir, 'src/a.txt'));
    await until('delete applied', async () => ((await sh('app', 'test -e /app/a.txt || echo gone')) === 'gone\n' ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect(proxy.uploads() - before, 'a delete is an exec, not an upload').toBe(0);

    await rename(join(dir, 'src/new.txt'), join(dir, 'src/renamed.txt'));
    await until('rename applied', async () => ((await sh('app', 'cat /app/renamed.txt; test -e /app/new.txt || echo old-gone')) === 'new\nold-gone\n' ? true : undefined));

    await mkdir(join(dir, 'src/cache'), { recursive: true });
    await writeFile(join(dir, 'src/x.tmp'), 'ignored\n');
    await writeFile(join(dir, 'src/cache/c.txt'), 'ignored\n');
    await writeFile(join(dir, 'src/marker.txt'), 'm\n');
    await until('marker synced', async () => ((await file('marker.txt')) === 'm\n' ? true : undefined));
    expect(await sh('app', 'ls -a /app | sort | tr "\\n" " "')).toBe('. .. marker.txt renamed.txt ');
    expect(out).toContain('Syncing "app" after changes were detected\n');
  });

  it("modes come from the host file; owners are the container's user when it has one (as compose's copyUIDGID), the host file's otherwise", async () => {
    await writeFile(join(dir, 'src/run.sh'), '#!/bin/sh\n');
    await chmod(join(dir, 'src/run.sh'), 0o750);
    await until('mode synced', async () => ((await sh('app', 'stat -c "%a %u" /app/run.sh')) === `750 ${process.getuid!()}\n` ? true : undefined));
    await writeFile(join(dir, 'usr/u.txt'), 'u\n');
    await until('owned by the container user', async () => ((await sh('usr', 'stat -c "%u:%g" /tmp/usr/u.txt')) === '65534:65534\n' ? true : undefined));
  });

  it('a burst of 1,000 files (as a git checkout writes them) is one upload', async () => {
    const before = proxy.uploads();
    await mkdir(join(dir, 'src/burst'));
    await Promise.all(Array.from({ length: 1000 }, (_, i) => writeFile(join(dir, `src/burst/f${i}.txt`), `content ${i}\n`)));
    await until('1,000 files in the container', async () => ((await sh('app', 'ls /app/burst | wc -l'))?.trim() === '1000' ? true : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(proxy.uploads() - before).toBe(1);
    expect(await sh('app', 'cat /app/burst/f999.txt')).toBe('content 999\n');
    expect(out).toMatch(/Syncing service "app" after 10\d\d changes were detected/);
  });

  it('sync+restart syncs, then restarts the service', async () => {
    const started = await inspect('rs', '{{.State.StartedAt}}');
    await writeFile(join(dir, 'rs/app.conf'), 'c2\n');
    await until('restarted', async () => ((await inspect('rs', '{{.State.StartedAt}}')) !== started ? true : undefined));
    expect(await sh('rs', 'cat /cfg/app.conf')).toBe('c2\n');
    expect(out).toContain('service(s) ["rs"] restarted');
  });

  it('sync+exec syncs, then runs its command with user, working_dir and environment', async () => {
    await writeFile(join(dir, 'ex/in.txt'), 'e1\n');
    // the hook's output is printed with the service's prefix, as compose prints an exec's output
    await until('hook output', async () => (out.includes('ex | from-hook\n') ? true : undefined));
    expect(out).toContain('ex | e1\nex | 65534\nex | /hook\nex | from-hook\n');
  });

  it('restart restarts the service when its file changes', async () => {
    const started = await inspect('rst', '{{.State.StartedAt}}');
    await writeFile(join(dir, 'rst/conf.txt'), 'r2\n');
    await until('restarted', async () => ((await inspect('rst', '{{.State.StartedAt}}')) !== started ? true : undefined));
  });

  it('create, rename and delete also drive sync+restart, sync+exec, restart and rebuild', async () => {
    const restartsOn = async (svc: string, change: () => Promise<void>) => {
      const started = await inspect(svc, '{{.State.StartedAt}}');
      await change();
      await until(`${svc} restarted`, async () => ((await inspect(svc, '{{.State.StartedAt}}')) !== started ? true : undefined));
    };
    // sync+restart: the files follow and the service restarts each time
    await restartsOn('rs', () => writeFile(join(dir, 'rs/new.conf'), 'n\n'));
    expect(await sh('rs', 'cat /cfg/new.conf')).toBe('n\n');
    await restartsOn('rs', () => rename(join(dir, 'rs/new.conf'), join(dir, 'rs/ren.conf')));
    expect(await sh('rs', 'cat /cfg/ren.conf; test -e /cfg/new.conf || echo gone')).toBe('n\ngone\n');
    await restartsOn('rs', () => rm(join(dir, 'rs/ren.conf')));
    expect(await sh('rs', 'test -e /cfg/ren.conf || echo gone')).toBe('gone\n');

    // sync+exec: the hook runs after each change
    const hooks = () => out.split('ex | from-hook\n').length;
    for (const change of [
      () => writeFile(join(dir, 'ex/other.txt'), 'o\n'),
      () => rename(join(dir, 'ex/other.txt'), join(dir, 'ex/moved.txt')),
      () => rm(join(dir, 'ex/moved.txt')),
    ]) {
      const before = hooks();
      await change();
      await until('hook ran', async () => (hooks() > before ? true : undefined));
    }
    expect(await sh('ex', 'ls /hook | tr "\\n" " "')).toBe('in.txt ');

    // restart on a single file: deleted, created again, renamed away
    await restartsOn('rst', () => rm(join(dir, 'rst/conf.txt')));
    await restartsOn('rst', () => writeFile(join(dir, 'rst/conf.txt'), 'r3\n'));
    await restartsOn('rst', () => rename(join(dir, 'rst/conf.txt'), join(dir, 'rst/conf.old')));

    // rebuild: a new, a renamed and a deleted file in the build context each rebuild and recreate the service
    const builds = () => out.split('service "built" successfully built').length;
    for (const change of [
      () => writeFile(join(dir, 'built/extra.txt'), 'x\n'),
      () => rename(join(dir, 'built/extra.txt'), join(dir, 'built/extra2.txt')),
      () => rm(join(dir, 'built/extra2.txt')),
    ]) {
      const before = builds();
      const id = await inspect('built', '{{.Id}}');
      await change();
      await until('rebuilt', async () => (builds() > before ? true : undefined), 60_000);
      await until('recreated and running', async () => ((await inspect('built', '{{.Id}}')) !== id && (await sh('built', 'true')) !== undefined ? true : undefined), 60_000);
    }
  }, 180_000);

  it('rebuild recreates only its service, keeping its volume; a failing build leaves it running', async () => {
    const ids = Object.fromEntries(await Promise.all(['app', 'rs', 'ex', 'rst', 'usr', 'built'].map(async (s) => [s, await inspect(s, '{{.Id}}')])));
    expect(await sh('built', 'echo kept > /data/d.txt && cat /v.txt')).toBe('v1\n');
    // no rebuild of the test before still in flight: the container runs the image its tag names
    const tagged = async () => (await docker(['image', 'inspect', '-f', '{{.Id}}', `${project}-built`])).stdout.trim();
    await until('the container on its tagged image', async () => ((await inspect('built', '{{.Image}}')) === (await tagged()) ? true : undefined), 60_000);
    const oldImage = await inspect('built', '{{.Image}}');
    await writeFile(join(dir, 'built/v.txt'), 'v2\n');
    await until('rebuilt', async () => ((await sh('built', 'cat /v.txt')) === 'v2\n' ? true : undefined), 60_000);
    expect(await inspect('built', '{{.Id}}')).not.toBe(ids.built);
    expect(await sh('built', 'cat /data/d.txt')).toBe('kept\n');
    // the prune follows the recreate, so the new content can be readable a moment before the old image is gone
    await until('the replaced image pruned (--prune is the default)', async () => ((await docker(['image', 'inspect', oldImage])).code !== 0 ? true : undefined), 30_000);
    expect(out).toContain('Rebuilding service "built" after changes were detected...\nservice "built" successfully built\n');
    for (const s of ['app', 'rs', 'ex', 'rst']) expect(await inspect(s, '{{.Id}}'), s).toBe(ids[s]);

    // a file the build context's .dockerignore excludes triggers nothing
    const rebuilds = out.split('Rebuilding service "built"').length;
    const id2 = await inspect('built', '{{.Id}}');
    await writeFile(join(dir, 'built/notes.md'), 'ignored\n');
    await new Promise((r) => setTimeout(r, 1500));
    expect(out.split('Rebuilding service "built"').length).toBe(rebuilds);
    expect(await inspect('built', '{{.Id}}')).toBe(id2);

    const rebuiltId = await inspect('built', '{{.Id}}');
    await writeFile(join(dir, 'built/Dockerfile'), 'FROM busybox:local\nRUN exit 3\n');
    await until('build failure reported', async () => (out.includes('Build failed. Error: ') ? true : undefined), 60_000);
    const line = out.split('\n').find((l) => l.includes('Build failed'))!;
    expect(line).toMatch(/^Build failed\. Error: .+ \(service "built" left running as it was\)$/);
    expect(await inspect('built', '{{.Id}}')).toBe(rebuiltId);
    expect(await inspect('built', '{{.State.Status}}')).toBe('running');
  }, 120_000);
});

describeEngine('berth watch, bad input', () => {
  it('no develop section: exit 1, one message, nothing created', async () => {
    const project = uniqueProject('watchbad');
    const dir = await projectDir({ 'compose.yaml': 'services:\n  a:\n    image: busybox:local\n' });
    try {
      const r = await berth(['-p', project, 'watch'], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("none of the selected services is configured for watch, consider setting a 'develop' section");
      expect(await leftovers(project)).toEqual({ containers: [], networks: [], volumes: [] });
      // a dry run of watch is refused, not started (it would sync, restart and rebuild for real)
      const dry = await berth(['-p', project, '--dry-run', 'watch'], { cwd: dir });
      expect(dry.code).toBe(1);
      expect(dry.stderr).toContain('watch has no dry-run mode');
      expect(await leftovers(project)).toEqual({ containers: [], networks: [], volumes: [] });
      const up = await berth(['-p', project, 'up', '--watch'], { cwd: dir });
      expect(up.code).toBe(1);
      expect(up.stderr).toContain("none of the selected services is configured for watch, consider setting a 'develop' section");
      expect(await leftovers(project)).toEqual({ containers: [], networks: [], volumes: [] });
    } finally {
      await cleanup(project, dir);
    }
  });
});

describeEngine('berth up --watch', () => {
  it('attaches logs and watches; Ctrl-C stops the containers and exits 130', async (ctx) => {
    if (!(await hasTmux())) {
      if (process.env.CI) throw new Error('tmux is required (scripts/setup-test-env.sh installs it)');
      ctx.skip();
    }
    const project = uniqueProject('upwatch');
    const dir = await projectDir({
      'compose.yaml': `
services:
  web:
    image: busybox:local
    init: true
    command: ["sh", "-c", "echo ready; exec sleep 3600"]
    develop:
      watch:
        - action: sync
          path: ./src
          target: /srv
`,
      'src/index.html': 'v1\n',
    });
    const term = await berthInTerminal(['-p', project, 'up', '--watch'], { cwd: dir });
    try {
      const screen = await term.waitFor('Watch enabled', 60_000);
      expect(screen.indexOf('Attaching to web-1'), 'attached first, then watching (as compose)').toBeLessThan(screen.indexOf('Watch enabled'));
      expect(screen.indexOf('Attaching to web-1')).toBeGreaterThan(-1);
      await term.waitFor(/web-1\s+\| ready/);
      await writeFile(join(dir, 'src/index.html'), 'v2\n');
      await until('synced', async () => ((await docker(['exec', `${project}-web-1`, 'cat', '/srv/index.html'])).stdout === 'v2\n' ? true : undefined));
      await term.waitFor('Syncing "web" after changes were detected');
      await term.send('C-c');
      expect(await term.exitCode(60_000)).toBe(130);
      expect((await docker(['inspect', '-f', '{{.State.Status}}', `${project}-web-1`])).stdout.trim()).toBe('exited');
    } finally {
      await term.close();
      await cleanup(project, dir);
    }
  }, 120_000);
});

describeEngine('stack.watch()', () => {
  it('syncs edits while a test holds the watch, and stops when disposed', async () => {
    const dir = await projectDir({ 'src/a.txt': 'one\n' });
    const name = uniqueProject('apiwatch');
    try {
      await using stack = await createStack({
        projectName: name,
        projectDirectory: dir,
        compose: { services: { app: { image: 'busybox:local', init: true, command: ['sleep', '3600'], develop: { watch: [{ action: 'sync', path: join(dir, 'src'), target: '/app', initial_sync: true }] } } } } as never,
      });
      await stack.up();
      {
        await using w = await stack.watch();
        expect(await stack.exec('app', ['cat', '/app/a.txt']), 'initial_sync copied the tree').toMatchObject({ stdout: 'one\n' });
        const next = w.nextBatch();
        await writeFile(join(dir, 'src/a.txt'), 'two\n');
        const report = await next;
        expect(report.uploads).toBe(1);
        expect(report.paths).toEqual([join(dir, 'src/a.txt')]);
        expect((await stack.exec('app', ['cat', '/app/a.txt'])).stdout).toBe('two\n');
      }
      await writeFile(join(dir, 'src/a.txt'), 'three\n');
      await new Promise((r) => setTimeout(r, 500));
      expect((await stack.exec('app', ['cat', '/app/a.txt'])).stdout, 'no sync after dispose').toBe('two\n');
    } finally {
      await cleanup(name, dir);
    }
  }, 120_000);
});
