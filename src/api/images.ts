// The image commands of the typed API: build, pull, push. Re-exported by api/index.ts.
import type { Engine } from '../engine/types.js';
import type { EventSink } from '../model/events.js';
import type { Project } from '../model/types.js';
import { buildServices, type BuildResult } from '../ops/build.js';
import type { BuildOverrides } from '../ops/build-spec.js';
import { pull as pullOp, type PullOptions, type PullResult } from '../ops/pull.js';
import { push as pushOp, type PushOptions, type PushResult } from '../ops/push.js';
import { selectServices } from '../ops/reconcile.js';
import { engineFor } from './engine.js';
import { resolveProject, type ProjectOptions } from './project.js';
import { checkServices } from './services.js';

export type { BuildResult, PullResult, PushResult, BuildOverrides };

interface ImageCommon {
  /** Load options, or an already loaded project. */
  readonly project?: ProjectOptions | Project;
  /** Defaults to the Docker engine at DOCKER_HOST. */
  readonly engine?: Engine;
  readonly onEvent?: EventSink;
  /** Change nothing: the engine's writes are recorded (engine/dry-run.ts), not sent. */
  readonly dryRun?: boolean;
}

async function resolve(options: ImageCommon): Promise<{ project: Project; engine: Engine }> {
  const project = await resolveProject(options.project);
  return { project, engine: await engineFor(options) };
}

export interface BuildCallOptions extends ImageCommon, BuildOverrides {
  /** Services to build; empty means all. Services without a build section are skipped. */
  readonly services?: readonly string[];
  /** Also build the services the named ones depend on. */
  readonly withDependencies?: boolean;
  readonly parallel?: number;
  readonly signal?: AbortSignal;
  /** Default: BuildKit unless DOCKER_BUILDKIT is false, as compose decides. */
  readonly builder?: 'buildkit' | 'classic';
}

/** Build the images of services that have a build section (dependencies first). */
export async function build(options: BuildCallOptions = {}): Promise<BuildResult[]> {
  const { project, engine } = await resolve(options);
  checkServices(project, options.services);
  const services = selectServices(project, { services: options.services, noDeps: !options.withDependencies });
  return buildServices(engine, project, services, options);
}

export interface PullCallOptions extends ImageCommon, Omit<PullOptions, 'onEvent'> {}

export async function pull(options: PullCallOptions = {}): Promise<PullResult> {
  const { project, engine } = await resolve(options);
  checkServices(project, options.services);
  return pullOp(engine, project, options);
}

export interface PushCallOptions extends ImageCommon, Omit<PushOptions, 'onEvent'> {}

export async function push(options: PushCallOptions = {}): Promise<PushResult> {
  const { project, engine } = await resolve(options);
  checkServices(project, options.services);
  return pushOp(engine, project, options);
}

/**
 * `config --resolve-image-digests`: every service image pinned to the digest its registry serves, written in
 * full as compose writes it ("docker.io/library/busybox:latest@sha256:…"); one already pinned is only
 * written in full. A registry that cannot be asked is an error, as in compose.
 */
export async function resolveImageDigests(o: { project: Project; engine?: Engine }): Promise<Project> {
  const { fullImageRef } = await import('../engine/image-ref.js');
  const engine = await engineFor(o);
  const services = { ...o.project.services };
  await Promise.all(
    Object.entries(services).map(async ([name, s]) => {
      if (!s.image) return;
      const full = fullImageRef(s.image);
      services[name] = { ...s, image: full.includes('@') ? full : `${full}@${await engine.distributionDigest(full)}` };
    }),
  );
  return { ...o.project, services };
}
