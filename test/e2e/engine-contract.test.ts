// The engine contract (test/contract/engine-contract.ts) against the real engine through the dockerode
// adapter; the unit project runs the same cases against the in-memory fake. Everything is named after and
// labelled with a unique project, removed in afterAll also when a case failed half-way.
import { createDockerEngine } from '../../src/engine/dockerode/index.js';
import { cleanup, describeEngine, uniqueProject } from '../helpers/e2e.js';
import { engineContract } from '../contract/engine-contract.js';

engineContract(
  'dockerode adapter, real engine',
  async () => {
    const prefix = uniqueProject('contract');
    const engine = createDockerEngine();
    return {
      engine,
      image: 'busybox:local',
      prefix,
      runsProcesses: true,
      cleanup: async () => {
        await cleanup(prefix);
        for (const ref of [`${prefix}-img:contract`, `${prefix}-build:1`, `${prefix}-commit:1`, `127.0.0.1:5000/${prefix}-push:1`]) {
          await engine.removeImage(ref, { force: true }).catch(() => undefined);
        }
      },
    };
  },
  describeEngine,
);
