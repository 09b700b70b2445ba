import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { lazyModule, loadDockerode } from '../../../src/engine/dockerode/load.js';

describe('loadDockerode', () => {
  it('loads dockerode without its BuildKit session and SSH stacks, which stay usable on demand', async () => {
    const Docker = await loadDockerode();
    expect(typeof Docker).toBe('function');
    const require = createRequire(import.meta.url);
    const loaded = Object.keys(require.cache);
    expect(loaded.some((p) => p.includes('/node_modules/dockerode/'))).toBe(true);
    expect(loaded.some((p) => p.includes('/node_modules/@grpc/grpc-js/'))).toBe(false);
    expect(loaded.some((p) => p.includes('/node_modules/ssh2/'))).toBe(false);
    // a client made with it works as dockerode's own (no engine call needed to build one)
    const docker = new Docker({ socketPath: '/tmp/berth-no-such.sock' });
    expect(typeof docker.listContainers).toBe('function');
  });

  it('a stand-in loads the real module on first use, and only once', () => {
    let loads = 0;
    class Client {
      constructor(readonly host: string) {}
    }
    const stub = lazyModule(() => {
      loads++;
      return { Client, version: '1.0', hello: (n: string) => `hi ${n}` };
    });
    const DeferredClient = stub.Client; // what `require('ssh2').Client` at a module's top does
    expect(loads).toBe(0);
    const c = new DeferredClient('h');
    expect(loads).toBe(1);
    expect(c).toBeInstanceOf(Client);
    expect(c.host).toBe('h');
    expect(stub.version).toBe('1.0');
    expect(stub.hello('x')).toBe('hi x');
    expect(loads).toBe(1);
  });
});
