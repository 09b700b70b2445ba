// Registry credentials the way the Docker CLI keeps them, in $DOCKER_CONFIG/config.json (default
// ~/.docker/config.json), written by `docker login`: inline in `auths`, or in a credential helper program
// (`credHelpers` per registry, else `credsStore` for all; docker-credential-<name>, found on PATH). The
// engine itself holds no credentials: every pull and push carries them in X-Registry-Auth, a build in
// X-Registry-Config (all of them, since the engine decides which registries the Dockerfile's FROM lines need).
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
  /** The helper for every registry without one of its own in credHelpers. */
  readonly credsStore?: string;
  /** Registry host → helper name. */
  readonly credHelpers?: Readonly<Record<string, string>>;
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
    const parsed = JSON.parse(await fsp.readFile(path, 'utf8')) as { auths?: DockerConfigFile['auths']; credsStore?: unknown; credHelpers?: unknown };
    const helpers = parsed?.credHelpers && typeof parsed.credHelpers === 'object' ? (parsed.credHelpers as Record<string, unknown>) : {};
    return {
      auths: parsed && typeof parsed.auths === 'object' && parsed.auths ? parsed.auths : {},
      ...(typeof parsed?.credsStore === 'string' && parsed.credsStore ? { credsStore: parsed.credsStore } : {}),
      credHelpers: Object.fromEntries(Object.entries(helpers).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')),
      path,
    };
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

/** A credential helper that failed for another reason than "no credentials for that registry". */
export class CredentialHelperError extends Error {}

/** The helper that holds a registry's credentials, if any: its own in credHelpers, else credsStore. */
function helperFor(config: DockerConfigFile, registry: string): string | undefined {
  const own = Object.entries(config.credHelpers ?? {}).find(([host]) => keyHost(host) === registry);
  return own?.[1] ?? config.credsStore;
}

/** Where a registry's credentials are looked up, for messages: the helper program, else the config file. */
export function credentialSource(config: DockerConfigFile, registry: string): string {
  const helper = helperFor(config, registry);
  return helper ? `docker-credential-${helper} (${config.path})` : config.path;
}

/** The address a helper files a registry under, as `docker login` stored it. */
const helperAddress = (registry: string) => (registry === HUB ? HUB_CONFIG_KEY : registry);

async function runHelper(helper: string, action: 'get' | 'list', input: string): Promise<string> {
  const program = `docker-credential-${helper}`;
  // loaded here: only a configuration with helpers runs one
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = execFile(program, [action], { timeout: 30_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const why = (String(stdout).trim() || String(stderr).trim() || err.message).split('\n')[0];
      // the helpers' own words for "nothing stored for that address" (docker-credential-helpers)
      if (/credentials not found/i.test(why)) return resolve('');
      reject(new CredentialHelperError(`credential helper ${program} failed (${action}): ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found on PATH' : why}`));
    });
    // A helper that exits without reading (or was never found) closes the pipe: the write then fails with
    // EPIPE, an 'error' event that would otherwise be uncaught. The exit status above says what happened.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
  });
}

function fromHelperAnswer(address: string, text: string): AuthConfig | undefined {
  if (!text.trim()) return undefined;
  const creds = JSON.parse(text) as { Username?: string; Secret?: string };
  if (!creds.Secret) return undefined;
  // docker login stores an identity token under the user name "<token>"
  if (creds.Username === '<token>') return { serveraddress: address, identitytoken: creds.Secret };
  return { serveraddress: address, ...(creds.Username ? { username: creds.Username } : {}), password: creds.Secret };
}

/**
 * Credentials for one registry host wherever the CLI keeps them: through its helper when it has one (as
 * `docker` does: the helper's answer wins, and no answer means no credentials), else from `auths`.
 */
export async function resolveAuth(config: DockerConfigFile, registry: string): Promise<AuthConfig | undefined> {
  const helper = helperFor(config, registry);
  if (!helper) return authFor(config, registry);
  const address = helperAddress(registry);
  try {
    return fromHelperAnswer(address, await runHelper(helper, 'get', address));
  } catch (err) {
    if (err instanceof SyntaxError) throw new CredentialHelperError(`credential helper docker-credential-${helper} gave an answer that is not JSON for ${registry}`);
    throw err;
  }
}

/** allAuths, plus what every helper holds (`list`, then `get` for each address): a build's X-Registry-Config. */
export async function resolveAllAuths(config: DockerConfigFile): Promise<Record<string, AuthConfig>> {
  const out: Record<string, AuthConfig> = allAuths(config);
  const addresses = new Map<string, string>();
  if (config.credsStore) {
    const listed = await runHelper(config.credsStore, 'list', '');
    for (const address of Object.keys(listed.trim() ? (JSON.parse(listed) as Record<string, string>) : {})) addresses.set(address, config.credsStore);
  }
  for (const [host, helper] of Object.entries(config.credHelpers ?? {})) addresses.set(host, helper);
  for (const [address, helper] of addresses) {
    const auth = fromHelperAnswer(address, await runHelper(helper, 'get', address));
    if (auth) out[address] = auth;
    else delete out[address];
  }
  return out;
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
