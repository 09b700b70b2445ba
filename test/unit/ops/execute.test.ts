import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/model/errors.js';
import { up } from '../../../src/ops/up.js';
import { fakeEngine, project } from './plan-helpers.js';

const independent = (n: number) => `services:\n${Array.from({ length: n }, (_, i) => `  s${i}:\n    image: busybox:local\n`).join('')}`;

describe('executing the plan', () => {
  it('runs at most --parallel engine operations at once', async () => {
    const engine = fakeEngine();
    let inFlight = 0;
    let peak = 0;
    const create = engine.createContainer.bind(engine);
    engine.createContainer = async (req) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return create(req);
    };
    await up(engine, await project(independent(8)), { parallel: 2 });
    expect(peak).toBe(2);
    const unbounded = fakeEngine();
    let peak2 = 0;
    let now2 = 0;
    const create2 = unbounded.createContainer.bind(unbounded);
    unbounded.createContainer = async (req) => {
      now2++;
      peak2 = Math.max(peak2, now2);
      await new Promise((r) => setTimeout(r, 5));
      now2--;
      return create2(req);
    };
    await up(unbounded, await project(independent(8)));
    expect(peak2).toBe(8);
  });

  it('onConverged: once, after every create and before the starts that wait on a dependency, with every container of the run', async () => {
    const engine = fakeEngine();
    const p = await project('services:\n  db:\n    image: busybox:local\n  api:\n    image: busybox:local\n    scale: 2\n    depends_on: [db]\n');
    const order: string[] = [];
    const create = engine.createContainer.bind(engine);
    engine.createContainer = async (req) => {
      order.push(`create ${req.name}`);
      return create(req);
    };
    const start = engine.startContainer.bind(engine);
    engine.startContainer = async (id) => {
      order.push(`start ${(await engine.inspectContainer(id))?.name}`);
      return start(id);
    };
    const seen: { service: string; name: string }[][] = [];
    await up(engine, p, { onConverged: (containers) => void (seen.push([...containers]), order.push('converged')) });
    expect(seen).toHaveLength(1);
    expect(seen[0].map((c) => `${c.service} ${c.name}`).sort()).toEqual(['api p-api-1', 'api p-api-2', 'db p-db-1']);
    const at = (step: string) => order.indexOf(step);
    for (const c of ['p-db-1', 'p-api-1', 'p-api-2']) expect(at(`create ${c}`)).toBeLessThan(at('converged'));
    // api's starts wait for db's: they come after the convergence
    expect(at('start p-api-1')).toBeGreaterThan(at('converged'));
    expect(at('start p-api-2')).toBeGreaterThan(at('converged'));

    // nothing to converge (all running): called once, before anything else
    const again: string[][] = [];
    await up(engine, p, { onConverged: (containers) => void again.push(containers.map((c) => c.name).sort()) });
    expect(again).toEqual([['p-api-1', 'p-api-2', 'p-db-1']]);
  });

  it('the first failure stops new work and names the failing service', async () => {
    const engine = fakeEngine();
    const p = await project('services:\n  db:\n    image: busybox:local\n  api:\n    image: busybox:local\n    depends_on: [db]\n');
    engine.failNext('startContainer', new EngineError('ENGINE_PORT_IN_USE', 'Bind for 127.0.0.1:8080 failed: port is already allocated'));
    await expect(up(engine, p)).rejects.toThrow(/service "db" \(container p-db-1\): Bind for 127.0.0.1:8080 failed/);
    // api was created (off the critical path) but never started
    expect(engine.callsTo('startContainer')).toHaveLength(1);
  });

  it('a dependency with required: false that fails does not stop its dependent', async () => {
    const engine = fakeEngine();
    const p = await project(
      'services:\n  opt:\n    image: busybox:local\n    command: ["false"]\n  app:\n    image: busybox:local\n    depends_on:\n      opt: { condition: service_completed_successfully, required: false }\n',
    );
    const start = engine.startContainer.bind(engine);
    engine.startContainer = async (id) => {
      await start(id);
      const c = await engine.inspectContainer(id);
      if (c?.name === 'p-opt-1') engine.exit(id, 1);
    };
    const events: string[] = [];
    await up(engine, p, { onEvent: (e) => e.type === 'resource' && events.push(`${e.name} ${e.text}`) });
    expect(events).toContain('p-opt-1 Error');
    expect(events).toContain('p-app-1 Started');
  });

  it('a required dependency that exits non-zero fails up, naming it', async () => {
    const engine = fakeEngine();
    const p = await project('services:\n  migrate:\n    image: busybox:local\n  app:\n    image: busybox:local\n    depends_on:\n      migrate: { condition: service_completed_successfully }\n');
    const start = engine.startContainer.bind(engine);
    engine.startContainer = async (id) => {
      await start(id);
      const c = await engine.inspectContainer(id);
      if (c?.name === 'p-migrate-1') engine.exit(id, 3);
    };
    await expect(up(engine, p)).rejects.toThrow(/dependency failed to start: container p-migrate-1 exited \(3\) \(service "migrate"\)/);
  });

  it('--wait counts a one-shot that exited 0 with restart "no" as done', async () => {
    const engine = fakeEngine();
    const p = await project('services:\n  once:\n    image: busybox:local\n  svc:\n    image: busybox:local\n');
    const start = engine.startContainer.bind(engine);
    engine.startContainer = async (id) => {
      await start(id);
      const c = await engine.inspectContainer(id);
      if (c?.name === 'p-once-1') engine.exit(id, 0);
    };
    await expect(up(engine, p, { wait: true })).resolves.toBeDefined();
  });
});
