import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// The example suite needs an engine like e2e does; in CI a missing engine already fails the e2e setup.
const engineLikely = !!process.env.CI || !!process.env.DOCKER_HOST || existsSync('/var/run/docker.sock');

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['test/helpers/temp-root.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          setupFiles: ['test/helpers/temp-root.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // the engine is shared; files run in parallel but each uses unique project names
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      ...(engineLikely ? ['examples/vitest-global-setup/vitest.config.ts'] : []),
    ],
  },
});
