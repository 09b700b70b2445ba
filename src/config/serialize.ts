// The Project as `docker compose config` prints it. Compose marshals Go structs, so key order follows
// its struct field order (listed below), JSON shows a few empty structs YAML omits (`ipam: {}`,
// `placement: {}`), and JSON prints `command: null` / `entrypoint: null` where YAML prints nothing.

import { stringify } from 'yaml';
import type { Project } from '../model/types.js';

type Tree = Record<string, unknown>;
type Format = 'yaml' | 'json';

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
const BIND_ORDER = ['propagation', 'create_host_path', 'selinux'];
const HEALTHCHECK_ORDER = ['test', 'timeout', 'interval', 'retries', 'start_period', 'start_interval', 'disable'];
const DEPENDS_ORDER = ['condition', 'restart', 'required'];
const BUILD_ORDER = [
  'context', 'dockerfile', 'dockerfile_inline', 'entitlements', 'args', 'ssh', 'labels', 'cache_from', 'cache_to',
  'no_cache', 'additional_contexts', 'pull', 'extra_hosts', 'isolation', 'network', 'target', 'secrets', 'shm_size',
  'tags', 'ulimits', 'platforms', 'privileged',
];
const DEPLOY_ORDER = ['mode', 'replicas', 'labels', 'update_config', 'rollback_config', 'resources', 'restart_policy', 'placement', 'endpoint_mode'];
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

function serviceObject(svc: Tree, format: Format): Tree {
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
      if (isTree(o.bind)) o.bind = ordered(o.bind, BIND_ORDER);
      return o;
    });
  }
  if (isTree(s.healthcheck)) s.healthcheck = ordered(s.healthcheck, HEALTHCHECK_ORDER);
  if (isTree(s.depends_on)) s.depends_on = mapEach(sortedKeys(s.depends_on), (d) => (isTree(d) ? ordered(d, DEPENDS_ORDER) : d));
  if (isTree(s.build)) s.build = ordered(s.build, BUILD_ORDER);
  if (isTree(s.deploy)) {
    const d: Tree = { ...s.deploy };
    if (format === 'json') {
      d.resources ??= {};
      d.placement ??= {};
    }
    s.deploy = ordered(d, DEPLOY_ORDER);
  }
  for (const k of ['environment', 'labels', 'annotations', 'networks', 'sysctls']) if (isTree(s[k])) s[k] = sortedKeys(s[k]);
  for (const k of ['secrets', 'configs']) {
    if (Array.isArray(s[k])) s[k] = (s[k] as unknown[]).map((r) => (isTree(r) ? ordered(r, FILE_REF_ORDER) : r));
  }
  return ordered(s, SERVICE_ORDER);
}

/** Exactly what `docker compose config --format json` prints, as an object. */
export function projectToConfigObject(project: Project): Record<string, unknown> {
  return configObject(project, 'json');
}

function configObject(project: Project, format: Format, escape = true): Record<string, unknown> {
  const top: Tree = { name: project.name };
  top.services = mapEach(sortedKeys(project.services as Tree), (s) => serviceObject(s as Tree, format));
  const networks = mapEach(sortedKeys(project.networks as Tree), (n) => {
    const net: Tree = { ...(n as Tree) };
    if (format === 'json') net.ipam ??= {};
    return ordered(net, NETWORK_ORDER);
  });
  if (Object.keys(networks).length > 0) top.networks = networks;
  const volumes = mapEach(sortedKeys(project.volumes as Tree), (v) => ordered(v as Tree, VOLUME_RES_ORDER));
  if (Object.keys(volumes).length > 0) top.volumes = volumes;
  for (const kind of ['secrets', 'configs'] as const) {
    const all = project[kind];
    if (all && Object.keys(all).length > 0) top[kind] = mapEach(sortedKeys(all as Tree), (o) => ordered(o as Tree, FILE_OBJECT_ORDER));
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

/** `escape: false` (with --no-interpolate) prints `${VAR}` as written instead of `$${VAR}`. */
export function serializeConfig(project: Project, format: Format, options: { escape?: boolean } = {}): string {
  const escape = options.escape !== false;
  if (format === 'json') {
    // Go's encoder escapes these HTML-sensitive characters; same JSON value, same bytes as compose
    return JSON.stringify(configObject(project, 'json', escape), null, 2)
      .replaceAll('&', '\\u0026')
      .replaceAll('<', '\\u003c')
      .replaceAll('>', '\\u003e');
  }
  // YAML 1.1 quoting makes "y", "on", "no"... quoted strings, as Go's yaml.v3 writes them
  return stringify(configObject(project, 'yaml', escape), { indent: 2, lineWidth: 0, version: '1.1' });
}
