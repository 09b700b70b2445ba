// Short syntax → the long syntax compose prints in `config --format json`, with relative paths
// resolved against the project directory. Input: the merged, interpolated, schema-valid raw model.

import type { ResourceLoader } from './files.js';
import path from 'node:path';
import { ConfigError, ErrorCodes, type SourcePosition } from '../model/errors.js';
import { splitShellWords } from '../model/shellwords.js';
import type { Healthcheck, ServiceConfig, ServicePort, ServiceVolume } from '../model/types.js';
import { BYTE_SIZE_HINT, normalizeDuration, parseByteSize } from '../model/units.js';
import { DotenvError, readDotenvFiles } from './dotenv.js';
import { isMap, keyValueMap } from './merge.js';
import { formatKeyPath, type KeyPath } from './parse.js';
import { parsePortSpec, parseVolumeSpec } from './short-syntax.js';

type Tree = Record<string, unknown>;

export interface CanonicalContext {
  projectDir: string;
  /** The load's only way to the disk (env_file, label_file, links in watch paths). */
  files: ResourceLoader;
  /** The project environment (.env + OS) that bare `environment` keys and build args resolve from. */
  env: Readonly<Record<string, string | undefined>>;
  resolvePaths: boolean;
  /** Before interpolation (--no-interpolate), short syntaxes that do not parse yet are kept as written. */
  keepUnparsable?: boolean;
  /**
   * Default true, as `docker compose` loads (compose-go's WithDiscardEnvFile): once env_file and label_file
   * are read into environment/labels, the entries themselves are dropped. false keeps them (paths resolved),
   * as compose-go's loader does by default (the corpus' full-example).
   */
  discardEnvFiles?: boolean;
  /** false: env_file not read (kept as entries), bare environment keys left unset (see LoadOptions). */
  resolveEnvironment?: boolean;
  positionOf: (path: KeyPath) => SourcePosition | undefined;
}

const BYTE_FIELDS = ['mem_limit', 'memswap_limit', 'mem_reservation', 'shm_size'] as const satisfies readonly (keyof ServiceConfig)[];
const DURATION_FIELDS = ['interval', 'timeout', 'start_period', 'start_interval'] as const satisfies readonly (keyof Healthcheck)[];
const STRING_OR_LIST = ['dns', 'dns_search', 'dns_opt', 'tmpfs', 'env_file'] as const satisfies readonly (keyof ServiceConfig)[];

