// Which of the bundle's modules a command evaluates (needs `npm run build`). A command the project cache
// answers must not evaluate the config loader or the YAML library, and `down` must not evaluate `up`'s
// modules: each costs start-up time on every run (docs/performance.md). The bundle is built here as the build
// makes it (scripts/cli-bundle-options.mjs) but with readable identifiers, since only then do esbuild's two
// module-initialiser helpers (__esm and __commonJS) carry each module's name; they are made to print it.
// Which modules are lazy does not depend on identifier minification: the module graph decides it.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
let work: string;
let engine: Server;
let socket: string;

const ESM = 'var __esm=(fn,res)=>function(){return fn&&';
const CJS = 'var __commonJS=(cb,mod)=>function(){return mod||';

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'berth-lazy-'));
  const root = path.join(work, 'install');
  mkdirSync(path.join(root, 'bin'), { recursive: true });
  mkdirSync(path.join(root, 'dist/cli-bundle'), { recursive: true });
  for (const f of ['bin/berth.js', 'bin/package.json', 'package.json', 'dist/cli-bundle/compose-schema.cjs']) writeFileSync(path.join(root, f), readFileSync(path.join(repo, f)));
  const { cliBundleOptions } = (await import(pathToFileURL(path.join(repo, 'scripts/cli-bundle-options.mjs')).href)) as {
    cliBundleOptions: (outfile: string, o: { minifyIdentifiers: boolean }) => BuildOptions;
  };
  const readable = path.join(work, 'readable.cjs');
  await build({ ...cliBundleOptions(readable, { minifyIdentifiers: false }), legalComments: 'none', metafile: false });
  const bundle = readFileSync(readable, 'utf8');
  // the test is only as good as its probe: both helpers must be found as written
  expect(bundle).toContain(ESM);
  expect(bundle).toContain(CJS);
  const probed = bundle
    .replace(ESM, 'var __esm=(fn,res)=>function(){if(fn)process.stderr.write("INIT "+__getOwnPropNames(fn)[0]+"\\n");return fn&&')
    .replace(CJS, 'var __commonJS=(cb,mod)=>function(){if(!mod)process.stderr.write("INIT "+__getOwnPropNames(cb)[0]+"\\n");return mod||');
  writeFileSync(path.join(root, 'dist/cli-bundle/berth.cjs'), probed);
  writeFileSync(path.join(work, 'compose.yaml'), 'services:\n  web:\n    image: busybox:local\n  db:\n    image: busybox:local\n');

  // a stand-in engine: an empty project, and the image exists
  socket = path.join(work, 'engine.sock');
  engine = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://engine').pathname.replace(/^\/v[\d.]+/, '');
    const json = (status: number, body: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    if (url === '/containers/json' || url === '/networks') return json(200, []);
    if (url === '/volumes') return json(200, { Volumes: [], Warnings: null });
    if (/^\/images\/.+\/json$/.test(url)) return json(200, { Id: `sha256:${'0'.repeat(64)}`, RepoTags: ['busybox:local'], Config: {} });
    return json(404, { message: `not found: ${url}` });
  });
  await new Promise<void>((resolve) => engine.listen(socket, resolve));
});
afterAll(async () => {
  await new Promise((resolve) => engine.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

/** The modules one run of the CLI evaluates. (Not spawnSync: the stand-in engine answers from this process.) */
function modules(args: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--', path.join(work, 'install/bin/berth.js'), ...args],
      { cwd: work, env: { PATH: process.env.PATH, HOME: process.env.HOME, BERTH_CACHE_DIR: path.join(work, 'cache'), BERTH_CODE_CACHE: 'off', DOCKER_HOST: `unix://${socket}` } },
      (err, _stdout, stderr) => {
        if (err) return reject(new Error(`${args.join(' ')}: ${err.message}\n${stderr}`));
        resolve(stderr.split('\n').filter((l) => l.startsWith('INIT ')).map((l) => l.slice(5)));
      },
    );
  });
}

const loader = (m: string) => m === 'dist/config/index.js' || m.startsWith('node_modules/yaml/');

describe('modules a command evaluates', () => {
  it('down: the loader only when the project cache has no answer; never up, attached mode, or chalk', async () => {
    const cold = await modules(['-p', 'lazy', '--progress', 'quiet', 'down']);
    expect(cold.filter(loader).length).toBeGreaterThan(10);
    // down forgets the project's cache entry: a warm down is one after another command (ps) loaded it
    expect((await modules(['-p', 'lazy', '--progress', 'quiet', 'down'])).filter(loader).length).toBeGreaterThan(10);
    await modules(['-p', 'lazy', 'ps']);
    const warm = await modules(['-p', 'lazy', '--progress', 'quiet', 'down']);
    expect(warm).toContain('dist/ops/down.js');
    expect(warm.filter(loader)).toEqual([]);
    for (const m of ['dist/ops/up.js', 'dist/ops/images.js', 'dist/api/runtime.js', 'dist/ops/attached.js', 'dist/api/stack.js']) expect(warm).not.toContain(m);
    expect(warm.filter((m) => m.startsWith('node_modules/chalk/'))).toEqual([]);
  });

  it('a no-op up (dry run) answered from the project cache: up, but not the loader', async () => {
    // (a dry run writes no entry: a ps, with the same load options, leaves the one the dry run reads)
    await modules(['-p', 'lazy-up', 'ps']);
    const warm = await modules(['-p', 'lazy-up', '--progress', 'quiet', 'up', '-d', '--dry-run']);
    expect(warm).toContain('dist/ops/up.js');
    expect(warm.filter(loader)).toEqual([]);
    expect(warm).not.toContain('dist/api/runtime.js');
  });
});
