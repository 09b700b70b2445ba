// Bundle the CLI into a few files (dist/cli-bundle/): starting Node's ESM loader on ~150 small modules costs
// more than the code itself, and the CLI must start fast. The API (dist/api/) stays unbundled for library
// users. dockerode is loaded on first engine use, with its heavy optional stacks deferred.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  outdir: 'dist/cli-bundle',
  bundle: true,
  splitting: true, // each command's lazily imported module stays lazy
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // dockerode is bundled; what it loads only for BuildKit sessions and ssh:// stays outside, so the
  // deferral in src/engine/dockerode/load.ts still sees those requires; cpu-features is a native addon
  external: ['@grpc/grpc-js', '@grpc/proto-loader', 'ssh2', 'cpu-features', 'protobufjs'],
  // CommonJS dependencies call require(); give the ESM bundle one
  banner: { js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'linked',
});
