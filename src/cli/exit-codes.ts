// The one place where errors become exit codes and one-line messages.
import { BerthError, ConfigError, ErrorCodes } from '../model/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
/** 128 + SIGINT, as a shell reports a command stopped by Ctrl-C. */
export const EXIT_SIGINT = 130;
/** compose's exit codes for a project that cannot be loaded (docker/compose pkg/compose/metrics.go). */
export const EXIT_FILE_NOT_FOUND = 14;
export const EXIT_COMPOSE_PARSE = 15;

export function exitCodeFor(err: unknown): number {
  if (err instanceof BerthError) {
    if (err.code === ErrorCodes.CANCELLED) return EXIT_SIGINT;
    // a compose file (or one it includes/extends) missing: 14; anything else wrong while loading it: 15
    if (err instanceof ConfigError && err.code !== ErrorCodes.PROJECT_ENV_FILE) return err.code === ErrorCodes.CONFIG_NOT_FOUND ? EXIT_FILE_NOT_FOUND : EXIT_COMPOSE_PARSE;
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
