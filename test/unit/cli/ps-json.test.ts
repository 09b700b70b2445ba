// `ps --format json` rows as compose prints them: Publishers sorted by container port, null without ports.
import { describe, expect, it } from 'vitest';
import { psJson } from '../../../src/cli/commands/ps.js';
import type { PsEntry } from '../../../src/ops/ps.js';
import type { ContainerSummary } from '../../../src/engine/types.js';

const entry = (ports: ContainerSummary['ports']): PsEntry => ({
  service: 'web',
  number: 1,
  project: 'p',
  container: {
    id: 'a'.repeat(64),
    name: 'p-web-1',
    image: 'busybox:local',
    imageId: 'sha256:x',
    command: 'httpd',
    created: 1_700_000_000,
    state: 'running',
    status: 'Up 1 second',
    labels: {},
    ports,
    networks: ['p_default'],
    mounts: [],
  },
});

describe('psJson Publishers', () => {
  it('sorts by container port whatever order the engine lists them in, as compose does', () => {
    const row = psJson(
      entry([
        { ip: '127.0.0.1', privatePort: 80, publicPort: 32783, type: 'tcp' },
        { ip: '127.0.0.1', privatePort: 53, publicPort: 32772, type: 'udp' },
      ]),
    );
    expect(row.Publishers).toEqual([
      { URL: '127.0.0.1', TargetPort: 53, PublishedPort: 32772, Protocol: 'udp' },
      { URL: '127.0.0.1', TargetPort: 80, PublishedPort: 32783, Protocol: 'tcp' },
    ]);
  });

  it('is null for a container without ports', () => {
    expect(psJson(entry([])).Publishers).toBeNull();
  });
});
