import { describe, expect, it } from 'vitest';
import { parseDockerHost } from '../../../src/engine/dockerode/docker-host.js';
import { EngineError, ErrorCodes } from '../../../src/model/errors.js';

const linux = (host: string | undefined, env: Record<string, string> = {}) => parseDockerHost(host, env, 'linux');

describe('parseDockerHost', () => {
  it('defaults to the platform socket when nothing is set', () => {
    expect(linux(undefined)).toEqual({
      kind: 'unix',
      socketPath: '/var/run/docker.sock',
      display: 'unix:///var/run/docker.sock',
    });
    expect(linux('')).toMatchObject({ socketPath: '/var/run/docker.sock' });
    expect(parseDockerHost(undefined, {}, 'win32')).toEqual({
      kind: 'npipe',
      socketPath: '//./pipe/docker_engine',
      display: 'npipe:////./pipe/docker_engine',
    });
  });

  it('reads DOCKER_HOST from the environment, and an explicit host wins over it', () => {
    expect(linux(undefined, { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toMatchObject({
      kind: 'unix',
      socketPath: '/run/user/1000/docker.sock',
    });
    expect(linux('unix:///tmp/x.sock', { DOCKER_HOST: 'tcp://remote:2375' })).toMatchObject({
      kind: 'unix',
      socketPath: '/tmp/x.sock',
    });
  });

  it('parses unix sockets, with the default for an empty path', () => {
    expect(linux('unix:///var/run/docker.sock')).toMatchObject({ kind: 'unix', socketPath: '/var/run/docker.sock' });
    expect(linux('unix://')).toMatchObject({ socketPath: '/var/run/docker.sock' });
  });

  it('reads an address without a scheme as tcp, as the docker CLI does', () => {
    expect(linux('box:2375')).toMatchObject({ kind: 'tcp', host: 'box', port: 2375, display: 'tcp://box:2375' });
    expect(linux('box')).toMatchObject({ kind: 'tcp', host: 'box', port: 2375 });
  });

  it('parses named pipes', () => {
    expect(linux('npipe:////./pipe/docker_engine')).toEqual({
      kind: 'npipe',
      socketPath: '//./pipe/docker_engine',
      display: 'npipe:////./pipe/docker_engine',
    });
    expect(linux('npipe://')).toMatchObject({ socketPath: '//./pipe/docker_engine' });
  });

  it('parses tcp with and without a port', () => {
    expect(linux('tcp://10.0.0.5:2375')).toEqual({
      kind: 'tcp',
      protocol: 'http',
      host: '10.0.0.5',
      port: 2375,
      display: 'tcp://10.0.0.5:2375',
    });
    expect(linux('tcp://docker.example')).toMatchObject({ host: 'docker.example', port: 2375 });
    expect(linux('TCP://h:1')).toMatchObject({ kind: 'tcp', host: 'h', port: 1 });
    expect(linux('tcp://[::1]:2375')).toMatchObject({ kind: 'tcp', port: 2375 });
  });

  it('switches tcp to TLS with DOCKER_TLS_VERIFY and reads certificates from DOCKER_CERT_PATH', () => {
    expect(linux('tcp://h', { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' })).toEqual({
      kind: 'tcp',
      protocol: 'https',
      host: 'h',
      port: 2376,
      tls: { ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem', verify: true },
      display: 'tcp://h:2376',
    });
    expect(linux('tcp://h:2376', { DOCKER_TLS: '1', DOCKER_CERT_PATH: '/certs' })).toMatchObject({
      protocol: 'https',
      tls: { verify: false },
    });
    expect(linux('tcp://h', { DOCKER_TLS_VERIFY: '' })).toMatchObject({ protocol: 'http' });
    // the docker CLI: any non-empty value turns TLS on, "0" included (cli/flags/options.go)
    expect(linux('tcp://h', { DOCKER_TLS_VERIFY: '0' })).toMatchObject({ protocol: 'https', tls: { verify: true } });
    expect(linux('tcp://h', { DOCKER_TLS_VERIFY: '1' })).toMatchObject({ tls: { ca: expect.stringMatching(/\.docker\/ca\.pem$/) } });
    // DOCKER_CERT_PATH defaults to the docker CLI's configuration directory
    expect(linux('tcp://h', { DOCKER_TLS_VERIFY: '1', DOCKER_CONFIG: '/cfg' })).toMatchObject({ tls: { ca: '/cfg/ca.pem' } });
  });

  it('takes the --tls* flags over the TLS variables', () => {
    expect(parseDockerHost('tcp://h:1', { DOCKER_CERT_PATH: '/certs' }, 'linux', { tlsVerify: true, tlsCaCert: '/x/ca.pem' })).toMatchObject({
      protocol: 'https',
      tls: { ca: '/x/ca.pem', cert: '/certs/cert.pem', verify: true },
    });
    expect(parseDockerHost('tcp://h:1', {}, 'linux', { tls: true })).toMatchObject({ protocol: 'https', tls: { verify: false } });
  });

  it('parses ssh with user and port', () => {
    expect(linux('ssh://me@build-box:2222')).toEqual({
      kind: 'ssh',
      host: 'build-box',
      port: 2222,
      username: 'me',
      display: 'ssh://me@build-box:2222',
    });
    // no port: ssh's own configuration decides, as for the docker CLI
    expect(linux('ssh://build-box')).toEqual({ kind: 'ssh', host: 'build-box', display: 'ssh://build-box' });
    expect(linux('ssh://me@h/run/docker.sock')).toMatchObject({ socketPath: '/run/docker.sock' });
    expect(linux('ssh://me@h/')).not.toHaveProperty('socketPath');
  });

  it.each([
    ['/var/run/docker.sock', 'a path is not supported'],
    ['fd://', 'unsupported scheme'],
    ['tcp://', 'not a valid address'],
    ['ssh://', 'missing host'],
    ['tcp://h:notaport', 'not a valid address'],
    ['tcp://h:2375/path', 'a path is not supported'],
    ['ssh://me:secret@h', 'plain-text password is not supported'],
    ['ssh://h?x=1', 'query parameters are not allowed'],
  ])('rejects %s with ENGINE_UNREACHABLE', (value, why) => {
    let error: unknown;
    try {
      linux(value);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe(ErrorCodes.ENGINE_UNREACHABLE);
    expect((error as EngineError).message).toContain(`invalid DOCKER_HOST "${value}"`);
    expect((error as EngineError).message).toContain(why);
  });
});
