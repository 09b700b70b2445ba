// Ctrl-C for long-running commands: the first SIGINT (or SIGTERM) asks for a graceful stop, the second forces.
// While installed, the default "exit at once" behaviour of Node is off, so cleanup always runs.

export interface Interrupts {
  /** Aborted on the first signal. */
  readonly stop: AbortSignal;
  /** Aborted on the second signal. */
  readonly kill: AbortSignal;
  dispose(): void;
}

export function installInterrupts(onFirst?: () => void, onSecond?: () => void): Interrupts {
  const stop = new AbortController();
  const kill = new AbortController();
  const handler = () => {
    if (!stop.signal.aborted) {
      stop.abort();
      onFirst?.();
    } else if (!kill.signal.aborted) {
      kill.abort();
      onSecond?.();
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    stop: stop.signal,
    kill: kill.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
