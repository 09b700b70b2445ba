// Bad input: each case exits non-zero with one line naming the problem (file:line:col when it comes from a
// file) and creates nothing on the engine.
import { afterAll, describe, expect, it } from 'vitest';
import { berth, cleanup, describeEngine, leftovers, projectDir, uniqueProject } from '../helpers/e2e.js';

const cases: { name: string; compose: string; expect: RegExp; env?: NodeJS.ProcessEnv }[] = [
  {
    name: 'a dependency cycle',
    compose: 'services:\n  a:\n    image: busybox:local\n    depends_on: [b]\n  b:\n    image: busybox:local\n    depends_on: [a]\n',
    expect: /dependency cycle detected: (a -> b -> a|b -> a -> b)/,
  },
  {
    name: 'an unknown service in depends_on',
    compose: 'services:\n  api:\n    image: busybox:local\n    depends_on:\n      - dbx\n',
    expect: /compose\.yaml:\d+:\d+ services\.api\.depends_on.*"dbx"/,
  },
  {
    name: 'a YAML syntax error',
    compose: 'services:\n  web:\n    image: busybox:local\n   ports: [\n',
    expect: /compose\.yaml:\d+:\d+/,
  },
  {
    name: 'a missing ${VAR:?msg}',
    compose: 'services:\n  web:\n    image: "busybox:${TAG:?set TAG to the image tag}"\n',
    expect: /compose\.yaml:3:\d+ services\.web\.image: .*TAG.*set TAG to the image tag/,
  },
  {
    name: 'an unknown key (schema)',
    compose: 'services:\n  web:\n    image: busybox:local\n    imagee: typo\n',
    expect: /compose\.yaml:4:\d+ services\.web.*imagee/,
  },
];

describeEngine('bad input fails cleanly and creates nothing', () => {
  const dirs: string[] = [];
  const projects: string[] = [];
  afterAll(async () => {
    await Promise.all(projects.map((p, i) => cleanup(p, dirs[i])));
  });

  for (const c of cases) {
    it(`${c.name}: one line, non-zero, nothing created`, async () => {
      const project = uniqueProject('bad');
      const dir = await projectDir({ 'compose.yaml': c.compose });
      projects.push(project);
      dirs.push(dir);
      const r = await berth(['-p', project, 'up', '-d'], { cwd: dir, env: { TAG: undefined } });
      expect(r.code).not.toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(c.expect);
      expect(await leftovers(project)).toEqual({ containers: [], networks: [], volumes: [] });
    });
  }

  it('an unreachable engine: one line naming it, non-zero', async () => {
    const project = uniqueProject('noengine');
    const dir = await projectDir({ 'compose.yaml': 'services:\n  web:\n    image: busybox:local\n' });
    projects.push(project);
    dirs.push(dir);
    const r = await berth(['-p', project, 'up', '-d'], { cwd: dir, env: { DOCKER_HOST: 'unix:///tmp/berth-no-such-engine.sock' } });
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/cannot connect to the Docker engine at unix:\/\/\/tmp\/berth-no-such-engine\.sock/i);
    expect(await leftovers(project)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});

describe('bad input without an engine', () => {
  it('berth config reports a cycle without touching an engine', async () => {
    const dir = await projectDir({ 'compose.yaml': cases[0].compose });
    const r = await berth(['config'], { cwd: dir, env: { DOCKER_HOST: 'unix:///tmp/berth-no-such-engine.sock' } });
    expect(r.code).toBe(15); // compose: a project that does not load
    expect(r.stderr).toMatch(cases[0].expect);
    await cleanup('unused', dir);
  });
});
