// When -p (or COMPOSE_PROJECT_NAME) fixes the project's name, up and down ask the engine for the project's
// objects before the compose files are loaded, and use those answers: one list call per kind, under the
// project lock for up, and an error in the files is still the one reported.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { down, ps, up } from '../../../src/api/index.js';
import { FakeEngine } from '../../../src/engine/fake/index.js';
import { ConfigError, EngineError, ErrorCodes } from '../../../src/model/errors.js';
import { planText } from '../../../src/ops/plan.js';

let dir: string;
let lockDir: string | undefined;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'berth-prefetch-'));
  lockDir = process.env.BERTH_LOCK_DIR;
  process.env.BERTH_LOCK_DIR = path.join(dir, 'locks');
  writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  a:\n    image: busybox:local\n  b:\n    image: busybox:local\n    depends_on: [a]\n');
});
afterEach(() => {
  if (lockDir === undefined) delete process.env.BERTH_LOCK_DIR;
  else process.env.BERTH_LOCK_DIR = lockDir;
  rmSync(dir, { recursive: true, force: true });
});

const engine = () => new FakeEngine({ images: ['busybox:local'] });
const lists = (e: FakeEngine) => ['listContainers', 'listNetworks', 'listVolumes'].map((m) => e.callsTo(m as 'listContainers').length);

