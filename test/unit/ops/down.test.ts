import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/model/errors.js';
import { down, LEAK_WAIT_MS } from '../../../src/ops/down.js';
import { up } from '../../../src/ops/up.js';
import { fakeEngine, project } from './plan-helpers.js';

describe('down and the network endpoint race', () => {
  it('retries a network that still lists the containers it just removed (20.10\'s race), then removes it', async () => {
    const engine = fakeEngine();
    const p = await project('services:\n  a:\n    image: busybox:local\n');
    await up(engine, p);
    const ours = (await engine.inspectContainer('p-a-1'))!.id;
    engine.failNext('removeNetwork', new EngineError('ENGINE_CONFLICT', 'error while removing network: network p_default id x has active endpoints'));
    // as 20.10 does for a moment: the container just removed is still listed on the network
    const inspect = engine.inspectNetwork.bind(engine);
    engine.inspectNetwork = async (name) => {
      const n = await inspect(name);
      return n && { ...n, containers: [...(n.containers ?? []), ours] };
    };
    const events: string[] = [];
    const r = await down(engine, 'p', p, { onEvent: (e) => e.type === 'resource' && events.push(`${e.name} ${e.text}`) });
    expect(r.removedNetworks).toEqual(['p_default']);
    expect(events).toContain('p_default Removed');
    expect(engine.callsTo('removeNetwork')).toHaveLength(2);
    expect(await engine.inspectNetwork('p_default')).toBeUndefined();
  });

  it('keeps a network another container still uses, at once, with a warning', async () => {
    const engine = fakeEngine();
    const p = await project('services:\n  a:\n    image: busybox:local\n');
    await up(engine, p);
    const stranger = await engine.createContainer({ name: 'stranger', Image: 'busybox:local', HostConfig: { NetworkMode: 'p_default' }, NetworkingConfig: { EndpointsConfig: { p_default: {} } } });
    // running: only a running container holds an endpoint (a created one does not keep the network)
    await engine.startContainer(stranger.id);
    const events: string[] = [];
    await down(engine, 'p', p, { onEvent: (e) => e.type === 'resource' && events.push(`${e.name} ${e.text}`) });
    expect(events).toContain('p_default Resource is still in use');
    expect(engine.callsTo('removeNetwork')).toHaveLength(1);
    expect(await engine.inspectNetwork('p_default')).toBeDefined();
  });

  it('gives up soon on a network whose endpoint count leaked (nothing listed, removal always refused), and says so', async () => {
    const engine = fakeEngine();
    const p = await project('services:\n  a:\n    image: busybox:local\n');
    await up(engine, p);
    let attempts = 0;
    engine.removeNetwork = async () => {
      attempts++;
      throw new EngineError('ENGINE_CONFLICT', 'error while removing network: network p_default id x has active endpoints');
    };
    const events: string[] = [];
    const t0 = Date.now();
    await down(engine, 'p', p, { onEvent: (e) => e.type === 'resource' && e.kind === 'network' && events.push(`${e.name} ${e.text} ${e.detail ?? ''}`) });
    const took = Date.now() - t0;
    expect(attempts).toBeGreaterThan(1);
    expect(took).toBeGreaterThanOrEqual(LEAK_WAIT_MS);
    expect(took).toBeLessThan(LEAK_WAIT_MS + 1500);
    expect(events.at(-1)).toMatch(/^p_default Resource is still in use .*restarting the Docker daemon/);
  });

  it('stops a dependency once its dependents are stopped, without waiting for their removal', async () => {
    const engine = fakeEngine();
    const p = await project('services:\n  db:\n    image: busybox:local\n  web:\n    image: busybox:local\n    depends_on: [db]\n');
    await up(engine, p);
    const log: string[] = [];
    const stop = engine.stopContainer.bind(engine);
    const remove = engine.removeContainer.bind(engine);
    const name = async (id: string) => (await engine.inspectContainer(id))?.name ?? id;
    engine.stopContainer = async (id, t) => {
      log.push(`stop ${await name(id)}`);
      return stop(id, t);
    };
    engine.removeContainer = async (id, o) => {
      const n = await name(id);
      await new Promise((r) => setTimeout(r, 50));
      log.push(`removed ${n}`);
      return remove(id, o);
    };
    await down(engine, 'p', p, {});
    expect(log.indexOf('stop p-web-1')).toBeLessThan(log.indexOf('stop p-db-1'));
    expect(log.indexOf('stop p-db-1')).toBeLessThan(log.indexOf('removed p-web-1'));
    expect(await engine.inspectContainer('p-web-1')).toBeUndefined();
    expect(await engine.inspectContainer('p-db-1')).toBeUndefined();
  });

  it('with --parallel, removes within the walk (bounded), dependents first', async () => {
    const engine = fakeEngine();
    const p = await project('services:\n  db:\n    image: busybox:local\n  web:\n    image: busybox:local\n    depends_on: [db]\n');
    await up(engine, p);
    await down(engine, 'p', p, { parallel: 1 });
    const calls = engine.calls.filter((c) => c.method === 'stopContainer' || c.method === 'removeContainer').map((c) => c.method);
    expect(calls).toEqual(['stopContainer', 'removeContainer', 'stopContainer', 'removeContainer']);
  });
});
