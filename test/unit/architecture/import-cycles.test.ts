import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Builds the module graph of src/ from its import / export-from / dynamic import specifiers and fails on any
// cycle. Type-only imports count too: a type cycle is still a layering knot, and it turns into a runtime
// cycle the day someone imports a value along it.

const root = resolve(import.meta.dirname, '../../../src');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

// `from '…'` (import and export-from, also multi-line), bare `import '…'`, and `import('…')`.
const specifierPattern = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"\\])\/\/.*$/gm, '$1');
}

function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const edges: string[] = [];
    for (const match of stripComments(readFileSync(file, 'utf8')).matchAll(specifierPattern)) {
      const spec = match[1]!;
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      const candidates = [target, `${target}.ts`, join(target, 'index.ts')];
      const hit = candidates.find((c) => known.has(c));
      if (hit && !edges.includes(hit)) edges.push(hit);
    }
    graph.set(file, edges);
  }
  return graph;
}

/** The cycles a depth-first search meets (at least one per knot, each once, rotated to start at its least node). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next));
        const least = cycle.indexOf([...cycle].sort()[0]!);
        const rotated = [...cycle.slice(least), ...cycle.slice(0, least)];
        cycles.set(rotated.join('>'), rotated);
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return [...cycles.values()];
}

describe('src/ import graph', () => {
  it('finds a cycle when there is one (the checker itself can fail)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(findCycles(graph)).toEqual([['a', 'b', 'c']]);
    expect(findCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  it('reads import, export-from, side-effect and dynamic imports', () => {
    const files = tsFiles(root);
    const graph = importGraph(files);
    // api/index.ts re-exports most of api/: a graph that saw no export-from edges would be nearly empty here
    expect(graph.get(join(root, 'api/index.ts'))!.length).toBeGreaterThan(3);
    expect([...graph.values()].reduce((n, edges) => n + edges.length, 0)).toBeGreaterThan(files.length);
  });

  it('has no import cycle', () => {
    const cycles = findCycles(importGraph(tsFiles(root)));
    const shown = cycles.map((cycle) => [...cycle, cycle[0]!].map((f) => relative(root, f)).join(' -> '));
    expect(shown, `import cycles in src/:\n${shown.join('\n')}`).toEqual([]);
  });
});
