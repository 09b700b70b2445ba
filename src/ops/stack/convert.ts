// The translation of a loaded Compose project into Swarm objects, as `docker stack deploy` makes them: one
// ServiceSpec per service named <stack>_<service>, overlay networks <stack>_<key>, secrets and configs. Pure:
// the caller supplies the names the secrets and configs got (content-addressed, see objects.ts) and resolves
// nothing on the engine here, so the same file always gives the same specs (golden-tested).
import type { ServiceSpec } from '../../engine/types.js';
import type { DeployConfig, FileObjectConfig, Project, ServiceConfig, ServiceFileRef, UpdateConfig } from '../../model/types.js';
import { parseByteSize, parseDurationNs } from '../../model/units.js';

export const STACK_NAMESPACE_LABEL = 'com.docker.stack.namespace';
export const STACK_IMAGE_LABEL = 'com.docker.stack.image';

/** Keys a swarm cannot honour: named once each in one line, in this order, as docker stack deploy does. */
const UNSUPPORTED = [
  'build', 'cgroup_parent', 'devices', 'external_links', 'links', 'mac_address', 'network_mode', 'privileged', 'restart', 'security_opt', 'shm_size', 'userns_mode',
] as const satisfies readonly (keyof ServiceConfig)[];
/** Keys that are accepted but do nothing on a swarm, with docker stack deploy's explanation. */
const DEPRECATED = [
  ['container_name', 'Setting the container name is not supported.'],
  ['expose', 'Exposing ports is unnecessary - services on the same network can access each other\'s containers on any port.'],
] as const satisfies readonly (readonly [keyof ServiceConfig, string])[];

export interface StackNetworkSpec {
  /** <stack>_<key>, or the external network's own name */
  readonly name: string;
  readonly external: boolean;
  readonly request?: {
    Name: string;
    Driver: string;
    Labels: Record<string, string>;
    Options?: Record<string, string>;
    Internal?: boolean;
    Attachable?: boolean;
    IPAM?: { Driver?: string; Config?: Record<string, unknown>[]; Options?: Record<string, string> };
  };
}

export interface StackConversion {
  /** By service key, in file order. */
  readonly services: Readonly<Record<string, ServiceSpec>>;
  /** Networks the services use, by key. */
  readonly networks: Readonly<Record<string, StackNetworkSpec>>;
  /** The warning lines docker stack deploy prints before deploying ("" when none). */
  readonly warnings: string;
}

/** The names given to the stack's secrets and configs, by key (convert never reads their content). */
export interface ObjectNames {
  readonly secrets: Readonly<Record<string, string>>;
  readonly configs: Readonly<Record<string, string>>;
}

type Json = Record<string, any>;

const withNamespace = (stack: string, labels?: Readonly<Record<string, string>>): Record<string, string> => ({ ...labels, [STACK_NAMESPACE_LABEL]: stack });
const ns = (v: string | undefined) => (v === undefined || v === null || v === '' ? undefined : parseDurationNs(String(v)));
const num = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : Number(v));
const nanoCpus = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : Math.round(Number(v) * 1e9));
const bytes = (v: string | number | undefined) => (v === undefined || v === null || v === '' ? undefined : parseByteSize(v));

/** Drop undefined values (and so keys), to keep specs comparable with what the engine stores. */
function compact<T extends Json>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export function unsupportedWarnings(project: Project): string {
  const seenUnsupported = new Set<string>();
  const deprecated = new Set<string>();
  for (const service of Object.values(project.services)) {
    for (const key of UNSUPPORTED) if (service[key] !== undefined) seenUnsupported.add(key);
    for (const [key] of DEPRECATED) {
      const value = service[key];
      if (value !== undefined && !(Array.isArray(value) && value.length === 0)) deprecated.add(key);
    }
  }
  let out = '';
  if (seenUnsupported.size) out += `Ignoring unsupported options: ${UNSUPPORTED.filter((k) => seenUnsupported.has(k)).join(', ')}\n\n`;
  if (deprecated.size) {
    out += 'Ignoring deprecated options:\n\n';
    for (const [key, why] of DEPRECATED) if (deprecated.has(key)) out += `${key}: ${why}\n\n`;
  }
  return out;
}

