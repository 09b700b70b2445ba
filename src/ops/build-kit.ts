// Build one service's image with the engine's BuildKit (compose's default): the engine's builder reads the
// context through a session as it needs it (engine/dockerode/buildkit/), so nothing is archived here; this
// module decides which directories the session serves and with which ignore rules, names the steps as
// compose shows them, and turns a failure into a message naming the service, the step and its output.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { BUILD_CACHE_EXPORT_UNSUPPORTED, type BuildKitDir, type BuildKitNamedContext, type BuildKitProgress, type Engine } from '../engine/types.js';
import { BerthError, ErrorCodes, OperationError } from '../model/errors.js';
import { noopSink, type BuildVertex } from '../model/events.js';
import type { BuildOptions, BuildResult } from './build-types.js';
import type { BuildSpec } from './build-spec.js';
import { checkBuildKitSources } from './build-buildkit.js';
import { parseDockerignore } from './build-context.js';
import { errnoCode } from './errno.js';

/** compose's step names: "[internal] load …" → "[web internal] load …", "[2/3] RUN …" → "[web 2/3] RUN …", "exporting to image" → "[web] exporting to image". */
export function serviceStepName(service: string, name: string): string {
  return name.startsWith('[') ? `[${service} ${name.slice(1)}` : `[${service}] ${name}`;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(path, 'utf8');
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

export interface BuildKitDirs {
  readonly dockerfile: string;
  readonly dockerfileDir: BuildKitDir;
  readonly context: BuildKitDir;
}

/**
 * The session's directories. The context's ignore file is `<Dockerfile>.dockerignore` when it exists (next
 * to the Dockerfile), else the context's `.dockerignore`; berth applies it itself while walking, so an ignored
 * directory is never listed whatever the builder asks. The ignore file stays readable: the builder's
 * Dockerfile frontend reads it to exclude the same paths from COPY.
 */
export async function buildKitDirs(spec: BuildSpec): Promise<BuildKitDirs> {
  const root = resolve(spec.context);
  let dockerfile = 'Dockerfile';
  let dockerfileDir: BuildKitDir;
  let own: Promise<string | undefined> = Promise.resolve(undefined);
  if (spec.dockerfileInline !== undefined) {
    dockerfileDir = { files: { Dockerfile: Buffer.from(spec.dockerfileInline) } };
  } else {
    const abs = isAbsolute(spec.dockerfile) ? spec.dockerfile : join(root, spec.dockerfile);
    dockerfile = basename(abs);
    dockerfileDir = { path: dirname(abs) };
    own = readIfExists(`${abs}.dockerignore`);
  }
  // both read at once; the context's is only used (and its read error only reported) without the Dockerfile's
  const shared = readIfExists(join(root, '.dockerignore')).then(
    (text) => () => text,
    (err: unknown) => () => {
      throw err;
    },
  );
  const ignoreText = (await own) ?? (await shared)();
  const excludes = ignoreText === undefined ? [] : [...parseDockerignore(ignoreText), '!.dockerignore'];
  return { dockerfile, dockerfileDir, context: { path: root, ...(excludes.length > 1 ? { excludes } : {}) } };
}

/** A named context's directory, with its own .dockerignore applied while walking (as for the context). */
async function namedDir(path: string): Promise<BuildKitDir> {
  const root = resolve(path);
  const ignoreText = await readIfExists(join(root, '.dockerignore'));
  const excludes = ignoreText === undefined ? [] : [...parseDockerignore(ignoreText), '!.dockerignore'];
  return { path: root, ...(excludes.length > 1 ? { excludes } : {}) };
}

/** additional_contexts as the engine's request names them: directories to serve, or images. */
export async function namedContexts(spec: BuildSpec): Promise<Record<string, BuildKitNamedContext>> {
  const out: Record<string, BuildKitNamedContext> = {};
  for (const [name, c] of Object.entries(spec.additionalContexts ?? {})) {
    if ('dir' in c) {
      const st = await fsp.stat(c.dir).catch(() => undefined);
      if (!st?.isDirectory()) throw new OperationError(ErrorCodes.SERVICE_SPEC, `service "${spec.service}": build.additional_contexts.${name}: ${c.dir} is not a directory`, { service: spec.service });
      out[name] = { dir: await namedDir(c.dir) };
    } else out[name] = { image: c.image };
  }
  return out;
}

// What an engine whose Dockerfile frontend has no named contexts answers (Docker 20.10, BuildKit 0.8).
const NO_CONTEXTS = 'unsupported frontend capability moby.buildkit.frontend.contexts';

export async function buildServiceKit(engine: Engine, spec: BuildSpec, options: Omit<BuildOptions, 'args' | 'noCache' | 'pull' | 'memory'> = {}): Promise<BuildResult> {
  const emit = options.onEvent ?? noopSink;
  const service = spec.service;
  const fail = (why: string, cause?: unknown, step?: string): never => {
    emit({ type: 'resource', kind: 'service', name: service, status: 'error', text: 'Error', service, detail: why.split('\n')[0] });
    throw new OperationError(ErrorCodes.BUILD_FAILED, `service "${service}" failed to build${step ? ` at step ${step}` : ''}: ${why}`, { service, ...(cause ? { cause } : {}) });
  };
  // the ignore files are read while the Dockerfile is looked for; its absence is still the error reported first
  const reading = buildKitDirs(spec);
  reading.catch(() => undefined);
  if (spec.dockerfileInline === undefined) {
    const path = isAbsolute(spec.dockerfile) ? spec.dockerfile : join(spec.context, spec.dockerfile);
    const found = await fsp.stat(path).catch(() => undefined);
    if (!found?.isFile()) fail((await fsp.stat(spec.context).catch(() => undefined))?.isDirectory() ? `Dockerfile not found: ${path}` : `build context not found: ${spec.context}`);
  }
  const dirs = await reading;
  const named = await namedContexts(spec);
  for (const text of spec.warnings) emit({ type: 'message', level: 'warning', text });
  await checkBuildKitSources(spec);

  // what a failure message needs: the steps' names and the last lines each printed
  const steps = new Map<string, BuildVertex>();
  const output = new Map<string, string[]>();
  const partial = new Map<string, string>();
  let announced = false;
  const onProgress = (p: BuildKitProgress) => {
    const vertexes = p.vertexes.map((v) => ({ ...v, name: serviceStepName(service, v.name) }));
    for (const v of vertexes) steps.set(v.digest, v);
    for (const l of p.logs) {
      const text = (partial.get(l.vertex) ?? '') + Buffer.from(l.data).toString('utf8');
      const lines = text.split('\n');
      partial.set(l.vertex, lines.pop()!);
      const kept = output.get(l.vertex) ?? [];
      kept.push(...lines);
      output.set(l.vertex, kept.slice(-20));
    }
    emit({ type: 'build', service, vertexes, statuses: p.statuses, logs: p.logs });
    // after the first step update, so that a renderer showing BuildKit's display knows to leave this line out
    if (!announced) emit({ type: 'resource', kind: 'service', name: service, status: 'working', text: 'Building', service });
    announced = true;
  };

  let result;
  try {
    result = await engine.buildImageKit!(
      {
        tags: [spec.image, ...spec.tags.filter((t) => t !== spec.image)],
        dockerfile: dirs.dockerfile,
        context: dirs.context,
        dockerfileDir: dirs.dockerfileDir,
        sessionName: service,
        sharedKey: createHash('sha256').update(`${dirs.context.path}\0${dirs.dockerfileDir.path ?? ''}`).digest('hex').slice(0, 32),
        // cache_to type=inline: the engine's builder exports the inline cache when this build arg says so
        buildArgs: spec.inlineCache && spec.args.BUILDKIT_INLINE_CACHE === undefined ? { ...spec.args, BUILDKIT_INLINE_CACHE: '1' } : spec.args,
        ...(spec.target ? { target: spec.target } : {}),
        labels: spec.labels,
        noCache: spec.noCache,
        pull: spec.pull,
        ...(spec.network ? { networkMode: spec.network } : {}),
        ...(spec.shmSize !== undefined ? { shmSize: spec.shmSize } : {}),
        extraHosts: spec.extraHosts,
        cacheFrom: spec.cacheFrom,
        ...(spec.platform ? { platform: spec.platform } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(spec.secrets.length ? { secrets: spec.secrets } : {}),
        ...(spec.ssh.length ? { ssh: spec.ssh } : {}),
        ...(spec.localCacheImports ? { cacheImports: spec.localCacheImports } : {}),
        ...(Object.keys(named).length ? { namedContexts: named } : {}),
        ...(spec.cacheTo?.length ? { cacheExports: spec.cacheTo.map((e) => ({ type: e.type, attrs: e.attrs })) } : {}),
        ...(spec.entitlements?.length ? { entitlements: spec.entitlements } : {}),
      },
      onProgress,
    );
  } catch (err) {
    if (err instanceof BerthError && err.code === ErrorCodes.ENGINE_UNREACHABLE) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (spec.cacheTo?.length && message.startsWith(BUILD_CACHE_EXPORT_UNSUPPORTED)) {
      // refused before anything was built, as compose refuses: one line, no progress
      throw new OperationError(
        ErrorCodes.BUILD_FAILED,
        `service "${service}": build.cache_to ${spec.cacheTo[0]!.entry}: cache export is not supported for the docker driver on this engine (it has no containerd image store); use type=inline and push the image`,
        { service, cause: err },
      );
    }
    if (Object.keys(named).length && message.includes(NO_CONTEXTS)) {
      emit({ type: 'resource', kind: 'service', name: service, status: 'error', text: 'Error', service, detail: NO_CONTEXTS });
      throw new OperationError(
        ErrorCodes.BUILD_FAILED,
        `service "${service}": build.additional_contexts needs named build contexts, which this engine's built-in Dockerfile frontend does not support (${NO_CONTEXTS}; compose fails the same way on this engine)`,
        { service, cause: err },
      );
    }
    const failed = [...steps.values()].find((v) => v.error);
    const shown = failed ? [...(output.get(failed.digest) ?? []), partial.get(failed.digest) ?? ''].filter((l) => l.trim() !== '').slice(-20) : [];
    const tail = shown.length ? `\n  output of the failed step:\n    ${shown.join('\n    ')}` : '';
    return fail(`${message}${tail}`, err, failed?.name);
  }
  for (const text of result.warnings ?? []) emit({ type: 'message', level: 'warning', text: `service "${service}": ${text}` });
  emit({ type: 'resource', kind: 'service', name: service, status: 'done', text: 'Built', service });
  const context = result.transfers.filter((t) => t.dir === 'context');
  return { service, image: spec.image, id: result.id, contextBytes: context.reduce((n, t) => n + t.dataBytes, 0), transfers: result.transfers };
}
