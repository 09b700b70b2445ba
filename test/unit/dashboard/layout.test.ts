import { describe, expect, it } from 'vitest';
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH } from '../../../src/dashboard/layout.js';

const place = (l: ReturnType<typeof layoutGraph>) => Object.fromEntries(l.nodes.map((n) => [n.id, [n.layer, n.row]]));

describe('dashboard graph layout', () => {
  it('puts dependencies left of their dependents, one column per depth', () => {
    const l = layoutGraph(['web', 'db', 'cache', 'worker'], [
      { from: 'web', to: 'db', condition: 'service_healthy' },
      { from: 'web', to: 'cache', condition: 'service_started' },
      { from: 'worker', to: 'web', condition: 'service_started' },
    ]);
    expect(place(l)).toEqual({ cache: [0, 0], db: [0, 1], web: [1, 0], worker: [2, 0] });
    // golden coordinates: 16 px padding, 150×40 nodes, 90 px between columns, 24 px between rows
    expect(l.nodes.find((n) => n.id === 'db')).toMatchObject({ x: 16, y: 16 + NODE_HEIGHT + 24, width: NODE_WIDTH, height: NODE_HEIGHT });
    expect(l.nodes.find((n) => n.id === 'worker')).toMatchObject({ x: 16 + 2 * (150 + 90), y: 16 });
    expect(l.width).toBe(2 * 16 + 3 * 150 + 2 * 90);
    expect(l.height).toBe(2 * 16 + 2 * 40 + 24);
    expect(l.edges.map((e) => `${e.from}->${e.to}`)).toEqual(['web->cache', 'web->db', 'worker->web']);
    const webDb = l.edges.find((e) => e.to === 'db')!;
    expect(webDb).toMatchObject({ x1: 16 + 240, y1: 16 + 20, x2: 16 + 150, y2: 16 + 64 + 20, condition: 'service_healthy' });
    expect(webDb.detourY).toBeUndefined();
  });

  it('routes an edge that skips a column below the nodes, and grows the picture for it', () => {
    const l = layoutGraph(['a', 'b', 'c'], [
      { from: 'b', to: 'a', condition: 'service_started' },
      { from: 'c', to: 'b', condition: 'service_started' },
      { from: 'c', to: 'a', condition: 'service_completed_successfully' },
    ]);
    expect(place(l)).toEqual({ a: [0, 0], b: [1, 0], c: [2, 0] });
    const long = l.edges.find((e) => e.from === 'c' && e.to === 'a')!;
    expect(long.detourY).toBe(16 + 40 + 18);
    expect(l.height).toBe(16 + 40 + 16 + 18);
    expect(l.edges.filter((e) => e.detourY !== undefined)).toHaveLength(1);
  });

  it('orders rows by the mean row of the dependencies, ties by name, whatever the input order', () => {
    const edges = [
      { from: 'x', to: 'b', condition: 'service_started' },
      { from: 'y', to: 'a', condition: 'service_started' },
    ];
    const one = layoutGraph(['x', 'y', 'a', 'b'], edges);
    const two = layoutGraph(['b', 'a', 'y', 'x'], [...edges].reverse());
    expect(one).toEqual(two);
    expect(place(one)).toEqual({ a: [0, 0], b: [0, 1], y: [1, 0], x: [1, 1] });
  });

  it('ignores edges to services it does not draw, self edges, and ends on a cycle', () => {
    const l = layoutGraph(['a', 'b'], [
      { from: 'a', to: 'ghost', condition: 'service_started' },
      { from: 'a', to: 'a', condition: 'service_started' },
    ]);
    expect(l.edges).toEqual([]);
    expect(place(l)).toEqual({ a: [0, 0], b: [0, 1] });
    const cyc = layoutGraph(['a', 'b'], [
      { from: 'a', to: 'b', condition: 'service_started' },
      { from: 'b', to: 'a', condition: 'service_started' },
    ]);
    expect(cyc.nodes).toHaveLength(2);
    expect(layoutGraph([], [])).toEqual({ width: 32, height: 32, nodes: [], edges: [] });
  });
});
