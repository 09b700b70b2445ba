// The container create request: everything else of the service, and the other concerns put together.
import type { ContainerCreateRequest, EndpointSettings, HealthConfig, HostConfig, PortBinding } from '../../engine/types.js';
import { serviceImage } from '../../model/labels.js';
import type { DeployConfig, ServiceConfig } from '../../model/types.js';
import { parseDuration } from '../../model/units.js';
import { type ContainerSpecInput, containerNameOf, resolveServiceRef } from './input.js';
import { containerLabels } from './labels.js';
import { serviceMounts } from './mounts.js';
import { endpointSettings, networkName, serviceLinks, serviceNetworks } from './networks.js';
import { resources } from './resources.js';
import { bytes, dict, list, nonEmpty, num, toNanos } from './values.js';

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
export function restartPolicy(restart: string | undefined, deploy?: DeployConfig): { Name: string; MaximumRetryCount?: number } | undefined {
  let policy: { Name: string; MaximumRetryCount?: number } | undefined;
  if (restart) {
    const [name, count] = restart.split(':');
    policy = { Name: restartName(name), MaximumRetryCount: count ? Number(count) || 0 : 0 };
  }
  const rp = deploy?.restart_policy;
  if (rp) policy = { Name: restartName(rp.condition ?? ''), MaximumRetryCount: rp.max_attempts ?? 0 };
  return policy;
}

// ---- the container

/** A request being built: its unset keys are deleted before it is returned (compose leaves them out). */
type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** `host=ip` / `host:ip` entries as the engine wants them (`host:ip`); an IPv6 address keeps its colons. */
function extraHosts(v: readonly string[] | undefined): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  return v.map((e) => {
    const at = e.includes('=') ? e.indexOf('=') : e.indexOf(':');
    return `${e.slice(0, at)}:${e.slice(at + 1)}`;
  });
}

/** security_opt as compose passes it; `systempaths=unconfined` is not an option but clears the masked paths. */
function securityOpts(v: readonly string[] | undefined): { opts?: string[]; unconfined: boolean } {
  const all = list(v) ?? [];
  const opts = all.filter((o) => o !== 'systempaths=unconfined');
  return { opts: nonEmpty(opts), unconfined: opts.length !== all.length };
}

export function createRequest(input: ContainerSpecInput): ContainerCreateRequest {
  const { project, serviceName, name } = input;
  const service = project.services[serviceName];
  const s = service;
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

  const logging = s.logging;
  const security = securityOpts(s.security_opt);
  const links = serviceLinks(project, serviceName, input.number);

  const hostConfig: Writable<HostConfig> = {
    Binds: nonEmpty(binds),
    Mounts: nonEmpty(mounts),
    // always a map, as compose sends it: `docker inspect` shows {} rather than null for a service without ports
    PortBindings: bindings,
    RestartPolicy: restartPolicy(service.restart, service.deploy),
    NetworkMode: networkMode,
    Init: s.init,
    Privileged: s.privileged || undefined,
    ReadonlyRootfs: s.read_only || undefined,
    CapAdd: nonEmpty(list(s.cap_add)),
    CapDrop: nonEmpty(list(s.cap_drop)),
    IpcMode: resolveServiceRef(input, s.ipc),
    PidMode: resolveServiceRef(input, s.pid ?? undefined),
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

  const request: Writable<ContainerCreateRequest> = {
    name,
    Image: serviceImage(project, serviceName),
    Cmd: service.command ? [...service.command] : undefined,
    Entrypoint: service.entrypoint ? [...service.entrypoint] : undefined,
    Env: env,
    Labels: containerLabels(input),
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
    Healthcheck: healthConfig(service),
    Hostname: service.hostname,
    Domainname: s.domainname,
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
  return request;
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
  return service.mac_address || undefined;
}
