// Process I/O over the Engine API: log streams, attach and exec connections (hijacked HTTP), archives.
// Kept apart from engine.ts, which delegates to these helpers with its lazily loaded modem.
import type { Duplex, Readable } from 'node:stream';
import { EngineError, ErrorCodes } from '../../model/errors.js';
import type { ContainerStats, OutputChunk, PathStat, ProcessIO } from '../types.js';
import { callName, toEngineError } from './errors.js';
import type { HttpCall } from './http.js';

/** The part of docker-modem used here. */
export interface Modem {
  dial(options: Record<string, unknown>, callback: (err: unknown, data: unknown) => void): void;
}

/** An HttpCall (the shape shared with http.ts) with what only docker-modem's dial can do. */
export interface RawDialOptions extends HttpCall {
  /** Upgrade the connection to a raw socket (attach, exec start). */
  readonly hijack?: boolean;
  /** Keep the request open for writing (stdin). */
  readonly openStdin?: boolean;
  /** A request body sent as is: a tar archive, in memory or streamed (a build context). */
  readonly file?: Buffer | NodeJS.ReadableStream;
  /** Extra request headers (registry credentials). */
  readonly headers?: Record<string, string>;
  /**
   * Send an empty body with Content-Length 0. A hijacked request without a body (attach with stdin) would
   * otherwise go out chunked and, kept open for stdin, never flush its headers: the engine never sees it.
   */
  readonly emptyBody?: boolean;
}

export function rawDial<T>(modem: Modem, o: RawDialOptions, address: string): Promise<T> {
  const statusCodes: Record<number, true> = {};
  for (const code of o.ok) statusCodes[code] = true;
  return new Promise<T>((resolve, reject) => {
    modem.dial(
      {
        path: `${o.path}?`,
        method: o.method,
        // _query/_body keep the query and the JSON body apart; an empty body ({}) is not sent at all, which
        // POST /start requires (engines reject a start body since API 1.24).
        options: { _query: o.query ?? {}, _body: o.body ?? {} },
        statusCodes,
        isStream: o.isStream ?? false,
        ...(o.hijack ? { hijack: true } : {}),
        ...(o.openStdin ? { openStdin: true } : {}),
        // docker-modem takes a given headers object as the whole header set
        ...(o.file || o.headers ? { headers: { ...(o.file ? { 'Content-Type': 'application/x-tar' } : {}), ...o.headers } } : {}),
        ...(o.file ? { file: o.file } : o.emptyBody ? { file: Buffer.alloc(0) } : {}),
        ...(o.signal ? { abortSignal: o.signal } : {}),
      },
      (err, data) => (err ? reject(toEngineError(err, address, callName(o.method, o.path))) : resolve(data as T)),
    );
  });
}

/** The engine reads since/until as "seconds[.nanoseconds]". */
export function engineTime(seconds: number): string {
  if (Number.isInteger(seconds)) return String(seconds);
  const whole = Math.floor(seconds);
  const nanos = Math.min(999_999_999, Math.round((seconds - whole) * 1e9));
  return `${whole}.${String(nanos).padStart(9, '0')}`;
}

/**
 * Incremental decoder of the multiplexed stream framing (8-byte header: stream byte, 3 zero bytes, big-endian
 * length). Frames may be split across chunks anywhere, header included.
 */
export class FrameDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): OutputChunk[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: OutputChunk[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const kind = this.pending[0];
      const data = this.pending.subarray(8, 8 + size);
      this.pending = this.pending.subarray(8 + size);
      if (size > 0) out.push({ stream: kind === 2 ? 'stderr' : 'stdout', data: Buffer.from(data) });
    }
    return out;
  }

  /** A truncated last frame keeps what arrived. */
  end(): OutputChunk[] {
    if (this.pending.length <= 8) return [];
    const rest = { stream: this.pending[0] === 2 ? ('stderr' as const) : ('stdout' as const), data: Buffer.from(this.pending.subarray(8)) };
    this.pending = Buffer.alloc(0);
    return [rest];
  }
}

/** Chunks of a raw or multiplexed engine stream, as OutputChunks; the stream is destroyed when iteration stops. */
export async function* outputOf(stream: Readable | Duplex, tty: boolean, address: string, signal?: AbortSignal): AsyncGenerator<OutputChunk> {
  const onAbort = () => stream.destroy();
  if (signal?.aborted) {
    stream.destroy();
    return;
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  const demux = new FrameDemuxer();
  try {
    for await (const chunk of stream) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      if (tty) yield { stream: 'stdout', data: buf };
      else yield* demux.push(buf);
    }
    if (!tty) yield* demux.end();
  } catch (err) {
    if (signal?.aborted) return;
    // A connection reset after the process ended is the normal end of a hijacked stream.
    if ((err as NodeJS.ErrnoException)?.code === 'ECONNRESET' || (err as NodeJS.ErrnoException)?.code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    throw toEngineError(err, address);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stream.destroy();
  }
}

/** A hijacked connection as ProcessIO. */
export function processIO(socket: Duplex, tty: boolean, withStdin: boolean, address: string): ProcessIO {
  return {
    output: { [Symbol.asyncIterator]: () => outputOf(socket, tty, address) },
    ...(withStdin ? { stdin: socket as unknown as NodeJS.WritableStream } : {}),
    close: () => socket.destroy(),
  };
}

type Json = Record<string, any>;

export function toPathStat(header: string | undefined, path: string): PathStat {
  if (!header) throw new EngineError(ErrorCodes.ENGINE_FAILED, `the engine sent no stat for ${path}`);
  const s = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as Json;
  return { name: String(s.name ?? ''), size: Number(s.size ?? 0), mode: Number(s.mode ?? 0), mtime: String(s.mtime ?? ''), linkTarget: String(s.linkTarget ?? '') };
}

export function toContainerStats(s: Json): ContainerStats {
  const cpu = s.cpu_stats ?? {};
  const pre = s.precpu_stats ?? {};
  const mem = s.memory_stats ?? {};
  const stats = mem.stats ?? {};
  let rx = 0;
  let tx = 0;
  for (const n of Object.values<Json>(s.networks ?? {})) {
    rx += Number(n.rx_bytes ?? 0);
    tx += Number(n.tx_bytes ?? 0);
  }
  let read = 0;
  let write = 0;
  for (const e of (s.blkio_stats?.io_service_bytes_recursive ?? []) as Json[]) {
    const op = String(e.op ?? '').toLowerCase();
    if (op === 'read') read += Number(e.value ?? 0);
    if (op === 'write') write += Number(e.value ?? 0);
  }
  return {
    cpuTotal: Number(cpu.cpu_usage?.total_usage ?? 0),
    preCpuTotal: Number(pre.cpu_usage?.total_usage ?? 0),
    systemCpu: Number(cpu.system_cpu_usage ?? 0),
    preSystemCpu: Number(pre.system_cpu_usage ?? 0),
    onlineCpus: Number(cpu.online_cpus ?? cpu.cpu_usage?.percpu_usage?.length ?? 1),
    memoryUsage: Number(mem.usage ?? 0),
    memoryLimit: Number(mem.limit ?? 0),
    memoryCache: Number(stats.total_inactive_file ?? stats.inactive_file ?? 0),
    networkRx: rx,
    networkTx: tx,
    blockRead: read,
    blockWrite: write,
    pids: Number(s.pids_stats?.current ?? 0),
  };
}