function restartPolicy(service: ServiceConfig): Json | undefined {
  const rp = service.deploy?.restart_policy;
  if (rp) {
    return compact({ Condition: rp.condition, Delay: ns(rp.delay), MaxAttempts: num(rp.max_attempts), Window: ns(rp.window) });
  }
  // `restart:` is reported as unsupported and ignored, as docker stack deploy does (checked by the differential)
  return undefined;
}

function updateConfig(c: UpdateConfig | undefined): Json | undefined {
  if (!c) return undefined;
  return compact({
    // docker stack deploy sends 1 when unset; the engine's own default would be 0 (all at once)
    Parallelism: c.parallelism !== undefined ? Number(c.parallelism) : 1,
    Delay: ns(c.delay),
    FailureAction: c.failure_action,
    Monitor: ns(c.monitor),
    MaxFailureRatio: c.max_failure_ratio !== undefined ? Number(c.max_failure_ratio) : 0,
    Order: c.order,
  });
}

function resources(deploy: DeployConfig | undefined): Json {
  const r = deploy?.resources;
  const out: Json = {};
  if (r?.limits) {
    out.Limits = compact({ NanoCPUs: nanoCpus(r.limits.cpus), MemoryBytes: bytes(r.limits.memory), Pids: (num(r.limits.pids) ?? 0) > 0 ? num(r.limits.pids) : undefined });
  }
  if (r?.reservations) {
    const generic = (r.reservations.generic_resources ?? []).map((g) => {
      const d = g.discrete_resource_spec;
      return { DiscreteResourceSpec: { Kind: d?.kind, Value: Number(d?.value) } };
    });
    out.Reservations = compact({ NanoCPUs: nanoCpus(r.reservations.cpus), MemoryBytes: bytes(r.reservations.memory), GenericResources: generic.length ? generic : undefined });
  }
  return out;
}

function placement(deploy: DeployConfig | undefined): Json {
  const p = deploy?.placement;
  if (!p) return {};
  const prefs = (p.preferences ?? []).map((x) => ({ Spread: { SpreadDescriptor: x.spread } }));
  return compact({
    Constraints: p.constraints?.length ? [...p.constraints] : undefined,
    Preferences: prefs.length ? prefs : undefined,
    MaxReplicas: p.max_replicas_per_node !== undefined ? Number(p.max_replicas_per_node) : undefined,
  });
}

function mode(deploy: DeployConfig | undefined): Json {
  const m = deploy?.mode ?? 'replicated';
  const replicas = deploy?.replicas !== undefined ? Number(deploy.replicas) : 1;
  switch (m) {
    case 'replicated':
      return { Replicated: { Replicas: replicas } };
    case 'global':
      return { Global: {} };
    case 'replicated-job':
      return { ReplicatedJob: { MaxConcurrent: replicas, TotalCompletions: replicas } };
    case 'global-job':
      return { GlobalJob: {} };
    default:
      throw new Error(`unknown deploy.mode "${m}"`);
  }
}

function healthcheck(service: ServiceConfig): Json | undefined {
  const h = service.healthcheck;
  if (!h) return undefined;
  if (h.disable) return { Test: ['NONE'] };
  return compact({
    Test: h.test ? [...h.test] : undefined,
    Interval: ns(h.interval),
    Timeout: ns(h.timeout),
    Retries: h.retries,
    StartPeriod: ns(h.start_period),
    StartInterval: ns(h.start_interval),
  });
}

