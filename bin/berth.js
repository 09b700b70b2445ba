#!/usr/bin/env -S node --
// `node --`: Node 20 would otherwise take an --env-file meant for berth as its own option and exit.
// Thin launcher: the compiled, bundled CLI lives in dist/cli-bundle/ (npm run build).
import { main } from '../dist/cli-bundle/main.js';
main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(String(err?.stack ?? err) + '\n'); process.exitCode = 1; },
);
