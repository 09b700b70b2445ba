import { build, push } from '../../api/images.js';
import { BerthError, ErrorCodes } from '../../model/errors.js';
import { parseByteSize } from '../../model/units.js';
import { builderFromEnv } from '../../ops/build-spec.js';
import { EXIT_OK } from '../exit-codes.js';
import { loadOptions, parallelLimit, progressFor, type GlobalOptions } from '../global.js';

interface BuildFlags extends GlobalOptions {
  buildArg?: string[];
  /** false with --no-cache */
  cache?: boolean;
  pull?: boolean;
  push?: boolean;
  quiet?: boolean;
  withDependencies?: boolean;
  builder?: string;
  ssh?: string;
  memory?: string;
}

/** The builder berth drives: the engine's own, which `docker buildx ls` lists as "default". */
const DEFAULT_BUILDER = 'default';

/**
 * --builder / BUILDX_BUILDER, --ssh and -m, checked before anything is built: berth builds with the engine's
 * classic builder, which is the "default" builder and cannot forward an SSH agent (that needs BuildKit).
 */
export function checkBuildFlags(o: BuildFlags, env: NodeJS.ProcessEnv = process.env): { memory?: number } {
  if (o.ssh !== undefined) {
    const spec = o.ssh === '' ? 'default' : o.ssh;
    if (!spec.includes('=') && spec !== 'default') throw new BerthError(ErrorCodes.USAGE, `invalid ssh key "${spec}"`);
    // BuildKit forwards it (ops/build-buildkit.ts); the classic builder (DOCKER_BUILDKIT=0) cannot
    if (builderFromEnv(env) === 'classic') throw new BerthError(ErrorCodes.USAGE, `--ssh ${spec}: forwarding SSH to a build needs BuildKit, and DOCKER_BUILDKIT=0 selects the engine's classic builder`);
  }
  const builder = o.builder || env.BUILDX_BUILDER;
  if (builder && builder !== DEFAULT_BUILDER) {
    throw new BerthError(ErrorCodes.USAGE, `no builder "${builder}" found: berth builds with the engine's own builder ("${DEFAULT_BUILDER}")`);
  }
  if (o.memory === undefined) return {};
  try {
    return { memory: parseByteSize(o.memory) };
  } catch {
    throw new BerthError(ErrorCodes.USAGE, `invalid argument "${o.memory}" for "-m, --memory" flag: invalid size: '${o.memory}'`);
  }
}

export async function buildCommand(services: string[], o: BuildFlags): Promise<number> {
  const { memory } = checkBuildFlags(o);
  const progress = await progressFor(o.quiet ? { ...o, progress: 'quiet' } : o);
  try {
    const project = loadOptions(o);
    await build({
      project,
      services,
      withDependencies: o.withDependencies,
      args: o.buildArg,
      // undefined leaves each service's own no_cache / pull setting in force
      noCache: o.cache === false ? true : undefined,
      pull: o.pull ? true : undefined,
      memory,
      ...(o.ssh !== undefined ? { ssh: [o.ssh === '' ? 'default' : o.ssh] } : {}),
      parallel: parallelLimit(o),
      onEvent: progress.onEvent,
    });
    if (o.push) await push({ project, services, includeDeps: o.withDependencies, quiet: o.quiet, onEvent: progress.onEvent });
  } finally {
    await progress.done();
  }
  return EXIT_OK;
}
