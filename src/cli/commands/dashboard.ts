// `berth dashboard [--port N] [--open]`: serve the live page of the project on 127.0.0.1 until Ctrl-C.
// Prints the URL with its per-run token (the page refuses requests without it).
import { startDashboard } from '../../dashboard/server.js';
import { BerthError, ErrorCodes } from '../../model/errors.js';
import { EXIT_SIGINT } from '../exit-codes.js';
import { loadOptions, type GlobalOptions } from '../global.js';
import { installInterrupts } from '../signals.js';

export interface DashboardFlags extends GlobalOptions {
  port?: string;
  open?: boolean;
}

export async function dashboardCommand(o: DashboardFlags): Promise<number> {
  const port = o.port === undefined ? 0 : Number(o.port);
  if (!/^\d+$/.test(o.port ?? '0') || port > 65535) throw new BerthError(ErrorCodes.USAGE, `invalid --port value "${o.port}": expected a port number (0 to 65535)`);
  // --dry-run is accepted by every command (a persistent flag in compose); the dashboard's buttons change the
  // stack, so it is refused rather than silently ignored
  if (o.dryRun) throw new BerthError(ErrorCodes.USAGE, 'dashboard has no dry-run mode: its plan panel shows what `up` would do');
  const interrupts = installInterrupts();
  try {
    const d = await startDashboard({ project: loadOptions(o), port, signal: interrupts.stop });
    process.stdout.write(`berth dashboard: ${d.url}\n(press Ctrl+C to stop)\n`);
    if (o.open) openBrowser(d.url);
    await d.closed;
    return EXIT_SIGINT;
  } finally {
    interrupts.dispose();
  }
}

/** The desktop's opener, detached; a failure only means the user opens the printed URL. */
function openBrowser(url: string): void {
  void import('node:child_process').then(({ spawn }) => {
    const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => process.stderr.write(`could not open a browser (${cmd}); open ${url}\n`));
    child.unref();
  });
}
