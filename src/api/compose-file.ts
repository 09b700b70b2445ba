// A typed compose file, for `createStack({ compose })`: what a user writes in compose.yaml, as an object.
// Short and long syntax are both accepted, as in YAML; the loader validates it like any file.

export type ListOrDict = readonly string[] | { readonly [key: string]: string | number | boolean | null };

export interface ComposeService {
  readonly image?: string;
  readonly build?: string | { readonly context?: string; readonly dockerfile?: string; readonly dockerfile_inline?: string; readonly args?: ListOrDict; readonly target?: string };
  readonly command?: string | readonly string[];
  readonly entrypoint?: string | readonly string[];
  readonly environment?: ListOrDict;
  readonly env_file?: string | readonly string[];
  readonly ports?: readonly (string | number | { readonly target: number; readonly published?: string | number; readonly host_ip?: string; readonly protocol?: string })[];
  readonly expose?: readonly (string | number)[];
  readonly volumes?: readonly (string | { readonly type: string; readonly source?: string; readonly target: string; readonly read_only?: boolean })[];
  readonly networks?: readonly string[] | { readonly [name: string]: { readonly aliases?: readonly string[]; readonly ipv4_address?: string } | null };
  readonly depends_on?:
    | readonly string[]
    | { readonly [service: string]: { readonly condition?: 'service_started' | 'service_healthy' | 'service_completed_successfully'; readonly required?: boolean; readonly restart?: boolean } };
  readonly healthcheck?: {
    readonly test?: string | readonly string[];
    readonly interval?: string;
    readonly timeout?: string;
    readonly retries?: number;
    readonly start_period?: string;
    readonly start_interval?: string;
    readonly disable?: boolean;
  };
  readonly restart?: 'no' | 'always' | 'on-failure' | 'unless-stopped' | `on-failure:${number}`;
  readonly labels?: ListOrDict;
  readonly container_name?: string;
  readonly working_dir?: string;
  readonly user?: string;
  readonly init?: boolean;
  readonly tmpfs?: string | readonly string[];
  readonly stop_grace_period?: string;
  readonly profiles?: readonly string[];
  readonly scale?: number;
  readonly [key: string]: unknown;
}

export interface ComposeFile {
  readonly name?: string;
  readonly services: { readonly [name: string]: ComposeService };
  readonly networks?: { readonly [name: string]: { readonly name?: string; readonly external?: boolean; readonly driver?: string; readonly internal?: boolean } | null };
  readonly volumes?: { readonly [name: string]: { readonly name?: string; readonly external?: boolean; readonly driver?: string } | null };
  readonly secrets?: { readonly [name: string]: { readonly file?: string; readonly environment?: string } };
  readonly configs?: { readonly [name: string]: { readonly file?: string; readonly content?: string } };
  readonly [extension: `x-${string}`]: unknown;
}
