// The one place where errors become exit codes and one-line messages.
import { BerthError, ErrorCodes } from '../model/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
/** 128 + SIGINT, as a shell reports a command stopped by Ctrl-C. */
export const EXIT_SIGINT = 130;

export function exitCodeFor(err: unknown): number {
  if (err instanceof BerthError) {
    if (err.code === ErrorCodes.CANCELLED) return EXIT_SIGINT;
    return EXIT_FAILURE;
  }
  return EXIT_FAILURE;
}

/** One line: the message, no stack (BERTH_DEBUG=1 adds it), no "Error:" doubling. */
export function errorLine(err: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const message = err instanceof Error ? err.message : String(err);
  const firstLineOnly = env.BERTH_DEBUG ? message : message;
  const stack = env.BERTH_DEBUG && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  return `${firstLineOnly}${stack}`;
}