export function canonicalService(name: string, raw: Tree, ctx: CanonicalContext): Tree {
  const at = (...rest: (string | number)[]): KeyPath => ['services', name, ...rest];
  const fail = (p: KeyPath, message: string) =>
    new ConfigError(ErrorCodes.SCHEMA, message, { position: ctx.positionOf(p), keyPath: formatKeyPath(p), service: name });
  const out: Tree = { ...raw };

  for (const key of STRING_OR_LIST) if (typeof out[key] === 'string') out[key] = [out[key]];

  if (out.build !== undefined) out.build = canonicalBuild(out.build, ctx, (v) => fail(at('build', 'shm_size'), INVALID_SIZE(v)));

  for (const key of ['command', 'entrypoint'] as const) {
    const v = out[key];
    if (typeof v === 'string') {
      try {
        out[key] = splitShellWords(v);
      } catch (err) {
        throw fail(at(key), `${(err as Error).message}: close the quote or escape it`);
      }
    }
  }

  // env_file entries are read into `environment` (explicit entries win); kept only with discardEnvFiles: false
  const resolveEnv = ctx.resolveEnvironment !== false;
  const envFiles = out.env_file !== undefined ? envFileEntries(out.env_file) : [];
  const fromFiles = envFiles.length > 0 && resolveEnv ? readEnvFiles(envFiles, ctx, at('env_file'), fail) : {};
  if ((ctx.discardEnvFiles === false || !resolveEnv) && out.env_file !== undefined) {
    // compose-go's EnvFile: `required` is an opt-out (printed only when false), `format` only when set
    out.env_file = envFiles.map((e) => ({
      path: resolveHostPath(e.path, ctx),
      ...(e.required ? {} : { required: false }),
      ...(e.format !== undefined ? { format: e.format } : {}),
    }));
  } else {
    delete out.env_file;
  }
  if (out.environment !== undefined || Object.keys(fromFiles).length > 0) {
    const env: Record<string, string | null> = { ...fromFiles };
    for (const [k, v] of Object.entries(keyValueMap(out.environment ?? {}))) {
      // a bare key takes its value from the project environment, and stays null when unset there
      env[k] = v === null || v === undefined ? (resolveEnv ? (ctx.env[k] ?? null) : null) : scalarString(v);
    }
    out.environment = env;
  }

  for (const key of ['labels', 'annotations']) {
    if (out[key] !== undefined) out[key] = mapValues(keyValueMap(out[key]), (v) => (v === null ? '' : scalarString(v)));
  }
  // label_file: files read in order (later files win), then the service's own labels win over them
  if (out.label_file !== undefined) {
    const files = (Array.isArray(out.label_file) ? out.label_file : [out.label_file]).map(String);
    const fromLabelFiles = readLabelFiles(files, ctx, at('label_file'), fail);
    if (Object.keys(fromLabelFiles).length > 0) out.labels = { ...fromLabelFiles, ...((out.labels as Tree | undefined) ?? {}) };
    if (ctx.discardEnvFiles === false) out.label_file = files.map((f) => resolveHostPath(f, ctx));
    else delete out.label_file;
  }
  if (out.sysctls !== undefined) out.sysctls = mapValues(keyValueMap(out.sysctls), (v) => (v === null ? '' : scalarString(v)));
  if (out.extra_hosts !== undefined) out.extra_hosts = canonicalExtraHosts(out.extra_hosts);
  if (Array.isArray(out.expose)) out.expose = out.expose.map(String);

  if (Array.isArray(out.ports)) {
    // a loop, not flatMap (several times slower in V8, and it runs for every service)
    const ports: unknown[] = [];
    out.ports.forEach((p, i) => {
      if (typeof p === 'string' || typeof p === 'number') {
        let parsed: ServicePort[];
        try {
          parsed = parsePortSpec(String(p));
        } catch (err) {
          if (ctx.keepUnparsable) return void ports.push(p);
          throw fail(at('ports', i), `${(err as Error).message}: use [ip:][published:]target[/protocol]`);
        }
        for (const x of parsed) ports.push(x);
      } else ports.push(isMap(p) ? canonicalLongPort(p) : p);
    });
    out.ports = ports;
  }

  if (Array.isArray(out.volumes)) {
    out.volumes = out.volumes.map((v, i) => {
      let vol: ServiceVolume;
      if (typeof v === 'string') {
        try {
          vol = parseVolumeSpec(v);
        } catch (err) {
          if (ctx.keepUnparsable) return v;
          throw fail(at('volumes', i), `${(err as Error).message}: use [source:]target[:ro|rw]`);
        }
      } else if (isMap(v)) {
        vol = v as unknown as ServiceVolume;
      } else {
        return v;
      }
      if (vol.type === 'bind' && (vol.source === undefined || vol.source === '')) {
        throw fail(at('volumes', i), 'invalid mount config for type "bind": field Source must not be empty: set source:');
      }
      if (vol.type === 'bind' && vol.source !== undefined) vol = { ...vol, source: resolveHostPath(vol.source, ctx) };
      // the container path is cleaned (compose-go's normalize: path.Clean), `/data/` → `/data`
      if (typeof vol.target === 'string' && vol.target !== '' && !ctx.keepUnparsable) vol = { ...vol, target: path.posix.normalize(vol.target).replace(/(.)\/$/, '$1') };
      // a tmpfs size is a byte count, printed as a string like every compose byte size ("10000", "10m" → "10485760")
      if (isMap(vol.tmpfs) && vol.tmpfs.size !== undefined) {
        const size = vol.tmpfs.size;
        vol = { ...vol, tmpfs: { ...vol.tmpfs, size: byteString(size, ctx, () => fail(at('volumes', i, 'tmpfs', 'size'), INVALID_SIZE(size))) as string } };
      }
      return vol;
    });
  }

  if (out.depends_on !== undefined) out.depends_on = canonicalDependsOn(out.depends_on);
  if (Array.isArray(out.networks)) out.networks = Object.fromEntries(out.networks.map((n) => [String(n), null]));
  if (isMap(out.networks)) {
    out.networks = mapValues(out.networks, (n) => (isMap(n) && isMap(n.driver_opts) ? { ...n, driver_opts: optionStrings(n.driver_opts) } : n));
  }
  if (isMap(out.logging) && isMap(out.logging.options)) out.logging = { ...out.logging, options: optionStrings(out.logging.options) };

  if (isMap(out.healthcheck)) out.healthcheck = canonicalHealthcheck(out.healthcheck, (k) => fail(at('healthcheck', k), 'invalid duration: use Go syntax such as 30s, 1m30s, 500ms'));
  if (typeof out.stop_grace_period === 'string') {
    try {
      out.stop_grace_period = normalizeDuration(out.stop_grace_period);
    } catch {
      throw fail(at('stop_grace_period'), 'invalid duration: use Go syntax such as 30s, 1m30s, 500ms');
    }
  }
  for (const key of BYTE_FIELDS) {
    const v = out[key];
    if (v !== undefined) out[key] = byteString(v, ctx, () => fail(at(key), INVALID_SIZE(v)));
  }
  if (isMap(out.deploy)) out.deploy = canonicalDeploy(out.deploy, ctx, (p, v) => fail(at('deploy', ...p), INVALID_SIZE(v)));

  if (Array.isArray(out.secrets)) {
    out.secrets = out.secrets.map((s) => {
      const o: Tree = typeof s === 'string' ? { source: s } : { ...(s as Tree) };
      // secrets are mounted under /run/secrets/<source> unless told otherwise; configs at the image's choice
      if (o.target === undefined) o.target = `/run/secrets/${String(o.source)}`;
      return o;
    });
  }
  if (Array.isArray(out.configs)) out.configs = out.configs.map((c) => (typeof c === 'string' ? { source: c } : c));
  if (Array.isArray(out.devices)) {
    // "src[:dst[:perm]]" → its long form, as compose-go's transform prints it (target defaults to the source,
    // permissions to rwm); a long form stays as written
    out.devices = out.devices.map((d, i) => {
      if (typeof d !== 'string') return d;
      const parts = d.split(':');
      if (parts.length > 3) {
        if (ctx.keepUnparsable) return d;
        throw fail(at('devices', i), `confusing device mapping, please use long syntax: ${d}`);
      }
      const [source, target, permissions] = parts;
      return { source, target: target || source, permissions: permissions ?? 'rwm' };
    });
  }
  if (typeof out.cpus === 'string') out.cpus = Number(out.cpus);
  for (const hook of ['pre_start', 'post_start', 'pre_stop']) {
    if (!Array.isArray(out[hook])) continue;
    out[hook] = (out[hook] as unknown[]).map(canonicalHook);
  }
  if (isMap(out.develop) && Array.isArray(out.develop.watch)) out.develop = { ...out.develop, watch: out.develop.watch.map((t) => canonicalTrigger(t, ctx)) };
  dropEmpty(out);
  return out;
}

