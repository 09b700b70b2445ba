// The Project as `docker compose config` prints it. Compose marshals Go structs, so key order follows
// its struct field order (listed below), JSON shows a few empty structs YAML omits (`ipam: {}`,
// `placement: {}`), and JSON prints `command: null` / `entrypoint: null` where YAML prints nothing.

import type { Project, ServiceConfig } from '../model/types.js';

type Tree = Record<string, unknown>;
export type Format = 'yaml' | 'json';

const SERVICE_ORDER = [
  'profiles', 'annotations', 'attach', 'build', 'develop', 'blkio_config', 'cap_add', 'cap_drop', 'cgroup_parent',
  'cgroup', 'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota', 'cpu_rt_period', 'cpu_rt_runtime', 'cpus',
  'cpuset', 'cpu_shares', 'command', 'configs', 'container_name', 'credential_spec', 'depends_on', 'deploy',
  'device_cgroup_rules', 'devices', 'dns', 'dns_opt', 'dns_search', 'dockerfile', 'domainname', 'entrypoint',
  'environment', 'env_file', 'expose', 'extends', 'external_links', 'extra_hosts', 'group_add', 'gpus', 'hostname',
  'healthcheck', 'image', 'init', 'ipc', 'isolation', 'labels', 'label_file', 'links', 'logging', 'log_driver',
  'log_opt', 'mem_limit', 'mem_reservation', 'memswap_limit', 'mem_swappiness', 'mac_address', 'models', 'net',
  'network_mode', 'networks', 'oom_kill_disable', 'oom_score_adj', 'pid', 'pids_limit', 'platform', 'ports',
  'post_start', 'pre_stop', 'privileged', 'provider', 'pull_policy', 'read_only', 'restart', 'runtime', 'scale',
  'secrets', 'security_opt', 'shm_size', 'stdin_open', 'stop_grace_period', 'stop_signal', 'storage_opt',
  'sysctls', 'tmpfs', 'tty', 'ulimits', 'use_api_socket', 'user', 'userns_mode', 'uts', 'volume_driver', 'volumes',
  'volumes_from', 'working_dir',
];
const PORT_ORDER = ['name', 'mode', 'host_ip', 'target', 'published', 'protocol', 'app_protocol'];
const VOLUME_ORDER = ['type', 'source', 'target', 'read_only', 'consistency', 'bind', 'volume', 'tmpfs', 'image'];
const BIND_ORDER = ['selinux', 'propagation', 'create_host_path', 'recursive'];
const HEALTHCHECK_ORDER = ['test', 'timeout', 'interval', 'retries', 'start_period', 'start_interval', 'disable'];
const DEPENDS_ORDER = ['condition', 'restart', 'required'];
const BUILD_ORDER = [
  'context', 'dockerfile', 'dockerfile_inline', 'entitlements', 'args', 'ssh', 'labels', 'cache_from', 'cache_to',
  'no_cache', 'additional_contexts', 'pull', 'extra_hosts', 'isolation', 'network', 'target', 'secrets', 'shm_size',
  'tags', 'ulimits', 'platforms', 'privileged',
];
const DEPLOY_ORDER = ['mode', 'replicas', 'labels', 'update_config', 'rollback_config', 'resources', 'restart_policy', 'placement', 'endpoint_mode'];
const PLACEMENT_ORDER = ['constraints', 'preferences', 'max_replicas_per_node'];
const IPAM_ORDER = ['driver', 'config', 'options'];
const IPAM_POOL_ORDER = ['subnet', 'gateway', 'ip_range', 'aux_addresses'];
const NETWORK_ORDER = ['name', 'driver', 'driver_opts', 'ipam', 'external', 'internal', 'attachable', 'labels', 'enable_ipv6'];
const VOLUME_RES_ORDER = ['name', 'driver', 'driver_opts', 'external', 'labels'];
const FILE_OBJECT_ORDER = ['name', 'file', 'environment', 'content', 'external', 'labels', 'driver', 'driver_opts', 'template_driver'];
const FILE_REF_ORDER = ['source', 'target', 'uid', 'gid', 'mode'];

/** Known keys in `order` first, then the others alphabetically (extensions last). */
function ordered(obj: Tree, order: readonly string[]): Tree {
  const out: Tree = {};
  for (const k of order) if (k in obj && obj[k] !== undefined) out[k] = obj[k];
  const rest = Object.keys(obj)
    .filter((k) => !order.includes(k) && obj[k] !== undefined)
    .sort((a, b) => Number(a.startsWith('x-')) - Number(b.startsWith('x-')) || (a < b ? -1 : a > b ? 1 : 0));
  for (const k of rest) out[k] = obj[k];
  return out;
}

