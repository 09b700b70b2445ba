import { describe, expect, it } from 'vitest';
import { buildGraph, dependencyOrder, findCycle, walk, withDependencies, withDependents } from '../../../src/graph/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('findCycle', () => {
  it('names the cycle path', () => {
    expect(findCycle({ a: ['b'], b: ['a'] })).toEqual(['a', 'b', 'a']);
    expect(findCycle({ a: ['b'], b: ['c'], c: ['b'], d: [] })).toEqual(['b', 'c', 'b']);
  });
  it('finds none in a DAG and ignores unknown targets', () => {
    expect(findCycle({ a: ['b', 'x'], b: ['c'], c: [] })).toBeUndefined();
  });
  it('finds a self loop', () => {
    expect(findCycle({ a: ['a'] })).toEqual(['a', 'a']);
  });
});

describe('closures', () => {
  const g = buildGraph({ web: ['api'], api: ['db'], db: [], cache: [] });
  it('withDependencies', () => expect([...withDependencies(g, ['web'])].sort()).toEqual(['api', 'db', 'web']));
  it('withDependents', () => expect([...withDependents(g, ['db'])].sort()).toEqual(['api', 'db', 'web']));
});

describe('dependencyOrder', () => {
  it('puts every service after its dependencies, and otherwise orders by name', () => {
    expect(dependencyOrder(buildGraph({ zeta: [], alpha: ['zeta', 'mid'], mid: [], beta: [] }))).toEqual(['mid', 'zeta', 'alpha', 'beta']);
    expect(dependencyOrder(buildGraph({ web: ['db'], db: [] }))).toEqual(['db', 'web']);
    // a chain declared backwards, and a dependency shared by two services: each listed once
    expect(dependencyOrder(buildGraph({ a: ['b'], b: ['c'], c: [], d: ['c'] }))).toEqual(['c', 'b', 'a', 'd']);
    expect(dependencyOrder(buildGraph({}))).toEqual([]);
  });
});

describe('walk', () => {
  it('visits dependencies first going up and dependents first going down', async () => {
    const g = buildGraph({ web: ['api'], api: ['db'], db: [] });
    const up: string[] = [];
    await walk(g, { direction: 'up', visit: async (n) => void up.push(n) });
    expect(up).toEqual(['db', 'api', 'web']);
    const down: string[] = [];
    await walk(g, { direction: 'down', visit: async (n) => void down.push(n) });
    expect(down).toEqual(['web', 'api', 'db']);
  });

  it('has no level barriers: a ready node starts while an unrelated slow branch runs', async () => {
    // slow ← a2 ; fast ← b2. b2 must start before slow finishes.
    const g = buildGraph({ slow: [], a2: ['slow'], fast: [], b2: ['fast'] });
    const log: string[] = [];
    await walk(g, {
      direction: 'up',
      visit: async (n) => {
        log.push(`start ${n}`);
        await sleep(n === 'slow' ? 60 : 5);
        log.push(`end ${n}`);
      },
    });
    expect(log.indexOf('start b2')).toBeLessThan(log.indexOf('end slow'));
    expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end slow'));
  });

  it('respects the concurrency bound', async () => {
    const g = buildGraph(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`s${i}`, []])));
    let now = 0;
    let max = 0;
    await walk(g, {
      direction: 'up',
      concurrency: 3,
      visit: async () => {
        now++;
        max = Math.max(max, now);
        await sleep(5);
        now--;
      },
    });
    expect(max).toBe(3);
  });

  it('stops new work on the first failure and throws it', async () => {
    const g = buildGraph({ a: [], b: ['a'], c: [] });
    const seen: string[] = [];
    await expect(
      walk(g, {
        direction: 'up',
        concurrency: 1,
        visit: async (n) => {
          seen.push(n);
          if (n === 'a') throw new Error('boom a');
        },
      }),
    ).rejects.toThrow('boom a');
    expect(seen).toEqual(['a']);
  });

  it('walks only the selected nodes, keeping their order', async () => {
    const g = buildGraph({ web: ['api'], api: ['db'], db: [], other: [] });
    const seen: string[] = [];
    await walk(g, { direction: 'up', only: new Set(['db', 'api']), visit: async (n) => void seen.push(n) });
    expect(seen).toEqual(['db', 'api']);
  });
});
