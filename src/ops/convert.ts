// Service config → the Engine API create request, the way docker compose shapes it (labels, aliases,
// mounts for volumes and binds for host paths, port bindings), so inspecting a berth container and a compose
// container shows the same thing.
import type { ContainerCreateRequest, EndpointSettings, HealthConfig, Mount, PortBinding } from '../engine/types.js';
import { serviceConfigHash } from '../model/hash.js';
import { COMPOSE_COMPAT_VERSION, Labels } from '../model/labels.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { parseDuration } from '../model/units.js';

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

export function serviceImage(project: Project, serviceName: string): string {
  const service = project.services[serviceName];
  return service.image ?? `${project.name}-${serviceName}`;
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

const toNanos = (d: string | undefined): number | undefined => (d === undefined ? undefined : parseDuration(d) * 1_000_000);

export function healthConfig(service: ServiceConfig): HealthConfig | undefined {
  const h = service.healthcheck;
  if (!h) return undefined;
  if (h.disable) return { Test: ['NONE'] };
  return {
    Test: h.test ? [...h.test] : undefined,
    Interval: toNanos(h.interval),
    Timeout: toNanos(h.timeout),
    Retries: h.retries,
    StartPeriod: toNanos(h.start_period),
    StartInterval: toNanos(h.start_interval),
  };
}

export function restartPolicy(restart: string | undefined): { Name: string; MaximumRetryCount?: number } | undefined {
  if (!restart) return undefined;
  const [name, count] = restart.split(':');
  return { Name: name, MaximumRetryCount: count ? Number(count) : 0 };
}

/** Engine network name of a project network key. */
export function networkName(project: Project, key: string): string {
  return project.networks[key]?.name ?? `${project.name}_${key}`;
}

export function volumeName(project: Project, key: string): string {
  return project.volumes[key]?.name ?? `${project.name}_${key}`;
}

/** The service's networks in the order compose connects them: by priority (highest first), then name. */
export function serviceNetworks(service: ServiceConfig): string[] {
  const nets = service.networks ?? {};
  return Object.keys(nets).sort((a, b) => (nets[b]?.priority ?? 0) - (nets[a]?.priority ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
}

export function endpointSettings(project: Project, serviceName: string, key: string, containerName: string): EndpointSettings {
  const net = project.services[serviceName].networks?.[key] ?? undefined;
  const aliases = [containerName, serviceName, ...(net?.aliases ?? [])];
  const ipam =
    net?.ipv4_address || net?.ipv6_address || net?.link_local_ips
      ? { IPv4Address: net.ipv4_address, IPv6Address: net.ipv6_address, LinkLocalIPs: net.link_local_ips ? [...net.link_local_ips] : undefined }
      : undefined;
  return { Aliases: aliases, IPAMConfig: ipam, MacAddress: net?.mac_address };
}

export function createRequest(input: ContainerSpecInput): ContainerCreateRequest {
  const { project, serviceName, name } = input;
  const service = project.services[serviceName];
  const env = Object.entries(service.environment ?? {}).map(([k, v]) => (v === null || v === undefined ? k : `${k}=${v}`));

  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, PortBinding[]> = {};
  for (const p of service.ports ?? []) {
    const key = `${p.target}/${p.protocol ?? 'tcp'}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.host_ip ?? '', HostPort: p.published ?? '' });
  }
  for (const e of service.expose ?? []) {
    const [port, proto = 'tcp'] = String(e).split('/');
    exposed[`${port}/${proto}`] = {};
  }

  const binds: string[] = [];
  const mounts: Mount[] = [];
  for (const v of service.volumes ?? []) {
    if (v.type === 'bind' && (v.bind?.create_host_path ?? true) && !v.bind?.propagation && !v.bind?.selinux) {
      // Binds (not Mounts) create a missing host path, which compose's create_host_path default asks for.
      binds.push(v.read_only ? `${v.source}:${v.target}:ro` : `${v.source}:${v.target}`);
    } else if (v.type === 'volume') {
      mounts.push({
        Type: 'volume',
        Source: v.source ? volumeName(project, v.source) : undefined,
        Target: v.target,
        ReadOnly: v.read_only || undefined,
        VolumeOptions: { NoCopy: v.volume?.nocopy, Subpath: v.volume?.subpath },
      });
    } else if (v.type === 'tmpfs') {
      mounts.push({ Type: 'tmpfs', Target: v.target, TmpfsOptions: v.tmpfs ? { SizeBytes: Number(v.tmpfs.size) || undefined, Mode: v.tmpfs.mode } : undefined });
    } else {
      mounts.push({
        Type: v.type as Mount['Type'],
        Source: v.source,
        Target: v.target,
        ReadOnly: v.read_only || undefined,
        BindOptions: v.bind ? { Propagation: v.bind.propagation, CreateMountpoint: v.bind.create_host_path } : undefined,
      });
    }
  }

  const networks = serviceNetworks(service);
  const networkMode = service.network_mode ?? (networks.length ? networkName(project, networks[0]) : undefined);
  const endpoints: Record<string, EndpointSettings> = {};
  // API 1.41 takes one endpoint at create time; the others are connected before start.
  if (!service.network_mode && networks.length) {
    endpoints[networkName(project, networks[0])] = endpointSettings(project, serviceName, networks[0], name);
  }

  return {
    name,
    Image: serviceImage(project, serviceName),
    Cmd: service.command ? [...service.command] : undefined,
    Entrypoint: service.entrypoint ? [...service.entrypoint] : undefined,
    Env: env,
    Labels: containerLabels(input),
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
    Healthcheck: healthConfig(service),
    Hostname: service.hostname,
    User: service.user,
    WorkingDir: service.working_dir,
    Tty: service.tty,
    OpenStdin: service.stdin_open,
    AttachStdout: true,
    AttachStderr: true,
    StopSignal: service.stop_signal,
    StopTimeout: service.stop_grace_period ? Math.round(parseDuration(service.stop_grace_period) / 1000) : undefined,
    HostConfig: {
      Binds: binds.length ? binds : undefined,
      Mounts: mounts.length ? mounts : undefined,
      PortBindings: Object.keys(bindings).length ? bindings : undefined,
      RestartPolicy: restartPolicy(service.restart),
      NetworkMode: networkMode,
      Init: service.init as boolean | undefined,
      Privileged: service.privileged as boolean | undefined,
      ReadonlyRootfs: service.read_only as boolean | undefined,
    },
    NetworkingConfig: Object.keys(endpoints).length ? { EndpointsConfig: endpoints } : undefined,
  };
}
