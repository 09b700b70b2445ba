import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // In your project, `berth` is the installed package; inside berth's repository it resolves to the source.
  resolve: { alias: { berth: fileURLToPath(new URL('../../src/api/index.ts', import.meta.url)) } },
  test: {
    name: 'example',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    globalSetup: ['./global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    sequence: { groupOrder: 2 },
  },
});
