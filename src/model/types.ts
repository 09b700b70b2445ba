// The canonical project model. Field names and shapes follow what `docker compose config --format json`
// prints (snake_case keys, long syntax everywhere), so that `berth config` is a serialization of this model
// and differential tests against compose-ref compare like with like.
//
// The model is closed: every key the vendored compose-spec schema (schema/compose-spec.json) allows has a typed
// field, in the form config/canonical.ts gives it (long syntax, byte sizes as count strings, durations in Go
// syntax, lists where the file may write one string), and nothing else is accepted but `x-*` extensions.
// src/model/fields.ts lists the fields of each type, and test/unit/model/schema-coverage.test.ts checks that
// list against the schema, so a key the spec adds cannot go unnoticed.
//
// Where the loader keeps a value as written (the schema allows several forms and compose prints each as it
// came) the field's type is that union, e.g. `number | string` for `mem_swappiness`; the fields the loader
// casts after interpolation (interpolate.ts COMPOSE_CASTS) have their cast type. A project loaded with
// `interpolate: false` (`config --no-interpolate`) may keep a short syntax that does not parse before
// interpolation as its string; such a project is only printed, never handed to ops.

export type Dict<T> = { readonly [key: string]: T };

export interface Project {
  readonly name: string;
  readonly services: Dict<ServiceConfig>;
  readonly networks: Dict<NetworkConfig>;
  readonly volumes: Dict<VolumeConfig>;
  readonly secrets?: Dict<FileObjectConfig>;
  readonly configs?: Dict<FileObjectConfig>;
  readonly models?: Dict<ModelConfig>;
  /** Everything below is loader metadata: not printed by `config`. */
  readonly meta: ProjectMeta;
}

export interface ProjectMeta {
  readonly workingDir: string;
  readonly composeFiles: readonly string[];
  /** The project environment used for interpolation (.env + OS environment). */
  readonly environment: Dict<string>;
  /** Services excluded by profiles. */
  readonly disabledServices: Dict<ServiceConfig>;
  readonly profiles: readonly string[];
  /** Non-fatal messages (obsolete `version:`, several default files, ...). */
  readonly warnings: readonly string[];
  /** false when loaded with `normalize: false` (`config --no-normalize`), which `config` prints slightly differently. */
  readonly normalized?: boolean;
}

/** `x-*` keys, which the spec allows on most objects and the loader keeps as written. */
export type Extensions = { readonly [key: `x-${string}`]: unknown };

export interface ServicePort extends Extensions {
  readonly name?: string;
  readonly mode: 'ingress' | 'host' | string;
  readonly host_ip?: string;
  readonly target: number;
  /** A string as in compose: may be a range "8000-8010". */
  readonly published?: string;
  readonly protocol: 'tcp' | 'udp' | string;
  readonly app_protocol?: string;
}

export interface ServiceVolume extends Extensions {
  readonly type: 'volume' | 'bind' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  readonly source?: string;
  readonly target: string;
  readonly read_only?: boolean;
  readonly consistency?: string;
  readonly bind?: VolumeBindOptions;
  readonly volume?: VolumeVolumeOptions;
  /** size: a byte count as a string ("10485760"); mode: permission bits. */
  readonly tmpfs?: { readonly size?: number | string; readonly mode?: number | string } & Extensions;
  readonly image?: { readonly subpath?: string } & Extensions;
}

export interface VolumeBindOptions extends Extensions {
  readonly propagation?: string;
  readonly create_host_path?: boolean;
  readonly recursive?: 'enabled' | 'disabled' | 'writable' | 'readonly';
  readonly selinux?: 'z' | 'Z';
}

export interface VolumeVolumeOptions extends Extensions {
  readonly labels?: Dict<string> | readonly string[];
  readonly nocopy?: boolean;
  readonly subpath?: string;
}

export interface DependsOn extends Extensions {
  readonly condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  readonly required: boolean;
  readonly restart?: boolean;
}

export interface ServiceNetwork extends Extensions {
  readonly aliases?: readonly string[];
  readonly interface_name?: string;
  readonly ipv4_address?: string;
  readonly ipv6_address?: string;
  readonly link_local_ips?: readonly string[];
  readonly mac_address?: string;
  readonly driver_opts?: Dict<string>;
  readonly priority?: number;
  readonly gw_priority?: number;
}

