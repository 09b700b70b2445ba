// Build service images. BuildKit (the default, as in compose) is build-kit.ts; this module keeps the classic
// builder (DOCKER_BUILDKIT=0, `build -m`, an engine without BuildKit): the context archive is made here
// (build-context.ts) and streamed to the engine while it is produced; its bytes are counted on the way out.
import { promises as fsp } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Transform } from 'node:stream';
import type { Engine } from '../engine/types.js';
import { buildGraph, dependencyEdges, findCycle, walk } from '../graph/index.js';
import { BerthError, ErrorCodes, OperationError } from '../model/errors.js';
import { noopSink } from '../model/events.js';
import type { Project } from '../model/types.js';
import { builderFromEnv, buildSpec, hasBuild, type BuildOverrides, type BuildSpec } from './build-spec.js';

// the option and result shapes live apart so build-kit.ts can use them without importing this module
export type { BuildOptions, BuildResult } from './build-types.js';
import type { BuildOptions, BuildResult } from './build-types.js';

export { humanSize } from '../model/units.js';
import { humanSize } from '../model/units.js';

const STEP = /^Step (\d+)\/(\d+) : (.*)$/;

/** Build one service's image; output lines go to the progress UI as the service's status detail. */
export async function buildService(engine: Engine, spec: BuildSpec, options: Omit<BuildOptions, keyof BuildOverrides> = {}): Promise<BuildResult> {
  if ((options.builder ?? builderFromEnv()) === 'buildkit' && engine.buildImageKit) {
    const { buildServiceKit } = await import('./build-kit.js');
    return buildServiceKit(engine, spec, options);
  }
  const emit = options.onEvent ?? noopSink;
  const service = spec.service;
  const ev = (status: 'working' | 'done' | 'error', text: string, detail?: string) => emit({ type: 'resource', kind: 'service', name: service, status, text, service, detail });
  ev('working', 'Building');

  if (spec.dockerfileInline === undefined) {
    const path = isAbsolute(spec.dockerfile) ? spec.dockerfile : join(spec.context, spec.dockerfile);
    const found = await fsp.stat(path).catch(() => undefined);
    if (!found?.isFile()) {
      const why = (await fsp.stat(spec.context).catch(() => undefined))?.isDirectory() ? `Dockerfile not found: ${path}` : `build context not found: ${spec.context}`;
      ev('error', 'Error', why);
      throw new OperationError(ErrorCodes.BUILD_FAILED, `service "${service}" failed to build: ${why}`, { service });
    }
  }
  // loaded here: tar-fs and the ignore rules are only needed once something is built
  const { contextArchive } = await import('./build-context.js');
  const archive = await contextArchive(spec);
  let bytes = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  counted.on('end', () => ev('working', 'Building', `Sent build context to the engine: ${humanSize(bytes)} (${bytes} bytes, ${archive.entries.length} entries)`));
  archive.stream.on('error', (err) => counted.destroy(err));
  archive.stream.pipe(counted);

  // The failing step and what it printed, for the error message.
  let step: string | undefined;
  let stepOutput: string[] = [];
  const onOutput = (line: string) => {
    const m = STEP.exec(line);
    if (m) {
      step = `step ${m[1]}/${m[2]} (${m[3]})`;
      stepOutput = [];
    } else if (line.trim() !== '') {
      stepOutput.push(line);
      if (stepOutput.length > 200) stepOutput.shift();
    }
    if (line.trim() !== '') ev('working', 'Building', line);
  };

  let id: string;
  try {
    ({ id } = await engine.buildImage(
      counted,
      {
        tags: [spec.image, ...spec.tags.filter((t) => t !== spec.image)],
        dockerfile: archive.dockerfile,
        buildArgs: spec.args,
        ...(spec.target ? { target: spec.target } : {}),
        labels: spec.labels,
        noCache: spec.noCache,
        pull: spec.pull,
        ...(spec.network ? { networkMode: spec.network } : {}),
        ...(spec.shmSize !== undefined ? { shmSize: spec.shmSize } : {}),
        ...(spec.memory !== undefined ? { memory: spec.memory } : {}),
        extraHosts: spec.extraHosts,
        cacheFrom: spec.cacheFrom,
        ...(spec.platform ? { platform: spec.platform } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
      onOutput,
    ));
  } catch (err) {
    counted.destroy();
    archive.stream.destroy();
    const message = err instanceof Error ? err.message : String(err);
    ev('error', 'Error', message.split('\n')[0]);
    if (err instanceof BerthError && err.code === ErrorCodes.ENGINE_UNREACHABLE) throw err;
    // Noise of the classic builder between steps; the step's own output is what explains a failure.
    const shown = stepOutput.filter((l) => !/^ ---> |^Removing intermediate container /.test(l)).slice(-20);
    const tail = shown.length ? `\n  output of the failed step:\n    ${shown.join('\n    ')}` : '';
    throw new OperationError(ErrorCodes.BUILD_FAILED, `service "${service}" failed to build${step ? ` at ${step}` : ''}: ${message}${tail}`, {
      service,
      cause: err,
    });
  }
  ev('done', 'Built');
  return { service, image: spec.image, id, contextBytes: bytes };
}

/**
 * Build the given services (those without a build section are skipped), dependencies first, so that an
 * image built FROM another service's image finds it. Services sharing one image name build it once.
 */
export async function buildServices(engine: Engine, project: Project, services: readonly string[], options: BuildOptions = {}): Promise<BuildResult[]> {
  // `build -m` limits the build's containers, which only the classic builder can do (compose: "Not supported
  // by BuildKit"): an explicit limit is honoured by building classically
  const builder = options.builder ?? (engine.buildImageKit && options.memory === undefined ? builderFromEnv() : 'classic');
  const specs = new Map<string, BuildSpec>();
  const images = new Set<string>();
  // additional_contexts `service:<name>`: that service's image is an input, so it is built first, and built
  // even when not asked for (as compose does); the order is an extra edge of the build's graph only
  const edges = dependencyEdges(project.services);
  const queue = [...services];
  const queued = new Set(queue);
  while (queue.length) {
    const s = queue.shift()!;
    if (!hasBuild(project, s)) continue;
    const spec = buildSpec(project, s, options, builder);
    for (const c of Object.values(spec.additionalContexts ?? {})) {
      if (!('service' in c)) continue;
      edges[s] = [...(edges[s] ?? []), c.service];
      if (!queued.has(c.service)) {
        queued.add(c.service);
        queue.push(c.service);
      }
    }
    if (images.has(spec.image)) continue;
    images.add(spec.image);
    specs.set(s, spec);
  }
  const results: BuildResult[] = [];
  if (!specs.size) return results;
  const cycle = findCycle(edges);
  if (cycle) throw new OperationError(ErrorCodes.SERVICE_SPEC, `build order cycle through additional_contexts service: references: ${cycle.join(' -> ')}`, { service: cycle[0] });
  await walk(buildGraph(edges), {
    direction: 'up',
    only: new Set(specs.keys()),
    concurrency: options.parallel,
    signal: options.signal,
    visit: async (s) => {
      results.push(await buildService(engine, specs.get(s)!, { ...options, builder }));
    },
  });
  return results;
}

