// The fields of each type of the canonical model (types.ts), as data: test/unit/model/schema-coverage.test.ts
// compares them with the properties of the vendored compose-spec schema. Each table `satisfies Fields<T>`, so
// it names exactly T's keys (a missing one is a type error, an extra one an excess-property error): the list
// cannot drift from the type, and the test keeps the type from drifting from the schema.
import type {
  BlkioConfig, BlkioLimit, BlkioWeight, BuildConfig, DependsOn, DeployConfig, DevelopConfig, DeviceMapping, DeviceRequest,
  EnvFile, FileObjectConfig, GenericResource, Healthcheck, IpamPool, LoggingConfig, ModelConfig, NetworkConfig, Placement,
  Project, ResourceLimits, ResourceReservations, RestartPolicy, ServiceConfig, ServiceFileRef, ServiceHook, ServiceNetwork,
  ServicePort, ServiceVolume, Ulimit, UpdateConfig, VolumeBindOptions, VolumeConfig, VolumeVolumeOptions, WatchTrigger,
} from './types.js';

/** Every key of T except `x-*` extensions, each mapped to true. */
export type Fields<T> = { readonly [K in Exclude<keyof T, `x-${string}`>]-?: true };

const t = true;

export const PROJECT_FIELDS = { name: t, services: t, networks: t, volumes: t, secrets: t, configs: t, models: t, meta: t } as const satisfies Fields<Project>;

export const SERVICE_FIELDS = {
  annotations: t, attach: t, blkio_config: t, build: t, cap_add: t, cap_drop: t, cgroup: t, cgroup_parent: t, command: t, configs: t,
  container_name: t, cpu_count: t, cpu_percent: t, cpu_period: t, cpu_quota: t, cpu_rt_period: t, cpu_rt_runtime: t, cpu_shares: t,
  cpus: t, cpuset: t, credential_spec: t, depends_on: t, deploy: t, develop: t, device_cgroup_rules: t, devices: t, dns: t, dns_opt: t,
  dns_search: t, domainname: t, entrypoint: t, env_file: t, environment: t, expose: t, extends: t, external_links: t, extra_hosts: t,
  gpus: t, group_add: t, healthcheck: t, hostname: t, image: t, init: t, ipc: t, isolation: t, label_file: t, labels: t, links: t,
  logging: t, mac_address: t, mem_limit: t, mem_reservation: t, mem_swappiness: t, memswap_limit: t, models: t, network_mode: t,
  networks: t, oom_kill_disable: t, oom_score_adj: t, pid: t, pids_limit: t, platform: t, ports: t, post_start: t, pre_start: t,
  pre_stop: t, privileged: t, profiles: t, provider: t, pull_policy: t, pull_refresh_after: t, read_only: t, restart: t, runtime: t,
  scale: t, secrets: t, security_opt: t, shm_size: t, stdin_open: t, stop_grace_period: t, stop_signal: t, storage_opt: t,
  sysctls: t, tmpfs: t, tty: t, ulimits: t, use_api_socket: t, user: t, userns_mode: t, uts: t, volumes: t, volumes_from: t,
  working_dir: t,
} as const satisfies Fields<ServiceConfig>;

export const BUILD_FIELDS = {
  context: t, dockerfile: t, dockerfile_inline: t, entitlements: t, args: t, ssh: t, labels: t, cache_from: t, cache_to: t,
  no_cache: t, no_cache_filter: t, additional_contexts: t, network: t, provenance: t, sbom: t, pull: t, target: t, shm_size: t,
  extra_hosts: t, isolation: t, privileged: t, secrets: t, tags: t, ulimits: t, platforms: t,
} as const satisfies Fields<BuildConfig>;

