// Comparing a desired ServiceSpec with the one a swarm holds. The engine stores what it was sent plus a few
// defaults of its own (Privileges with null members, Isolation "default", Runtime "container", ForceUpdate 0)
// and names networks by id; docker stack deploy ignores all that and updates every service on every deploy,
// bumping its version. berth updates only when the normalised specs differ, so an unchanged file changes
// nothing on the swarm.

type Json = Record<string, any>;

/** Values the engine treats as unset: both sides drop them, so "absent" and "default" compare equal. */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
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
  if (v && typeof v === 'object') {
    const out: Json = {};
    for (const k of Object.keys(v as Json).sort()) {
      const p = path ? `${path}.${k}` : k;
      const c = clean((v as Json)[k], p);
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
export function normalizeSpec(spec: unknown, networkName: (idOrName: string) => string = (x) => x): Json {
  const s = structuredClone(spec) as Json;
  const tt = s.TaskTemplate as Json | undefined;
  if (tt?.Networks) {
    tt.Networks = (tt.Networks as Json[]).map((n) => ({ ...n, Target: networkName(String(n.Target)) })).sort((a, b) => String(a.Target).localeCompare(String(b.Target)));
  }
  for (const ref of (tt?.ContainerSpec?.Secrets as Json[] | undefined) ?? []) delete ref.SecretID;
  for (const ref of (tt?.ContainerSpec?.Configs as Json[] | undefined) ?? []) delete ref.ConfigID;
  return clean(s, '') as Json;
}

/** Paths (dot-joined, deepest that differs) where two normalised specs differ; empty when equal. */
export function specDifferences(a: unknown, b: unknown, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObj = (x: unknown) => !!x && typeof x === 'object' && !Array.isArray(x);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a as Json), ...Object.keys(b as Json)])].sort();
    return keys.flatMap((k) => specDifferences((a as Json)[k], (b as Json)[k], path ? `${path}.${k}` : k));
  }
  return [path || '(spec)'];
}