const OMITTED_FALSE = new Set<string>(['oom_kill_disable', 'privileged', 'read_only', 'stdin_open', 'tty'] satisfies readonly (keyof ServiceConfig)[]);

// Go maps of a service; an empty one is omitted like an empty list (struct-valued keys such as deploy or
// healthcheck are not maps: `healthcheck: {}` stays)
const MAP_KEYS = new Set<string>(['labels', 'annotations', 'environment', 'sysctls', 'depends_on', 'networks', 'ulimits', 'storage_opt', 'extra_hosts', 'links', 'gpus'] satisfies readonly (keyof ServiceConfig)[]);

/**
 * Empty lists and maps are not set, as compose-go's omitempty prints and reads them: `ports: []` (often left by
 * an override) prints nothing, and `networks: {}` is no networks at all, so the service joins `default` as
 * if the key were absent. `command: []` and `entrypoint: []` stay: an empty command is a value there.
 */
function dropEmpty(out: Tree): void {
  for (const k of Object.keys(out)) {
    if (k === 'command' || k === 'entrypoint' || k.startsWith('x-')) continue;
    const v = out[k];
    // plain Go bools with omitempty: false is their zero value and is not printed (init and attach are
    // pointers: their false stays)
    if (v === false && OMITTED_FALSE.has(k)) delete out[k];
    if ((Array.isArray(v) && v.length === 0) || (MAP_KEYS.has(k) && isMap(v) && isEmpty(v))) delete out[k];
  }
  // inside build every list and map is a Go slice or map; logging.options is a map
  if (isMap(out.build)) {
    out.build = Object.fromEntries(Object.entries(out.build).filter(([, v]) => !((Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0))));
  }
  if (isMap(out.networks)) {
    out.networks = mapValues(out.networks, (n) => (isMap(n) ? Object.fromEntries(Object.entries(n).filter(([, v]) => !((Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0)))) : n));
  }
  if (isMap(out.logging) && isMap(out.logging.options) && Object.keys(out.logging.options).length === 0) {
    const { options: _o, ...rest } = out.logging;
    out.logging = rest;
  }
  if (isMap(out.healthcheck) && Array.isArray(out.healthcheck.test) && out.healthcheck.test.length === 0) {
    const { test: _t, ...rest } = out.healthcheck;
    out.healthcheck = rest;
  }
}

