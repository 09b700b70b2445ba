// exec -it / run -it (issue 16): under a terminal (tmux) and without one, berth does what compose-ref does in
// each case, run side by side on the same stack: a TTY when stdout is a terminal, none with -T or when piped,
// and "the input device is not a TTY" (exit 1) when a TTY is asked for while stdin is not a terminal.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, berthBin, cleanup, composeRef, describeEngine, projectDir, run, uniqueProject } from '../helpers/e2e.js';
import { hasTmux } from '../helpers/pty.js';

const exec = promisify(execFile);
const compose = `
services:
  web:
    image: busybox:local
    init: true
    command: ["sleep", "600"]
`;

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const tools = { berth: [process.execPath, berthBin], compose: ['compose-ref'] } as const;

/** Run a shell line in a fresh tmux terminal (stdin and stdout the terminal); its screen and exit code. */
async function inTerminal(cwd: string, line: string): Promise<{ screen: string; code: number }> {
  const socket = `berth-e2e-tty-${randomBytes(4).toString('hex')}`;
  const tmux = (...a: string[]) => exec('tmux', ['-L', socket, ...a]);
  await tmux('new-session', '-d', '-s', 'main', '-x', '160', '-y', '40', `cd ${shellQuote(cwd)} && env CI= NO_COLOR=1 TERM=xterm sh -c ${shellQuote(line)}; echo "rc=$?"; sleep 600`);
  try {
    const until = Date.now() + 60_000;
    for (;;) {
      const screen = (await tmux('capture-pane', '-p', '-J', '-t', 'main')).stdout;
      const m = /^rc=(\d+)$/m.exec(screen);
      if (m) return { screen: screen.slice(0, m.index).replace(/\s+$/, ''), code: Number(m[1]) };
      if (Date.now() > until) throw new Error(`no exit code; screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await tmux('kill-server').catch(() => {});
  }
}

const normalise = (s: string) => s.replace(/\/dev\/pts\/\d+/g, '/dev/pts/N').replace(/\r/g, '');

describeEngine('exec -it / run -it, with and without a terminal, as compose-ref', () => {
  const project = uniqueProject('tty');
  let dir = '';
  let tmux = false;
  beforeAll(async () => {
    tmux = await hasTmux();
    // CI installs tmux (scripts/setup-test-env.sh); it must not be skipped there
    if (process.env.CI) expect(tmux, 'tmux is required').toBe(true);
    dir = await projectDir({ 'compose.yaml': compose });
    const up = await berth(['-p', project, 'up', '-d'], { cwd: dir });
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await cleanup(project, dir);
  });

  describe('under a terminal', () => {
    it.each([
      ['exec -it web tty', /^\/dev\/pts\/N$/, 0],
      ['run --rm -it web tty', /^\/dev\/pts\/N$/, 0],
      ['exec web tty', /^\/dev\/pts\/N$/, 0],
      ['exec -T web tty', /^not a tty$/, 1],
      ['run --rm -T web tty', /^not a tty$/, 1],
      // stdout a terminal, stdin a pipe: a TTY is asked for and refused, as the docker CLI refuses it
      ['echo x | $T exec web tty', /the input device is not a TTY$/, 1],
      ['echo x | $T exec -it web tty', /the input device is not a TTY$/, 1],
      ['echo x | $T run --rm web tty', /the input device is not a TTY$/, 1],
      ['echo x | $T exec -T web cat', /^x$/, 0],
    ])('%s', async (line, expected, code) => {
      if (!tmux) return;
      const results = await Promise.all(
        Object.values(tools).map((t) => {
          const bin = `${t.map(shellQuote).join(' ')} -p ${project}`;
          return inTerminal(dir, line.includes('$T') ? line.replace('$T', bin) : `${bin} ${line}`);
        }),
      );
      const [b, c] = results.map((r) => ({ screen: normalise(r.screen), code: r.code }));
      expect(c!.screen, 'compose-ref').toMatch(expected);
      expect(c!.code, 'compose-ref').toBe(code);
      expect(b).toEqual(c);
    });
  });

  describe('without a terminal (pipes)', () => {
    it.each([
      ['exec -it web sh -c "echo hi; tty"'],
      ['exec -t web tty'],
      ['exec -T web tty'],
      ['run --rm -it web tty'],
      ['run --rm -t web tty'],
      ['run --rm -i web tty'],
      ['exec -i=false web sh -c "cat; echo done"'],
      ['exec web sh -c "cat; echo done"'],
      ['exec -T --interactive=true web cat'],
    ])('%s', async (line) => {
      const argv = line.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ''));
      // the same input on a pipe for both
      const [b, c] = await Promise.all([
        run(process.execPath, ['--', berthBin, '-p', project, ...argv], { cwd: dir, input: 'input\n' }),
        run('compose-ref', ['-p', project, ...argv], { cwd: dir, input: 'input\n' }),
      ]);
      expect(b).toEqual(c);
    });
  });

  it('compose-ref is there to compare with', async () => {
    expect((await composeRef(['version'])).code).toBe(0);
  });
});
