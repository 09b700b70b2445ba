// The canonical project model. Field names and shapes follow what `docker compose config --format json`
// prints (snake_case keys, long syntax everywhere), so that `berth config` is a serialization of this model
// and differential tests against compose-ref compare like with like.

export type Dict<T> = { readonly [key: string]: T };

export interface Project {
  readonly name: string;
  readonly services: Dict<ServiceConfig>;
  readonly networks: Dict<NetworkConfig>;
  readonly volumes: Dict<VolumeConfig>;
  readonly secrets?: Dict<FileObjectConfig>;
  readonly configs?: Dict<FileObjectConfig>;
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

export interface ServicePort {
  readonly name?: string;
  readonly mode: 'ingress' | 'host' | string;
  readonly host_ip?: string;
  readonly target: number;
  /** A string as in compose: may be a range "8000-8010". */
  readonly published?: string;
  readonly protocol: 'tcp' | 'udp' | string;
  readonly app_protocol?: string;
}

export interface ServiceVolume {
  readonly type: 'volume' | 'bind' | 'tmpfs' | 'npipe' | 'cluster' | 'image' | string;
  readonly source?: string;
  readonly target: string;
  readonly read_only?: boolean;
  readonly consistency?: string;
  readonly bind?: { readonly propagation?: string; readonly create_host_path?: boolean; readonly selinux?: string };
  readonly volume?: { readonly nocopy?: boolean; readonly subpath?: string };
  readonly tmpfs?: { readonly size?: number | string; readonly mode?: number };
}

export interface DependsOn {
  readonly condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  readonly required: boolean;
  readonly restart?: boolean;
}

export interface ServiceNetwork {
  readonly aliases?: readonly string[];
  readonly ipv4_address?: string;
  readonly ipv6_address?: string;
  readonly priority?: number;
  readonly mac_address?: string;
  readonly link_local_ips?: readonly string[];
}

export interface Healthcheck {
  readonly test?: readonly string[];
  /** Go-style duration strings as in compose output ("1s", "1m30s"). */
  readonly interval?: string;
  readonly timeout?: string;
  readonly retries?: number;
  readonly start_period?: string;
  readonly start_interval?: string;
  readonly disable?: boolean;
}

export interface ServiceConfig {
  readonly image?: string;
  readonly build?: Dict<unknown>;
  readonly command?: readonly string[] | null;
  readonly entrypoint?: readonly string[] | null;
  /** A null value is a bare key that the environment did not resolve. */
  readonly environment?: Dict<string | null>;
  readonly ports?: readonly ServicePort[];
  readonly expose?: readonly string[];
  readonly volumes?: readonly ServiceVolume[];
  readonly networks?: Dict<ServiceNetwork | null>;
  readonly network_mode?: string;
  readonly depends_on?: Dict<DependsOn>;
  readonly healthcheck?: Healthcheck;
  readonly restart?: string;
  readonly labels?: Dict<string>;
  readonly container_name?: string;
  readonly hostname?: string;
  readonly working_dir?: string;
  readonly user?: string;
  readonly tty?: boolean;
  readonly stdin_open?: boolean;
  readonly stop_signal?: string;
  readonly stop_grace_period?: string;
  readonly profiles?: readonly string[];
  readonly scale?: number;
  readonly deploy?: Dict<unknown>;
  readonly pull_policy?: string;
  /** Every other key of the spec, kept as loaded (canonical long form where the loader knows one). */
  readonly [key: string]: unknown;
}

export interface NetworkConfig {
  readonly name: string;
  readonly driver?: string;
  readonly driver_opts?: Dict<string>;
  readonly ipam?: { readonly driver?: string; readonly config?: readonly Dict<unknown>[]; readonly options?: Dict<string> };
  readonly external?: boolean;
  readonly internal?: boolean;
  readonly attachable?: boolean;
  readonly enable_ipv6?: boolean;
  readonly labels?: Dict<string>;
  readonly [key: string]: unknown;
}

export interface VolumeConfig {
  readonly name: string;
  readonly driver?: string;
  readonly driver_opts?: Dict<string>;
  readonly external?: boolean;
  readonly labels?: Dict<string>;
  readonly [key: string]: unknown;
}

export interface FileObjectConfig {
  readonly name: string;
  readonly file?: string;
  readonly environment?: string;
  readonly content?: string;
  readonly external?: boolean;
  readonly labels?: Dict<string>;
  readonly [key: string]: unknown;
}