function mounts(project: Project, stack: string, service: ServiceConfig): Json[] | undefined {
  const out: Json[] = (service.volumes ?? []).map((v): Json => {
    if (v.type === 'volume') {
      if (!v.source) return compact({ Type: 'volume', Target: v.target, ReadOnly: v.read_only || undefined });
      const vol = project.volumes[v.source];
      const name = vol?.name ?? `${stack}_${v.source}`;
      const driver = vol?.driver || vol?.driver_opts ? compact({ Name: vol?.driver, Options: vol?.driver_opts ? { ...vol.driver_opts } : undefined }) : undefined;
      return compact({
        Type: 'volume',
        Source: name,
        Target: v.target,
        ReadOnly: v.read_only || undefined,
        VolumeOptions: vol?.external ? (v.volume?.nocopy ? { NoCopy: true } : undefined) : compact({ NoCopy: v.volume?.nocopy || undefined, Labels: withNamespace(stack, vol?.labels), DriverConfig: driver }),
      });
    }
    if (v.type === 'bind') {
      return compact({ Type: 'bind', Source: v.source, Target: v.target, ReadOnly: v.read_only || undefined, BindOptions: v.bind?.propagation ? { Propagation: v.bind.propagation } : undefined });
    }
    if (v.type === 'tmpfs') {
      return compact({ Type: 'tmpfs', Target: v.target, ReadOnly: v.read_only || undefined, TmpfsOptions: v.tmpfs ? compact({ SizeBytes: bytes(v.tmpfs.size), Mode: v.tmpfs.mode }) : undefined });
    }
    return compact({ Type: v.type, Source: v.source, Target: v.target, ReadOnly: v.read_only || undefined });
  });
  // `tmpfs:` (the short list) is dropped without a word by docker stack deploy; berth does the same so the
  // specs agree (a `volumes:` entry of type tmpfs is the way to get one on a swarm)
  return out.length ? out : undefined;
}

/** The loader gives secrets and configs in their long form (`{ source }` for a bare name). */
const fileRefs = (service: ServiceConfig, kind: 'secrets' | 'configs'): readonly ServiceFileRef[] => service[kind] ?? [];

const fileMode = (m: number | string | undefined) => (m === undefined ? 0o444 : typeof m === 'number' ? m : parseInt(m, 8));

