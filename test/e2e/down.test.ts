// down: dry-run, --rmi, a network still used outside the project, per-service stop timeouts.
import { afterAll, expect, it } from 'vitest';
import { berth, cleanup, describeEngine, docker, leftovers, projectDir, uniqueProject } from '../helpers/e2e.js';

describeEngine('berth down', () => {
  const project = uniqueProject('down');
  const image = `${project}-img:1`;
  let dir = '';
  const p = (...args: string[]) => berth(['-p', project, ...args], { cwd: dir });
  afterAll(async () => {
    await docker(['rm', '-f', `${project}-stranger`]);
    await docker(['rmi', image]);
    await cleanup(project, dir);
  });

  it('--dry-run prints what down would do and changes nothing', async () => {
    expect((await docker(['tag', 'busybox:local', image])).code).toBe(0);
    dir = await projectDir({
      'compose.yaml': `services:\n  app:\n    image: ${image}\n    init: true\n    command: ["sleep", "3600"]\n    volumes: [data:/data]\nvolumes:\n  data:\n`,
    });
    expect((await p('up', '-d')).code).toBe(0);
    const r = await p('--dry-run', 'down', '-v', '--rmi', 'all');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`stop container ${project}-app-1 (down)
remove container ${project}-app-1 (down)
remove network ${project}_default (down)
remove volume ${project}_data (down -v)
remove image ${image} (--rmi all)
`);
    expect(await leftovers(project)).toEqual({ containers: [`${project}-app-1`], networks: [`${project}_default`], volumes: [`${project}_data`] });
  });

  it('keeps a network still used by a container outside the project, with a warning', async () => {
    expect((await docker(['run', '-d', '--name', `${project}-stranger`, '--network', `${project}_default`, 'busybox:local', 'sleep', '3600'])).code).toBe(0);
    const t0 = Date.now();
    const r = await p('--progress', 'plain', 'down');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`Network ${project}_default\\s+Resource is still in use`));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await leftovers(project)).networks).toEqual([`${project}_default`]);
    expect((await docker(['inspect', `${project}-stranger`])).code).toBe(0);
    await docker(['rm', '-f', `${project}-stranger`]);
  });

  it('--rmi all removes the service images; -v the volumes', async () => {
    expect((await p('up', '-d')).code).toBe(0);
    const r = await p('down', '-v', '--rmi', 'all');
    expect(r.code, r.stderr).toBe(0);
    expect(await leftovers(project)).toEqual({ containers: [], networks: [], volumes: [] });
    expect((await docker(['image', 'inspect', image])).code).not.toBe(0);
    expect((await docker(['image', 'inspect', 'busybox:local'])).code).toBe(0);
  });

  it('--rmi local leaves images that have a custom name', async () => {
    expect((await docker(['tag', 'busybox:local', image])).code).toBe(0);
    expect((await p('up', '-d')).code).toBe(0);
    expect((await p('down', '--rmi', 'local')).code).toBe(0);
    expect((await docker(['image', 'inspect', image])).code).toBe(0);
  });

  it('an invalid --rmi value is a usage error', async () => {
    const r = await p('down', '--rmi', 'some');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/invalid --rmi value "some"/);
  });
});
