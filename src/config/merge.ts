// Merging compose models (later overrides earlier), on the raw interpolated trees, with compose's
// per-attribute rules; then "unicity": sequences whose entries have an identity (a port, a mount target,
// an env key...) keep one entry per identity, the last one winning in the place of the first.
// The result keeps the raw short/long syntaxes: canonical.ts runs after.
//
// Rules, by path (`*` = any key):
// - replaced: services.*.command, entrypoint, healthcheck.test
// - mapping-or-list attributes (environment, labels, annotations, sysctls, build.args, ...): both sides
//   become `KEY=VALUE` lists (a mapping's entries sorted), appended, then deduplicated by key
// - extra_hosts: appended, dropping entries already present
// - depends_on, networks, models: both sides become mappings, merged key by key
// - build: the short form becomes {context}; logging: merged only when the drivers agree; ulimits entries replaced
// - other sequences are appended, other mappings merged key by key, scalars replaced
// `!reset` in the override removes the key, `!override` replaces the value without merging.

import { OverrideTag, ResetTag } from './parse.js';
import { parseVolumeSpec } from './short-syntax.js';

type Tree = Record<string, unknown>;
type Path = readonly string[];
type Merger = (base: unknown, override: unknown, path: Path) => unknown;

// patterns are split once: matches() runs for every node of every file (a 5 MB file has millions)
const splitPatterns = new Map<string, readonly string[]>();

function matches(pattern: string, path: Path): boolean {
  let parts = splitPatterns.get(pattern);
  if (!parts) splitPatterns.set(pattern, (parts = pattern.split('.')));
  if (parts.length !== path.length) return false;
  for (let i = 0; i < parts.length; i++) if (parts[i] !== '*' && parts[i] !== path[i]) return false;
  return true;
}

const MERGE_SPECIALS: readonly [string, Merger][] = [
  ['networks.*.ipam.config', mergeIpamConfig],
  ['networks.*.labels', toSequence],
  ['volumes.*.labels', toSequence],
  ['services.*.annotations', toSequence],
  ['services.*.build', (b, o, p) => mergeMappings(promoteBuild(b), promoteBuild(o), p)],
  ['services.*.build.args', toSequence],
  ['services.*.build.additional_contexts', toSequence],
  ['services.*.build.extra_hosts', mergeExtraHosts],
  ['services.*.build.labels', toSequence],
  ['services.*.command', (_b, o) => o],
  ['services.*.depends_on', (b, o, p) => mergeMappings(toMapping(b, dependsDefault), toMapping(o, dependsDefault), p)],
  ['services.*.deploy.labels', toSequence],
  ['services.*.dns', toSequence],
  ['services.*.dns_opt', toSequence],
  ['services.*.dns_search', toSequence],
  ['services.*.entrypoint', (_b, o) => o],
  ['services.*.env_file', toSequence],
  ['services.*.label_file', toSequence],
  ['services.*.environment', toSequence],
  ['services.*.extra_hosts', mergeExtraHosts],
  ['services.*.healthcheck.test', (_b, o) => o],
  ['services.*.labels', toSequence],
  ['services.*.volumes.*.volume.labels', toSequence],
  ['services.*.logging', mergeLogging],
  ['services.*.models', (b, o, p) => mergeMappings(toMapping(b), toMapping(o), p)],
  ['services.*.networks', (b, o, p) => mergeMappings(toMapping(b), toMapping(o), p)],
  ['services.*.sysctls', toSequence],
  ['services.*.tmpfs', toSequence],
  ['services.*.ulimits.*', (_b, o) => o],
];

/** Merges models in order and enforces unicity; `!reset` / `!override` markers are resolved. */
export function mergeComposeFiles(trees: readonly Tree[]): Tree {
  let out: Tree = {};
  for (const t of trees) out = mergeMappings(out, t, []) as Tree;
  // one copy of the tree instead of two: stripMarkers then enforceUnicity, in the same walk
  return enforceUnicity(out, [], true) as Tree;
}

