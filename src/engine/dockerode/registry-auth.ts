// Registry credentials the way the Docker CLI keeps them: `auths` in $DOCKER_CONFIG/config.json (default
// ~/.docker/config.json), written by `docker login`. The engine itself holds no credentials: every pull and
// push carries them in X-Registry-Auth, a build in X-Registry-Config (all of them, since the engine decides
// which registries the Dockerfile's FROM lines need).
import { promises as fsp } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { splitImageRef } from '../image-ref.js';

/** The engine's AuthConfig (types.AuthConfig), lower-case keys as the CLI sends them. */
export interface AuthConfig {
  readonly username?: string;
  readonly password?: string;
  readonly serveraddress: string;
  readonly identitytoken?: string;
  readonly registrytoken?: string;
}

/** Docker Hub's names for itself; the CLI files its credentials under the v1 index URL. */
const HUB = 'docker.io';
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);
export const HUB_CONFIG_KEY = 'https://index.docker.io/v1/';

/**
 * The registry host of an image reference, as the engine resolves it: the first path component when it
 * looks like a host (has a dot or a port, or is "localhost"), otherwise Docker Hub.
 */
export function registryOf(ref: string): string {
  const { name } = splitImageRef(ref);
  const slash = name.indexOf('/');
  if (slash < 0) return HUB;
  const first = name.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') return HUB_ALIASES.has(first) ? HUB : first;
  return HUB;
}

/** A config.json key ("https://localhost:5001/v2/", "localhost:5001") reduced to the host it names. */
function keyHost(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  return HUB_ALIASES.has(host) ? HUB : host;
}

export interface DockerConfigFile {
  readonly auths: Readonly<Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }>>;
  /** Where it was read from, for messages. */
  readonly path: string;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

/** The CLI config, or an empty one when there is none (an unreadable or malformed file is not an error: no credentials). */
export async function readDockerConfig(env: NodeJS.ProcessEnv = process.env): Promise<DockerConfigFile> {
  const path = dockerConfigPath(env);
  try {
    const parsed = JSON.parse(await fsp.readFile(path, 'utf8')) as { auths?: DockerConfigFile['auths'] };
    return { auths: parsed && typeof parsed.auths === 'object' && parsed.auths ? parsed.auths : {}, path };
  } catch {
    return { auths: {}, path };
  }
}

function toAuthConfig(key: string, entry: DockerConfigFile['auths'][string]): AuthConfig {
  let { username, password } = entry;
  if (entry.auth) {
    // "auth" is base64("user:password"); the password may itself contain colons
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
  }
  return {
    serveraddress: key,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(entry.identitytoken ? { identitytoken: entry.identitytoken } : {}),
    ...(entry.registrytoken ? { registrytoken: entry.registrytoken } : {}),
  };
}

/** Credentials for one registry host: an exact key first, then any key naming the same host. */
export function authFor(config: DockerConfigFile, registry: string): AuthConfig | undefined {
  const entries = Object.entries(config.auths);
  const exact = entries.find(([k]) => k === registry) ?? (registry === HUB ? entries.find(([k]) => k === HUB_CONFIG_KEY) : undefined);
  const found = exact ?? entries.find(([k]) => keyHost(k) === registry);
  return found ? toAuthConfig(found[0], found[1]) : undefined;
}

/** Every credential, keyed as in the file: the X-Registry-Config of a build. */
export function allAuths(config: DockerConfigFile): Record<string, AuthConfig> {
  return Object.fromEntries(Object.entries(config.auths).map(([k, v]) => [k, toAuthConfig(k, v)]));
}

/**
 * X-Registry-Auth: the JSON AuthConfig in the URL-safe base64 alphabet WITH padding (Go's URLEncoding, which
 * the engine decodes with: unpadded input fails to decode and the engine then pulls without credentials);
 * "{}" when there are none (push requires the header).
 */
export function encodeAuthHeader(auth: AuthConfig | undefined): string {
  return Buffer.from(JSON.stringify(auth ?? {})).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** X-Registry-Config: base64 of the JSON map registry → AuthConfig. */
export function encodeRegistryConfig(auths: Record<string, AuthConfig>): string {
  return Buffer.from(JSON.stringify(auths)).toString('base64');
}

/**
 * Whether an engine message means the registry wants (other) credentials. The engine reports these as
 * plain 500s or stream errors, so the message text is all there is.
 */
export function isAuthFailure(message: string): boolean {
  return /unauthorized|authentication required|no basic auth credentials|denied: requested access|incorrect username or password|access forbidden/i.test(message);
}
