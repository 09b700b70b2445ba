// Bundle the CLI into a few files (dist/cli-bundle/): starting Node's ESM loader on ~150 small modules costs
// more than the code itself, and the CLI must start fast. The API (dist/api/) stays unbundled for library
// users. dockerode stays external: it is loaded on first engine use with its heavy optional stacks deferred.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  outdir: 'dist/cli-bundle',
  bundle: true,
  splitting: true, // each command's lazily imported module stays lazy
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['dockerode'],
  // CommonJS dependencies call require(); give the ESM bundle one
  banner: { js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'linked',
});