function secretRefs(service: ServiceConfig, names: ObjectNames): Json[] | undefined {
  const refs = fileRefs(service, 'secrets').map((r) => {
    // swarm mounts secrets under /run/secrets/; an absolute target is kept as given
    // the loader spells the default target as its full path; swarm wants the file name under /run/secrets/
    const name = (r.target ?? r.source).replace(/^\/run\/secrets\//, '');
    return { File: { Name: name, UID: r.uid ?? '0', GID: r.gid ?? '0', Mode: fileMode(r.mode) }, SecretName: names.secrets[r.source] ?? r.source };
  });
  return refs.length ? refs.sort((a, b) => a.SecretName.localeCompare(b.SecretName) || a.File.Name.localeCompare(b.File.Name)) : undefined;
}

function configRefs(service: ServiceConfig, names: ObjectNames): Json[] | undefined {
  const refs = fileRefs(service, 'configs').map((r) => ({
    // the loader spells the default target /<key>; docker stack deploy sends the bare key
    File: { Name: !r.target || r.target === `/${r.source}` ? r.source : r.target, UID: r.uid ?? '0', GID: r.gid ?? '0', Mode: fileMode(r.mode) },
    ConfigName: names.configs[r.source] ?? r.source,
  }));
  return refs.length ? refs.sort((a, b) => a.ConfigName.localeCompare(b.ConfigName) || a.File.Name.localeCompare(b.File.Name)) : undefined;
}

function environment(service: ServiceConfig): string[] | undefined {
  const env = Object.entries(service.environment ?? {}).map(([k, v]) => (v === null || v === undefined ? k : `${k}=${v}`));
  return env.length ? env.sort() : undefined;
}

function ports(service: ServiceConfig): Json[] | undefined {
  const out = (service.ports ?? []).flatMap((p) => {
    const published = p.published ? String(p.published) : '';
    const [from, to] = published.includes('-') ? published.split('-').map(Number) : [published ? Number(published) : undefined, undefined];
    const base = { Protocol: p.protocol || 'tcp', TargetPort: p.target, PublishMode: p.mode || 'ingress' };
    if (to !== undefined && from !== undefined) return Array.from({ length: to - from + 1 }, (_, i) => ({ ...base, PublishedPort: from + i }));
    return [compact({ ...base, PublishedPort: from })];
  });
  return out.length ? out.sort((a, b) => a.TargetPort - b.TargetPort || (a.PublishedPort ?? 0) - (b.PublishedPort ?? 0)) : undefined;
}

function serviceNetworks(project: Project, stack: string, key: string, service: ServiceConfig): Json[] {
  const entries = service.networks && Object.keys(service.networks).length ? Object.entries(service.networks) : [['default', null] as const];
  return entries
    .map(([net, cfg]) => ({ Target: project.networks[net]?.name ?? `${stack}_${net}`, Aliases: [...(cfg?.aliases ?? []), key] }))
    .sort((a, b) => a.Target.localeCompare(b.Target));
}

function extraHosts(service: ServiceConfig): string[] | undefined {
  const raw = service.extra_hosts;
  if (!raw) return undefined;
  // the engine's ContainerSpec.Hosts is /etc/hosts order: "IP host"; the loader writes each entry host=ip
  const list = raw.map((h) => {
    const [host, ip] = h.split(/[:=](.*)/s);
    return `${ip} ${host}`;
  });
  return list.length ? list : undefined;
}

function dnsConfig(service: ServiceConfig): Json {
  const list = (v: readonly string[] | undefined) => (v === undefined ? undefined : [...v]);
  return compact({ Nameservers: list(service.dns), Search: list(service.dns_search), Options: list(service.dns_opt) });
}

function ulimits(service: ServiceConfig): Json[] | undefined {
  const raw = service.ulimits;
  if (!raw) return undefined;
  return Object.entries(raw)
    .map(([Name, v]) => (typeof v === 'number' ? { Name, Soft: v, Hard: v } : { Name, Soft: v.soft, Hard: v.hard }))
    .sort((a, b) => a.Name.localeCompare(b.Name));
}

/** Capability names as the engine stores them: upper case with the CAP_ prefix ("ALL" stays as it is). */
function capabilities(raw: readonly string[] | undefined): string[] | undefined {
  const list = raw ?? [];
  return list.length ? list.map((c) => c.toUpperCase()).map((c) => (c === 'ALL' || c.startsWith('CAP_') ? c : `CAP_${c}`)) : undefined;
}

/** One service's spec, as docker stack deploy sends it (before the engine fills in its defaults). */
export function serviceSpec(project: Project, stack: string, key: string, names: ObjectNames): ServiceSpec {
  const service = project.services[key];
  const deploy = service.deploy;
  const image = service.image ?? '';
  const containerSpec = compact({
    Image: image,
    Labels: withNamespace(stack, service.labels),
    Command: service.entrypoint ? [...service.entrypoint] : undefined,
    Args: service.command ? [...service.command] : undefined,
    Hostname: service.hostname,
    Env: environment(service),
    Dir: service.working_dir,
    User: service.user,
    Groups: service.group_add?.length ? [...service.group_add] : undefined,
    Mounts: mounts(project, stack, service),
    StopGracePeriod: ns(service.stop_grace_period),
    StopSignal: service.stop_signal,
    TTY: service.tty || undefined,
    OpenStdin: service.stdin_open || undefined,
    Healthcheck: healthcheck(service),
    Hosts: extraHosts(service),
    DNSConfig: dnsConfig(service),
    Secrets: secretRefs(service, names),
    Configs: configRefs(service, names),
    ReadOnly: service.read_only || undefined,
    Init: service.init,
    Isolation: service.isolation,
    Sysctls: service.sysctls ? { ...service.sysctls } : undefined,
    Privileges: { CredentialSpec: null, SELinuxContext: null, NoNewPrivileges: false },
    CapabilityAdd: capabilities(service.cap_add),
    CapabilityDrop: capabilities(service.cap_drop),
    Ulimits: ulimits(service),
  });
  const logging = service.logging;
  return compact({
    Name: `${stack}_${key}`,
    Labels: { ...withNamespace(stack, deploy?.labels), [STACK_IMAGE_LABEL]: image },
    TaskTemplate: compact({
      ContainerSpec: containerSpec,
      LogDriver: logging?.driver ? compact({ Name: logging.driver, Options: logging.options ? { ...logging.options } : undefined }) : undefined,
      Resources: resources(deploy),
      RestartPolicy: restartPolicy(service),
      Placement: placement(deploy),
      Networks: serviceNetworks(project, stack, key, service),
    }),
    Mode: mode(deploy),
    UpdateConfig: updateConfig(deploy?.update_config),
    RollbackConfig: updateConfig(deploy?.rollback_config),
    EndpointSpec: compact({ Mode: deploy?.endpoint_mode ?? undefined, Ports: ports(service) }),
  });
}

function networkSpec(project: Project, stack: string, key: string): StackNetworkSpec {
  const n = project.networks[key];
  const name = n?.name ?? `${stack}_${key}`;
  if (n?.external) return { name, external: true };
  const ipam = n?.ipam ? compact({ Driver: n.ipam.driver, Config: n.ipam.config?.map((c) => ({ ...c })), Options: n.ipam.options ? { ...n.ipam.options } : undefined }) : undefined;
  return {
    name,
    external: false,
    request: compact({
      Name: name,
      Driver: n?.driver || 'overlay',
      Labels: withNamespace(stack, n?.labels),
      Options: n?.driver_opts ? { ...n.driver_opts } : undefined,
      Internal: n?.internal || undefined,
      Attachable: n?.attachable || undefined,
      IPAM: ipam,
    }),
  };
}

/** The whole stack. Services keyed in file order; networks only those some service uses. */
export function convertStack(project: Project, stack: string, names: ObjectNames): StackConversion {
  const services: Record<string, ServiceSpec> = {};
  const networks: Record<string, StackNetworkSpec> = {};
  for (const key of Object.keys(project.services)) {
    services[key] = serviceSpec(project, stack, key, names);
    const s = project.services[key];
    const keys = s.networks && Object.keys(s.networks).length ? Object.keys(s.networks) : ['default'];
    for (const net of keys) networks[net] ??= networkSpec(project, stack, net);
  }
  return { services, networks, warnings: unsupportedWarnings(project) };
}

/** A secret's or config's object on the swarm: content-addressed unless external. */
export interface StackObjectSpec {
  readonly key: string;
  readonly name: string;
  readonly external: boolean;
  readonly labels: Record<string, string>;
}

export const CONTENT_HASH_LABEL = 'com.docker.berth.content-hash';

/**
 * Name a secret or config by its content: <stack>_<key>-<first 10 hex of sha256>. A swarm secret cannot be
 * changed in place and one in use cannot be removed, so docker stack deploy fails on a changed secret; a new
 * name for new content instead makes the change an ordinary service update that rolls the tasks.
 */
export function objectSpec(stack: string, key: string, config: FileObjectConfig, sha256: string | undefined): StackObjectSpec {
  if (config.external) return { key, name: config.name || key, external: true, labels: {} };
  const hash = (sha256 ?? '').slice(0, 10);
  return { key, name: `${stack}_${key}-${hash}`, external: false, labels: { ...config.labels, [STACK_NAMESPACE_LABEL]: stack, [CONTENT_HASH_LABEL]: sha256 ?? '' } };
}
