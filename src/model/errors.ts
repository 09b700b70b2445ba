// Every error berth raises on purpose carries a stable `code` with one meaning; the CLI maps each code to its
// exit code in one table (cli/exit-codes.ts), so the class an error is raised with never changes how berth exits.

export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

// Each class names itself: the CLI bundle's identifiers are minified, so a class's own name is not its source name.
export class BerthError extends Error {
  override name = 'BerthError';
  readonly code: string;
  /** The service the error is about, when there is one. */
  readonly service?: string;
  constructor(code: string, message: string, options?: { cause?: unknown; service?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.service = options?.service;
  }
}

/** Bad input in a compose file, .env file or the command line. */
export class ConfigError extends BerthError {
  override name = 'ConfigError';
  readonly position?: SourcePosition;
  readonly keyPath?: string;
  constructor(
    code: string,
    message: string,
    options?: { position?: SourcePosition; keyPath?: string; cause?: unknown; service?: string },
  ) {
    super(code, ConfigError.format(message, options?.position, options?.keyPath), options);
    this.position = options?.position;
    this.keyPath = options?.keyPath;
  }
  /** `file:line:col key.path: message`, the one-line shape every config error is printed in. */
  static format(message: string, position?: SourcePosition, keyPath?: string): string {
    const where = position ? `${position.file}:${position.line}:${position.col}` : '';
    const head = [where, keyPath].filter(Boolean).join(' ');
    return head ? `${head}: ${message}` : message;
  }
}

/** The engine could not be reached or refused an operation. */
export class EngineError extends BerthError {
  override name = 'EngineError';
  readonly statusCode?: number;
  constructor(code: string, message: string, options?: { statusCode?: number; cause?: unknown; service?: string }) {
    super(code, message, options);
    this.statusCode = options?.statusCode;
  }
}

/** An operation failed at run time (unhealthy dependency, a container that exited, a timeout). */
export class OperationError extends BerthError {
  override name = 'OperationError';
}

/**
 * An image could not be pulled; compose gives pull failures an exit code of their own, so the code is always
 * PULL_FAILED and `reason` keeps the code of the failure underneath (IMAGE_NOT_FOUND, REGISTRY_AUTH, …).
 */
export class PullFailedError extends OperationError {
  override name = 'PullFailedError';
  readonly reason: string;
  constructor(reason: string, message: string, options?: { cause?: unknown; service?: string }) {
    super(ErrorCodes.PULL_FAILED, message, options);
    this.reason = reason;
  }
}

/** A service a command names is not in the project (checked once, where the API receives the names). */
export class NoSuchServiceError extends OperationError {
  override name = 'NoSuchServiceError';
  constructor(service: string) {
    super(ErrorCodes.NO_SUCH_SERVICE, `no such service: ${service}`, { service });
  }
}

export const ErrorCodes = {
  /** No compose file: none found by discovery, or one named by -f / COMPOSE_FILE does not exist. */
  CONFIG_NOT_FOUND: 'CONFIG_NOT_FOUND',
  /** A file named by a top-level `include` does not exist. */
  INCLUDE_NOT_FOUND: 'INCLUDE_NOT_FOUND',
  /** The file named by a service's `extends.file` does not exist. */
  EXTENDS_FILE_NOT_FOUND: 'EXTENDS_FILE_NOT_FOUND',
  /** A required file of a service's `env_file` does not exist. */
  ENV_FILE_NOT_FOUND: 'ENV_FILE_NOT_FOUND',
  /** A file of a service's `label_file` does not exist. */
  LABEL_FILE_NOT_FOUND: 'LABEL_FILE_NOT_FOUND',
  /** A line of a service's env_file that cannot be parsed (the project's own .env is PROJECT_ENV_FILE). */
  ENV_FILE_SYNTAX: 'ENV_FILE_SYNTAX',
  /** A secret or config whose content comes from an `environment:` variable that is not set. */
  SECRET_SOURCE_UNSET: 'SECRET_SOURCE_UNSET',
  /**
   * The project's environment files (.env or --env-file) missing or unreadable: compose fails them before it
   * loads the project, so they exit 1, not 14/15 like the compose files.
   */
  PROJECT_ENV_FILE: 'PROJECT_ENV_FILE',
  YAML_SYNTAX: 'YAML_SYNTAX',
  /** A file the configuration names exists but cannot be read as a file (a directory, a symlink loop, no permission). */
  FILE_UNREADABLE: 'FILE_UNREADABLE',
  /** A compose or .env file that is not valid UTF-8. */
  INVALID_UTF8: 'INVALID_UTF8',
  /** The compose files, together, define nothing at all (empty, comments only, `{}`). */
  EMPTY_FILE: 'EMPTY_FILE',
  SCHEMA: 'SCHEMA',
  INTERPOLATION: 'INTERPOLATION',
  MISSING_REQUIRED_VARIABLE: 'MISSING_REQUIRED_VARIABLE',
  INVALID_PROJECT_NAME: 'INVALID_PROJECT_NAME',
  DEPENDENCY_CYCLE: 'DEPENDENCY_CYCLE',
  UNKNOWN_DEPENDENCY: 'UNKNOWN_DEPENDENCY',
  /** The files load but contradict themselves (a reference to nothing, an include cycle, a name clash). */
  CONSISTENCY: 'CONSISTENCY',
  /**
   * A service's definition loads but the command cannot carry it out (an unknown pull_policy, a build berth's
   * classic builder cannot do); found when the command runs, not when the project loads.
   */
  SERVICE_SPEC: 'SERVICE_SPEC',
  /** A service name the project does not define (NoSuchServiceError, checked where the API receives names). */
  NO_SUCH_SERVICE: 'NO_SUCH_SERVICE',
  /** The service or project exists but has no container the command can act on (none running, no such index). */
  NO_CONTAINERS: 'NO_CONTAINERS',
  /** up/create of a project whose files define no enabled service: there is nothing to converge. */
  NO_SERVICES: 'NO_SERVICES',
  ENGINE_UNREACHABLE: 'ENGINE_UNREACHABLE',
  /** The engine answered 404: the container, network, volume, image or exec it was asked about does not exist. */
  ENGINE_NOT_FOUND: 'ENGINE_NOT_FOUND',
  /** A network or volume the project declares `external` does not exist (berth never creates one). */
  EXTERNAL_NOT_FOUND: 'EXTERNAL_NOT_FOUND',
  /** `port`: the container does not publish the private port asked about. */
  NO_PUBLISHED_PORT: 'NO_PUBLISHED_PORT',
  /** `cp`: a source that does not exist, or a destination that is not the directory the copy needs. */
  COPY_PATH: 'COPY_PATH',
  /** The project lock's directory is not safe to use (not a directory, or not the user's). */
  LOCK_DIRECTORY: 'LOCK_DIRECTORY',
  /** The connection to the engine broke in the middle of a call (the engine died or restarted). */
  ENGINE_CONNECTION_LOST: 'ENGINE_CONNECTION_LOST',
  ENGINE_CONFLICT: 'ENGINE_CONFLICT',
  ENGINE_PORT_IN_USE: 'ENGINE_PORT_IN_USE',
  ENGINE_FAILED: 'ENGINE_FAILED',
  IMAGE_NOT_FOUND: 'IMAGE_NOT_FOUND',
  BUILD_FAILED: 'BUILD_FAILED',
  /** Pulling an image failed; PullFailedError's `reason` says why. */
  PULL_FAILED: 'PULL_FAILED',
  PUSH_FAILED: 'PUSH_FAILED',
  /** The registry refused the credentials (or asked for some and none were configured). */
  REGISTRY_AUTH: 'REGISTRY_AUTH',
  DEPENDENCY_FAILED: 'DEPENDENCY_FAILED',
  UNHEALTHY: 'UNHEALTHY',
  TIMEOUT: 'TIMEOUT',
  /** A command line compose parses but refuses (argument counts, flag combinations, a selection that leaves nothing to do). */
  USAGE: 'USAGE',
  /** A flag compose's flag parser refuses (unknown, missing its value, not a number). */
  FLAG_USAGE: 'FLAG_USAGE',
  CANCELLED: 'CANCELLED',
  /** The user typed the detach sequence on an attached terminal: the container runs on (exit 1, as compose). */
  DETACHED: 'DETACHED',
  /** A develop.watch batch was not applied in full (a sync, rebuild, restart or sync+exec hook failed). */
  WATCH_FAILED: 'WATCH_FAILED',
  /** A post_start or pre_stop hook exited non-zero (or could not be run). */
  HOOK_FAILED: 'HOOK_FAILED',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
