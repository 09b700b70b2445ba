// Readers of canonical values into the numbers and lists the Engine API wants. The model types say which
// forms a field can take (src/model/types.ts); these readers take exactly those.
import { parseByteSize, parseDuration, parseDurationNs } from '../../model/units.js';

export const toNanos = (d: string | number | undefined): number | undefined =>
  d === undefined || d === null ? undefined : typeof d === 'number' ? d : parseDurationNs(d);

/** A byte size as compose reads it; undefined when absent or zero (the engine's "unset"). */
export function bytes(v: string | number | undefined): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = parseByteSize(v);
  return n || undefined;
}

export function num(v: string | number | undefined): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** compose-go keeps cpus as a float32 and multiplies in float32: 0.1 → 100000000, not 100000001. */
export function nanoCpus(v: string | number | undefined): number | undefined {
  const n = num(v);
  if (!n) return undefined;
  return Math.trunc(Math.fround(Math.fround(n) * 1e9));
}

export const list = (v: readonly (string | number)[] | undefined): string[] | undefined => (v === undefined || v === null ? undefined : v.map(String));
export const nonEmpty = <T>(a: T[] | undefined): T[] | undefined => (a && a.length ? a : undefined);

/** A string map (sysctls, storage options) with every value a string, as the engine wants it. */
export const dict = (v: { readonly [key: string]: string | number | boolean | null | undefined } | undefined): Record<string, string> | undefined => {
  if (v === undefined || v === null) return undefined;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null || x === undefined ? '' : String(x)]));
};

/** A period given as a duration string ("400ms") or a count of microseconds. */
export const micros = (v: string | number | undefined): number | undefined => (typeof v === 'string' && /[a-z]$/i.test(v) ? Math.round(parseDuration(v) * 1000) : num(v));
