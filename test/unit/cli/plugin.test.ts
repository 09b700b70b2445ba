import { describe, expect, it } from 'vitest';
import { pluginInvocation, pluginMetadata } from '../../../src/cli/plugin.js';
import { shellQuote, sshArgs } from '../../../src/engine/dockerode/ssh.js';

const asPlugin = { DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND: 'docker' };

describe('berth as the docker CLI plugin', () => {
  it('answers the metadata query with the fields the docker CLI checks', () => {
    const m = JSON.parse(pluginMetadata('1.2.3')) as Record<string, string>;
    expect(m).toMatchObject({ SchemaVersion: '0.1.0', Vendor: 'berth', Version: '1.2.3' });
    expect(m.ShortDescription).toBeTruthy();
  });

  it('is a plugin only when the docker CLI ran it', () => {
    expect(pluginInvocation(['compose', 'ps'], {})).toBeUndefined();
  });

  it('strips the plugin name and reads the docker CLI global flags before it', () => {
    expect(pluginInvocation(['compose', 'up', '-d'], asPlugin)).toEqual({ args: ['up', '-d'], selection: {} });
    expect(pluginInvocation(['--context', 'x', '-D', 'compose', '-p', 'p', 'ps'], asPlugin)).toEqual({ args: ['-p', 'p', 'ps'], selection: { context: 'x' } });
    expect(pluginInvocation(['-c=x', 'compose', 'ps'], asPlugin)?.selection).toEqual({ context: 'x' });
    expect(pluginInvocation(['-Dcx', 'compose', 'ps'], asPlugin)?.selection).toEqual({ context: 'x' });
    expect(pluginInvocation(['-H', 'tcp://h:1', '--tlsverify', '--tlscacert=/c/ca.pem', '-l', 'debug', 'compose', 'ps'], asPlugin)).toEqual({
      args: ['ps'],
      selection: { host: 'tcp://h:1', tlsVerify: true, tlsCaCert: '/c/ca.pem' },
    });
    expect(pluginInvocation(['--config', '/cfg', '--tls=false', 'compose', 'ls'], asPlugin)).toEqual({ args: ['ls'], selection: { tls: false }, configDir: '/cfg' });
  });
});

describe('ssh command line, as the docker CLI builds it', () => {
  it('passes user and port as options, the host after --, and dial-stdio as the remote command', () => {
    expect(sshArgs({ kind: 'ssh', host: 'box', port: 2222, username: 'me', display: '' })).toEqual([
      '-l', 'me', '-p', '2222', '-o', 'ConnectTimeout=30', '-T', '--', 'box', 'docker system dial-stdio',
    ]);
    expect(sshArgs({ kind: 'ssh', host: 'box', display: '' })).toEqual(['-o', 'ConnectTimeout=30', '-T', '--', 'box', 'docker system dial-stdio']);
    expect(sshArgs({ kind: 'ssh', host: 'box', socketPath: "/run/my docker.sock", display: '' }).at(-1)).toBe("docker '--host=unix:///run/my docker.sock' system dial-stdio");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
