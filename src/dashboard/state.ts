// What the dashboard shows of the project's containers, and how engine events change it. The reducer is pure
// and applied the moment an event arrives (a `docker kill` shows as exited without waiting for an inspect);
// details an event does not carry (ports, restart count, start time) come from an inspect that follows.

import { Labels } from '../model/labels.js';

export interface PortView {
  readonly hostIp: string;
  readonly hostPort: number;
  readonly target: number;
  readonly protocol: string;
}

export interface ContainerView {
  readonly id: string;
  readonly name: string;
  readonly service: string;
  readonly number: number;
  /** created, running, paused, restarting, exited, dead */
  readonly state: string;
  readonly health?: string;
  readonly exitCode?: number;
  readonly restartCount: number;
  readonly startedAt?: string;
  readonly image: string;
  readonly ports: readonly PortView[];
}

export type Containers = Readonly<Record<string, ContainerView>>;

/** The fields of an engine container event the reducer reads (the project API's events carry them). */
export interface ContainerEvent {
  readonly action: string;
  readonly id: string;
  readonly service: string;
  /** The engine's own attributes: name, image, exitCode. */
  readonly attributes: Readonly<Record<string, string>>;
}

export function applyEvent(containers: Containers, e: ContainerEvent): Containers {
  const current = containers[e.id];
  const action = e.action.startsWith('exec_') ? '' : e.action;
  if (action === 'destroy') {
    if (!current) return containers;
    const next = { ...containers };
    delete next[e.id];
    return next;
  }
  const base: ContainerView = current ?? {
    id: e.id,
    name: e.attributes.name ?? e.id.slice(0, 12),
    service: e.service,
    number: Number(/-(\d+)$/.exec(e.attributes.name ?? '')?.[1] ?? 1),
    state: 'created',
    restartCount: 0,
    image: e.attributes.image ?? '',
    ports: [],
  };
  const health = /^health_status: (.+)$/.exec(action)?.[1];
  let next: ContainerView | undefined;
  if (health) next = { ...base, health };
  else {
    switch (action) {
      case 'create':
        next = base;
        break;
      case 'start':
      case 'restart':
      case 'unpause':
        // a fresh start has no exit code, and its health is unknown until the first check
        next = { ...base, state: 'running', exitCode: undefined, health: base.health === undefined ? undefined : 'starting' };
        break;
      case 'die':
        next = { ...base, state: 'exited', exitCode: Number(e.attributes.exitCode ?? 0), health: undefined };
        break;
      case 'pause':
        next = { ...base, state: 'paused' };
        break;
      case 'rename':
        next = { ...base, name: e.attributes.name ?? base.name };
        break;
      default:
        // kill, stop, attach, ...: the state change, if any, comes with its own event (die)
        if (!current) return containers;
        next = current;
    }
  }
  return next === current ? containers : { ...containers, [e.id]: next };
}

/** The subset of `docker inspect` the dashboard reads (the engine's raw document). */
export interface InspectDoc {
  readonly Id?: string;
  readonly Name?: string;
  readonly RestartCount?: number;
  readonly State?: { readonly Status?: string; readonly ExitCode?: number; readonly StartedAt?: string; readonly Health?: { readonly Status?: string } };
  readonly Config?: { readonly Image?: string; readonly Labels?: Readonly<Record<string, string>> };
  readonly NetworkSettings?: { readonly Ports?: Readonly<Record<string, readonly { readonly HostIp?: string; readonly HostPort?: string }[] | null>> | null };
}

/** A container as an inspect shows it. */
export function fromInspect(doc: InspectDoc): ContainerView | undefined {
  if (!doc.Id) return undefined;
  const labels = doc.Config?.Labels ?? {};
  const state = doc.State?.Status ?? 'created';
  const ports: PortView[] = [];
  for (const [key, bindings] of Object.entries(doc.NetworkSettings?.Ports ?? {})) {
    const [target, protocol = 'tcp'] = key.split('/');
    for (const b of bindings ?? []) {
      if (!b.HostPort) continue;
      ports.push({ hostIp: b.HostIp ?? '', hostPort: Number(b.HostPort), target: Number(target), protocol });
    }
  }
  // one binding per address family is the same port to a user: IPv4 and IPv6 wildcards shown once
  const seen = new Set<string>();
  const unique = ports
    .filter((p) => {
      const k = `${p.hostPort}/${p.protocol}/${p.target}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.target - b.target || a.hostPort - b.hostPort);
  return {
    id: doc.Id,
    name: (doc.Name ?? '').replace(/^\//, ''),
    service: labels[Labels.service] ?? '',
    number: Number(labels[Labels.containerNumber] ?? 1),
    state,
    health: doc.State?.Health?.Status,
    exitCode: state === 'exited' || state === 'dead' ? (doc.State?.ExitCode ?? 0) : undefined,
    restartCount: doc.RestartCount ?? 0,
    startedAt: doc.State?.StartedAt,
    image: doc.Config?.Image ?? '',
    ports: unique,
  };
}

/** Where a published port is reached from this host: a wildcard binding through the loopback address. */
export function portUrl(p: PortView): string {
  const host = !p.hostIp || p.hostIp === '0.0.0.0' || p.hostIp === '::' ? '127.0.0.1' : p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp;
  return `http://${host}:${p.hostPort}/`;
}
