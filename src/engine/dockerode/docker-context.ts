// Which engine a command talks to, chosen as the docker CLI chooses (docker/cli cli/command/cli.go,
// resolveContextName and resolveDefaultDockerEndpoint): --context, else -H/--host or DOCKER_HOST (both mean
// the default context), else DOCKER_CONTEXT, else "currentContext" in $DOCKER_CONFIG/config.json, else the
// default context, whose endpoint is -H, else DOCKER_HOST, else the platform's socket. Named contexts live in
// the docker CLI's context store. Free of dockerode and of network I/O; reads only small local files.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeCrypto } from '../../model/crypto.js';
import { EngineError, ErrorCodes } from '../../model/errors.js';
import { dockerConfigDir, parseDockerHost, type DockerConnection, type DockerHostEnv, type TlsFlags } from './docker-host.js';

/** What the command line chose (docker compose's -H/--host, --context and the docker CLI's --tls* flags). */
export interface EngineSelection extends TlsFlags {
  readonly host?: string;
  readonly context?: string;
}

export interface SelectionEnv extends DockerHostEnv {
  readonly DOCKER_CONTEXT?: string;
}

/** The context the docker CLI calls "default": the engine of -H / DOCKER_HOST / the platform socket. */
export const DEFAULT_CONTEXT = 'default';

export interface ResolvedEngine {
  readonly context: string;
  readonly connection: DockerConnection;
}

/** The store's directory name for a context: the hex sha256 of its name (docker/cli cli/context/store). */
export function contextDirName(name: string): string {
  // node:crypto only now: every command checks which context is in force, and it is rarely a named one
  return nodeCrypto().createHash('sha256').update(name).digest('hex');
}

/** The context name in force, by the docker CLI's precedence. */
export function contextName(selection: EngineSelection, env: SelectionEnv): string {
  if (selection.context) return selection.context;
  if (selection.host) return DEFAULT_CONTEXT;
  if (env.DOCKER_HOST) return DEFAULT_CONTEXT;
  if (env.DOCKER_CONTEXT) return env.DOCKER_CONTEXT;
  const current = currentContext(env);
  return current || DEFAULT_CONTEXT;
}

// An unreadable or malformed config.json is not an error here: the docker CLI warns and goes on without it.
function currentContext(env: SelectionEnv): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(dockerConfigDir(env), 'config.json'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as { currentContext?: unknown };
    return typeof parsed.currentContext === 'string' ? parsed.currentContext : undefined;
  } catch {
    return undefined;
  }
}

interface ContextMeta {
  readonly Name?: string;
  readonly Endpoints?: { readonly docker?: { readonly Host?: string; readonly SkipTLSVerify?: boolean } };
}

function unresolvable(detail: string): EngineError {
  return new EngineError(ErrorCodes.ENGINE_UNREACHABLE, `unable to resolve docker endpoint: ${detail}`);
}

/**
 * Resolve the engine. Throws EngineError(ENGINE_UNREACHABLE) with the docker CLI's wording for a context that
 * does not exist or has no docker endpoint, and for an address that cannot name an engine.
 */
export function resolveEngine(
  selection: EngineSelection = {},
  env: SelectionEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): ResolvedEngine {
  const name = contextName(selection, env);
  if (name === DEFAULT_CONTEXT) return { context: name, connection: parseDockerHost(selection.host, env, platform, selection) };

  const id = contextDirName(name);
  const storeDir = join(dockerConfigDir(env), 'contexts');
  const metaFile = join(storeDir, 'meta', id, 'meta.json');
  let meta: ContextMeta;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as ContextMeta;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw unresolvable(`context "${name}": context not found: open ${metaFile}: no such file or directory`);
    throw unresolvable(`context "${name}": ${e.message}`);
  }
  const endpoint = meta.Endpoints?.docker;
  if (!endpoint) throw unresolvable(`context "${name}": cannot find docker endpoint in context`);

  // A context's address is its own; DOCKER_HOST and the TLS variables do not apply to it (they select the
  // default context). Its TLS material, when it has any, is in the store's tls directory.
  const tlsDir = join(storeDir, 'tls', id, 'docker');
  const file = (f: string) => (existsSync(join(tlsDir, f)) ? join(tlsDir, f) : undefined);
  const [ca, cert, key] = [file('ca.pem'), file('cert.pem'), file('key.pem')];
  const hasTls = ca !== undefined || (cert !== undefined && key !== undefined) || endpoint.SkipTLSVerify === true;
  const flags: TlsFlags = hasTls
    ? { tls: true, tlsVerify: endpoint.SkipTLSVerify !== true, tlsCaCert: ca ?? '', tlsCert: cert ?? '', tlsKey: key ?? '' }
    : { tls: false, tlsVerify: false };
  const host = endpoint.Host || (platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock');
  return { context: name, connection: parseDockerHost(host, {}, platform, flags) };
}
