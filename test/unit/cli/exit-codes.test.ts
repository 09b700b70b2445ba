// Exit codes of a project that cannot be loaded, as compose-ref 2.26.1 exits (pkg/compose/metrics.go):
// a missing compose/include/extends/env_file file 14, any other load failure 15, a bad .env or --env-file 1.
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../../src/cli/exit-codes.js';
import { loadProject } from '../../../src/config/index.js';
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
