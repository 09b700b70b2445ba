// The project cache (src/api/project-cache.ts): a hit gives the same project as a load, and every input a
// load depends on invalidates it. A hit is told apart from a load by tampering with the stored entry: a
// result carrying the tampered value can only have come from the cache.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheable, fileNameHash, forgetProject, loadProjectCached, MAX_ENTRIES, type ProjectCacheOptions } from '../../../src/api/project-cache.js';
import { serviceConfigHash } from '../../../src/config/hash.js';
import { loadProjectSync, serializeConfig, type LoadOptions } from '../../../src/config/index.js';
import type { Project } from '../../../src/model/types.js';
import { CORPUS_DIR, HAS_CORPUS } from '../conformance/corpus.js';

let work: string;
let cache: ProjectCacheOptions;
const ENV = { HOME: '/home/berth', PATH: '/usr/bin:/bin' };

let lastHit: boolean | undefined;
beforeEach(() => {
  work = realpathSync(mkdtempSync(path.join(tmpdir(), 'berth-pcache-')));
  lastHit = undefined;
  cache = { dir: path.join(work, 'cache'), build: 'build-1', onLookup: (hit) => (lastHit = hit) };
  mkdirSync(path.join(work, 'app'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const app = (...p: string[]) => path.join(work, 'app', ...p);
const write = (file: string, text: string) => writeFileSync(app(file), text);
const opts = (extra: LoadOptions = {}): LoadOptions => ({ cwd: app(), env: { ...ENV }, ...extra });
const entries = () => (existsSync(cache.dir) ? readdirSync(cache.dir).filter((n) => n.endsWith('.json')) : []);

// (Entries are sealed: a hit is no longer told apart by tampering with the stored project, but by the
// cache's own report of its last lookup.)
function tamper(): void {
  expect(entries()).toHaveLength(1);
}
const fromCache = (p: Project) => p !== undefined && lastHit === true;

describe('project cache', () => {
  beforeEach(() => write('compose.yaml', 'services:\n  web:\n    image: busybox:${TAG:-1}\n'));

  it('stores a load and answers the same inputs from the entry', async () => {
    const first = await loadProjectCached(opts(), cache);
    expect(entries()).toHaveLength(1);
    expect(statSync(path.join(cache.dir, entries()[0])).mode & 0o777).toBe(0o600);
    tamper();
    expect(fromCache(await loadProjectCached(opts(), cache))).toBe(true);
    expect(first.services.web.image).toBe('busybox:1');
  });

  it('deferWrite: the entry is written a little later (after the first engine requests), or at exit when none comes', async () => {
    const deferred = { ...cache, deferWrite: true };
    const first = await loadProjectCached(opts(), deferred);
    expect(entries()).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(entries()).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(entries()).toHaveLength(1);
    tamper();
    expect(fromCache(await loadProjectCached(opts(), deferred))).toBe(true);
    expect(first.services.web.image).toBe('busybox:1');

    // a process that exits at once still leaves its entry
    const dir = path.join(work, 'exit-cache');
    // (the compiled module: npm run build comes before the tests)
    const script = [
      `import { loadProjectCached } from ${JSON.stringify(new URL('../../../dist/api/project-cache.js', import.meta.url).pathname)};`,
      `await loadProjectCached({ cwd: ${JSON.stringify(app())}, env: {} }, { dir: ${JSON.stringify(dir)}, build: 'b', deferWrite: true });`,
      'process.exit(0);',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(dir).filter((n) => n.endsWith('.json'))).toHaveLength(1);
  });

  it('gives the project a load gives, config hashes included', async () => {
    write('.env', 'TAG=2\n');
    const fresh = loadProjectSync(opts());
    await loadProjectCached(opts(), cache);
    const cached = await loadProjectCached(opts(), cache);
    expect(serializeConfig(cached, 'json')).toBe(serializeConfig(fresh, 'json'));
    expect(serviceConfigHash(cached.services.web)).toBe(serviceConfigHash(fresh.services.web));
  });

  const invalidations: [string, () => void, LoadOptions?][] = [
    ['the compose file changes', () => write('compose.yaml', 'services:\n  web:\n    image: busybox:3\n')],
    ['an override file appears', () => write('compose.override.yaml', 'services:\n  web:\n    image: busybox:4\n')],
    ['a .env file appears', () => write('.env', 'TAG=5\n')],
    ['the environment changes', () => {}, { env: { ...ENV, TAG: '6' } }],
    ['a load option changes', () => {}, { profiles: ['debug'] }],
  ];
  for (const [what, change, extra] of invalidations) {
    it(`loads again when ${what}`, async () => {
      await loadProjectCached(opts(), cache);
      tamper();
      change();
      const again = await loadProjectCached(opts(extra), cache);
      expect(fromCache(again)).toBe(false);
      expect(again.name).toBe('app');
    });
  }

  it('loads again when files read through env_file, include and extends change', async () => {
    write('compose.yaml', 'include: [inc.yaml]\nservices:\n  web:\n    extends: { file: base.yaml, service: base }\n    env_file: [web.env]\n');
    write('inc.yaml', 'services:\n  side:\n    image: busybox\n');
    write('base.yaml', 'services:\n  base:\n    image: busybox\n');
    write('web.env', 'A=1\n');
    for (const [file, text] of [
      ['web.env', 'A=2\n'],
      ['inc.yaml', 'services:\n  side:\n    image: busybox:2\n'],
      ['base.yaml', 'services:\n  base:\n    image: busybox:2\n'],
    ]) {
      await loadProjectCached(opts(), cache);
      tamper();
      write(file, text);
      const again = await loadProjectCached(opts(), cache);
      expect(fromCache(again), file).toBe(false);
    }
    const last = await loadProjectCached(opts(), cache);
    expect(last.services.web.environment).toEqual({ A: '2' });
    expect(last.services.web.image).toBe('busybox:2');
    expect(last.services.side.image).toBe('busybox:2');
  });

  it('never uses an entry of another build', async () => {
    await loadProjectCached(opts(), cache);
    tamper();
    expect(fromCache(await loadProjectCached(opts(), { ...cache, build: 'build-2' }))).toBe(false);
  });

  it('stores nothing for a failing load, and reports its error', async () => {
    write('compose.yaml', 'services:\n  web:\n    image: [\n');
    await expect(loadProjectCached(opts(), cache)).rejects.toThrow(/YAML/);
    expect(entries()).toHaveLength(0);
  });

  it('never caches stdin or files given by content', async () => {
    expect(cacheable({ files: ['-'] })).toBe(false);
    expect(cacheable({ configFiles: [{ name: 'x.yaml', content: 'services: {}' }] })).toBe(false);
    await loadProjectCached(opts({ configFiles: [{ name: 'compose.yaml', content: 'services:\n  a:\n    image: busybox\n' }] }), cache);
    expect(entries()).toHaveLength(0);
  });

  it('keeps a bounded number of entries', async () => {
    for (let i = 0; i < MAX_ENTRIES + 5; i++) await loadProjectCached(opts({ projectName: `p${i}` }), cache);
    expect(entries().length).toBe(MAX_ENTRIES);
  });

  it('names entries by a stable hash of the key', async () => {
    expect(fileNameHash('a')).toBe(fileNameHash('a'));
    expect(fileNameHash('a')).not.toBe(fileNameHash('b'));
    expect(fileNameHash('x')).toMatch(/^[0-9a-f]{16}$/);
  });
});

// Issue 14, defect 4: no value reaches the cache directory in clear, entries are sealed to their inputs,
// down forgets the project, and the cache is bounded in bytes too.
describe('project cache: what is on disk', () => {
  const CANARY = 'canary-7f3a9c-do-not-store';
  const bytesUnder = (dir: string): Buffer[] => readdirSync(dir).map((n) => readFileSync(path.join(dir, n)));
  beforeEach(() => write('compose.yaml', 'services:\n  web:\n    image: busybox:${TAG:-1}\n'));

  it('holds no value of the environment, .env, env files or the compose file in clear', async () => {
    write('compose.yaml', `services:\n  web:\n    image: busybox\n    environment:\n      A: \${FROM_DOTENV}\n      B: \${FROM_OS}\n      C: literal-${CANARY}-c\n    env_file: [web.env]\n`);
    write('.env', `FROM_DOTENV=${CANARY}-dotenv\n`);
    write('web.env', `D=${CANARY}-envfile\n`);
    const o = opts({ env: { ...ENV, FROM_OS: `${CANARY}-os`, UNUSED_TOKEN: `${CANARY}-token` } });
    const first = await loadProjectCached(o, cache);
    expect(first.services.web.environment).toMatchObject({ A: `${CANARY}-dotenv`, B: `${CANARY}-os`, D: `${CANARY}-envfile` });
    const again = await loadProjectCached(o, cache);
    expect(lastHit).toBe(true);
    expect(serializeConfig(again, 'json')).toBe(serializeConfig(first, 'json'));
    expect(again.meta.environment.UNUSED_TOKEN).toBe(`${CANARY}-token`);
    const files = bytesUnder(cache.dir);
    expect(files).toHaveLength(1);
    for (const b of files) {
      expect(b.includes(CANARY)).toBe(false);
      expect(b.includes(Buffer.from(CANARY).toString('base64').slice(0, 16))).toBe(false);
    }
    expect(statSync(cache.dir).mode & 0o777).toBe(0o700);
  });

  it('an entry altered on disk is a miss, never an error or a wrong project', async () => {
    await loadProjectCached(opts(), cache);
    const file = path.join(cache.dir, entries()[0]);
    const entry = JSON.parse(readFileSync(file, 'utf8'));
    const sealed = Buffer.from(entry.sealed, 'base64');
    sealed[0] ^= 1;
    writeFileSync(file, JSON.stringify({ ...entry, sealed: sealed.toString('base64') }));
    const p = await loadProjectCached(opts(), cache);
    expect(lastHit).toBe(false);
    expect(p.services.web.image).toBe('busybox:1');
  });

  it('entries of older berths (values in clear) are removed at the next write', async () => {
    mkdirSync(cache.dir, { recursive: true });
    writeFileSync(path.join(cache.dir, 'project-0123456789abcdef.json'), JSON.stringify({ env: `[["SECRET","${CANARY}"]]` }));
    await loadProjectCached(opts(), cache);
    expect(entries()).toHaveLength(1);
    expect(entries()[0]).toMatch(/^project-[0-9a-f]{16}-[0-9a-f]{16}\.json$/);
  });

  it('is bounded in bytes: the oldest entries go', async () => {
    const small = { ...cache, maxBytes: 2500 };
    for (let i = 0; i < 6; i++) {
      await loadProjectCached(opts({ projectName: `b${i}` }), small);
      await new Promise((r) => setTimeout(r, 5));
    }
    const sizes = entries().map((n) => statSync(path.join(cache.dir, n)).size);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2500);
    expect(entries().length).toBeGreaterThan(0);
    expect(entries().length).toBeLessThan(6);
    // the newest stays
    await loadProjectCached(opts({ projectName: 'b5' }), small);
    expect(lastHit).toBe(true);
  });

  it("forgetProject removes the project's entries (all load options), and a write still pending", async () => {
    await loadProjectCached(opts({ projectName: 'gone' }), cache);
    await loadProjectCached(opts({ projectName: 'gone', profiles: ['x'] }), cache);
    await loadProjectCached(opts({ projectName: 'kept' }), cache);
    expect(entries()).toHaveLength(3);
    await loadProjectCached(opts({ projectName: 'gone', profiles: ['y'] }), { ...cache, deferWrite: true });
    forgetProject(cache, 'gone');
    await new Promise((r) => setTimeout(r, 100));
    expect(entries()).toHaveLength(1);
    await loadProjectCached(opts({ projectName: 'kept' }), cache);
    expect(lastHit).toBe(true);
  });

  it('readOnly (--dry-run): a hit still answers, a miss loads, and nothing is written or removed', async () => {
    const readOnly = { ...cache, readOnly: true, deferWrite: true };
    const missed = await loadProjectCached(opts({ projectName: 'dry' }), readOnly);
    expect(lastHit).toBe(false);
    expect(missed.services.web.image).toBe('busybox:1');
    await new Promise((r) => setTimeout(r, 100));
    expect(entries()).toEqual([]);

    await loadProjectCached(opts({ projectName: 'dry' }), cache);
    const stored = entries();
    expect(stored).toHaveLength(1);
    const before = readFileSync(path.join(cache.dir, stored[0]), 'utf8');
    await loadProjectCached(opts({ projectName: 'dry' }), readOnly);
    expect(lastHit).toBe(true);
    forgetProject(readOnly, 'dry');
    expect(entries()).toEqual(stored);
    expect(readFileSync(path.join(cache.dir, stored[0]), 'utf8')).toBe(before);
  });
});

// Every project of the repository's fixtures and of the conformance corpus: a cached load equals a fresh one.
describe.skipIf(!HAS_CORPUS)('project cache on the corpus', () => {
  const NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
  const dirs: string[] = [];
  const walk = (dir: string) => {
    const names = readdirSync(dir);
    if (names.some((n) => NAMES.includes(n))) dirs.push(dir);
    for (const n of names) if (statSync(path.join(dir, n)).isDirectory()) walk(path.join(dir, n));
  };
  if (HAS_CORPUS) for (const sub of ['e2e', 'python-v1']) if (existsSync(path.join(CORPUS_DIR, sub))) walk(path.join(CORPUS_DIR, sub));
  walk(path.join(path.dirname(new URL(import.meta.url).pathname), '../../../fixtures'));

  // every project of the corpus, loaded three times: ~2 s alone, past vitest's 5 s default on a loaded machine
  it(`a cached load equals a fresh one (${dirs.length} projects)`, async () => {
    let compared = 0;
    for (const dir of dirs) {
      const o = { cwd: dir, env: { ...ENV } };
      let fresh: Project;
      try {
        fresh = loadProjectSync(o);
      } catch {
        continue;
      }
      await loadProjectCached(o, cache);
      const cached = await loadProjectCached(o, cache);
      expect(serializeConfig(cached, 'json'), dir).toBe(serializeConfig(fresh, 'json'));
      for (const [name, s] of Object.entries(fresh.services)) expect(serviceConfigHash(cached.services[name]), `${dir} ${name}`).toBe(serviceConfigHash(s));
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  }, 60_000);
});
