import { describe, expect, it } from 'vitest';
import { createdAgo, formatPorts, humanDuration, truncateCommand, type PortLike } from '../../../src/ui/index.js';

describe('formatPorts', () => {
  it('is empty without ports', () => {
    expect(formatPorts([])).toBe('');
  });

  it('prints mappings to another host port, IPv6 bare, sorted by container port', () => {
    const ports: PortLike[] = [
      { privatePort: 9000, publicPort: 32768, ip: '::', type: 'tcp' },
      { privatePort: 9000, publicPort: 32768, ip: '0.0.0.0', type: 'tcp' },
      { privatePort: 80, publicPort: 18080, ip: '127.0.0.1', type: 'tcp' },
    ];
    // as compose 2.26 `ps` printed it
    expect(formatPorts(ports)).toBe('127.0.0.1:18080->80/tcp, 0.0.0.0:32768->9000/tcp, :::32768->9000/tcp');
  });

  it('collapses ranges and puts them before other mappings', () => {
    // `expose: [7000, 7001, 7003/udp]`, `ports: [18000-18002:18000-18002, 127.0.0.1:18005:18005/udp, 18010:80]`
    const ports: PortLike[] = [
      { privatePort: 80, publicPort: 18010, ip: '0.0.0.0', type: 'tcp' },
      { privatePort: 80, publicPort: 18010, ip: '::', type: 'tcp' },
      { privatePort: 7000, type: 'tcp' },
      { privatePort: 7001, type: 'tcp' },
      { privatePort: 7003, type: 'udp' },
      ...[18000, 18001, 18002].flatMap((p) => [
        { privatePort: p, publicPort: p, ip: '0.0.0.0', type: 'tcp' },
        { privatePort: p, publicPort: p, ip: '::', type: 'tcp' },
      ]),
      { privatePort: 18005, publicPort: 18005, ip: '127.0.0.1', type: 'udp' },
    ];
    // captured from compose 2.26.1 for that file
    expect(formatPorts(ports)).toBe(
      '7000-7001/tcp, 7003/udp, 0.0.0.0:18000-18002->18000-18002/tcp, :::18000-18002->18000-18002/tcp, ' +
        '127.0.0.1:18005->18005/udp, 0.0.0.0:18010->80/tcp, :::18010->80/tcp',
    );
  });

  it('splits a run at a gap', () => {
    expect(formatPorts([{ privatePort: 1, type: 'tcp' }, { privatePort: 2, type: 'tcp' }, { privatePort: 4, type: 'tcp' }, { privatePort: 5, type: 'udp' }])).toBe(
      '1-2/tcp, 4/tcp, 5/udp',
    );
  });
});

describe('humanDuration', () => {
  it.each([
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [1000, '1 second'],
    [2500, '2 seconds'],
    [59_999, '59 seconds'],
    [60_000, 'About a minute'],
    [119_999, 'About a minute'],
    [120_000, '2 minutes'],
    [59 * 60_000, '59 minutes'],
    [60 * 60_000, 'About an hour'],
    [3 * 3_600_000, '3 hours'],
    [47 * 3_600_000, '47 hours'],
    [48 * 3_600_000, '2 days'],
    [15 * 86_400_000, '2 weeks'],
    [90 * 86_400_000, '3 months'],
    [800 * 86_400_000, '2 years'],
  ])('%d ms -> %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('createdAgo adds "ago" and never goes negative', () => {
    expect(createdAgo(1_000, 3_000)).toBe('2 seconds ago');
    expect(createdAgo(5_000, 3_000)).toBe('Less than a second ago');
  });
});

describe('truncateCommand', () => {
  it('quotes and cuts to 20 characters as compose ps does', () => {
    expect(truncateCommand("sh -c 'echo hello world and a long command here; sleep 3600'")).toBe('"sh -c \'echo hello w…"');
    expect(truncateCommand('sleep 3600')).toBe('"sleep 3600"');
    expect(truncateCommand('12345678901234567890')).toBe('"12345678901234567890"');
    expect(truncateCommand('123456789012345678901')).toBe('"1234567890123456789…"');
  });

  it('keeps the whole command with noTrunc and escapes like Go', () => {
    expect(truncateCommand('echo "a\tb" \\', { noTrunc: true })).toBe('"echo \\"a\\tb\\" \\\\"');
  });
});
