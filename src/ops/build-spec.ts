// A service's `build` section, from the loader's canonical form (context resolved to an absolute path,
// `dockerfile` defaulted, args a map) to what one build needs. extra_hosts, which the loader keeps as
// written in a build section, is read in either of its forms.
import type { BuildKitCacheEntry, BuildSecret, BuildSshAgent } from '../engine/types.js';
import { ErrorCodes, OperationError } from '../model/errors.js';
import { COMPOSE_COMPAT_VERSION, Labels, serviceImage } from '../model/labels.js';
import type { BuildConfig, ExtraHosts, ListOrDict, Project } from '../model/types.js';
import { parseByteSize } from '../model/units.js';
import { isAbsolute, resolve } from 'node:path';
import { buildKitCache, buildSecrets, buildSsh, type BuildCacheExport } from './build-buildkit.js';

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
  // BuildKit only (build-buildkit.ts); empty/false for the classic builder
  readonly secrets: readonly BuildSecret[];
  readonly ssh: readonly BuildSshAgent[];
  /** cache_to type=inline: BUILDKIT_INLINE_CACHE=1. */
  readonly inlineCache: boolean;
  /** cache_from type=local (BuildKit only). */
  readonly localCacheImports?: readonly BuildKitCacheEntry[];
  /** cache_to exports besides inline (BuildKit only): type=registry and type=local. */
  readonly cacheTo?: readonly BuildCacheExport[];
  /**
   * additional_contexts by name (BuildKit only): a local directory (absolute), another service's image (built
   * first) or an image reference (`docker-image://`).
   */
  readonly additionalContexts?: Readonly<Record<string, AdditionalContext>>;
  /**
   * Entitlements the build asks the engine to grant (BuildKit only): `privileged` is security.insecure (as
   * compose maps it), `entitlements` lists them; the engine's configuration decides (Docker grants
   * network.host by default, security.insecure only when its builder config allows it).
   */
  readonly entitlements?: readonly string[];
  /** Non-fatal notes for the user (ignored secret modes, cache imports the builder cannot do). */
  readonly warnings: readonly string[];
}

export type AdditionalContext = { readonly dir: string } | { readonly service: string; readonly image: string } | { readonly image: string };

/** What the command line adds (`berth build --build-arg/--no-cache/--pull`). */
export interface BuildOverrides {
  /** KEY=VALUE, or KEY alone to take the value from the project environment. */
  readonly args?: readonly string[];
  readonly noCache?: boolean;
  readonly pull?: boolean;
  /** `build -m`: memory limit of the build's containers, bytes. */
  readonly memory?: number;
  /** `build --ssh` entries ("default", "id=path[,path]"). */
  readonly ssh?: readonly string[];
}

/** The builder berth drives, recorded on the image like compose's classic builder does. */
export const BUILDER_LABEL = 'com.docker.compose.image.builder';

// Keys of the build section that need BuildKit; the classic builder has no equivalent.
const BUILDKIT_ONLY = ['ssh', 'secrets', 'additional_contexts', 'cache_to', 'platforms', 'privileged', 'entitlements'] as const satisfies readonly (keyof BuildConfig)[];
// Those of them berth's BuildKit builds serve (the session's secrets, ssh and cache handling).
const BUILDKIT_SERVED = new Set<string>(['ssh', 'secrets', 'cache_to', 'additional_contexts', 'privileged', 'entitlements']);

export function hasBuild(project: Project, service: string): boolean {
  return !!project.services[service]?.build;
}

type Env = Readonly<Record<string, string | undefined>>;

/** "K=V" / "K" list or map → map; bare keys resolved from env, dropped when unset there (as compose does). */
function keyValues(value: ListOrDict | undefined, env: Env): Record<string, string> {
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
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) {
      if (env[k] !== undefined) out[k] = env[k]!;
    } else out[k] = String(v);
  }
  return out;
}

function strings(value: readonly string[] | undefined): string[] {
  return value ? [...value] : [];
}

function extraHosts(value: ExtraHosts | undefined): string[] {
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
  } else {
    for (const [host, ips] of Object.entries(value)) {
      for (const ip of isList(ips) ? ips : [ips]) entries.push([host, String(ip)]);
    }
  }
  return entries.map(([h, ip]) => `${h}:${ip.replace(/^\[(.*)\]$/, '$1')}`);
}

// Keys BuildKit knows but berth's builds cannot pass.
const BUILDKIT_UNREACHABLE: readonly (readonly [keyof BuildConfig, string])[] = [
  ['platforms', "builds several platforms at once, which needs a buildx builder; set the service's platform instead"],
];
const UNREACHABLE_KEYS = new Set<string>(BUILDKIT_UNREACHABLE.map(([key]) => key));

export type Builder = 'buildkit' | 'classic';

/** compose's rule: BuildKit unless DOCKER_BUILDKIT is set to a false value. */
export function builderFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): Builder {
  const v = env.DOCKER_BUILDKIT?.trim().toLowerCase();
  return v === '0' || v === 'false' ? 'classic' : 'buildkit';
}

/**
 * additional_contexts → named contexts: `service:<name>` is that service's image (the service is built first,
 * buildServices), `docker-image://<ref>` an image, anything else a local directory (the loader resolved it
 * against the project directory). Remote contexts (URLs, git) are refused, as berth builds from local files.
 */
