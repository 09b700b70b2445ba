// A service name the project does not define is refused where the API receives it, by every function that
// takes service names, with one error class and before anything is asked of the engine.
import { describe, expect, it } from 'vitest';
import * as api from '../../../src/api/index.js';
import { loadProjectSync } from '../../../src/config/index.js';
import { createFakeEngine } from '../../../src/engine/fake/index.js';
import { ErrorCodes, NoSuchServiceError } from '../../../src/model/errors.js';

const project = loadProjectSync({
  cwd: '/nowhere',
  env: {},
  projectName: 'p',
  configFiles: [{ name: '/nowhere/compose.yaml', content: 'services:\n  web:\n    image: busybox:local\n  job:\n    image: busybox:local\n    profiles: [jobs]\n' }],
});

const calls: [string, (engine: ReturnType<typeof createFakeEngine>) => Promise<unknown>][] = [
  ['up', (engine) => api.up({ project, engine, services: ['nope'] })],
  ['upAttached (attach)', (engine) => api.upAttached({ project, engine, attach: ['nope'], onLog: () => undefined })],
  ['create', (engine) => api.create({ project, engine, services: ['nope'] })],
  ['down', (engine) => api.down({ project, engine, services: ['nope'] })],
  ['build', (engine) => api.build({ project, engine, services: ['nope'] })],
  ['pull', (engine) => api.pull({ project, engine, services: ['nope'] })],
  ['push', (engine) => api.push({ project, engine, services: ['nope'] })],
  ['start', (engine) => api.start({ project, engine, services: ['nope'] })],
  ['stop', (engine) => api.stop({ project, engine, services: ['nope'] })],
  ['restart', (engine) => api.restart({ project, engine, services: ['nope'] })],
  ['kill', (engine) => api.kill({ project, engine, services: ['nope'] })],
  ['pause', (engine) => api.pause({ project, engine, services: ['nope'] })],
  ['unpause', (engine) => api.unpause({ project, engine, services: ['nope'] })],
  ['rm', (engine) => api.rm({ project, engine, services: ['nope'] })],
  ['wait', (engine) => api.wait({ project, engine, services: ['nope'] })],
  ['logs', (engine) => api.logs({ project, engine, services: ['nope'], onLog: () => undefined })],
  ['exec', (engine) => api.exec({ project, engine, service: 'nope', cmd: ['true'] })],
  ['run', (engine) => api.run({ project, engine, service: 'nope', cmd: ['true'] })],
  ['top', (engine) => api.top({ project, engine, services: ['nope'] })],
];

describe('no such service, at the API boundary', () => {
  it.each(calls)('%s', async (_name, call) => {
    const engine = createFakeEngine({ images: ['busybox:local'] });
    const err = await call(engine).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NoSuchServiceError);
    expect(err).toMatchObject({ code: ErrorCodes.NO_SUCH_SERVICE, message: 'no such service: nope', service: 'nope' });
    expect(engine.methodsCalled.filter((m) => !/^(list|inspect|version|info)/.test(m))).toEqual([]);
  });

  it('a service of a disabled profile is no error for down (its containers may remain), and is one for stop', async () => {
    const engine = createFakeEngine({ images: ['busybox:local'] });
    await expect(api.down({ project, engine, services: ['job'] })).resolves.toBeDefined();
    await expect(api.stop({ project, engine, services: ['job'] })).rejects.toBeInstanceOf(NoSuchServiceError);
  });
});
