// loadProject behaviours beyond the golden files: discovery, project name, env, profiles, options.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject, projectToConfigObject, serializeConfig } from '../../../src/config/index.js';
import { ConfigError, ErrorCodes } from '../../../src/model/errors.js';
import { withComposeDir } from './helpers.js';

const simple = 'services:\n  web:\n    image: nginx\n';

describe('discovery', () => {
  it('finds compose.yaml in a parent directory, with its override', async () => {
    await withComposeDir(
      { 'compose.yaml': simple, 'compose.override.yml': 'services:\n  web:\n    image: httpd\n', 'sub/deeper/.keep': '' },
      async (dir) => {
        const p = await loadProject({ cwd: path.join(dir, 'sub/deeper'), env: {} });
        expect(p.meta.composeFiles).toEqual([path.join(dir, 'compose.yaml'), path.join(dir, 'compose.override.yml')]);
        expect(p.meta.workingDir).toBe(dir);
        expect(p.services.web.image).toBe('httpd');
      },
    );
  });

  it('prefers compose.yaml and warns when several names match', async () => {
    await withComposeDir({ 'compose.yaml': simple, 'docker-compose.yml': 'services:\n  other:\n    image: x\n' }, async (dir) => {
      const p = await loadProject({ cwd: dir, env: {} });
      expect(Object.keys(p.services)).toEqual(['web']);
      expect(p.meta.warnings.join('\n')).toContain('Found multiple config files');
    });
  });

  it('-f files are relative to cwd and merged in order; project dir is the first file\'s', async () => {
    await withComposeDir(
      { 'a/base.yaml': simple, 'b/extra.yaml': 'services:\n  web:\n    environment: [X=1]\n' },
      async (dir) => {
        const p = await loadProject({ cwd: dir, files: ['a/base.yaml', 'b/extra.yaml'], env: {} });
        expect(p.name).toBe('a');
        expect(p.meta.workingDir).toBe(path.join(dir, 'a'));
        expect(p.services.web.environment).toEqual({ X: '1' });
      },
    );
  });

  it('COMPOSE_FILE with COMPOSE_PATH_SEPARATOR', async () => {
    await withComposeDir({ 'one.yaml': simple, 'two.yaml': 'services:\n  db:\n    image: pg\n' }, async (dir) => {
      const p = await loadProject({ cwd: dir, env: { COMPOSE_FILE: 'one.yaml;two.yaml', COMPOSE_PATH_SEPARATOR: ';' } });
      expect(Object.keys(p.services).sort()).toEqual(['db', 'web']);
    });
  });

  it('a missing -f file is CONFIG_NOT_FOUND', async () => {
    await withComposeDir({ 'compose.yaml': simple }, async (dir) => {
      await expect(loadProject({ cwd: dir, files: ['nope.yaml'], env: {} })).rejects.toMatchObject({ code: ErrorCodes.CONFIG_NOT_FOUND });
    });
  });
});

describe('project name', () => {
  const files = { 'My Project!/compose.yaml': 'name: from-file\n' + simple, 'My Project!/.env': 'COMPOSE_PROJECT_NAME=from-dotenv\n' };

  it('-p wins', async () => {
    await withComposeDir(files, async (dir) => {
      expect((await loadProject({ cwd: path.join(dir, 'My Project!'), projectName: 'cli', env: {} })).name).toBe('cli');
    });
  });
  it('then COMPOSE_PROJECT_NAME (OS env over .env)', async () => {
    await withComposeDir(files, async (dir) => {
      const cwd = path.join(dir, 'My Project!');
      expect((await loadProject({ cwd, env: {} })).name).toBe('from-dotenv');
      expect((await loadProject({ cwd, env: { COMPOSE_PROJECT_NAME: 'from-os' } })).name).toBe('from-os');
    });
  });
  it('then top-level name: (interpolated, normalized)', async () => {
    await withComposeDir({ 'compose.yaml': 'name: App-${SUFFIX}\n' + simple }, async (dir) => {
      expect((await loadProject({ cwd: dir, env: { SUFFIX: 'X' } })).name).toBe('app-x');
    });
  });
  it('then the directory name, normalized', async () => {
    await withComposeDir({ 'My Project!/compose.yaml': simple }, async (dir) => {
      expect((await loadProject({ cwd: path.join(dir, 'My Project!'), env: {} })).name).toBe('myproject');
    });
  });
});

