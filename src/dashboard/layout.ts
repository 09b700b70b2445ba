// The dependency graph's drawing: a layered layout (services with no dependencies in the first column, each
// other service one column right of its deepest dependency), rows ordered by the mean row of a node's
// dependencies (barycentre) with ties broken by name, so that the picture is deterministic. Pure.

export interface GraphEdgeInput {
  /** The dependent service. */
  readonly from: string;
  /** The service it depends on. */
  readonly to: string;
  readonly condition: string;
}

export interface LaidNode {
  readonly id: string;
  readonly layer: number;
  readonly row: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LaidEdge extends GraphEdgeInput {
  /** From the dependent's left side to the dependency's right side. */
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  /** An edge that skips a column would cross the nodes between: it detours through this y, below them all. */
  readonly detourY?: number;
}

export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly LaidNode[];
  readonly edges: readonly LaidEdge[];
}

export const NODE_WIDTH = 150;
export const NODE_HEIGHT = 40;
const GAP_X = 90;
const GAP_Y = 24;
const PAD = 16;
const DETOUR_GAP = 18;

export function layoutGraph(nodeIds: readonly string[], edgesIn: readonly GraphEdgeInput[]): GraphLayout {
  const ids = [...new Set(nodeIds)].sort();
  const known = new Set(ids);
  // an edge to a service that is not drawn (disabled by a profile) is left out rather than invented
  const edges = edgesIn.filter((e) => known.has(e.from) && known.has(e.to) && e.from !== e.to);
  const deps = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) deps.get(e.from)!.push(e.to);

  // longest path from a leaf; a cycle (the loader rejects them, but the layout must still end) counts as 0
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const d = Math.max(-1, ...deps.get(id)!.map(depth)) + 1;
    visiting.delete(id);
    layer.set(id, d);
    return d;
  };
  for (const id of ids) depth(id);

  const layers: string[][] = [];
  for (const id of ids) (layers[layer.get(id)!] ??= []).push(id);
  const row = new Map<string, number>();
  layers.forEach((members, l) => {
    const key = (id: string) => {
      if (l === 0) return 0;
      const rows = deps.get(id)!.map((d) => row.get(d) ?? 0);
      return rows.reduce((a, b) => a + b, 0) / rows.length;
    };
    const ordered = [...members].sort((a, b) => key(a) - key(b) || (a < b ? -1 : a > b ? 1 : 0));
    ordered.forEach((id, i) => row.set(id, i));
  });

  const nodes: LaidNode[] = ids.map((id) => {
    const l = layer.get(id)!;
    const r = row.get(id)!;
    return { id, layer: l, row: r, x: PAD + l * (NODE_WIDTH + GAP_X), y: PAD + r * (NODE_HEIGHT + GAP_Y), width: NODE_WIDTH, height: NODE_HEIGHT };
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  const columns = layers.length;
  const rows = Math.max(0, ...layers.map((m) => m.length));
  const nodesBottom = rows ? PAD + rows * NODE_HEIGHT + (rows - 1) * GAP_Y : PAD;
  let detours = 0;
  const laidEdges: LaidEdge[] = edges
    .sort((p, q) => (p.from + '\0' + p.to < q.from + '\0' + q.to ? -1 : 1))
    .map((e) => {
      const a = at.get(e.from)!;
      const b = at.get(e.to)!;
      const edge = { ...e, x1: a.x, y1: a.y + a.height / 2, x2: b.x + b.width, y2: b.y + b.height / 2 };
      return a.layer - b.layer > 1 ? { ...edge, detourY: nodesBottom + DETOUR_GAP * ++detours } : edge;
    });
  return {
    width: columns ? 2 * PAD + columns * NODE_WIDTH + (columns - 1) * GAP_X : 2 * PAD,
    height: nodesBottom + PAD + DETOUR_GAP * detours,
    nodes,
    edges: laidEdges,
  };
}
