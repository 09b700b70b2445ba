// Issue 14, defect 1: a compose file that says nothing is an error ("empty compose file", as compose), and a
// project without services never reaches a plan, so `up --remove-orphans` cannot read the stack as orphans.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/config/index.js';
import { loadProjectOrName } from '../../../src/api/project.js';
import { ConfigError, ErrorCodes, OperationError } from '../../../src/model/errors.js';
import { up } from '../../../src/ops/up.js';
import { fakeEngine, project } from '../ops/plan-helpers.js';
import { withComposeDir } from './helpers.js';

// each checked against compose-ref 2.26.1: `config -q` and `up -d` exit 15 with "empty compose file" (a lone
// `---` there is "Top-level object must be a mapping": an error as well)
const empty: Record<string, string> = {
  'an empty file': '',
  'whitespace only': '   \n\n  \n',
  'comments only': '# truncated\n# nothing else\n',
  'an empty mapping': '{}\n',
  'an empty document marker': '---\n',
};

describe('an empty compose file', () => {
  for (const [what, text] of Object.entries(empty)) {
    it(`${what} is "empty compose file", at the file`, async () => {
      await withComposeDir({ 'compose.yaml': text }, async (dir) => {
        const err = await loadProject({ cwd: dir, env: {} }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).code).toBe(ErrorCodes.EMPTY_FILE);
        expect((err as ConfigError).message).toBe(`${path.join(dir, 'compose.yaml')}:1:1: empty compose file: it defines nothing: write the project's services into it`);
      });
    });
  }

  it('two empty files are empty together; an empty file next to a full one is fine (as compose)', async () => {
    await withComposeDir({ 'a.yaml': '', 'b.yaml': '# x\n', 'c.yaml': 'services:\n  s:\n    image: busybox\n' }, async (dir) => {
      const err = await loadProject({ cwd: dir, files: ['a.yaml', 'b.yaml'], env: {} }).catch((e: unknown) => e);
      expect((err as ConfigError).code).toBe(ErrorCodes.EMPTY_FILE);
      expect((err as ConfigError).message).toContain(`${path.join(dir, 'a.yaml')}, ${path.join(dir, 'b.yaml')} define nothing`);
      const p = await loadProject({ cwd: dir, files: ['a.yaml', 'c.yaml'], env: {} });
      expect(Object.keys(p.services)).toEqual(['s']);
    });
  });

  it('a file with only a name, networks or `services: {}` loads (compose loads it too)', async () => {
    for (const text of ['name: x\n', 'networks:\n  n1: {}\n', 'services: {}\n']) {
      await withComposeDir({ 'compose.yaml': text }, async (dir) => {
        const p = await loadProject({ cwd: dir, projectName: 'x', env: {} });
        expect(Object.keys(p.services)).toEqual([]);
      });
    }
  });

  it('down/ps still find the stack by a given name (-p, COMPOSE_PROJECT_NAME) when the file is empty', async () => {
    for (const text of ['', '# truncated\n']) {
      await withComposeDir({ 'compose.yaml': text }, async (dir) => {
        expect(await loadProjectOrName({ cwd: dir, projectName: 'given', env: {} })).toEqual({ name: 'given' });
        expect(await loadProjectOrName({ cwd: dir, env: { COMPOSE_PROJECT_NAME: 'fromenv' } })).toEqual({ name: 'fromenv' });
        // without a name there is nothing to go by: the file's error is reported
        await expect(loadProjectOrName({ cwd: dir, env: {} })).rejects.toBeInstanceOf(ConfigError);
      });
    }
  });
});

describe('up of a project without services', () => {
  it('fails with "no service selected" and removes nothing, --remove-orphans or not', async () => {
    const engine = fakeEngine();
    await up(engine, await project('services:\n  a:\n    image: busybox:local\n  b:\n    image: busybox:local\n'));
    const before = (await engine.listContainers({ all: true })).map((c) => c.id).sort();
    expect(before).toHaveLength(2);
    for (const yaml of ['services: {}\n', 'networks:\n  n1: {}\n', 'services:\n  a:\n    image: busybox:local\n    profiles: [later]\n']) {
      const p = await project(yaml);
      for (const noStart of [false, true]) {
        const err = await up(engine, p, { removeOrphans: true, noStart }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(OperationError);
        expect((err as OperationError).code).toBe(ErrorCodes.NO_SERVICES);
        expect((err as OperationError).message).toMatch(/^no service selected: /);
      }
    }
    expect((await engine.listContainers({ all: true })).map((c) => c.id).sort()).toEqual(before);
    expect(engine.callsTo('removeContainer')).toHaveLength(0);
  });
});
