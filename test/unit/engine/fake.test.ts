import { describe, expect, it } from 'vitest';
import { createFakeEngine, FakeEngine } from '../../../src/engine/fake/index.js';
import type { ContainerCreateRequest, EngineEvent } from '../../../src/engine/types.js';
import { EngineError, ErrorCodes } from '../../../src/model/errors.js';
import { Labels, projectFilter } from '../../../src/model/labels.js';

function request(name: string, extra: Partial<ContainerCreateRequest> = {}): ContainerCreateRequest {
  return {
    name,
    Image: 'busybox',
    Labels: { [Labels.project]: 'p', [Labels.service]: name.split('-')[1] ?? name },
    HostConfig: {},
    ...extra,
  };
}

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EngineError);
  return err as EngineError;
}

/** Reads events until `count` have arrived. */
async function take(iterable: AsyncIterable<EngineEvent>, count: number): Promise<EngineEvent[]> {
  const out: EngineEvent[] = [];
  if (count === 0) return out;
  for await (const event of iterable) {
    out.push(event);
    if (out.length === count) break;
  }
  return out;
}

describe('FakeEngine', () => {
  it('creates, starts, stops and removes containers with engine-like state', async () => {
    const engine = createFakeEngine({ images: ['busybox:latest'] });
    expect(engine).toBeInstanceOf(FakeEngine);
    const { id } = await engine.createContainer(request('p-web-1', { Cmd: ['sleep', '1'], Env: ['A=1'] }));
    expect(id).toMatch(/^[0-9a-f]{64}$/);

    let inspect = await engine.inspectContainer('p-web-1');
    expect(inspect).toMatchObject({
      id,
      name: 'p-web-1',
      state: { status: 'created', running: false, exitCode: 0 },
      config: { image: 'busybox', env: ['A=1'], cmd: ['sleep', '1'] },
    });
    expect(inspect!.image).toMatch(/^sha256:/);
    expect(await engine.inspectContainer(id.slice(0, 12))).toMatchObject({ id });

    await engine.startContainer(id);
    await engine.startContainer(id); // idempotent, like the engine's 304
    inspect = await engine.inspectContainer(id);
    expect(inspect!.state).toMatchObject({ status: 'running', running: true });
    expect(inspect!.state.startedAt).toBeDefined();
    expect(inspect!.state.health).toBeUndefined();

    await engine.stopContainer(id, 10);
    await engine.stopContainer(id); // idempotent
    expect((await engine.inspectContainer(id))!.state).toMatchObject({ status: 'exited', running: false });

    await rejection(engine.removeContainer('nope')).then((e) => expect(e.code).toBe(ErrorCodes.ENGINE_NOT_FOUND));
    await engine.removeContainer(id);
    expect(await engine.inspectContainer(id)).toBeUndefined();
    expect((await rejection(engine.startContainer(id))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
  });

  it('refuses a name in use with ENGINE_CONFLICT naming the container', async () => {
    const engine = createFakeEngine({ images: ['busybox'] });
    await engine.createContainer(request('p-web-1'));
    const err = await rejection(engine.createContainer(request('p-web-1')));
    expect(err.code).toBe(ErrorCodes.ENGINE_CONFLICT);
    expect(err.message).toContain('"/p-web-1" is already in use');
  });

  it('refuses to create from a missing image with ENGINE_NOT_FOUND', async () => {
    const engine = createFakeEngine();
    const err = await rejection(engine.createContainer(request('p-web-1', { Image: 'nginx:1' })));
    expect(err).toMatchObject({ code: ErrorCodes.ENGINE_NOT_FOUND, message: 'No such image: nginx:1' });
  });

  it('filters lists by labels (key=value and bare key), names and the all flag', async () => {
    const engine = createFakeEngine({ images: ['busybox'] });
    const web = await engine.createContainer(request('p-web-1'));
    await engine.createContainer(request('p-db-1'));
    await engine.createContainer({ ...request('q-web-1'), Labels: { [Labels.project]: 'q' } });
    await engine.createContainer({ ...request('loose'), Labels: {} });
    await engine.startContainer(web.id);

    const names = async (filter: Parameters<FakeEngine['listContainers']>[0]) =>
      (await engine.listContainers(filter)).map((c) => c.name).sort();

    expect(await names({ labels: [projectFilter('p')] })).toEqual(['p-web-1']);
    expect(await names({ labels: [projectFilter('p')], all: true })).toEqual(['p-db-1', 'p-web-1']);
    expect(await names({ labels: [Labels.project], all: true })).toEqual(['p-db-1', 'p-web-1', 'q-web-1']);
    expect(await names({ labels: [projectFilter('p'), `${Labels.service}=db`], all: true })).toEqual(['p-db-1']);
    expect(await names({ all: true })).toEqual(['loose', 'p-db-1', 'p-web-1', 'q-web-1']);
    expect(await names({ names: ['p-web'], all: true })).toEqual([]);
    expect(await names({ names: ['p-web-1', 'loose'], all: true })).toEqual(['loose', 'p-web-1']);

    const [summary] = await engine.listContainers({ names: ['p-web-1'] });
    expect(summary).toMatchObject({ state: 'running', image: 'busybox', labels: { [Labels.service]: 'web' }, networks: ['bridge'] });
    expect(summary.status).toMatch(/^Up/);
  });

  it('renames containers, refusing a name in use', async () => {
    const engine = createFakeEngine({ images: ['busybox'] });
    const a = await engine.createContainer(request('p-web-1'));
    await engine.createContainer(request('p-web-2'));
    expect((await rejection(engine.renameContainer(a.id, 'p-web-2'))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
    await engine.renameContainer(a.id, 'p-web-1-old');
    expect(await engine.inspectContainer('p-web-1')).toBeUndefined();
    expect((await engine.inspectContainer('p-web-1-old'))!.id).toBe(a.id);
    // the freed name can be reused
    await engine.createContainer(request('p-web-1'));
  });

  it('refuses to remove a running container unless forced', async () => {
    const engine = createFakeEngine({ images: ['busybox'] });
    const { id } = await engine.createContainer(request('p-web-1'));
    await engine.startContainer(id);
    expect((await rejection(engine.removeContainer(id))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
    await engine.removeContainer(id, { force: true });
    expect(await engine.listContainers({ all: true })).toEqual([]);
  });

  it('kills running containers and refuses to kill stopped ones', async () => {
    const engine = createFakeEngine({ images: ['busybox'] });
    const { id } = await engine.createContainer(request('p-web-1'));
    expect((await rejection(engine.killContainer(id))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
    await engine.startContainer(id);
    await engine.killContainer(id, 'SIGKILL');
    expect((await engine.inspectContainer(id))!.state).toMatchObject({ status: 'exited', exitCode: 137 });
  });

  it('lets tests drive exits and health, mirroring engine 20.10 health on stop', async () => {
    const engine = createFakeEngine({ images: ['busybox'] });
    const { id } = await engine.createContainer(
      request('p-db-1', { Healthcheck: { Test: ['CMD', 'true'], Interval: 1_000_000_000 } }),
    );
    await engine.startContainer(id);
    expect((await engine.inspectContainer(id))!.state.health).toBe('starting');
    engine.setHealth(id, 'healthy');
    expect((await engine.inspectContainer(id))!.state.health).toBe('healthy');
    expect((await engine.listContainers({ names: ['p-db-1'] }))[0].status).toBe('Up (healthy)');
    engine.exit('p-db-1', 3);
    expect((await engine.inspectContainer(id))!.state).toMatchObject({
      status: 'exited',
      exitCode: 3,
      running: false,
      health: 'unhealthy',
    });
    await engine.startContainer(id);
    expect((await engine.inspectContainer(id))!.state).toMatchObject({ status: 'running', exitCode: 0, health: 'starting' });
    expect(() => engine.setHealth('nope', 'healthy')).toThrow(/no container nope/);
  });

  it('can make containers healthy on start by itself', async () => {
    const engine = createFakeEngine({ images: ['busybox'], autoHealthy: true });
    const { id } = await engine.createContainer(request('p-db-1', { Healthcheck: { Test: ['CMD', 'true'] } }));
    const events = engine.events({ labels: [projectFilter('p')], types: ['container'] });
    await engine.startContainer(id);
    // subscribed after create: only what follows arrives
    const seen = await take(events, 2);
    expect(seen.map((e) => e.action)).toEqual(['start', 'health_status: healthy']);
    expect((await engine.inspectContainer(id))!.state.health).toBe('healthy');
  });

  it('emits create, start, health_status, die and destroy to matching subscribers', async () => {
    const engine = createFakeEngine({ images: ['busybox'] });
    const controller = new AbortController();
    const project = engine.events({ labels: [projectFilter('p')], types: ['container'], signal: controller.signal });
    const other = engine.events({ labels: [projectFilter('q')], signal: controller.signal });

    const { id } = await engine.createContainer(
      request('p-db-1', { Healthcheck: { Test: ['CMD', 'true'] } }),
    );
    await engine.startContainer(id);
    engine.setHealth(id, 'healthy');
    engine.setHealth(id, 'healthy'); // no change, no event
    await engine.stopContainer(id);
    await engine.removeContainer(id);

    const seen = await take(project, 7);
    expect(seen.map((e) => e.action)).toEqual([
      'create',
      'start',
      'health_status: healthy',
      'kill',
      'die',
      'stop',
      'destroy',
    ]);
    expect(seen.every((e) => e.type === 'container' && e.id === id)).toBe(true);
    expect(seen[0].attributes).toMatchObject({ name: 'p-db-1', image: 'busybox', [Labels.project]: 'p' });
    expect(seen[4].attributes.exitCode).toBe('0');
    for (let i = 1; i < seen.length; i++) expect(seen[i].timeNano).toBeGreaterThan(seen[i - 1].timeNano);

    // nothing for q: the iteration just ends when the signal aborts
    const pending = take(other, 1);
    controller.abort();
    expect(await pending).toEqual([]);
    expect(engine.subscriberCount).toBe(0);
  });

  it('ends an event iteration on abort while a next() is pending, and unsubscribes on break', async () => {
    const engine = createFakeEngine({ images: ['busybox'] });
    const controller = new AbortController();
    const iterator = engine.events({ signal: controller.signal })[Symbol.asyncIterator]();
    const pending = iterator.next();
    controller.abort();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });

    const events = engine.events({ types: ['container'] });
    expect(engine.subscriberCount).toBe(1);
    await engine.createContainer(request('p-web-1'));
    await take(events, 1); // breaks out of for-await, which calls return()
    expect(engine.subscriberCount).toBe(0);

    const aborted = new AbortController();
    aborted.abort();
    expect(await take(engine.events({ signal: aborted.signal }), 1)).toEqual([]);
  });

  it('replays earlier events from `since`', async () => {
    const engine = createFakeEngine({ images: ['busybox'] });
    await engine.createContainer(request('p-old-1'));
    await new Promise((r) => setTimeout(r, 5));
    // how a caller takes it: seconds, before the actions whose events it must not miss
    const since = Date.now() / 1000;
    const { id } = await engine.createContainer(request('p-web-1'));
    await engine.startContainer(id);
    const controller = new AbortController();
    const seen = await take(engine.events({ since, types: ['container'], signal: controller.signal }), 2);
    expect(seen.map((e) => [e.action, e.attributes.name])).toEqual([
      ['create', 'p-web-1'],
      ['start', 'p-web-1'],
    ]);
    controller.abort();
  });

  it('manages networks: builtins, labels, conflicts, attachments, removal rules', async () => {
    const engine = createFakeEngine({ images: ['busybox'] });
    expect((await engine.listNetworks({})).map((n) => n.name)).toEqual(['bridge', 'host', 'none']);
    const labels = { [Labels.project]: 'p', [Labels.network]: 'default' };
    const { id: netId } = await engine.createNetwork({ Name: 'p_default', Driver: 'bridge', Labels: labels });
    expect((await rejection(engine.createNetwork({ Name: 'p_default' }))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
    await engine.createNetwork({ Name: 'p_back', Labels: { [Labels.project]: 'p' } });
    expect((await engine.listNetworks({ labels: [projectFilter('p')] })).map((n) => n.name)).toEqual([
      'p_default',
      'p_back',
    ]);
    expect(await engine.listNetworks({ labels: [`${Labels.network}=default`] })).toEqual([
      { id: netId, name: 'p_default', driver: 'bridge', labels },
    ]);
    expect(await engine.listNetworks({ names: ['p_'] })).toEqual([]);

    const { id } = await engine.createContainer(
      request('p-web-1', {
        HostConfig: { NetworkMode: 'p_default' },
        NetworkingConfig: { EndpointsConfig: { p_default: { Aliases: ['web'] } } },
      }),
    );
    await engine.connectNetwork('p_back', id, { Aliases: ['web-back'] });
    expect((await rejection(engine.connectNetwork('p_nope', id))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
    expect((await rejection(engine.connectNetwork('p_back', 'nope'))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);

    const inspect = await engine.inspectContainer(id);
    expect(inspect!.networks).toEqual({
      p_default: { aliases: ['web'], networkId: netId },
      p_back: { aliases: ['web-back'], networkId: expect.any(String) },
    });
    await engine.startContainer(id);
    // a second connect is a conflict once the container runs (a stopped one only has its config rewritten)
    expect((await rejection(engine.connectNetwork('p_back', id))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
    expect((await engine.inspectContainer(id))!.networks.p_default.ipAddress).toMatch(/^172\./);
    expect(await engine.inspectNetwork('p_default')).toMatchObject({ id: netId, containers: [id] });
    expect(await engine.inspectNetwork(netId)).toMatchObject({ name: 'p_default' });
    expect(await engine.inspectNetwork('nope')).toBeUndefined();

    expect((await rejection(engine.removeNetwork('p_default'))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
    await engine.removeContainer(id, { force: true });
    await engine.removeNetwork('p_default');
    expect(await engine.inspectNetwork('p_default')).toBeUndefined();
    expect((await rejection(engine.removeNetwork('p_default'))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
    expect((await rejection(engine.removeNetwork('bridge'))).code).toBe(ErrorCodes.ENGINE_FAILED);
    // engine 20.10 looks the network up at start, not at create
    const { id: lost } = await engine.createContainer(request('p-x-1', { HostConfig: { NetworkMode: 'gone' } }));
    expect((await rejection(engine.startContainer(lost))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
  });

  it('manages volumes: labels, idempotent create, in-use protection, implicit creation by mounts', async () => {
    const engine = createFakeEngine({ images: ['busybox'] });
    const labels = { [Labels.project]: 'p', [Labels.volume]: 'data' };
    expect(await engine.createVolume({ Name: 'p_data', Labels: labels })).toMatchObject({
      name: 'p_data',
      driver: 'local',
      labels,
    });
    // existing name: the existing volume comes back unchanged
    expect((await engine.createVolume({ Name: 'p_data', Labels: { other: 'x' } })).labels).toEqual(labels);
    const { id } = await engine.createContainer(
      request('p-db-1', {
        HostConfig: { Mounts: [{ Type: 'volume', Source: 'p_data', Target: '/data' }], Binds: ['implicit:/x', '/host:/y'] },
      }),
    );
    expect((await engine.inspectContainer(id))!.mounts).toEqual([
      { type: 'volume', name: 'p_data', destination: '/data' },
      { type: 'volume', name: 'implicit', destination: '/x' },
      { type: 'bind', source: '/host', destination: '/y' },
    ]);
    expect(await engine.inspectVolume('implicit')).toMatchObject({ name: 'implicit', labels: {} });
    expect((await engine.listVolumes({ labels: [projectFilter('p')] })).map((v) => v.name)).toEqual(['p_data']);
    expect((await engine.listVolumes({ names: ['implicit'] })).map((v) => v.name)).toEqual(['implicit']);

    expect((await rejection(engine.removeVolume('p_data'))).code).toBe(ErrorCodes.ENGINE_CONFLICT);
    await engine.removeContainer(id);
    await engine.removeVolume('p_data');
    expect(await engine.inspectVolume('p_data')).toBeUndefined();
    expect((await rejection(engine.removeVolume('p_data'))).code).toBe(ErrorCodes.ENGINE_NOT_FOUND);
    await engine.removeVolume('p_data', { force: true });
  });

  it('detects host port clashes between running containers', async () => {
    const engine = createFakeEngine({ images: ['busybox'] });
    const ports = { PortBindings: { '80/tcp': [{ HostPort: '8080' }] } };
    const a = await engine.createContainer(request('p-a-1', { HostConfig: ports }));
    const b = await engine.createContainer(request('p-b-1', { HostConfig: ports }));
    await engine.startContainer(a.id);
    const err = await rejection(engine.startContainer(b.id));
    expect(err.code).toBe(ErrorCodes.ENGINE_PORT_IN_USE);
    expect(err.message).toContain('8080');
    expect((await engine.inspectContainer(b.id))!.state.status).toBe('created');
    expect((await engine.listContainers({ names: ['p-a-1'] }))[0].ports).toEqual([
      { privatePort: 80, publicPort: 8080, ip: '0.0.0.0', type: 'tcp' },
    ]);
    await engine.stopContainer(a.id);
    await engine.startContainer(b.id);
  });

  it('inspects seeded images by tag and id, and pulls only what the registry has', async () => {
    const engine = createFakeEngine({ images: ['busybox:local'], remoteImages: ['redis:7'] });
    const busybox = await engine.inspectImage('busybox:local');
    expect(busybox).toMatchObject({ repoTags: ['busybox:local'] });
    expect(await engine.inspectImage(busybox!.id)).toEqual(busybox);
    expect(await engine.inspectImage('busybox')).toBeUndefined(); // :latest is another tag

    const id = engine.addImage('docker.io/library/alpine');
    expect(await engine.inspectImage('alpine:latest')).toMatchObject({ id, repoTags: ['alpine:latest'] });

    expect(await engine.inspectImage('redis:7')).toBeUndefined();
    const progress: string[] = [];
    await engine.pullImage('redis:7', (line) => progress.push(line.status));
    expect(progress.at(-1)).toBe('Status: Downloaded newer image for redis:7');
    expect(await engine.inspectImage('redis:7')).toBeDefined();

    const err = await rejection(engine.pullImage('nginx'));
    expect(err.code).toBe(ErrorCodes.IMAGE_NOT_FOUND);
    await createFakeEngine({ pullAnything: true }).pullImage('anything:1');
  });

  it('returns logs added by tests, honouring tail', async () => {
    const engine = createFakeEngine({ images: ['busybox'] });
    const { id } = await engine.createContainer(request('p-web-1'));
    engine.addLogs(id, 'one', 'two\n', 'three');
    expect(await engine.containerLogs(id)).toBe('one\ntwo\nthree\n');
    expect(await engine.containerLogs(id, { tail: 2 })).toBe('two\nthree\n');
    expect(await engine.containerLogs(id, { tail: 0 })).toBe('');
    expect(await engine.containerLogs(id, { tail: 'all' })).toBe('one\ntwo\nthree\n');
  });

  it('records calls and injects failures', async () => {
    const engine = createFakeEngine({ images: ['busybox'] });
    await engine.version();
    const { id } = await engine.createContainer(request('p-web-1'));
    await engine.startContainer(id);
    expect(engine.methodsCalled).toEqual(['version', 'createContainer', 'startContainer']);
    expect(engine.callsTo('startContainer')).toEqual([{ method: 'startContainer', args: [id] }]);
    expect(engine.calls[1].args[0]).toMatchObject({ name: 'p-web-1' });

    engine.clearCalls();
    const boom = new EngineError(ErrorCodes.ENGINE_FAILED, 'boom');
    engine.failNext('stopContainer', boom);
    await expect(engine.stopContainer(id)).rejects.toBe(boom);
    await engine.stopContainer(id); // only the next call failed
    expect(engine.methodsCalled).toEqual(['stopContainer', 'stopContainer']);

    engine.failNext('events', boom);
    const iterable = engine.events({});
    await expect(iterable[Symbol.asyncIterator]().next()).rejects.toBe(boom);
  });

  it('reports a 20.10 version', async () => {
    expect(await createFakeEngine().version()).toEqual({ version: '20.10.24', apiVersion: '1.41' });
    expect(await createFakeEngine({ version: { version: '27.0.0', apiVersion: '1.46' } }).version()).toEqual({
      version: '27.0.0',
      apiVersion: '1.46',
    });
  });
});