const isTree = (v: unknown): v is Tree => v !== null && typeof v === 'object' && !Array.isArray(v);
const sortedKeys = (obj: Tree): Tree => ordered(obj, []);
const mapEach = (obj: Tree, fn: (v: unknown) => unknown): Tree =>
  Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v)]));

// compose-go's ServiceNetworkConfig field order
const SERVICE_NETWORK_ORDER = ['aliases', 'driver_opts', 'gw_priority', 'interface_name', 'ipv4_address', 'ipv6_address', 'link_local_ips', 'mac_address', 'priority'];
const TRIGGER_ORDER = ['path', 'action', 'target', 'exec', 'include', 'ignore', 'initial_sync'];

/** compose-go's FileMode prints in octal with a leading 0, in a string: 0o440 → "0440" (YAML and JSON). */
function fileMode(ref: unknown): unknown {
  if (!isTree(ref) || typeof ref.mode !== 'number') return ref;
  return { ...ref, mode: `0${ref.mode.toString(8)}` };
}

/** Extensions (x-*) of networks, volumes, secrets and configs are YAML-only, like the service's own. */
function withoutExtensions(obj: Tree): Tree {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !k.startsWith('x-')));
}

interface ServiceOptions {
  format: Format;
  /** the project was loaded with normalize: false */
  raw: boolean;
}

function serviceObject(svc: Tree, { format, raw }: ServiceOptions): Tree {
  const s: Tree = {};
  for (const [k, v] of Object.entries(svc)) {
    // service-level extensions are not part of compose's JSON output (they are in its YAML)
    if (format === 'json' && k.startsWith('x-')) continue;
    s[k] = v;
  }
  if (format === 'json') {
    if (s.command === undefined) s.command = null;
    if (s.entrypoint === undefined) s.entrypoint = null;
  } else {
    if (s.command === null) delete s.command;
    if (s.entrypoint === null) delete s.entrypoint;
  }
  if (Array.isArray(s.ports)) s.ports = s.ports.map((p) => (isTree(p) ? ordered(p, PORT_ORDER) : p));
  if (Array.isArray(s.volumes)) {
    s.volumes = s.volumes.map((v) => {
      if (!isTree(v)) return v;
      const o = ordered(v, VOLUME_ORDER);
      if (isTree(o.bind)) {
        // the newer compose (compose-go's OptOut) prints create_host_path only when false; compose 2.26 prints
        // `true` too. The corpus shows the newer form only for an unnormalized load (full-example), and
        // compose-ref's goldens show `true` for a normal one, so the newer form is used with normalize: false
        // only. The model keeps `true` either way: it decides how the engine mounts the path.
        const { create_host_path: chp, ...rest } = o.bind;
        o.bind = ordered(raw && chp === true ? rest : o.bind, BIND_ORDER);
      }
      return o;
    });
  }
  if (format === 'json') {
    // hooks and triggers keep their extensions in YAML only (compose-go: `json:"-"`); a trigger's exec is a
    // struct, not a pointer, so JSON prints an absent one as `{"command": null}` (and hashes it so)
    for (const k of ['post_start', 'pre_stop']) if (Array.isArray(s[k])) s[k] = (s[k] as unknown[]).map((h) => (isTree(h) ? withoutExtensions(h) : h));
    if (isTree(s.develop)) {
      const d = withoutExtensions(s.develop);
      if (Array.isArray(d.watch)) {
        d.watch = d.watch.map((t) => {
          if (!isTree(t)) return t;
          const o = withoutExtensions(t);
          o.exec = isTree(o.exec) ? withoutExtensions(o.exec) : { command: null };
          return ordered(o, TRIGGER_ORDER);
        });
      }
      s.develop = d;
    }
  }
  if (isTree(s.healthcheck)) s.healthcheck = ordered(s.healthcheck, HEALTHCHECK_ORDER);
  if (isTree(s.depends_on)) s.depends_on = mapEach(sortedKeys(s.depends_on), (d) => (isTree(d) ? ordered(d, DEPENDS_ORDER) : d));
  if (isTree(s.build)) {
    const b: Tree = { ...s.build };
    // Go maps print with sorted keys
    for (const k of ['args', 'labels', 'additional_contexts']) if (isTree(b[k])) b[k] = sortedKeys(b[k]);
    if (Array.isArray(b.secrets)) b.secrets = b.secrets.map((r) => (isTree(r) ? ordered(fileMode(r) as Tree, FILE_REF_ORDER) : r));
    s.build = ordered(b, BUILD_ORDER);
  }
  if (isTree(s.deploy)) {
    const d: Tree = { ...s.deploy };
    if (format === 'json') {
      d.resources ??= {};
      d.placement ??= {};
    }
    if (isTree(d.placement)) d.placement = ordered(d.placement, PLACEMENT_ORDER);
    s.deploy = ordered(d, DEPLOY_ORDER);
  }
  // Go maps print with sorted keys
  if (isTree(s.ulimits)) s.ulimits = sortedKeys(s.ulimits);
  if (isTree(s.logging) && isTree(s.logging.options)) s.logging = { ...s.logging, options: sortedKeys(s.logging.options) };
  if (isTree(s.networks)) {
    s.networks = mapEach(s.networks, (n) => (isTree(n) ? ordered(isTree(n.driver_opts) ? { ...n, driver_opts: sortedKeys(n.driver_opts) } : n, SERVICE_NETWORK_ORDER) : n));
  }
  for (const k of ['environment', 'labels', 'annotations', 'networks', 'sysctls']) if (isTree(s[k])) s[k] = sortedKeys(s[k]);
  for (const k of ['secrets', 'configs']) {
    if (Array.isArray(s[k])) s[k] = (s[k] as unknown[]).map((r) => (isTree(r) ? ordered(fileMode(r) as Tree, FILE_REF_ORDER) : r));
  }
  return ordered(s, SERVICE_ORDER);
}