describe('environment', () => {
  it('OS env wins over .env; --env-file replaces .env', async () => {
    await withComposeDir(
      { 'compose.yaml': 'services:\n  web:\n    image: "nginx:${TAG}"\n', '.env': 'TAG=dotenv\n', 'alt.env': 'TAG=alt\n' },
      async (dir) => {
        expect((await loadProject({ cwd: dir, env: {} })).services.web.image).toBe('nginx:dotenv');
        expect((await loadProject({ cwd: dir, env: { TAG: 'os' } })).services.web.image).toBe('nginx:os');
        expect((await loadProject({ cwd: dir, env: {}, envFiles: ['alt.env'] })).services.web.image).toBe('nginx:alt');
      },
    );
  });

  it('env_file is read into environment; explicit entries win', async () => {
    await withComposeDir(
      {
        'compose.yaml': 'services:\n  web:\n    image: x\n    env_file: [app.env]\n    environment:\n      B: explicit\n',
        'app.env': 'A=1\nB=from-file\n',
      },
      async (dir) => {
        const p = await loadProject({ cwd: dir, env: {} });
        expect(p.services.web.environment).toEqual({ A: '1', B: 'explicit' });
        expect(p.services.web.env_file).toBeUndefined();
      },
    );
  });

  it('env_file format: raw reads `docker run --env-file` lines as written; compose\'s dialect expands and unquotes', async () => {
    await withComposeDir(
      {
        'compose.yaml': [
          'services:',
          '  web:',
          '    image: x',
          '    env_file:',
          '      - path: dialect.env',
          '      - path: raw.env',
          '        format: raw',
          '',
        ].join('\n'),
        'dialect.env': 'D_QUOTED="a b"\nD_EXPANDED=${HOME_DIR}/x\n',
        // BOM, quotes and ${} kept, trailing spaces kept, `#` after a value is part of it, bare names inherit
        'raw.env': '\uFEFFJSON=\'{"key": "value"}\'\n  # a comment\nREF=${HOME_DIR}/x\nSPACES=a b  \nHASH=v # not a comment\nHOME_DIR\nUNSET_ONE\nD_QUOTED\n',
      },
      async (dir) => {
        const p = await loadProject({ cwd: dir, env: { HOME_DIR: '/home/u' } });
        expect(p.services.web.environment).toEqual({
          D_QUOTED: 'a b',
          D_EXPANDED: '/home/u/x',
          JSON: '\'{"key": "value"}\'',
          REF: '${HOME_DIR}/x',
          SPACES: 'a b  ',
          HASH: 'v # not a comment',
          HOME_DIR: '/home/u',
        });
      },
    );
  });

  it('env_file: a key with white space in a raw file, or an unknown format, is an error naming the file and entry', async () => {
    await withComposeDir(
      { 'compose.yaml': 'services:\n  web:\n    image: x\n    env_file:\n      - path: raw.env\n        format: raw\n', 'raw.env': 'OK=1\nBAD KEY=2\n' },
      async (dir) => {
        await expect(loadProject({ cwd: dir, env: {} })).rejects.toThrow(/raw\.env: line 2: variable 'BAD KEY' contains whitespaces/);
      },
    );
    await withComposeDir(
      { 'compose.yaml': 'services:\n  web:\n    image: x\n    env_file:\n      - path: a.env\n        format: yaml\n', 'a.env': 'A=1\n' },
      async (dir) => {
        const err = await loadProject({ cwd: dir, env: {} }).catch((e: unknown) => e as Error);
        expect(String(err)).toMatch(/unsupported env_file format "yaml": use "raw" or leave format out/);
        expect(String(err)).toMatch(/compose\.yaml:5:7 services\.web\.env_file/);
      },
    );
  });

  it('warns about unset variables', async () => {
    await withComposeDir({ 'compose.yaml': 'services:\n  web:\n    image: "nginx:${NOPE}"\n' }, async (dir) => {
      const p = await loadProject({ cwd: dir, env: {} });
      expect(p.services.web.image).toBe('nginx:');
      expect(p.meta.warnings).toContain('The "NOPE" variable is not set. Defaulting to a blank string.');
    });
  });
});