/**
 * A develop.watch trigger as compose-go's Trigger prints: path, action, target, exec, include, ignore,
 * initial_sync (false omitted), then x-* keys; include/ignore a list even when written as one string; exec a
 * canonical hook. The path is resolved as compose-go's paths resolver does it: `~` from HOME, a relative path
 * joined to the project directory (cleaned: no trailing slash), an absolute one kept exactly as written
 * (a trailing slash stays), then its first symbolic-link component replaced by what the link resolves to.
 */
function canonicalTrigger(t: unknown, ctx: CanonicalContext): unknown {
  if (!isMap(t)) return t;
  const out: Tree = {};
  if (t.path !== undefined) out.path = typeof t.path === 'string' && ctx.resolvePaths ? watchPath(t.path, ctx) : t.path;
  if (t.action !== undefined) out.action = t.action;
  if (t.target !== undefined && t.target !== '') out.target = t.target;
  if (t.exec !== undefined) out.exec = canonicalHook(t.exec);
  for (const key of ['include', 'ignore']) {
    const v = t[key];
    if (v === undefined || v === null) continue;
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v.map(scalarString) : v;
    if (!Array.isArray(list) || list.length) out[key] = list;
  }
  if (t.initial_sync !== undefined && t.initial_sync !== false) out.initial_sync = t.initial_sync;
  for (const [k, v] of Object.entries(t)) if (k.startsWith('x-')) out[k] = v;
  return out;
}

function watchPath(p: string, ctx: CanonicalContext): string {
  let abs = p;
  const home = ctx.env.HOME;
  // Go's filepath.Join cleans, a trailing slash included; Node's path.join keeps that slash
  const join = (a: string, b: string) => path.join(a, b).replace(/(.)\/+$/, '$1');
  if (p.startsWith('~') && home) abs = join(home, p.slice(1));
  else if (!path.isAbsolute(p)) abs = p === '' ? p : join(ctx.projectDir, p);
  return abs === '' ? abs : firstSymlinkResolved(abs, ctx.files);
}

/** compose-go's ResolveSymbolicLink: the first component that is a link, replaced (once) by its real path. */
function firstSymlinkResolved(p: string, files: ResourceLoader): string {
  let current = path.isAbsolute(p) ? path.sep : '';
  for (const part of p.split(path.sep)) {
    if (!part) continue;
    current = path.join(current, part);
    if (!files.isSymlink(current)) continue;
    const target = files.realPath(current);
    return target === undefined ? p : p.replace(current, target);
  }
  return p;
}

/**
 * A service hook (pre_start, post_start, pre_stop, develop.watch exec) as compose-go's ServiceHook prints: its
 * fields in struct order (command, image, user, privileged, working_dir, environment, per_replica), the command a list of strings, empty
 * strings omitted, `privileged: "true"` a boolean, the environment a map with sorted keys whose bare entries
 * stay null (a hook's environment is not resolved against the project's, unlike the service's).
 */
