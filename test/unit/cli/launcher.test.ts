// bin/berth.js, the launcher (needs `npm run build`): NODE_EXTRA_CA_CERTS is kept from Node's start-up and
// given back to berth, the V8 code cache is rewritten when it is unusable (the bundle's and the lazily loaded
// validator's) and kept apart when it is only refused under other V8 flags, and the early exit loses no output.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const bin = path.join(repo, 'bin/berth.js');
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'berth-launcher-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (file: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = work) =>
  spawnSync(file, args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, BERTH_PROJECT_CACHE: '0', ...env } });

describe('bin/berth.js', () => {
  it('keeps NODE_EXTRA_CA_CERTS from Node at start-up, and gives it back to berth', () => {
    writeFileSync(path.join(work, 'compose.yaml'), 'services:\n  web:\n    image: busybox\n    environment:\n      CA: ${NODE_EXTRA_CA_CERTS}\n');
    const missing = path.join(work, 'no-such-ca.pem');
    // started by its shebang, as a user starts it: Node never tries to read the file
    const direct = run(bin, ['config', '--format', 'json'], { NODE_EXTRA_CA_CERTS: missing });
    expect(direct.status, direct.stderr).toBe(0);
    expect(direct.stderr).not.toMatch(/extra certs/i);
    expect(JSON.parse(direct.stdout).services.web.environment.CA).toBe(missing);
    // through `node bin/berth.js` the shebang is bypassed: Node reads (and here fails to read) the file itself
    const viaNode = run(process.execPath, ['--', bin, 'config', '--format', 'json'], { NODE_EXTRA_CA_CERTS: missing });
    expect(viaNode.status).toBe(0);
    expect(viaNode.stderr).toMatch(/extra certs/i);
    // unset stays unset
    const unset = run(bin, ['config', '--format', 'json']);
    expect(JSON.parse(unset.stdout).services.web.environment.CA).toBe('');
  });

  it('starts Node without the memory reducer (the shebang\'s V8 flag), and this Node accepts that flag', () => {
    const shebang = readFileSync(bin, 'utf8').split('\n')[0];
    expect(shebang).toMatch(/ node --no-memory-reducer --$/);
    // a Node that no longer knew the flag would refuse to start berth at all
    const r = spawnSync(process.execPath, ['--no-memory-reducer', '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' });
    expect(r.stdout, r.stderr).toBe('ok');
  });

  it('rewrites a code cache V8 rejects, and leaves it alone with BERTH_CODE_CACHE=off', () => {
    // a copy of the installation, so the shared one is never touched
    const root = path.join(work, 'install');
    mkdirSync(path.join(root, 'bin'), { recursive: true });
    mkdirSync(path.join(root, 'dist/cli-bundle'), { recursive: true });
    for (const f of ['bin/berth.js', 'bin/package.json', 'package.json', 'dist/cli-bundle/berth.cjs']) copyFileSync(path.join(repo, f), path.join(root, f));
    const cache = path.join(root, 'dist/cli-bundle/berth.cjs.cache');
    writeFileSync(cache, 'not a code cache');

    const off = run(process.execPath, ['--', path.join(root, 'bin/berth.js'), '--version'], { BERTH_CODE_CACHE: 'off' });
    expect(off.stdout).toMatch(/^berth version /);
    expect(readFileSync(cache, 'utf8')).toBe('not a code cache');

    const first = run(process.execPath, ['--', path.join(root, 'bin/berth.js'), '--version']);
    expect(first.stdout).toMatch(/^berth version /);
    const rewritten = readFileSync(cache);
    expect(rewritten.toString('utf8')).not.toBe('not a code cache');
    expect(rewritten.length).toBeGreaterThan(10_000);

    // accepted now: a second run leaves it as it is
    const mtime = statSync(cache).mtimeMs;
    expect(run(process.execPath, ['--', path.join(root, 'bin/berth.js'), '--version']).status).toBe(0);
    expect(statSync(cache).mtimeMs).toBe(mtime);
  });

  it('a run under other V8 flags leaves the build\'s cache alone, and writes one of its own that runs under those flags then read', () => {
    const root = path.join(work, 'install-flags');
    mkdirSync(path.join(root, 'bin'), { recursive: true });
    mkdirSync(path.join(root, 'dist/cli-bundle'), { recursive: true });
    for (const f of ['bin/berth.js', 'bin/package.json', 'package.json', 'dist/cli-bundle/berth.cjs', 'dist/cli-bundle/berth.cjs.cache']) copyFileSync(path.join(repo, f), path.join(root, f));
    const dir = path.join(root, 'dist/cli-bundle');
    const trained = readFileSync(path.join(dir, 'berth.cjs.cache'));
    const caches = () => readdirSync(dir).filter((f) => f.startsWith('berth.cjs.cache')).sort();
    // --max-lazy is one of the V8 flags a code cache is made under: V8 refuses the build's cache
    const odd = () => run(process.execPath, ['--max-lazy', '--', path.join(root, 'bin/berth.js'), '--version']);
    expect(odd().status).toBe(0);
    expect(readFileSync(path.join(dir, 'berth.cjs.cache')).equals(trained)).toBe(true);
    const own = caches().filter((f) => /^berth\.cjs\.cache\.[0-9a-f]{16}$/.test(f));
    expect(own).toHaveLength(1);
    // the next run under the same flags reads it (accepted: left as it is)
    const mtime = statSync(path.join(dir, own[0])).mtimeMs;
    expect(odd().status).toBe(0);
    expect(statSync(path.join(dir, own[0])).mtimeMs).toBe(mtime);
    // and a run under the usual flags still reads the build's, accepted, writing nothing
    expect(run(process.execPath, ['--', path.join(root, 'bin/berth.js'), '--version']).status).toBe(0);
    expect(readFileSync(path.join(dir, 'berth.cjs.cache')).equals(trained)).toBe(true);
    expect(caches()).toEqual(['berth.cjs.cache', own[0]]);
  });

  it('a build reads a code cache of its own (berth.cjs.build.cache), every other command the smaller one', () => {
    const root = path.join(work, 'install-build');
    mkdirSync(path.join(root, 'bin'), { recursive: true });
    mkdirSync(path.join(root, 'dist/cli-bundle'), { recursive: true });
    for (const f of ['bin/berth.js', 'bin/package.json', 'package.json', 'dist/cli-bundle/berth.cjs', 'dist/cli-bundle/berth.cjs.cache', 'dist/cli-bundle/berth.cjs.build.cache', 'dist/cli-bundle/compose-schema.cjs']) {
      copyFileSync(path.join(repo, f), path.join(root, f));
    }
    // the build's training ran more of the bundle: its cache holds more functions
    expect(statSync(path.join(root, 'dist/cli-bundle/berth.cjs.build.cache')).size).toBeGreaterThan(statSync(path.join(root, 'dist/cli-bundle/berth.cjs.cache')).size);
    const base = path.join(root, 'dist/cli-bundle/berth.cjs.cache');
    const build = path.join(root, 'dist/cli-bundle/berth.cjs.build.cache');
    writeFileSync(build, 'not a code cache');
    const baseBytes = readFileSync(base);
    // not a build: the build's cache is neither read nor rewritten
    expect(run(process.execPath, ['--', path.join(root, 'bin/berth.js'), '--version']).status).toBe(0);
    expect(readFileSync(build, 'utf8')).toBe('not a code cache');
    // a build (here of a project with nothing to build: no engine is asked) reads it, finds it rejected and
    // rewrites it; the other commands' cache is left as it was
    const dir = path.join(work, 'nothing-to-build');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  web:\n    image: busybox:local\n');
    const r = run(process.execPath, ['--', path.join(root, 'bin/berth.js'), 'build'], { DOCKER_HOST: `unix://${path.join(work, 'no-engine.sock')}` }, dir);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(build).toString('utf8')).not.toBe('not a code cache');
    expect(readFileSync(build).length).toBeGreaterThan(10_000);
    expect(readFileSync(base).equals(baseBytes)).toBe(true);
  });

  it('tries a detached up through berth-up.cjs first, and runs the full bundle alone where that file is missing', () => {
    const root = path.join(work, 'install-fast-up');
    mkdirSync(path.join(root, 'bin'), { recursive: true });
    mkdirSync(path.join(root, 'dist/cli-bundle'), { recursive: true });
    for (const f of ['bin/berth.js', 'bin/package.json', 'package.json', 'dist/cli-bundle/berth.cjs', 'dist/cli-bundle/berth-up.cjs', 'dist/cli-bundle/compose-schema.cjs']) {
      copyFileSync(path.join(repo, f), path.join(root, f));
    }
    const dir = path.join(work, 'fast-up');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  web:\n    image: busybox:local\n');
    const env = { DOCKER_HOST: `unix://${path.join(work, 'no-engine.sock')}`, BERTH_STARTUP_TRACE: '1' };
    const up = () => run(process.execPath, ['--', path.join(root, 'bin/berth.js'), '--progress', 'plain', 'up', '-d'], env, dir);
    // the project cache is off here: the attempt reaches the config loader, left out of its bundle, and gives
    // the command to the full bundle, which reports the missing engine once
    const tried = up();
    expect(tried.status).not.toBe(0);
    expect(tried.stderr).toContain('fast up declined: reached config/index.js');
    expect(tried.stderr.match(/cannot connect to the Docker engine/g)).toHaveLength(1);
    rmSync(path.join(root, 'dist/cli-bundle/berth-up.cjs'));
    const alone = up();
    expect(alone.status).toBe(tried.status);
    expect(alone.stderr).not.toContain('fast up');
    expect(alone.stderr).not.toContain('not built');
    expect(alone.stderr.match(/cannot connect to the Docker engine/g)).toHaveLength(1);
  });

  it('loads the compose-spec validator through the same code cache, written once it has validated', () => {
    const root = path.join(work, 'install-schema');
    mkdirSync(path.join(root, 'bin'), { recursive: true });
    mkdirSync(path.join(root, 'dist/cli-bundle'), { recursive: true });
    for (const f of ['bin/berth.js', 'bin/package.json', 'package.json', 'dist/cli-bundle/berth.cjs', 'dist/cli-bundle/berth.cjs.cache', 'dist/cli-bundle/compose-schema.cjs']) {
      copyFileSync(path.join(repo, f), path.join(root, f));
    }
    const dir = path.join(work, 'schema');
    mkdirSync(dir);
    const berth = (...args: string[]) => run(process.execPath, ['--', path.join(root, 'bin/berth.js'), ...args], {}, dir);
    const cache = path.join(root, 'dist/cli-bundle/compose-schema.cjs.cache');

    // a command that does not validate leaves the validator unloaded, and writes no cache for it
    expect(berth('--version').status).toBe(0);
    expect(() => statSync(cache)).toThrow();

    writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  web:\n    image: busybox\n    bogus: 1\n');
    const bad = berth('config', '-q');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/bogus/);
    const written = statSync(cache);
    expect(written.size).toBeGreaterThan(10_000);

    // accepted now, and the validator still tells good from bad through it
    writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  web:\n    image: busybox\n');
    expect(berth('config', '-q').status).toBe(0);
    expect(statSync(cache).mtimeMs).toBe(written.mtimeMs);
    writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  web:\n    image: busybox\n    bogus: 1\n');
    expect(berth('config', '-q').stderr).toMatch(/bogus/);
  });

  it('writes all of a large output before it exits', () => {
    const dir = path.join(work, 'large');
    mkdirSync(dir);
    let yaml = 'services:\n';
    for (let i = 0; i < 400; i++) yaml += `  s${i}:\n    image: busybox\n    environment: { PAD: "${'x'.repeat(200)}" }\n`;
    writeFileSync(path.join(dir, 'compose.yaml'), yaml);
    const r = run(bin, ['config', '--format', 'json'], {}, dir);
    expect(r.status, r.stderr).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout).services)).toHaveLength(400);
  });
});
