// The fast attempt at `up` (issue 19; src/cli/fast-up.ts, bin/berth.js): a detached `up` runs first through the
// smaller bundle against an engine that refuses writes. These tests hold it to its promise on the real engine:
// - an `up` with nothing to do is answered by the attempt (its trace mark), with exactly the output and exit
//   code of the full CLI (BERTH_FAST_UP=0), in every progress mode a script uses;
// - an `up` with something to do, a project the cache cannot answer, or a failing `up` is given to the full CLI:
//   the work is done once, and every line is printed once.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, cleanup, describeEngine, docker, projectDir, uniqueProject, type RunResult } from '../helpers/e2e.js';

const compose = (greeting: string) => `
services:
  web:
    image: busybox:local
    init: true
    command: ["sleep", "600"]
    environment: { GREETING: ${greeting} }
  db:
    image: busybox:local
    init: true
    command: ["sleep", "600"]
`;

/** BERTH_STARTUP_TRACE's lines, and what the attempt said of itself. */
const TRACE_LINE = /^\s*(NaN|[\d.]+) ms {2}.*\n/gm;
const attempt = (r: RunResult) => /fast up (answered|declined: ).*/.exec(r.stderr)?.[0];
const withoutTrace = (r: RunResult) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr.replace(TRACE_LINE, '') });
const count = (text: string, line: string) => text.split('\n').filter((l) => l === line).length;

describeEngine('the fast attempt at a detached up', () => {
  const project = uniqueProject('fastup');
  let dir = '';
  const up = (args: string[], env: NodeJS.ProcessEnv = {}) => berth(['-p', project, ...args], { cwd: dir, env });
  // the project cache's entry holds the environment it was made under: a second run under the same one is
  // the one a cache can answer
  const twice = async (args: string[], env: NodeJS.ProcessEnv) => {
    await up(args, env);
    return up(args, env);
  };
  const traced = { BERTH_STARTUP_TRACE: '1' };
  const full = { BERTH_FAST_UP: '0' };

  beforeAll(async () => {
    dir = await projectDir({ 'compose.yaml': compose('hello') });
    const r = await up(['up', '-d']);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await cleanup(project, dir);
  });

  it.each(['plain', 'json', 'quiet'])('answers an up with nothing to do, printing what the full CLI prints (--progress %s)', async (mode) => {
    const fast = await twice(['--progress', mode, 'up', '-d'], traced);
    expect(attempt(fast), fast.stderr).toBe('fast up answered');
    const slow = await twice(['--progress', mode, 'up', '-d'], full);
    expect(attempt(slow)).toBeUndefined();
    expect(withoutTrace(fast)).toEqual(withoutTrace(slow));
    expect(fast.code).toBe(0);
    if (mode === 'plain') expect(count(fast.stderr, ` Container ${project}-web-1  Running`)).toBe(1);
  });

  it('does not try up --wait (its lines would be held back while it waits)', async () => {
    const r = await twice(['--progress', 'plain', 'up', '--wait'], traced);
    expect(r.code, r.stderr).toBe(0);
    expect(attempt(r)).toBeUndefined();
    expect(count(r.stderr, ` Container ${project}-web-1  Healthy`)).toBe(1);
  });

  it('gives a project locked by another process to the full CLI, which waits for it saying so', async () => {
    const locks = await mkdtemp(join(tmpdir(), 'berth-e2e-locks-'));
    const env = { ...traced, BERTH_LOCK_DIR: locks };
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      await twice(['--progress', 'plain', 'up', '-d'], env);
      // a lock as an older berth wrote it: the bare pid of a live process
      await writeFile(join(locks, `${project}.lock`), String(holder.pid), { mode: 0o600 });
      const running = up(['--progress', 'plain', 'up', '-d'], env);
      await new Promise((r) => setTimeout(r, 1500));
      holder.kill();
      const r = await running;
      expect(r.code, r.stderr).toBe(0);
      expect(attempt(r)).toBe(`fast up declined: the lock of ${project} is held`);
      expect(r.stderr.match(/waiting for project/g)?.length, r.stderr).toBe(1);
      expect(count(r.stderr, ` Container ${project}-web-1  Running`)).toBe(1);
    } finally {
      holder.kill();
      await rm(locks, { recursive: true, force: true });
    }
  });

  it('gives a stopped container to the full CLI, which starts it once and prints each line once', async () => {
    await twice(['--progress', 'plain', 'up', '-d'], traced);
    expect((await docker(['stop', '-t', '0', `${project}-db-1`])).code).toBe(0);
    const r = await up(['--progress', 'plain', 'up', '-d'], traced);
    expect(r.code, r.stderr).toBe(0);
    expect(attempt(r)).toMatch(/^fast up declined: (asked for startContainer|reached ops\/execute\.js)$/);
    expect(count(r.stderr, ` Container ${project}-db-1  Started`)).toBe(1);
    expect(count(r.stderr, ` Container ${project}-db-1  Starting`)).toBe(1);
    expect(count(r.stderr, ` Container ${project}-web-1  Running`)).toBe(1);
    expect((await docker(['inspect', '-f', '{{.State.Running}}', `${project}-db-1`])).stdout.trim()).toBe('true');
  });

  it('gives a changed file (the project cache has no answer) to the full CLI, which recreates the service', async () => {
    await writeFile(join(dir, 'compose.yaml'), compose('changed'));
    const r = await up(['--progress', 'plain', 'up', '-d'], traced);
    expect(r.code, r.stderr).toBe(0);
    expect(attempt(r)).toBe('fast up declined: reached config/index.js');
    expect(count(r.stderr, ` Container ${project}-web-1  Recreated`)).toBe(1);
    const env = (await docker(['inspect', '-f', '{{json .Config.Env}}', `${project}-web-1`])).stdout;
    expect(env).toContain('GREETING=changed');
    // and the next one has nothing to do again
    expect(attempt(await up(['--progress', 'quiet', 'up', '-d'], traced))).toBe('fast up answered');
  });

  it('answers an up that fails without writing (no engine there) with the full CLI\'s message and exit code', async () => {
    const gone = { DOCKER_HOST: `unix://${join(dir, 'no-engine.sock')}` };
    const fast = await twice(['--progress', 'plain', 'up', '-d'], { ...traced, ...gone });
    const slow = await twice(['--progress', 'plain', 'up', '-d'], { ...full, ...gone });
    expect(fast.code).not.toBe(0);
    expect(attempt(fast)).toBe(`fast up answered (exit code ${fast.code})`);
    expect(withoutTrace(fast)).toEqual(withoutTrace(slow));
    expect(fast.stderr).toContain('no-engine.sock');
  });

  it('leaves an up that fails after a write to the full CLI: its message once, its exit code', async () => {
    const broken = await projectDir({ 'compose.yaml': 'services:\n  gone:\n    image: berth-e2e-no-such-image:1\n    pull_policy: never\n' });
    const name = uniqueProject('fastup-fail');
    try {
      const fast = await berth(['-p', name, '--progress', 'plain', 'up', '-d'], { cwd: broken, env: traced });
      await cleanup(name);
      const slow = await berth(['-p', name, '--progress', 'plain', 'up', '-d'], { cwd: broken, env: full });
      expect(fast.code).not.toBe(0);
      expect(attempt(fast)).toMatch(/^fast up declined: /);
      expect(withoutTrace(fast)).toEqual(withoutTrace(slow));
      expect(fast.stderr.match(/berth-e2e-no-such-image/g)?.length).toBe(slow.stderr.match(/berth-e2e-no-such-image/g)?.length);
    } finally {
      await cleanup(name, broken);
    }
  });
});
