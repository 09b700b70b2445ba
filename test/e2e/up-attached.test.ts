// Issue 5: attached `up` — prefixed output, attach/no-attach selection, abort and exit-code-from, flag rules,
// and Ctrl-C (twice) through a real terminal.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, cleanup, composeRef, describeEngine, docker, projectDir, uniqueProject } from '../helpers/e2e.js';
import { berthInTerminal, hasTmux } from '../helpers/pty.js';

const files = {
  // one line and exit at once: the line must not be lost
  'oneline.yaml': `
services:
  oneline:
    image: busybox:local
    command: ["echo", "just one line"]
`,
  'exit.yaml': `
services:
  svc:
    image: busybox:local
    init: true
    command: ["sh", "-c", "echo svc up; sleep \${SVC_SLEEP:-0}; exit \${SVC_CODE:-3}"]
  other:
    image: busybox:local
    init: true
    command: ["sh", "-c", "echo other up; sleep \${OTHER_SLEEP:-30}; exit \${OTHER_CODE:-0}"]
`,
  'attach.yaml': `
services:
  app:
    image: busybox:local
    command: ["sh", "-c", "echo app line; echo app err >&2"]
    depends_on: [dep]
  dep:
    image: busybox:local
    command: ["sh", "-c", "echo dep line"]
  quiet:
    image: busybox:local
    attach: false
    command: ["sh", "-c", "echo quiet line"]
`,
  // a healthy dependency and a dependent that exits: the attached progress and the abort's stop order
  'order.yaml': `
services:
  a:
    image: busybox:local
    init: true
    command: ["sh", "-c", "echo hi-a; sleep 30"]
    healthcheck: { test: ["CMD", "true"], interval: 1s }
  b:
    image: busybox:local
    command: ["sh", "-c", "echo hi-b"]
    depends_on: { a: { condition: service_healthy } }
`,
  'ctrlc.yaml': `
services:
  web:
    image: busybox:local
    command: ["sh", "-c", "echo web ready; sleep 60"]
  db:
    image: busybox:local
    init: true
    command: ["sh", "-c", "echo db ready; sleep 60"]
`,
};

