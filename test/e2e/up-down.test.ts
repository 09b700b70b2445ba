// Issue 2 acceptance: a three-service stack (healthy db, api after db, web after api, named volume, port on
// 127.0.0.1) comes up, is listed, keeps its data across down/up, is removed entirely by down -v, and a
// second up with no change touches nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, cleanup, describeEngine, docker, freePort, leftovers, projectDir, uniqueProject } from '../helpers/e2e.js';

const compose = (port: number) => `
services:
  db:
    image: busybox:local
    command: ["sh", "-c", "touch /data/ready; exec sleep 3600"]
    stop_grace_period: 1s
    volumes:
      - dbdata:/data
    healthcheck:
      test: ["CMD", "test", "-f", "/data/ready"]
      interval: 1s
      retries: 20
  api:
    image: busybox:local
    command: ["sh", "-c", "exec sleep 3600"]
    stop_grace_period: 1s
    depends_on:
      db:
        condition: service_healthy
  web:
    image: busybox:local
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    stop_grace_period: 1s
    ports:
      - "127.0.0.1:${port}:8080"
    volumes:
      - ./www:/www:ro
    depends_on: [api]
volumes:
  dbdata:
`;

describeEngine('berth up -d / ps / down on a three-service stack', () => {
  const project = uniqueProject('stack');
  let dir = '';
  let port = 0;
  const p = (...args: string[]) => berth(['-p', project, ...args], { cwd: dir });

  beforeAll(async () => {
    port = await freePort();
    dir = await projectDir({ 'compose.yaml': compose(port), 'www/index.html': 'hello from web\n' });
  });
  afterAll(async () => {
    await cleanup(project, dir);
  });

  it('comes up in dependency order, healthy db first', async () => {
    const r = await p('--progress', 'plain', 'up', '-d');
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    // db must be reported healthy before api starts, api started before web starts
    const lines = r.stderr.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(new RegExp(`Container ${project}-db-1\\s+Healthy`))).toBeGreaterThan(-1);
    expect(at(new RegExp(`Container ${project}-db-1\\s+Healthy`))).toBeLessThan(at(new RegExp(`Container ${project}-api-1\\s+Started`)));
    expect(at(new RegExp(`Container ${project}-api-1\\s+Started`))).toBeLessThan(at(new RegExp(`Container ${project}-web-1\\s+Started`)));
  });

  it('ps --format json shows all three running', async () => {
    const r = await p('ps', '--format', 'json');
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => x.Name).sort()).toEqual([`${project}-api-1`, `${project}-db-1`, `${project}-web-1`]);
    expect(rows.every((x) => x.State === 'running')).toBe(true);
    expect(rows.map((x) => x.Service).sort()).toEqual(['api', 'db', 'web']);
    const web = rows.find((x) => x.Service === 'web');
    expect(web.Publishers).toContainEqual({ URL: '127.0.0.1', TargetPort: 8080, PublishedPort: port, Protocol: 'tcp' });
  });

  it('serves on the published 127.0.0.1 port', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/index.html`);
    expect(await res.text()).toBe('hello from web\n');
  });

  it('a second up -d with no change creates, stops and recreates nothing', async () => {
    const ids = async () => (await p('ps', '-q')).stdout.trim().split('\n').sort();
    const before = await ids();
    const startedAt = (await docker(['inspect', '-f', '{{.State.StartedAt}}', ...before])).stdout;
    const r = await p('--progress', 'plain', 'up', '-d');
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/Creat|Recreat|Starting|Stopping/);
    expect(await ids()).toEqual(before);
    expect((await docker(['inspect', '-f', '{{.State.StartedAt}}', ...before])).stdout).toBe(startedAt);
    const plan = await p('--dry-run', 'up', '-d');
    expect(plan.stdout.split('\n').filter(Boolean).every((l) => l.startsWith('keep '))).toBe(true);
  });

  it('data in the named volume survives down + up; down -v removes it and leaves nothing', async () => {
    const secret = `data-${Date.now()}`;
    expect((await docker(['exec', `${project}-db-1`, 'sh', '-c', `echo ${secret} > /data/keep`])).code).toBe(0);
    expect((await p('down')).code).toBe(0);
    const mid = await leftovers(project);
    expect(mid.containers).toEqual([]);
    expect(mid.networks).toEqual([]);
    expect(mid.volumes).toEqual([`${project}_dbdata`]);

    expect((await p('up', '-d')).code).toBe(0);
    const read = await docker(['exec', `${project}-db-1`, 'cat', '/data/keep']);
    expect(read.stdout.trim()).toBe(secret);

    const r = await p('down', '-v');
    expect(r.code).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
