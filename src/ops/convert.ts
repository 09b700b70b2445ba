// Service config → the Engine API requests, shaped the way docker compose 2.26 shapes them (labels, aliases,
// Binds for host paths that may be created, Mounts for everything else, resources, namespaces), so that
// inspecting a berth container and a compose container shows the same thing. Everything here is pure: ids of
// other containers come in through ContainerSpecInput, and what must happen after create (files copied into
// the container) is returned as data for the executor.
//
// Invariants kept throughout:
// - a key the service does not set is left out of the request (undefined), so the engine applies its own
//   default exactly as it does for compose, which sends Go zero values the engine treats as "unset";
// - the loader may hand values in compose's printed shape ("104857600" strings for sizes, objects for
//   devices) or in the file's shape (numbers, "1mb", "src:dst:perm"); every reader below accepts both.
import type { ContainerCreateRequest, EndpointSettings, HealthConfig, Mount, NetworkCreateRequest, PortBinding, VolumeCreateRequest } from '../engine/types.js';
import { OperationError, ErrorCodes } from '../model/errors.js';
import { serviceConfigHash } from '../config/hash.js';
import { COMPOSE_COMPAT_VERSION, Labels, containerName as defaultContainerName, nameSeparator, serviceImage } from '../model/labels.js';
import type { Dict, FileObjectConfig, Project, ServiceConfig, ServiceVolume } from '../model/types.js';
import { parseByteSize, parseDuration, parseDurationNs } from '../model/units.js';

export interface ContainerSpecInput {
  readonly project: Project;
  readonly serviceName: string;
  readonly number: number;
  readonly name: string;
  /** Image id the container is created from (stored in com.docker.compose.image). */
  readonly imageId?: string;
  /**
   * Anonymous volumes of the container being replaced, mounted again at the same targets so a recreate
   * keeps their data (empty with -V / --renew-anon-volumes).
   */
  readonly inheritVolumes?: readonly { readonly name: string; readonly target: string }[];
  /**
   * The id of a container of another service, for `network_mode`/`ipc`/`pid: service:x` and `volumes_from`.
   * The planner orders the create after that container exists.
   */
  readonly serviceContainer?: (service: string) => string | undefined;
}

export function dependsOnLabel(service: ServiceConfig): string {
  return Object.entries(service.depends_on ?? {})
    .map(([name, d]) => `${name}:${d.condition}:${d.restart ?? false}`)
    .sort()
    .join(',');
}

export function containerLabels(input: ContainerSpecInput): Record<string, string> {
  const { project, serviceName, number } = input;
  const service = project.services[serviceName];
  const labels: Record<string, string> = {
    ...(service.labels ?? {}),
    [Labels.configHash]: serviceConfigHash(service),
    [Labels.containerNumber]: String(number),
    [Labels.dependsOn]: dependsOnLabel(service),
    [Labels.oneoff]: 'False',
    [Labels.project]: project.name,
    [Labels.workingDir]: project.meta.workingDir,
    [Labels.configFiles]: project.meta.composeFiles.join(','),
    [Labels.service]: serviceName,
    [Labels.version]: COMPOSE_COMPAT_VERSION,
  };
  if (input.imageId) labels[Labels.image] = input.imageId;
  return labels;
}

// ---- value readers (both the printed and the written shape)

const toNanos = (d: string | number | undefined): number | undefined =>
  d === undefined || d === null ? undefined : typeof d === 'number' ? d : parseDurationNs(d);

/** A byte size as compose reads it; undefined when absent or zero (the engine's "unset"). */
function bytes(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = parseByteSize(v as string | number);
  return n || undefined;
}

function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** compose-go keeps cpus as a float32 and multiplies in float32: 0.1 → 100000000, not 100000001. */
function nanoCpus(v: unknown): number | undefined {
  const n = num(v);
  if (!n) return undefined;
  return Math.trunc(Math.fround(Math.fround(n) * 1e9));
}

const list = (v: unknown): string[] | undefined => (v === undefined || v === null ? undefined : Array.isArray(v) ? v.map(String) : [String(v)]);
const nonEmpty = <T>(a: T[] | undefined): T[] | undefined => (a && a.length ? a : undefined);
const dict = (v: unknown): Record<string, string> | undefined => {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) {
    return Object.fromEntries(v.map((e) => String(e)).map((e) => (e.includes('=') ? [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] : [e, ''])));
  }
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, x === null || x === undefined ? '' : String(x)]));
};

