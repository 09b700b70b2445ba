// The read-only engine (the CLI's fast attempt at `up` runs against it, src/cli/fast-up.ts): every write is
// refused before it reaches the engine, the first refusal is reported, and reads are the real engine's answers.
import { describe, expect, it } from 'vitest';
import { ENGINE_METHODS } from '../../../src/engine/methods.js';
import { createReadOnlyEngine, WriteRefusedError } from '../../../src/engine/read-only.js';
import { FakeEngine } from '../../../src/engine/fake/index.js';
import { spyEngine } from '../../helpers/engine-spy.js';
import type { Engine } from '../../../src/engine/types.js';
import { Labels, projectFilter } from '../../../src/model/labels.js';

type Method = keyof Engine;

async function world(): Promise<{ fake: FakeEngine; reached: Method[]; container: string }> {
  const fake = new FakeEngine({ images: ['busybox:latest'] });
  await fake.createNetwork({ Name: 'p_default', Labels: { [Labels.project]: 'p' } });
  const { id: container } = await fake.createContainer({ name: 'p-web-1', Image: 'busybox:latest', Labels: { [Labels.project]: 'p', [Labels.service]: 'web' }, HostConfig: {} });
  await fake.startContainer(container);
  const { spy, reached } = spyEngine(fake);
  return { fake: spy, reached, container };
}

const methods = Object.keys(ENGINE_METHODS) as Method[];
const writes = methods.filter((m) => ENGINE_METHODS[m] === 'write');

describe('read-only engine', () => {
  it('has every Engine method', async () => {
    const ro = createReadOnlyEngine((await world()).fake) as unknown as Record<string, unknown>;
    for (const m of methods) expect(typeof ro[m], m).toBe('function');
  });

  it.each(writes)('%s is refused, reported, and never reaches the engine', async (method) => {
    const { fake, reached } = await world();
    const refused: Method[] = [];
    const ro = createReadOnlyEngine(fake, (m) => refused.push(m));
    const call = (ro[method] as (...a: unknown[]) => Promise<unknown>)('anything', {});
    await expect(call).rejects.toBeInstanceOf(WriteRefusedError);
    await expect(call).rejects.toMatchObject({ method, name: 'WriteRefusedError' });
    expect(refused).toEqual([method]);
    expect(reached).toEqual([]);
  });

  it('forwards reads and answers with the engine\'s own results', async () => {
    const { fake, reached, container } = await world();
    const refused: Method[] = [];
    const ro = createReadOnlyEngine(fake, (m) => refused.push(m));
    const filter = { labels: [projectFilter('p')] };
    expect(await ro.listContainers({ ...filter, all: true })).toEqual(await fake.listContainers({ ...filter, all: true }));
    expect((await ro.inspectContainer(container))?.state.running).toBe(true);
    expect((await ro.listNetworks(filter)).map((n) => n.name)).toEqual(['p_default']);
    expect(reached.filter((m) => ENGINE_METHODS[m] === 'write')).toEqual([]);
    expect(reached).toContain('inspectContainer');
    expect(refused).toEqual([]);
    // a write after reads: still refused, and the container still runs
    await expect(ro.stopContainer(container, 1)).rejects.toBeInstanceOf(WriteRefusedError);
    expect((await fake.inspectContainer(container))?.state.running).toBe(true);
  });
});
