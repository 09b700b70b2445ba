import { describe, expect, it } from 'vitest';
import { applyEvent, fromInspect, portUrl, type ContainerEvent, type Containers } from '../../../src/dashboard/state.js';

const ev = (action: string, attributes: Record<string, string> = {}, id = 'c1'): ContainerEvent => ({ action, id, service: 'web', attributes: { name: 'p-web-1', image: 'busybox', ...attributes } });
const run = (events: ContainerEvent[], from: Containers = {}) => events.reduce(applyEvent, from);

describe('dashboard event reducer', () => {
  it('follows a container through create, start, health, die, destroy', () => {
    const created = run([ev('create')]);
    expect(created.c1).toMatchObject({ name: 'p-web-1', service: 'web', number: 1, state: 'created', restartCount: 0, image: 'busybox', ports: [] });
    const running = run([ev('start')], created);
    expect(running.c1.state).toBe('running');
    const healthy = run([ev('health_status: healthy')], running);
    expect(healthy.c1.health).toBe('healthy');
    const died = run([ev('kill', { signal: '9' }), ev('die', { exitCode: '137' })], healthy);
    expect(died.c1).toMatchObject({ state: 'exited', exitCode: 137, health: undefined });
    const again = run([ev('start')], { c1: { ...died.c1, health: 'healthy' } });
    expect(again.c1).toMatchObject({ state: 'running', exitCode: undefined, health: 'starting' });
    expect(run([ev('destroy')], again)).toEqual({});
  });

  it('pause, unpause and rename', () => {
    const s = run([ev('create'), ev('start'), ev('pause')]);
    expect(s.c1.state).toBe('paused');
    expect(run([ev('unpause')], s).c1.state).toBe('running');
    expect(run([ev('rename', { name: 'p-web-2' })], s).c1.name).toBe('p-web-2');
  });

  it('leaves the state untouched (the same object) for events that change nothing', () => {
    const s = run([ev('create'), ev('start')]);
    for (const a of ['kill', 'stop', 'attach', 'exec_start: sh', 'exec_die', 'top']) expect(applyEvent(s, ev(a))).toBe(s);
    // and does not invent a container from an unknown one's kill, nor from a destroy
    expect(applyEvent({}, ev('kill'))).toEqual({});
    expect(applyEvent({}, ev('destroy'))).toEqual({});
  });

  it('an event for an unknown container adds it (a container made by another client)', () => {
    const s = applyEvent({}, { action: 'start', id: 'c9', service: 'db', attributes: { name: 'p-db-3', image: 'postgres' } });
    expect(s.c9).toMatchObject({ service: 'db', number: 3, state: 'running', image: 'postgres' });
  });
});

describe('dashboard inspect view', () => {
  it('reads state, health, exit code, restarts and published ports (one per family)', () => {
    const v = fromInspect({
      Id: 'abc',
      Name: '/p-web-1',
      RestartCount: 2,
      State: { Status: 'exited', ExitCode: 3, StartedAt: '2026-01-01T00:00:00Z', Health: { Status: 'unhealthy' } },
      Config: { Image: 'nginx', Labels: { 'com.docker.compose.service': 'web', 'com.docker.compose.container-number': '1' } },
      NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }], '9000/tcp': null } },
    });
    expect(v).toEqual({
      id: 'abc',
      name: 'p-web-1',
      service: 'web',
      number: 1,
      state: 'exited',
      health: 'unhealthy',
      exitCode: 3,
      restartCount: 2,
      startedAt: '2026-01-01T00:00:00Z',
      image: 'nginx',
      ports: [
        { hostIp: '127.0.0.1', hostPort: 5353, target: 53, protocol: 'udp' },
        { hostIp: '0.0.0.0', hostPort: 8080, target: 80, protocol: 'tcp' },
      ],
    });
    expect(fromInspect({})).toBeUndefined();
    expect(fromInspect({ Id: 'x', State: { Status: 'running', ExitCode: 0 } })?.exitCode).toBeUndefined();
  });

  it('links a wildcard binding through the loopback address', () => {
    expect(portUrl({ hostIp: '0.0.0.0', hostPort: 8080, target: 80, protocol: 'tcp' })).toBe('http://127.0.0.1:8080/');
    expect(portUrl({ hostIp: '::', hostPort: 8080, target: 80, protocol: 'tcp' })).toBe('http://127.0.0.1:8080/');
    expect(portUrl({ hostIp: '::1', hostPort: 81, target: 80, protocol: 'tcp' })).toBe('http://[::1]:81/');
    expect(portUrl({ hostIp: '127.0.0.2', hostPort: 82, target: 80, protocol: 'tcp' })).toBe('http://127.0.0.2:82/');
  });
});
