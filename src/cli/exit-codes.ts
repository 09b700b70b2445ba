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

/** Print a failure as one line on stderr, bare like compose's (BERTH_DEBUG adds stacks and causes). */
export async function reportError(err: unknown, ansi: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const [{ formatError }, { resolveColor }] = await Promise.all([import('../ui/errors.js'), import('../ui/color.js')]);
  const color = resolveColor({ ansi: (ansi ?? 'auto') as 'auto' | 'always' | 'never', env, isTTY: !!process.stderr.isTTY });
  process.stderr.write(`${formatError(err, color, env, { prefix: false })}\n`);
}