export function healthConfig(service: ServiceConfig): HealthConfig | undefined {
  const h = service.healthcheck;
  if (!h) return undefined;
  // compose keeps the timings of a disabled check and only replaces its test
  return {
    Test: h.disable ? ['NONE'] : h.test ? [...h.test] : undefined,
    Interval: toNanos(h.interval),
    Timeout: toNanos(h.timeout),
    Retries: h.retries,
    StartPeriod: toNanos(h.start_period),
    StartInterval: toNanos(h.start_interval),
  };
}

/** deploy.restart_policy conditions and `restart:` values, as the engine names them. */
function restartName(condition: string): string {
  switch (condition) {
    case 'none':
    case 'no':
      return 'no';
    case 'any':
    case 'always':
      return 'always';
    default:
      return condition;
  }
}

/** `restart:`, overridden by deploy.restart_policy when that is set (as compose does). */
export function restartPolicy(restart: string | undefined, deploy?: unknown): { Name: string; MaximumRetryCount?: number } | undefined {
  let policy: { Name: string; MaximumRetryCount?: number } | undefined;
  if (restart) {
    const [name, count] = restart.split(':');
    policy = { Name: restartName(name), MaximumRetryCount: count ? Number(count) || 0 : 0 };
  }
  const rp = (deploy as { restart_policy?: { condition?: string; max_attempts?: number } } | undefined)?.restart_policy;
  if (rp) policy = { Name: restartName(rp.condition ?? ''), MaximumRetryCount: rp.max_attempts ?? 0 };
  return policy;
}

// ---- names

/** Engine network name of a project network key. */
export function networkName(project: Project, key: string): string {
  return project.networks[key]?.name ?? `${project.name}_${key}`;
}

export function volumeName(project: Project, key: string): string {
  return project.volumes[key]?.name ?? `${project.name}_${key}`;
}

function serviceScale(service: ServiceConfig | undefined): number {
  const replicas = (service?.deploy as { replicas?: number } | undefined)?.replicas;
  return service?.scale ?? replicas ?? 1;
}

function containerNameOf(project: Project, service: string, n: number): string {
  return (project.services[service]?.container_name as string | undefined) ?? defaultContainerName(project.name, service, n);
}

/**
 * `service:x` → `container:<id of x's first container>`; compose resolves it the same way at create time.
 * Without an id (a dry run, a unit test) the first container's name stands in: the engine resolves names too.
 */
function resolveServiceRef(input: ContainerSpecInput, mode: string | undefined): string | undefined {
  if (!mode?.startsWith('service:')) return mode;
  const other = mode.slice('service:'.length);
  return `container:${input.serviceContainer?.(other) ?? containerNameOf(input.project, other, 1)}`;
}

// ---- networks