export interface Healthcheck extends Extensions {
  readonly test?: readonly string[];
  /** Go-style duration strings as in compose output ("1s", "1m30s"). */
  readonly interval?: string;
  readonly timeout?: string;
  readonly retries?: number;
  readonly start_period?: string;
  readonly start_interval?: string;
  readonly disable?: boolean;
}

/** A secret or config a service (or a build) uses; a short-syntax name is `{ source }`. */
export interface ServiceFileRef extends Extensions {
  readonly source: string;
  readonly target?: string;
  readonly uid?: string;
  readonly gid?: string;
  /** Permission bits (an octal string in the file is read as octal). */
  readonly mode?: number | string;
}

/** `ulimits:` entries: one value for both limits, or both given. */
export type Ulimit = number | ({ readonly soft: number; readonly hard: number } & Extensions);

/** `extra_hosts` as written in a build section: a map host → ip(s), or `host=ip` / `host:ip` entries. */
export type ExtraHosts = Dict<string | readonly string[]> | readonly string[];

/** A `list_or_dict` the loader keeps as written: `KEY=VALUE` entries, or a map. */
export type ListOrDict = readonly string[] | Dict<string | number | boolean | null>;

export interface BuildConfig extends Extensions {
  /** Absolute (or a URL / git reference, kept as written). */
  readonly context: string;
  readonly dockerfile?: string;
  readonly dockerfile_inline?: string;
  readonly entitlements?: readonly string[];
  /** Unset bare args are dropped; the rest have their value. */
  readonly args?: Dict<string>;
  readonly ssh?: ListOrDict;
  readonly labels?: Dict<string>;
  readonly cache_from?: readonly string[];
  readonly cache_to?: readonly string[];
  readonly no_cache?: boolean | string;
  readonly no_cache_filter?: string | readonly string[];
  readonly additional_contexts?: Dict<string>;
  readonly network?: string;
  readonly provenance?: string | boolean;
  readonly sbom?: string | boolean;
  readonly pull?: boolean | string;
  readonly target?: string;
  /** A byte count as a string. */
  readonly shm_size?: string;
  readonly extra_hosts?: ExtraHosts;
  readonly isolation?: string;
  readonly privileged?: boolean | string;
  readonly secrets?: readonly ServiceFileRef[];
  readonly tags?: readonly string[];
  readonly ulimits?: Dict<Ulimit>;
  readonly platforms?: readonly string[];
}

export interface BlkioLimit {
  readonly path: string;
  readonly rate: number | string;
}

export interface BlkioWeight {
  readonly path: string;
  readonly weight: number | string;
}

export interface BlkioConfig {
  readonly device_read_bps?: readonly BlkioLimit[];
  readonly device_read_iops?: readonly BlkioLimit[];
  readonly device_write_bps?: readonly BlkioLimit[];
  readonly device_write_iops?: readonly BlkioLimit[];
  readonly weight?: number | string;
  readonly weight_device?: readonly BlkioWeight[];
}

/** A device mapping in its long form (the loader turns `src[:dst[:perm]]` into it). */
export interface DeviceMapping {
  readonly source: string;
  readonly target?: string;
  readonly permissions?: string;
}

/** deploy.resources.reservations.devices and `gpus:` entries. */
export interface DeviceRequest extends Extensions {
  readonly capabilities?: readonly string[];
  readonly count?: number | string;
  readonly device_ids?: readonly string[];
  readonly driver?: string;
  readonly options?: ListOrDict;
}

export interface GenericResource extends Extensions {
  readonly discrete_resource_spec?: { readonly kind?: string; readonly value?: number | string } & Extensions;
}

export interface ResourceLimits extends Extensions {
  readonly cpus?: number | string;
  /** A byte count as a string. */
  readonly memory?: string;
  readonly pids?: number | string;
}

export interface ResourceReservations extends Extensions {
  readonly cpus?: number | string;
  readonly memory?: string;
  readonly generic_resources?: readonly GenericResource[];
  readonly devices?: readonly DeviceRequest[];
}

export interface UpdateConfig extends Extensions {
  readonly parallelism?: number;
  readonly delay?: string;
  readonly failure_action?: string;
  readonly monitor?: string;
  readonly max_failure_ratio?: number;
  readonly order?: 'start-first' | 'stop-first';
}

