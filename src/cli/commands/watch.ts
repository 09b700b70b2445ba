// `watch [SERVICE...]`: up (unless --no-up), then sync/rebuild/restart as files change, until Ctrl-C (exit 130).
// Messages go to stdout as compose-ref (2.26) prints them ("Watch enabled", "Syncing "web" after changes were
// detected"), failures to stderr; sync+exec output carries the service's prefix.
import { watch } from '../../api/watch.js';
import { EXIT_SIGINT } from '../exit-codes.js';
import { loadOptions, progressFor, type GlobalOptions, type Progress } from '../global.js';
import { BerthError, ErrorCodes } from '../../model/errors.js';
import { installInterrupts } from '../signals.js';

export interface WatchFlags extends GlobalOptions {
  up?: boolean;
  quiet?: boolean;
  prune?: boolean;
}

export function watchPrinter(out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr) {
  return {
    onMessage: (text: string, level: 'info' | 'error') => (level === 'error' ? err : out).write(`${text}\n`),
    onExecOutput: (service: string, line: string, stream: 'stdout' | 'stderr') => (stream === 'stderr' ? err : out).write(`${service} | ${line}\n`),
  };
}

export async function watchCommand(services: string[], o: WatchFlags): Promise<number> {
  // watch acts on every file change for as long as it runs (uploads, restarts, rebuilds): a dry run of it would
  // have to leave all of that undone, so it is refused rather than started
  if (o.dryRun) throw new BerthError(ErrorCodes.USAGE, 'watch has no dry-run mode: `berth --dry-run up` prints what up would do');
  const interrupts = installInterrupts();
  let progress: Progress | undefined = await progressFor(o.quiet ? { ...o, progress: 'quiet' } : o);
  try {
    const w = await watch({
      project: loadOptions(o),
      services,
      noUp: o.up === false,
      prune: o.prune !== false,
      signal: interrupts.stop,
      onEvent: (e) => progress?.onEvent(e),
      ...watchPrinter(),
    });
    await progress.done();
    progress = undefined;
    await w.done;
    return interrupts.stop.aborted ? EXIT_SIGINT : 0;
  } finally {
    interrupts.dispose();
    await progress?.done();
  }
}
