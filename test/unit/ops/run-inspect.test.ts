// Issue 5: the pure parts of run, exec and the inspection commands (the e2e tests cover them against the engine).
import { describe, expect, it } from 'vitest';
import { statsFields, topTable } from '../../../src/cli/commands/inspect.js';
import { envFlags } from '../../../src/cli/commands/exec.js';
import { Labels } from '../../../src/model/labels.js';
import { exec } from '../../../src/ops/exec.js';
import { splitRepoTag } from '../../../src/ops/inspect.js';
import { oneOffRequest, SLUG_LABEL } from '../../../src/ops/run.js';
import { binarySize, humanSize } from '../../../src/ui/units.js';
import { fakeEngine, project } from './plan-helpers.js';

const yaml = `
services:
  web:
    image: busybox:local
    restart: always
    command: ["sleep", "600"]
    ports: ["127.0.0.1::80"]
    environment: { A: "1" }
    deploy: { restart_policy: { condition: on-failure } }
    networks: { default: { aliases: [alias1] } }
`;
const slug = 'ab'.repeat(32);

describe('oneOffRequest', () => {
  it('names, labels and clears like compose: oneoff, slug, no restart policy, no ports, own alias only', async () => {
    const p = await project(yaml);
    const req = oneOffRequest(p, { service: 'web', cmd: ['echo', 'hi'], env: ['B=2', 'A=3'], interactive: true }, slug, 'sha256:x');
    expect(req.name).toBe(`p-web-run-${slug.slice(0, 12)}`);
    expect(req.Labels).toMatchObject({ [Labels.oneoff]: 'True', [SLUG_LABEL]: slug, [Labels.containerNumber]: '1', [Labels.image]: 'sha256:x' });
    expect(req.Cmd).toEqual(['echo', 'hi']);
    expect(req.Env).toEqual(expect.arrayContaining(['A=3', 'B=2']));
    expect(req.HostConfig.RestartPolicy).toBeUndefined();
    expect(req.HostConfig.PortBindings).toEqual({});
    expect(req.ExposedPorts).toBeUndefined();
    expect(req).toMatchObject({ OpenStdin: true, AttachStdin: true, StdinOnce: true, Tty: false });
    expect(req.NetworkingConfig?.EndpointsConfig['p_default'].Aliases).toEqual([req.name]);
  });

  it('--service-ports, -p, --use-aliases, --name, --rm, --entrypoint', async () => {
    const p = await project(yaml);
    const req = oneOffRequest(p, { service: 'web', servicePorts: true, useAliases: true, name: 'custom', rm: true, entrypoint: [] }, slug, undefined);
    expect(req.name).toBe('custom');
    expect(Object.keys(req.HostConfig.PortBindings ?? {})).toEqual(['80/tcp']);
    expect(req.HostConfig.AutoRemove).toBe(true);
    expect(req.Entrypoint).toBeUndefined();
    expect(req.NetworkingConfig?.EndpointsConfig['p_default'].Aliases).toEqual(['custom', 'web', 'alias1']);
    const published = oneOffRequest(p, { service: 'web', publish: [{ mode: 'ingress', target: 81, published: '9000', protocol: 'tcp' }] }, slug, undefined);
    expect(published.HostConfig.PortBindings).toEqual({ '81/tcp': [{ HostIp: '', HostPort: '9000' }] });
  });
});

describe('exec on the fake engine', () => {
  it('targets the numbered running container and returns the exit code; a missing one is compose\'s error', async () => {
    const engine = fakeEngine();
    const p = await project(yaml);
    const { up } = await import('../../../src/ops/up.js');
    await up(engine, p, {});
    engine.execHandler = (_id, cmd) => ({ exitCode: cmd[0] === 'fail' ? 9 : 0 });
    expect(await exec(engine, 'p', { service: 'web', cmd: ['fail'], stdout: process.stdout, stderr: process.stderr })).toBe(9);
    expect(await exec(engine, 'p', { service: 'web', cmd: ['ok'], detach: true })).toBe(0);
    await expect(exec(engine, 'p', { service: 'web', cmd: ['ok'], index: 2 })).rejects.toThrow('service "web" is not running container #2');
  });
});

describe('formatting', () => {
  it('sizes as go-units prints them', () => {
    expect(humanSize(1984230)).toBe('1.98MB');
    expect(humanSize(726)).toBe('726B');
    expect(humanSize(1250)).toBe('1.25kB');
    expect(binarySize(444 * 1024)).toBe('444KiB');
    expect(binarySize(25276510208)).toBe('23.54GiB');
  });

  it('repo and tag of an image reference', () => {
    expect(splitRepoTag('busybox:latest')).toEqual(['busybox', 'latest']);
    expect(splitRepoTag('reg:5000/a/b')).toEqual(['reg:5000/a/b', 'latest']);
    expect(splitRepoTag(undefined)).toEqual(['<none>', '<none>']);
  });

  it('top table: rows padded to the last column, title line not', () => {
    expect(topTable(['UID', 'PID', 'CMD'], [['root', '1', 'sleep 1']])).toBe('UID    PID   CMD\nroot   1     sleep 1   \n');
  });

  it('stats: docker\'s CPU and memory formulas', () => {
    const f = statsFields({ id: 'a'.repeat(64), name: 'p-web-1', stats: { cpuTotal: 300, preCpuTotal: 100, systemCpu: 2000, preSystemCpu: 1000, onlineCpus: 2, memoryUsage: 2048, memoryLimit: 4096, memoryCache: 1024, networkRx: 1000, networkTx: 0, blockRead: 0, blockWrite: 0, pids: 3 } });
    expect(f).toMatchObject({ ID: 'a'.repeat(12), CPUPerc: '40.00%', MemUsage: '1KiB / 4KiB', MemPerc: '25.00%', NetIO: '1kB / 0B', PIDs: '3' });
  });

  it('-e KEY takes the value from the environment, dropped when unset', () => {
    expect(envFlags(['A=1', 'B', 'C'], { B: 'b' })).toEqual(['A=1', 'B=b']);
  });
});
