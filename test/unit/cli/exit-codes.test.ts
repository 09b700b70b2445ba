// Exit codes by failure category, as compose 2.26 exits (pkg/compose/metrics.go; each checked against
// compose-ref on the same input): a missing compose/include/extends/env_file file 14, any other load failure 15,
// a bad project .env or a missing --env-file 1, a failing build 17, an image that cannot be pulled 18.
import { describe, expect, it } from 'vitest';
import { EXIT_CODES, exitCodeFor } from '../../../src/cli/exit-codes.js';
import { loadProject } from '../../../src/config/index.js';
import { BerthError, ConfigError, EngineError, ErrorCodes, OperationError, PullFailedError } from '../../../src/model/errors.js';
import { withComposeDir } from '../config/helpers.js';

const codeOf = async (files: Record<string, string>, extra: { files?: string[]; envFiles?: string[] } = {}) =>
  withComposeDir(files, async (dir) => {
    try {
      await loadProject({ cwd: dir, env: {}, ...extra });
      return 0;
    } catch (err) {
      return exitCodeFor(err);
    }
  });

describe('exit codes of load failures', () => {
  it('a file the project names is missing: 14', async () => {
    expect(await codeOf({ 'compose.yaml': 'services: {a: {image: x}}\n' }, { files: ['nope.yaml'] })).toBe(14);
    expect(await codeOf({ 'compose.yaml': 'include: [nope.yaml]\nservices: {a: {image: x}}\n' })).toBe(14);
    expect(await codeOf({ 'compose.yaml': 'services: {a: {extends: {file: nope.yaml, service: a}}}\n' })).toBe(14);
    expect(await codeOf({ 'compose.yaml': 'services: {a: {image: x, env_file: nope.env}}\n' })).toBe(14);
  });

  it('anything else wrong while loading: 15; a bad project .env or a missing --env-file: 1', async () => {
    expect(await codeOf({ 'compose.yaml': 'services:\n  a: [\n' })).toBe(15);
    expect(await codeOf({ 'compose.yaml': 'services: {a: {image: x, foo: 1}}\n' })).toBe(15);
    expect(await codeOf({ 'compose.yaml': 'services: {a: {image: x, depends_on: [b]}, b: {image: x, depends_on: [a]}}\n' })).toBe(15);
    expect(await codeOf({ 'compose.yaml': 'services: {a: {image: x, env_file: a.env}}\n', 'a.env': "A='x''y'\n" })).toBe(15);
    expect(await codeOf({ 'compose.yaml': 'services: {a: {image: x}}\n', '.env': "A='x''y'\n" })).toBe(1);
    expect(await codeOf({ 'compose.yaml': 'services: {a: {image: x}}\n' }, { envFiles: ['nope.env'] })).toBe(1);
  });
});

describe('exitCodeFor', () => {
  it.each([
    [new ConfigError(ErrorCodes.CONFIG_NOT_FOUND, 'no configuration file provided: not found'), 14],
    [new ConfigError(ErrorCodes.CONFIG_NOT_FOUND, 'open /x/nope.yaml: no such file or directory: check the -f / COMPOSE_FILE path'), 14],
    [new ConfigError(ErrorCodes.PROJECT_ENV_FILE, "couldn't find env file: /x/nope.env: check the --env-file path"), 1],
    [new ConfigError(ErrorCodes.DEPENDENCY_CYCLE, 'dependency cycle detected: a -> b -> a'), 15],
    [new ConfigError(ErrorCodes.SCHEMA, "additional property 'imagex' is not allowed"), 15],
    [new ConfigError(ErrorCodes.MISSING_REQUIRED_VARIABLE, 'required variable NOPE is missing a value'), 15],
    [new ConfigError(ErrorCodes.UNKNOWN_DEPENDENCY, 'service "zz" is not defined'), 15],
    [new ConfigError(ErrorCodes.YAML_SYNTAX, 'invalid YAML'), 15],
    [new OperationError(ErrorCodes.BUILD_FAILED, 'service "a" failed to build'), 17],
    [new EngineError(ErrorCodes.BUILD_FAILED, 'exit code: 3'), 17],
    [new PullFailedError(ErrorCodes.IMAGE_NOT_FOUND, 'service "a": manifest unknown'), 18],
    [new PullFailedError(ErrorCodes.REGISTRY_AUTH, 'service "a": no basic auth credentials'), 18],
    [new OperationError(ErrorCodes.IMAGE_NOT_FOUND, 'service "a": image x is not present locally and pull_policy is never'), 1],
    [new OperationError(ErrorCodes.NO_SUCH_SERVICE, 'no such service: x'), 1],
    [new BerthError(ErrorCodes.CANCELLED, 'cancelled'), 130],
    [new Error('anything else'), 1],
  ])('%s → %i', (err, code) => {
    expect(exitCodeFor(err)).toBe(code);
  });
});

describe('one table from code to exit code', () => {
  it('every code has its exit code, whatever class it is raised with', () => {
    for (const code of Object.values(ErrorCodes)) {
      const exits = [new BerthError(code, 'x'), new ConfigError(code, 'x'), new OperationError(code, 'x'), new EngineError(code, 'x')].map(exitCodeFor);
      expect(new Set(exits), code).toEqual(new Set([EXIT_CODES[code]]));
    }
  });

  it('compose\'s categories: 14 missing file, 15 load, 16 flag usage, 17 build, 18 pull, 130 cancel', () => {
    expect(EXIT_CODES).toMatchObject({ CONFIG_NOT_FOUND: 14, INCLUDE_NOT_FOUND: 14, SCHEMA: 15, FLAG_USAGE: 16, USAGE: 1, BUILD_FAILED: 17, PULL_FAILED: 18, CANCELLED: 130 });
    const pull = new PullFailedError(ErrorCodes.REGISTRY_AUTH, 'service "a": no basic auth credentials');
    expect([pull.code, pull.reason]).toEqual([ErrorCodes.PULL_FAILED, ErrorCodes.REGISTRY_AUTH]);
  });
});

describe('a missing file: one code per kind of file', () => {
  const errorOf = async (files: Record<string, string>, extra: { files?: string[]; envFiles?: string[] } = {}) =>
    withComposeDir(files, async (dir) => loadProject({ cwd: dir, env: {}, ...extra }).then(() => undefined, (err: unknown) => err as BerthError));

  it.each([
    ['the compose file', {}, { files: ['nope.yaml'] }, ErrorCodes.CONFIG_NOT_FOUND],
    ['an include', { 'compose.yaml': 'include: [nope.yaml]\nservices: {a: {image: x}}\n' }, {}, ErrorCodes.INCLUDE_NOT_FOUND],
    ['an extends.file', { 'compose.yaml': 'services: {a: {extends: {file: nope.yaml, service: a}}}\n' }, {}, ErrorCodes.EXTENDS_FILE_NOT_FOUND],
    ["a service's env_file", { 'compose.yaml': 'services: {a: {image: x, env_file: nope.env}}\n' }, {}, ErrorCodes.ENV_FILE_NOT_FOUND],
    ["a service's label_file", { 'compose.yaml': 'services: {a: {image: x, label_file: nope.labels}}\n' }, {}, ErrorCodes.LABEL_FILE_NOT_FOUND],
    ['an --env-file', { 'compose.yaml': 'services: {a: {image: x}}\n' }, { envFiles: ['nope.env'] }, ErrorCodes.PROJECT_ENV_FILE],
  ])('%s', async (_what, files, extra, code) => {
    const err = await errorOf({ 'compose.yaml': 'services: {a: {image: x}}\n', ...files }, extra);
    expect(err?.code).toBe(code);
  });
});
