// BuildKit's plain progress as compose prints it (golden cases, from compose-ref 2.26.1 output on this engine).
import { describe, expect, it } from 'vitest';
import type { BuildEvent, BuildVertex } from '../../../src/model/events.js';
import { BuildPlainPrinter, humanSize4 } from '../../../src/ui/build-progress.js';

const T = 1_700_000_000_000;
const ev = (service: string, vertexes: BuildVertex[], more: Partial<BuildEvent> = {}): BuildEvent => ({ type: 'build', service, vertexes, statuses: [], logs: [], ...more });

describe('BuildPlainPrinter', () => {
  it('prints each step as one block: header, transfers, output with seconds since start, CACHED / DONE', () => {
    let out = '';
    const p = new BuildPlainPrinter((t) => (out += t));
    const load = { digest: 'd1', name: '[web internal] load build definition from Dockerfile', cached: false };
    const from = { digest: 'd2', name: '[web 1/2] FROM docker.io/library/busybox:local', cached: false };
    const run = { digest: 'd3', name: '[web 2/2] RUN make', cached: false };
    p.push(ev('web', [{ ...load, started: T }]));
    p.push(ev('web', [], { statuses: [{ vertex: 'd1', id: 'transferring dockerfile:', name: 'transferring', current: 102, total: 0, started: T, completed: T + 10 }] }));
    p.push(ev('web', [], { statuses: [{ vertex: 'd1', id: 'transferring context:', name: 'transferring', current: 55710, total: 0, started: T, completed: T + 120 }] }));
    p.push(ev('web', [{ ...load, started: T, completed: T + 40 }]));
    // a cache hit is first reported completed, then cached: merged, it prints CACHED
    p.push(ev('web', [{ ...from, started: T + 50, completed: T + 50 }, { ...run, started: T + 60 }]));
    p.push(ev('web', [{ ...from, started: T + 50, completed: T + 50, cached: true }]));
    p.push(ev('web', [], { logs: [{ vertex: 'd3', stream: 1, data: Buffer.from('compiling\npart'), timestamp: T + 298 }] }));
    p.push(ev('web', [], { logs: [{ vertex: 'd3', stream: 2, data: Buffer.from('ial line\n'), timestamp: T + 300 }] }));
    p.push(ev('web', [{ ...run, started: T + 60, completed: T + 390 }]));
    p.flush(true);
    expect(out).toBe(
      [
        '#0 building with "default" instance using docker driver',
        '',
        '#1 [web internal] load build definition from Dockerfile',
        '#1 transferring dockerfile: 102B done',
        '#1 transferring context: 55.71kB 0.1s done',
        '#1 DONE 0.0s',
        '',
        '#2 [web 1/2] FROM docker.io/library/busybox:local',
        '#2 CACHED',
        '',
        '#3 [web 2/2] RUN make',
        '#3 0.238 compiling',
        '#3 0.240 partial line',
        '#3 DONE 0.3s',
        '',
      ].join('\n'),
    );
  });

  it('keeps services apart when their builds share a step digest, and reports an error', () => {
    let out = '';
    const p = new BuildPlainPrinter((t) => (out += t));
    p.push(ev('a', [{ digest: 'same', name: '[a 1/1] FROM x', cached: true, started: T, completed: T }]));
    p.push(ev('b', [{ digest: 'same', name: '[b 1/1] FROM x', cached: true, started: T, completed: T }]));
    p.push(ev('b', [{ digest: 'r', name: '[b 2/2] RUN false', cached: false, started: T, completed: T + 100, error: 'exit code: 1' }]));
    p.flush(true);
    expect(out).toContain('\n#1 [a 1/1] FROM x\n#1 CACHED\n');
    expect(out).toContain('\n#2 [b 1/1] FROM x\n#2 CACHED\n');
    expect(out).toContain('\n#3 [b 2/2] RUN false\n#3 ERROR: exit code: 1\n');
  });

  it('holds other steps\' lines while one step is being printed', () => {
    let out = '';
    const p = new BuildPlainPrinter((t) => (out += t));
    p.push(ev('w', [{ digest: 'x', name: '[w 1/2] RUN slow', cached: false, started: T }]));
    p.push(ev('w', [], { logs: [{ vertex: 'x', stream: 1, data: Buffer.from('slow 1\n'), timestamp: T + 1000 }] }));
    p.flush();
    p.push(ev('w', [{ digest: 'y', name: '[w internal] load build context', cached: false, started: T + 1100, completed: T + 1200 }]));
    p.flush();
    expect(out).not.toContain('load build context');
    p.push(ev('w', [{ digest: 'x', name: '[w 1/2] RUN slow', cached: false, started: T, completed: T + 2000 }]));
    p.flush(true);
    expect(out.indexOf('#1 DONE 2.0s')).toBeLessThan(out.indexOf('#2 [w internal] load build context'));
    expect(out).toContain('#1 1.000 slow 1\n');
  });
});

describe('humanSize4', () => {
  it.each([
    [2, '2B'],
    [279, '279B'],
    [1234, '1.234kB'],
    [12_345_678, '12.35MB'],
  ])('%d → %s', (n, s) => expect(humanSize4(n)).toBe(s));
});
