import { down } from '../../api/index.js';
import { BerthError, ErrorCodes } from '../../model/errors.js';
import { EXIT_OK } from '../exit-codes.js';
import { loadOptions, parallelLimit, parseSeconds, progressFor, type GlobalOptions } from '../global.js';

interface DownFlags extends GlobalOptions {
  volumes?: boolean;
  removeOrphans?: boolean;
  timeout?: string;
  rmi?: string;
}

export async function downCommand(o: DownFlags): Promise<number> {
  if (o.rmi !== undefined && o.rmi !== 'local' && o.rmi !== 'all') throw new BerthError(ErrorCodes.USAGE, `invalid --rmi value "${o.rmi}": use "local" or "all"`);
  const progress = await progressFor(o);
  try {
    const result = await down({
      project: loadOptions(o),
      volumes: o.volumes,
      removeOrphans: o.removeOrphans,
      timeout: parseSeconds(o.timeout, '--timeout'),
      parallel: parallelLimit(o),
      dryRun: o.dryRun,
      rmi: o.rmi as 'local' | 'all' | undefined,
      onEvent: progress.onEvent,
    });
    if (o.dryRun) process.stdout.write(result.planText);
  } finally {
    await progress.done();
  }
  return EXIT_OK;
}