export function canonicalHook(h: unknown): unknown {
  if (!isMap(h)) return h;
  const out: Tree = {};
  if (typeof h.command === 'string') out.command = splitShellWords(h.command);
  else if (Array.isArray(h.command)) out.command = h.command.map(scalarString);
  else if (h.command !== undefined) out.command = h.command;
  for (const key of ['image', 'user', 'working_dir'] as const) if (h[key] !== undefined && h[key] !== '') out[key] = h[key];
  for (const key of ['privileged', 'per_replica'] as const) {
    if (h[key] !== undefined) out[key] = h[key] === 'true' ? true : h[key] === 'false' ? false : h[key];
    if (out[key] === false) delete out[key];
  }
  if (h.environment !== undefined) {
    const env = keyValueMap(h.environment);
    out.environment = Object.fromEntries(
      Object.keys(env)
        .sort()
        .map((k) => [k, env[k] === null ? null : scalarString(env[k])]),
    );
  }
  const ordered: Tree = {};
  for (const key of ['command', 'image', 'user', 'privileged', 'working_dir', 'environment', 'per_replica']) if (key in out) ordered[key] = out[key];
  for (const [k, v] of Object.entries(h)) if (k.startsWith('x-')) ordered[k] = v;
  return ordered;
}

/**
 * Go's omitempty drops empty strings from compose's output; a variable that expanded to nothing
 * (`container_name: ${NAME}`) therefore means "not set". Dropped before validation, as compose does
 * not reject them either. Maps like environment keep their empty values: they are not struct fields.
 */
const OMIT_IF_EMPTY: readonly string[] = [
  ...([
    'image', 'platform', 'container_name', 'hostname', 'domainname', 'user', 'working_dir', 'pull_policy', 'restart',
    'network_mode', 'ipc', 'pid', 'stop_signal', 'runtime', 'cgroup', 'cgroup_parent', 'mac_address', 'userns_mode',
    'uts', 'isolation', 'stop_grace_period', 'shm_size', 'mem_limit', 'memswap_limit', 'mem_reservation', 'cpuset',
  ] as const satisfies readonly (keyof ServiceConfig)[]),
  // compose-go's legacy field, not a spec key: empty it is dropped here, set it is refused by validation
  'volume_driver',
];

export function dropEmptyStrings(model: Record<string, unknown>): void {
  if (isMap(model.services)) {
    for (const svc of Object.values(model.services)) {
      if (!isMap(svc)) continue;
      for (const k of OMIT_IF_EMPTY) if (svc[k] === '') delete svc[k];
    }
  }
  for (const kind of ['networks', 'volumes', 'secrets', 'configs']) {
    if (!isMap(model[kind])) continue;
  }
}

function scalarString(v: unknown): string {
  return typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);
}

function mapValues<T>(m: Tree, fn: (v: unknown) => T): Record<string, T> {
  // as Object.fromEntries(Object.entries(m).map(…)), without the entry arrays (it runs for every service)
  const out: Record<string, T> = {};
  for (const k of Object.keys(m)) {
    // an own `__proto__` key stays a key, as fromEntries made it
    if (k === '__proto__') Object.defineProperty(out, k, { value: fn(m[k]), enumerable: true, writable: true, configurable: true });
    else out[k] = fn(m[k]);
  }
  return out;
}

function isEmpty(m: Tree): boolean {
  return Object.keys(m).length === 0;
}

/**
 * driver_opts and logging options are string maps in compose's model: numbers (and booleans the schema lets
 * through) print as strings, `baz: 1` → `baz: "1"`.
 */
function optionStrings(m: Tree): Tree {
  return mapValues(m, (v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v));
}

/**
 * compose prints byte sizes as a count, in a string ("536870912"); a number (-1 included) passes. A string that
 * is no size is an error, as compose's "invalid size": left as written, the engine would get no limit at all.
 * (Kept as written only where unparsable values are kept, `config --no-interpolate`.)
 */
function byteString(v: unknown, ctx: CanonicalContext, fail: () => Error): unknown {
  if (typeof v !== 'string' && typeof v !== 'number') return v;
  try {
    return String(parseByteSize(v));
  } catch {
    if (ctx.keepUnparsable) return v;
    throw fail();
  }
}

