// Which images up asks the engine about: a reference some container of the project is listed under is known
// from the container list (the engine lists a container by its reference only while that still names the
// image it runs), so a no-op `up` inspects no image; every other reference is inspected as before.
import { describe, expect, it } from 'vitest';
import { observe } from '../../../src/ops/observe.js';
import { up } from '../../../src/ops/up.js';
import { fakeEngine, plan, project } from './plan-helpers.js';

const inspected = (e: ReturnType<typeof fakeEngine>) => e.callsTo('inspectImage').map((c) => c.args[0]);

describe('images known from the container list', () => {
  it('a running project: no image inspect, and the ids are those the containers run', async () => {
    const engine = fakeEngine();
    const p = await project('services:\n  a:\n    image: busybox:local\n  b:\n    image: busybox:other\n  c:\n    image: busybox:local\n');
    await up(engine, p);
    engine.clearCalls();
    const observed = await observe(engine, p, Object.keys(p.services));
    expect(inspected(engine)).toEqual([]);
    expect(observed.images['busybox:local']?.id).toBe((await engine.inspectImage('busybox:local'))!.id);
    expect(observed.images['busybox:other']?.id).toBe((await engine.inspectImage('busybox:other'))!.id);
    expect(await plan(engine, p)).toBe('keep network p_default (exists)\nkeep container p-a-1 (up to date)\nkeep container p-b-1 (up to date)\nkeep container p-c-1 (up to date)\n');
  });

  it('a reference that moved to another image is inspected, and its services are recreated', async () => {
    const engine = fakeEngine();
    const p = await project('services:\n  a:\n    image: busybox:local\n  b:\n    image: busybox:other\n');
    await up(engine, p);
    engine.addImage('busybox:other', `sha256:${'e'.repeat(64)}`);
    engine.clearCalls();
    const observed = await observe(engine, p, Object.keys(p.services));
    expect(inspected(engine)).toEqual(['busybox:other']);
    expect(observed.images['busybox:other']?.id).toBe(`sha256:${'e'.repeat(64)}`);
    expect(await plan(engine, p)).toMatch(/\(recreate: image changed\)/);
  });

  it('a reference that is gone is inspected, and found missing', async () => {
    const engine = fakeEngine();
    const p = await project('services:\n  a:\n    image: busybox:other\n');
    await up(engine, p);
    await engine.removeImage('busybox:other');
    engine.clearCalls();
    const observed = await observe(engine, p, Object.keys(p.services));
    expect(inspected(engine)).toEqual(['busybox:other']);
    expect(observed.images['busybox:other']).toBeUndefined();
  });

  it('a service without a container yet, and one whose pull_policy judges the image by age, are inspected', async () => {
    const engine = fakeEngine();
    const first = await project('services:\n  a:\n    image: busybox:local\n  b:\n    image: busybox:other\n    pull_policy: daily\n');
    await up(engine, first);
    const p = await project('services:\n  a:\n    image: busybox:local\n  b:\n    image: busybox:other\n    pull_policy: daily\n  n:\n    image: busybox:new\n');
    engine.addImage('busybox:new');
    engine.clearCalls();
    const observed = await observe(engine, p, Object.keys(p.services));
    expect(inspected(engine).sort()).toEqual(['busybox:new', 'busybox:other']);
    // the age is the engine's record: only an inspect has it
    expect(observed.images['busybox:other']?.lastTagTime).toBeTypeOf('number');
  });
});
