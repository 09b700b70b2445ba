// A real pseudo-terminal for e2e tests of interactive paths, through tmux (installed by scripts/setup-test-env.sh).
// Each session runs on its own tmux server socket, so tests never see each other's sessions.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { berthBin } from './e2e.js';

const exec = promisify(execFile);

export interface Terminal {
  /** Type keys (tmux key names: "C-c", "Enter", or literal text with literal=true). */
  send(keys: string, literal?: boolean): Promise<void>;
  /** What the screen shows now (plus scrollback). */
  screen(): Promise<string>;
  /** Poll the screen until it matches, or fail with the screen in the message. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** The exit code of the command, once it has exited (polls). */
  exitCode(timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

export async function hasTmux(): Promise<boolean> {
  try {
    await exec('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Run `berth args...` in a fresh terminal of the given size; the exit code is recorded when it ends. */
export async function berthInTerminal(args: readonly string[], options: { cwd: string; env?: Record<string, string>; columns?: number; rows?: number }): Promise<Terminal> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-pty-'));
  const socket = `berth-e2e-${randomBytes(4).toString('hex')}`;
  const rcFile = join(dir, 'rc');
  const env = Object.entries({ CI: '', NO_COLOR: '', TERM: 'xterm-256color', ...options.env }).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ');
  const command = `cd ${shellQuote(options.cwd)} && env ${env} ${shellQuote(process.execPath)} ${shellQuote(berthBin)} ${args.map(shellQuote).join(' ')}; echo $? > ${shellQuote(rcFile)}; sleep 600`;
  const tmux = (...a: string[]) => exec('tmux', ['-L', socket, ...a]);
  await tmux('new-session', '-d', '-s', 'main', '-x', String(options.columns ?? 160), '-y', String(options.rows ?? 50), command);
  const screen = async () => (await tmux('capture-pane', '-p', '-J', '-S', '-2000', '-t', 'main')).stdout;
  return {
    send: async (keys, literal) => {
      await tmux('send-keys', '-t', 'main', ...(literal ? ['-l'] : []), keys);
    },
    screen,
    waitFor: async (pattern, timeoutMs = 30_000) => {
      const until = Date.now() + timeoutMs;
      let last = '';
      for (;;) {
        last = await screen();
        if (typeof pattern === 'string' ? last.includes(pattern) : pattern.test(last)) return last;
        if (Date.now() > until) throw new Error(`terminal never showed ${pattern}; screen:\n${last}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    exitCode: async (timeoutMs = 30_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const rc = await readFile(rcFile, 'utf8').catch(() => '');
        if (rc.trim() !== '') return Number(rc.trim());
        if (Date.now() > until) throw new Error(`command did not exit; screen:\n${await screen()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    close: async () => {
      await tmux('kill-server').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
