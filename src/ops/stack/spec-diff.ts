// Comparing a desired ServiceSpec with the one a swarm holds. The engine stores what it was sent plus a few
// defaults of its own (Privileges with null members, Isolation "default", Runtime "container", ForceUpdate 0)
// and names networks by id; docker stack deploy ignores all that and updates every service on every deploy,
// bumping its version. berth updates only when the normalised specs differ, so an unchanged file changes
// nothing on the swarm.

import { at, isObject, items, type JsonObject } from '../json.js';

/** Values the engine treats as unset: both sides drop them, so "absent" and "default" compare equal. */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** Engine-side defaults by path (dot-joined keys), dropped when they have exactly this value. */
const ENGINE_DEFAULTS: Record<string, unknown> = {
  'TaskTemplate.ContainerSpec.Isolation': 'default',
  'TaskTemplate.Runtime': 'container',
  'UpdateConfig.FailureAction': 'pause',
  'UpdateConfig.Order': 'stop-first',
  'RollbackConfig.FailureAction': 'pause',
  'RollbackConfig.Order': 'stop-first',
  'EndpointSpec.Mode': 'vip',
};

function clean(v: unknown, path: string): unknown {
  if (Array.isArray(v)) return v.map((x) => clean(x, path)).filter((x) => !isEmpty(x));
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) {
      const p = path ? `${path}.${k}` : k;
      const c = clean(v[k], p);
      if (isEmpty(c) || (p in ENGINE_DEFAULTS && ENGINE_DEFAULTS[p] === c)) continue;
      out[k] = c;
    }
    return out;
  }
  return v;
}

/**
 * The comparable form of a spec: network targets as names (the caller maps ids), secret and config ids dropped
 * (their names are content-addressed, so the name says the content), empties and engine defaults dropped.
 */
export function normalizeSpec(spec: unknown, networkName: (idOrName: string) => string = (x) => x): JsonObject {
  const s = structuredClone(spec);
  const tt = at(s, 'TaskTemplate');
  if (isObject(tt) && tt.Networks) {
    tt.Networks = items(tt.Networks)
      .map((n) => (isObject(n) ? { ...n, Target: networkName(String(n.Target)) } : n))
      .sort((a, b) => String(at(a, 'Target')).localeCompare(String(at(b, 'Target'))));
  }
  for (const ref of items(at(tt, 'ContainerSpec', 'Secrets'))) if (isObject(ref)) delete ref.SecretID;
  for (const ref of items(at(tt, 'ContainerSpec', 'Configs'))) if (isObject(ref)) delete ref.ConfigID;
  const out = clean(s, '');
  return isObject(out) ? out : {};
}

/** Paths (dot-joined, deepest that differs) where two normalised specs differ; empty when equal. */
export function specDifferences(a: unknown, b: unknown, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => specDifferences(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return [path || '(spec)'];
}
