// The esbuild options of the CLI bundle (dist/cli-bundle/berth.cjs), apart from scripts/bundle-cli.mjs so that a test
// can build the same bundle with readable identifiers (test/unit/cli/lazy-modules.test.ts: with minified
// identifiers esbuild also drops the module names its lazy initialisers carry, which that test reads).
import { randomUUID } from 'node:crypto';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export const BUILDKIT_PROTOS = 'buildkit-protos.cjs';

// Builtins that only some commands use, held in dependencies' top-level requires: commander's child_process
// (external subcommands, which berth has none of), docker-modem's https (TLS engines) and dockerode's zlib
// (compressed build contexts). Each costs 2–9 ms to load; the stand-in loads it on first property access.
// A stand-in is only correct where the module object is kept and used later, never destructured at load
// time: true of the three requires listed below (checked: the build fails if a new one appears). berth's
// own code loads such builtins where it uses them (src/model/crypto.ts).
export const DEFERRED_BUILTINS = ['child_process', 'https', 'zlib'];
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

// The compose-spec validator is 650 KB of generated code, and only a load the project cache does not answer
// runs it: it is a file of its own (compose-schema.cjs), required on first use through this stand-in, with
// a code cache of its own (compose-schema.cjs.cache, written by the training run, which validates).
// Keeping it out of berth.cjs makes every start read 30 % less and deserialise 40 % less code cache.
const lazySchema = {
  name: 'lazy-schema',
  setup(b) {
    b.onResolve({ filter: /\/generated\/compose-schema\.js$/ }, () => ({ path: 'compose-schema', namespace: 'lazy-schema' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-schema' }, () => ({
      loader: 'js',
      contents: `let real;
function validate(data) {
  // through the launcher's code-cached loader when there is one (bin/berth.js), else a plain require
  const cached = globalThis[Symbol.for('berth.requireCached')];
  real ??= (cached ? cached('compose-schema.cjs') : require('./compose-schema.cjs')).default;
  const ok = real(data);
  validate.errors = real.errors;
  return ok;
}
// module.exports itself: validate.js is an ES module of a "type": "module" package, whose default import of
// CommonJS is module.exports (Node's rule, which esbuild follows)
module.exports = validate;`,
    }));
  },
};

// BuildKit's message types (src/engine/dockerode/buildkit/generated/protos-static.js, with protobufjs's minimal
// runtime): only a build loads them, so they are a file of their own too (buildkit-protos.cjs), with its
// own code cache (written below, by a run that encodes and decodes the messages a build exchanges). proto.ts
// imports the module dynamically; the stand-in is what that import evaluates.
const lazyProtos = {
  name: 'lazy-protos',
  setup(b) {
    b.onResolve({ filter: /\/generated\/protos-static\.js$/ }, () => ({ path: 'buildkit-protos', namespace: 'lazy-protos' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-protos' }, () => ({
      loader: 'js',
      contents: `const cached = globalThis[Symbol.for('berth.requireCached')];
// module.exports is the static root: proto.ts's import() takes it as the default export (as for the schema)
module.exports = (cached ? cached('${BUILDKIT_PROTOS}') : require('./${BUILDKIT_PROTOS}')).default;`,
    }));
  },
};

/** The main bundle's options; `minifyIdentifiers` is off only for the test's probe build. */
export function cliBundleOptions(outfile, { minifyIdentifiers = true, buildId = randomUUID(), entry = 'dist/cli/main.js' } = {}) {
  return {
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // import() of bundled modules becomes a lazy initialiser call; of builtins, a require: the script is run
    // through vm.Script, where a real import() has no loader to go to
    supported: { 'dynamic-import': false },
    // dockerode is bundled; what it loads only for BuildKit sessions and ssh:// stays outside, so the
    // deferral in src/engine/dockerode/load.ts still sees those requires; cpu-features is a native addon
    external: ['@grpc/grpc-js', '@grpc/proto-loader', 'ssh2', 'cpu-features', 'protobufjs', './compose-schema.cjs', `./${BUILDKIT_PROTOS}`],
    // the compiled sources read files next to themselves (package.json) through import.meta.url; the build id
    // tells the project cache (src/cli/global.ts) which entries this code made
    define: { 'import.meta.url': '__berthBundleUrl', __BERTH_BUILD__: JSON.stringify(buildId) },
    banner: { js: "const __berthBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [deferBuiltins, lazySchema, lazyProtos],
    // less to read, hash and deserialise at every start: identifiers minified too (1.31 -> 0.94 MB, code cache
    // -8 %; no-op `up` -2.1 ms, `version` -1.6 ms, 31 interleaved rounds, docs/performance.md). Stack frames
    // under BERTH_DEBUG then show minified function names; error classes name themselves (model/errors.ts).
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',

  };
}

// The fast attempt at `up` (src/cli/fast-up.ts): a second bundle, berth-up.cjs, of the same sources, whose
// entry runs main() against an engine that refuses writes. What a no-op `up -d` never reaches is
// left out of it: every module imported with import() except those listed here (paths under dist/) becomes a
// stand-in that records its name and throws when used, and the attempt is given up (the full CLI runs the
// command). A module missing from this list costs speed, never behaviour: the attempt then declines every
// time, which the build's training and test/e2e/fast-up.test.ts would show (both check that a no-op up is
// answered by the attempt).
export const FAST_UP_BUNDLE = 'berth-up.cjs';
export const FAST_UP_MODULES = [
  'cli/commands/up.js',
  'ops/up.js',
  'ui/progress.js',
  'ui/color.js',
  // an error the attempt meets without a write or a left-out module is the command's own (an engine that does
  // not answer): reported by the attempt, not met a second time
  'ui/errors.js',
  'engine/dockerode/index.js',
  'engine/dockerode/docker-context.js',
  'api/project-cache.js',
];
/** Packages imported with import() that a no-op `up` reaches. */
export const FAST_UP_PACKAGES = ['std-env'];
const leftOut = {
  name: 'fast-up-left-out',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import' || args.namespace !== 'file' || args.path.startsWith('node:')) return undefined;
      const bare = !args.path.startsWith('.') && !args.path.startsWith('/');
      const name = bare ? args.path : relative(join(root, 'dist'), resolve(args.resolveDir, args.path));
      if ((bare ? FAST_UP_PACKAGES : FAST_UP_MODULES).includes(name)) return undefined;
      return { path: name, namespace: 'fast-up-left-out' };
    });
    // a Proxy: esbuild's interop reads the module's keys when import() resolves, which is where the attempt
    // stops; `__esModule` and `then` are asked for first, by the interop and by promise resolution
    b.onLoad({ filter: /.*/, namespace: 'fast-up-left-out' }, (args) => ({
      loader: 'js',
      contents: `const leftOut = () => {
  globalThis[Symbol.for('berth.declined')] ??= ${JSON.stringify(args.path)};
  throw new Error(${JSON.stringify(`${args.path} is not in ${FAST_UP_BUNDLE}`)});
};
module.exports = new Proxy({}, {
  get: (_t, p) => (p === '__esModule' || p === 'then' || typeof p === 'symbol' ? undefined : leftOut()),
  has: leftOut,
  ownKeys: leftOut,
  getOwnPropertyDescriptor: leftOut,
});`,
    }));
  },
};

/** The fast attempt's bundle: the main bundle's options, its entry fast-up.js, and the left-out modules as stand-ins. */
export function fastUpBundleOptions(outfile, { buildId }) {
  const options = cliBundleOptions(outfile, { buildId, entry: 'dist/cli/fast-up.js' });
  return { ...options, plugins: [leftOut, ...options.plugins] };
}
