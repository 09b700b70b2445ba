import { describe, expect, it } from 'vitest';
import { FrameDemuxer } from '../../../src/engine/dockerode/io.js';
import { displayName, parseTimeArg, rfc3339Nanos } from '../../../src/model/logs.js';
import { attachedServices, checkUpFlags } from '../../../src/ops/attached.js';
import type { Project } from '../../../src/model/types.js';

describe('up flag rules (compose 2.26)', () => {
  it.each([
    [{ detach: true, abortOnContainerExit: true }, /--detach cannot be combined/],
    [{ detach: true, attach: ['a'] }, /--detach cannot be combined/],
    [{ detach: true, exitCodeFrom: 'a' }, /--detach cannot be combined/],
    [{ detach: true, abortOnContainerFailure: true }, /--detach cannot be combined/],
    [{ wait: true, attachDependencies: true }, /--wait cannot be combined/],
    [{ wait: true, exitCodeFrom: 'a' }, /--wait cannot be combined/],
    [{ abortOnContainerExit: true, abortOnContainerFailure: true }, /cannot be combined with --abort-on-container-exit/],
    [{ attach: ['a'], attachDependencies: true }, /--attach cannot be combined with --attach-dependencies/],
    [{ forceRecreate: true, noRecreate: true }, /incompatible/],
  ])('%j is refused', (flags, message) => {
    expect(() => checkUpFlags(flags)).toThrow(message);
  });

  it('accepts the ordinary combinations', () => {
    expect(() => checkUpFlags({ exitCodeFrom: 'a' })).not.toThrow();
    expect(() => checkUpFlags({ detach: true, wait: true })).not.toThrow();
    expect(() => checkUpFlags({ noAttach: ['a'], abortOnContainerFailure: true })).not.toThrow();
  });
});

describe('attached services', () => {
  const project = {
    name: 'p',
    services: { app: { depends_on: { dep: { condition: 'service_started', required: true } } }, dep: {}, quiet: { attach: false } },
    networks: {},
    volumes: {},
    meta: {} as Project['meta'],
  } as unknown as Project;
  const planned = ['app', 'dep', 'quiet'];
  it('defaults to every planned service except attach: false', () => expect([...attachedServices(project, planned, {})]).toEqual(['app', 'dep']));
  it('named services only, unless --attach-dependencies', () => {
    expect([...attachedServices(project, ['app', 'dep'], { services: ['app'] })]).toEqual(['app']);
    expect([...attachedServices(project, ['app', 'dep'], { services: ['app'], attachDependencies: true })]).toEqual(['app', 'dep']);
  });
  it('--attach overrides attach: false; --no-attach removes', () => {
    expect([...attachedServices(project, planned, { attach: ['quiet'] })]).toEqual(['quiet']);
    expect([...attachedServices(project, planned, { noAttach: ['dep'] })]).toEqual(['app']);
  });
});

describe('log helpers', () => {
  it('display names drop the project prefix', () => {
    expect(displayName('proj', 'proj-web-1')).toBe('web-1');
    expect(displayName('proj', 'custom')).toBe('custom');
  });
  it('RFC 3339 with nanoseconds, exactly', () => {
    expect(rfc3339Nanos('1970-01-01T00:00:01.000000002Z')).toBe(1_000_000_002n);
    expect(rfc3339Nanos('1970-01-01T00:00:01.5Z')).toBe(1_500_000_000n);
    expect(rfc3339Nanos('nope')).toBeUndefined();
  });
  it('--since/--until values: durations, Unix seconds, dates', () => {
    const now = Date.UTC(2024, 0, 1, 12);
    expect(parseTimeArg('42m', now)).toBe((now - 42 * 60_000) / 1000);
    expect(parseTimeArg('1h30m', now)).toBe((now - 90 * 60_000) / 1000);
    expect(parseTimeArg('1700000000', now)).toBe(1_700_000_000);
    expect(parseTimeArg('2013-01-02T13:23:37Z', now)).toBe(Date.UTC(2013, 0, 2, 13, 23, 37) / 1000);
    expect(parseTimeArg('2013-01-02', now)).toBe(Date.UTC(2013, 0, 2) / 1000);
    expect(parseTimeArg(undefined)).toBeUndefined();
    expect(() => parseTimeArg('yesterday')).toThrow();
  });
  it('demultiplexes frames split anywhere', () => {
    const frame = (kind: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = kind;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    const all = Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]);
    const d = new FrameDemuxer();
    const got = [...d.push(all.subarray(0, 3)), ...d.push(all.subarray(3, 13)), ...d.push(all.subarray(13)), ...d.end()];
    expect(got.map((c) => [c.stream, c.data.toString()])).toEqual([['stdout', 'out\n'], ['stderr', 'err\n']]);
  });
});