describeEngine('berth up (attached)', () => {
  const projects: string[] = [];
  let dir = '';
  const project = (tag: string) => {
    const p = uniqueProject(`att-${tag}`);
    projects.push(p);
    return p;
  };
  const up = (p: string, file: string, args: string[], env: Record<string, string> = {}) => berth(['-p', p, '-f', file, '--progress', 'plain', 'up', ...args], { cwd: dir, env });
  const exitCodeOf = async (name: string) => Number((await docker(['inspect', '-f', '{{.State.ExitCode}}', name])).stdout.trim());

  beforeAll(async () => {
    dir = await projectDir(files);
  });
  afterAll(async () => {
    for (const p of projects) await cleanup(p);
    await cleanup(projects[0] ?? uniqueProject('none'), dir);
  });

  it('prints a line of a service that exits at once, prefixed, and exits 0', async () => {
    const p = project('one');
    const r = await up(p, 'oneline.yaml', []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Attaching to oneline-1\n');
    expect(r.stdout).toContain('oneline-1  | just one line\n');
    expect(r.stdout).toContain('oneline-1 exited with code 0\n');
  });

  it('--no-log-prefix, --timestamps, --no-color', async () => {
    const p = project('fmt');
    const bare = await up(p, 'oneline.yaml', ['--no-log-prefix']);
    expect(bare.stdout.split('\n')).toContain('just one line');
    const ts = await up(p, 'oneline.yaml', ['--timestamps']);
    expect(ts.stdout).toMatch(/oneline-1 {2}\| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z just one line\n/);
    const colored = await berth(['-p', p, '-f', 'oneline.yaml', '--ansi', 'always', 'up'], { cwd: dir });
    expect(colored.stdout).toContain('\u001b[36moneline-1  | \u001b[39mjust one line');
    const mono = await berth(['-p', p, '-f', 'oneline.yaml', '--ansi', 'always', 'up', '--no-color'], { cwd: dir });
    expect(mono.stdout).toContain('oneline-1  | just one line');
    expect(mono.stdout).not.toContain('\u001b[');
  });

  it('pads prefixes to the longest name; stderr lines go to stderr; attach: false and dependencies are not attached', async () => {
    const p = project('sel');
    const r = await up(p, 'attach.yaml', ['app']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Attaching to app-1\n');
    expect(r.stdout).toContain('app-1  | app line\n');
    expect(r.stderr).toContain('app-1  | app err\n');
    expect(r.stdout).not.toContain('dep line');

    const all = await up(p, 'attach.yaml', []);
    expect(all.stdout).toContain('Attaching to app-1, dep-1\n');
    expect(all.stdout).not.toContain('quiet line');
    expect(all.stdout).toContain('dep-1  | dep line\n');

    const deps = await up(p, 'attach.yaml', ['app', '--attach-dependencies']);
    expect(deps.stdout).toContain('Attaching to app-1, dep-1\n');

    const only = await up(p, 'attach.yaml', ['--attach', 'quiet']);
    expect(only.stdout).toContain('Attaching to quiet-1\n');
    expect(only.stdout).toContain('quiet-1  | quiet line\n');
    expect(only.stdout).not.toContain('app line');

    const without = await up(p, 'attach.yaml', ['--no-attach', 'dep']);
    expect(without.stdout).toContain('Attaching to app-1\n');
    expect(without.stdout).not.toContain('dep line');
  });

  it('--exit-code-from: the service exits first → its code', async () => {
    const p = project('ecf1');
    const r = await up(p, 'exit.yaml', ['--exit-code-from', 'svc'], { SVC_CODE: '3' });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('Aborting on container exit...');
    expect(r.stdout).toContain('svc-1 exited with code 3');
    expect((await docker(['inspect', '-f', '{{.State.Running}}', `${p}-other-1`])).stdout.trim()).toBe('false');
  });

  it('--exit-code-from: another service exits first → the named service\'s own code (docker/compose#11712)', async () => {
    const p = project('ecf2');
    const r = await up(p, 'exit.yaml', ['--exit-code-from', 'svc'], { SVC_SLEEP: '60', OTHER_SLEEP: '1', OTHER_CODE: '7' });
    // svc was stopped by the abort: SIGTERM through init → 143, and that is what berth returns (not other's 7)
    const own = await exitCodeOf(`${p}-svc-1`);
    expect(own).toBe(143);
    expect(r.code, r.stderr).toBe(own);
  });

  it('--exit-code-from: the service is killed → 137', async () => {
    const p = project('ecf3');
    const running = up(p, 'exit.yaml', ['--exit-code-from', 'svc'], { SVC_SLEEP: '60' });
    for (let i = 0; i < 100; i++) {
      const s = await docker(['inspect', '-f', '{{.State.Running}}', `${p}-svc-1`]);
      if (s.stdout.trim() === 'true') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await docker(['kill', `${p}-svc-1`]);
    const r = await running;
    expect(r.code, r.stderr).toBe(137);
  });

  it('--abort-on-container-exit returns the code of the container that exited', async () => {
    const p = project('abort');
    const r = await up(p, 'exit.yaml', ['--abort-on-container-exit'], { SVC_CODE: '5' });
    expect(r.code, r.stderr).toBe(5);
    // only the deciding exit is reported, as compose's: not those of the containers stopped for the abort
    expect(r.stdout).toContain('svc-1 exited with code 5');
    expect(r.stdout).not.toContain('other-1 exited with code');
  });

  it('prints what compose-ref prints: the convergence only (no Starting, Started, Waiting, Healthy), then stops dependents first', async () => {
    const [pb, pc] = [project('order'), project('order')];
    const [b, c] = await Promise.all([up(pb, 'order.yaml', ['--abort-on-container-exit']), composeRef(['-p', pc, '-f', 'order.yaml', '--progress', 'plain', 'up', '--abort-on-container-exit'], { cwd: dir })]);
    // compose erases the line before each log line (ESC [2K), terminal or not
    const norm = (text: string, p: string) => text.replaceAll(p, 'P').replaceAll('\x1b[2K', '');
    expect(b.code, b.stderr).toBe(c.code);
    expect(norm(b.stderr, pb)).toBe(norm(c.stderr, pc));
    expect(norm(b.stderr, pb)).not.toMatch(/Starting|Started|Waiting|Healthy/);
    expect(norm(b.stdout, pb)).toBe(norm(c.stdout, pc));
  });

  it('--abort-on-container-failure ignores a success and aborts on a failure', async () => {
    const p = project('fail');
    const ok = await up(p, 'exit.yaml', ['--abort-on-container-failure'], { SVC_CODE: '0', OTHER_SLEEP: '2', OTHER_CODE: '0' });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).not.toContain('Aborting');
    expect(ok.stdout).toContain('other-1 exited with code 0');
    const bad = await up(p, 'exit.yaml', ['--abort-on-container-failure'], { SVC_CODE: '6' });
    expect(bad.code, bad.stderr).toBe(6);
    expect(bad.stderr).toContain('Aborting on container exit...');
  });

  it('flag rules as compose: -d/--wait against attach and abort flags', async () => {
    const p = project('flags');
    for (const args of [['-d', '--abort-on-container-exit'], ['-d', '--attach', 'svc'], ['--wait', '--exit-code-from', 'svc'], ['--attach', 'svc', '--attach-dependencies'], ['-d', '--attach-dependencies']]) {
      const ours = await up(p, 'exit.yaml', args);
      const ref = await composeRef(['-p', p, '-f', 'exit.yaml', 'up', ...args], { cwd: dir });
      expect(ours.code, `${args.join(' ')}: ${ours.stderr}`).not.toBe(0);
      expect(ref.code, `${args.join(' ')}: compose-ref`).not.toBe(0);
      expect(ours.stderr).toMatch(/cannot be combined|incompatible/);
    }
    expect((await docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${p}`])).stdout.trim()).toBe('');
  });

  it('Ctrl-C stops gracefully and says a second one forces; the second kills; exit 130', async (ctx) => {
    if (!(await hasTmux())) ctx.skip();
    const p = project('ctrlc');
    const term = await berthInTerminal(['-p', p, '-f', 'ctrlc.yaml', 'up'], { cwd: dir });
    try {
      await term.waitFor(/web-1 +\| web ready/);
      await term.waitFor(/db-1 +\| db ready/);
      await term.send('C-c');
      await term.waitFor('Gracefully stopping... (press Ctrl+C again to force)');
      // db (init) stops at once; web (sh as PID 1 ignores SIGTERM) would take 10 s: force it
      await term.send('C-c');
      expect(await term.exitCode(20_000)).toBe(130);
      const states = (await docker(['ps', '-a', '--filter', `label=com.docker.compose.project=${p}`, '--format', '{{.Names}} {{.State}}'])).stdout.trim().split('\n').sort();
      expect(states).toEqual([`${p}-db-1 exited`, `${p}-web-1 exited`]);
      expect(await exitCodeOf(`${p}-web-1`)).toBe(137);
    } finally {
      await term.close();
    }
  });
});