export const BLKIO_FIELDS = {
  device_read_bps: t, device_read_iops: t, device_write_bps: t, device_write_iops: t, weight: t, weight_device: t,
} as const satisfies Fields<BlkioConfig>;
export const BLKIO_LIMIT_FIELDS = { path: t, rate: t } as const satisfies Fields<BlkioLimit>;
export const BLKIO_WEIGHT_FIELDS = { path: t, weight: t } as const satisfies Fields<BlkioWeight>;
export const CREDENTIAL_SPEC_FIELDS = { config: t, file: t, registry: t } as const satisfies Fields<NonNullable<ServiceConfig['credential_spec']>>;
export const DEPENDS_ON_FIELDS = { condition: t, required: t, restart: t } as const satisfies Fields<DependsOn>;
export const DEVICE_MAPPING_FIELDS = { source: t, target: t, permissions: t } as const satisfies Fields<DeviceMapping>;
export const PROVIDER_FIELDS = { type: t, options: t } as const satisfies Fields<NonNullable<ServiceConfig['provider']>>;
export const LOGGING_FIELDS = { driver: t, options: t } as const satisfies Fields<LoggingConfig>;
type ServiceModel = NonNullable<Exclude<NonNullable<ServiceConfig['models']>, readonly string[]>[string]>;
export const SERVICE_MODEL_FIELDS = { endpoint_var: t, model_var: t } as const satisfies Fields<ServiceModel>;
export const SERVICE_NETWORK_FIELDS = {
  aliases: t, interface_name: t, ipv4_address: t, ipv6_address: t, link_local_ips: t, mac_address: t, driver_opts: t, priority: t,
  gw_priority: t,
} as const satisfies Fields<ServiceNetwork>;
export const PORT_FIELDS = { name: t, mode: t, host_ip: t, target: t, published: t, protocol: t, app_protocol: t } as const satisfies Fields<ServicePort>;
export const SERVICE_VOLUME_FIELDS = {
  type: t, source: t, target: t, read_only: t, consistency: t, bind: t, volume: t, tmpfs: t, image: t,
} as const satisfies Fields<ServiceVolume>;
export const VOLUME_BIND_FIELDS = { propagation: t, create_host_path: t, recursive: t, selinux: t } as const satisfies Fields<VolumeBindOptions>;
export const VOLUME_VOLUME_FIELDS = { labels: t, nocopy: t, subpath: t } as const satisfies Fields<VolumeVolumeOptions>;
export const VOLUME_TMPFS_FIELDS = { size: t, mode: t } as const satisfies Fields<NonNullable<ServiceVolume['tmpfs']>>;
export const VOLUME_IMAGE_FIELDS = { subpath: t } as const satisfies Fields<NonNullable<ServiceVolume['image']>>;
export const HEALTHCHECK_FIELDS = {
  disable: t, interval: t, retries: t, test: t, timeout: t, start_period: t, start_interval: t,
} as const satisfies Fields<Healthcheck>;
export const DEVELOP_FIELDS = { watch: t } as const satisfies Fields<DevelopConfig>;
export const WATCH_TRIGGER_FIELDS = {
  ignore: t, include: t, path: t, action: t, target: t, exec: t, initial_sync: t,
} as const satisfies Fields<WatchTrigger>;
export const DEPLOY_FIELDS = {
  mode: t, endpoint_mode: t, replicas: t, labels: t, rollback_config: t, update_config: t, resources: t, restart_policy: t, placement: t,
} as const satisfies Fields<DeployConfig>;
export const UPDATE_CONFIG_FIELDS = {
  parallelism: t, delay: t, failure_action: t, monitor: t, max_failure_ratio: t, order: t,
} as const satisfies Fields<UpdateConfig>;
export const RESOURCES_FIELDS = { limits: t, reservations: t } as const satisfies Fields<NonNullable<DeployConfig['resources']>>;
export const LIMITS_FIELDS = { cpus: t, memory: t, pids: t } as const satisfies Fields<ResourceLimits>;
export const RESERVATIONS_FIELDS = { cpus: t, memory: t, generic_resources: t, devices: t } as const satisfies Fields<ResourceReservations>;
export const RESTART_POLICY_FIELDS = { condition: t, delay: t, max_attempts: t, window: t } as const satisfies Fields<RestartPolicy>;
export const PLACEMENT_FIELDS = { constraints: t, preferences: t, max_replicas_per_node: t } as const satisfies Fields<Placement>;
export const PREFERENCE_FIELDS = { spread: t } as const satisfies Fields<NonNullable<Placement['preferences']>[number]>;
export const GENERIC_RESOURCE_FIELDS = { discrete_resource_spec: t } as const satisfies Fields<GenericResource>;
export const DISCRETE_RESOURCE_FIELDS = { kind: t, value: t } as const satisfies Fields<NonNullable<GenericResource['discrete_resource_spec']>>;
export const DEVICE_REQUEST_FIELDS = { capabilities: t, count: t, device_ids: t, driver: t, options: t } as const satisfies Fields<DeviceRequest>;
export const NETWORK_FIELDS = {
  name: t, driver: t, driver_opts: t, ipam: t, external: t, internal: t, enable_ipv4: t, enable_ipv6: t, attachable: t, labels: t,
} as const satisfies Fields<NetworkConfig>;
export const IPAM_FIELDS = { driver: t, config: t, options: t } as const satisfies Fields<NonNullable<NetworkConfig['ipam']>>;
export const IPAM_POOL_FIELDS = { subnet: t, ip_range: t, gateway: t, aux_addresses: t } as const satisfies Fields<IpamPool>;
export const VOLUME_FIELDS = { name: t, driver: t, driver_opts: t, external: t, labels: t } as const satisfies Fields<VolumeConfig>;
export const FILE_OBJECT_FIELDS = {
  name: t, file: t, environment: t, content: t, external: t, labels: t, driver: t, driver_opts: t, template_driver: t,
} as const satisfies Fields<FileObjectConfig>;
export const MODEL_FIELDS = { name: t, model: t, context_size: t, runtime_flags: t } as const satisfies Fields<ModelConfig>;
export const HOOK_FIELDS = {
  command: t, image: t, user: t, privileged: t, working_dir: t, environment: t, per_replica: t,
} as const satisfies Fields<ServiceHook>;
export const ENV_FILE_FIELDS = { path: t, required: t, format: t } as const satisfies Fields<EnvFile>;
export const FILE_REF_FIELDS = { source: t, target: t, uid: t, gid: t, mode: t } as const satisfies Fields<ServiceFileRef>;
export const ULIMIT_FIELDS = { soft: t, hard: t } as const satisfies Fields<Exclude<Ulimit, number>>;
