// Text helpers for `ps`-like output, matching what Docker Compose 2.26 prints.

/** Structurally the engine's ContainerPort, so ui needs no engine import. */
export interface PortLike {
  readonly privatePort: number;
  readonly publicPort?: number;
  /** Host address; empty or absent for a port that is only exposed. */
  readonly ip?: string;
  readonly type: string;
}

/**
 * Docker's PORTS column: "127.0.0.1:8080->80/tcp, 9000/tcp".
 *
 * Ports are sorted (private port, ip, public port, protocol). Runs of consecutive ports that share an
 * address and protocol and are published on the same number they expose collapse into a range
 * ("0.0.0.0:8000-8002->8000-8002/tcp", "7000-7001/tcp"); ranges come first in the order their key first
 * appears, then mappings to a different host port, one per entry. IPv6 addresses are printed bare
 * (":::8080->80/tcp") as compose 2.26 does, not bracketed as newer docker does.
 */
export function formatPorts(ports: readonly PortLike[]): string {
  const sorted = [...ports].sort(
    (a, b) =>
      a.privatePort - b.privatePort ||
      cmp(a.ip ?? '', b.ip ?? '') ||
      (a.publicPort ?? 0) - (b.publicPort ?? 0) ||
      cmp(a.type, b.type),
  );
  interface Run { ip: string; type: string; first: number; last: number }
  const ranges: string[] = [];
  const mappings: string[] = [];
  const open = new Map<string, Run>();
  const formatRun = (r: Run): string => {
    const span = r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`;
    return r.ip ? `${r.ip}:${span}->${span}/${r.type}` : `${span}/${r.type}`;
  };
  for (const p of sorted) {
    const ip = p.ip ?? '';
    if (ip && p.publicPort !== p.privatePort) {
      mappings.push(`${ip}:${p.publicPort ?? ''}->${p.privatePort}/${p.type}`);
      continue;
    }
    const key = `${ip}/${p.type}`;
    const run = open.get(key);
    if (run && p.privatePort === run.last + 1) {
      run.last = p.privatePort;
    } else if (run) {
      // a gap closes the run; it is printed before the runs still open (docker's order)
      ranges.push(formatRun(run));
      open.set(key, { ip, type: p.type, first: p.privatePort, last: p.privatePort });
    } else {
      open.set(key, { ip, type: p.type, first: p.privatePort, last: p.privatePort });
    }
  }
  // Map iteration order is insertion order of the key, i.e. first appearance, as docker prints them
  for (const run of open.values()) ranges.push(formatRun(run));
  return [...ranges, ...mappings].join(', ');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Docker's human duration (go-units HumanDuration): "Less than a second", "1 second", "About a minute",
 * "5 minutes", "About an hour", "3 hours", "2 days", "3 weeks", "4 months", "2 years".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  const minutes = Math.trunc(ms / 60_000);
  const hours = Math.round(ms / 3_600_000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

/** The CREATED column: "2 seconds ago", "About a minute ago". `created` and `now` in ms since the epoch. */
export function createdAgo(created: number, now: number = Date.now()): string {
  return `${humanDuration(Math.max(0, now - created))} ago`;
}

/**
 * The COMMAND column: cut to 20 characters with "…" (unless noTrunc), then Go-quoted:
 * `"sh -c 'echo hello w…"`.
 */
export function truncateCommand(command: string, options: { noTrunc?: boolean } = {}): string {
  return goQuote(options.noTrunc ? command : ellipsis(command, 20));
}

/** docker's formatter.Ellipsis: longer than max characters → its first max-1 and "…". */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : s;
}

const GO_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"',
};

/** Go's strconv.Quote for the characters a command realistically holds; printable Unicode stays as is. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (GO_ESCAPES[ch]) out += GO_ESCAPES[ch];
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}
