// Interop with docker compose (compose-ref): each tool lists and removes the other's stacks, because berth
// uses the same names and labels.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, cleanup, composeRef, describeEngine, docker, leftovers, projectDir, uniqueProject } from '../helpers/e2e.js';

const compose = `
services:
  db:
    image: busybox:local
    command: ["sh", "-c", "exec sleep 3600"]
    stop_grace_period: 1s
    volumes: [data:/data]
  web:
    image: busybox:local
    command: ["sh", "-c", "exec sleep 3600"]
    stop_grace_period: 1s
    depends_on: [db]
volumes:
  data:
`;

describeEngine('interop with docker compose', () => {
  const a = uniqueProject('interop-a');
  const b = uniqueProject('interop-b');
  let dir = '';
  beforeAll(async () => {
    dir = await projectDir({ 'compose.yaml': compose });
  });
  afterAll(async () => {
    await cleanup(a);
    await cleanup(b, dir);
  });

  it('a berth stack is listed and removed by docker compose', async () => {
    expect((await berth(['-p', a, 'up', '-d'], { cwd: dir })).code).toBe(0);
    // same config hash as compose: its up finds nothing to recreate
    const before = (await docker(['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${a}`])).stdout.split('\n').sort();
    const again = await composeRef(['-p', a, 'up', '-d'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/Recreate/);
    expect((await docker(['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${a}`])).stdout.split('\n').sort()).toEqual(before);
    const ps = await composeRef(['-p', a, 'ps', '--format', 'json'], { cwd: dir });
    expect(ps.code).toBe(0);
    const names = ps.stdout.trim().split('\n').map((l) => JSON.parse(l).Name).sort();
    expect(names).toEqual([`${a}-db-1`, `${a}-web-1`]);
    const down = await composeRef(['-p', a, 'down', '-v'], { cwd: dir });
    expect(down.code).toBe(0);
    expect(await leftovers(a)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it('a docker compose stack is listed and removed by berth', async () => {
    const upr = await composeRef(['-p', b, 'up', '-d'], { cwd: dir });
    expect(upr.code, upr.stderr).toBe(0);
    const before = (await docker(['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${b}`])).stdout.split('\n').sort();
    const plan = await berth(['-p', b, '--dry-run', 'up', '-d'], { cwd: dir });
    expect(plan.stdout.split('\n').filter(Boolean).every((l) => l.startsWith('keep '))).toBe(true);
    expect((await berth(['-p', b, 'up', '-d'], { cwd: dir })).code).toBe(0);
    expect((await docker(['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${b}`])).stdout.split('\n').sort()).toEqual(before);
    const ps = await berth(['-p', b, 'ps', '--format', 'json'], { cwd: dir });
    expect(ps.code).toBe(0);
    const names = ps.stdout.trim().split('\n').map((l) => JSON.parse(l).Name).sort();
    expect(names).toEqual([`${b}-db-1`, `${b}-web-1`]);
    // without the compose file: the graph comes from labels
    const down = await berth(['-p', b, 'down', '-v'], { cwd: '/' });
    expect(down.code, down.stderr).toBe(0);
    expect(await leftovers(b)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
