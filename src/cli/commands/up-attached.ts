// `up` without -d: the containers' output with prefixes until they stop; Ctrl-C stops them (twice: kills).
import { upAttached, type UpAttachedCallOptions } from '../../api/runtime.js';
import { createLogPrinter } from '../../ui/log-prefixer.js';
import { EXIT_SIGINT } from '../exit-codes.js';
import { colorWanted, loadOptions, parallelLimit, parseSeconds, progressFor, type GlobalOptions, type Progress } from '../global.js';
import { installInterrupts } from '../signals.js';
import type { ProgressEvent } from '../../model/events.js';

export interface AttachedUpFlags extends GlobalOptions {
  forceRecreate?: boolean;
  recreate?: boolean;
  deps?: boolean;
  removeOrphans?: boolean;
  timeout?: string;
  attach?: string[];
  noAttach?: string[];
  attachDependencies?: boolean;
  abortOnContainerExit?: boolean;
  abortOnContainerFailure?: boolean;
  exitCodeFrom?: string;
  timestamps?: boolean;
  color?: boolean;
  logPrefix?: boolean;
  watch?: boolean;
}

// An attached up shows its convergence (networks, volumes, containers created, recreated or running) and not
// the starts and the waits on dependencies: compose runs those after its progress display has ended, and they
// print nothing there. What the containers print follows "Attaching to" instead. A start that berth's graph
// walk begins before the convergence is over is not shown either; a failed one still is.
const START_PHASE: ReadonlySet<string> = new Set(['Starting', 'Started', 'Waiting', 'Healthy', 'Exited']);
const startPhase = (e: ProgressEvent): boolean => e.type === 'resource' && e.kind === 'container' && e.status !== 'error' && START_PHASE.has(e.text);

/** `extra`: up options the caller has already decoded from its own flags (scale, ...). */
export async function attachedUpCommand(services: string[], o: AttachedUpFlags, extra: Partial<UpAttachedCallOptions> = {}): Promise<number> {
  const color = o.color !== false && (await colorWanted(o, process.stdout));
  const print = createLogPrinter({ stdout: process.stdout, stderr: process.stderr, color, prefix: o.logPrefix !== false, splitStderr: true });
  let progress: Progress | undefined = await progressFor(o);
  const interrupts = installInterrupts();
  try {
    const result = await upAttached({
      ...extra,
      project: loadOptions(o),
      services,
      forceRecreate: o.forceRecreate,
      noRecreate: o.recreate === false,
      noDeps: o.deps === false,
      removeOrphans: o.removeOrphans,
      timeout: parseSeconds(o.timeout, '--timeout'),
      parallel: parallelLimit(o),
      attach: Array.isArray(o.attach) ? o.attach : undefined,
      noAttach: o.noAttach,
      attachDependencies: o.attachDependencies,
      abortOnContainerExit: o.abortOnContainerExit,
      abortOnContainerFailure: o.abortOnContainerFailure,
      exitCodeFrom: o.exitCodeFrom,
      timestamps: o.timestamps,
      stopSignal: interrupts.stop,
      killSignal: interrupts.kill,
      onEvent: (e) => {
        if (!startPhase(e)) progress?.onEvent(e);
      },
      onLog: print,
      ...(o.watch ? { watch: { ...(await import('./watch.js')).watchPrinter() } } : {}),
      // compose's progress display ends with the convergence: the starts and the waits that follow print nothing
      onConverged: async () => {
        await progress?.done();
        progress = undefined;
      },
      onStopping: async () => {
        progress = await progressFor(o);
      },
    });
    return interrupts.stop.aborted ? EXIT_SIGINT : result.exitCode;
  } finally {
    interrupts.dispose();
    await progress?.done();
  }
}
