// The dry-run engine against the in-memory fake: every Engine method is either forwarded (a read) or recorded
// and never forwarded (a write). The tables below are typed over `keyof Engine`, so a method added to the
// interface fails to compile here until it is classified and exercised, and the test checks at run time that
// the dry-run engine's methods are exactly the classified ones.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createDryRunEngine, ENGINE_METHODS, isDryRunEngine, type DryRunEngine } from '../../../src/engine/dry-run.js';
import { FakeEngine } from '../../../src/engine/fake/index.js';
import { spyEngine } from '../../helpers/engine-spy.js';
import type { ContainerCreateRequest, Engine } from '../../../src/engine/types.js';
import { Labels, projectFilter } from '../../../src/model/labels.js';
import { planLine, planText, recordedOps, type PlanOp } from '../../../src/ops/plan.js';
import { ContainerWatcher, conditions } from '../../../src/ops/watch.js';

type Method = keyof Engine;
/** A running container, one never started, an exec in the running one, the network. */
type Ids = { container: string; stopped: string; exec: string; network: string };

function request(name: string, extra: Partial<ContainerCreateRequest> = {}): ContainerCreateRequest {
  return { name, Image: 'busybox:latest', Labels: { [Labels.project]: 'p', [Labels.service]: name.split('-')[1] ?? name, [Labels.oneoff]: 'False' }, HostConfig: {}, ...extra };
}

/** A fake with a running container, a network, a volume, an image, an exec and a swarm service; and a log of every call that reaches it. */
async function world(): Promise<{ fake: FakeEngine; reached: Method[]; dry: DryRunEngine; ids: Ids }> {
  const fake = new FakeEngine({ images: ['busybox:latest'], pullAnything: true });
  const network = (await fake.createNetwork({ Name: 'p_default', Labels: { [Labels.project]: 'p' } })).id;
  await fake.createVolume({ Name: 'p_data', Labels: { [Labels.project]: 'p' } });
  const { id: container } = await fake.createContainer(request('p-web-1', { NetworkingConfig: { EndpointsConfig: { p_default: {} } } }));
  await fake.startContainer(container);
  const { id: stopped } = await fake.createContainer(request('p-db-1'));
  const exec = await fake.createExec(container, { Cmd: ['true'] });
  await fake.createService({ Name: 'p_web', Labels: { [Labels.project]: 'p' } });
  await fake.createSecret({ Name: 'p_s', Data: Buffer.from('x') });
  await fake.createConfig({ Name: 'p_c', Data: Buffer.from('x') });
  await fake.putArchive(container, '/etc', Buffer.alloc(1024));
  fake.addRemoteImage('busybox:latest');
  const { spy, reached } = spyEngine(fake);
  return { fake, reached, dry: createDryRunEngine(spy), ids: { container, stopped, exec, network } };
}

/** Drain what a method returns: promises, async iterables (events, logs), and process streams. */
async function settle(value: unknown): Promise<void> {
  const v = await value;
  if (v && typeof v === 'object' && Symbol.asyncIterator in v) for await (const _ of v as AsyncIterable<unknown>) void _;
  if (v && typeof v === 'object' && 'output' in v) for await (const _ of (v as { output: AsyncIterable<unknown> }).output) void _;
}

