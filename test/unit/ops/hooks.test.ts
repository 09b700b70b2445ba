import { describe, expect, it } from 'vitest';
import { down } from '../../../src/ops/down.js';
import { hookFailure, outputTail } from '../../../src/ops/hooks.js';
import { restart, stop } from '../../../src/ops/lifecycle.js';
import { up } from '../../../src/ops/up.js';
import { fakeEngine, project } from './plan-helpers.js';

const yaml = `
services:
  db:
    image: busybox:local
    post_start:
      - command: echo one
        user: "1000"
        privileged: true
        working_dir: /w
        environment: [A=1, B]
      - command: [echo, two]
    pre_stop:
      - command: echo bye
  web:
    image: busybox:local
    depends_on: [db]
`;

/** The engine calls that matter for hooks, in order: the method, or "exec <command>". */
function trace(engine: ReturnType<typeof fakeEngine>): string[] {
  return engine.calls
    .filter((c) => ['startContainer', 'stopContainer', 'restartContainer', 'createExec'].includes(c.method))
    .map((c) => (c.method === 'createExec' ? `exec ${(c.args[1] as { Cmd: string[] }).Cmd.join(' ')}` : c.method));
}

describe('lifecycle hooks', () => {
  it('post_start runs each hook in order after the start, with its user, privileged, working_dir and environment, before a dependent starts', async () => {
    const engine = fakeEngine();
    await up(engine, await project(yaml));
    expect(trace(engine)).toEqual(['startContainer', 'exec echo one', 'exec echo two', 'startContainer']);
    const first = engine.calls.find((c) => c.method === 'createExec')!.args[1];
    expect(first).toMatchObject({ Cmd: ['echo', 'one'], User: '1000', Privileged: true, WorkingDir: '/w', Env: ['A=1', 'B'], AttachStdout: true, AttachStderr: true });
  });

  it('pre_stop runs before the stop request on stop and down, and restart runs pre_stop then post_start', async () => {
    const engine = fakeEngine();
    const p = await project(yaml);
    await up(engine, p);
    engine.calls.length = 0;
    await restart({ engine, name: 'p', project: p }, { services: ['db'], noDeps: true });
    expect(trace(engine)).toEqual(['exec echo bye', 'restartContainer', 'exec echo one', 'exec echo two']);
    engine.calls.length = 0;
    await stop({ engine, name: 'p', project: p });
    expect(trace(engine)).toEqual(['stopContainer', 'exec echo bye', 'stopContainer']);
    await up(engine, p);
    engine.calls.length = 0;
    await down(engine, 'p', p);
    expect(trace(engine)).toEqual(['stopContainer', 'exec echo bye', 'stopContainer']);
  });

  it('a container that is not running runs no pre_stop', async () => {
    const engine = fakeEngine();
    const p = await project(yaml);
    await up(engine, p);
    const db = (await engine.listContainers({ all: true })).find((c) => c.name === 'p-db-1')!;
    await engine.stopContainer(db.id);
    engine.calls.length = 0;
    await down(engine, 'p', p);
    expect(trace(engine)).toEqual(['stopContainer']);
  });

  it('a failing post_start fails up with compose\'s message, and the dependent is not started', async () => {
    const engine = fakeEngine();
    engine.execHandler = (_id, cmd) => (cmd.join(' ') === 'echo two' ? { exitCode: 7, output: 'step 1\n\nstep 2\n' } : {});
    await expect(up(engine, await project(yaml))).rejects.toThrow(/^db hook exited with status 7: step 1\nstep 2$/);
    expect(trace(engine)).toEqual(['startContainer', 'exec echo one', 'exec echo two']);
  });
});

describe('a failing hook\'s message', () => {
  it('prefers stderr, falls back to stdout, and omits empty output', () => {
    expect(hookFailure('web', 3, 'out\n', 'err\n').message).toBe('web hook exited with status 3: err');
    expect(hookFailure('web', 3, 'out\n', '  \n').message).toBe('web hook exited with status 3: out');
    expect(hookFailure('web', 1, '', '').message).toBe('web hook exited with status 1');
    expect(hookFailure('web', 1, '', '').code).toBe('HOOK_FAILED');
  });

  it('keeps the last 10 non-blank lines, the last segment of a \\r progress line, at most 2048 bytes', () => {
    const lines = Array.from({ length: 15 }, (_, i) => `line ${i}`).join('\n');
    expect(outputTail(lines)).toBe(Array.from({ length: 10 }, (_, i) => `line ${i + 5}`).join('\n'));
    expect(outputTail('10%\r50%\r100%\r\ndone\r\n')).toBe('100%\ndone');
    expect(outputTail('partial without newline')).toBe('partial without newline');
    const long = 'é'.repeat(2000);
    const tail = outputTail(long);
    expect(Buffer.byteLength(tail)).toBeLessThanOrEqual(2048);
    expect(tail).toMatch(/^é+$/);
  });
});

describe('plans that name hooks', () => {
  it('down --dry-run: the stop of a running container with its pre_stop hooks, none for a stopped one', async () => {
    const engine = fakeEngine();
    const p = await project(yaml);
    await up(engine, p);
    const web = (await engine.listContainers({ all: true })).find((c) => c.name === 'p-web-1')!;
    await engine.stopContainer(web.id);
    const result = await down(engine, 'p', p, { dryRun: true });
    expect(result.planText).toBe(`stop container p-db-1 with 1 pre_stop hook (down)
remove container p-db-1 (down)
remove container p-web-1 (down)
remove network p_default (down)
`);
  });
});
