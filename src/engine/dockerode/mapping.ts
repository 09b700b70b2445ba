// Engine API documents (PascalCase JSON, engine 20.10 / API 1.41 and later) reduced to berth's engine types.
// The engine sends null for empty maps and lists in many places (Labels, Env, Aliases, Volumes), so every
// collection is defaulted here and nothing downstream has to care.
import type {
  ContainerInspect,
  ContainerPort,
  ContainerState,
  ContainerSummary,
  EngineEvent,
  HealthStatus,
  ImageSummary,
  NetworkSummary,
  VolumeSummary,
} from '../types.js';

type Json = Record<string, any>;

const STATES: readonly ContainerState[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];
const HEALTH: readonly HealthStatus[] = ['starting', 'healthy', 'unhealthy', 'none'];

function state(value: unknown): ContainerState {
  const s = String(value ?? '').toLowerCase();
  // An unknown state from a newer engine is closest to "dead" for every decision berth makes: not usable.
  return (STATES as readonly string[]).includes(s) ? (s as ContainerState) : 'dead';
}

function labels(value: unknown): Record<string, string> {
  return value && typeof value === 'object' ? { ...(value as Record<string, string>) } : {};
}

function stripSlash(name: unknown): string {
  const s = String(name ?? '');
  return s.startsWith('/') ? s.slice(1) : s;
}

// Go's zero time means "never happened".
function time(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && !value.startsWith('0001-01-01') ? value : undefined;
}

function mounts(value: unknown): ContainerSummary['mounts'] {
  if (!Array.isArray(value)) return [];
  return value.map((m: Json) => ({
    type: String(m.Type ?? ''),
    ...(m.Name ? { name: String(m.Name) } : {}),
    ...(m.Source ? { source: String(m.Source) } : {}),
    destination: String(m.Destination ?? ''),
  }));
}

export function toContainerSummary(c: Json): ContainerSummary {
  // A container has one canonical name; extra entries in Names are legacy links ("/other/alias").
  const names: string[] = Array.isArray(c.Names) ? c.Names : [];
  const primary = names.find((n) => n.lastIndexOf('/') === 0) ?? names[0] ?? '';
  const ports: ContainerPort[] = Array.isArray(c.Ports)
    ? c.Ports.map((p: Json) => ({
        privatePort: Number(p.PrivatePort),
        ...(p.PublicPort ? { publicPort: Number(p.PublicPort) } : {}),
        ...(p.IP ? { ip: String(p.IP) } : {}),
        type: String(p.Type ?? 'tcp'),
      }))
    : [];
  return {
    id: String(c.Id),
    name: stripSlash(primary),
    image: String(c.Image ?? ''),
    imageId: String(c.ImageID ?? ''),
    command: String(c.Command ?? ''),
    created: Number(c.Created ?? 0),
    state: state(c.State),
    status: String(c.Status ?? ''),
    labels: labels(c.Labels),
    ports,
    networks: Object.keys(c.NetworkSettings?.Networks ?? {}),
    mounts: mounts(c.Mounts),
  };
}

export function toContainerInspect(c: Json): ContainerInspect {
  const s: Json = c.State ?? {};
  const health = s.Health?.Status;
  const networks: Record<string, { aliases?: string[]; ipAddress?: string; networkId?: string }> = {};
  for (const [name, n] of Object.entries<Json>(c.NetworkSettings?.Networks ?? {})) {
    networks[name] = {
      ...(Array.isArray(n?.Aliases) ? { aliases: [...n.Aliases] } : {}),
      ...(n?.IPAddress ? { ipAddress: String(n.IPAddress) } : {}),
      ...(n?.NetworkID ? { networkId: String(n.NetworkID) } : {}),
    };
  }
  const config: Json = c.Config ?? {};
  return {
    id: String(c.Id),
    name: stripSlash(c.Name),
    image: String(c.Image ?? ''),
    state: {
      status: state(s.Status),
      running: Boolean(s.Running),
      exitCode: Number(s.ExitCode ?? 0),
      ...(typeof health === 'string' && (HEALTH as readonly string[]).includes(health)
        ? { health: health as HealthStatus }
        : {}),
      ...(time(s.StartedAt) ? { startedAt: s.StartedAt } : {}),
      ...(time(s.FinishedAt) ? { finishedAt: s.FinishedAt } : {}),
    },
    config: {
      image: String(config.Image ?? ''),
      labels: labels(config.Labels),
      env: Array.isArray(config.Env) ? [...config.Env] : [],
      ...(Array.isArray(config.Cmd) ? { cmd: [...config.Cmd] } : {}),
      ...(Array.isArray(config.Entrypoint) ? { entrypoint: [...config.Entrypoint] } : {}),
    },
    mounts: mounts(c.Mounts),
    networks,
    raw: c,
  };
}

export function toNetworkSummary(n: Json, withContainers: boolean): NetworkSummary {
  return {
    id: String(n.Id),
    name: String(n.Name),
    driver: String(n.Driver ?? ''),
    labels: labels(n.Labels),
    // Only inspect fills Containers; the list endpoint always sends {} and would claim an empty network.
    ...(withContainers ? { containers: Object.keys(n.Containers ?? {}) } : {}),
  };
}

export function toVolumeSummary(v: Json): VolumeSummary {
  return {
    name: String(v.Name),
    driver: String(v.Driver ?? ''),
    labels: labels(v.Labels),
    ...(v.Mountpoint ? { mountpoint: String(v.Mountpoint) } : {}),
    ...(v.Scope ? { scope: String(v.Scope) } : {}),
  };
}

export function toImageSummary(i: Json): ImageSummary {
  return {
    id: String(i.Id),
    repoTags: Array.isArray(i.RepoTags) ? [...i.RepoTags] : [],
    ...(typeof i.Size === 'number' ? { size: i.Size } : {}),
    // Go's zero time ("0001-01-01T00:00:00Z") means never tagged since the engine started recording it
    ...(lastTagTime(i) ? { lastTagTime: lastTagTime(i) } : {}),
  };
}

function lastTagTime(i: Json): number | undefined {
  const t = Date.parse(String(i.Metadata?.LastTagTime ?? ''));
  return Number.isFinite(t) && t > 0 ? t : undefined;
}

/** undefined for a message that is not an event (the engine sends nothing else, but a proxy might). */
export function toEngineEvent(e: Json): EngineEvent | undefined {
  if (!e || typeof e !== 'object') return undefined;
  // API < 1.22 used status/id/from; Action/Actor have been there since, but fall back for odd proxies.
  const action = e.Action ?? e.status;
  const type = e.Type ?? (e.status !== undefined ? 'container' : undefined);
  if (typeof action !== 'string' || typeof type !== 'string') return undefined;
  const timeNano = typeof e.timeNano === 'number' ? e.timeNano : Number(e.time ?? 0) * 1e9;
  return {
    type,
    action,
    id: String(e.Actor?.ID ?? e.id ?? ''),
    attributes: labels(e.Actor?.Attributes),
    timeNano,
  };
}