describe('prefetched project lists', () => {
  it('up -p: the lists are asked for once, and the plan is the one a plain load makes', async () => {
    const e = engine();
    const r = await up({ engine: e, project: { cwd: dir, projectName: 'pf', env: {} }, dryRun: true });
    // no volume list: the project declares no volumes, and only declared volumes are looked up
    expect(lists(e)).toEqual([1, 1, 0]);
    const plain = engine();
    const q = await up({ engine: plain, project: { cwd: dir, env: { COMPOSE_PROJECT_NAME: undefined } as Record<string, string | undefined>, projectNameFromDirectory: true }, dryRun: true });
    expect(r.plan.ops.map((o) => o.reason)).toEqual(q.plan.ops.map((o) => o.reason));
  });

  it('the lists leave before the files are read: a broken file with -p still meets the engine (reads only), without -p it does not', async () => {
    writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  a:\n    image: [\n');
    const e = engine();
    await expect(up({ engine: e, project: { cwd: dir, projectName: 'pf', env: {} } })).rejects.toBeInstanceOf(ConfigError);
    expect(lists(e)).toEqual([1, 1, 0]);
    expect(e.methodsCalled.every((m) => m.startsWith('list'))).toBe(true);

    const named = engine();
    await expect(up({ engine: named, project: { cwd: dir, env: { COMPOSE_PROJECT_NAME: 'pf' } } })).rejects.toBeInstanceOf(ConfigError);
    expect(lists(named)).toEqual([1, 1, 0]);

    const unnamed = engine();
    await expect(up({ engine: unnamed, project: { cwd: dir, env: {} } })).rejects.toBeInstanceOf(ConfigError);
    expect(unnamed.methodsCalled).toEqual([]);
  });

  it('up -p of a project that declares volumes: they are listed once, after the load, and the plan is a plain load\'s', async () => {
    writeFileSync(path.join(dir, 'compose.yaml'), 'name: pf\nservices:\n  a:\n    image: busybox:local\n    volumes: [data:/d, kept:/k]\nvolumes:\n  data: {}\n  kept:\n    name: kept-by-hand\n');
    const run = async (project: { cwd: string; env: Record<string, string>; projectName?: string }) => {
      const e = engine();
      await e.createVolume({ Name: 'pf_data', Labels: { 'com.docker.compose.project': 'pf', 'com.docker.compose.volume': 'data' } });
      await e.createVolume({ Name: 'kept-by-hand' });
      e.clearCalls();
      const r = await up({ engine: e, project, dryRun: true });
      return { e, text: planText(r.plan) };
    };
    const early = await run({ cwd: dir, projectName: 'pf', env: {} });
    expect(lists(early.e)).toEqual([1, 1, 1]);
    // pf_data is found in the list (labelled as the project's), kept-by-hand is not: it is looked up by name
    expect(early.e.callsTo('inspectVolume').map((c) => c.args[0])).toEqual(['kept-by-hand']);
    const plain = await run({ cwd: dir, env: {} });
    expect(lists(plain.e)).toEqual([1, 1, 1]);
    expect(early.text).toEqual(plain.text);
    expect(early.text).not.toMatch(/create volume pf_data/);
    expect(early.text).toMatch(/create container pf-a-1/);
  });

  it('an error in the files is reported before an engine that fails', async () => {
    writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  a:\n    image: [\n');
    const e = engine();
    e.failNext('listContainers', new EngineError(ErrorCodes.ENGINE_UNREACHABLE, 'cannot connect to the engine'));
    await expect(up({ engine: e, project: { cwd: dir, projectName: 'pf', env: {} } })).rejects.toBeInstanceOf(ConfigError);
    await expect(down({ engine: e, project: { cwd: dir, projectName: 'pf', env: {} } })).rejects.toBeInstanceOf(ConfigError);
  });

  it('an invalid -p is left to the loader: no engine call, the loader names it', async () => {
    const e = engine();
    await expect(up({ engine: e, project: { cwd: dir, projectName: 'Bad!', env: {} } })).rejects.toThrow(/invalid project name/);
    expect(e.methodsCalled).toEqual([]);
  });

  it('two ups of one project at once still take turns: every container is created once', async () => {
    const e = engine();
    const opts = { engine: e, project: { cwd: dir, projectName: 'pf', env: {} } };
    await Promise.all([up(opts), up(opts)]);
    expect(e.callsTo('createContainer')).toHaveLength(2);
    expect((await e.listContainers({ all: true, labels: ['com.docker.compose.project=pf'] })).map((c) => c.name).sort()).toEqual(['pf-a-1', 'pf-b-1']);
  });

  it('down -p: one list per kind (volumes only with -v), and everything removed', async () => {
    const e = engine();
    await up({ engine: e, project: { cwd: dir, projectName: 'pf', env: {} } });
    e.clearCalls();
    await down({ engine: e, project: { cwd: dir, projectName: 'pf', env: {} } });
    expect(lists(e)).toEqual([1, 1, 0]);
    expect(await e.listContainers({ all: true, labels: ['com.docker.compose.project=pf'] })).toEqual([]);
    await up({ engine: e, project: { cwd: dir, projectName: 'pf', env: {} } });
    e.clearCalls();
    await down({ engine: e, project: { cwd: dir, projectName: 'pf', env: {} }, volumes: true });
    expect(lists(e)).toEqual([1, 1, 1]);
  });

  it('ps -p: the containers are listed once, before the files are read, and the result is a plain load\'s', async () => {
    const e = engine();
    await up({ engine: e, project: { cwd: dir, projectName: 'pf', env: {} } });
    const plain = await ps({ engine: e, project: { cwd: dir, projectName: 'pf', env: {} } });
    e.clearCalls();
    const early = await ps({ engine: e, project: { cwd: dir, projectName: 'pf', env: {} } });
    expect(lists(e)).toEqual([1, 0, 0]);
    expect(early.map((x) => x.container.name)).toEqual(['pf-a-1', 'pf-b-1']);
    expect(early).toEqual(plain);
    // services picked after the list, as the list call picks them
    expect((await ps({ engine: e, project: { cwd: dir, projectName: 'pf', env: {} }, services: ['b'] })).map((x) => x.service)).toEqual(['b']);

    writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  a:\n    image: [\n');
    e.clearCalls();
    await expect(ps({ engine: e, project: { cwd: dir, projectName: 'pf', env: {} } })).rejects.toBeInstanceOf(ConfigError);
    expect(e.methodsCalled).toEqual(['listContainers']);
    // an engine that fails too: the files' error is the one reported
    e.failNext('listContainers', new EngineError(ErrorCodes.ENGINE_UNREACHABLE, 'cannot connect to the engine'));
    await expect(ps({ engine: e, project: { cwd: dir, projectName: 'pf', env: {} } })).rejects.toBeInstanceOf(ConfigError);
    const unnamed = engine();
    await expect(ps({ engine: unnamed, project: { cwd: dir, env: {} } })).rejects.toBeInstanceOf(ConfigError);
    expect(unnamed.methodsCalled).toEqual([]);
  });
});
