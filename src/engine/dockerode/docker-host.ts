// DOCKER_HOST parsing, kept free of dockerode and of I/O so the CLI can resolve where the engine is without
// paying for loading the client, and so the rules are unit-testable.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EngineError, ErrorCodes } from '../../model/errors.js';

export const DEFAULT_UNIX_SOCKET = '/var/run/docker.sock';
export const DEFAULT_NPIPE = '//./pipe/docker_engine';

export type DockerConnection =
  | { readonly kind: 'unix' | 'npipe'; readonly socketPath: string; readonly display: string }
  | {
      readonly kind: 'tcp';
      readonly protocol: 'http' | 'https';
      readonly host: string;
      readonly port: number;
      /** Present when TLS is on: the files the CA, client certificate and key are read from, when they exist. */
      readonly tls?: TlsFiles;
      readonly display: string;
    }
  | {
      readonly kind: 'ssh';
      readonly host: string;
      /** Absent: ssh's own configuration decides (22 unless ~/.ssh/config says otherwise). */
      readonly port?: number;
      readonly username?: string;
      /** ssh://host/path/to/docker.sock: the engine socket on the far side, else its docker CLI's default. */
      readonly socketPath?: string;
      readonly display: string;
    };

export interface TlsFiles {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Verify the daemon's certificate (DOCKER_TLS_VERIFY, --tlsverify; a context without SkipTLSVerify). */
  readonly verify: boolean;
}

/** The environment variables that decide the connection; a subset of process.env. */
export interface DockerHostEnv {
  readonly DOCKER_HOST?: string;
  readonly DOCKER_TLS_VERIFY?: string;
  readonly DOCKER_TLS?: string;
  readonly DOCKER_CERT_PATH?: string;
  /** The docker CLI's configuration directory, the default DOCKER_CERT_PATH. */
  readonly DOCKER_CONFIG?: string;
}

function invalid(value: string, why: string): EngineError {
  return new EngineError(ErrorCodes.ENGINE_UNREACHABLE, `invalid DOCKER_HOST "${value}": ${why}`);
}

// The docker CLI turns TLS on for any non-empty DOCKER_TLS_VERIFY or DOCKER_TLS, "0" included
// (cli/flags/options.go reads them as `os.Getenv(...) != ""`).
function set(value: string | undefined): boolean {
  return value !== undefined && value !== '';
}

/** The docker CLI's configuration directory: $DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env: { readonly DOCKER_CONFIG?: string }): string {
  return env.DOCKER_CONFIG || join(homedir(), '.docker');
}

/** TLS settings of the default context: the docker CLI's --tls* flags, else DOCKER_TLS*, DOCKER_CERT_PATH. */
export interface TlsFlags {
  readonly tls?: boolean;
  readonly tlsVerify?: boolean;
  readonly tlsCaCert?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

/**
 * Resolve the engine address the way the docker CLI does: an explicit host wins, then DOCKER_HOST, then the
 * platform's default socket. Throws EngineError(ENGINE_UNREACHABLE) for a value that cannot name an engine.
 */
export function parseDockerHost(
  host: string | undefined,
  env: DockerHostEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  flags: TlsFlags = {},
): DockerConnection {
  const value = (host ?? env.DOCKER_HOST ?? '').trim();
  if (value === '') {
    return platform === 'win32'
      ? { kind: 'npipe', socketPath: DEFAULT_NPIPE, display: `npipe://${DEFAULT_NPIPE}` }
      : { kind: 'unix', socketPath: DEFAULT_UNIX_SOCKET, display: `unix://${DEFAULT_UNIX_SOCKET}` };
  }

  const schemeEnd = value.indexOf('://');
  // an address without a scheme is a tcp one, as for the docker CLI (opts.ParseHost): DOCKER_HOST=box:2375
  const scheme = schemeEnd < 0 ? 'tcp' : value.slice(0, schemeEnd).toLowerCase();
  const rest = schemeEnd < 0 ? value : value.slice(schemeEnd + 3);

  switch (scheme) {
    case 'unix': {
      // unix:///path keeps its leading slash; an empty path means the default socket, as in the docker CLI.
      const socketPath = rest === '' ? DEFAULT_UNIX_SOCKET : rest;
      return { kind: 'unix', socketPath, display: `unix://${socketPath}` };
    }
    case 'npipe': {
      // npipe:////./pipe/docker_engine → //./pipe/docker_engine, a form Node's net module accepts on Windows.
      const socketPath = rest === '' ? DEFAULT_NPIPE : rest;
      return { kind: 'npipe', socketPath, display: `npipe://${socketPath}` };
    }
    case 'tcp':
    case 'http':
    case 'https': {
      const verify = flags.tlsVerify ?? set(env.DOCKER_TLS_VERIFY);
      const tls = scheme === 'https' || verify || (flags.tls ?? set(env.DOCKER_TLS));
      const url = parseUrl(value, `${tls ? 'https' : 'http'}://${rest}`);
      if (url.pathname !== '/' && url.pathname !== '') throw invalid(value, 'a path is not supported');
      const port = url.port === '' ? (tls ? 2376 : 2375) : Number(url.port);
      const certPath = env.DOCKER_CERT_PATH || dockerConfigDir(env);
      const files: TlsFiles = {
        ca: flags.tlsCaCert ?? join(certPath, 'ca.pem'),
        cert: flags.tlsCert ?? join(certPath, 'cert.pem'),
        key: flags.tlsKey ?? join(certPath, 'key.pem'),
        verify,
      };
      return {
        kind: 'tcp',
        protocol: tls ? 'https' : 'http',
        host: url.hostname,
        port,
        ...(tls ? { tls: files } : {}),
        display: `tcp://${url.hostname}:${port}`,
      };
    }
    case 'ssh': {
      const url = parseUrl(value, `ssh://${rest}`);
      // the docker CLI's rules for an ssh:// address (cli/connhelper/ssh)
      if (url.password !== '') throw invalid(value, 'plain-text password is not supported');
      if (url.search !== '') throw invalid(value, 'query parameters are not allowed');
      if (url.hash !== '') throw invalid(value, 'fragments are not allowed');
      const port = url.port === '' ? undefined : Number(url.port);
      const username = url.username === '' ? undefined : decodeURIComponent(url.username);
      const path = decodeURIComponent(url.pathname);
      const socketPath = path.replace(/^\/+|\/+$/g, '') === '' ? undefined : path;
      return {
        kind: 'ssh',
        host: url.hostname,
        ...(port === undefined ? {} : { port }),
        ...(username === undefined ? {} : { username }),
        ...(socketPath === undefined ? {} : { socketPath }),
        display: `ssh://${username === undefined ? '' : `${username}@`}${url.hostname}${port === undefined ? '' : `:${port}`}${socketPath ?? ''}`,
      };
    }
    default:
      throw invalid(value, `unsupported scheme "${scheme}://"`);
  }
}

function parseUrl(original: string, candidate: string): URL {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw invalid(original, 'not a valid address');
  }
  if (url.hostname === '') throw invalid(original, 'missing host');
  return url;
}