/** The service's networks in the order compose connects them: by priority (highest first), then name. */
export function serviceNetworks(service: ServiceConfig): string[] {
  const nets = service.networks ?? {};
  return Object.keys(nets).sort((a, b) => (nets[b]?.priority ?? 0) - (nets[a]?.priority ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Engine links of a container, as compose builds them: for each `links:` entry, every container of the linked
 * service under the alias, `<service>-<n>` and `<project>-<service>-<n>` (n being this container's number, as
 * compose does), then `external_links` as written. The linked containers exist before this one: links imply
 * depends_on.
 */
export function serviceLinks(project: Project, serviceName: string, number: number): string[] {
  const service = project.services[serviceName];
  const links: string[] = [];
  for (const raw of list(service.links) ?? []) {
    const [target, alias] = raw.split(':');
    const linkName = alias ?? target;
    for (let n = 1; n <= serviceScale(project.services[target]); n++) {
      const name = containerNameOf(project, target, n);
      const sep = nameSeparator();
      links.push(`${name}:${linkName}`, `${name}:${target}${sep}${number}`, `${name}:${[project.name, target, number].join(sep)}`);
    }
  }
  for (const raw of list(service.external_links) ?? []) {
    const [target, alias] = raw.split(':');
    links.push(`${target}:${alias ?? target}`);
  }
  return links;
}

/**
 * One endpoint's settings. IPAMConfig is present (possibly empty) whenever the service gives the network a
 * config, as compose sends it; the links go to every endpoint, as compose does.
 */
export function endpointSettings(project: Project, serviceName: string, key: string, containerName: string): EndpointSettings {
  const service = project.services[serviceName];
  const net = service.networks?.[key] ?? undefined;
  const aliases = [containerName, serviceName, ...(net?.aliases ?? [])];
  const number = Number(/[-_](\d+)$/.exec(containerName)?.[1] ?? 1);
  const links = serviceLinks(project, serviceName, number);
  const settings: { -readonly [K in keyof EndpointSettings]: EndpointSettings[K] } = { Aliases: aliases };
  if (links.length) settings.Links = links;
  if (net) {
    settings.IPAMConfig = {
      IPv4Address: net.ipv4_address || undefined,
      IPv6Address: net.ipv6_address || undefined,
      LinkLocalIPs: net.link_local_ips ? [...net.link_local_ips] : undefined,
    };
    const driverOpts = (net as { driver_opts?: Dict<string> }).driver_opts;
    if (driverOpts) settings.DriverOpts = { ...driverOpts };
  }
  return settings;
}

/** The network create request compose sends for a project network (labels included). */
export function networkCreateRequest(project: Project, key: string): NetworkCreateRequest {
  const net = project.networks[key];
  const config = net.ipam?.config ?? [];
  // compose sends an IPAM section only when the file sets an IPAM driver or pools
  const ipam =
    net.ipam && (net.ipam.driver || config.length)
      ? {
          Driver: net.ipam.driver || undefined,
          Config: config.length ? config.map(ipamPool) : undefined,
          Options: net.ipam.options ? { ...net.ipam.options } : undefined,
        }
      : undefined;
  return {
    Name: networkName(project, key),
    Driver: net.driver,
    Options: net.driver_opts ? { ...net.driver_opts } : undefined,
    IPAM: ipam,
    Internal: net.internal || undefined,
    Attachable: net.attachable || undefined,
    EnableIPv6: net.enable_ipv6,
    CheckDuplicate: true,
    Labels: { ...(net.labels ?? {}), [Labels.network]: key, [Labels.project]: project.name, [Labels.version]: COMPOSE_COMPAT_VERSION },
  };
}

function ipamPool(c: Dict<unknown>): Record<string, unknown> {
  const names: Record<string, string> = { subnet: 'Subnet', gateway: 'Gateway', ip_range: 'IPRange', aux_addresses: 'AuxiliaryAddresses' };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (v !== undefined && v !== null) out[names[k] ?? k] = v;
  return out;
}

/** The volume create request compose sends for a project volume (labels included). */
export function volumeCreateRequest(project: Project, key: string): VolumeCreateRequest {
  const vol = project.volumes[key];
  return {
    Name: volumeName(project, key),
    Driver: vol.driver,
    DriverOpts: vol.driver_opts ? { ...vol.driver_opts } : undefined,
    Labels: { ...(vol.labels ?? {}), [Labels.project]: project.name, [Labels.version]: COMPOSE_COMPAT_VERSION, [Labels.volume]: key },
  };
}

// ---- mounts

/** The short-syntax string compose gives the Binds API: `src:dst:rw|ro[,selinux][,propagation][,nocopy]`. */
function bindString(source: string, v: ServiceVolume): string {
  const opts = [v.read_only ? 'ro' : 'rw'];
  if (v.bind?.selinux) opts.push(v.bind.selinux);
  if (v.bind?.propagation) opts.push(v.bind.propagation);
  if (v.volume?.nocopy) opts.push('nocopy');
  return `${source}:${v.target}:${opts.join(',')}`;
}

const cleanTarget = (t: string): string => (t.length > 1 ? t.replace(/\/+$/, '') : t);

function volumeMount(project: Project, v: ServiceVolume): Mount {
  const target = cleanTarget(v.target);
  const base = { Target: target, ReadOnly: v.read_only || undefined, Consistency: v.consistency || undefined };
  switch (v.type) {
    case 'volume':
      return {
        Type: 'volume',
        ...base,
        Source: v.source ? volumeName(project, v.source) : undefined,
        VolumeOptions: v.volume ? { NoCopy: v.volume.nocopy || undefined, Subpath: v.volume.subpath || undefined } : undefined,
      };
    case 'tmpfs':
      return { Type: 'tmpfs', ...base, TmpfsOptions: v.tmpfs ? { SizeBytes: bytes(v.tmpfs.size), Mode: v.tmpfs.mode || undefined } : undefined };
    default:
      return {
        Type: v.type as Mount['Type'],
        ...base,
        Source: v.source,
        BindOptions: v.bind ? { Propagation: v.bind.propagation || undefined } : undefined,
      };
  }
}

/** Where a service's secret or config lands in the container. */
export function fileObjectTarget(kind: 'secrets' | 'configs', ref: { source: string; target?: string }): string {
  const base = kind === 'secrets' ? '/run/secrets/' : '/';
  if (!ref.target) return base + ref.source;
  return ref.target.startsWith('/') ? ref.target : base + ref.target;
}

interface FileRef {
  readonly source: string;
  readonly target?: string;
  readonly uid?: string;
  readonly gid?: string;
  readonly mode?: number | string;
}

function fileRefs(service: ServiceConfig, kind: 'secrets' | 'configs'): FileRef[] {
  const raw = (service[kind] as readonly (string | FileRef)[] | undefined) ?? [];
  return raw.map((r) => (typeof r === 'string' ? { source: r } : r));
}

/**
 * Binds and Mounts the way compose splits them: a bind that may create its host path (short syntax, or
 * `create_host_path: true`) goes through the Binds API, which creates a missing path; every other mount through
 * Mounts. Keyed by target: a later volume replaces an earlier one, secrets and configs never replace a volume.
 * File secrets and configs are read-only binds; environment/content ones are copied in after create
 * (postCreateCopies).
 */
export function serviceMounts(input: Pick<ContainerSpecInput, 'project' | 'serviceName' | 'inheritVolumes'>): { binds: string[]; mounts: Mount[] } {
  const { project, serviceName } = input;
  const service = project.services[serviceName];
  const byTarget = new Map<string, { bind?: string; mount?: Mount }>();
  const inherited = new Map((input.inheritVolumes ?? []).map((v) => [cleanTarget(v.target), v.name]));

  for (const v of service.volumes ?? []) {
    const target = cleanTarget(v.target);
    // a recreate re-mounts the old container's anonymous volume instead of making a new one
    if (v.type === 'volume' && !v.source && inherited.has(target)) {
      byTarget.set(target, { mount: { Type: 'volume', Source: inherited.get(target), Target: target, ReadOnly: v.read_only || undefined } });
      continue;
    }
    // a named volume whose driver binds a host path behaves as a bind for compose (`o: bind`)
    const projectVolume = v.type === 'volume' && v.source ? project.volumes[v.source] : undefined;
    if (projectVolume?.driver_opts?.o === 'bind') {
      byTarget.set(target, { bind: bindString(volumeName(project, v.source!), v) });
      continue;
    }
    if (v.type === 'bind' && v.bind?.create_host_path) {
      byTarget.set(target, { bind: bindString(v.source ?? '', v) });
      continue;
    }
    byTarget.set(target, { mount: volumeMount(project, v) });
  }
  // image-declared volumes of the old container that the service does not mention are inherited too
  for (const [target, name] of inherited) {
    if (!byTarget.has(target)) byTarget.set(target, { mount: { Type: 'volume', Source: name, Target: target } });
  }

  for (const kind of ['secrets', 'configs'] as const) {
    const defined = project[kind] ?? {};
    for (const ref of fileRefs(service, kind)) {
      const def = defined[ref.source];
      if (!def || def.external || def.environment || def.content !== undefined || !def.file) continue;
      const target = fileObjectTarget(kind, ref);
      if (byTarget.has(target)) continue;
      byTarget.set(target, { mount: { Type: 'bind', Source: def.file, Target: target, ReadOnly: true } });
    }
  }

  const binds: string[] = [];
  const mounts: Mount[] = [];
  for (const { bind, mount } of byTarget.values()) {
    if (bind) binds.push(bind);
    if (mount) mounts.push(mount);
  }
  return { binds, mounts };
}

// ---- secrets and configs copied in after create

export interface PostCreateCopy {
  /** Absolute path of the file in the container. */
  readonly path: string;
  readonly content: string;
  /** Permission bits (0o444 unless the service sets `mode`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** compose asks the engine to copy ownership when uid or gid is set. */
  readonly copyUIDGID: boolean;
}

function fileMode(mode: number | string | undefined): number {
  if (mode === undefined || mode === null || mode === '') return 0o444;
  return typeof mode === 'number' ? mode : parseInt(mode, 8);
}

/**
 * Files compose writes into a container before starting it: secrets from `environment:` (and `content:`),
 * configs from `environment:` or `content:`. The executor uploads each with
 * `engine.putArchive(id, '/', fileArchive(copy), { copyUIDGID: copy.copyUIDGID })` after create and before
 * every start (compose injects them in its start step, so a restarted container gets them again).
 * Throws when a referenced environment variable is not set, as compose does.
 */
export function postCreateCopies(project: Project, serviceName: string): PostCreateCopy[] {
  const service = project.services[serviceName];
  const out: PostCreateCopy[] = [];
  for (const kind of ['secrets', 'configs'] as const) {
    const defined: Dict<FileObjectConfig> = project[kind] ?? {};
    for (const ref of fileRefs(service, kind)) {
      const def = defined[ref.source];
      if (!def || def.external) continue;
      let content: string | undefined;
      if (def.environment) {
        const value = project.meta.environment[def.environment];
        if (value === undefined) {
          throw new OperationError(ErrorCodes.SECRET_SOURCE_UNSET, `environment variable "${def.environment}" required by ${kind.slice(0, -1)} "${ref.source}" is not set`, { service: serviceName });
        }
        content = value;
      } else if (def.content !== undefined) {
        content = def.content;
      }
      // compose skips an empty config (nothing to write) but writes an empty secret
      if (content === undefined || (kind === 'configs' && content === '')) continue;
      out.push({
        path: fileObjectTarget(kind, ref),
        content,
        mode: fileMode(ref.mode),
        uid: Number(ref.uid ?? 0) || 0,
        gid: Number(ref.gid ?? 0) || 0,
        copyUIDGID: !!(ref.uid || ref.gid),
      });
    }
  }
  return out;
}

/** A one-file ustar archive for the engine's archive upload, extracted at `/` (the path is made relative). */
export function fileArchive(copy: Pick<PostCreateCopy, 'path' | 'content' | 'mode' | 'uid' | 'gid'>, mtime: Date = new Date()): Buffer {
  const body = Buffer.from(copy.content, 'utf8');
  const name = copy.path.replace(/^\/+/, '');
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) => header.write(text, offset, Math.min(length, Buffer.byteLength(text)), 'utf8');
  const octal = (n: number, length: number) => `${Math.trunc(n).toString(8).padStart(length - 1, '0')}\0`;
  let nameField = name;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    // ustar splits long paths at a slash: prefix (155) + name (100)
    const cut = name.lastIndexOf('/', 155);
    prefix = name.slice(0, cut);
    nameField = name.slice(cut + 1);
  }
  put(nameField, 0, 100);
  put(octal(copy.mode & 0o7777, 8), 100, 8);
  put(octal(copy.uid, 8), 108, 8);
  put(octal(copy.gid, 8), 116, 8);
  put(octal(body.length, 12), 124, 12);
  put(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 12);
  put('        ', 148, 8); // checksum computed with blanks in its own field
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put(prefix, 345, 155);
  let sum = 0;
  for (const b of header) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([header, body, pad, Buffer.alloc(1024)]);
}

// ---- resources

interface DeployResources {
  readonly limits?: { readonly cpus?: number | string; readonly memory?: number | string; readonly pids?: number };
  readonly reservations?: {
    readonly memory?: number | string;
    readonly devices?: readonly { capabilities?: string[]; count?: number | string; device_ids?: string[]; driver?: string; options?: Dict<string> }[];
  };
}

function blkioDevices(v: unknown, key: 'Weight' | 'Rate'): { Path: string; Weight?: number; Rate?: number }[] | undefined {
  if (!Array.isArray(v) || !v.length) return undefined;
  return v.map((d: Record<string, unknown>) => {
    const path = String(d.path ?? d.Path);
    const value = d[key.toLowerCase()] ?? d[key];
    return key === 'Weight' ? { Path: path, Weight: num(value) ?? 0 } : { Path: path, Rate: parseByteSize(value as string | number) };
  });
}

function deviceMapping(d: unknown): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  if (typeof d === 'string') {
    const [src, dst, perm] = d.split(':');
    return { PathOnHost: src, PathInContainer: dst || src, CgroupPermissions: perm || 'rwm' };
  }
  const o = d as { source?: string; target?: string; permissions?: string };
  return { PathOnHost: o.source ?? '', PathInContainer: o.target || o.source || '', CgroupPermissions: o.permissions || 'rwm' };
}

