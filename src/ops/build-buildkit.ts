// What a BuildKit build of a service needs beyond the classic build's fields, from the compose model:
// secrets (build.secrets → top-level secrets), ssh agents (build.ssh, build --ssh), and what of
// cache_from / cache_to the engine's own builder can do through its control API: import registry caches,
// export the inline cache (image metadata, via BUILDKIT_INLINE_CACHE) and, on an engine with the containerd
// image store (Docker ≥ 24 with the containerd-snapshotter feature), export registry and local caches;
// local caches are imported on every engine (the session serves the directory). Elsewhere
// (Docker 20.10, any graph-driver engine) compose (docker driver) refuses cache export other than inline
// with "Cache export is not supported for the docker driver" (exit 17), and so does berth, in one line.
import type { BuildKitCacheEntry, BuildSecret, BuildSshAgent } from '../engine/types.js';
import { ErrorCodes, OperationError } from '../model/errors.js';
import type { Project } from '../model/types.js';
import { isAbsolute, resolve } from 'node:path';
import { errnoCode } from './errno.js';

// the value was defined (not enumerable) just before: this tells the type checker so
const hasValue = (s: { id: string; env: string }): s is { id: string; env: string; value: string } => 'value' in s;
const isStringList = (v: unknown): v is readonly string[] => Array.isArray(v);

/**
 * build.secrets → the builder's secrets: the id is the entry's `target` when set, else its source key (as
 * compose maps them); the value comes from the top-level secret's `file` or `environment` (the project
 * environment, empty when unset). uid/gid/mode do not apply to BuildKit secrets (the Dockerfile's mount
 * sets them); compose warns and ignores them, the returned warnings say the same.
 */
export function buildSecrets(project: Project, service: string): { secrets: BuildSecret[]; warnings: string[] } {
  const raw = project.services[service]?.build?.secrets;
  const secrets: BuildSecret[] = [];
  const warnings: string[] = [];
  if (!raw) return { secrets, warnings };
  for (const e of raw) {
    const source = e.source;
    const id = e.target !== undefined && e.target !== null && e.target !== '' ? String(e.target) : source;
    const top = project.secrets?.[source];
    if (!top) throw new OperationError(ErrorCodes.SERVICE_SPEC, `service "${service}" refers to undefined build secret ${source}`, { service });
    if (typeof top.file === 'string' && top.file) {
      secrets.push({ id, file: isAbsolute(top.file) ? top.file : resolve(project.meta.workingDir, top.file) });
    } else if (typeof top.environment === 'string' && top.environment) {
      // the value is not enumerable: a spec or request that is logged, inspected or serialized never shows it
      const secret = { id, env: top.environment };
      Object.defineProperty(secret, 'value', { value: project.meta.environment[top.environment] ?? '', enumerable: false });
      if (hasValue(secret)) secrets.push(secret);
    } else {
      throw new OperationError(ErrorCodes.SERVICE_SPEC, `service "${service}": build.secrets only supports environment or file-based secrets: "${source}"`, { service });
    }
    if (e.uid !== undefined || e.gid !== undefined || e.mode !== undefined) {
      warnings.push('secrets `uid`, `gid` and `mode` are not supported by BuildKit, they will be ignored');
    }
  }
  return { secrets, warnings: [...new Set(warnings)] };
}

/** One ssh entry, "default", "id", "id=path[,path]", or a map entry id → path. */
function sshEntry(id: string, path: string | undefined, workingDir: string): BuildSshAgent {
  const paths = path ? path.split(',').filter(Boolean).map((p) => (isAbsolute(p) ? p : resolve(workingDir, p))) : [];
  return { id: id || 'default', paths };
}

/** build.ssh plus `build --ssh` entries (the command line's after the file's), paths against the project dir. */
export function buildSsh(project: Project, service: string, cli: readonly string[] = []): BuildSshAgent[] {
  const raw = project.services[service]?.build?.ssh;
  const dir = project.meta.workingDir;
  const out: BuildSshAgent[] = [];
  const fromString = (s: string) => {
    const eq = s.indexOf('=');
    out.push(eq < 0 ? sshEntry(s, undefined, dir) : sshEntry(s.slice(0, eq), s.slice(eq + 1), dir));
  };
  if (isStringList(raw)) raw.forEach((s) => fromString(String(s)));
  else if (raw) for (const [id, p] of Object.entries(raw)) out.push(sshEntry(id, p === null || p === undefined ? undefined : String(p), dir));
  cli.forEach(fromString);
  return out;
}

/** A cache_from / cache_to entry: "type=…,k=v" (buildx's CSV form), or a bare image reference (a registry cache). */
export function parseCacheEntry(entry: string): { type: string; attrs: Record<string, string> } {
  if (!entry.includes('=')) return { type: 'registry', attrs: { ref: entry } };
  const attrs: Record<string, string> = {};
  for (const field of entry.split(',')) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    if (key) attrs[key] = eq < 0 ? '' : field.slice(eq + 1).trim();
  }
  const { type = '', ...rest } = attrs;
  return { type: type || (rest.ref ? 'registry' : ''), attrs: rest };
}

export interface BuildCacheExport {
  readonly type: string;
  readonly attrs: Readonly<Record<string, string>>;
  /** The cache_to entry as written, for messages. */
  readonly entry: string;
}