export function additionalContexts(project: Project, service: string, raw: Readonly<Record<string, string>> | undefined): Record<string, AdditionalContext> {
  const out: Record<string, AdditionalContext> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    const v = String(value);
    const fail = (why: string): never => {
      throw new OperationError(ErrorCodes.SERVICE_SPEC, `service "${service}": build.additional_contexts.${name} ${why}`, { service });
    };
    if (v.startsWith('service:')) {
      const ref = v.slice('service:'.length);
      if (!project.services[ref]) fail(`refers to undefined service ${ref}`);
      out[name] = { service: ref, image: serviceImage(project, ref) };
    } else if (v.startsWith('docker-image://')) {
      if (v.length === 'docker-image://'.length) fail('names no image');
      out[name] = { image: v.slice('docker-image://'.length) };
    } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || v.startsWith('git@')) {
      fail(`${v} is a URL; berth builds from local directories, service: references and docker-image:// images only`);
    } else {
      out[name] = { dir: isAbsolute(v) ? v : resolve(project.meta.workingDir, v) };
    }
  }
  return out;
}

function entitlementsOf(raw: BuildConfig): { entitlements?: string[] } {
  const out = new Set<string>();
  if (raw.privileged === true) out.add('security.insecure');
  for (const e of raw.entitlements ?? []) out.add(String(e));
  return out.size ? { entitlements: [...out] } : {};
}

const present = (v: unknown) => v !== undefined && v !== null && v !== false && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);

export function buildSpec(project: Project, service: string, overrides: BuildOverrides = {}, builder: Builder = 'classic'): BuildSpec {
  const raw = project.services[service]?.build;
  if (!raw) throw new OperationError(ErrorCodes.SERVICE_SPEC, `service "${service}" has no build section`, { service });
  const classic = builder === 'classic';
  if (builder === 'buildkit') {
    for (const [key, why] of BUILDKIT_UNREACHABLE) {
      if (present(raw[key])) throw new OperationError(ErrorCodes.SERVICE_SPEC, `service "${service}": build.${key} ${why}`, { service });
    }
  }
  for (const key of BUILDKIT_ONLY) {
    if (builder === 'buildkit' && (UNREACHABLE_KEYS.has(key) || BUILDKIT_SERVED.has(key))) continue;
    const value = raw[key];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) {
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
  const args = keyValues(raw.args, env);
  for (const [k, v] of Object.entries(keyValues(overrides.args ?? [], env))) args[k] = v;
  const s = project.services[service];
  let shmSize: number | undefined;
  if (raw.shm_size !== undefined && raw.shm_size !== null) {
    try {
      shmSize = parseByteSize(raw.shm_size);
    } catch {
      throw new OperationError(ErrorCodes.SERVICE_SPEC, `service "${service}": invalid build.shm_size ${JSON.stringify(raw.shm_size)}`, { service });
    }
  }
  const secrets = classic ? { secrets: [], warnings: [] } : buildSecrets(project, service);
  const cache = classic ? { cacheFrom: strings(raw.cache_from), inline: false, exports: [], warnings: [], localImports: [] } : buildKitCache(service, strings(raw.cache_from), strings(raw.cache_to));
  return {
    service,
    image: serviceImage(project, service),
    context,
    dockerfile: String(raw.dockerfile ?? 'Dockerfile'),
    ...(typeof raw.dockerfile_inline === 'string' ? { dockerfileInline: raw.dockerfile_inline } : {}),
    args,
    ...(raw.target ? { target: String(raw.target) } : {}),
    // compose labels BuildKit images with the project and service, classic ones with the builder
    labels:
      builder === 'buildkit'
        ? { ...keyValues(raw.labels, {}), [Labels.project]: project.name, [Labels.service]: service, [Labels.version]: COMPOSE_COMPAT_VERSION }
        : { ...keyValues(raw.labels, {}), [BUILDER_LABEL]: 'classic' },
    noCache: overrides.noCache ?? raw.no_cache === true,
    pull: overrides.pull ?? raw.pull === true,
    ...(raw.network ? { network: String(raw.network) } : {}),
    ...(shmSize !== undefined ? { shmSize } : {}),
    ...(overrides.memory !== undefined ? { memory: overrides.memory } : {}),
    extraHosts: extraHosts(raw.extra_hosts),
    tags: strings(raw.tags),
    cacheFrom: cache.cacheFrom,
    ...(typeof s.platform === 'string' ? { platform: s.platform } : {}),
    secrets: secrets.secrets,
    ssh: classic ? [] : buildSsh(project, service, overrides.ssh),
    inlineCache: cache.inline,
    ...(cache.localImports.length ? { localCacheImports: cache.localImports } : {}),
    ...(cache.exports.length ? { cacheTo: cache.exports } : {}),
    additionalContexts: classic ? {} : additionalContexts(project, service, raw.additional_contexts),
    ...(classic ? {} : entitlementsOf(raw)),
    warnings: [...secrets.warnings, ...cache.warnings],
  };
}

const isList = (v: string | readonly string[]): v is readonly string[] => Array.isArray(v);
