import { defineConfig } from 'vitest/config';

// The multi-node swarm suite (`npm run test:cluster`): three dockerd nodes in network namespaces
// (scripts/swarm-cluster.sh up 3). Not part of `npm test`: it takes minutes and needs root.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
