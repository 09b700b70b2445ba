// compose's build.secrets / build.ssh / cache_from / cache_to as berth hands them to a BuildKit build, and
// the classic builder's refusal under DOCKER_BUILDKIT=0 (golden cases from compose 2.26.1's behaviour).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Project } from '../../../src/model/types.js';
import { buildKitCache, buildSecrets, buildSsh, checkBuildKitSources, parseCacheEntry } from '../../../src/ops/build-buildkit.js';
import { buildSpec } from '../../../src/ops/build-spec.js';

function project(build: Record<string, unknown>, secrets: Project['secrets'] = {}, env: Record<string, string> = {}): Project {
  return {
    name: 'p',
    services: { app: { build: { context: '/w', dockerfile: 'Dockerfile', ...build } } as never },
    networks: {},
    volumes: {},
    secrets,
    meta: { workingDir: '/w', composeFiles: ['/w/compose.yaml'], environment: env, disabledServices: {}, profiles: [], warnings: [] },
  };
}

describe('buildSecrets', () => {
  it('maps ids as compose does (target, else the key), file paths against the project, env values from the project environment', () => {
    const p = project(
      { secrets: [{ source: 'tok' }, { source: 'key', target: 'api', mode: '0400' }, { source: 'unset' }] },
      { tok: { name: 'p_tok', file: './s/tok.txt' }, key: { name: 'p_key', environment: 'API_KEY' }, unset: { name: 'p_unset', environment: 'NOPE' } },
      { API_KEY: 'v1' },
    );
    const mapped = buildSecrets(p, 'app');
    // environment values are there to read, but never serialized or shown by inspection
    expect(mapped.secrets.map((s) => ('env' in s ? s.value : undefined))).toEqual([undefined, 'v1', '']);
    expect(JSON.stringify(mapped)).not.toContain('v1');
    expect(inspect(mapped, { depth: 5 })).not.toContain('v1');
    expect(mapped).toEqual({
      secrets: [
        { id: 'tok', file: '/w/s/tok.txt' },
        { id: 'api', env: 'API_KEY' },
        { id: 'unset', env: 'NOPE' },
      ],
      warnings: ['secrets `uid`, `gid` and `mode` are not supported by BuildKit, they will be ignored'],
    });
  });

  it('refuses an undefined secret and one that is neither file nor environment', () => {
    expect(() => buildSecrets(project({ secrets: [{ source: 'x' }] }), 'app')).toThrow('service "app" refers to undefined build secret x');
    expect(() => buildSecrets(project({ secrets: [{ source: 'x' }] }, { x: { name: 'p_x', external: true } }), 'app')).toThrow(
      'service "app": build.secrets only supports environment or file-based secrets: "x"',
    );
  });
});

describe('buildSsh', () => {
  it('reads list, map and string forms and --ssh entries; paths against the project directory', () => {
    expect(buildSsh(project({ ssh: ['default', 'gh=./k1,/abs/k2'] }), 'app', ['cli=~x'])).toEqual([
      { id: 'default', paths: [] },
      { id: 'gh', paths: ['/w/k1', '/abs/k2'] },
      { id: 'cli', paths: ['/w/~x'] },
    ]);
    expect(buildSsh(project({ ssh: { default: null, mykey: '/k' } }), 'app')).toEqual([
      { id: 'default', paths: [] },
      { id: 'mykey', paths: ['/k'] },
    ]);
    expect(buildSsh(project({}), 'app', ['default'])).toEqual([{ id: 'default', paths: [] }]);
  });
});

