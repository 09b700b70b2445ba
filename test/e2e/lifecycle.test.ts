// Issue 5: start, stop, restart (--no-deps), kill (-s), pause, unpause, rm (-f, -s, -v), wait (--down-project).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, cleanup, describeEngine, docker, leftovers, projectDir, uniqueProject } from '../helpers/e2e.js';

const compose = `
services:
  db:
    image: busybox:local
    init: true
    command: ["sh", "-c", "exec sleep 600"]
    volumes: ["/anon"]
  web:
    image: busybox:local
    init: true
    command: ["sh", "-c", "exec sleep 600"]
    depends_on: [db]
  job:
    image: busybox:local
    init: true
    command: ["sh", "-c", "sleep 1; exit 4"]
    profiles: [jobs]
`;

describeEngine('berth lifecycle commands', () => {
  const project = uniqueProject('life');
  let dir = '';
  const p = (...args: string[]) => berth(['-p', project, '--progress', 'plain', ...args], { cwd: dir });
  const state = async (svc: string) => (await docker(['inspect', '-f', '{{.State.Status}}', `${project}-${svc}-1`])).stdout.trim();
  const started = async (svc: string) => (await docker(['inspect', '-f', '{{.State.StartedAt}}', `${project}-${svc}-1`])).stdout.trim();

  beforeAll(async () => {
    dir = await projectDir({ 'compose.yaml': compose });
    expect((await p('up', '-d')).code).toBe(0);
  });
  afterAll(async () => {
    await cleanup(project, dir);
  });

  it('stop, then start in dependency order', async () => {
    const stop = await p('stop', '-t', '1');
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stderr.indexOf(`${project}-web-1  Stopped`)).toBeLessThan(stop.stderr.indexOf(`${project}-db-1  Stopping`));
    expect(await state('web')).toBe('exited');
    const start = await p('start');
    expect(start.code, start.stderr).toBe(0);
    expect(start.stderr.indexOf(`${project}-db-1  Started`)).toBeLessThan(start.stderr.indexOf(`${project}-web-1  Starting`));
    expect(await state('web')).toBe('running');
  });

  it('restart of a service leaves its dependencies alone (with or without --no-deps)', async () => {
    const db0 = await started('db');
    const r = await p('restart', 'web', '--no-deps');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Container ${project}-web-1  Restarting`);
    expect(await started('db')).toBe(db0);
    const web1 = await started('web');
    const r2 = await p('restart', 'web');
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).not.toContain(`${project}-db-1`);
    expect(await started('db')).toBe(db0);
    expect(await started('web')).not.toBe(web1);
  });

  it('pause and unpause', async () => {
    expect((await p('pause', 'db')).code).toBe(0);
    expect(await state('db')).toBe('paused');
    expect((await p('unpause', 'db')).code).toBe(0);
    expect(await state('db')).toBe('running');
  });

  it('kill -s sends the signal; kill defaults to SIGKILL', async () => {
    const r = await p('kill', '-s', 'SIGTERM', 'web');
    expect(r.code, r.stderr).toBe(0);
    for (let i = 0; i < 50 && (await state('web')) === 'running'; i++) await new Promise((res) => setTimeout(res, 100));
    expect((await docker(['inspect', '-f', '{{.State.ExitCode}}', `${project}-web-1`])).stdout.trim()).toBe('143');
    expect((await p('kill', 'db')).code).toBe(0);
    expect((await docker(['inspect', '-f', '{{.State.ExitCode}}', `${project}-db-1`])).stdout.trim()).toBe('137');
  });

  it('rm without -f asks (no terminal: keeps), -f removes stopped ones, -s -v stops and removes anonymous volumes', async () => {
    const kept = await p('rm', 'web');
    expect(kept.stdout).toContain(`Going to remove ${project}-web-1`);
    expect(await state('web')).toBe('exited');
    expect((await p('rm', '-f', 'web')).code).toBe(0);
    expect((await docker(['ps', '-aq', '--filter', `name=${project}-web-1`])).stdout.trim()).toBe('');
    expect((await p('start', 'db')).code).toBe(0);
    const vol = (await docker(['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', `${project}-db-1`])).stdout.trim();
    expect(vol).not.toBe('');
    const r = await p('rm', '-f', '-s', '-v', 'db');
    expect(r.code, r.stderr).toBe(0);
    expect((await leftovers(project)).containers).toEqual([]);
    expect((await docker(['volume', 'inspect', vol])).code).not.toBe(0);
  });

  it('wait returns the first container\'s exit code; --down-project removes the project', async () => {
    expect((await p('--profile', 'jobs', 'up', '-d')).code).toBe(0);
    const r = await p('--profile', 'jobs', 'wait', 'job');
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toMatch(/^container "[0-9a-f]{64}" exited with status code 4\n$/);
    expect((await p('--profile', 'jobs', 'up', '-d')).code).toBe(0);
    const anon = (await docker(['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', `${project}-db-1`])).stdout.trim();
    const down = await p('--profile', 'jobs', 'wait', '--down-project', 'job');
    expect(down.code, down.stderr).toBe(4);
    expect(await leftovers(project)).toEqual({ containers: [], networks: [], volumes: [] });
    // a down without -v keeps anonymous volumes, as compose's does: this test removes the one it made
    expect((await docker(['volume', 'rm', anon])).code).toBe(0);
  });
});

// compose (2.26 and newer): `restart X` restarts X and, transitively, the services whose depends_on names X with
// `restart: true`, dependencies first; a plain dependent is left alone, and --no-deps restarts X only.
describeEngine('berth restart and dependents declared with restart: true', () => {
  const project = uniqueProject('life-rs');
  let dir = '';
  const p = (...args: string[]) => berth(['-p', project, '--progress', 'plain', ...args], { cwd: dir });
  const started = async (svc: string) => (await docker(['inspect', '-f', '{{.State.StartedAt}}', `${project}-${svc}-1`])).stdout.trim();
  const startedAll = async () => Object.fromEntries(await Promise.all(['db', 'api', 'edge', 'side'].map(async (s) => [s, await started(s)])));

  beforeAll(async () => {
    dir = await projectDir({
      'compose.yaml': `
services:
  db: { image: busybox:local, init: true, command: ["sleep", "600"] }
  api:
    image: busybox:local
    init: true
    command: ["sleep", "600"]
    depends_on: { db: { condition: service_started, restart: true } }
  edge:
    image: busybox:local
    init: true
    command: ["sleep", "600"]
    depends_on: { api: { condition: service_started, restart: true } }
  side:
    image: busybox:local
    init: true
    command: ["sleep", "600"]
    depends_on: [db]
`,
    });
    const up = await p('up', '-d');
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await cleanup(project, dir);
  });

  it('restart db: db, then api and edge; side is left running as it was', async () => {
    const before = await startedAll();
    const r = await p('restart', 'db');
    expect(r.code, r.stderr).toBe(0);
    const after = await startedAll();
    expect(after.db).not.toBe(before.db);
    expect(after.api).not.toBe(before.api);
    expect(after.edge).not.toBe(before.edge);
    expect(after.side).toBe(before.side);
    expect(r.stderr.indexOf(`${project}-db-1  Started`)).toBeLessThan(r.stderr.indexOf(`${project}-api-1  Restarting`));
    expect(r.stderr.indexOf(`${project}-api-1  Started`)).toBeLessThan(r.stderr.indexOf(`${project}-edge-1  Restarting`));
  });

  it('restart --no-deps db restarts db only', async () => {
    const before = await startedAll();
    const r = await p('restart', '--no-deps', 'db');
    expect(r.code, r.stderr).toBe(0);
    const after = await startedAll();
    expect(after.db).not.toBe(before.db);
    expect({ ...after, db: '' }).toEqual({ ...before, db: '' });
  });

  it('a container already stopped is reported Stopping / Stopped by stop and by down, as compose reports it', async () => {
    expect((await p('stop', 'side')).code).toBe(0);
    const again = await p('stop', 'side');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`Container ${project}-side-1  Stopping`);
    expect(again.stderr).toContain(`Container ${project}-side-1  Stopped`);
    const down = await p('down', '-t', '0');
    expect(down.code, down.stderr).toBe(0);
    for (const step of ['Stopping', 'Stopped', 'Removing', 'Removed']) expect(down.stderr).toContain(`Container ${project}-side-1  ${step}`);
  });
});

// compose's start (and, for dependencies declared restart: true, the newer compose's restart) waits, before a
// service starts, for its dependencies' depends_on conditions: `web` starts only once `db` is healthy.
describeEngine('berth start and restart wait for depends_on conditions', () => {
  const project = uniqueProject('life-wait');
  let dir = '';
  const p = (...args: string[]) => berth(['-p', project, '--progress', 'plain', ...args], { cwd: dir });
  const inspect = async (svc: string, f: string) => (await docker(['inspect', '-f', f, `${project}-${svc}-1`])).stdout.trim();

  beforeAll(async () => {
    dir = await projectDir({
      'compose.yaml': `
services:
  db:
    image: busybox:local
    init: true
    # healthy ~1.5 s after each start
    command: ["sh", "-c", "rm -f /tmp/ok; sleep 1.5; touch /tmp/ok; exec sleep 600"]
    healthcheck: { test: ["CMD", "test", "-f", "/tmp/ok"], interval: 300ms, retries: 30 }
  web:
    image: busybox:local
    init: true
    command: ["sleep", "600"]
    depends_on: { db: { condition: service_healthy, restart: true } }
`,
    });
    const up = await p('up', '-d', '--wait');
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await cleanup(project, dir);
  });

  for (const args of [['start'], ['restart', 'db']]) {
    it(`${args.join(' ')}: web starts once db is healthy, and says it waited`, async () => {
      if (args[0] === 'start') expect((await p('stop', '-t', '0')).code).toBe(0);
      const r = await p(...args);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stderr.split('\n');
      const at = (text: string) => lines.findIndex((l) => l.includes(text));
      expect(at(`${project}-db-1  Waiting`)).toBeGreaterThan(at(`${project}-db-1  Started`));
      expect(at(`${project}-db-1  Healthy`)).toBeGreaterThan(at(`${project}-db-1  Waiting`));
      expect(at(`${project}-web-1  ${args[0] === 'start' ? 'Starting' : 'Restarting'}`)).toBeGreaterThan(at(`${project}-db-1  Healthy`));
      // the engine's own clock: web started at least the 1.5 s db needs to become healthy after db did
      const dbStarted = Date.parse(await inspect('db', '{{.State.StartedAt}}'));
      const webStarted = Date.parse(await inspect('web', '{{.State.StartedAt}}'));
      expect(webStarted - dbStarted).toBeGreaterThanOrEqual(1400);
      expect(await inspect('db', '{{.State.Health.Status}}')).toBe('healthy');
    });
  }
});

// start --wait / --wait-timeout (the newer compose's): start returns once every container of the services is
// running, or healthy when it has a healthcheck; a wait past the timeout fails and says so.
describeEngine('berth start --wait', () => {
  const project = uniqueProject('life-sw');
  let dir = '';
  const p = (...args: string[]) => berth(['-p', project, '--progress', 'plain', ...args], { cwd: dir });

  beforeAll(async () => {
    dir = await projectDir({
      'compose.yaml': `
services:
  slow:
    image: busybox:local
    init: true
    command: ["sh", "-c", "rm -f /tmp/ok; sleep 1.5; touch /tmp/ok; exec sleep 600"]
    healthcheck: { test: ["CMD", "test", "-f", "/tmp/ok"], interval: 300ms, retries: 30 }
  never:
    image: busybox:local
    init: true
    command: ["sleep", "600"]
    healthcheck: { test: ["CMD", "false"], interval: 300ms, retries: 100 }
  plain:
    image: busybox:local
    init: true
    command: ["sleep", "600"]
`,
    });
    const up = await p('up', '-d', 'slow', 'plain', 'never');
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await cleanup(project, dir);
  });

  it('returns once the services are healthy (or running, without a healthcheck)', async () => {
    expect((await p('stop', '-t', '0', 'slow', 'plain')).code).toBe(0);
    const r = await p('start', '--wait', 'slow', 'plain');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Container ${project}-slow-1  Healthy`);
    expect((await docker(['inspect', '-f', '{{.State.Health.Status}}', `${project}-slow-1`])).stdout.trim()).toBe('healthy');
    expect((await docker(['inspect', '-f', '{{.State.Running}}', `${project}-plain-1`])).stdout.trim()).toBe('true');
  });

  it('--wait-timeout: a service that never gets healthy fails the command, named, within the timeout', async () => {
    const t0 = Date.now();
    const r = await p('start', '--wait', '--wait-timeout', '2', 'never');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/timed out after 2s waiting for services to be running or healthy/);
    expect(r.stderr).toContain('never');
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});