describe('profiles', () => {
  const yaml = 'services:\n  web:\n    image: x\n  debug:\n    image: y\n    profiles: [dev]\n';
  it('services with inactive profiles go to meta.disabledServices', async () => {
    await withComposeDir({ 'compose.yaml': yaml }, async (dir) => {
      const p = await loadProject({ cwd: dir, env: {} });
      expect(Object.keys(p.services)).toEqual(['web']);
      expect(Object.keys(p.meta.disabledServices)).toEqual(['debug']);
    });
  });
  it('--profile and COMPOSE_PROFILES enable them', async () => {
    await withComposeDir({ 'compose.yaml': yaml }, async (dir) => {
      expect(Object.keys((await loadProject({ cwd: dir, env: {}, profiles: ['dev'] })).services)).toEqual(['web', 'debug']);
      expect(Object.keys((await loadProject({ cwd: dir, env: { COMPOSE_PROFILES: 'dev' } })).services)).toEqual(['web', 'debug']);
    });
  });
});

describe('options and YAML features', () => {
  it('normalize: false adds no default network and keeps resource names', async () => {
    await withComposeDir({ 'compose.yaml': simple + 'volumes:\n  data: {}\n' }, async (dir) => {
      const p = await loadProject({ cwd: dir, env: {}, normalize: false });
      expect(p.services.web.networks).toBeUndefined();
      expect(p.volumes).toEqual({ data: {} });
    });
  });

  it('interpolate: false keeps templates; resolvePaths: false keeps relative paths', async () => {
    await withComposeDir({ 'compose.yaml': 'services:\n  web:\n    image: "nginx:${TAG}"\n    volumes: ["./src:/src"]\n' }, async (dir) => {
      const p = await loadProject({ cwd: dir, env: { TAG: '1' }, interpolate: false, resolvePaths: false });
      expect(p.services.web.image).toBe('nginx:${TAG}');
      expect(p.services.web.volumes?.[0].source).toBe('./src');
    });
  });

  it('anchors, merge keys and extensions', async () => {
    const yaml = 'x-base: &base\n  image: x\n  restart: always\nservices:\n  a:\n    <<: *base\n    x-team: core\n  b:\n    <<: *base\n    image: y\n';
    await withComposeDir({ 'compose.yaml': yaml }, async (dir) => {
      const p = await loadProject({ cwd: dir, env: {} });
      expect(p.services.a).toMatchObject({ image: 'x', restart: 'always', 'x-team': 'core' });
      expect(p.services.b).toMatchObject({ image: 'y', restart: 'always' });
      const printed = projectToConfigObject(p);
      expect(printed['x-base']).toEqual({ image: 'x', restart: 'always' });
      expect((printed.services as Record<string, object>).a).not.toHaveProperty('x-team');
    });
  });

  it('warns about the obsolete version key', async () => {
    await withComposeDir({ 'compose.yaml': 'version: "3.8"\n' + simple }, async (dir) => {
      const p = await loadProject({ cwd: dir, env: {} });
      expect(p.meta.warnings.join('\n')).toContain('`version` is obsolete');
    });
  });

  it('errors carry ConfigError with file positions for interpolation in override files', async () => {
    await withComposeDir({ 'compose.yaml': simple, 'compose.override.yaml': 'services:\n  web:\n    image: ${X:?}\n' }, async (dir) => {
      const err = await loadProject({ cwd: dir, env: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).position).toEqual({ file: path.join(dir, 'compose.override.yaml'), line: 3, col: 12 });
    });
  });

  it('reads 0440 as octal, as compose does for file modes', async () => {
    const yaml = 'services:\n  a:\n    image: x\n    secrets:\n      - source: s\n        mode: 0440\nsecrets:\n  s:\n    file: ./s.txt\n';
    await withComposeDir({ 'compose.yaml': yaml }, async (dir) => {
      const p = await loadProject({ cwd: dir, env: {} });
      expect(p.services.a.secrets).toEqual([{ source: 's', target: '/run/secrets/s', mode: 0o440 }]);
    });
  });

  it('adds implicit dependencies from network_mode, links and volumes_from', async () => {
    const yaml = [
      'services:',
      '  db: {image: x}',
      '  a: {image: x, network_mode: "service:db"}',
      '  b: {image: x, links: ["db:database"]}',
      '  c: {image: x, volumes_from: ["db:ro", "container:other"]}',
    ].join('\n');
    await withComposeDir({ 'compose.yaml': yaml }, async (dir) => {
      const p = await loadProject({ cwd: dir, env: {} });
      expect(p.services.a.depends_on).toEqual({ db: { condition: 'service_started', restart: true, required: true } });
      expect(p.services.b.depends_on).toEqual({ db: { condition: 'service_started', restart: true, required: true } });
      expect(p.services.c.depends_on).toEqual({ db: { condition: 'service_started', required: true } });
    });
  });

  it('drops fields whose variable expanded to nothing', async () => {
    await withComposeDir({ 'compose.yaml': 'services:\n  a:\n    image: x\n    container_name: ${NAME}\n' }, async (dir) => {
      const p = await loadProject({ cwd: dir, env: {} });
      expect(p.services.a).not.toHaveProperty('container_name');
    });
  });

  it('a service needs an image or a build', async () => {
    await withComposeDir({ 'compose.yaml': 'services:\n  a:\n    restart: always\n' }, async (dir) => {
      await expect(loadProject({ cwd: dir, env: {} })).rejects.toMatchObject({ code: ErrorCodes.CONSISTENCY, keyPath: 'services.a' });
    });
  });
});

