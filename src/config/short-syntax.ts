// Compose's short syntaxes for ports and volumes, parsed into the long syntax `config` prints.
// Error messages keep compose's wording so users can search for them.

import type { ServicePort, ServiceVolume } from '../model/types.js';

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

/** "[ip:][published:]target[/protocol]" with ranges → one entry per container port. */
export function parsePortSpec(spec: string): ServicePort[] {
  let raw = spec;
  let protocol = 'tcp';
  const slash = raw.lastIndexOf('/');
  if (slash >= 0) {
    protocol = raw.slice(slash + 1);
    raw = raw.slice(0, slash);
    if (!PROTOCOLS.has(protocol.toLowerCase())) throw new Error(`Invalid proto: ${protocol}`);
  }
  const parts = raw.split(':');
  const container = parts[parts.length - 1];
  const published = parts.length >= 2 ? parts[parts.length - 2] : '';
  // everything before published:target is the host IP; IPv6 addresses contain colons of their own
  let hostIp = parts.length >= 3 ? parts.slice(0, parts.length - 2).join(':') : '';
  if (hostIp.startsWith('[') && hostIp.endsWith(']')) hostIp = hostIp.slice(1, -1);
  if (hostIp && !isIp(hostIp)) throw new Error(`Invalid ip address: ${hostIp}`);
  if (container === '') throw new Error(`No port specified: ${spec === '' ? '<empty>' : spec}`);

  const [cStart, cEnd] = parseRange(container, 'containerPort');
  let hStart = 0;
  let hEnd = 0;
  if (published !== '') [hStart, hEnd] = parseRange(published, 'hostPort');
  const count = cEnd - cStart + 1;
  if (published !== '' && count > 1 && hEnd - hStart + 1 !== count) {
    throw new Error(`Invalid ranges specified for container and host Ports: ${container} and ${published}`);
  }
  const out: ServicePort[] = [];
  for (let i = 0; i < count; i++) {
    let pub: string | undefined;
    if (published !== '') {
      // a host range mapped onto one container port stays a range: the engine picks a free one
      if (count === 1) pub = hStart === hEnd ? String(hStart) : `${hStart}-${hEnd}`;
      else pub = String(hStart + i);
    }
    out.push({
      mode: 'ingress',
      ...(hostIp ? { host_ip: hostIp } : {}),
      target: cStart + i,
      ...(pub !== undefined ? { published: pub } : {}),
      protocol: protocol.toLowerCase(),
    });
  }
  return out;
}

function parseRange(s: string, what: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  const start = m ? Number(m[1]) : NaN;
  const end = m?.[2] !== undefined ? Number(m[2]) : start;
  if (!m || start > 65535 || end > 65535 || end < start) throw new Error(`Invalid ${what}: ${s}`);
  return [start, end];
}

function isIp(s: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s)) return s.split('.').every((p) => Number(p) <= 255);
  // IPv6 has at least two colons (`::1`); `80:80` is one port too many, not an address
  return /^[0-9a-fA-F:.]+$/.test(s) && (s.match(/:/g) ?? []).length >= 2;
}

const PROPAGATION = new Set(['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']);

/** "[source:]target[:options]" → long syntax. Sources that look like paths make bind mounts. */
export function parseVolumeSpec(spec: string): ServiceVolume {
  if (spec === '') throw new Error('invalid empty volume spec');
  // compose-go takes a spec of one or two characters ("." or "/a") whole, as the target of an anonymous
  // volume without an options object; compose 2.26 still printed `volume: {}` there (the corpus, newer, wins)
  if (spec.length <= 2) return { type: 'volume', target: spec };
  const parts = splitVolumeSpec(spec);
  if (parts.length > 3) throw new Error(`invalid spec: ${spec}: too many colons`);
  if (parts.some((p) => p === '')) throw new Error(`invalid spec: ${spec}: empty section between colons`);
  if (parts.length === 1) return { type: 'volume', target: parts[0], volume: {} };

  const [source, target, options = ''] = parts;
  const bind = isPathLike(source);
  let readOnly = false;
  let nocopy = false;
  let propagation: string | undefined;
  let selinux: 'z' | 'Z' | undefined;
  for (const opt of options.split(',').filter(Boolean)) {
    // unknown options are ignored, as compose ignores them
    if (opt === 'ro') readOnly = true;
    else if (opt === 'rw') readOnly = false;
    else if (opt === 'nocopy') nocopy = true;
    else if (opt === 'z' || opt === 'Z') selinux = opt;
    else if (PROPAGATION.has(opt)) propagation = opt;
  }
  if (bind) {
    return {
      type: 'bind',
      source,
      target,
      ...(readOnly ? { read_only: true } : {}),
      bind: { create_host_path: true, ...(propagation ? { propagation } : {}), ...(selinux ? { selinux } : {}) },
    };
  }
  return {
    type: 'volume',
    source,
    target,
    ...(readOnly ? { read_only: true } : {}),
    // bind options on a named volume are kept in a bind section, as compose-go's parser keeps them
    ...(propagation || selinux ? { bind: { ...(selinux ? { selinux } : {}), ...(propagation ? { propagation } : {}) } } : {}),
    volume: nocopy ? { nocopy: true } : {},
  };
}

/**
 * Splits on `:` except inside `${...}` (uninterpolated specs) and after a one-letter Windows drive
 * ("C:\x", "d:"). Like compose, a one-letter name followed by `:` counts as a drive: "a:/b" is one part.
 */
function splitVolumeSpec(spec: string): string[] {
  const parts: string[] = [];
  let buf = '';
  let depth = 0;
  for (let i = 0; i < spec.length; i++) {
    const ch = spec[i];
    if (ch === '$' && spec[i + 1] === '{') {
      depth++;
      buf += '${';
      i++;
      continue;
    }
    if (ch === '}' && depth > 0) depth--;
    if (ch === ':' && depth === 0 && !(buf.length === 1 && /[A-Za-z]/.test(buf))) {
      parts.push(buf);
      buf = '';
      continue;
    }
    buf += ch;
  }
  parts.push(buf);
  return parts;
}

function isPathLike(source: string): boolean {
  return /^[./~\\]/.test(source) || /^[A-Za-z]:([\\/]|$)/.test(source);
}
