// The service dependency graph and its ready-set walk.
// Invariant: edges only join services present in the graph; a dependency on an absent service is the
// loader's concern (it rejects it, or drops it when `required: false`).

export interface ServiceGraph {
  readonly nodes: readonly string[];
  /** service → the services it depends on */
  readonly dependencies: ReadonlyMap<string, ReadonlySet<string>>;
  /** service → the services that depend on it */
  readonly dependents: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Each service's dependencies (its depends_on keys): the edges of a project's service graph. */
export function dependencyEdges(services: Readonly<Record<string, { readonly depends_on?: object }>>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(services).map(([name, s]) => [name, Object.keys(s.depends_on ?? {})]));
}

export function buildGraph(edges: Readonly<Record<string, readonly string[]>>): ServiceGraph {
  const nodes = Object.keys(edges).sort();
  const dependencies = new Map<string, Set<string>>();
  const dependents = new Map<string, Set<string>>();
  for (const n of nodes) {
    dependencies.set(n, new Set());
    dependents.set(n, new Set());
  }
  for (const n of nodes) {
    for (const d of edges[n]) {
      if (!dependencies.has(d) || d === n) continue;
      dependencies.get(n)!.add(d);
      dependents.get(d)!.add(n);
    }
  }
  return { nodes, dependencies, dependents };
}

/** The first cycle found, as a path that starts and ends on the same service (`a -> b -> a`). */
export function findCycle(edges: Readonly<Record<string, readonly string[]>>): string[] | undefined {
  const state = new Map<string, 'open' | 'closed'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 'open');
    stack.push(n);
    for (const d of [...(edges[n] ?? [])].sort()) {
      if (!(d in edges)) continue;
      const s = state.get(d);
      if (s === 'open') return [...stack.slice(stack.indexOf(d)), d];
      if (s === undefined) {
        const found = visit(d);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(n, 'closed');
    return undefined;
  };
  for (const n of Object.keys(edges).sort()) {
    if (state.has(n)) continue;
    const found = visit(n);
    if (found) return found;
  }
  return undefined;
}

/** The services named plus, transitively, everything they depend on. */
export function withDependencies(graph: ServiceGraph, roots: Iterable<string>): Set<string> {
  return closure(graph.dependencies, roots);
}

/** The services named plus, transitively, everything that depends on them. */
export function withDependents(graph: ServiceGraph, roots: Iterable<string>): Set<string> {
  return closure(graph.dependents, roots);
}

/**
 * Every service after the ones it depends on, and otherwise by name: the order in which `config --services`
 * lists them. (compose walks a Go map, dependencies first, so its order among independent services varies
 * from run to run; sorted names are the order it gives most often, and the same every time.)
 */
export function dependencyOrder(graph: ServiceGraph): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    // marked before its dependencies: a cycle (which the loader rejects) cannot loop here
    seen.add(n);
    for (const d of [...(graph.dependencies.get(n) ?? [])].sort()) visit(d);
    out.push(n);
  };
  for (const n of graph.nodes) visit(n);
  return out;
}

function closure(edges: ReadonlyMap<string, ReadonlySet<string>>, roots: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const todo = [...roots];
  while (todo.length) {
    const n = todo.pop()!;
    if (out.has(n)) continue;
    out.add(n);
    for (const d of edges.get(n) ?? []) todo.push(d);
  }
  return out;
}

export interface WalkOptions {
  /** up: dependencies first (start); down: dependents first (stop, remove). */
  readonly direction: 'up' | 'down';
  /** At most this many visits at once; 0 or undefined means unbounded. */
  readonly concurrency?: number;
  /** Only these nodes are visited; the order among them still follows the whole graph's edges. */
  readonly only?: ReadonlySet<string>;
  readonly signal?: AbortSignal;
  readonly visit: (node: string) => Promise<void>;
}

/**
 * Ready-set walk: a node is visited as soon as every node it waits for is done, with no level barriers,
 * so a slow branch never holds back an unrelated one. The first failure stops new visits; visits already
 * running are awaited, then that first error is thrown.
 */
export async function walk(graph: ServiceGraph, options: WalkOptions): Promise<void> {
  const selected = options.only ? graph.nodes.filter((n) => options.only!.has(n)) : [...graph.nodes];
  const inSet = new Set(selected);
  const waitsFor = options.direction === 'up' ? graph.dependencies : graph.dependents;
  const unblocks = options.direction === 'up' ? graph.dependents : graph.dependencies;
  // Edges through unselected nodes still order the selected ones only when direct; an unselected node in
  // the middle is treated as already done (it is not being acted upon).
  const pending = new Map<string, number>();
  for (const n of selected) pending.set(n, [...(waitsFor.get(n) ?? [])].filter((d) => inSet.has(d)).length);
  const limit = options.concurrency && options.concurrency > 0 ? options.concurrency : Infinity;
  const ready = selected.filter((n) => pending.get(n) === 0);
  let running = 0;
  let remaining = selected.length;
  let failure: { error: unknown } | undefined;

  if (remaining === 0) return;
  await new Promise<void>((resolve) => {
    const settle = () => {
      if (running === 0 && (failure || remaining === 0 || ready.length === 0)) resolve();
    };
    const pump = () => {
      if (options.signal?.aborted && !failure) failure = { error: options.signal.reason ?? new Error('aborted') };
      while (!failure && running < limit && ready.length > 0) {
        const n = ready.shift()!;
        running++;
        options.visit(n).then(
          () => {
            running--;
            remaining--;
            for (const m of unblocks.get(n) ?? []) {
              if (!inSet.has(m)) continue;
              const left = pending.get(m)! - 1;
              pending.set(m, left);
              if (left === 0) ready.push(m);
            }
            pump();
          },
          (error: unknown) => {
            running--;
            if (!failure) failure = { error };
            pump();
          },
        );
      }
      settle();
    };
    pump();
  });
  if (failure) throw failure.error;
  // A cycle leaves nodes that never become ready; the loader rejects cycles, so this is a bug guard.
  if (remaining > 0) throw new Error(`graph walk stalled with ${remaining} services left (dependency cycle?)`);
}