/** Merges one service definition onto another (extends); markers are left for the caller. */
export function mergeService(base: Tree, override: Tree): Tree {
  return mergeMappings(clone(base), override, ['services', '_']) as Tree;
}

/** Merge without unicity (the raw operation, as compose's Test_mergeOverrides checks it). */
export function mergeModels(base: Tree, override: Tree): Tree {
  return stripMarkers(mergeMappings(clone(base), override, [])) as Tree;
}

/** Merge keeping `!reset` / `!override` markers (documents of a file that is extended later). */
export function mergeKeepingMarkers(base: Tree, override: Tree): Tree {
  return mergeMappings(clone(base), override, []);
}

export function mergeValue(base: unknown, override: unknown, path: Path): unknown {
  if (override instanceof OverrideTag) return override.value;
  if (base === undefined || base === null) return override;
  if (override === undefined || override === null) return base;
  for (const [pattern, merger] of MERGE_SPECIALS) if (matches(pattern, path)) return merger(base, override, path);
  if (isMap(base)) {
    if (!isMap(override)) return override;
    return mergeMappings(base, override, path);
  }
  if (Array.isArray(base)) {
    if (!Array.isArray(override)) return override;
    return [...base, ...override];
  }
  return override;
}

function mergeMappings(base: unknown, override: unknown, path: Path): Tree {
  const out: Tree = isMap(base) ? { ...base } : {};
  if (!isMap(override)) return out;
  for (const [k, v] of Object.entries(override)) {
    if (v instanceof ResetTag) {
      delete out[k];
      continue;
    }
    if (!(k in out)) {
      out[k] = v;
      continue;
    }
    out[k] = mergeValue(out[k], v, [...path, k]);
  }
  return out;
}

function dependsDefault(): Tree {
  return { condition: 'service_started', required: true };
}

/** `[a, b]` → `{a: <default>, b: <default>}`; mappings pass through. */
function toMapping(value: unknown, defaults?: () => Tree): Tree {
  if (isMap(value)) return value;
  const out: Tree = {};
  if (Array.isArray(value)) for (const item of value) if (isScalar(item)) out[String(item)] = defaults ? defaults() : null;
  return out;
}

/** Mapping → sorted `KEY=VALUE` list (a null value gives a bare `KEY`); a scalar → one-item list. */
export function toSequenceValue(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isMap(value)) {
    const items: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v === null || v === undefined) items.push(k);
      else if (Array.isArray(v)) for (const item of v) items.push(`${k}=${scalarText(item)}`);
      else items.push(`${k}=${scalarText(v)}`);
    }
    return items.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  if (value === null || value === undefined) return [];
  return [value];
}

function scalarText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function toSequence(base: unknown, override: unknown): unknown[] {
  // `KEY: !reset` in an override mapping removes KEY from what the base defined
  if (isMap(override) && Object.values(override).some((v) => v instanceof ResetTag)) {
    const reset = new Set(Object.entries(override).filter(([, v]) => v instanceof ResetTag).map(([k]) => k));
    const kept = toSequenceValue(base).filter((e) => !reset.has(keyValueIndexer(e)));
    const rest = Object.fromEntries(Object.entries(override).filter(([k]) => !reset.has(k)));
    return [...kept, ...toSequenceValue(rest)];
  }
  return [...toSequenceValue(base), ...toSequenceValue(override)];
}

