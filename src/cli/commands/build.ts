import { build, push } from '../../api/index.js';
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
}

export async function buildCommand(services: string[], o: BuildFlags): Promise<number> {
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
      parallel: parallelLimit(o),
      onEvent: progress.onEvent,
    });
    if (o.push) await push({ project, services, includeDeps: o.withDependencies, quiet: o.quiet, onEvent: progress.onEvent });
  } finally {
    await progress.done();
  }
  return EXIT_OK;
}