export interface RestartPolicy extends Extensions {
  readonly condition?: string;
  readonly delay?: string;
  readonly max_attempts?: number;
  readonly window?: string;
}

export interface Placement extends Extensions {
  readonly constraints?: readonly string[];
  readonly preferences?: readonly ({ readonly spread?: string } & Extensions)[];
  readonly max_replicas_per_node?: number;
}

export interface DeployConfig extends Extensions {
  readonly mode?: string;
  readonly endpoint_mode?: string;
  readonly replicas?: number;
  readonly labels?: Dict<string>;
  readonly rollback_config?: UpdateConfig;
  readonly update_config?: UpdateConfig;
  readonly resources?: { readonly limits?: ResourceLimits; readonly reservations?: ResourceReservations } & Extensions;
  readonly restart_policy?: RestartPolicy;
  readonly placement?: Placement;
}

/** pre_start, post_start, pre_stop and develop.watch exec, as canonicalHook prints them. */
export interface ServiceHook extends Extensions {
  readonly command?: readonly string[];
  /** pre_start only. */
  readonly image?: string;
  readonly user?: string;
  readonly privileged?: boolean | string;
  readonly working_dir?: string;
  /** A bare key stays null: a hook's environment is not resolved against the project's. */
  readonly environment?: Dict<string | null>;
  /** pre_start only. */
  readonly per_replica?: boolean | string;
}

export interface WatchTrigger extends Extensions {
  readonly path: string;
  readonly action: 'rebuild' | 'sync' | 'restart' | 'sync+restart' | 'sync+exec';
  readonly target?: string;
  readonly exec?: ServiceHook;
  readonly include?: readonly string[];
  readonly ignore?: readonly string[];
  readonly initial_sync?: boolean;
}

export interface DevelopConfig extends Extensions {
  readonly watch?: readonly WatchTrigger[];
}

/** env_file entries, kept only when the loader is asked to (discardEnvFiles: false). */
export interface EnvFile {
  readonly path: string;
  /** Printed only when false. */
  readonly required?: boolean;
  readonly format?: string;
}

export interface LoggingConfig extends Extensions {
  readonly driver?: string;
  readonly options?: Dict<string | null>;
}