export interface BuildKitCache {
  /** Registry references the builder imports cache from (`cachefrom` of /build). */
  readonly cacheFrom: string[];
  /** cache_to type=inline: the image carries its cache metadata (BUILDKIT_INLINE_CACHE=1). */
  readonly inline: boolean;
  /** cache_to exports other than inline (type=registry: ref, mode=min|max, …; type=local: dest, …), as the builder takes them. */
  readonly exports: BuildCacheExport[];
  /** cache_from entries the builder cannot import here, built without (as a cache that is not there). */
  readonly warnings: string[];
  /** type=local imports (a directory the builder reads through the session; local exports are in `exports`). */
  readonly localImports: BuildKitCacheEntry[];
}

/**
 * cache_from / cache_to → what the engine's builder takes. Imports: registry references (an import that
 * finds nothing is a warning of the builder, not an error) and local directories (served by the session's
 * content store; one without a usable cache is passed over with a warning, as compose does); other types
 * are skipped with a warning. Exports: inline, registry and local (which the engine may refuse); anything
 * else fails as in compose.
 */
export function buildKitCache(service: string, cacheFrom: readonly string[], cacheTo: readonly string[]): BuildKitCache {
  const refs: string[] = [];
  const warnings: string[] = [];
  const localImports: BuildKitCacheEntry[] = [];
  for (const entry of cacheFrom) {
    const { type, attrs } = parseCacheEntry(entry);
    if (type === 'registry') {
      if (!attrs.ref) throw new OperationError(ErrorCodes.BUILD_FAILED, `service "${service}": build.cache_from ${entry}: a registry cache needs ref=`, { service });
      refs.push(attrs.ref);
    } else if (type === 'inline') {
      throw new OperationError(ErrorCodes.BUILD_FAILED, `service "${service}": build.cache_from ${entry}: type=inline is an export; import it with type=registry,ref=<image>`, { service });
    } else if (type === 'local') {
      if (!attrs.src) throw new OperationError(ErrorCodes.BUILD_FAILED, `service "${service}": build.cache_from ${entry}: a local cache needs src=`, { service });
      localImports.push({ type, attrs });
    } else {
      warnings.push(`service "${service}": build.cache_from ${entry} ignored: the engine's builder imports registry caches only (type=registry,ref=…)`);
    }
  }
  let inline = false;
  const exports: BuildCacheExport[] = [];
  for (const entry of cacheTo) {
    const { type, attrs } = parseCacheEntry(entry);
    if (type === 'inline') inline = true;
    else if (type === 'registry' || type === 'local') {
      if (type === 'registry' && !attrs.ref) throw new OperationError(ErrorCodes.BUILD_FAILED, `service "${service}": build.cache_to ${entry}: a registry cache needs ref=`, { service });
      if (type === 'local' && !attrs.dest) throw new OperationError(ErrorCodes.BUILD_FAILED, `service "${service}": build.cache_to ${entry}: a local cache needs dest=`, { service });
      // whether the engine can export it is the engine's answer (build-kit.ts words its refusal)
      exports.push({ type, attrs, entry });
    } else {
      throw new OperationError(
        ErrorCodes.BUILD_FAILED,
        `service "${service}": build.cache_to ${entry}: cache export is not supported for the docker driver (the engine's builder); use type=inline and push the image`,
        { service },
      );
    }
  }
  return { cacheFrom: refs, inline, exports, warnings, localImports };
}

/** BuildKit's limit on one secret (secretsprovider.MaxSecretSize). */
const MAX_SECRET_SIZE = 500 * 1024;

/**
 * The secret files and ssh sources of a BuildKit build, checked before it starts, as compose checks them
 * while it prepares the build's options: a failure there is a plain error (exit 1), not a build failure.
 * The session services check them again when they start (engine/dockerode/buildkit/services/).
 */
export async function checkBuildKitSources(
  spec: { readonly service: string; readonly secrets: readonly BuildSecret[]; readonly ssh: readonly BuildSshAgent[] },
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> {
  const { stat } = await import('node:fs/promises');
  const service = spec.service;
  const fail = (message: string): never => {
    throw new OperationError(ErrorCodes.SERVICE_SPEC, `service "${service}": ${message}`, { service });
  };
  const statOf = async (path: string) => {
    try {
      return await stat(path);
    } catch (err) {
      return errnoCode(err) ?? 'error';
    }
  };
  for (const s of spec.secrets) {
    if (!('file' in s)) continue;
    const st = await statOf(s.file);
    if (typeof st === 'string') fail(`build.secrets ${s.id}: cannot read ${s.file}: ${st}`);
    else if (st.size > MAX_SECRET_SIZE) fail(`build.secrets ${s.id}: ${s.file} is ${st.size} bytes, more than BuildKit's limit of ${MAX_SECRET_SIZE}`);
  }
  const ids = new Set<string>();
  for (const a of spec.ssh) {
    if (ids.has(a.id)) fail(`build.ssh: invalid duplicate ID ${a.id}`);
    ids.add(a.id);
    if (a.paths.length === 0 && !env.SSH_AUTH_SOCK) fail(`build.ssh ${a.id}: invalid empty ssh agent socket, make sure SSH_AUTH_SOCK is set`);
    for (const p of a.paths) {
      const st = await statOf(p);
      if (typeof st === 'string') fail(`build.ssh ${a.id}: cannot use ${p}: ${st}`);
    }
  }
}
