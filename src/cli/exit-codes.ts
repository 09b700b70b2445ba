// The one place where errors become exit codes and one-line messages.
import { BerthError, type ErrorCode } from '../model/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
/** 128 + SIGINT, as a shell reports a command stopped by Ctrl-C. */
export const EXIT_SIGINT = 130;

/**
 * compose's failure categories (pkg/compose/metrics.go), which scripts can tell apart by exit code: no compose
 * file 14, a project that does not load 15, a command line its flag parser refuses 16, a build failing 17, a
 * pull failing 18.
 */
export const EXIT_FILE_NOT_FOUND = 14;
export const EXIT_PROJECT_LOAD = 15;
export const EXIT_USAGE = 16;
export const EXIT_BUILD_FAILED = 17;
export const EXIT_PULL_FAILED = 18;

/**
 * Every error code's exit code: compose's where compose has one (each checked against compose-ref 2.26.1 on the
 * same input), 1 otherwise. A Record over ErrorCode, so a new code does not compile until it is given one.
 */
export const EXIT_CODES: Readonly<Record<ErrorCode, number>> = {
  // a file the project names is missing
  CONFIG_NOT_FOUND: EXIT_FILE_NOT_FOUND,
  INCLUDE_NOT_FOUND: EXIT_FILE_NOT_FOUND,
  EXTENDS_FILE_NOT_FOUND: EXIT_FILE_NOT_FOUND,
  ENV_FILE_NOT_FOUND: EXIT_FILE_NOT_FOUND,
  LABEL_FILE_NOT_FOUND: EXIT_FILE_NOT_FOUND,
  // the project's own .env and a missing --env-file are refused before compose loads anything: a plain failure
  PROJECT_ENV_FILE: EXIT_FAILURE,
  // compose wraps every other error of its loader as a parse failure
  YAML_SYNTAX: EXIT_PROJECT_LOAD,
  FILE_UNREADABLE: EXIT_PROJECT_LOAD,
  INVALID_UTF8: EXIT_PROJECT_LOAD,
  EMPTY_FILE: EXIT_PROJECT_LOAD,
  SCHEMA: EXIT_PROJECT_LOAD,
  INTERPOLATION: EXIT_PROJECT_LOAD,
  ENV_FILE_SYNTAX: EXIT_PROJECT_LOAD,
  MISSING_REQUIRED_VARIABLE: EXIT_PROJECT_LOAD,
  INVALID_PROJECT_NAME: EXIT_PROJECT_LOAD,
  DEPENDENCY_CYCLE: EXIT_PROJECT_LOAD,
  UNKNOWN_DEPENDENCY: EXIT_PROJECT_LOAD,
  CONSISTENCY: EXIT_PROJECT_LOAD,
  // found while a command runs
  SECRET_SOURCE_UNSET: EXIT_FAILURE,
  SERVICE_SPEC: EXIT_FAILURE,
  NO_SUCH_SERVICE: EXIT_FAILURE,
  NO_CONTAINERS: EXIT_FAILURE,
  NO_SERVICES: EXIT_FAILURE,
  ENGINE_UNREACHABLE: EXIT_FAILURE,
  ENGINE_NOT_FOUND: EXIT_FAILURE,
  EXTERNAL_NOT_FOUND: EXIT_FAILURE,
  NO_PUBLISHED_PORT: EXIT_FAILURE,
  COPY_PATH: EXIT_FAILURE,
  LOCK_DIRECTORY: EXIT_FAILURE,
  ENGINE_CONNECTION_LOST: EXIT_FAILURE,
  ENGINE_CONFLICT: EXIT_FAILURE,
  ENGINE_PORT_IN_USE: EXIT_FAILURE,
  ENGINE_FAILED: EXIT_FAILURE,
  IMAGE_NOT_FOUND: EXIT_FAILURE,
  BUILD_FAILED: EXIT_BUILD_FAILED,
  PULL_FAILED: EXIT_PULL_FAILED,
  PUSH_FAILED: EXIT_FAILURE,
  REGISTRY_AUTH: EXIT_FAILURE,
  DEPENDENCY_FAILED: EXIT_FAILURE,
  UNHEALTHY: EXIT_FAILURE,
  TIMEOUT: EXIT_FAILURE,
  USAGE: EXIT_FAILURE,
  FLAG_USAGE: EXIT_USAGE,
  CANCELLED: EXIT_SIGINT,
  DETACHED: EXIT_FAILURE,
  WATCH_FAILED: EXIT_FAILURE,
  HOOK_FAILED: EXIT_FAILURE,
};

export function exitCodeFor(err: unknown): number {
  if (err instanceof BerthError && Object.hasOwn(EXIT_CODES, err.code)) return EXIT_CODES[err.code as ErrorCode];
  return EXIT_FAILURE;
}

/** Print a failure as one line on stderr, bare like compose's (BERTH_DEBUG adds stacks and causes). */
export async function reportError(err: unknown, ansi: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const [{ formatError }, { resolveColor }] = await Promise.all([import('../ui/errors.js'), import('../ui/color.js')]);
  const color = resolveColor({ ansi: (ansi ?? 'auto') as 'auto' | 'always' | 'never', env, isTTY: !!process.stderr.isTTY });
  process.stderr.write(`${formatError(err, color, env, { prefix: false })}\n`);
}
