// Issue 4 on the real engine: what up recreates, keeps, scales and removes, and that data survives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { berth, cleanup, describeEngine, docker, leftovers, projectDir, uniqueProject } from '../helpers/e2e.js';

const ids = async (project: string, dir: string, ...extra: string[]) =>
  Object.fromEntries(
    (await berth(['-p', project, 'ps', '-a', '--format', 'json', ...extra], { cwd: dir })).stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .map((c) => [c.Name, c.ID]),
  ) as Record<string, string>;

const base = (env: string) => `
services:
  db:
    image: busybox:local
    init: true
    command: ["sh", "-c", "exec sleep 3600"]
    volumes: [data:/data, /anon]
  api:
    image: busybox:local
    init: true
    command: ["sh", "-c", "exec sleep 3600"]
    environment: { MODE: "${env}" }
    depends_on: [db]
  web:
    image: busybox:local
    init: true
    command: ["sh", "-c", "exec sleep 3600"]
    depends_on:
      api: { condition: service_started, restart: true }
volumes:
  data:
`;

describeEngine('convergence on the real engine', () => {
  const project = uniqueProject('converge');
  let dir = '';
  const p = (...args: string[]) => berth(['-p', project, ...args], { cwd: dir });
  beforeAll(async () => {
    dir = await projectDir({ 'compose.yaml': base('one') });
    const r = await p('up', '-d');
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => cleanup(project, dir));

  it('--dry-run prints the plan and leaves the engine unchanged', async () => {
    await writeFile(join(dir, 'compose.yaml'), base('two'));
    const before = await ids(project, dir);
    const r = await p('--dry-run', 'up', '-d');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`create container \\w{12}_${project}-api-1 \\(recreate: config changed\\)`));
    expect(r.stdout).toContain(`restart container ${project}-web-1 (depends on api with restart: true, and api is recreated)`);
    expect(r.stdout).toContain(`keep container ${project}-db-1 (up to date)`);
    expect(await ids(project, dir)).toEqual(before);
  });

  it('environment of one service changed: only it is recreated, its restart: true dependent restarted', async () => {
    const before = await ids(project, dir);
    const startedWeb = (await docker(['inspect', '-f', '{{.State.StartedAt}}', before[`${project}-web-1`]])).stdout;
    const r = await p('--progress', 'plain', 'up', '-d');
    expect(r.code, r.stderr).toBe(0);
    const after = await ids(project, dir);
    expect(after[`${project}-db-1`]).toBe(before[`${project}-db-1`]);
    expect(after[`${project}-web-1`]).toBe(before[`${project}-web-1`]);
    expect(after[`${project}-api-1`]).not.toBe(before[`${project}-api-1`]);
    expect((await docker(['inspect', '-f', '{{.State.StartedAt}}', after[`${project}-web-1`]])).stdout).not.toBe(startedWeb);
    expect((await docker(['exec', `${project}-api-1`, 'sh', '-c', 'echo $MODE'])).stdout.trim()).toBe('two');
  });

  it('data in a named and an anonymous volume survives recreation (checksummed)', async () => {
    const write = await docker(['exec', `${project}-db-1`, 'sh', '-c', 'head -c 65536 /dev/urandom > /data/blob; head -c 65536 /dev/urandom > /anon/blob; md5sum /data/blob /anon/blob']);
    expect(write.code, write.stderr).toBe(0);
    const before = await ids(project, dir);
    const r = await p('up', '-d', '--force-recreate');
    expect(r.code, r.stderr).toBe(0);
    expect((await ids(project, dir))[`${project}-db-1`]).not.toBe(before[`${project}-db-1`]);
    const read = await docker(['exec', `${project}-db-1`, 'md5sum', '/data/blob', '/anon/blob']);
    expect(read.stdout).toBe(write.stdout);
  });

  it('-V renews the anonymous volume (the named one is kept)', async () => {
    const anon = async () => (await docker(['inspect', '-f', '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}', `${project}-db-1`])).stdout.trim();
    const old = await anon();
    const r = await p('up', '-d', '--force-recreate', '-V', 'db');
    expect(r.code, r.stderr).toBe(0);
    expect(await anon()).not.toBe(old);
    expect((await docker(['exec', `${project}-db-1`, 'ls', '/anon'])).stdout.trim()).toBe('');
    expect((await docker(['exec', `${project}-db-1`, 'ls', '/data'])).stdout.trim()).toBe('blob');
    // the replaced anonymous volume is left alone by berth (data is never dropped implicitly): the test removes it
    expect((await docker(['volume', 'rm', old])).code).toBe(0);
  });

  it('image changed: the services running it are recreated, the others kept', async () => {
    const image = `${project}-img:latest`;
    expect((await docker(['tag', 'busybox:local', image])).code).toBe(0);
    try {
      await writeFile(join(dir, 'compose.yaml'), base('two').replace(/( {2}api:\n {4}image: )busybox:local/, `$1${image}`));
      expect((await p('up', '-d')).code).toBe(0);
      const before = await ids(project, dir);
      // a new image id under the same name, as a rebuild or a pull would leave
      const commit = await docker(['commit', `${project}-db-1`, image]);
      expect(commit.code, commit.stderr).toBe(0);
      const r = await p('--dry-run', 'up', '-d');
      expect(r.stdout).toMatch(new RegExp(`create container \\w{12}_${project}-api-1 \\(recreate: image changed\\)`));
      expect((await p('up', '-d')).code).toBe(0);
      const after = await ids(project, dir);
      expect(after[`${project}-api-1`]).not.toBe(before[`${project}-api-1`]);
      expect(after[`${project}-db-1`]).toBe(before[`${project}-db-1`]);
    } finally {
      await writeFile(join(dir, 'compose.yaml'), base('two'));
      await p('up', '-d');
      await docker(['rmi', '-f', image]);
    }
  });

  it('--no-recreate keeps a changed container', async () => {
    await writeFile(join(dir, 'compose.yaml'), base('three'));
    const before = await ids(project, dir);
    expect((await p('up', '-d', '--no-recreate')).code).toBe(0);
    expect(await ids(project, dir)).toEqual(before);
    expect((await docker(['exec', `${project}-api-1`, 'sh', '-c', 'echo $MODE'])).stdout.trim()).toBe('two');
  });

  it('a second up with no change keeps every container id', async () => {
    expect((await p('up', '-d')).code).toBe(0);
    const before = await ids(project, dir);
    const r = await p('--progress', 'plain', 'up', '-d');
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/Creat|Recreat|Start|Stop/);
    expect(await ids(project, dir)).toEqual(before);
  });

  it('scale 1 → 3 → 1 with --scale, numbering like compose', async () => {
    expect((await p('up', '-d', '--scale', 'web=3')).code).toBe(0);
    expect(Object.keys(await ids(project, dir)).filter((n) => n.includes('-web-')).sort()).toEqual([1, 2, 3].map((n) => `${project}-web-${n}`));
    expect((await p('up', '-d', '--scale', 'web=1')).code).toBe(0);
    expect(Object.keys(await ids(project, dir)).filter((n) => n.includes('-web-'))).toEqual([`${project}-web-1`]);
  });

  it('orphans: warned about, then removed with --remove-orphans', async () => {
    await writeFile(join(dir, 'compose.yaml'), base('three').replace(/ {2}web:[\s\S]*?restart: true \}\n/, ''));
    const warn = await p('--progress', 'plain', 'up', '-d');
    expect(warn.code).toBe(0);
    expect(warn.stderr).toContain(`Found orphan containers ([${project}-web-1])`);
    expect(Object.keys(await ids(project, dir))).toContain(`${project}-web-1`);
    const rm = await p('up', '-d', '--remove-orphans');
    expect(rm.code).toBe(0);
    expect(Object.keys(await ids(project, dir))).not.toContain(`${project}-web-1`);
  });

  it('a network deleted out of band is recreated, and the containers on it', async () => {
    expect((await p('down', '-v')).code).toBe(0);
    expect((await p('up', '-d', 'db')).code).toBe(0);
    const before = await ids(project, dir);
    await docker(['network', 'disconnect', '-f', `${project}_default`, `${project}-db-1`]);
    expect((await docker(['network', 'rm', `${project}_default`])).code).toBe(0);
    const r = await p('--progress', 'plain', 'up', '-d', 'db');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`Network ${project}_default\\s+Created`));
    expect((await ids(project, dir))[`${project}-db-1`]).not.toBe(before[`${project}-db-1`]);
    expect((await docker(['inspect', '-f', '{{json .NetworkSettings.Networks}}', `${project}-db-1`])).stdout).toContain(`${project}_default`);
  });

  it('down -v removes named and anonymous volumes; nothing of the project remains', async () => {
    const anon = (await docker(['inspect', '-f', '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}', `${project}-db-1`])).stdout.trim();
    expect(anon).toMatch(/^[0-9a-f]{64}$/);
    expect((await p('down', '-v')).code).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: [], networks: [], volumes: [] });
    expect((await docker(['volume', 'inspect', anon])).code).not.toBe(0);
  });
});

