import { describe, expect, it } from 'vitest';
import { createLogPrinter } from '../../../src/ui/log-prefixer.js';

function sinks() {
  const out = { stdout: '', stderr: '' };
  return { out, stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) } };
}
const line = (display: string, text: string, extra: Record<string, unknown> = {}) =>
  ({ type: 'line', service: display.replace(/-\d+$/, ''), container: `p-${display}`, display, stream: 'stdout', text, ...extra }) as const;

describe('log prefixer', () => {
  it('pads names to the widest known and separates with " | "', () => {
    const s = sinks();
    const print = createLogPrinter({ ...s, color: false, names: ['database-1', 'web-1'] });
    print(line('web-1', 'hello'));
    print(line('database-1', 'up'));
    expect(s.out.stdout).toBe('web-1       | hello\ndatabase-1  | up\n');
  });

  it('without names, the width grows as containers appear', () => {
    const s = sinks();
    const print = createLogPrinter({ ...s, color: false });
    print(line('web-1', 'a'));
    expect(s.out.stdout).toBe('web-1  | a\n');
  });

  it('one colour per service, in order of appearance; none with color=false', () => {
    const s = sinks();
    const print = createLogPrinter({ ...s, color: true });
    print({ type: 'attaching', displays: ['db-1', 'web-1'] });
    print(line('web-1', 'x'));
    print(line('db-1', 'y'));
    expect(s.out.stdout).toContain('\u001b[33mweb-1  | \u001b[39mx');
    expect(s.out.stdout).toContain('\u001b[36mdb-1   | \u001b[39my');
  });

  it('--no-log-prefix, timestamps, stderr split, status lines', () => {
    const s = sinks();
    const print = createLogPrinter({ ...s, color: false, prefix: false, splitStderr: true });
    print(line('web-1', 'plain', { timestamp: '2024-01-01T00:00:00.000000000Z' }));
    print(line('web-1', 'oops', { stream: 'stderr' }));
    print({ type: 'exited', service: 'web', display: 'web-1', exitCode: 3 });
    print({ type: 'notice', text: 'Aborting on container exit...' });
    expect(s.out.stdout).toBe('2024-01-01T00:00:00.000000000Z plain\nweb-1 exited with code 3\n');
    expect(s.out.stderr).toBe('oops\nAborting on container exit...\n');
  });
});
