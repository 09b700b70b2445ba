// What compose adds on top of the files: profile filtering, the implicit default network, and the
// `<project>_<key>` engine names of networks, volumes, secrets and configs. Resources that no enabled
// service uses are dropped, as `docker compose config` drops them.

import type { ServiceConfig } from '../model/types.js';
import { isMap } from './merge.js';
import { canonicalHook } from './canonical.js';

type Tree = Record<string, unknown>;

export interface ModelParts {
  services: Record<string, Tree>;
  networks: Record<string, Tree>;
  volumes: Record<string, Tree>;
  secrets: Record<string, Tree>;
  configs: Record<string, Tree>;
}

/** Splits services into enabled and disabled-by-profile ones. `*` enables every profile. */
export function applyProfiles(
  services: Record<string, Tree>,
  activeProfiles: readonly string[],
  named: readonly string[] = [],
): { enabled: Record<string, Tree>; disabled: Record<string, ServiceConfig> } {
  const enabled: Record<string, Tree> = {};
  const disabled: Record<string, ServiceConfig> = {};
  // services named on the command line enable their profiles
  const active = new Set(activeProfiles);
  for (const n of named) {
    const svc = services[n];
    if (svc && Array.isArray(svc.profiles)) for (const p of svc.profiles) active.add(String(p));
  }
  for (const [name, svc] of Object.entries(services)) {
    const profiles = Array.isArray(svc.profiles) ? svc.profiles.map(String) : [];
    const on = profiles.length === 0 || active.has('*') || profiles.some((p) => active.has(p));
    if (on) enabled[name] = svc;
    else disabled[name] = svc as ServiceConfig;
  }
  return { enabled, disabled };
}

export function applyDefaults(project: string, parts: ModelParts): ModelParts {
  const services: Record<string, Tree> = {};
  for (const [name, svc] of Object.entries(parts.services)) {
    // a service joins the default network unless it says where it goes
    const withNet = svc.networks === undefined && svc.network_mode === undefined ? { ...svc, networks: { default: null } } : svc;
    // compose 2.26 prints `restart` on implicit dependencies only when it is true
    services[name] = withImplicitDependencies(withNet, false);
  }
  // one pass over the services for both questions (a large file has tens of thousands)
  const used = usedResources(services);
  const kept = withoutUnusedResources({ ...parts, services }, used);
  const networks = { ...kept.networks };
  if (used.networks.has('default') && !networks.default) networks.default = {};
  return {
    services,
    networks: named(project, networks),
    volumes: named(project, kept.volumes),
    secrets: named(project, kept.secrets),
    configs: named(project, kept.configs),
  };
}

/** Networks, volumes, secrets and configs no service refers to are dropped (compose does, normalized or not). */
export function withoutUnusedResources(parts: ModelParts, used = usedResources(parts.services)): ModelParts {
  const keep = (all: Record<string, Tree>, names: Set<string>) =>
    Object.fromEntries(Object.entries(all).filter(([k]) => names.has(k))) as Record<string, Tree>;
  return {
    services: parts.services,
    networks: keep(parts.networks, used.networks),
    volumes: keep(parts.volumes, used.volumes),
    secrets: keep(parts.secrets, used.secrets),
    configs: keep(parts.configs, used.configs),
  };
}

/**
 * Sharing another service's namespace or volumes, or linking to it, makes a dependency even when
 * depends_on does not say so; compose lists it in depends_on (namespace sharers restart with it).
 */
function withImplicitDependencies(svc: Tree, restartFalse = true): Tree {
  const implicit: [string, boolean][] = [];
  for (const key of ['network_mode', 'ipc', 'pid']) {
    const v = svc[key];
    if (typeof v === 'string' && v.startsWith('service:')) implicit.push([v.slice('service:'.length), true]);
  }
  if (Array.isArray(svc.links)) for (const l of svc.links) implicit.push([String(l).split(':')[0], true]);
  if (Array.isArray(svc.volumes_from)) {
    for (const v of svc.volumes_from) {
      const s = String(v);
      if (!s.startsWith('container:')) implicit.push([s.split(':')[0], false]);
    }
  }
  svc = withPreStartImage(svc);
  if (implicit.length === 0) return svc;
  const deps: Record<string, unknown> = isMap(svc.depends_on) ? { ...svc.depends_on } : {};
  for (const [name, restart] of implicit) {
    if (!(name in deps)) deps[name] = { condition: 'service_started', ...(restart || restartFalse ? { restart } : {}), required: true };
  }
  return { ...svc, depends_on: deps };
}

/** The engine name: given `name:`, else the key for external resources, else `<project>_<key>`. */
function named(project: string, resources: Record<string, Tree>): Record<string, Tree> {
  const out: Record<string, Tree> = {};
  for (const [key, r] of Object.entries(resources)) {
    if (r.name === '') {
      // a name that interpolated to nothing counts as given-but-empty: compose prints no name then
      const { name: _n, ...rest } = r;
      out[key] = r.external === true ? rest : { ...rest, name: `${project}_${key}` };
      continue;
    }
    const name = typeof r.name === 'string' ? r.name : r.external === true ? key : `${project}_${key}`;
    out[key] = { name, ...r };
  }
  return out;
}

function usedResources(services: Record<string, Tree>) {
  const networks = new Set<string>();
  const volumes = new Set<string>();
  const secrets = new Set<string>();
  const configs = new Set<string>();
  for (const svc of Object.values(services)) {
    if (isMap(svc.networks)) for (const n of Object.keys(svc.networks)) networks.add(n);
    if (Array.isArray(svc.volumes)) {
      for (const v of svc.volumes) if (isMap(v) && v.type === 'volume' && typeof v.source === 'string') volumes.add(v.source);
    }
    if (Array.isArray(svc.secrets)) for (const s of svc.secrets) if (isMap(s)) secrets.add(String(s.source));
    const build = svc.build;
    if (isMap(build) && Array.isArray(build.secrets)) for (const s of build.secrets) if (isMap(s)) secrets.add(String(s.source));
    if (Array.isArray(svc.configs)) for (const c of svc.configs) if (isMap(c)) configs.add(String(c.source));
  }
  return { networks, volumes, secrets, configs };
}

/** `pre_start` hooks without an image run in the service's image. */
function withPreStartImage(svc: Tree): Tree {
  if (!Array.isArray(svc.pre_start) || typeof svc.image !== 'string') return svc;
  const image = svc.image;
  // re-canonicalized so that image takes its place in the hook's field order
  return { ...svc, pre_start: svc.pre_start.map((h) => (isMap(h) && h.image === undefined ? canonicalHook({ ...h, image }) : h)) };
}
