// Go-compatible durations and byte sizes. Compose prints durations the way Go's time.Duration.String()
// does ("1m30s", "500ms", "1h0m0s") and byte sizes as plain byte counts, so `config` output only matches
// compose if we parse and format with the same rules.

const NS_PER_MS = 1_000_000;

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1_000,
  'µs': 1_000, // U+00B5 micro sign
  'μs': 1_000, // U+03BC greek mu
  ms: NS_PER_MS,
  s: 1_000 * NS_PER_MS,
  m: 60_000 * NS_PER_MS,
  h: 3_600_000 * NS_PER_MS,
};

/** Parses a Go duration ("1m30s", "1.5h", "300ms", "0") into nanoseconds. Throws on a malformed string. */
export function parseDurationNs(input: string): number {
  let s = input.trim();
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new Error(`invalid duration "${input}"`);
  let total = 0;
  const part = /^(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = part.exec(s);
    if (!m) throw new Error(`invalid duration "${input}"`);
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    s = s.slice(m[0].length);
  }
  return sign * Math.round(total);
}

/** Parses a Go duration into milliseconds (fractional below 1ms). */
export function parseDuration(input: string): number {
  return parseDurationNs(input) / NS_PER_MS;
}

/** Formats nanoseconds as Go's time.Duration.String() does. */
export function formatDurationNs(ns: number): string {
  let d = Math.round(ns);
  if (d === 0) return '0s';
  const neg = d < 0;
  if (neg) d = -d;
  let out: string;
  if (d < 1_000_000_000) {
    // below one second Go picks the largest sub-second unit and prints a trimmed decimal fraction
    if (d < 1_000) out = `${d}ns`;
    else if (d < 1_000_000) out = `${fraction(d, 1_000)}µs`;
    else out = `${fraction(d, 1_000_000)}ms`;
  } else {
    const h = Math.floor(d / 3_600_000_000_000);
    d -= h * 3_600_000_000_000;
    const m = Math.floor(d / 60_000_000_000);
    d -= m * 60_000_000_000;
    const s = `${fraction(d, 1_000_000_000)}s`;
    // Go prints the leading zero units once a larger unit is present: "1h0m0s"
    out = h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

/** Formats milliseconds as Go's time.Duration.String() does: 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  return formatDurationNs(ms * NS_PER_MS);
}

function fraction(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  const rest = value - whole * unit;
  if (rest === 0) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Re-prints a duration string in Go's canonical form ("90s" → "1m30s"); throws when malformed. */
export function normalizeDuration(input: string): string {
  return formatDurationNs(parseDurationNs(input));
}

/** What a malformed byte size is told to be instead (config errors). */
export const BYTE_SIZE_HINT = 'use a number of bytes, or a number with a unit such as 512m or 1g';

const BYTE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * Parses a docker byte size ("512m", "1.5g", "64MiB", "1024") with binary multipliers, the way compose
 * reads mem_limit, shm_size and friends. Numbers pass through. Throws on a malformed string.
 */
export function parseByteSize(input: string | number): number {
  if (typeof input === 'number') return input;
  const m = /^\s*(\d+(?:\.\d+)?)\s?([kmgtp]?)(?:i?b)?\s*$/i.exec(input);
  if (!m) throw new Error(`invalid size "${input}"`);
  return Math.floor(Number(m[1]) * BYTE_UNITS[m[2].toLowerCase()]);
}

/**
 * Docker's HumanSize: decimal units and `digits` significant digits ("2.05kB", "265B"); 3 as docker prints
 * sizes, 4 as buildx prints transfer sizes ("1.234kB").
 */
export function humanSize(bytes: number, digits = 3): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(digits))}${units[i]}`;
}
