// Readers of canonical values into the numbers and lists the Engine API wants.
import { parseByteSize, parseDuration, parseDurationNs } from '../../model/units.js';

// ---- value readers (both the printed and the written shape)

export const toNanos = (d: string | number | undefined): number | undefined =>
  d === undefined || d === null ? undefined : typeof d === 'number' ? d : parseDurationNs(d);

/** A byte size as compose reads it; undefined when absent or zero (the engine's "unset"). */
export function bytes(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = parseByteSize(v as string | number);
  return n || undefined;
}

export function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** compose-go keeps cpus as a float32 and multiplies in float32: 0.1 → 100000000, not 100000001. */
export function nanoCpus(v: unknown): number | undefined {
  const n = num(v);
  if (!n) return undefined;
  return Math.trunc(Math.fround(Math.fround(n) * 1e9));
}

export const list = (v: unknown): string[] | undefined => (v === undefined || v === null ? undefined : Array.isArray(v) ? v.map(String) : [String(v)]);
export const nonEmpty = <T>(a: T[] | undefined): T[] | undefined => (a && a.length ? a : undefined);
export const dict = (v: unknown): Record<string, string> | undefined => {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) {
    return Object.fromEntries(v.map((e) => String(e)).map((e) => (e.includes('=') ? [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] : [e, ''])));
  }
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, x === null || x === undefined ? '' : String(x)]));
};

/** A period given as a duration string ("400ms") or a count of microseconds. */
export const micros = (v: unknown): number | undefined => (typeof v === 'string' && /[a-z]$/i.test(v) ? Math.round(parseDuration(v) * 1000) : num(v));
