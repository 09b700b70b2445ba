// ContainerWatcher (src/ops/watch.ts): waits driven by engine events, against the in-memory engine.
import { describe, expect, it } from 'vitest';
import { FakeEngine } from '../../../src/engine/fake/index.js';
import { Labels } from '../../../src/model/labels.js';
import { conditions, ContainerWatcher, engineTime } from '../../../src/ops/watch.js';

const PROJECT = 'cw';

async function container(engine: FakeEngine, healthcheck: boolean): Promise<string> {
  const { id } = await engine.createContainer({
    name: `${PROJECT}-db-1`,
    Image: 'busybox:local',
    Labels: { [Labels.project]: PROJECT, [Labels.service]: 'db', [Labels.oneoff]: 'False' },
    HostConfig: {},
    ...(healthcheck ? { Healthcheck: { Test: ['CMD', 'true'] } } : {}),
  });
  return id;
}

/** The healthy wait on the container is still pending a moment later, and resolves once it turns healthy. */
async function waitsUntilHealthy(engine: FakeEngine, watcher: ContainerWatcher, id: string): Promise<void> {
  try {
    const healthy = watcher.waitFor(id, conditions.healthy());
    let settled: string | undefined;
    healthy.then(() => (settled = 'ok'), (e: Error) => (settled = e.message));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBeUndefined();
    engine.setHealth(id, 'healthy');
    await healthy;
  } finally {
    await watcher.close();
  }
}

describe('ContainerWatcher', () => {
  it('a die replayed from before the container was started again does not fail the wait (stop, then start at once)', async () => {
    const engine = new FakeEngine({ images: ['busybox:local'] });
    const id = await container(engine, true);
    await engine.startContainer(id);
    await engine.stopContainer(id, 0);
    await engine.startContainer(id);
    // made after the new start: its replay (a second back) holds the stop's die, then the start
    const watcher = new ContainerWatcher(engine, PROJECT);
    await waitsUntilHealthy(engine, watcher, id);
  });

  it('a die after the state the inspect read still settles the wait', async () => {
    const engine = new FakeEngine({ images: ['busybox:local'] });
    const id = await container(engine, true);
    await engine.startContainer(id);
    const watcher = new ContainerWatcher(engine, PROJECT);
    try {
      const healthy = watcher.waitFor(id, conditions.healthy());
      await new Promise((r) => setTimeout(r, 20));
      await engine.stopContainer(id, 0);
      await expect(healthy).rejects.toThrow(/exited/);
    } finally {
      await watcher.close();
    }
  });

  it('engineTime reads RFC 3339 times to the nanosecond', () => {
    expect(engineTime('2026-12-05T13:40:01Z')).toBe(Date.parse('2026-12-05T13:40:01Z') * 1e6);
    expect(engineTime('2026-12-05T13:40:01.5Z') - engineTime('2026-12-05T13:40:01Z')).toBe(5e8);
    // (a double holds these to ~256 ns)
    expect(engineTime('2026-12-05T13:40:01.000001Z')).toBeGreaterThan(engineTime('2026-12-05T13:40:01Z'));
    expect(engineTime('2026-12-05T14:40:01+01:00')).toBe(engineTime('2026-12-05T13:40:01Z'));
    expect(engineTime(undefined)).toBe(-Infinity);
    expect(engineTime('nonsense')).toBe(-Infinity);
  });
});

describe('ContainerWatcher, a run after a healthy one', () => {
  it('the health of the run before a restart does not satisfy a wait on the new run', async () => {
    const engine = new FakeEngine({ images: ['busybox:local'] });
    const id = await container(engine, true);
    await engine.startContainer(id);
    engine.setHealth(id, 'healthy');
    await engine.stopContainer(id, 0);
    await engine.startContainer(id);
    // the replay holds: health_status: healthy (old run), die, start (new run); an inspect slower than the
    // replay (as on a busy engine) lets all three arrive while it is in flight
    const slow = new Proxy(engine, {
      get(target, key, receiver) {
        if (key === 'inspectContainer') return async (ref: string) => (await new Promise((r) => setTimeout(r, 30)), target.inspectContainer(ref));
        const v = Reflect.get(target, key, receiver) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const watcher = new ContainerWatcher(slow, PROJECT);
    await waitsUntilHealthy(engine, watcher, id);
  });
});

describe('ContainerWatcher, an inspect that fails', () => {
  it('fails the wait with the engine error, and leaves no waiter for close() to reject unheard', async () => {
    const engine = new FakeEngine({ images: ['busybox:local'] });
    const id = await container(engine, true);
    await engine.startContainer(id);
    const failing = new Proxy(engine, {
      get(target, key, receiver) {
        if (key === 'inspectContainer') return async () => Promise.reject(new Error('engine went away'));
        const v = Reflect.get(target, key, receiver) as unknown;
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const watcher = new ContainerWatcher(failing, PROJECT);
    try {
      await expect(watcher.waitFor(id, conditions.healthy())).rejects.toThrow('engine went away');
    } finally {
      await watcher.close();
      await new Promise((r) => setTimeout(r, 20));
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
