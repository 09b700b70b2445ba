// A service's `build` section, from the loader's canonical form (context resolved to an absolute path,
// `dockerfile` defaulted, args a map) to what one classic build needs. Shapes the loader may still leave in
// short form (list args and labels, "host=ip" extra hosts) are accepted too.
import { ErrorCodes, OperationError } from '../model/errors.js';
import { serviceImage } from '../model/labels.js';
import type { Project } from '../model/types.js';
import { parseByteSize } from '../model/units.js';

export interface BuildSpec {
  readonly service: string;
  /** The image the service runs: `image:`, or `<project>-<service>`. */
  readonly image: string;
  /** Absolute context directory. */
  readonly context: string;
  /** Relative to the context, or absolute. */
  readonly dockerfile: string;
  readonly dockerfileInline?: string;
  readonly args: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly noCache: boolean;
  readonly pull: boolean;
  readonly network?: string;
  readonly shmSize?: number;
  readonly memory?: number;
  /** "host:ip" */
  readonly extraHosts: readonly string[];
  /** Extra names, besides `image`. */
  readonly tags: readonly string[];
  readonly cacheFrom: readonly string[];
  readonly platform?: string;
}

/** What the command line adds (`berth build --build-arg/--no-cache/--pull`). */
export interface BuildOverrides {
  /** KEY=VALUE, or KEY alone to take the value from the project environment. */
  readonly args?: readonly string[];
  readonly noCache?: boolean;
  readonly pull?: boolean;
  /** `build -m`: memory limit of the build's containers, bytes. */
  readonly memory?: number;
}

/** The builder berth drives, recorded on the image like compose's classic builder does. */
export const BUILDER_LABEL = 'com.docker.compose.image.builder';

// Keys of the build section that need BuildKit; the classic builder has no equivalent.
const BUILDKIT_ONLY = ['ssh', 'secrets', 'additional_contexts', 'cache_to', 'platforms', 'privileged', 'entitlements'] as const;

export function hasBuild(project: Project, service: string): boolean {
  return !!project.services[service]?.build;
}

type Env = Readonly<Record<string, string | undefined>>;

/** "K=V" / "K" list or map → map; bare keys resolved from env, dropped when unset there (as compose does). */
function keyValues(value: unknown, env: Env, what: string, service: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined || value === null) return out;
  if (Array.isArray(value)) {
    for (const item of value) {
      const s = String(item);
      const eq = s.indexOf('=');
      if (eq >= 0) out[s.slice(0, eq)] = s.slice(eq + 1);
      else if (env[s] !== undefined) out[s] = env[s]!;
    }
    return out;
  }
  if (typeof value !== 'object') throw new OperationError(ErrorCodes.SERVICE_SPEC, `service "${service}": build.${what} must be a list or a mapping`, { service });
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined) {
      if (env[k] !== undefined) out[k] = env[k]!;
    } else out[k] = String(v);
  }
  return out;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function extraHosts(value: unknown): string[] {
  if (!value) return [];
  const entries: [string, string][] = [];
  if (Array.isArray(value)) {
    for (const item of value.map(String)) {
      // "host=ip" (compose's own output) or "host:ip"; an IPv6 address keeps its colons
      const eq = item.indexOf('=');
      const colon = item.indexOf(':');
      const at = eq >= 0 ? eq : colon;
      if (at > 0) entries.push([item.slice(0, at), item.slice(at + 1)]);
    }
  } else if (typeof value === 'object') {
    for (const [host, ips] of Object.entries(value as Record<string, unknown>)) {
      for (const ip of Array.isArray(ips) ? ips : [ips]) entries.push([host, String(ip)]);
    }
  }
  return entries.map(([h, ip]) => `${h}:${ip.replace(/^\[(.*)\]$/, '$1')}`);
}

export function buildSpec(project: Project, service: string, overrides: BuildOverrides = {}): BuildSpec {
  const raw = project.services[service]?.build as Record<string, unknown> | undefined;
  if (!raw) throw new OperationError(ErrorCodes.SERVICE_SPEC, `service "${service}" has no build section`, { service });
  for (const key of BUILDKIT_ONLY) {
    if (raw[key] !== undefined && !(Array.isArray(raw[key]) && (raw[key] as unknown[]).length === 0)) {
      throw new OperationError(
        ErrorCodes.SERVICE_SPEC,
        `service "${service}": build.${key} needs BuildKit, and berth builds with the engine's classic builder; remove it or build with docker buildx`,
        { service },
      );
    }
  }
  const context = String(raw.context ?? project.meta.workingDir);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('git@')) {
    throw new OperationError(ErrorCodes.SERVICE_SPEC, `service "${service}": build.context ${context} is a URL; berth builds from a local directory only`, { service });
  }
  const env = project.meta.environment;
  const args = keyValues(raw.args, env, 'args', service);
  for (const [k, v] of Object.entries(keyValues(overrides.args ?? [], env, 'args', service))) args[k] = v;
  const s = project.services[service];
  let shmSize: number | undefined;
  if (raw.shm_size !== undefined && raw.shm_size !== null) {
    try {
      shmSize = parseByteSize(raw.shm_size as string | number);
    } catch {
      throw new OperationError(ErrorCodes.SERVICE_SPEC, `service "${service}": invalid build.shm_size ${JSON.stringify(raw.shm_size)}`, { service });
    }
  }
  return {
    service,
    image: serviceImage(project, service),
    context,
    dockerfile: String(raw.dockerfile ?? 'Dockerfile'),
    ...(typeof raw.dockerfile_inline === 'string' ? { dockerfileInline: raw.dockerfile_inline } : {}),
    args,
    ...(raw.target ? { target: String(raw.target) } : {}),
    labels: { ...keyValues(raw.labels, {}, 'labels', service), [BUILDER_LABEL]: 'classic' },
    noCache: overrides.noCache ?? raw.no_cache === true,
    pull: overrides.pull ?? raw.pull === true,
    ...(raw.network ? { network: String(raw.network) } : {}),
    ...(shmSize !== undefined ? { shmSize } : {}),
    ...(overrides.memory !== undefined ? { memory: overrides.memory } : {}),
    extraHosts: extraHosts(raw.extra_hosts),
    tags: strings(raw.tags),
    cacheFrom: strings(raw.cache_from),
    ...(typeof s.platform === 'string' ? { platform: s.platform } : {}),
  };
}