// One call of each method. A mapped type over keyof Engine: a new method of the interface must get a line here.
const CALLS: { readonly [K in Method]: (e: Engine, ids: Ids) => unknown } = {
  version: (e) => e.version(),
  info: (e) => e.info(),
  listContainers: (e) => e.listContainers({ all: true, labels: [projectFilter('p')] }),
  inspectContainer: (e, i) => e.inspectContainer(i.container),
  createContainer: (e) => e.createContainer(request('p-web-2')),
  startContainer: (e, i) => e.startContainer(i.container),
  stopContainer: (e, i) => e.stopContainer(i.container, 1),
  killContainer: (e, i) => e.killContainer(i.container, 'SIGKILL'),
  removeContainer: (e, i) => e.removeContainer(i.container, { force: true }),
  renameContainer: (e, i) => e.renameContainer(i.container, 'p-web-9'),
  containerLogs: (e, i) => e.containerLogs(i.container),
  listNetworks: (e) => e.listNetworks({ labels: [projectFilter('p')] }),
  inspectNetwork: (e) => e.inspectNetwork('p_default'),
  createNetwork: (e) => e.createNetwork({ Name: 'p_other' }),
  removeNetwork: (e) => e.removeNetwork('p_default'),
  connectNetwork: (e, i) => e.connectNetwork('p_default', i.container),
  listVolumes: (e) => e.listVolumes({ labels: [projectFilter('p')] }),
  inspectVolume: (e) => e.inspectVolume('p_data'),
  createVolume: (e) => e.createVolume({ Name: 'p_more' }),
  removeVolume: (e) => e.removeVolume('p_data'),
  removeImage: (e) => e.removeImage('busybox:latest'),
  inspectImage: (e) => e.inspectImage('busybox:latest'),
  pullImage: (e) => e.pullImage('busybox:latest'),
  buildImage: (e) => e.buildImage(Readable.from([Buffer.alloc(1024)]), { tags: ['p-app:latest'], dockerfile: 'Dockerfile' }),
  buildImageKit: (e) => e.buildImageKit!({ tags: ['p-app:latest'], dockerfile: 'Dockerfile', context: { files: {} }, dockerfileDir: { files: {} }, sessionName: 'p', sharedKey: 'k' }),
  pushImage: (e) => e.pushImage('busybox:latest'),
  tagImage: (e) => e.tagImage('busybox:latest', 'p-app:v2'),
  events: (e) => e.events({ labels: [projectFilter('p')] }),
  logStream: (e, i) => e.logStream(i.container, { follow: true }),
  attachContainer: (e, i) => e.attachContainer(i.container, { stdin: true }),
  resizeContainer: (e, i) => e.resizeContainer(i.container, { rows: 24, columns: 80 }),
  // one that is not running: the wait returns at once, so it is forwarded (a running one: see below)
  waitContainer: (e, i) => e.waitContainer(i.stopped),
  restartContainer: (e, i) => e.restartContainer(i.container),
  pauseContainer: (e, i) => e.pauseContainer(i.container),
  unpauseContainer: (e, i) => e.unpauseContainer(i.container),
  topContainer: (e, i) => e.topContainer(i.container),
  containerStats: (e, i) => e.containerStats(i.container),
  createExec: (e, i) => e.createExec(i.container, { Cmd: ['echo', 'hi'] }),
  startExec: (e, i) => e.startExec(i.exec, {}),
  resizeExec: (e, i) => e.resizeExec(i.exec, { rows: 24, columns: 80 }),
  inspectExec: (e, i) => e.inspectExec(i.exec),
  statPath: (e, i) => e.statPath(i.container, '/etc'),
  getArchive: (e, i) => e.getArchive(i.container, '/etc'),
  putArchive: (e, i) => e.putArchive(i.container, '/tmp', Buffer.alloc(1024)),
  distributionDigest: (e) => e.distributionDigest('busybox:latest'),
  exportContainer: (e, i) => e.exportContainer(i.container),
  commitContainer: (e, i) => e.commitContainer(i.container, { reference: 'p-snap:v1' }),
  swarmState: (e) => e.swarmState(),
  listServices: (e) => e.listServices({}),
  inspectService: (e) => e.inspectService('p_web'),
  createService: (e) => e.createService({ Name: 'p_new' }),
  updateService: (e) => e.updateService('p_web', 1, { Name: 'p_web' }),
  removeService: (e) => e.removeService('p_web'),
  listTasks: (e) => e.listTasks({}),
  listNodes: (e) => e.listNodes(),
  listSecrets: (e) => e.listSecrets({}),
  createSecret: (e) => e.createSecret({ Name: 'p_s2', Data: Buffer.from('x') }),
  removeSecret: (e) => e.removeSecret('p_s'),
  listConfigs: (e) => e.listConfigs({}),
  createConfig: (e) => e.createConfig({ Name: 'p_c2', Data: Buffer.from('x') }),
  removeConfig: (e) => e.removeConfig('p_c'),
};

