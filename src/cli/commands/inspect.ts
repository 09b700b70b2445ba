// top, port, images, ls, stats, events, cp, attach, scale: thin wrappers over the API, printing what compose
// 2.26 prints (tables, JSON field names).
import * as api from '../../api/runtime.js';
import { BerthError, ErrorCodes } from '../../model/errors.js';
import { GO_JSON, GO_TYPE, GoMap, renderComposeList, renderFormat } from '../../ui/docker-format.js';
import { textWidth, renderTable } from '../../ui/table.js';
import { binarySize, humanSize } from '../../ui/units.js';
import { EXIT_OK } from '../exit-codes.js';
import { loadOptions, progressFor, type GlobalOptions } from '../global.js';
import { installInterrupts } from '../signals.js';
import { terminal } from './exec.js';
import { parseIndex } from './logs.js';
import { parseScale } from './up.js';

interface Flags extends GlobalOptions {
  index?: string;
  protocol?: string;
  format?: string;
  quiet?: boolean;
  all?: boolean;
  filter?: string[];
  json?: boolean;
  since?: string;
  until?: string;
  stream?: boolean;
  noTrunc?: boolean;
  archive?: boolean;
  followLink?: boolean;
  stdin?: boolean;
  deps?: boolean;
}

const write = (s: string) => void process.stdout.write(s);

/**
 * compose's top table: every process cell is tab-terminated (so the last column is padded too), the title
 * line is not; tabwriter with minwidth 5 and padding 3.
 */
export function topTable(titles: readonly string[], processes: readonly (readonly string[])[]): string {
  const widths = titles.map((t, i) => Math.max(5, ...processes.map((p) => textWidth(p[i] ?? '') + 3), i < titles.length - 1 ? textWidth(t) + 3 : 0));
  const pad = (cells: readonly string[], last: boolean) => cells.map((c, i) => (i < cells.length - 1 || last ? c + ' '.repeat(Math.max(0, widths[i] - textWidth(c))) : c)).join('');
  return [pad(titles, false), ...processes.map((p) => pad(p, true))].map((l) => `${l}\n`).join('');
}

export async function topCommand(services: string[], o: Flags): Promise<number> {
  const entries = await api.top({ project: loadOptions(o), services });
  for (const e of entries) write(`${e.name}\n${topTable(e.titles, e.processes)}\n`);
  return EXIT_OK;
}

export async function portCommand(service: string, privatePort: string, o: Flags): Promise<number> {
  const n = Number(privatePort);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new BerthError(ErrorCodes.USAGE, `invalid port "${privatePort}"`);
  write(`${await api.port({ project: loadOptions(o), service, privatePort: n, protocol: o.protocol, index: parseIndex(o.index) })}\n`);
  return EXIT_OK;
}

export async function imagesCommand(services: string[], o: Flags): Promise<number> {
  const entries = await api.images({ project: loadOptions(o), services });
  if (o.quiet) write([...new Set(entries.map((e) => e.id.replace(/^sha256:/, '')))].map((id) => `${id}\n`).join(''));
  else {
    const rows = entries.map((e) => ({ ID: e.id, ContainerName: e.container, Repository: e.repository, Tag: e.tag, Size: e.size }));
    write(renderComposeList(o.format ?? 'table', rows, () => renderTable(['CONTAINER', 'REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE'], entries.map((e) => [e.container, e.repository, e.tag, e.id.replace(/^sha256:/, '').slice(0, 12), humanSize(e.size)]), { minWidth: 20 })));
  }
  return EXIT_OK;
}

export async function lsCommand(o: Flags): Promise<number> {
  let name: string | undefined;
  for (const f of o.filter ?? []) {
    const m = /^name=(.*)$/.exec(f);
    if (!m) throw new BerthError(ErrorCodes.USAGE, `invalid filter "${f}": only name=<text> is supported`);
    name = m[1];
  }
  const entries = await api.ls({ all: o.all, name });
  if (o.quiet) write(entries.map((e) => `${e.name}\n`).join(''));
  else {
    const rows = entries.map((e) => ({ Name: e.name, Status: e.status, ConfigFiles: e.configFiles }));
    write(renderComposeList(o.format ?? 'table', rows, () => renderTable(['NAME', 'STATUS', 'CONFIG FILES'], entries.map((e) => [e.name, e.status, e.configFiles]), { minWidth: 20 })));
  }
  return EXIT_OK;
}

/** docker's stats line for one sample (docker CLI's formulas: CPU share of all cores, memory without cache). */
export function statsFields(e: api.StatsEntry, noTrunc = false): Record<string, string> {
  const id = noTrunc ? e.id : e.id.slice(0, 12);
  const s = e.stats;
  if (!s) return { BlockIO: '--', CPUPerc: '--', Container: id, ID: id, MemPerc: '--', MemUsage: '-- / --', Name: e.name, NetIO: '--', PIDs: '--' };
  const cpuDelta = s.cpuTotal - s.preCpuTotal;
  const systemDelta = s.systemCpu - s.preSystemCpu;
  const cpu = cpuDelta > 0 && systemDelta > 0 ? (cpuDelta / systemDelta) * s.onlineCpus * 100 : 0;
  const mem = s.memoryCache < s.memoryUsage ? s.memoryUsage - s.memoryCache : s.memoryUsage;
  const memPerc = s.memoryLimit ? (mem / s.memoryLimit) * 100 : 0;
  return {
    BlockIO: `${humanSize(s.blockRead)} / ${humanSize(s.blockWrite)}`,
    CPUPerc: `${cpu.toFixed(2)}%`,
    Container: id,
    ID: id,
    MemPerc: `${memPerc.toFixed(2)}%`,
    MemUsage: `${binarySize(mem)} / ${binarySize(s.memoryLimit)}`,
    Name: e.name,
    NetIO: `${humanSize(s.networkRx)} / ${humanSize(s.networkTx)}`,
    PIDs: String(s.pids),
  };
}

