// Engine selection by the docker CLI's rules, against a context store written here the way
// `docker context create` writes it (the e2e test uses the real docker CLI to write one).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextDirName, contextName, resolveEngine } from '../../../src/engine/dockerode/docker-context.js';
import { EngineError, ErrorCodes } from '../../../src/model/errors.js';

let config: string;

function addContext(name: string, host: string, tls: Record<string, string> = {}, skip = false): void {
  const id = contextDirName(name);
  mkdirSync(join(config, 'contexts/meta', id), { recursive: true });
  writeFileSync(join(config, 'contexts/meta', id, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: skip } } }));
  if (Object.keys(tls).length) {
    mkdirSync(join(config, 'contexts/tls', id, 'docker'), { recursive: true });
    for (const [f, body] of Object.entries(tls)) writeFileSync(join(config, 'contexts/tls', id, 'docker', f), body);
  }
}

beforeAll(() => {
  config = mkdtempSync(join(tmpdir(), 'berth-ctx-'));
  addContext('remote', 'tcp://10.0.0.9:2376', { 'ca.pem': 'CA', 'cert.pem': 'C', 'key.pem': 'K' });
  addContext('plain', 'tcp://10.0.0.8:2375');
  addContext('insecure', 'tcp://10.0.0.7:2376', {}, true);
  addContext('sock', 'unix:///run/other.sock');
});
afterAll(() => rmSync(config, { recursive: true, force: true }));

describe('contextName: the docker CLI precedence', () => {
  it('--context, then -H or DOCKER_HOST (the default context), then DOCKER_CONTEXT, then currentContext', () => {
    const env = { DOCKER_CONFIG: config };
    writeFileSync(join(config, 'config.json'), JSON.stringify({ currentContext: 'sock' }));
    try {
      expect(contextName({ context: 'remote', host: 'unix:///x' }, { ...env, DOCKER_HOST: 'tcp://h:1', DOCKER_CONTEXT: 'plain' })).toBe('remote');
      expect(contextName({ host: 'unix:///x' }, { ...env, DOCKER_CONTEXT: 'plain' })).toBe('default');
      expect(contextName({}, { ...env, DOCKER_HOST: 'tcp://h:1', DOCKER_CONTEXT: 'plain' })).toBe('default');
      expect(contextName({}, { ...env, DOCKER_CONTEXT: 'plain' })).toBe('plain');
      expect(contextName({}, env)).toBe('sock');
    } finally {
      rmSync(join(config, 'config.json'));
    }
    expect(contextName({}, env)).toBe('default');
    writeFileSync(join(config, 'config.json'), '{not json');
    try {
      // the docker CLI warns about a broken config.json and goes on with the default context
      expect(contextName({}, env)).toBe('default');
    } finally {
      rmSync(join(config, 'config.json'));
    }
  });

  it('stores a context under the sha256 of its name', () => {
    expect(contextDirName('nope')).toBe('ca3704aa0b06f5954c79ee837faa152d84d6b2d42838f0637a15eda8337dbdce');
  });
});

describe('resolveEngine', () => {
  // read when each test runs: the store is made in beforeAll
  let env: { DOCKER_CONFIG: string };
  beforeAll(() => {
    env = { DOCKER_CONFIG: config };
  });
  it('reads a context with TLS material from the store', () => {
    const id = contextDirName('remote');
    expect(resolveEngine({ context: 'remote' }, { DOCKER_CONFIG: config, DOCKER_CERT_PATH: '/elsewhere' }, 'linux').connection).toEqual({
      kind: 'tcp',
      protocol: 'https',
      host: '10.0.0.9',
      port: 2376,
      tls: {
        ca: join(config, 'contexts/tls', id, 'docker/ca.pem'),
        cert: join(config, 'contexts/tls', id, 'docker/cert.pem'),
        key: join(config, 'contexts/tls', id, 'docker/key.pem'),
        verify: true,
      },
      display: 'tcp://10.0.0.9:2376',
    });
  });

  it('ignores the TLS variables for a context, which has its own', () => {
    expect(resolveEngine({}, { ...env, DOCKER_CONTEXT: 'plain', DOCKER_TLS_VERIFY: '1' }, 'linux').connection).toEqual({
      kind: 'tcp',
      protocol: 'http',
      host: '10.0.0.8',
      port: 2375,
      display: 'tcp://10.0.0.8:2375',
    });
    expect(resolveEngine({ context: 'insecure' }, env, 'linux').connection).toMatchObject({ protocol: 'https', tls: { verify: false } });
    expect(resolveEngine({ context: 'sock' }, env, 'linux').connection).toMatchObject({ kind: 'unix', socketPath: '/run/other.sock' });
  });

  it('"default" is the engine of -H, DOCKER_HOST or the socket', () => {
    expect(resolveEngine({ context: 'default' }, { ...env, DOCKER_HOST: 'unix:///h.sock' }, 'linux')).toEqual({
      context: 'default',
      connection: { kind: 'unix', socketPath: '/h.sock', display: 'unix:///h.sock' },
    });
    expect(resolveEngine({ host: 'unix:///flag.sock' }, { ...env, DOCKER_HOST: 'unix:///h.sock' }, 'linux').connection).toMatchObject({ socketPath: '/flag.sock' });
    expect(resolveEngine({}, env, 'linux').connection).toMatchObject({ socketPath: '/var/run/docker.sock' });
  });

  it('names a missing context as the docker CLI does', () => {
    let error: unknown;
    try {
      resolveEngine({ context: 'nope' }, env, 'linux');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe(ErrorCodes.ENGINE_UNREACHABLE);
    expect((error as EngineError).message).toBe(
      `unable to resolve docker endpoint: context "nope": context not found: open ${join(config, 'contexts/meta', contextDirName('nope'), 'meta.json')}: no such file or directory`,
    );
  });
});
