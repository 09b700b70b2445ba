// Bundle the CLI into one CommonJS file, dist/cli-bundle/berth.cjs, and a V8 code cache for it
// (berth.cjs.cache). Start-up is most of a no-op command's time, and its parts are: Node's ESM loader on many
// modules (gone: one script), parsing and compiling ~1.5 MB of JavaScript (gone: bin/berth.js compiles the
// script with the code cache, which holds the bytecode of every function a training run compiled), and
// evaluating modules the command never uses (kept lazy: each command's module is imported dynamically, and
// the builtins below are loaded on first use). The API (dist/api/) stays unbundled ESM for library users.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'dist/cli-bundle');
const bundle = join(outdir, 'berth.cjs');

// Builtins that only some commands use, held in dependencies' top-level requires: commander's child_process
// (external subcommands, which berth has none of), docker-modem's https (TLS engines) and dockerode's zlib
// (compressed build contexts). Each costs 2–9 ms to load; the stand-in loads it on first property access.
// A stand-in is only correct where the module object is kept and used later, never destructured at load
// time: true of the three requires above (checked below, the build fails if that changes).
const DEFERRED_BUILTINS = ['child_process', 'https', 'zlib'];
const deferBuiltins = {
  name: 'defer-builtins',
  setup(b) {
    const filter = new RegExp(`^(node:)?(${DEFERRED_BUILTINS.join('|')})$`);
    // the stand-in's own require goes to the real builtin
    b.onResolve({ filter }, (args) => (args.namespace === 'deferred-builtin' ? undefined : { path: args.path.replace(/^node:/, ''), namespace: 'deferred-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'deferred-builtin' }, (args) => ({
      loader: 'js',
      contents: `let real;
const load = () => (real ??= require('node:${args.path}'));
module.exports = new Proxy({}, {
  get: (_t, p) => Reflect.get(load(), p),
  has: (_t, p) => Reflect.has(load(), p),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_t, p) => { const d = Reflect.getOwnPropertyDescriptor(load(), p); return d && { ...d, configurable: true }; },
});`,
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: [join(root, 'dist/cli/main.js')],
  outfile: bundle,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // import() of bundled modules becomes a lazy initialiser call; of builtins, a require: the script is run
  // through vm.Script, where a real import() has no loader to go to
  supported: { 'dynamic-import': false },
  // dockerode is bundled; what it loads only for BuildKit sessions and ssh:// stays outside, so the
  // deferral in src/engine/dockerode/load.ts still sees those requires; cpu-features is a native addon
  external: ['@grpc/grpc-js', '@grpc/proto-loader', 'ssh2', 'cpu-features', 'protobufjs'],
  // the compiled sources read files next to themselves (package.json) through import.meta.url
  define: { 'import.meta.url': '__berthBundleUrl' },
  banner: { js: "const __berthBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [deferBuiltins],
  // less to read and hash at every start; names are kept for stack traces
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

// The stand-ins must only be required where the module object is kept (see DEFERRED_BUILTINS); an import()
// loads at the point of use anyway.
const requirers = Object.entries(result.metafile.inputs)
  .filter(([path, input]) => !path.startsWith('deferred-builtin:') && input.imports.some((i) => i.path.startsWith('deferred-builtin:') && i.kind !== 'dynamic-import'))
  .map(([path]) => path);
const expected = ['node_modules/commander/lib/command.js', 'node_modules/docker-modem/lib/http.js', 'node_modules/dockerode/lib/util.js'];
const unexpected = requirers.filter((p) => !expected.some((e) => p.endsWith(e)));
if (unexpected.length) {
  throw new Error(`a deferred builtin (${DEFERRED_BUILTINS.join(', ')}) is now required by ${unexpected.join(', ')}: check that it keeps the module object, then add it to the list in scripts/bundle-cli.mjs`);
}

// Training run: one process loads a representative project through `config`, so the cache holds the
// loader's functions (YAML, interpolation, schema validation, canonical form) and the CLI's; functions
// first used by engine commands are compiled lazily as usual. bin/berth.js rewrites the cache itself when
// V8 rejects it (another Node version).
const dir = mkdtempSync(join(tmpdir(), 'berth-train-'));
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
  const r = spawnSync(process.execPath, ['--', join(root, 'bin/berth.js'), 'config', '--hash', '*'], {
    cwd: dir,
    env: { ...process.env, BERTH_CODE_CACHE: 'write' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`training run of the CLI bundle failed (${r.status}): ${r.stderr}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
