import { down } from '../../api/index.js';
import { EXIT_OK } from '../exit-codes.js';
import { loadOptions, parallelLimit, parseSeconds, progressFor, type GlobalOptions } from '../global.js';

interface DownFlags extends GlobalOptions {
  volumes?: boolean;
  removeOrphans?: boolean;
  timeout?: string;
}

export async function downCommand(o: DownFlags): Promise<number> {
  const progress = await progressFor(o);
  try {
    const result = await down({
      project: loadOptions(o),
      volumes: o.volumes,
      removeOrphans: o.removeOrphans,
      timeout: parseSeconds(o.timeout, '--timeout'),
      parallel: parallelLimit(o),
      dryRun: o.dryRun,
      onEvent: progress.onEvent,
    });
    if (o.dryRun) {
      const lines = [
        ...result.removedContainers.map((c) => `remove container ${c}`),
        ...result.removedNetworks.map((n) => `remove network ${n}`),
        ...result.removedVolumes.map((v) => `remove volume ${v}`),
      ];
      process.stdout.write(lines.map((l) => `${l}\n`).join(''));
    }
  } finally {
    await progress.done();
  }
  return EXIT_OK;
}
