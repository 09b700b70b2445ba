// The engine contract (test/contract/engine-contract.ts) against the in-memory fake; the e2e project runs the
// same cases against the real engine through the dockerode adapter.
import { createFakeEngine } from '../../../src/engine/fake/index.js';
import { engineContract } from '../../contract/engine-contract.js';

engineContract('in-memory fake', async () => ({
  engine: createFakeEngine({ images: ['busybox:local'] }),
  image: 'busybox:local',
  prefix: 'contract',
  runsProcesses: false,
  cleanup: async () => {},
}));
