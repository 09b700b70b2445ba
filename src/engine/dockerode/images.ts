// Image transfer over the Engine API: build (POST /build, the classic builder), pull and push with registry
// credentials, tag. Kept apart from engine.ts, which delegates here with its lazily loaded modem; requests go
// through io.ts's rawDial (registry headers, streamed context).
import type { Readable } from 'node:stream';
import { EngineError, ErrorCodes } from '../../model/errors.js';
import { splitImageRef } from '../image-ref.js';
import type { BuildRequest, LayerProgress } from '../types.js';
import { isImageNotFound, toEngineError } from './errors.js';
import { credentialSource, CredentialHelperError, encodeAuthHeader, encodeRegistryConfig, isAuthFailure, readDockerConfig, registryOf, resolveAllAuths, resolveAuth, type DockerConfigFile } from './registry-auth.js';
import { rawDial, type Modem } from './io.js';
import { NdjsonSplitter } from './streams.js';

type Json = Record<string, any>;

// Image references keep "/" and ":" literal: the engine routes /images/{name:.*}/push and does not unescape %2F.
const encImage = (ref: string) => encodeURI(ref).replace(/[?#]/g, (c) => encodeURIComponent(c));

/** Read an NDJSON progress stream to its end, handing each object to `handle` (which may throw). */
async function consume(stream: Readable, address: string, handle: (line: Json) => void): Promise<void> {
  const splitter = new NdjsonSplitter();
  try {
    for await (const chunk of stream) for (const line of splitter.push(chunk as Buffer)) handle(line as Json);
    for (const line of splitter.end()) handle(line as Json);
  } catch (err) {
    throw toEngineError(err, address, 'reading an image progress stream (pull, push or build)');
  } finally {
    stream.destroy();
  }
}

function layerProgress(l: Json): LayerProgress | undefined {
  if (typeof l?.status !== 'string') return undefined;
  return { status: l.status, ...(l.id ? { id: String(l.id) } : {}), ...(l.progress ? { progress: String(l.progress) } : {}) };
}

/**
 * A registry failure as one line that names the registry; authentication failures get their own code and
 * say where the credentials were looked up.
 */
function registryError(verb: 'pull' | 'push', ref: string, message: string, config: DockerConfigFile, hadCredentials: boolean, fallback: string): EngineError {
  const registry = registryOf(ref);
  const text = message.trim().split('\n')[0];
  if (isAuthFailure(text)) {
    const where = credentialSource(config, registry);
    const creds = hadCredentials ? `the credentials for ${registry} in ${where} were refused` : `no credentials for ${registry} in ${where}`;
    return new EngineError(ErrorCodes.REGISTRY_AUTH, `registry ${registry} refused to ${verb} ${ref}: ${text} (${creds}; run docker login ${registry})`);
  }
  const code = verb === 'pull' && isImageNotFound(text) ? ErrorCodes.IMAGE_NOT_FOUND : fallback;
  return new EngineError(code, `${verb} ${ref} from registry ${registry} failed: ${text}`);
}

/** A registry's credentials; a credential helper that fails is an error naming it, the registry and the config. */
async function credentials(config: DockerConfigFile, verb: 'pull' | 'push', ref: string) {
  const registry = registryOf(ref);
  try {
    return await resolveAuth(config, registry);
  } catch (err) {
    if (!(err instanceof CredentialHelperError)) throw err;
    throw new EngineError(ErrorCodes.REGISTRY_AUTH, `cannot ${verb} ${ref}: ${err.message} for ${registry} (configured in ${config.path})`);
  }
}

export async function pullImage(modem: Modem, address: string, ref: string, onProgress?: (line: LayerProgress) => void): Promise<void> {
  const { name, tag, digest } = splitImageRef(ref);
  const config = await readDockerConfig();
  const auth = await credentials(config, 'pull', ref);
  let stream: Readable;
  try {
    stream = await rawDial<Readable>(
      modem,
      {
        path: '/images/create',
        method: 'POST',
        ok: [200],
        isStream: true,
        // Without a tag the engine pulls every tag of the repository; compose means :latest.
        query: { fromImage: name, tag: digest ?? tag ?? 'latest' },
        headers: auth ? { 'X-Registry-Auth': encodeAuthHeader(auth) } : {},
      },
      address,
    );
  } catch (err) {
    if (err instanceof EngineError && err.code === ErrorCodes.ENGINE_UNREACHABLE) throw err;
    throw registryError('pull', ref, (err as Error).message, config, !!auth, ErrorCodes.ENGINE_FAILED);
  }
  await consume(stream, address, (l) => {
    // A failed pull still answers 200; the failure is the last line of the stream.
    if (l?.error || l?.errorDetail) throw registryError('pull', ref, String(l.errorDetail?.message ?? l.error), config, !!auth, ErrorCodes.ENGINE_FAILED);
    const p = layerProgress(l);
    if (p && onProgress) onProgress(p);
  });
}

export async function pushImage(modem: Modem, address: string, ref: string, onProgress?: (line: LayerProgress) => void): Promise<void> {
  const { name, tag } = splitImageRef(ref);
  const config = await readDockerConfig();
  const auth = await credentials(config, 'push', ref);
  const stream = await rawDial<Readable>(
    modem,
    {
      path: `/images/${encImage(name)}/push`,
      method: 'POST',
      ok: [200],
      isStream: true,
      query: { tag: tag ?? 'latest' },
      // The engine rejects a push without this header, even for a registry that wants no credentials.
      headers: { 'X-Registry-Auth': encodeAuthHeader(auth) },
    },
    address,
  ).catch((err: unknown) => {
    if (err instanceof EngineError && err.code === ErrorCodes.ENGINE_NOT_FOUND) {
      throw new EngineError(ErrorCodes.IMAGE_NOT_FOUND, `push ${ref}: no such image (build or tag it first)`, { cause: err });
    }
    throw err;
  });
  await consume(stream, address, (l) => {
    if (l?.error || l?.errorDetail) {
      const message = String(l.errorDetail?.message ?? l.error);
      if (/does not exist locally/i.test(message)) throw new EngineError(ErrorCodes.IMAGE_NOT_FOUND, `push ${ref}: no such image (build or tag it first)`);
      throw registryError('push', ref, message, config, !!auth, ErrorCodes.PUSH_FAILED);
    }
    const p = layerProgress(l);
    if (p && onProgress) onProgress(p);
  });
}

export async function tagImage(modem: Modem, address: string, source: string, target: string): Promise<void> {
  const { name, tag } = splitImageRef(target);
  await rawDial(modem, { path: `/images/${encImage(source)}/tag`, method: 'POST', ok: [200, 201], query: { repo: name, tag: tag ?? 'latest' } }, address);
}

/** "Step 3/7 : RUN make" and what the step printed, split into lines; carriage-return redraws keep their last state. */
class LineSplitter {
  private pending = '';
  push(text: string): string[] {
    this.pending += text;
    const parts = this.pending.split('\n');
    this.pending = parts.pop() ?? '';
    return parts.map(lastRedraw);
  }
  end(): string[] {
    const rest = this.pending;
    this.pending = '';
    return rest ? [lastRedraw(rest)] : [];
  }
}

// The classic builder paints what a step writes to stderr red with SGR escapes; the colour is presentation,
// and the text must stay greppable and printable in any renderer.
// eslint-disable-next-line no-control-regex -- ESC is exactly what is matched
const SGR = /\x1b\[[0-9;]*m/g;

const lastRedraw = (line: string): string => {
  const parts = line.replace(SGR, '').split('\r').filter((p) => p !== '');
  return parts.length ? parts[parts.length - 1] : '';
};

export async function buildImage(
  modem: Modem,
  address: string,
  context: NodeJS.ReadableStream,
  request: BuildRequest,
  onOutput?: (line: string) => void,
): Promise<{ id: string }> {
  const config = await readDockerConfig();
  const auths = await resolveAllAuths(config).catch((err: unknown) => {
    throw err instanceof CredentialHelperError ? new EngineError(ErrorCodes.REGISTRY_AUTH, `build: ${err.message} (its configuration: ${config.path})`) : err;
  });
  const query: Record<string, unknown> = {
    t: [...request.tags],
    dockerfile: request.dockerfile,
    // The classic builder, whatever the daemon's default: berth sends the context itself and reads the
    // classic output format.
    version: '1',
    rm: '1',
    // A failed step's container is removed too, so a failed build leaves nothing behind.
    forcerm: '1',
  };
  if (request.buildArgs && Object.keys(request.buildArgs).length) query.buildargs = JSON.stringify(request.buildArgs);
  if (request.labels && Object.keys(request.labels).length) query.labels = JSON.stringify(request.labels);
  if (request.target) query.target = request.target;
  if (request.noCache) query.nocache = '1';
  if (request.pull) query.pull = '1';
  if (request.networkMode) query.networkmode = request.networkMode;
  if (request.shmSize !== undefined) query.shmsize = String(request.shmSize);
  if (request.memory !== undefined) query.memory = String(request.memory);
  if (request.extraHosts?.length) query.extrahosts = [...request.extraHosts];
  if (request.cacheFrom?.length) query.cachefrom = JSON.stringify(request.cacheFrom);
  if (request.platform) query.platform = request.platform;

  let stream: Readable;
  try {
    stream = await rawDial<Readable>(
      modem,
      {
        path: '/build',
        method: 'POST',
        ok: [200],
        isStream: true,
        query,
        file: context,
        headers: { 'Content-Type': 'application/x-tar', ...(Object.keys(auths).length ? { 'X-Registry-Config': encodeRegistryConfig(auths) } : {}) },
        signal: request.signal,
      },
      address,
    );
  } catch (err) {
    // The engine answered before reading the whole context (a bad parameter): stop reading files.
    (context as Partial<Readable>).destroy?.();
    if (err instanceof EngineError && err.code !== ErrorCodes.ENGINE_UNREACHABLE) {
      throw new EngineError(ErrorCodes.BUILD_FAILED, err.message, { statusCode: err.statusCode, cause: err });
    }
    throw err;
  }
  let id: string | undefined;
  const lines = new LineSplitter();
  const emit = (text: string) => {
    if (!onOutput) return;
    for (const line of lines.push(text)) onOutput(line);
  };
  await consume(stream, address, (l) => {
    if (l?.error || l?.errorDetail) {
      if (onOutput) for (const line of lines.end()) onOutput(line);
      throw new EngineError(ErrorCodes.BUILD_FAILED, String(l.errorDetail?.message ?? l.error).trim());
    }
    if (typeof l?.stream === 'string') emit(l.stream);
    else if (typeof l?.status === 'string') emit(`${l.id ? `${l.id}: ` : ''}${l.status}${l.progress ? ` ${l.progress}` : ''}\n`);
    if (l?.aux && typeof l.aux.ID === 'string') id = l.aux.ID;
  });
  if (onOutput) for (const line of lines.end()) onOutput(line);
  if (!id) throw new EngineError(ErrorCodes.BUILD_FAILED, 'the engine reported no image id for the build');
  return { id };
}

/** The digest a registry serves for a reference (the engine's distribution inspect, with the user's credentials). */
export async function distributionDigest(modem: Modem, address: string, ref: string): Promise<string> {
  const config = await readDockerConfig();
  const auth = await credentials(config, 'pull', ref);
  const r = await rawDial<{ Descriptor?: { digest?: string } }>(
    modem,
    { path: `/distribution/${ref}/json`, method: 'GET', ok: [200], headers: auth ? { 'X-Registry-Auth': encodeAuthHeader(auth) } : {} },
    address,
  ).catch((err: unknown) => {
    if (err instanceof EngineError && err.code === ErrorCodes.ENGINE_UNREACHABLE) throw err;
    // the registry's failure as the docker CLI reports a daemon error
    throw new EngineError(ErrorCodes.ENGINE_FAILED, `Error response from daemon: ${(err as Error).message}`);
  });
  const digest = r?.Descriptor?.digest;
  if (!digest) throw new EngineError(ErrorCodes.ENGINE_FAILED, `no digest for ${ref} in the registry's answer`);
  return digest;
}
