// The CLI imports the engine module on every run; dockerode (and its dependency tree) must only load when an
// engine call is actually made.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../src/model/errors.js';

const loadedDockerode = () =>
  Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/dockerode/'));

describe('src/engine/dockerode/index.ts', () => {
  it('does not load dockerode when imported or when an engine is created', async () => {
    const { createDockerEngine } = await import('../../../src/engine/dockerode/index.js');
    const engine = createDockerEngine({ host: 'unix:///tmp/berth-never.sock' });
    expect(engine.address).toBe('unix:///tmp/berth-never.sock');
    expect(loadedDockerode()).toEqual([]);
  });

  it('defers an invalid DOCKER_HOST to the first call, still without loading dockerode', async () => {
    const { createDockerEngine } = await import('../../../src/engine/dockerode/index.js');
    const engine = createDockerEngine({ host: 'bogus' });
    await expect(engine.version()).rejects.toMatchObject({ code: ErrorCodes.ENGINE_UNREACHABLE });
    expect(loadedDockerode()).toEqual([]);
  });
});
