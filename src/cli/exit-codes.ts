// The one place where errors become exit codes and one-line messages.
import { BerthError, ConfigError, ErrorCodes, PullFailedError } from '../model/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
/** 128 + SIGINT, as a shell reports a command stopped by Ctrl-C. */
export const EXIT_SIGINT = 130;

/**
 * compose's failure categories (pkg/compose/metrics.go), which scripts can tell apart by exit code: no compose
 * file 14, a project that does not load 15, a build failing 17, a pull failing 18 (16, a command line compose
 * cannot parse, is cli/argv.ts's).
 */
export const EXIT_FILE_NOT_FOUND = 14;
export const EXIT_PROJECT_LOAD = 15;
export const EXIT_BUILD_FAILED = 17;
export const EXIT_PULL_FAILED = 18;

export function exitCodeFor(err: unknown): number {
  if (err instanceof BerthError) {
    if (err.code === ErrorCodes.CANCELLED) return EXIT_SIGINT;
    if (err instanceof PullFailedError) return EXIT_PULL_FAILED;
    if (err.code === ErrorCodes.BUILD_FAILED) return EXIT_BUILD_FAILED;
    if (err instanceof ConfigError) {
      // the project's own .env and a missing --env-file are refused before compose loads anything: a plain failure
      if (err.code === ErrorCodes.PROJECT_ENV_FILE) return EXIT_FAILURE;
      if (err.code === ErrorCodes.CONFIG_NOT_FOUND) return /^couldn't find env file/.test(err.message) ? EXIT_FAILURE : EXIT_FILE_NOT_FOUND;
      // compose wraps every other error of its loader as a parse failure
      return EXIT_PROJECT_LOAD;
    }
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