describeEngine('depends_on conditions and --wait', () => {
  const project = uniqueProject('conditions');
  let dir = '';
  afterAll(() => cleanup(project, dir));

  it('a three-level healthy chain starts in order; a migration completes before its dependent', async () => {
    dir = await projectDir({
      'compose.yaml': `
services:
  a:
    image: busybox:local
    init: true
    command: ["sh", "-c", "sleep 1; touch /tmp/ok; exec sleep 3600"]
    healthcheck: { test: ["CMD", "test", "-f", "/tmp/ok"], interval: 500ms }
  b:
    image: busybox:local
    init: true
    command: ["sh", "-c", "sleep 1; touch /tmp/ok; exec sleep 3600"]
    healthcheck: { test: ["CMD", "test", "-f", "/tmp/ok"], interval: 500ms }
    depends_on: { a: { condition: service_healthy } }
  migrate:
    image: busybox:local
    command: ["sh", "-c", "sleep 1; echo migrated"]
    depends_on: { b: { condition: service_healthy } }
  c:
    image: busybox:local
    init: true
    command: ["sh", "-c", "exec sleep 3600"]
    depends_on:
      b: { condition: service_healthy }
      migrate: { condition: service_completed_successfully }
`,
    });
    const r = await berth(['-p', project, '--progress', 'plain', 'up', '--wait'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n');
    const at = (re: string) => lines.findIndex((l) => new RegExp(re).test(l));
    expect(at(`${project}-a-1\\s+Healthy`)).toBeGreaterThan(-1);
    expect(at(`${project}-a-1\\s+Healthy`)).toBeLessThan(at(`${project}-b-1\\s+Started`));
    expect(at(`${project}-b-1\\s+Healthy`)).toBeLessThan(at(`${project}-migrate-1\\s+Started`));
    expect(at(`${project}-migrate-1\\s+Exited`)).toBeLessThan(at(`${project}-c-1\\s+Started`));
    // the started times on the engine agree with the printed order
    const started = async (s: string) => Date.parse((await docker(['inspect', '-f', '{{.State.StartedAt}}', `${project}-${s}-1`])).stdout.trim());
    expect(await started('a')).toBeLessThan(await started('b'));
    expect(await started('b')).toBeLessThan(await started('migrate'));
    const migrateEnd = Date.parse((await docker(['inspect', '-f', '{{.State.FinishedAt}}', `${project}-migrate-1`])).stdout.trim());
    expect(migrateEnd).toBeLessThan(await started('c'));
  });

  it('a no-op up of a healthy chain does not wait again', async () => {
    const p4 = `${project}-noop`;
    const chain = ['a', 'b', 'c']
      .map((n, i) => `  ${n}:\n    image: busybox:local\n    init: true\n    command: ["sh", "-c", "exec sleep 3600"]\n    healthcheck: { test: ["CMD", "true"], interval: 1s }\n${i ? `    depends_on: { ${'abc'[i - 1]}: { condition: service_healthy } }\n` : ''}`)
      .join('');
    const d4 = await projectDir({ 'compose.yaml': `services:\n${chain}` });
    try {
      expect((await berth(['-p', p4, 'up', '-d'], { cwd: d4 })).code).toBe(0);
      const t0 = Date.now();
      const r = await berth(['-p', p4, '--progress', 'plain', 'up', '-d'], { cwd: d4 });
      const took = Date.now() - t0;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/Waiting|Start/);
      // a healthcheck interval is 1 s: any wait for a health transition would show
      expect(took).toBeLessThan(1000);
    } finally {
      await cleanup(p4, d4);
    }
  });

  it('--wait fails, naming the service, when a service turns unhealthy', async () => {
    const p2 = `${project}-sick`;
    const d2 = await projectDir({
      'compose.yaml': `
services:
  sick:
    image: busybox:local
    init: true
    command: ["sh", "-c", "exec sleep 3600"]
    healthcheck: { test: ["CMD", "false"], interval: 300ms, retries: 2 }
`,
    });
    try {
      const r = await berth(['-p', p2, 'up', '--wait', '--wait-timeout', '30'], { cwd: d2 });
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(new RegExp(`service "sick".*${p2}-sick-1 is unhealthy`));
    } finally {
      await cleanup(p2, d2);
    }
  });

  it('a dependency that turns unhealthy fails up at once, naming it and showing its last log lines', async () => {
    const p3 = `${project}-dep`;
    const d3 = await projectDir({
      'compose.yaml': `
services:
  db:
    image: busybox:local
    init: true
    command: ["sh", "-c", "echo db is broken; exec sleep 3600"]
    healthcheck: { test: ["CMD", "false"], interval: 300ms, retries: 2 }
  api:
    image: busybox:local
    depends_on: { db: { condition: service_healthy } }
`,
    });
    try {
      const r = await berth(['-p', p3, 'up', '-d'], { cwd: d3 });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(`dependency failed to start: container ${p3}-db-1 is unhealthy \\(service "db"\\)`));
      expect(r.stderr).toContain('db is broken');
      // api may exist (containers are created early, off the critical path) but it never started
      const api = await docker(['inspect', '-f', '{{.State.StartedAt}}', `${p3}-api-1`]);
      if (api.code === 0) expect(api.stdout.trim()).toBe('0001-01-01T00:00:00Z');
    } finally {
      await cleanup(p3, d3);
    }
  });
});

describe('flag rules', () => {
  it('--force-recreate with --no-recreate is refused', async () => {
    const r = await berth(['up', '-d', '--force-recreate', '--no-recreate']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/incompatible/);
  });
});