const INVALID_SIZE = (v: unknown) => `${JSON.stringify(v)} is not a byte size: ${BYTE_SIZE_HINT}`;

function canonicalBuild(build: unknown, ctx: CanonicalContext, invalidSize: (v: unknown) => Error): Tree {
  const b: Tree = typeof build === 'string' ? { context: build } : { ...(build as Tree) };
  const context = typeof b.context === 'string' ? b.context : '.';
  const out: Tree = { context: isRemoteContext(context) ? context : resolveHostPath(context, ctx) };
  if (b.dockerfile === undefined && b.dockerfile_inline === undefined) out.dockerfile = 'Dockerfile';
  for (const [k, v] of Object.entries(b)) {
    if (k === 'context') continue;
    if (k === 'args') {
      // an arg without a value comes from the environment, and is dropped when unset there
      const args: Record<string, string> = {};
      for (const [ak, av] of Object.entries(keyValueMap(v))) {
        const value = av === null || av === undefined ? ctx.env[ak] : scalarString(av);
        if (value !== undefined) args[ak] = value;
      }
      out.args = args;
    } else if (k === 'labels') {
      out.labels = mapValues(keyValueMap(v), (x) => (x === null ? '' : scalarString(x)));
    } else if (k === 'secrets' && Array.isArray(v)) {
      // a mode written as a string is octal ("0440"), as for service secrets (where interpolation casts it)
      out.secrets = v.map((s) =>
        typeof s === 'string' ? { source: s } : isMap(s) && typeof s.mode === 'string' && /^[0-7]+$/.test(s.mode) ? { ...s, mode: parseInt(s.mode, 8) } : s,
      );
    } else if (k === 'shm_size') {
      out.shm_size = byteString(v, ctx, () => invalidSize(v));
    } else if (k === 'additional_contexts') {
      // a map in compose's model (the list form is KEY=VALUE); local directories are resolved like the context
      out.additional_contexts = mapValues(keyValueMap(v), (c) => (typeof c === 'string' && isLocalContext(c) ? resolveHostPath(c, ctx) : c));
    } else {
      out[k] = v;
    }
  }
  return out;
}

function isRemoteContext(context: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('git@') || context.startsWith('github.com/');
}

/** An additional context that is a host directory: not `service:<name>`, nor a URL-like (`docker-image://`, git). */
function isLocalContext(context: string): boolean {
  return !context.startsWith('service:') && !context.includes('://') && !isRemoteContext(context);
}

/**
 * Label files use the env-file syntax. Unlike env files, a value's `${VAR}` expands only from the labels
 * read so far (the project environment is not consulted), and every listed file must exist.
 */
function readLabelFiles(files: readonly string[], ctx: CanonicalContext, at: KeyPath, fail: (p: KeyPath, m: string) => ConfigError): Record<string, string> {
  const abs = files.map((f) => absoluteHostPath(f, ctx));
  for (const file of abs) if (!ctx.files.pathExists(file)) throw new ConfigError(ErrorCodes.LABEL_FILE_NOT_FOUND, `label file ${file} not found: create it or remove it from label_file`, { position: ctx.positionOf(at), keyPath: formatKeyPath(at) });
  try {
    return readDotenvFiles(abs, () => undefined, ctx.files);
  } catch (err) {
    if (err instanceof DotenvError) throw fail(at, err.message);
    throw err;
  }
}

function resolveHostPath(p: string, ctx: CanonicalContext): string {
  return ctx.resolvePaths ? absoluteHostPath(p, ctx) : p;
}

