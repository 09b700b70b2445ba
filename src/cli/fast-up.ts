// The fast attempt at `up` (issue 19): the entry of a second, smaller CLI bundle (dist/cli-bundle/berth-up.cjs,
// scripts/cli-bundle-options.mjs) that the launcher (bin/berth.js) runs first for a command line that looks like
// `up -d`. The most repeated `up` of all finds everything up to date, and for it the start-up
// of the full bundle (reading, deserialising and evaluating 0.95 MB of code for 44 commands) was most of
// berth's time above bare Node.
//
// The attempt is the same code as the full CLI (main.ts, the same command, API and operations), bundled without
// what a no-op `up` does not reach: the other commands, the config loader (a project-cache miss), the
// execution of a plan, the dry run. Three things make it safe to give up at any point:
// - the engine refuses every write (engine/read-only.ts): the first write the command asks for means it has
//   something to do, and nothing was changed before it;
// - a module left out of this bundle is a stand-in that records its name and throws when used;
// - a project lock held by another process is not waited for (api/lock.ts): the wait would be a silent one.
// The launcher holds back everything the attempt prints. When the command finished without any of these,
// its output is printed and its exit code is the command's (a failure too: the run was the full CLI's own);
// otherwise the output is dropped and the full CLI runs the command from the start (the lock the attempt took
// is released by then).
import { selectReadOnly } from '../api/engine.js';
import { selectLockBusy } from '../api/lock.js';
import { startupMark } from '../model/startup-trace.js';
import { main } from './main.js';

/** Where a stand-in of this bundle records the module it stood for, when used (scripts/cli-bundle-options.mjs). */
const DECLINED = Symbol.for('berth.declined');

export interface FastMainResult {
  /** The command's exit code when the attempt answered it; undefined when the full CLI must run it. */
  readonly code?: number;
  /** Why the full CLI must run it: the write refused, the module left out, or what main() threw. */
  readonly declined?: string;
}

/** Run `argv` as main() does, against an engine that refuses writes. */
export async function fastMain(argv: readonly string[]): Promise<FastMainResult> {
  const global = globalThis as { [DECLINED]?: string };
  let refused: string | undefined;
  let busy: string | undefined;
  selectReadOnly((method) => void (refused ??= method));
  // (what the attempt prints is held back until it ends: a wait for another process's lock would be silent)
  selectLockBusy((project) => void (busy ??= project));
  let code: number | undefined;
  let threw: unknown;
  try {
    code = await main(argv);
  } catch (err) {
    threw = err;
  } finally {
    selectReadOnly(undefined);
    selectLockBusy(undefined);
  }
  // (what was left out or refused first is the reason: an error thrown after it is its consequence)
  if (refused !== undefined) return decline(`asked for ${refused}`);
  if (busy !== undefined) return decline(`the lock of ${busy} is held`);
  if (global[DECLINED] !== undefined) return decline(`reached ${global[DECLINED]}`);
  if (code === undefined) return decline(`threw ${(threw as Error)?.name ?? 'an error'}`);
  // Neither a write nor a left-out module: the run was the full CLI's own, step for step, so its outcome is
  // the command's, a failure included (reported by main() as always). Running it again would repeat the
  // failure's cost: a wait that timed out, an engine that did not answer.
  startupMark(`fast up answered${code === 0 ? '' : ` (exit code ${code})`}`);
  return { code };
}

function decline(why: string): FastMainResult {
  startupMark(`fast up declined: ${why}`);
  return { declined: why };
}
