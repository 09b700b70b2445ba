// Readiness beyond compose's healthchecks, per service: an HTTP path answering, a TCP port accepting, or a
// log line matching. HTTP and TCP checks must poll (nothing announces an open port); a log match follows the
// container's log stream and resolves on the line itself.
import { connect } from 'node:net';
import type { Engine } from '../engine/types.js';
import { ErrorCodes, OperationError } from '../model/errors.js';

export type WaitStrategy =
  | { readonly http: string; readonly port: number; readonly status?: (code: number) => boolean }
  | { readonly port: number }
  | { readonly log: RegExp };

export interface ReadinessTarget {
  readonly service: string;
  readonly containerId: string;
  readonly containerName: string;
  /** container port/protocol → published host port */
  readonly hostPort: (target: number) => number | undefined;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function waitReady(engine: Engine, target: ReadinessTarget, strategy: WaitStrategy, signal: AbortSignal): Promise<void> {
  const fail = (why: string) => new OperationError(ErrorCodes.UNHEALTHY, `service "${target.service}" (container ${target.containerName}) is not ready: ${why}`, { service: target.service });
  if ('log' in strategy) {
    let rest = '';
    for await (const chunk of engine.logStream(target.containerId, { follow: true, tail: 'all', signal })) {
      rest += chunk.data.toString('utf8');
      const lines = rest.split('\n');
      rest = lines.pop() ?? '';
      if (lines.some((l) => strategy.log.test(l)) || strategy.log.test(rest)) return;
    }
    throw fail(`its output ended without a line matching ${strategy.log}`);
  }
  const published = target.hostPort(strategy.port);
  if (!published) throw fail(`container port ${strategy.port} is not published on the host`);
  for (;;) {
    if ('http' in strategy) {
      try {
        const res = await fetch(`http://127.0.0.1:${published}${strategy.http.startsWith('/') ? '' : '/'}${strategy.http}`, { signal: AbortSignal.any([signal, AbortSignal.timeout(2000)]) });
        await res.arrayBuffer();
        if ((strategy.status ?? ((c: number) => c >= 200 && c < 400))(res.status)) return;
      } catch (err) {
        if (signal.aborted) throw err;
      }
    } else if (await tcpOpen(published)) {
      return;
    }
    await sleep(100, signal);
  }
}