/** A period given as a duration string ("400ms") or a count of microseconds. */
const micros = (v: unknown): number | undefined => (typeof v === 'string' && /[a-z]$/i.test(v) ? Math.round(parseDuration(v) * 1000) : num(v));

/** HostConfig resource fields: the service's own keys, then deploy.resources limits/reservations over them. */
export function resources(service: ServiceConfig): Record<string, unknown> {
  const s = service as Record<string, unknown>;
  const r: Record<string, unknown> = {
    CgroupParent: s.cgroup_parent,
    Memory: bytes(s.mem_limit),
    MemorySwap: s.memswap_limit === undefined ? undefined : parseByteSize(s.memswap_limit as string | number),
    MemorySwappiness: num(s.mem_swappiness) || undefined,
    MemoryReservation: bytes(s.mem_reservation),
    OomKillDisable: s.oom_kill_disable,
    CpuCount: num(s.cpu_count) || undefined,
    CpuPeriod: num(s.cpu_period) || undefined,
    CpuQuota: num(s.cpu_quota) || undefined,
    CpuRealtimePeriod: micros(s.cpu_rt_period) || undefined,
    CpuRealtimeRuntime: micros(s.cpu_rt_runtime) || undefined,
    CpuShares: num(s.cpu_shares) || undefined,
    NanoCpus: nanoCpus(s.cpus),
    CpuPercent: num(s.cpu_percent) ? Math.trunc(Number(s.cpu_percent) * 100) : undefined,
    CpusetCpus: s.cpuset,
    DeviceCgroupRules: nonEmpty(list(s.device_cgroup_rules)),
    PidsLimit: num(s.pids_limit) || undefined,
  };
  const blkio = s.blkio_config as Record<string, unknown> | undefined;
  if (blkio) {
    r.BlkioWeight = num(blkio.weight) || undefined;
    r.BlkioWeightDevice = blkioDevices(blkio.weight_device, 'Weight');
    r.BlkioDeviceReadBps = blkioDevices(blkio.device_read_bps, 'Rate');
    r.BlkioDeviceReadIOps = blkioDevices(blkio.device_read_iops, 'Rate');
    r.BlkioDeviceWriteBps = blkioDevices(blkio.device_write_bps, 'Rate');
    r.BlkioDeviceWriteIOps = blkioDevices(blkio.device_write_iops, 'Rate');
  }
  const deploy = (service.deploy as { resources?: DeployResources } | undefined)?.resources;
  if (deploy?.limits) {
    r.Memory = bytes(deploy.limits.memory) ?? r.Memory;
    r.NanoCpus = nanoCpus(deploy.limits.cpus) ?? r.NanoCpus;
    if ((num(deploy.limits.pids) ?? 0) > 0) r.PidsLimit = num(deploy.limits.pids);
  }
  if (deploy?.reservations) {
    // CPU reservations are a swarm notion; compose maps only memory and devices
    r.MemoryReservation = bytes(deploy.reservations.memory) ?? r.MemoryReservation;
    const requests = (deploy.reservations.devices ?? []).map((d) => ({
      Driver: d.driver ?? '',
      Count: d.count === 'all' ? -1 : (num(d.count) ?? 0),
      DeviceIDs: d.device_ids ? [...d.device_ids] : undefined,
      Capabilities: [d.capabilities ? [...d.capabilities] : []],
      Options: d.options ? { ...d.options } : undefined,
    }));
    if (requests.length) r.DeviceRequests = requests;
  }
  const devices = Array.isArray(s.devices) ? s.devices.map(deviceMapping) : [];
  if (devices.length) r.Devices = devices;
  const ulimits = Object.entries((s.ulimits as Dict<number | string | { soft?: number; hard?: number }> | undefined) ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, u]) => {
      const single = typeof u === 'object' ? 0 : Number(u);
      const soft = typeof u === 'object' && u.soft ? u.soft : single;
      const hard = typeof u === 'object' && u.hard ? u.hard : single;
      return { Name: name, Soft: soft, Hard: hard };
    });
  if (ulimits.length) r.Ulimits = ulimits;
  for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k];
  return r;
}

