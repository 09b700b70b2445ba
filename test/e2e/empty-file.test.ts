// Issue 14, defect 1: a compose file truncated to nothing after `up` must not read as "no services": `up -d
// --remove-orphans` fails with one line naming the file and every container stays (same ids); `down` by
// project name still works.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { berth, cleanup, describeEngine, docker, leftovers, projectDir, uniqueProject } from '../helpers/e2e.js';

const stack = 'services:\n  a:\n    image: busybox:local\n    command: sleep 300\n  b:\n    image: busybox:local\n    command: sleep 300\n';

async function ids(project: string): Promise<string[]> {
  const r = await docker(['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`]);
  return r.stdout.split('\n').filter(Boolean).sort();
}

describeEngine('a compose file that says nothing', () => {
  const made: { project: string; dir: string }[] = [];
  afterAll(async () => {
    await Promise.all(made.map((m) => cleanup(m.project, m.dir)));
  });

  it('truncated after up: up -d --remove-orphans and create --remove-orphans fail naming the file; nothing is removed; down -p still works', async () => {
    const project = uniqueProject('empty');
    const dir = await projectDir({ 'compose.yaml': stack });
    made.push({ project, dir });
    const env = { COMPOSE_PROJECT_NAME: project };
    expect((await berth(['up', '-d'], { cwd: dir, env })).code).toBe(0);
    const before = await ids(project);
    expect(before).toHaveLength(2);

    await writeFile(join(dir, 'compose.yaml'), '');
    for (const args of [['up', '-d', '--remove-orphans'], ['-p', project, 'up', '-d', '--remove-orphans'], ['create', '--remove-orphans']]) {
      const r = await berth(args, { cwd: dir, env });
      expect(r.code, args.join(' ')).not.toBe(0);
      const lines = r.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toBe(`${join(dir, 'compose.yaml')}:1:1: empty compose file: it defines nothing: write the project's services into it`);
      expect(await ids(project)).toEqual(before);
    }

    // a file that says, in so many words, that there are no services: compose's "no service selected"
    await writeFile(join(dir, 'compose.yaml'), 'services: {}\n');
    const r = await berth(['up', '-d', '--remove-orphans'], { cwd: dir, env });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(`no service selected: ${join(dir, 'compose.yaml')} defines no services: add them under services:`);
    expect(await ids(project)).toEqual(before);

    // down goes by the project's name when the file says nothing
    for (const text of ['', '# truncated\n']) {
      await writeFile(join(dir, 'compose.yaml'), text);
      const d = await berth(['-p', project, 'down', '-t', '0'], { cwd: dir });
      expect(d.code, d.stderr).toBe(0);
      expect(await leftovers(project)).toEqual({ containers: [], networks: [], volumes: [] });
      await writeFile(join(dir, 'compose.yaml'), stack);
      if (text === '') expect((await berth(['up', '-d'], { cwd: dir, env })).code).toBe(0);
    }
  });
});
