// --compatibility and COMPOSE_COMPATIBILITY (issue 16): compose v1's names, `<project>_<service>_<n>`, for
// containers, their network aliases and one-off `run` containers, side by side with compose-ref.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, cleanup, composeRef, describeEngine, docker, projectDir, uniqueProject } from '../helpers/e2e.js';

const compose = `
services:
  web:
    image: busybox:local
    init: true
    command: ["sleep", "600"]
`;

describeEngine('--compatibility names, as compose-ref', () => {
  const projects = { compose: uniqueProject('compat'), berth: uniqueProject('compat'), env: uniqueProject('compat') };
  let dir = '';
  beforeAll(async () => {
    dir = await projectDir({ 'compose.yaml': compose });
  });
  afterAll(async () => {
    for (const p of Object.values(projects)) await cleanup(p, dir);
  });

  const names = async (project: string) =>
    (await docker(['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean).map((n) => n.replace(project, 'P').replace(/[0-9a-f]{12}$/, 'SLUG')).sort();
  const aliases = async (name: string) => JSON.parse((await docker(['inspect', '-f', '{{json .NetworkSettings.Networks}}', name])).stdout) as Record<string, { Aliases: string[] }>;

  it('up and run name containers with "_", as compose does; down without the flag still finds them by label', async () => {
    const c = await composeRef(['--compatibility', '-p', projects.compose, 'up', '-d'], { cwd: dir });
    const b = await berth(['--compatibility', '-p', projects.berth, 'up', '-d'], { cwd: dir });
    const e = await berth(['-p', projects.env, 'up', '-d'], { cwd: dir, env: { COMPOSE_COMPATIBILITY: 'true' } });
    expect([b.code, e.code, c.code], b.stderr + e.stderr).toEqual([0, 0, 0]);
    expect(await names(projects.compose)).toEqual(['P_web_1']);
    expect(await names(projects.berth)).toEqual(await names(projects.compose));
    expect(await names(projects.env)).toEqual(['P_web_1']);
    const ca = (await aliases(`${projects.compose}_web_1`))[`${projects.compose}_default`]!.Aliases.map((a) => a.replace(projects.compose, 'P'));
    const ba = (await aliases(`${projects.berth}_web_1`))[`${projects.berth}_default`]!.Aliases.map((a) => a.replace(projects.berth, 'P'));
    expect(ba.slice(0, 2)).toEqual(ca.slice(0, 2));

    const rc = await composeRef(['--compatibility', '-p', projects.compose, 'run', '-d', 'web'], { cwd: dir });
    const rb = await berth(['--compatibility', '-p', projects.berth, 'run', '-d', 'web'], { cwd: dir });
    expect([rb.code, rc.code], rb.stderr).toEqual([0, 0]);
    expect(await names(projects.berth)).toEqual(await names(projects.compose));
    expect(await names(projects.berth)).toContain('P_web_run_SLUG');

    // the same stack without the flag is found by its labels and keeps working (down removes it all)
    const down = await berth(['-p', projects.berth, 'down', '-t', '0'], { cwd: dir });
    expect(down.code, down.stderr).toBe(0);
    expect(await names(projects.berth)).toEqual([]);
  });
});