/** A host path made absolute: `~` from HOME, relative ones against the project directory. */
function absoluteHostPath(p: string, ctx: CanonicalContext): string {
  // Windows and named-pipe paths are left alone: they are meaningful only to a Windows engine
  if (/^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\')) return p;
  const home = ctx.env.HOME;
  if (home && (p === '~' || p.startsWith('~/'))) return path.join(home, p.slice(1));
  // an absolute path is kept exactly as written (compose-go's resolvers do not clean it: `/srv/data/` and
  // `${DIR}/x` with DIR=/srv/ print as written); a relative one is joined to the project directory, cleaned
  if (path.isAbsolute(p)) return p;
  return path.resolve(ctx.projectDir, p);
}

interface EnvFileEntry {
  path: string;
  required: boolean;
  format?: string;
}

/** env_file in its long form: a string is a required file; `required` may be a string after interpolation. */
function envFileEntries(value: unknown): EnvFileEntry[] {
  return (Array.isArray(value) ? value : [value]).map((e): EnvFileEntry => {
    if (!isMap(e)) return { path: String(e), required: true };
    const required = !(e.required === false || (typeof e.required === 'string' && ['false', '0', 'no', 'off'].includes(e.required.toLowerCase())));
    return { path: String(e.path), required, ...(typeof e.format === 'string' && e.format !== '' ? { format: e.format } : {}) };
  });
}

function readEnvFiles(entries: readonly EnvFileEntry[], ctx: CanonicalContext, at: KeyPath, fail: (p: KeyPath, m: string) => ConfigError): Record<string, string> {
  const files: { file: string; format?: string }[] = [];
  for (const e of entries) {
    // files are read from their absolute path even when the output keeps paths as written
    const file = absoluteHostPath(e.path, ctx);
    if (ctx.files.pathExists(file)) files.push({ file, format: e.format });
    else if (e.required) throw new ConfigError(ErrorCodes.ENV_FILE_NOT_FOUND, `env file ${file} not found: create it or mark it required: false`, { position: ctx.positionOf(at), keyPath: formatKeyPath(at) });
  }
  try {
    return readDotenvFiles(files, (name) => ctx.env[name], ctx.files);
  } catch (err) {
    if (err instanceof DotenvError) throw fail(at, err.message);
    throw err;
  }
}

function canonicalExtraHosts(value: unknown): string[] {
  if (isMap(value)) {
    return Object.entries(value).flatMap(([host, ips]) => (Array.isArray(ips) ? ips : [ips]).map((ip) => `${host}=${String(ip)}`));
  }
  if (!Array.isArray(value)) return [];
  // compose prints host=ip; the legacy host:ip form splits at the first colon (IPv6 addresses keep theirs)
  return value.map((h) => {
    const s = String(h);
    if (s.includes('=')) return s;
    const i = s.indexOf(':');
    return i < 0 ? s : `${s.slice(0, i)}=${s.slice(i + 1)}`;
  });
}

function canonicalLongPort(p: Tree): ServicePort {
  const out: Record<string, unknown> = { ...p, mode: p.mode ?? 'ingress', protocol: p.protocol ?? 'tcp' };
  if (p.published !== undefined && p.published !== null) out.published = String(p.published);
  if (typeof p.target === 'string') out.target = Number(p.target);
  return out as unknown as ServicePort;
}

function canonicalDependsOn(value: unknown): Record<string, Tree> {
  const out: Record<string, Tree> = {};
  if (Array.isArray(value)) {
    // the short form (a list of names), most of them: the defaults only
    for (const n of value) out[String(n)] = { condition: 'service_started', required: true };
    return out;
  }
  for (const [name, dep] of Object.entries(value as Tree)) {
    const d = isMap(dep) ? dep : undefined;
    // the short form (a list of names) is most of them: no copy of an empty mapping
    out[name] = d === undefined || isEmpty(d) ? { condition: 'service_started', required: true } : { ...d, condition: d.condition ?? 'service_started', required: d.required ?? true };
  }
  return out;
}

function canonicalHealthcheck(h: Tree, fail: (key: string) => ConfigError): Tree {
  const out: Tree = { ...h };
  if (typeof out.test === 'string') out.test = ['CMD-SHELL', out.test];
  for (const key of DURATION_FIELDS) {
    if (typeof out[key] !== 'string') continue;
    try {
      out[key] = normalizeDuration(out[key] as string);
    } catch {
      throw fail(key);
    }
  }
  // compose omits `disable: false`
  if (out.disable === false) delete out.disable;
  return out;
}

const DEPLOY_DURATIONS: readonly [string, string][] = [
  ['update_config', 'delay'], ['update_config', 'monitor'], ['rollback_config', 'delay'], ['rollback_config', 'monitor'],
  ['restart_policy', 'delay'], ['restart_policy', 'window'],
];

function canonicalDeploy(d: Tree, ctx: CanonicalContext, invalidSize: (p: (string | number)[], v: unknown) => Error): Tree {
  const out: Tree = { ...d };
  if (out.labels !== undefined) out.labels = mapValues(keyValueMap(out.labels), (v) => (v === null ? '' : scalarString(v)));
  for (const [section, key] of DEPLOY_DURATIONS) {
    const sec = out[section];
    if (!isMap(sec) || typeof sec[key] !== 'string') continue;
    try {
      out[section] = { ...sec, [key]: normalizeDuration(sec[key] as string) };
    } catch {
      // left as written: the engine will reject it with its own message
    }
  }
  if (isMap(out.resources)) {
    const r: Tree = { ...out.resources };
    for (const k of ['limits', 'reservations']) {
      if (isMap(r[k])) {
        const lim: Tree = { ...(r[k] as Tree) };
        const memory = lim.memory;
        if (memory !== undefined) lim.memory = byteString(memory, ctx, () => invalidSize(['resources', k, 'memory'], memory));
        if (typeof lim.cpus === 'string' && lim.cpus.trim() !== '' && !Number.isNaN(Number(lim.cpus))) lim.cpus = Number(lim.cpus);
        // compose-go's Resource field order
        r[k] = Object.fromEntries(
          [...['cpus', 'memory', 'pids', 'devices', 'generic_resources'].filter((f) => f in lim), ...Object.keys(lim).filter((f) => !['cpus', 'memory', 'pids', 'devices', 'generic_resources'].includes(f))].map((f) => [f, lim[f]]),
        );
      }
    }
    out.resources = r;
  }
  // empty placement lists are not set (omitempty)
  if (isMap(out.placement)) out.placement = Object.fromEntries(Object.entries(out.placement).filter(([, v]) => !(Array.isArray(v) && v.length === 0)));
  if (isMap(out.placement) && Object.keys(out.placement).length === 0) delete out.placement;
  return out;
}

/** Top-level networks/volumes/secrets/configs: null → {}, labels → map, file paths resolved. */
export function canonicalResource(kind: 'networks' | 'volumes' | 'secrets' | 'configs' | 'models', raw: unknown, ctx: CanonicalContext, _warnings: string[] = []): Tree {
  const out: Tree = isMap(raw) ? { ...raw } : {};
  if (isMap(out.external)) {
    // legacy `external: {name: x}`
    if (out.name === undefined && typeof out.external.name === 'string') out.name = out.external.name;
    out.external = true;
  }
  if (out.labels !== undefined) out.labels = mapValues(keyValueMap(out.labels), (v) => (v === null ? '' : scalarString(v)));
  if (isMap(out.driver_opts)) out.driver_opts = optionStrings(out.driver_opts);
  if ((kind === 'secrets' || kind === 'configs') && typeof out.file === 'string') out.file = resolveHostPath(out.file, ctx);
  // a local bind-mounted volume's device is a host path: relative ones (even empty) are resolved like binds
  if (kind === 'volumes' && isMap(out.driver_opts) && typeof out.driver_opts.device === 'string' && /\bbind\b/.test(String(out.driver_opts.o ?? ''))) {
    const device = out.driver_opts.device;
    if (ctx.resolvePaths && !path.isAbsolute(device)) out.driver_opts = { ...out.driver_opts, device: device === '' ? ctx.projectDir : resolveHostPath(device, ctx) };
  }
  // empty maps are not set (Go's omitempty), as for services; nor is a network's `internal: false` (a plain
  // bool) or an empty IPAM pool list
  for (const key of ['driver_opts', 'labels']) if (isMap(out[key]) && Object.keys(out[key] as Tree).length === 0) delete out[key];
  if (kind === 'networks' && out.internal === false) delete out.internal;
  if (kind === 'networks' && isMap(out.ipam) && Array.isArray(out.ipam.config) && out.ipam.config.length === 0) {
    const { config: _c, ...rest } = out.ipam;
    out.ipam = rest;
  }
  if (kind === 'networks' && isMap(out.ipam) && Object.keys(out.ipam).length === 0) delete out.ipam;
  return out;
}
