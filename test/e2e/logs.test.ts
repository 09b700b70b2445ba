// Issue 5: `logs` — tail, timestamps, since/until, prefixes, --index, services, and -f following a restart and a
// recreation (lines that compose's logs -f drops).
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, berthBin, cleanup, describeEngine, projectDir, uniqueProject } from '../helpers/e2e.js';

const compose = (otherText: string) => `
services:
  web:
    image: busybox:local
    init: true
    # stdout and stderr are logged by separate copiers: lines written back to back may be stored in either order
    command: ["sh", "-c", "echo web run \${RUN:-x}; echo web err >&2; sleep 0.3; echo web one; echo web two; exec sleep 60"]
    scale: 2
  other:
    image: busybox:local
    init: true
    command: ["sh", "-c", "echo ${otherText}; exec sleep 60"]
`;

describeEngine('berth logs', () => {
  const project = uniqueProject('logs');
  let dir = '';
  const p = (...args: string[]) => berth(['-p', project, ...args], { cwd: dir });

  beforeAll(async () => {
    dir = await projectDir({ 'compose.yaml': compose('other first') });
    const r = await p('up', '-d');
    expect(r.code, r.stderr).toBe(0);
    // let the containers print
    await new Promise((r) => setTimeout(r, 1000));
  });
  afterAll(async () => {
    await cleanup(project, dir);
  });

  it('prints every container, prefixed and padded, stdout and stderr on stdout', async () => {
    const r = await p('logs');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('other-1  | other first');
    expect(lines).toContain('web-1    | web err');
    expect(lines).toContain('web-2    | web two');
  });

  it('services, --index, --tail/-n, --no-log-prefix, -t, --no-color', async () => {
    const web = await p('logs', 'web');
    expect(web.stdout).not.toContain('other first');
    const second = await p('logs', '--index', '2', 'web');
    expect(second.stdout.split('\n').filter(Boolean).every((l) => l.startsWith('web-2  | '))).toBe(true);
    const missing = await p('logs', '--index', '3', 'web');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('service "web" is not running container #3');
    const tail = await p('logs', '--tail', '1', 'other');
    expect(tail.stdout).toBe('other-1  | other first\n');
    const n = await p('logs', '-n', '1', '--index', '1', 'web');
    expect(n.stdout).toBe('web-1  | web two\n');
    const bare = await p('logs', '--no-log-prefix', 'other');
    expect(bare.stdout).toBe('other first\n');
    const ts = await p('logs', '-t', 'other');
    expect(ts.stdout).toMatch(/^other-1 {2}\| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z other first\n$/);
    const colored = await berth(['-p', project, '--ansi', 'always', 'logs', 'other'], { cwd: dir });
    expect(colored.stdout).toContain('\x1b[');
    const mono = await berth(['-p', project, '--ansi', 'always', 'logs', '--no-color', 'other'], { cwd: dir });
    expect(mono.stdout).toBe('other-1  | other first\n');
    const unknown = await p('logs', 'nosuch');
    expect(unknown.code).not.toBe(0);
  });

  it('--since and --until', async () => {
    expect((await p('logs', '--since', '1h', 'other')).stdout).toBe('other-1  | other first\n');
    expect((await p('logs', '--until', '1h', 'other')).stdout).toBe('');
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await p('logs', '--since', future, 'other')).stdout).toBe('');
    expect((await p('logs', '--until', future, 'other')).stdout).toBe('other-1  | other first\n');
  });

  it('-f keeps following after berth restart and after a recreate, then ends when all have stopped', async () => {
    const child = spawn(process.execPath, [berthBin, '-p', project, 'logs', '-f', '--tail', '0'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    const waitOut = async (re: RegExp) => {
      for (let i = 0; i < 150 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(re);
    };
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const restart = await p('restart', 'web');
      expect(restart.code, restart.stderr).toBe(0);
      await waitOut(/web-1 +\| web run x\n[^]*/);
      await waitOut(/web-2 +\| web run x/);
      await writeFile(join(dir, 'compose.yaml'), compose('other second'));
      const recreate = await p('up', '-d', 'other');
      expect(recreate.code, recreate.stderr).toBe(0);
      await waitOut(/other-1 +\| other second/);
      // nothing printed twice
      expect(out.match(/web-1 +\| web run x/g)?.length).toBe(1);
      expect(out).not.toContain('other first');
      expect((await p('stop', '-t', '1')).code).toBe(0);
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
