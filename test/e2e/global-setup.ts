// The e2e project runs against a real Docker Engine. With CI set, a missing engine fails the run; elsewhere
// the e2e files skip with a one-line notice saying how to start one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createDockerEngine } from '../../src/engine/dockerode/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    engineAvailable: boolean;
  }
}

const inCI = (env: NodeJS.ProcessEnv) => !!env.CI && env.CI !== 'false' && env.CI !== '0';

export default async function setup(project: TestProject): Promise<() => void> {
  // the CLI's project cache goes to a directory of this run, removed at the end, not to ~/.cache
  const cacheDir = mkdtempSync(join(tmpdir(), 'berth-e2e-cache-'));
  process.env.BERTH_CACHE_DIR = cacheDir;
  let available = false;
  let why = '';
  try {
    await createDockerEngine().version();
    available = true;
  } catch (err) {
    why = err instanceof Error ? err.message : String(err);
  }
  if (!available && inCI(process.env)) {
    throw new Error(`e2e: no Docker engine answers (${why}); in CI the end-to-end tests must run. Start one with: bash scripts/ensure-engine.sh`);
  }
  if (!available) {
    process.stderr.write(`e2e: skipped, no Docker engine answers (${why}). Start one with: sudo bash scripts/ensure-engine.sh\n`);
  }
  project.provide('engineAvailable', available);
  return () => rmSync(cacheDir, { recursive: true, force: true });
}
