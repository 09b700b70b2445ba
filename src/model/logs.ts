// What log-following operations (logs, attached up, run) report, and ui renders: container output lines and
// the few status lines compose prints between them.

export interface LogLine {
  readonly type: 'line';
  readonly service: string;
  /** The engine name of the container. */
  readonly container: string;
  /** The name compose prints: the container name without the "<project>-" prefix ("web-1"). */
  readonly display: string;
  readonly stream: 'stdout' | 'stderr';
  /** One line, without its line ending. */
  readonly text: string;
  /** RFC 3339 with nanoseconds ("2024-05-01T10:00:00.123456789Z"), when timestamps were asked for. */
  readonly timestamp?: string;
}

export type LogEvent =
  | LogLine
  /** "Attaching to db-1, web-1" */
  | { readonly type: 'attaching'; readonly displays: readonly string[] }
  /** "web-1 exited with code 3" */
  | { readonly type: 'exited'; readonly service: string; readonly display: string; readonly exitCode: number }
  /** "web-1 has been recreated" */
  | { readonly type: 'recreated'; readonly service: string; readonly display: string }
  /** "Aborting on container exit...", "Gracefully stopping... (press Ctrl+C again to force)" */
  | { readonly type: 'notice'; readonly text: string };

export type LogSink = (event: LogEvent) => void;

/** The name compose prints for a container of a project: its name without the project prefix. */
export function displayName(project: string, container: string): string {
  for (const sep of ['-', '_']) if (container.startsWith(project + sep)) return container.slice(project.length + 1);
  return container;
}

/** Nanoseconds since the epoch of an RFC 3339 time with up to 9 fractional digits; undefined when unparsable. */
export function rfc3339Nanos(s: string): bigint | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** Local time as the engine prints log timestamps: RFC 3339, UTC, nine fractional digits. */
export function nowTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, (_, ms: string) => `.${ms}000000Z`);
}

/**
 * A --since/--until value as the docker CLI reads it: a Go duration relative to now ("42m", "1h30m"), Unix
 * seconds ("1700000000", "1700000000.5"), or an RFC 3339 date/time ("2013-01-02T13:23:37Z", "2013-01-02").
 * Returns seconds since the epoch; undefined for an empty value.
 */
export function parseTimeArg(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const rel = /^(\d+(?:\.\d+)?(?:ns|us|\u00b5s|ms|s|m|h))+$/.test(v);
  if (rel) {
    const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
    let ms = 0;
    for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|\u00b5s|ms|s|m|h)/g)) ms += Number(m[1]) * units[m[2]];
    return (now - ms) / 1000;
  }
  const nanos = rfc3339Nanos(v);
  if (nanos !== undefined) return Number(nanos / 1000n) / 1e6;
  const t = Date.parse(/^\d{4}-\d\d-\d\d$/.test(v) ? `${v}T00:00:00Z` : /[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
  if (Number.isNaN(t)) throw new Error(`invalid time "${value}": use a duration (42m), Unix seconds or an RFC 3339 date`);
  return t / 1000;
}