const methods = Object.keys(ENGINE_METHODS) as Method[];
const writes = methods.filter((m) => ENGINE_METHODS[m] === 'write');
const reads = methods.filter((m) => ENGINE_METHODS[m] === 'read');

describe('dry-run engine', () => {
  it("classifies exactly the Engine methods the dry-run engine (and the fake) implement, and the test calls each", async () => {
    const { dry, fake } = await world();
    const implemented = (o: object) => Object.getOwnPropertyNames(Object.getPrototypeOf(o)).filter((k) => k !== 'constructor' && typeof (o as Record<string, unknown>)[k] === 'function');
    expect(implemented(dry).sort()).toEqual([...methods].sort());
    // buildImageKit is optional in Engine (the fake has no BuildKit); every other method the fake has too
    for (const m of methods) if (m !== 'buildImageKit') expect(typeof (fake as unknown as Record<string, unknown>)[m], m).toBe('function');
    expect(Object.keys(CALLS).sort()).toEqual([...methods].sort());
    expect(writes.length).toBeGreaterThan(30);
    expect(isDryRunEngine(dry)).toBe(true);
    expect(createDryRunEngine(dry)).toBe(dry);
  });

  it.each(writes)('%s is recorded and never reaches the engine', async (method) => {
    const { dry, reached, ids } = await world();
    await settle(CALLS[method](dry, ids));
    expect(reached.filter((m) => ENGINE_METHODS[m] === 'write')).toEqual([]);
    expect(dry.writes.map((w) => w.method)).toEqual([method]);
    expect(dry.writes[0].text).toMatch(/^[a-z]+ /);
  });

  it.each(reads)('%s is forwarded and sends no write', async (method) => {
    const { dry, reached, ids } = await world();
    await settle(CALLS[method](dry, ids));
    // events() ends at once without asking the engine: the dry run has nothing to wait for
    if (method !== 'events') expect(reached).toContain(method);
    expect(reached.filter((m) => ENGINE_METHODS[m] === 'write')).toEqual([]);
  });

  it('ends the reads that would stream or block forever', async () => {
    const { dry, ids, reached } = await world();
    await settle(dry.events({}));
    await settle(dry.logStream(ids.container, { follow: true }));
    await settle(dry.attachContainer(ids.container));
    // the container runs: the wait is a step of the plan, not a block
    expect(await dry.waitContainer(ids.container)).toEqual({ exitCode: 0 });
    expect(dry.writes.map((w) => w.text)).toEqual(['attach to container p-web-1', 'wait for container p-web-1 to stop']);
    expect(reached).not.toContain('waitContainer');
  });

  it("a wait never hangs on it: the dry run's own containers are done at once, a real one still pending fails", async () => {
    const { dry, ids } = await world();
    const watcher = new ContainerWatcher(dry, 'p');
    try {
      const { id } = await dry.createContainer(request('p-web-2'));
      await dry.startContainer(id);
      await watcher.waitFor(id, conditions.started());
      await watcher.waitFor(id, conditions.healthy());
      await watcher.waitFor(id, conditions.completedSuccessfully());
      // p-db-1 was created and never started: only an event could settle this, and the stream has ended
      await expect(watcher.waitFor(ids.stopped, conditions.started())).rejects.toThrow('the engine ended its event stream');
      await expect(watcher.waitFor(ids.container, conditions.completedSuccessfully())).rejects.toThrow('the engine ended its event stream');
    } finally {
      await watcher.close();
    }
  });

  it('keeps an overlay: what it created is read back, what it removed is gone, and the engine is unchanged', async () => {
    const { dry, fake, ids } = await world();
    const before = await fake.listContainers({ all: true });
    const { id } = await dry.createContainer(request('p-web-2', { NetworkingConfig: { EndpointsConfig: { p_default: {} } } }));
    await dry.startContainer(id);
    await dry.removeContainer(ids.container, { force: true });
    expect((await dry.listContainers({ labels: [projectFilter('p')] })).map((c) => c.name)).toEqual(['p-web-2']);
    expect((await dry.listContainers({ all: true, labels: [projectFilter('p')] })).map((c) => c.name)).toEqual(['p-db-1', 'p-web-2']);
    expect(await dry.inspectContainer(ids.container)).toBeUndefined();
    await dry.renameContainer(ids.stopped, 'p-db-9');
    await dry.startContainer(ids.stopped);
    expect((await dry.listContainers({ labels: [projectFilter('p')] })).map((c) => [c.name, c.state])).toEqual([['p-db-9', 'running'], ['p-web-2', 'running']]);
    expect(dry.writes.slice(-2).map((w) => w.text)).toEqual(['rename container p-db-1 to p-db-9', 'start container p-db-9']);
    expect(await dry.inspectContainer('p-web-2')).toMatchObject({ id, name: 'p-web-2' });
    await dry.createNetwork({ Name: 'p_new', Labels: { [Labels.project]: 'p' } });
    await dry.removeVolume('p_data');
    expect((await dry.listNetworks({ labels: [projectFilter('p')] })).map((n) => n.name).sort()).toEqual(['p_default', 'p_new']);
    expect(await dry.inspectVolume('p_data')).toBeUndefined();
    const built = await dry.buildImage(Readable.from([Buffer.alloc(10)]), { tags: ['p-app:v1'], dockerfile: 'Dockerfile' });
    expect(await dry.inspectImage('p-app:v1')).toMatchObject({ id: built.id });
    expect(await fake.inspectImage('p-app:v1')).toBeUndefined();
    expect(await fake.listContainers({ all: true })).toEqual(before);
    expect(await fake.inspectVolume('p_data')).toBeDefined();
    expect(await fake.inspectNetwork('p_new')).toBeUndefined();
  });

  it('records the edges: a write waits for the earlier writes on its objects and on what it uses', async () => {
    const { dry } = await world();
    await dry.createNetwork({ Name: 'q_net' });
    await dry.createVolume({ Name: 'q_vol' });
    await dry.buildImage(Readable.from([]), { tags: ['q-app:latest'], dockerfile: 'Dockerfile' });
    const { id } = await dry.createContainer({
      name: 'q-app-1',
      Image: 'q-app',
      HostConfig: { Mounts: [{ Type: 'volume', Source: 'q_vol', Target: '/data' }] },
      NetworkingConfig: { EndpointsConfig: { q_net: {} } },
    });
    await dry.startContainer(id);
    expect(dry.writes.map((w) => [w.id, w.text, w.after])).toEqual([
      ['1', 'create network q_net', []],
      ['2', 'create volume q_vol', []],
      ['3', 'build image q-app:latest', []],
      ['4', 'create container q-app-1', ['1', '2', '3']],
      ['5', 'start container q-app-1', ['4']],
    ]);
    const ops = recordedOps(dry.writes, 'run');
    expect(planText({ pulls: [], ops, kept: [], warnings: [] })).toBe(
      'create network q_net (run)\ncreate volume q_vol (run)\nbuild image q-app:latest (run)\ncreate container q-app-1 (run)\nstart container q-app-1 (run)\n',
    );
    expect(planText({ pulls: [], ops, kept: [], warnings: [] }, { edges: true }).split('\n')[3]).toBe(
      'create container q-app-1 (run) after: create network q_net, create volume q_vol, build image q-app:latest',
    );
    expect(planLine(ops[4], new Map(ops.map((o): [string, PlanOp] => [o.id, o])))).toBe('start container q-app-1 (run) after: create container q-app-1');
  });
});
