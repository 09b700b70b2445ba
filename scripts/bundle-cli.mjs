// Bundle the CLI into one CommonJS file, dist/cli-bundle/berth.cjs, and a V8 code cache for it
// (berth.cjs.cache). Start-up is most of a no-op command's time, and its parts are: Node's ESM loader on many
// modules (gone: one script), parsing and compiling ~1.5 MB of JavaScript (gone: bin/berth.js compiles the
// script with the code cache, which holds the bytecode of every function a training run compiled), and
// evaluating modules the command never uses (kept lazy: each command's module is imported dynamically, and
// the builtins DEFERRED_BUILTINS lists are loaded on first use). The API (dist/api/) stays unbundled ESM for
// library users. esbuild's options for the bundle, and its plugins, are in cli-bundle-options.mjs.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect as http2Connect, createServer as createHttp2Server } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { BUILDKIT_PROTOS, cliBundleOptions, DEFERRED_BUILTINS, FAST_UP_BUNDLE, fastUpBundleOptions } from './cli-bundle-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'dist/cli-bundle');
const bundle = join(outdir, 'berth.cjs');

rmSync(outdir, { recursive: true, force: true });

// The dashboard's page (src/dashboard/web/): one JS and one CSS asset, shipped in dist/ (package.json "files"),
// served by `berth dashboard` from dist/dashboard-assets/; no runtime CDN.
const dashboardAssets = join(root, 'dist/dashboard-assets');
rmSync(dashboardAssets, { recursive: true, force: true });
await build({
  entryPoints: { app: join(root, 'src/dashboard/web/app.ts') },
  outdir: dashboardAssets,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  logLevel: 'warning',
});
await build({
  entryPoints: { app: join(root, 'src/dashboard/web/app.css') },
  outdir: dashboardAssets,
  bundle: true,
  minify: true,
  logLevel: 'warning',
});
await build({
  entryPoints: [join(root, 'dist/config/generated/compose-schema.js')],
  outfile: join(outdir, 'compose-schema.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
await build({
  entryPoints: [join(root, 'dist/engine/dockerode/buildkit/generated/protos-static.js')],
  outfile: join(outdir, BUILDKIT_PROTOS),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
// one build id for both bundles: project-cache entries made by either are the other's too
const buildId = randomUUID();
const result = await build(cliBundleOptions(bundle, { buildId }));
await build(fastUpBundleOptions(join(outdir, FAST_UP_BUNDLE), { buildId }));

// Pure ASCII, every file bin/berth.js loads: it reads them as latin1, a plain byte copy into a one-byte string,
// which for ASCII is the same text as UTF-8 decoding gives, only cheaper. One non-ASCII character (a literal µ
// in a regular expression, which esbuild does not escape) would be read wrongly. Write such characters as \u
// escapes in the sources.
for (const file of [bundle, join(outdir, FAST_UP_BUNDLE), join(outdir, 'compose-schema.cjs'), join(outdir, BUILDKIT_PROTOS)]) {
  const text = readFileSync(file, 'utf8');
  // eslint-disable-next-line no-control-regex -- the range starts at NUL on purpose
  const nonAscii = /[^\x00-\x7f]/.exec(text);
  if (nonAscii) throw new Error(`${file} holds a non-ASCII character (${JSON.stringify(text.slice(Math.max(0, nonAscii.index - 40), nonAscii.index + 20))}): write it as a \\u escape in the source`);
}

// The stand-ins must only be required where the module object is kept (DEFERRED_BUILTINS, in cli-bundle-options.mjs); an import()
// loads at the point of use anyway.
const requirers = Object.entries(result.metafile.inputs)
  .filter(([path, input]) => !path.startsWith('deferred-builtin:') && input.imports.some((i) => i.path.startsWith('deferred-builtin:') && i.kind === 'require-call'))
  .map(([path]) => path);
const expected = ['node_modules/commander/lib/command.js', 'node_modules/docker-modem/lib/http.js', 'node_modules/dockerode/lib/util.js'];
const unexpected = requirers.filter((p) => !expected.some((e) => p.endsWith(e)));
if (unexpected.length) {
  throw new Error(`a deferred builtin (${DEFERRED_BUILTINS.join(', ')}) is now required by ${unexpected.join(', ')}: check that it keeps the module object, then add it to the list in scripts/cli-bundle-options.mjs`);
}

// Training run: one process does what the commands run most often do, so that the cache holds their
// functions: `up --dry-run` of a representative project loads it (YAML, interpolation, schema validation,
// canonical form, the project cache), observes the engine over Node's http, reconciles and prints the plan.
// The engine is a stand-in answering those few reads on a socket of its own: the build needs no Docker.
// Then, in processes of their own that add to the cache (BERTH_CODE_CACHE=add), `ps` and `down` of the
// project as if it were running: without them their functions (ps's Go-template table, down's plan and
// removals) were compiled from source at every run; with them, 3.2 ms less CPU per `ps` (27 of 31 paired
// runs), and no change for a no-op `up` (the cache grows by ~60 KB; docs/performance.md, issue 19).
// Functions first used by other commands are compiled lazily as usual; bin/berth.js rewrites the cache
// itself when V8 rejects it (another Node version).
const dir = mkdtempSync(join(tmpdir(), 'berth-train-'));
/** Whether the stand-in answers as if the project's containers were running (ps, the no-op up, down). */
let running = false;
/** service -> config hash (`config --hash`), on the running containers: the no-op up finds them up to date. */
let hashes = {};
const trainContainer = (service, i) => ({
  Id: `${String(i).repeat(12)}${'0'.repeat(52)}`,
  Names: [`/train-${service}-1`],
  Image: 'busybox:local',
  ImageID: `sha256:${'0'.repeat(64)}`,
  Command: 'sh -c \'echo hello\'',
  Created: 1700000000,
  State: 'running',
  Status: 'Up 5 minutes',
  Ports: service === 'web' ? [{ IP: '127.0.0.1', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }] : [],
  Labels: {
    'com.docker.compose.project': 'train',
    'com.docker.compose.service': service,
    'com.docker.compose.container-number': '1',
    'com.docker.compose.oneoff': 'False',
    ...(hashes[service] ? { 'com.docker.compose.config-hash': hashes[service] } : {}),
  },
  NetworkSettings: { Networks: { train_back: {} } },
  Mounts: [],
});
const engine = createServer((req, res) => {
  const path = new URL(req.url, 'http://engine').pathname;
  const json = (status, body) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (path === '/containers/json') return json(200, running ? ['web', 'db'].map(trainContainer) : []);
  if (path === '/networks') {
    const net = (key, i) => ({ Id: String(i).repeat(64), Name: `train_${key}`, Driver: 'bridge', Labels: { 'com.docker.compose.project': 'train', 'com.docker.compose.network': key } });
    return json(200, running ? [net('back', 1), net('front', 2)] : []);
  }
  // down's stops and removals
  if (running && (req.method === 'DELETE' || /\/(stop|kill)$/.test(path))) return res.writeHead(204).end();
  if (path === '/volumes') {
    const data = { Name: 'train_data', Driver: 'local', Labels: { 'com.docker.compose.project': 'train', 'com.docker.compose.volume': 'data' } };
    return json(200, { Volumes: running ? [data] : [], Warnings: null });
  }
  if (path === '/build' && req.method === 'POST') return trainBuild(req, res);
  const image = /^\/images\/(.+)\/json$/.exec(path);
  if (image) return json(200, { Id: `sha256:${'0'.repeat(64)}`, RepoTags: [decodeURIComponent(image[1])], Config: {} });
  return json(404, { message: `not found: ${path}` });
});
// The build's training (its own cache, berth.cjs.build.cache, see bin/berth.js): the stand-in plays the engine's
// builder far enough for berth's BuildKit path to run as in a real build: the session's upgrade, on which it
// is the HTTP/2 client and asks the file sync for the Dockerfile, the .dockerignore and the context (every
// file's data, then FIN), and the control API's Solve and Status (or the build route's NDJSON answer) with
// progress messages and the image id.
const { default: protos } = await import(pathToFileURL(join(root, 'dist/engine/dockerode/buildkit/generated/protos-static.js')).href);
const { Packet } = protos.fsutil.types;
const { StatusResponse } = protos.moby.buildkit.v1;
let sessionDone;
const sessionFinished = new Promise((resolve, reject) => (sessionDone = { resolve, reject }));
const grpcFrame = (m) => Buffer.concat([Buffer.from([0, m.length >>> 24, (m.length >>> 16) & 255, (m.length >>> 8) & 255, m.length & 255]), m]);
/** One DiffCopy as BuildKit's receiver makes it: every regular file requested, then FIN. */
async function trainDiffCopy(client, dirName, followpaths) {
  const call = client.request({ ':method': 'POST', ':path': '/moby.filesync.v1.FileSync/DiffCopy', 'content-type': 'application/grpc', te: 'trailers', 'dir-name': dirName, followpaths });
  const send = (p) => call.write(grpcFrame(Packet.encode(Packet.fromObject(p)).finish()));
  let pending = Buffer.alloc(0);
  let next = 0;
  const files = [];
  let waiting = 0;
  await new Promise((resolve, reject) => {
    call.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5 && pending.length >= 5 + pending.readUInt32BE(1)) {
        const p = Packet.decode(pending.subarray(5, 5 + pending.readUInt32BE(1)));
        pending = pending.subarray(5 + pending.readUInt32BE(1));
        if (p.type === 0 && p.stat) {
          // a regular file: no Go mode type bit (named pipe and above)
          const id = next++;
          if (p.stat.mode < 2 ** 25) files.push(id);
        } else if (p.type === 0) {
          for (const ID of files) send({ type: 1, ID });
          waiting = files.length;
          if (!waiting) send({ type: 3 });
        } else if (p.type === 2 && !p.data?.length) {
          if (--waiting === 0) send({ type: 3 });
        } else if (p.type === 3) call.end();
        else if (p.type === 4) reject(new Error(`file sync training: ${Buffer.from(p.data).toString()}`));
      }
    });
    call.on('error', reject);
    call.on('close', resolve);
  });
}
function trainSession(socket) {
  socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n');
  const client = http2Connect('http://engine', { createConnection: () => socket });
  client.on('error', (err) => sessionDone.reject(err));
  (async () => {
    await trainDiffCopy(client, 'dockerfile', ['Dockerfile', 'Dockerfile.dockerignore', 'dockerfile']);
    await trainDiffCopy(client, 'context', ['.dockerignore']);
    await trainDiffCopy(client, 'context', ['src', 'Dockerfile']);
    client.close();
  })().then(sessionDone.resolve, sessionDone.reject);
}
const trainSteps = ['[internal] load build definition from Dockerfile', '[internal] load .dockerignore', '[internal] load build context', '[1/2] FROM docker.io/library/busybox:local', '[2/2] RUN echo trained', 'exporting to image'];
const trainAt = (ms) => ({ seconds: 1700000000 + Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
/** The progress of the trained build, as StatusResponse objects (the build route's traces, Control.Status's messages). */
function trainStatuses() {
  const out = [];
  trainSteps.forEach((name, i) => {
    const digest = `sha256:${String(i).repeat(64)}`;
    out.push({ vertexes: [{ digest, name, started: trainAt(i * 10) }] });
    out.push({ statuses: [{ ID: `transferring ${i}:`, vertex: digest, name: 'transferring', current: 1024 * i, total: 4096, timestamp: trainAt(i * 10 + 2), started: trainAt(i * 10) }] });
    if (i === 4) out.push({ logs: [{ vertex: digest, stream: 1, msg: Buffer.from('trained\n'), timestamp: trainAt(i * 10 + 3) }] });
    out.push({ vertexes: [{ digest, name, started: trainAt(i * 10), completed: trainAt(i * 10 + 5), cached: i === 3 }] });
  });
  return out;
}
/** The build route (`/build?version=2`, berth's path for host-gateway extra hosts): NDJSON traces, then the image id. */
async function trainBuild(req, res) {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  try {
    await sessionFinished;
    for (const status of trainStatuses()) res.write(`${JSON.stringify({ id: 'moby.buildkit.trace', aux: Buffer.from(StatusResponse.encode(StatusResponse.fromObject(status)).finish()).toString('base64') })}\n`);
    res.end(`${JSON.stringify({ id: 'moby.image.id', aux: { ID: `sha256:${'2'.repeat(64)}` } })}\n`);
  } catch (err) {
    res.end(`${JSON.stringify({ errorDetail: { message: String(err) }, error: String(err) })}\n`);
  }
}
/**
 * The control API (`POST /grpc`, berth's default build path): Control.Status streams the progress once the
 * session's file sync is done, Control.Solve answers with the exporter's image digest after it.
 */
function trainControl(socket) {
  socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n');
  const { SolveResponse } = protos.moby.buildkit.v1;
  let statusSent;
  const statusDone = new Promise((resolve) => (statusSent = resolve));
  const server = createHttp2Server();
  server.on('stream', (stream, headers) => {
    const reply = async (messages) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      for (const m of messages) stream.write(grpcFrame(m));
      stream.end();
    };
    const fail = (err) => {
      if (!stream.headersSent) stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '2', 'grpc-message': encodeURIComponent(String(err)) }, { endStream: true });
    };
    stream.resume();
    const path = headers[':path'];
    if (path === '/moby.buildkit.v1.Control/Status') {
      sessionFinished
        .then(() => reply(trainStatuses().map((st) => StatusResponse.encode(StatusResponse.fromObject(st)).finish())))
        .then(statusSent, (err) => (fail(err), statusSent()));
    } else if (path === '/moby.buildkit.v1.Control/Solve') {
      Promise.all([sessionFinished, statusDone])
        .then(() => reply([SolveResponse.encode(SolveResponse.fromObject({ ExporterResponse: { 'containerimage.digest': `sha256:${'2'.repeat(64)}` } })).finish()]))
        .catch(fail);
    } else stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' }, { endStream: true });
  });
  server.emit('connection', socket);
}
engine.on('upgrade', (req, socket) => {
  const upgrade = new URL(req.url, 'http://engine').pathname;
  if (upgrade === '/session') trainSession(socket);
  else if (upgrade === '/grpc') trainControl(socket);
  else socket.destroy();
});

try {
  writeFileSync(
    join(dir, 'compose.yaml'),
    `name: train
services:
  web:
    image: busybox:local
    command: ["sh", "-c", "echo \${GREETING:-hello}"]
    ports: ["127.0.0.1:8080:80"]
    environment: { A: "1" }
    volumes: [data:/data, ./src:/src:ro]
    depends_on: { db: { condition: service_healthy } }
    networks: { front: { aliases: [w] }, back: {} }
  db:
    image: busybox:local
    healthcheck: { test: ["CMD", "true"], interval: 1s }
    networks: [back]
volumes: { data: {} }
networks: { front: {}, back: {} }
`,
  );
  const socket = join(dir, 'engine.sock');
  await new Promise((resolve, reject) => engine.once('error', reject).listen(socket, resolve));
  const train = async (mode, args, cwd = dir, env = {}) => {
    const child = spawn(process.execPath, ['--', join(root, 'bin/berth.js'), ...args], {
      cwd,
      env: { ...process.env, ...env, BERTH_CODE_CACHE: mode, BERTH_CACHE_DIR: join(dir, 'cache'), DOCKER_HOST: `unix://${socket}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const status = await new Promise((resolve) => child.on('close', resolve));
    if (status !== 0) throw new Error(`training run of the CLI bundle failed (${args.join(' ')}: ${status}): ${stderr}`);
    return { stdout, stderr };
  };
  // (not a training run: it only tells the stand-in the hashes its running containers carry)
  hashes = Object.fromEntries((await train('off', ['config', '--hash', '*'])).stdout.trim().split('\n').map((line) => line.split(' ')));
  await train('write', ['--progress', 'quiet', '--dry-run', 'up']);
  running = true;
  await train('add', ['ps']);
  // the most repeated command of all: `up -d` of a project that is up to date (-p: the lists leave before the
  // load), under the lock, with nothing to do; it compiled its lock, image and execution functions from
  // source at every run before (main-thread CPU -0.6 ms, 18 of 30 pairs; docs/performance.md, issue 19)
  // It runs through the fast attempt's bundle (berth-up.cjs, src/cli/fast-up.ts): twice, since the first finds
  // no project-cache entry under -p (the attempt gives up there and the full bundle loads the project), and
  // the second is answered by the attempt, which the build checks: a module the no-op path needs but
  // FAST_UP_MODULES leaves out would make every no-op `up` pay for both bundles.
  const traced = { BERTH_STARTUP_TRACE: '1' };
  await train('add', ['-p', 'train', '--progress', 'quiet', 'up', '-d'], dir, traced);
  const noop = await train('add', ['-p', 'train', '--progress', 'quiet', 'up', '-d'], dir, traced);
  if (!noop.stderr.includes('fast up answered')) {
    throw new Error(`the fast attempt did not answer the training's no-op up (${/fast up declined: .*/.exec(noop.stderr)?.[0] ?? 'not tried'}): see FAST_UP_MODULES in scripts/cli-bundle-options.mjs`);
  }
  await train('add', ['--progress', 'quiet', 'down', '-t', '1']);
  // last, so that the build's cache holds everything the others' does
  const project = join(dir, 'build');
  mkdirSync(join(project, 'src', 'lib'), { recursive: true });
  writeFileSync(join(project, 'Dockerfile'), 'FROM busybox:local\nCOPY src/ /src/\nRUN echo trained\n');
  writeFileSync(join(project, '.dockerignore'), '*.log\n');
  for (const f of ['src/a.js', 'src/lib/b.js', 'src/lib/c.txt']) writeFileSync(join(project, f), `// ${f}\n`.repeat(100));
  writeFileSync(join(project, 'compose.yaml'), 'name: train-build\nservices:\n  app:\n    build: .\n');
  await train('add', ['--progress', 'plain', 'build'], project);
  await sessionFinished;
} finally {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
}

// The message types' code cache: compiled exactly as bin/berth.js compiles the file (latin1, Module.wrap, its
// V8 flags), then the session services' and progress types are round-tripped (fromObject, encode, decode,
// toObject) empty and, for the messages of every build (file-sync packets, progress), filled, so that the
// cache holds the functions a build runs; functions it does not hold are compiled lazily as usual. (The
// build's training above also wrote a cache for this file; this one, written last, covers more types.)
{
  const file = join(outdir, BUILDKIT_PROTOS);
  const trainer = `'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { Script } = require('node:vm');
const Module = require('node:module');
const { dirname } = require('node:path');
const file = ${JSON.stringify(file)};
const script = new Script(Module.wrap(readFileSync(file, 'latin1')), { filename: file });
const mod = { exports: {} };
script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
const root = mod.exports.default;
const types = [];
const visit = (ns) => { for (const v of Object.values(ns)) if (typeof v === 'function' && typeof v.decode === 'function') { types.push(v); visit(v); } else if (v && typeof v === 'object' && v.constructor === Object) visit(v); };
// the session services' and the progress messages; LLB's (pb) are encoded once per build at most
visit(root.moby);
visit(root.fsutil);
if (types.length < 10) throw new Error('found ' + types.length + ' message types');
const trip = (T, o) => T.toObject(T.decode(T.encode(T.fromObject(o)).finish()), { defaults: true, arrays: true, longs: Number, enums: Number });
for (const T of types) { trip(T, {}); T.toObject(T.decode(T.encode(T.create()).finish())); }
const long = { low: 1, high: 1, unsigned: false };
const Packet = root.fsutil.types.Packet;
for (const p of [{ type: 0, stat: { path: 'a/b', mode: 2147484141, uid: 0, gid: 0, size: long, modTime: long, linkname: 'x', devmajor: long, devminor: long, xattrs: { k: Buffer.from('v') } } }, { type: 1, ID: 7 }, { type: 2, ID: 300, data: Buffer.alloc(200) }, { type: 3 }, { type: 4, data: Buffer.from('e') }]) {
  trip(Packet, p);
  Packet.toObject(Packet.decode(Packet.encode(Packet.fromObject(p)).finish()), { enums: Number });
}
const ts = { seconds: long, nanos: 5 };
const status = { vertexes: [{ digest: 'sha256:1', inputs: ['sha256:0'], name: '[1/2] RUN x', cached: true, started: ts, completed: ts, error: 'e' }], statuses: [{ ID: 'i', vertex: 'sha256:1', name: 'n', current: long, total: long, timestamp: ts, started: ts, completed: ts }], logs: [{ vertex: 'sha256:1', timestamp: ts, stream: 1, msg: Buffer.from('log') }], warnings: [{ vertex: 'sha256:1', level: 1, short: Buffer.from('w'), detail: [Buffer.from('d')], url: 'u' }] };
const StatusResponse = root.moby.buildkit.v1.StatusResponse;
trip(StatusResponse, status);
StatusResponse.toObject(StatusResponse.decode(StatusResponse.encode(StatusResponse.fromObject(status)).finish()), { defaults: false, arrays: true });
writeFileSync(file + '.cache', script.createCachedData());
`;
  // bin/berth.js's V8 flags (its shebang): a cache made under other flags would be rejected
  const child = spawn(process.execPath, ['--no-memory-reducer', '-e', trainer], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const status = await new Promise((resolve) => child.on('close', resolve));
  if (status !== 0) throw new Error(`training run of ${BUILDKIT_PROTOS} failed (${status}): ${stderr}`);
}