/** docker's default stats columns and their names (docker/cli's container stats formatter). */
export const STATS_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';
export const STATS_HEADERS: Readonly<Record<string, string>> = {
  Container: 'CONTAINER',
  Name: 'NAME',
  ID: 'CONTAINER ID',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

export async function statsCommand(services: string[], o: Flags & { trunc?: boolean }): Promise<number> {
  const format = o.format || 'table';
  // a live display needs a terminal redraw loop; berth prints samples (--no-stream: exactly one)
  const interrupts = o.stream !== false ? installInterrupts() : undefined;
  try {
    do {
      const rows = (await api.stats({ project: loadOptions(o), services, all: o.all })).map((e) => {
        const fields = statsFields(e, o.trunc === false);
        return { [GO_TYPE]: '*container.statsContext', [GO_JSON]: () => new GoMap(fields), ...fields };
      });
      write(renderFormat(format, rows, { defaultTable: STATS_TABLE, headers: STATS_HEADERS }));
    } while (interrupts && !interrupts.stop.aborted);
  } finally {
    interrupts?.dispose();
  }
  return EXIT_OK;
}

/** RFC 3339 with nanoseconds, trailing zeros dropped (Go's RFC3339Nano). */
function rfc3339Nano(e: api.ProjectEvent): string {
  const frac = String(e.timeNano % 1_000_000_000n).padStart(9, '0').replace(/0+$/, '');
  return `${e.time.toISOString().slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

export async function eventsCommand(services: string[], o: Flags): Promise<number> {
  const interrupts = installInterrupts();
  try {
    const { parseTimeArg } = await import('../../model/logs.js');
    const time = (value: string | undefined, flag: string) => {
      try {
        return parseTimeArg(value);
      } catch (err) {
        throw new BerthError(ErrorCodes.USAGE, `invalid ${flag}: ${(err as Error).message}`);
      }
    };
    await api.events({
      project: loadOptions(o),
      services,
      since: time(o.since, '--since'),
      until: time(o.until, '--until'),
      signal: interrupts.stop,
      onEvent: (e) => {
        const attrs = Object.entries(e.attributes).sort(([a], [b]) => (a < b ? -1 : 1));
        if (o.json) write(`${JSON.stringify({ action: e.action, attributes: Object.fromEntries(attrs), id: e.id, service: e.service, time: rfc3339Nano(e), type: e.type })}\n`);
        else {
          const micros = String((e.timeNano / 1000n) % 1_000_000n).padStart(6, '0');
          write(`${e.time.toISOString().slice(0, 19).replace('T', ' ')}.${micros} ${e.type} ${e.action} ${e.id} (${attrs.map(([k, v]) => `${k}=${v}`).join(', ')})\n`);
        }
      },
    });
  } finally {
    interrupts.dispose();
  }
  return EXIT_OK;
}

/** "service:/path" → [service, path]; a Windows-like or plain path has no service. */
function splitServicePath(arg: string): [string, string] | undefined {
  const m = /^([a-zA-Z0-9][a-zA-Z0-9_.-]*):(.*)$/.exec(arg);
  return m ? [m[1], m[2]] : undefined;
}

export async function cpCommand(src: string, dest: string, o: Flags & { all?: boolean }): Promise<number> {
  const from = splitServicePath(src);
  const to = splitServicePath(dest);
  if (from && to) throw new BerthError(ErrorCodes.USAGE, 'copying between services is not supported');
  if (!from && !to) throw new BerthError(ErrorCodes.USAGE, 'must specify at least one container source');
  const [service, containerPath] = (from ?? to)!;
  const progress = await progressFor(o);
  try {
    await api.cp({
      project: loadOptions(o),
      service,
      containerPath,
      hostPath: from ? dest : src,
      direction: from ? 'from-container' : 'to-container',
      index: parseIndex(o.index),
      all: o.all,
      archive: o.archive,
      followLink: o.followLink,
      onEvent: progress.onEvent,
    });
  } finally {
    await progress.done();
  }
  return EXIT_OK;
}

/** Signals `attach` passes on to a non-TTY container (docker forwards every catchable one; these are the usual). */
const PROXIED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

function processSignals(forward: (signal: string) => void): () => void {
  const handlers = PROXIED_SIGNALS.map((sig) => [sig, () => forward(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}

export async function attachCommand(service: string, o: Flags & { sigProxy?: boolean; detachKeys?: string }): Promise<number> {
  const tty = !!process.stdin.isTTY && !!process.stdout.isTTY;
  if (tty) process.stdin.setRawMode(true);
  try {
    return await api.attach({
      project: loadOptions(o),
      service,
      index: parseIndex(o.index),
      noStdin: o.stdin === false,
      detachKeys: o.detachKeys,
      // --sig-proxy (default true; --sig-proxy=false or --no-sig-proxy turn it off)
      signals: o.sigProxy === false ? undefined : processSignals,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      terminal: tty ? terminal() : undefined,
    });
  } finally {
    if (tty) process.stdin.setRawMode(false);
    process.stdin.pause();
    process.stdin.destroy();
  }
}

export async function scaleCommand(specs: string[], o: Flags): Promise<number> {
  const scale = parseScale(specs);
  if (!scale) throw new BerthError(ErrorCodes.USAGE, 'scale needs at least one SERVICE=NUM');
  const progress = await progressFor(o);
  try {
    await api.scale({ project: loadOptions(o), scale, noDeps: o.deps === false, onEvent: progress.onEvent });
  } finally {
    await progress.done();
  }
  return EXIT_OK;
}