export interface ServiceConfig extends Extensions {
  readonly annotations?: Dict<string>;
  readonly attach?: boolean | string;
  readonly blkio_config?: BlkioConfig;
  readonly build?: BuildConfig;
  readonly cap_add?: readonly string[];
  readonly cap_drop?: readonly string[];
  readonly cgroup?: 'host' | 'private';
  readonly cgroup_parent?: string;
  readonly command?: readonly string[] | null;
  readonly configs?: readonly ServiceFileRef[];
  readonly container_name?: string;
  readonly cpu_count?: number;
  readonly cpu_percent?: number;
  readonly cpu_period?: number;
  readonly cpu_quota?: number;
  /** Microseconds, or a Go duration string as written. */
  readonly cpu_rt_period?: number | string;
  readonly cpu_rt_runtime?: number | string;
  readonly cpu_shares?: number;
  readonly cpus?: number;
  readonly cpuset?: string;
  readonly credential_spec?: { readonly config?: string; readonly file?: string; readonly registry?: string } & Extensions;
  readonly depends_on?: Dict<DependsOn>;
  readonly deploy?: DeployConfig;
  readonly develop?: DevelopConfig;
  readonly device_cgroup_rules?: readonly string[];
  readonly devices?: readonly DeviceMapping[];
  readonly dns?: readonly string[];
  readonly dns_opt?: readonly string[];
  readonly dns_search?: readonly string[];
  readonly domainname?: string;
  readonly entrypoint?: readonly string[] | null;
  /** Read into `environment` and dropped, unless the loader keeps it (discardEnvFiles: false). */
  readonly env_file?: readonly EnvFile[];
  /** A null value is a bare key that the environment did not resolve. */
  readonly environment?: Dict<string | null>;
  readonly expose?: readonly string[];
  /** Resolved by the loader (config/index.ts applyExtends): never in its output. */
  readonly extends?: never;
  readonly external_links?: readonly string[];
  /** `host=ip` entries. */
  readonly extra_hosts?: readonly string[];
  readonly gpus?: 'all' | readonly DeviceRequest[];
  readonly group_add?: readonly (string | number)[];
  readonly healthcheck?: Healthcheck;
  readonly hostname?: string;
  readonly image?: string;
  readonly init?: boolean;
  readonly ipc?: string;
  readonly isolation?: string;
  /** Read into `labels` and dropped, unless the loader keeps it (discardEnvFiles: false). */
  readonly label_file?: readonly string[];
  readonly labels?: Dict<string>;
  readonly links?: readonly string[];
  readonly logging?: LoggingConfig;
  readonly mac_address?: string;
  /** Byte sizes as a count in a string ("536870912"), as compose prints them. */
  readonly mem_limit?: string;
  readonly mem_reservation?: string;
  readonly mem_swappiness?: number | string;
  readonly memswap_limit?: string;
  readonly models?: readonly string[] | Dict<({ readonly endpoint_var?: string; readonly model_var?: string } & Extensions) | null>;
  readonly network_mode?: string;
  readonly networks?: Dict<ServiceNetwork | null>;
  readonly oom_kill_disable?: boolean;
  readonly oom_score_adj?: number;
  readonly pid?: string | null;
  readonly pids_limit?: number;
  readonly platform?: string;
  readonly ports?: readonly ServicePort[];
  readonly post_start?: readonly ServiceHook[];
  readonly pre_start?: readonly ServiceHook[];
  readonly pre_stop?: readonly ServiceHook[];
  readonly privileged?: boolean;
  readonly profiles?: readonly string[];
  readonly provider?: { readonly type: string; readonly options?: Dict<string | number | boolean | readonly (string | number | boolean)[]> } & Extensions;
  readonly pull_policy?: string;
  readonly pull_refresh_after?: string;
  readonly read_only?: boolean;
  readonly restart?: string;
  readonly runtime?: string;
  readonly scale?: number;
  readonly secrets?: readonly ServiceFileRef[];
  readonly security_opt?: readonly string[];
  readonly shm_size?: string;
  readonly stdin_open?: boolean;
  readonly stop_grace_period?: string;
  readonly stop_signal?: string;
  readonly storage_opt?: Dict<string | number>;
  readonly sysctls?: Dict<string>;
  readonly tmpfs?: readonly string[];
  readonly tty?: boolean;
  readonly ulimits?: Dict<Ulimit>;
  readonly use_api_socket?: boolean;
  readonly user?: string;
  readonly userns_mode?: string;
  readonly uts?: string;
  readonly volumes?: readonly ServiceVolume[];
  readonly volumes_from?: readonly string[];
  readonly working_dir?: string;
}

export interface IpamPool extends Extensions {
  readonly subnet?: string;
  readonly ip_range?: string;
  readonly gateway?: string;
  readonly aux_addresses?: Dict<string>;
}

export interface NetworkConfig extends Extensions {
  /** The engine name (`<project>_<key>` unless the file names it). */
  readonly name: string;
  readonly driver?: string;
  readonly driver_opts?: Dict<string>;
  readonly ipam?: { readonly driver?: string; readonly config?: readonly IpamPool[]; readonly options?: Dict<string> } & Extensions;
  readonly external?: boolean;
  readonly internal?: boolean;
  readonly enable_ipv4?: boolean | string;
  readonly enable_ipv6?: boolean;
  readonly attachable?: boolean;
  readonly labels?: Dict<string>;
}

export interface VolumeConfig extends Extensions {
  readonly name: string;
  readonly driver?: string;
  readonly driver_opts?: Dict<string>;
  readonly external?: boolean;
  readonly labels?: Dict<string>;
}

/** A top-level secret or config (the fields of both: `driver*` are a secret's, `content` a config's). */
export interface FileObjectConfig extends Extensions {
  readonly name: string;
  /** Absolute. */
  readonly file?: string;
  readonly environment?: string;
  readonly content?: string;
  readonly external?: boolean;
  readonly labels?: Dict<string>;
  readonly driver?: string;
  readonly driver_opts?: Dict<string>;
  readonly template_driver?: string;
}

export interface ModelConfig extends Extensions {
  readonly name?: string;
  readonly model: string;
  readonly context_size?: number;
  readonly runtime_flags?: readonly string[];
}
