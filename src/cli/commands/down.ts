import { down } from '../../api/up-down.js';
import { BerthError, ErrorCodes } from '../../model/errors.js';
import { EXIT_OK } from '../exit-codes.js';
import { loadOptions, parallelLimit, parseSeconds, progressFor, type GlobalOptions } from '../global.js';

interface DownFlags extends GlobalOptions {
  volumes?: boolean;
  removeOrphans?: boolean;
  timeout?: string;
  rmi?: string;
  session?: string;
}

export async function downCommand(o: DownFlags, services: string[] = []): Promise<number> {
  if (o.rmi !== undefined && o.rmi !== 'local' && o.rmi !== 'all') throw new BerthError(ErrorCodes.USAGE, `invalid --rmi value "${o.rmi}": use "local" or "all"`);
  if (o.session) {
    // a session's objects are found by label alone: no compose file needed
    const { pruneSessions } = await import('../../api/index.js');
    // The user named the session: it is removed whatever its owner's state (as `down -p` removes a project
    // another shell may still use); an owner that still runs, or that cannot be judged from here, is named.
    const removed = await pruneSessions({ session: o.session, volumes: true });
    for (const s of removed.sessions) {
      if (s.verdict === 'dead') continue;
      const state = s.verdict === 'alive' ? 'may still be in use' : 'may still be in use (cannot tell from here)';
      process.stderr.write(`WARN session ${s.session} ${state}: its owner, ${s.owner}: ${s.reason}; removing it as asked\n`);
    }
    for (const c of removed.containers) process.stderr.write(` Container ${c}  Removed\n`);
    for (const n of removed.networks) process.stderr.write(` Network ${n}  Removed\n`);
    for (const v of removed.volumes) process.stderr.write(` Volume ${v}  Removed\n`);
    return EXIT_OK;
  }
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
      services,
      onEvent: progress.onEvent,
    });
    if (o.dryRun) process.stdout.write(result.planText);
  } finally {
    await progress.done();
  }
  return EXIT_OK;
}