describe('newer-compose fields (corpus full-example)', () => {
  const base = [
    'services:',
    '  a:',
    '    image: x',
    '    env_file: [./a.env, {path: ./missing.env, required: false}]',
    '    label_file: ./a.label',
    '    labels: {B: mine}',
    '    build: {context: ., additional_contexts: [one=./ctx, two=service:b, three=docker-image://alpine]}',
    '    logging: {options: {max-size: 10}}',
    '    volumes: [./data:/data, {type: tmpfs, target: /t, tmpfs: {size: 10m}}]',
    '    secrets: [{source: s, mode: 0440}]',
    '    networks: [n]',
    'secrets:',
    '  s: {file: ./s.txt, x-note: hi}',
    'networks:',
    '  n: {driver_opts: {mtu: 1500}, x-note: hi}',
  ].join('\n');
  const files = { 'compose.yaml': base, 'a.env': 'E=1\n', 'a.label': 'A=1\nB=from-file\nC=${A}2\n' };

  it('reads label_file into labels (the service wins) and drops env_file/label_file by default', async () => {
    await withComposeDir(files, async (dir) => {
      const p = await loadProject({ cwd: dir, env: {} });
      const a = p.services.a;
      expect(a.labels).toEqual({ A: '1', B: 'mine', C: '12' });
      expect(a.environment).toEqual({ E: '1' });
      expect(a.env_file).toBeUndefined();
      expect(a.label_file).toBeUndefined();
      expect(a.build?.additional_contexts).toEqual({ one: path.join(dir, 'ctx'), two: 'service:b', three: 'docker-image://alpine' });
      expect(serializeConfig(p, 'yaml')).toMatch(/additional_contexts:\n {8}one: .*\n {8}three: .*\n {8}two: /);
      const out = JSON.parse(serializeConfig(p, 'json')) as Record<string, Record<string, Record<string, unknown>>>;
      // string maps in compose's model; file modes in octal; resource extensions are YAML-only
      expect(out.services.a.logging).toEqual({ options: { 'max-size': '10' } });
      expect(out.networks.n).toEqual({ name: `${p.name}_n`, driver_opts: { mtu: '1500' }, ipam: {} });
      expect(out.secrets.s).toEqual({ name: `${p.name}_s`, file: path.join(dir, 's.txt') });
      expect(out.services.a.secrets).toEqual([{ source: 's', target: '/run/secrets/s', mode: '0440' }]);
      expect(out.services.a.volumes).toEqual([
        { type: 'bind', source: path.join(dir, 'data'), target: '/data', bind: { create_host_path: true } },
        { type: 'tmpfs', target: '/t', tmpfs: { size: '10485760' } },
      ]);
      expect(serializeConfig(p, 'yaml')).toContain('x-note: hi');
    });
  });

  it('keeps env_file/label_file with discardEnvFiles: false, and omits create_host_path: true without normalization', async () => {
    await withComposeDir(files, async (dir) => {
      const p = await loadProject({ cwd: dir, env: {}, discardEnvFiles: false, normalize: false });
      expect(p.services.a.env_file).toEqual([{ path: path.join(dir, 'a.env') }, { path: path.join(dir, 'missing.env'), required: false }]);
      expect(p.services.a.label_file).toEqual([path.join(dir, 'a.label')]);
      // the model keeps create_host_path (it decides how the engine mounts); only the output omits it
      expect(p.services.a.volumes?.[0].bind).toEqual({ create_host_path: true });
      const out = JSON.parse(serializeConfig(p, 'json')) as Record<string, Record<string, Record<string, unknown[]>>>;
      expect(out.services.a.volumes[0]).toEqual({ type: 'bind', source: path.join(dir, 'data'), target: '/data', bind: {} });
    });
  });

  it('resolveEnvironment: false (config --no-env-resolution): env_file kept and not read, bare keys unset', async () => {
    const yaml = 'services:\n  a:\n    image: x\n    env_file: [a.env, { path: gone.env, required: false }]\n    environment: [X=1, HOME, FROM_FILE]\n';
    await withComposeDir({ 'compose.yaml': yaml, 'a.env': 'FROM_FILE=f\nONLY_IN_FILE=2\n' }, async (dir) => {
      const env = { HOME: '/home/u' };
      const raw = await loadProject({ cwd: dir, env, resolveEnvironment: false });
      expect(raw.services.a.env_file).toEqual([{ path: path.join(dir, 'a.env') }, { path: path.join(dir, 'gone.env'), required: false }]);
      expect(raw.services.a.environment).toEqual({ X: '1', HOME: null, FROM_FILE: null });
      // the default reads the file and resolves from the environment, then drops env_file
      const resolved = await loadProject({ cwd: dir, env });
      expect(resolved.services.a.env_file).toBeUndefined();
      expect(resolved.services.a.environment).toMatchObject({ X: '1', HOME: '/home/u', ONLY_IN_FILE: '2' });
    });
    // a missing required env file is no error when files are not read
    await withComposeDir({ 'compose.yaml': 'services:\n  a:\n    image: x\n    env_file: nope.env\n' }, async (dir) => {
      expect((await loadProject({ cwd: dir, env: {}, resolveEnvironment: false })).services.a.env_file).toEqual([{ path: path.join(dir, 'nope.env') }]);
      await expect(loadProject({ cwd: dir, env: {} })).rejects.toThrow(/nope\.env/);
    });
  });

  it('rejects a missing label file, naming the key path', async () => {
    await withComposeDir({ 'compose.yaml': 'services:\n  a:\n    image: x\n    label_file: ./nope.label\n' }, async (dir) => {
      const err = await loadProject({ cwd: dir, env: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toContain(`label file ${path.join(dir, 'nope.label')} not found`);
      expect((err as ConfigError).keyPath).toBe('services.a.label_file');
    });
  });
});
