// up's container starts in flight: SLOTS_PER_CPU per engine CPU without --parallel, the user's bound with it.
import { describe, expect, it } from 'vitest';
import { FakeEngine } from '../../../src/engine/fake/index.js';
import { EngineError, ErrorCodes } from '../../../src/model/errors.js';
import { engineSlots, SLOTS_PER_CPU } from '../../../src/ops/slots.js';
import { up } from '../../../src/ops/up.js';
import { project } from './plan-helpers.js';

/** A fake engine whose starts take a while, counting how many run at once. */
class SlowStarts extends FakeEngine {
  running = 0;
  most = 0;
  constructor(cpus: number, private readonly failInfo = false) {
    super({ images: ['busybox:local'], cpus });
  }
  override async info() {
    if (this.failInfo) throw new Error('no /info here');
    return super.info();
  }
  override async startContainer(id: string): Promise<void> {
    this.running++;
    this.most = Math.max(this.most, this.running);
    await new Promise((r) => setTimeout(r, 5));
    try {
      await super.startContainer(id);
    } finally {
      this.running--;
    }
  }
}

const services = (n: number) => `services:\n${Array.from({ length: n }, (_, i) => `  s${i}:\n    image: busybox:local\n`).join('')}`;

describe('starts in flight during up', () => {
  it('without --parallel: SLOTS_PER_CPU per CPU the engine reports', async () => {
    const engine = new SlowStarts(2);
    await up(engine, await project(services(20)));
    expect(engine.callsTo('startContainer')).toHaveLength(20);
    expect(engine.callsTo('info')).toHaveLength(1);
    expect(engine.most).toBe(2 * SLOTS_PER_CPU);
  });

  it('follows the engine: more CPUs, more starts at once', async () => {
    const engine = new SlowStarts(4);
    await up(engine, await project(services(20)));
    expect(engine.most).toBe(4 * SLOTS_PER_CPU);
  });

  it('with --parallel, only the user\'s bound (as compose), and the engine is not asked', async () => {
    const engine = new SlowStarts(1);
    await up(engine, await project(services(20)), { parallel: 10 });
    expect(engine.callsTo('info')).toHaveLength(0);
    expect(engine.most).toBeGreaterThan(SLOTS_PER_CPU);
    expect(engine.most).toBeLessThanOrEqual(10);
  });

  it('few starts: no bound needed, the engine is not asked', async () => {
    const engine = new SlowStarts(1);
    await up(engine, await project(services(SLOTS_PER_CPU)));
    expect(engine.callsTo('info')).toHaveLength(0);
    expect(engine.most).toBe(SLOTS_PER_CPU);
  });

  it('after a failed start, starts still waiting for a slot do not begin; the error names the service', async () => {
    const engine = new SlowStarts(1);
    engine.failNext('startContainer', new EngineError(ErrorCodes.ENGINE_PORT_IN_USE, 'port is already allocated'));
    const failure = await up(engine, await project(services(20))).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(String(failure)).toMatch(/port is already allocated/);
    expect(String(failure)).toMatch(/service "s0"/);
    // the failed one and the others already in flight: one CPU's worth of slots, not all 20
    expect(engine.callsTo('startContainer').length).toBeLessThanOrEqual(SLOTS_PER_CPU + 1);
    expect(engine.callsTo('createContainer')).toHaveLength(20);
  });

  it('after an abort (Ctrl-C), starts still waiting for a slot do not begin', async () => {
    const engine = new SlowStarts(1);
    const ac = new AbortController();
    const started = engine.startContainer.bind(engine);
    engine.startContainer = async (id: string) => {
      ac.abort(new Error('interrupted'));
      return started(id);
    };
    await expect(up(engine, await project(services(20)), { signal: ac.signal })).rejects.toThrow();
    expect(engine.callsTo('startContainer').length).toBeLessThanOrEqual(SLOTS_PER_CPU);
  });

  it('an engine that cannot say how many CPUs it has gets every start at once', async () => {
    const engine = new SlowStarts(1, true);
    await up(engine, await project(services(20)));
    expect(engine.callsTo('startContainer')).toHaveLength(20);
    expect(engine.most).toBeGreaterThan(SLOTS_PER_CPU);
  });
});

describe('engineSlots', () => {
  it('passes results and errors through', async () => {
    const slots = engineSlots(new FakeEngine({ cpus: 1 }), 10, undefined);
    await expect(slots(async () => 42)).resolves.toBe(42);
    await expect(slots(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