function mergeExtraHosts(base: unknown, override: unknown): unknown[] {
  const out = [...toSequenceValue(base)];
  const seen = new Set(out.map((x) => scalarText(x)));
  for (const item of toSequenceValue(override)) {
    const key = scalarText(item);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}

function promoteBuild(b: unknown): Tree {
  return typeof b === 'string' ? { context: b } : isMap(b) ? b : {};
}

function mergeLogging(base: unknown, override: unknown, path: Path): unknown {
  if (!isMap(base) || !isMap(override)) return override;
  const same = base.driver === override.driver || !('driver' in base) || !('driver' in override);
  return same ? mergeMappings(base, override, path) : override;
}

function mergeIpamConfig(base: unknown, override: unknown, path: Path): unknown {
  if (!Array.isArray(base) || !Array.isArray(override)) return override;
  const out: unknown[] = [];
  for (const original of base) {
    const b = isMap(original) ? original : {};
    let matched = false;
    for (const over of override) {
      const o = isMap(over) ? over : {};
      if (o.subnet !== b.subnet) continue;
      matched = true;
      out.push(mergeMappings(b, o, path));
    }
    if (!matched) out.push(b);
  }
  const known = new Set(out.map((e) => (isMap(e) ? e.subnet : undefined)));
  for (const over of override) {
    const o = isMap(over) ? over : {};
    if (!known.has(o.subnet)) out.push(o);
  }
  return out;
}

/** Resolves markers left after merging: `!reset` keys disappear, `!override` values are unwrapped. */
export function stripMarkers(value: unknown): unknown {
  if (value instanceof OverrideTag) return stripMarkers(value.value);
  // copy on write, as enforceUnicity
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v instanceof ResetTag) {
        out ??= value.slice(0, i);
        continue;
      }
      const r = stripMarkers(v);
      if (out) out.push(r);
      else if (r !== v) {
        out = value.slice(0, i);
        out.push(r);
      }
    }
    return out ?? value;
  }
  if (isMap(value)) {
    const keys = Object.keys(value);
    let out: Tree | undefined;
    for (let i = 0; i < keys.length; i++) {
      const v = value[keys[i]];
      if (v instanceof ResetTag) {
        out ??= copyKeys(value, keys, i);
        continue;
      }
      const r = stripMarkers(v);
      if (out) out[keys[i]] = r;
      else if (r !== v) {
        out = copyKeys(value, keys, i);
        out[keys[i]] = r;
      }
    }
    return out ?? value;
  }
  return value;
}

type Indexer = (entry: unknown) => string;

const keyValueIndexer: Indexer = (e) => {
  const s = scalarText(e);
  const i = s.indexOf('=');
  return i < 0 ? s : s.slice(0, i);
};

const mountIndexer =
  (defaultPath: string): Indexer =>
  (e) => {
    if (isMap(e)) return e.target !== undefined && e.target !== null ? String(e.target) : `${defaultPath}/${String(e.source)}`;
    return `${defaultPath}/${scalarText(e)}`;
  };

const UNIQUE: readonly [string, Indexer][] = [
  ['networks.*.labels', keyValueIndexer],
  ['networks.*.ipam.options', keyValueIndexer],
  ['services.*.annotations', keyValueIndexer],
  ['services.*.build.args', keyValueIndexer],
  ['services.*.build.additional_contexts', keyValueIndexer],
  ['services.*.build.platform', keyValueIndexer],
  ['services.*.build.platforms', keyValueIndexer],
  ['services.*.build.tags', keyValueIndexer],
  ['services.*.build.labels', keyValueIndexer],
  ['services.*.cap_add', keyValueIndexer],
  ['services.*.cap_drop', keyValueIndexer],
  ['services.*.configs', mountIndexer('')],
  ['services.*.deploy.labels', keyValueIndexer],
  ['services.*.dns', keyValueIndexer],
  ['services.*.dns_opt', keyValueIndexer],
  ['services.*.dns_search', keyValueIndexer],
  ['services.*.environment', keyValueIndexer],
  ['services.*.env_file', (e) => (isMap(e) ? String(e.path) : scalarText(e))],
  ['services.*.expose', (e) => scalarText(e)],
  ['services.*.labels', keyValueIndexer],
  ['services.*.links', keyValueIndexer],
  ['services.*.networks.*.aliases', keyValueIndexer],
  ['services.*.networks.*.link_local_ips', keyValueIndexer],
  ['services.*.ports', portIndexer],
  ['services.*.profiles', keyValueIndexer],
  ['services.*.secrets', mountIndexer('/run/secrets')],
  ['services.*.sysctls', keyValueIndexer],
  ['services.*.tmpfs', keyValueIndexer],
  ['services.*.volumes', volumeIndexer],
  ['services.*.devices', deviceIndexer],
];
// by last key (none is `*`): every sequence of the model asks, and its last key rules out all but one or two
const UNIQUE_BY_LAST = new Map<string, [string, Indexer][]>();
for (const rule of UNIQUE) {
  const last = rule[0].slice(rule[0].lastIndexOf('.') + 1);
  UNIQUE_BY_LAST.set(last, [...(UNIQUE_BY_LAST.get(last) ?? []), rule]);
}

