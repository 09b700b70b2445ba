import { pull } from '../../api/index.js';
import { BerthError, ErrorCodes } from '../../model/errors.js';
import { EXIT_OK } from '../exit-codes.js';
import { loadOptions, progressFor, type GlobalOptions } from '../global.js';

interface PullFlags extends GlobalOptions {
  ignoreBuildable?: boolean;
  ignorePullFailures?: boolean;
  includeDeps?: boolean;
  policy?: string;
  quiet?: boolean;
}

export async function pullCommand(services: string[], o: PullFlags): Promise<number> {
  if (o.policy !== undefined && o.policy !== 'missing' && o.policy !== 'always') {
    throw new BerthError(ErrorCodes.USAGE, `invalid --policy value "${o.policy}": use "missing" or "always"`);
  }
  const progress = await progressFor(o);
  try {
    await pull({
      project: loadOptions(o),
      services,
      includeDeps: o.includeDeps,
      ignorePullFailures: o.ignorePullFailures,
      ignoreBuildable: o.ignoreBuildable,
      policy: o.policy as 'missing' | 'always' | undefined,
      quiet: o.quiet,
      onEvent: progress.onEvent,
    });
  } finally {
    await progress.done();
  }
  return EXIT_OK;
}