describe('cache_from / cache_to', () => {
  it('parses buildx CSV entries and bare references', () => {
    expect(parseCacheEntry('type=registry,ref=127.0.0.1:5000/c:1,mode=max')).toEqual({ type: 'registry', attrs: { ref: '127.0.0.1:5000/c:1', mode: 'max' } });
    expect(parseCacheEntry('127.0.0.1:5000/app:1')).toEqual({ type: 'registry', attrs: { ref: '127.0.0.1:5000/app:1' } });
    expect(parseCacheEntry('type=local,src=/c')).toEqual({ type: 'local', attrs: { src: '/c' } });
  });

  it('imports registry and local caches, exports inline and local; another type is skipped with a warning', () => {
    expect(buildKitCache('app', ['type=registry,ref=r/c:1', 'r/img:2', 'type=local,src=/c,tag=v1', 'type=gha'], ['type=inline', 'type=local,dest=/d,mode=max'])).toEqual({
      cacheFrom: ['r/c:1', 'r/img:2'],
      inline: true,
      exports: [{ type: 'local', attrs: { dest: '/d', mode: 'max' }, entry: 'type=local,dest=/d,mode=max' }],
      warnings: ['service "app": build.cache_from type=gha ignored: the engine\'s builder imports registry caches only (type=registry,ref=…)'],
      localImports: [{ type: 'local', attrs: { src: '/c', tag: 'v1' } }],
    });
    expect(() => buildKitCache('app', ['type=local'], [])).toThrow('service "app": build.cache_from type=local: a local cache needs src=');
    expect(() => buildKitCache('app', [], ['type=local,mode=max'])).toThrow('service "app": build.cache_to type=local,mode=max: a local cache needs dest=');
  });

  it('hands registry cache exports to the engine (which may refuse them), with their attributes', () => {
    expect(buildKitCache('app', [], ['type=registry,ref=r/c:1,mode=max', 'type=inline']).exports).toEqual([
      { type: 'registry', attrs: { ref: 'r/c:1', mode: 'max' }, entry: 'type=registry,ref=r/c:1,mode=max' },
    ]);
    expect(() => buildKitCache('app', [], ['type=registry,mode=max'])).toThrow('service "app": build.cache_to type=registry,mode=max: a registry cache needs ref=');
  });
});

describe('buildSpec', () => {
  const p = project({ secrets: [{ source: 'tok' }], ssh: ['default'], cache_to: ['type=inline'], cache_from: ['type=registry,ref=r/c'] }, { tok: { name: 'p_tok', file: '/w/t' } });

  it('carries secrets, ssh and the cache for BuildKit', () => {
    const spec = buildSpec(p, 'app', { ssh: ['id=/k'] }, 'buildkit');
    expect({ secrets: spec.secrets, ssh: spec.ssh, cacheFrom: spec.cacheFrom, inline: spec.inlineCache }).toEqual({
      secrets: [{ id: 'tok', file: '/w/t' }],
      ssh: [{ id: 'default', paths: [] }, { id: 'id', paths: ['/k'] }],
      cacheFrom: ['r/c'],
      inline: true,
    });
  });

  it('keeps refusing them for the classic builder (DOCKER_BUILDKIT=0)', () => {
    expect(() => buildSpec(p, 'app', {}, 'classic')).toThrow('service "app": build.ssh needs BuildKit');
  });
});

describe('checkBuildKitSources', () => {
  it('refuses, before the build and as a plain error, missing or oversized secret files and unusable ssh sources', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bk-sources-'));
    const ok = join(dir, 'ok');
    writeFileSync(ok, 'x');
    const big = join(dir, 'big');
    writeFileSync(big, Buffer.alloc(500 * 1024 + 1));
    const check = (secrets: { id: string; file: string }[], ssh: { id: string; paths: string[] }[], env = {}) => checkBuildKitSources({ service: 'app', secrets, ssh }, env);
    await expect(check([{ id: 's', file: ok }], [{ id: 'k', paths: [ok] }], {})).resolves.toBeUndefined();
    await expect(check([{ id: 's', file: join(dir, 'nope') }], [])).rejects.toMatchObject({ code: 'SERVICE_SPEC', message: expect.stringMatching(/^service "app": build\.secrets s: cannot read .*nope: ENOENT$/) });
    await expect(check([{ id: 'b', file: big }], [])).rejects.toThrow(/build\.secrets b: .* more than BuildKit's limit of 512000/);
    await expect(check([], [{ id: 'default', paths: [] }], {})).rejects.toThrow('service "app": build.ssh default: invalid empty ssh agent socket, make sure SSH_AUTH_SOCK is set');
    await expect(check([], [{ id: 'default', paths: [] }], { SSH_AUTH_SOCK: '/s' })).resolves.toBeUndefined();
    await expect(check([], [{ id: 'k', paths: [join(dir, 'nokey')] }])).rejects.toThrow(/build\.ssh k: cannot use .*nokey: ENOENT/);
    await expect(check([], [{ id: 'k', paths: [ok] }, { id: 'k', paths: [ok] }])).rejects.toThrow('build.ssh: invalid duplicate ID k');
  });
});