function portIndexer(e: unknown): string {
  if (isMap(e)) {
    const host = typeof e.host_ip === 'string' && e.host_ip !== '' ? e.host_ip : '0.0.0.0';
    const protocol = typeof e.protocol === 'string' && e.protocol !== '' ? e.protocol : 'tcp';
    const published = e.published === undefined || e.published === null ? '' : String(e.published);
    return `${host}:${published}:${String(e.target)}/${protocol}`;
  }
  return scalarText(e);
}

function volumeIndexer(e: unknown): string {
  if (isMap(e)) return String(e.target);
  if (typeof e === 'string') {
    try {
      return parseVolumeSpec(e).target;
    } catch {
      return e;
    }
  }
  return scalarText(e);
}

function deviceIndexer(e: unknown): string {
  if (isMap(e)) return String(e.target);
  const parts = scalarText(e).split(':');
  return parts.length === 1 ? parts[0] : parts[1];
}

/**
 * Keeps one entry per identity in the sequences listed in UNIQUE: the last wins, in the first's place.
 * Copy on write: a collection is copied only when something in it changes (a duplicate dropped, a marker
 * stripped), so a large model without duplicates is walked, not rebuilt. The result may share nodes with the
 * input; the trees given here are the load's own (parsed, interpolated, merged), never used after it, and the
 * parse builds a separate copy for every alias, so sharing cannot make one node appear in two places.
 */
export function enforceUnicity(value: unknown, path: string[] = [], strip = false): unknown {
  if (strip && value instanceof OverrideTag) return enforceUnicity(value.value, path, strip);
  if (isMap(value)) {
    const keys = Object.keys(value);
    let out: Tree | undefined;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const v = value[k];
      if (strip && v instanceof ResetTag) {
        out ??= copyKeys(value, keys, i);
        continue;
      }
      path.push(k);
      const r = enforceUnicity(v, path, strip);
      path.pop();
      if (out) out[k] = r;
      else if (r !== v) {
        out = copyKeys(value, keys, i);
        out[k] = r;
      }
    }
    return out ?? value;
  }
  if (Array.isArray(value)) {
    let rule: Indexer | undefined;
    for (const [pattern, indexer] of UNIQUE_BY_LAST.get(path[path.length - 1]) ?? []) {
      if (matches(pattern, path)) {
        rule = indexer;
        break;
      }
    }
    if (!rule) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (strip && v instanceof ResetTag) {
          out ??= value.slice(0, i);
          continue;
        }
        path.push(String(i));
        const r = enforceUnicity(v, path, strip);
        path.pop();
        if (out) out.push(r);
        else if (r !== v) {
          out = value.slice(0, i);
          out.push(r);
        }
      }
      return out ?? value;
    }
    const out: unknown[] = [];
    const index = new Map<string, number>();
    let changed = false;
    for (const raw of value) {
      if (strip && raw instanceof ResetTag) {
        changed = true;
        continue;
      }
      const entry = strip ? stripMarkers(raw) : raw;
      if (entry !== raw) changed = true;
      const key = rule(entry);
      const at = index.get(key);
      if (at !== undefined) {
        out[at] = entry;
        changed = true;
      } else {
        index.set(key, out.length);
        out.push(entry);
      }
    }
    return changed ? out : value;
  }
  return value;
}

/** A new mapping with the first `n` of `keys` copied from `from`. */
function copyKeys(from: Tree, keys: readonly string[], n: number): Tree {
  const out: Tree = {};
  for (let j = 0; j < n; j++) out[keys[j]] = from[keys[j]];
  return out;
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

function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T;
  return v;
}

function isScalar(v: unknown): boolean {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

export function isMap(v: unknown): v is Tree {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof OverrideTag) && !(v instanceof ResetTag);
}
