// Reading engine documents berth does not model field by field (swarm specs as the engine stores them), by
// looking at what is there rather than asserting a shape.
export type JsonObject = { [key: string]: unknown };

export const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The value at a path of nested objects; undefined where the path leaves them. */
export function at(v: unknown, ...path: readonly string[]): unknown {
  let cur = v;
  for (const key of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** An array value, or none. */
export const items = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
