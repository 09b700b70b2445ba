// Merging several compose files (later overrides earlier), on the raw interpolated trees, with
// compose's per-attribute rules. The result keeps the raw short/long syntaxes: canonical.ts runs after.

import { parseVolumeSpec } from './short-syntax.js';

type Tree = Record<string, unknown>;
type Path = readonly string[];

// Attribute rules, by path below `services.<name>` ('*' = any key).
const REPLACED = ['command', 'entrypoint', 'healthcheck.test'];
/** Mapping-or-list attributes ("K=V" lists or maps): merged key by key. */
const BY_KEY = ['environment', 'labels', 'annotations', 'sysctls', 'extra_hosts', 'build.args', 'build.labels', 'deploy.labels'];
/** Lists of names or mappings: both sides become mappings, merged key by key. */
const NAME_MAPS = ['depends_on', 'networks'];

export function mergeComposeFiles(trees: readonly Tree[]): Tree {
  let out: Tree = {};
  for (const t of trees) out = mergeTop(out, t);
  return out;
}

function mergeTop(base: Tree, override: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (key === 'services' && isMap(value) && isMap(base.services)) {
      const services: Tree = { ...base.services };
      for (const [name, svc] of Object.entries(value)) {
        const prev = services[name];
        services[name] = isMap(prev) && isMap(svc) ? mergeService(prev, svc) : svc;
      }
      out.services = services;
    } else {
      // the '#' prefix keeps top-level resources (a network named `command`...) clear of service rules
      out[key] = key in base ? mergeValue(base[key], value, ['#', key]) : value;
    }
  }
  return out;
}

export function mergeService(base: Tree, override: Tree): Tree {
  return mergeValue(base, override, []) as Tree;
}

function matches(rules: readonly string[], path: Path): boolean {
  const p = path.join('.');
  return rules.includes(p);
}

function mergeValue(base: unknown, override: unknown, path: Path): unknown {
  if (override === undefined) return base;
  if (matches(REPLACED, path)) return override;
  if (matches(BY_KEY, path) && (isMap(base) || Array.isArray(base)) && (isMap(override) || Array.isArray(override))) {
    return { ...keyValueMap(base), ...keyValueMap(override) };
  }
  if (matches(NAME_MAPS, path) && (isMap(base) || Array.isArray(base)) && (isMap(override) || Array.isArray(override))) {
    return mergeValue(nameMap(base, path[0]), nameMap(override, path[0]), [...path, '*']);
  }
  if (path.length === 1 && path[0] === 'volumes' && Array.isArray(base) && Array.isArray(override)) {
    return mergeKeyed(base, override, volumeTarget);
  }
  if (path.length === 1 && (path[0] === 'secrets' || path[0] === 'configs') && Array.isArray(base) && Array.isArray(override)) {
    return mergeKeyed(base, override, (v) => (typeof v === 'string' ? v : isMap(v) ? String(v.source) : undefined));
  }
  if (Array.isArray(base) && Array.isArray(override)) return unique([...base, ...override]);
  if (isMap(base) && isMap(override)) {
    const out: Tree = { ...base };
    for (const [k, v] of Object.entries(override)) out[k] = k in base ? mergeValue(base[k], v, [...path, k]) : v;
    return out;
  }
  return override;
}

/** "K=V" / "K" list or mapping → mapping (a bare "K" becomes null: resolved later from the environment). */
export function keyValueMap(value: unknown, separator = '='): Tree {
  if (isMap(value)) return { ...value };
  const out: Tree = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      const s = String(item);
      const i = s.indexOf(separator);
      if (i < 0) out[s] = null;
      else out[s.slice(0, i)] = s.slice(i + 1);
    }
  }
  return out;
}

/** `[a, b]` → `{a: <default>, b: <default>}` for depends_on / networks. */
function nameMap(value: unknown, attr: string | undefined): Tree {
  if (isMap(value)) return value;
  const out: Tree = {};
  for (const name of value as unknown[]) out[String(name)] = attr === 'depends_on' ? { condition: 'service_started' } : null;
  return out;
}

function volumeTarget(v: unknown): string | undefined {
  if (isMap(v)) return typeof v.target === 'string' ? v.target : undefined;
  if (typeof v === 'string') {
    try {
      return parseVolumeSpec(v).target;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** An override entry replaces the base entry with the same key, in place; new ones are appended. */
function mergeKeyed(base: unknown[], override: unknown[], keyOf: (v: unknown) => string | undefined): unknown[] {
  const out = [...base];
  for (const item of override) {
    const k = keyOf(item);
    const i = k === undefined ? -1 : out.findIndex((b) => keyOf(b) === k);
    if (i >= 0) out[i] = item;
    else out.push(item);
  }
  return out;
}

function unique(items: unknown[]): unknown[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = JSON.stringify(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function isMap(v: unknown): v is Tree {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
