import { push } from '../../api/index.js';
import { EXIT_OK } from '../exit-codes.js';
import { loadOptions, progressFor, type GlobalOptions } from '../global.js';

interface PushFlags extends GlobalOptions {
  ignorePushFailures?: boolean;
  includeDeps?: boolean;
  quiet?: boolean;
}

export async function pushCommand(services: string[], o: PushFlags): Promise<number> {
  const progress = await progressFor(o);
  try {
    await push({
      project: loadOptions(o),
      services,
      includeDeps: o.includeDeps,
      ignorePushFailures: o.ignorePushFailures,
      quiet: o.quiet,
      onEvent: progress.onEvent,
    });
  } finally {
    await progress.done();
  }
  return EXIT_OK;
}