// ---- the container

/** `host=ip` / `host:ip` entries as the engine wants them (`host:ip`); an IPv6 address keeps its colons. */
function extraHosts(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const entries: [string, string][] = Array.isArray(v)
    ? v.map(String).map((e) => {
        const at = e.includes('=') ? e.indexOf('=') : e.indexOf(':');
        return [e.slice(0, at), e.slice(at + 1)];
      })
    : Object.entries(v as Record<string, string | string[]>).flatMap(([h, ips]) => (Array.isArray(ips) ? ips : [ips]).map((ip): [string, string] => [h, String(ip)]));
  return entries.map(([h, ip]) => `${h}:${ip}`);
}

/** security_opt as compose passes it; `systempaths=unconfined` is not an option but clears the masked paths. */
function securityOpts(v: unknown): { opts?: string[]; unconfined: boolean } {
  const all = list(v) ?? [];
  const opts = all.filter((o) => o !== 'systempaths=unconfined');
  return { opts: nonEmpty(opts), unconfined: opts.length !== all.length };
}

export function createRequest(input: ContainerSpecInput): ContainerCreateRequest {
  const { project, serviceName, name } = input;
  const service = project.services[serviceName];
  const s = service as Record<string, unknown>;
  const env = Object.entries(service.environment ?? {}).map(([k, v]) => (v === null || v === undefined ? k : `${k}=${v}`));

  // expose entries keep their text (compose sends "9000", not "9000/tcp"); published ports are target/protocol
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, PortBinding[]> = {};
  for (const e of service.expose ?? []) exposed[String(e)] = {};
  for (const p of service.ports ?? []) {
    const key = `${p.target}/${p.protocol ?? 'tcp'}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.host_ip ?? '', HostPort: p.published ?? '' });
  }

  const { binds, mounts } = serviceMounts(input);

  const tmpfs: Record<string, string> = {};
  for (const t of list(s.tmpfs) ?? []) {
    const at = t.indexOf(':');
    if (at < 0) tmpfs[t] = '';
    else tmpfs[t.slice(0, at)] = t.slice(at + 1);
  }

  // network_mode wins over networks; without either compose puts a service on the project's default network
  let networks = service.network_mode ? [] : serviceNetworks(service);
  // the loader gives every service without network_mode its networks; a hand-made project may not
  if (!service.network_mode && !networks.length && project.networks.default) networks = ['default'];
  const networkMode = service.network_mode ? resolveServiceRef(input, service.network_mode) : networks.length ? networkName(project, networks[0]) : 'none';
  const endpoints: Record<string, EndpointSettings> = {};
  // API 1.41 takes one endpoint at create time; the executor connects the others (endpointSettings) before start.
  if (networks.length) endpoints[networkName(project, networks[0])] = endpointSettings(project, serviceName, networks[0], name);

  // `container:name[:mode]` passes name and mode through; `service[:mode]` becomes the id of the service's first
  // container. compose 2.26 drops the mode of a service reference (`web:ro` mounts read-write); kept as is so
  // that both tools mount the same way.
  const volumesFrom = (list(s.volumes_from) ?? []).map((v) => {
    if (v.startsWith('container:')) return v.slice('container:'.length);
    const other = v.split(':')[0];
    return input.serviceContainer?.(other) ?? containerNameOf(project, other, 1);
  });

  const logging = s.logging as { driver?: string; options?: Dict<string> } | undefined;
  const security = securityOpts(s.security_opt);
  const links = serviceLinks(project, serviceName, input.number);

  const hostConfig: Record<string, unknown> = {
    Binds: nonEmpty(binds),
    Mounts: nonEmpty(mounts),
    // always a map, as compose sends it: `docker inspect` shows {} rather than null for a service without ports
    PortBindings: bindings,
    RestartPolicy: restartPolicy(service.restart, service.deploy),
    NetworkMode: networkMode,
    Init: s.init as boolean | undefined,
    Privileged: s.privileged || undefined,
    ReadonlyRootfs: s.read_only || undefined,
    CapAdd: nonEmpty(list(s.cap_add)),
    CapDrop: nonEmpty(list(s.cap_drop)),
    IpcMode: resolveServiceRef(input, s.ipc as string | undefined),
    PidMode: resolveServiceRef(input, s.pid as string | undefined),
    CgroupnsMode: s.cgroup,
    ShmSize: bytes(s.shm_size),
    Sysctls: dict(s.sysctls),
    VolumesFrom: nonEmpty(volumesFrom),
    Dns: nonEmpty(list(s.dns)),
    DnsSearch: nonEmpty(list(s.dns_search)),
    DnsOptions: nonEmpty(list(s.dns_opt)),
    ExtraHosts: nonEmpty(extraHosts(s.extra_hosts)),
    SecurityOpt: security.opts,
    StorageOpt: dict(s.storage_opt),
    UsernsMode: s.userns_mode,
    UTSMode: s.uts,
    Tmpfs: Object.keys(tmpfs).length ? tmpfs : undefined,
    Isolation: s.isolation,
    Runtime: s.runtime,
    LogConfig: logging ? { Type: logging.driver ?? '', Config: { ...(logging.options ?? {}) } } : undefined,
    GroupAdd: nonEmpty(list(s.group_add)),
    Links: nonEmpty(links),
    OomScoreAdj: num(s.oom_score_adj) || undefined,
    ...resources(service),
  };
  if (security.unconfined) {
    hostConfig.MaskedPaths = [];
    hostConfig.ReadonlyPaths = [];
  }
  for (const k of Object.keys(hostConfig)) if (hostConfig[k] === undefined) delete hostConfig[k];

  const request: Record<string, unknown> = {
    name,
    Image: serviceImage(project, serviceName),
    Cmd: service.command ? [...service.command] : undefined,
    Entrypoint: service.entrypoint ? [...service.entrypoint] : undefined,
    Env: env,
    Labels: containerLabels(input),
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
    Healthcheck: healthConfig(service),
    Hostname: service.hostname,
    Domainname: s.domainname as string | undefined,
    User: service.user,
    WorkingDir: service.working_dir,
    Tty: service.tty,
    OpenStdin: service.stdin_open,
    AttachStdout: true,
    AttachStderr: true,
    StopSignal: service.stop_signal,
    // Go's Duration.Seconds() truncated to an int, as compose does
    StopTimeout: service.stop_grace_period ? Math.trunc(parseDuration(service.stop_grace_period) / 1000) : undefined,
    NetworkDisabled: service.network_mode === 'disabled' || undefined,
    MacAddress: containerMacAddress(service, networks[0]),
    HostConfig: hostConfig,
    NetworkingConfig: Object.keys(endpoints).length ? { EndpointsConfig: endpoints } : undefined,
  };
  for (const k of Object.keys(request)) if (request[k] === undefined) delete request[k];
  return request as unknown as ContainerCreateRequest;
}

/**
 * API 1.41 has one container-wide MAC address (Config.MacAddress), applied on the first network. compose 2.26
 * takes it from the primary network's entry whenever the service gives that network a config (even one without
 * mac_address, which then drops a service-level mac_address), and from the service otherwise. Per-network MAC
 * addresses on other networks need API 1.44 (compose refuses them on 1.41); they are not sent.
 */
function containerMacAddress(service: ServiceConfig, primary: string | undefined): string | undefined {
  const primaryConfig = primary ? service.networks?.[primary] : undefined;
  if (primaryConfig) return primaryConfig.mac_address || undefined;
  return ((service as Record<string, unknown>).mac_address as string | undefined) || undefined;
}
