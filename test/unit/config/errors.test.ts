// Loader errors: a stable code, the file:line:col of the offending node, the key path, one line.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/config/index.js';
import { ConfigError, ErrorCodes } from '../../../src/model/errors.js';
import { withComposeDir } from './helpers.js';

async function loadError(files: Record<string, string>, options: Record<string, unknown> = {}): Promise<{ err: ConfigError; dir: string }> {
  return withComposeDir(files, async (dir) => {
    try {
      await loadProject({ cwd: dir, env: {}, ...options });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      expect(e.message).not.toContain('\n');
      return { err: e, dir };
    }
    throw new Error('expected the load to fail');
  });
}

describe('config errors', () => {
  it('YAML syntax error', async () => {
    const { err, dir } = await loadError({ 'compose.yaml': 'services:\n  web:\n    image: [nginx\n' });
    expect(err.code).toBe(ErrorCodes.YAML_SYNTAX);
    expect(err.position?.file).toBe(path.join(dir, 'compose.yaml'));
    expect(err.position?.line).toBeGreaterThanOrEqual(3);
    expect(err.message).toMatch(/compose\.yaml:\d+:\d+: invalid YAML/);
  });

  it('duplicate key, with its line', async () => {
    const { err } = await loadError({ 'compose.yaml': 'services:\n  web:\n    image: a\n    image: b\n' });
    expect(err.code).toBe(ErrorCodes.YAML_SYNTAX);
    expect(err.position).toMatchObject({ line: 4, col: 5 });
    expect(err.message).toContain('duplicate key "image"');
  });

  it('unknown key', async () => {
    const { err, dir } = await loadError({ 'compose.yaml': 'services:\n  web:\n    imagee: nginx\n' });
    expect(err.code).toBe(ErrorCodes.SCHEMA);
    expect(err.keyPath).toBe('services.web');
    expect(err.position).toEqual({ file: path.join(dir, 'compose.yaml'), line: 3, col: 5 });
    expect(err.message).toBe(
      `${path.join(dir, 'compose.yaml')}:3:5 services.web: additional property 'imagee' is not allowed: did you mean 'image'?`,
    );
  });

  it('wrong type', async () => {
    const { err } = await loadError({ 'compose.yaml': 'services:\n  web:\n    image: nginx\n    privileged: maybe\n' });
    expect(err.code).toBe(ErrorCodes.SCHEMA);
    expect(err.keyPath).toBe('services.web.privileged');
    expect(err.message).toContain('"maybe" is not a boolean');
    expect(err.position).toMatchObject({ line: 4, col: 17 });
  });

  it('a byte size that is no size (mem_limit, shm_size, memory, tmpfs size), named with its line', async () => {
    const cases: [string, string, number, number][] = [
      ['    mem_limit: lots\n', 'services.web.mem_limit', 4, 16],
      ['    shm_size: 64x\n', 'services.web.shm_size', 4, 15],
      ['    deploy:\n      resources:\n        limits:\n          memory: "1 gig"\n', 'services.web.deploy.resources.limits.memory', 7, 19],
      ['    volumes:\n      - type: tmpfs\n        target: /t\n        tmpfs: { size: huge }\n', 'services.web.volumes[0].tmpfs.size', 7, 24],
      ['    build: { context: ., shm_size: "2 gigs" }\n', 'services.web.build.shm_size', 4, 36],
    ];
    for (const [yaml, keyPath, line, col] of cases) {
      const { err, dir } = await loadError({ 'compose.yaml': `services:\n  web:\n    image: nginx\n${yaml}` });
      expect(err.code, keyPath).toBe(ErrorCodes.SCHEMA);
      expect(err.keyPath).toBe(keyPath);
      expect(err.position, keyPath).toEqual({ file: path.join(dir, 'compose.yaml'), line, col });
      expect(err.message).toMatch(/ ".+" is not a byte size: use a number of bytes, or a number with a unit such as 512m or 1g$/);
    }
    // sizes that are sizes still load, -1 (no limit) as a number too
    await withComposeDir({ 'compose.yaml': 'services:\n  web:\n    image: nginx\n    mem_limit: 1.5g\n    memswap_limit: -1\n    shm_size: 64MiB\n' }, async (dir) => {
      const p = await loadProject({ cwd: dir, env: {} });
      expect([p.services.web.mem_limit, p.services.web.memswap_limit, p.services.web.shm_size]).toEqual(['1610612736', '-1', '67108864']);
    });
  });

  it('missing ${VAR:?msg}', async () => {
    const { err, dir } = await loadError({ 'compose.yaml': 'services:\n  web:\n    image: "app:${DB_TAG:?pin the image tag}"\n' });
    expect(err.code).toBe(ErrorCodes.MISSING_REQUIRED_VARIABLE);
    expect(err.keyPath).toBe('services.web.image');
    expect(err.position).toEqual({ file: path.join(dir, 'compose.yaml'), line: 3, col: 12 });
    expect(err.message).toBe(
      `${path.join(dir, 'compose.yaml')}:3:12 services.web.image: required variable DB_TAG is missing a value: pin the image tag`,
    );
  });

  it('missing ${VAR:?} says what to do', async () => {
    const { err } = await loadError({ 'compose.yaml': 'services:\n  web:\n    image: ${DB_TAG:?}\n' });
    expect(err.message).toContain('required variable DB_TAG is missing a value: set DB_TAG in the environment or .env');
  });

  it('depends_on an unknown service', async () => {
    const yaml = [
      'services:', //               1
      '  db:', //                   2
      '    image: postgres', //     3
      '  api:', //                  4
      '    image: api', //          5
      '    depends_on:', //         6
      '      - db', //              7
      '      - dbx', //             8
    ].join('\n');
    const { err, dir } = await loadError({ 'compose.yaml': yaml });
    expect(err.code).toBe(ErrorCodes.UNKNOWN_DEPENDENCY);
    expect(err.keyPath).toBe('services.api.depends_on');
    expect(err.message).toBe(
      `${path.join(dir, 'compose.yaml')}:8:9 services.api.depends_on: service "dbx" is not defined (api depends on it); define it or remove the dependency`,
    );
  });

  it('depends_on an unknown service, mapping form', async () => {
    const yaml = 'services:\n  api:\n    image: api\n    depends_on:\n      dbx:\n        condition: service_healthy\n';
    const { err } = await loadError({ 'compose.yaml': yaml });
    expect(err.code).toBe(ErrorCodes.UNKNOWN_DEPENDENCY);
    expect(err.position).toMatchObject({ line: 5, col: 7 });
  });

  it('dependency cycle', async () => {
    const yaml = 'services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n';
    const { err } = await loadError({ 'compose.yaml': yaml });
    expect(err.code).toBe(ErrorCodes.DEPENDENCY_CYCLE);
    expect(err.keyPath).toBe('services.a.depends_on');
    expect(err.position).toMatchObject({ line: 4, col: 17 });
    expect(err.message).toContain('dependency cycle detected: a -> b -> a');
  });

  it('undefined network', async () => {
    const { err } = await loadError({ 'compose.yaml': 'services:\n  a:\n    image: x\n    networks: [back]\n' });
    expect(err.code).toBe(ErrorCodes.CONSISTENCY);
    expect(err.keyPath).toBe('services.a.networks.back');
  });

  it('undefined volume', async () => {
    const { err } = await loadError({ 'compose.yaml': 'services:\n  a:\n    image: x\n    volumes: [data:/data]\n' });
    expect(err.code).toBe(ErrorCodes.CONSISTENCY);
    expect(err.keyPath).toBe('services.a.volumes[0]');
    expect(err.position).toMatchObject({ line: 4, col: 15 });
  });

  it('error in an override file points into that file', async () => {
    const { err, dir } = await loadError({
      'compose.yaml': 'services:\n  a:\n    image: x\n',
      'compose.override.yaml': 'services:\n  a:\n    ports: ["99999"]\n',
    });
    expect(err.code).toBe(ErrorCodes.SCHEMA);
    expect(err.position?.file).toBe(path.join(dir, 'compose.override.yaml'));
    expect(err.keyPath).toBe('services.a.ports[0]');
  });

  it('no configuration file', async () => {
    const { err } = await loadError({ 'empty/.keep': '' }, { cwd: '/' });
    expect(err.code).toBe(ErrorCodes.CONFIG_NOT_FOUND);
    expect(err.message).toBe('no configuration file provided: not found');
  });

  it('an invalid explicit project name comes before a missing compose file, as in compose', async () => {
    const { err } = await loadError({ 'empty/.keep': '' }, { cwd: '/', projectName: 'Bad!' });
    expect(err.code).toBe(ErrorCodes.INVALID_PROJECT_NAME);
    expect(err.message).toMatch(/^invalid project name "Bad!"/);
  });

  it('invalid explicit project name', async () => {
    const { err } = await loadError({ 'compose.yaml': 'services: {}\n' }, { projectName: 'Foo!' });
    expect(err.code).toBe(ErrorCodes.INVALID_PROJECT_NAME);
    expect(err.message).toBe(
      'invalid project name "Foo!": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number',
    );
  });
});
