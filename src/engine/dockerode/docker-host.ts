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
      /** Where ca.pem, cert.pem and key.pem are read from when TLS is on. */
      readonly certPath?: string;
      /** DOCKER_TLS_VERIFY: verify the daemon's certificate against ca.pem. */
      readonly verify?: boolean;
      readonly display: string;
    }
  | {
      readonly kind: 'ssh';
      readonly host: string;
      readonly port: number;
      readonly username?: string;
      readonly display: string;
    };

/** The environment variables that decide the connection; a subset of process.env. */
export interface DockerHostEnv {
  readonly DOCKER_HOST?: string;
  readonly DOCKER_TLS_VERIFY?: string;
  readonly DOCKER_TLS?: string;
  readonly DOCKER_CERT_PATH?: string;
}

function invalid(value: string, why: string): EngineError {
  return new EngineError(ErrorCodes.ENGINE_UNREACHABLE, `invalid DOCKER_HOST "${value}": ${why}`);
}

// The docker CLI treats "", "0" and "false" the same as unset for these boolean variables.
function truthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/**
 * Resolve the engine address the way the docker CLI does: an explicit host wins, then DOCKER_HOST, then the
 * platform's default socket. Throws EngineError(ENGINE_UNREACHABLE) for a value that cannot name an engine.
 */
export function parseDockerHost(
  host: string | undefined,
  env: DockerHostEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): DockerConnection {
  const value = (host ?? env.DOCKER_HOST ?? '').trim();
  if (value === '') {
    return platform === 'win32'
      ? { kind: 'npipe', socketPath: DEFAULT_NPIPE, display: `npipe://${DEFAULT_NPIPE}` }
      : { kind: 'unix', socketPath: DEFAULT_UNIX_SOCKET, display: `unix://${DEFAULT_UNIX_SOCKET}` };
  }

  const schemeEnd = value.indexOf('://');
  if (schemeEnd < 0) throw invalid(value, 'expected a scheme such as unix://, tcp://, npipe:// or ssh://');
  const scheme = value.slice(0, schemeEnd).toLowerCase();
  const rest = value.slice(schemeEnd + 3);

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
      const tls = scheme === 'https' || truthy(env.DOCKER_TLS_VERIFY) || truthy(env.DOCKER_TLS);
      const url = parseUrl(value, `${tls ? 'https' : 'http'}://${rest}`);
      if (url.pathname !== '/' && url.pathname !== '') throw invalid(value, 'a path is not supported');
      const port = url.port === '' ? (tls ? 2376 : 2375) : Number(url.port);
      const certPath = tls ? env.DOCKER_CERT_PATH || join(homedir(), '.docker') : undefined;
      return {
        kind: 'tcp',
        protocol: tls ? 'https' : 'http',
        host: url.hostname,
        port,
        ...(tls ? { certPath, verify: truthy(env.DOCKER_TLS_VERIFY) } : {}),
        display: `tcp://${url.hostname}:${port}`,
      };
    }
    case 'ssh': {
      const url = parseUrl(value, `ssh://${rest}`);
      const port = url.port === '' ? 22 : Number(url.port);
      const username = url.username === '' ? undefined : decodeURIComponent(url.username);
      return {
        kind: 'ssh',
        host: url.hostname,
        port,
        ...(username === undefined ? {} : { username }),
        display: `ssh://${username === undefined ? '' : `${username}@`}${url.hostname}:${port}`,
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
