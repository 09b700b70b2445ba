// A dry run is chosen where the API makes its engine (api/engine.ts), so no command can write under it: every
// API call that changes the engine, run against a fake engine holding a live project, sends no write to it,
// whether the dry run is the process's (the CLI's --dry-run) or the call's own `dryRun`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as api from '../../../src/api/index.js';
import { commit, exportContainer } from '../../../src/api/runtime.js';
import { dryRunPrinter, selectDryRun } from '../../../src/api/engine.js';
import { ENGINE_METHODS } from '../../../src/engine/dry-run.js';
import { FakeEngine } from '../../../src/engine/fake/index.js';

let dir: string;
let lockDir: string | undefined;
let fake: FakeEngine;
const sink = () => new Writable({ write: (_c, _e, done) => done() });

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'berth-dryrun-'));
  lockDir = process.env.BERTH_LOCK_DIR;
  process.env.BERTH_LOCK_DIR = path.join(dir, 'locks');
  writeFileSync(
    path.join(dir, 'compose.yaml'),
    'services:\n  db:\n    image: busybox:local\n  web:\n    image: busybox:local\n    depends_on: [db]\n    volumes: [data:/data]\n  app:\n    build: .\n    image: registry.test/app:1\nvolumes:\n  data: {}\n',
  );
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox:local\n');
  fake = new FakeEngine({ images: ['busybox:local', 'registry.test/app:1'], pullAnything: true });
  await api.up({ engine: fake, project: project(), services: ['db', 'web'] });
  fake.clearCalls();
});
afterEach(() => {
  selectDryRun(undefined);
  if (lockDir === undefined) delete process.env.BERTH_LOCK_DIR;
  else process.env.BERTH_LOCK_DIR = lockDir;
  rmSync(dir, { recursive: true, force: true });
});

const project = () => ({ cwd: dir, projectName: 'dr', env: {} });
const writesSent = () => fake.methodsCalled.filter((m) => ENGINE_METHODS[m as keyof typeof ENGINE_METHODS] === 'write');

/** Every API call that changes the engine, each with `dryRun` as given (undefined: only the process's). */
async function everyCommand(dryRun: boolean | undefined): Promise<void> {
  const o = { engine: fake, project: project(), dryRun };
  await api.up({ ...o, forceRecreate: true });
  await api.scale({ ...o, scale: { web: 3 } });
  await api.stop(o);
  await api.start(o);
  await api.restart(o);
  await api.pause(o);
  await api.unpause(o);
  await api.kill(o);
  await api.rm({ ...o, stop: true });
  await api.run({ ...o, service: 'web', cmd: ['true'], detach: true });
  await api.run({ ...o, service: 'web', cmd: ['true'], rm: true, stdout: sink(), stderr: sink() });
  await api.exec({ ...o, service: 'web', cmd: ['true'], stdout: sink(), stderr: sink() });
  await api.exec({ ...o, service: 'web', cmd: ['true'], detach: true });
  await api.build({ ...o, services: ['app'] });
  await api.pull({ ...o, services: ['db'] });
  await api.push({ ...o, services: ['app'] });
  await commit({ ...o, service: 'web', reference: 'snap:1' });
  await exportContainer({ ...o, service: 'web' });
  await api.wait({ ...o, services: ['web'], downProject: true });
  await api.down({ ...o, volumes: true, rmi: 'all' });
  await api.removeStack('dr', { engine: fake, dryRun });
}

describe('dry run at the API boundary', () => {
  it("the process's dry run (the CLI's --dry-run): no command sends a write, and the writes are printed as plan lines", async () => {
    const lines: string[] = [];
    selectDryRun(await dryRunPrinter('test', (l) => void lines.push(l)));
    const before = await fake.listContainers({ all: true });
    await everyCommand(undefined);
    expect(writesSent()).toEqual([]);
    expect(await fake.listContainers({ all: true })).toEqual(before);
    expect(await fake.inspectImage('snap:1')).toBeUndefined();
    expect(lines).toContain('create container dr-web-3 (test)\n');
    expect(lines).toContain('build image registry.test/app:1 (test)\n');
    expect(lines).toContain('push image registry.test/app:1 (test)\n');
    expect(lines.some((l) => /^start container dr-web-3 \(test\) after: create container dr-web-3\n$/.test(l))).toBe(true);
  });

  it("a call's own dryRun, with an engine handed in: no command sends a write", async () => {
    await everyCommand(true);
    expect(writesSent()).toEqual([]);
    expect(fake.methodsCalled.length).toBeGreaterThan(0);
  });

  it('without a dry run the same calls do write (the check above can fail)', async () => {
    await api.scale({ engine: fake, project: project(), scale: { web: 2 } });
    expect(writesSent()).toContain('createContainer');
  });
});