/** Exactly what `docker compose config --format json` prints, as an object. */
export function projectToConfigObject(project: Project): Record<string, unknown> {
  return configObject(project, 'json');
}

export function configObject(project: Project, format: Format, escape = true): Record<string, unknown> {
  const top: Tree = { name: project.name };
  const raw = project.meta?.normalized === false;
  top.services = mapEach(sortedKeys(project.services as Tree), (s) => serviceObject(s as Tree, { format, raw }));
  const resource = (r: unknown): Tree => {
    const out = format === 'json' ? withoutExtensions(r as Tree) : { ...(r as Tree) };
    if (isTree(out.driver_opts)) out.driver_opts = sortedKeys(out.driver_opts);
    if (isTree(out.ipam)) {
      const ipam = ordered(out.ipam, IPAM_ORDER);
      if (Array.isArray(ipam.config)) ipam.config = ipam.config.map((c) => (isTree(c) ? ordered(c, IPAM_POOL_ORDER) : c));
      out.ipam = ipam;
    }
    return out;
  };
  const networks = mapEach(sortedKeys(project.networks as Tree), (n) => {
    const net = resource(n);
    if (format === 'json') net.ipam ??= {};
    return ordered(net, NETWORK_ORDER);
  });
  if (Object.keys(networks).length > 0) top.networks = networks;
  const volumes = mapEach(sortedKeys(project.volumes as Tree), (v) => ordered(resource(v), VOLUME_RES_ORDER));
  if (Object.keys(volumes).length > 0) top.volumes = volumes;
  for (const kind of ['secrets', 'configs'] as const) {
    const all = project[kind];
    if (all && Object.keys(all).length > 0) top[kind] = mapEach(sortedKeys(all as Tree), (o) => ordered(resource(o), FILE_OBJECT_ORDER));
  }
  // top-level extensions ride along on the project object (see loadProject)
  for (const [k, v] of Object.entries(project)) if (k.startsWith('x-')) top[k] = v;
  // compose's JSON goes through a map (alphabetical keys); its YAML follows the struct order
  const out =
    format === 'json' ? sortedKeys(top) : ordered(top, ['name', 'services', 'networks', 'volumes', 'secrets', 'configs']);
  return (escape ? escapeDollars(out) : out) as Record<string, unknown>;
}

/**
 * Compose prints every `$` as `$$` so that its output loads back to the same values. Extension
 * values are free-form maps, which Go marshals with sorted keys; they get sorted here too.
 */
function escapeDollars(value: unknown, sortKeys = false): unknown {
  if (typeof value === 'string') return value.replaceAll('$', '$$$$');
  if (Array.isArray(value)) return value.map((v) => escapeDollars(v, sortKeys));
  if (isTree(value)) {
    const source = sortKeys ? sortedKeys(value) : value;
    return Object.fromEntries(
      Object.entries(source).map(([k, v]) => [k.replaceAll('$', '$$$$'), escapeDollars(v, sortKeys || k.startsWith('x-'))]),
    );
  }
  return value;
}

/**
 * One service exactly as compose marshals it (compact, its field order, HTML characters escaped, `$` as is):
 * the input of compose's config hash, so berth's hash equals compose's and neither tool recreates the
 * other's containers.
 */
export function composeServiceJson(service: ServiceConfig, raw = false): string {
  return JSON.stringify(serviceObject(service as Tree, { format: 'json', raw }))
    .replaceAll('&', '\\u0026')
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e');
}
