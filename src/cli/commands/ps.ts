import { ps, type PsEntry } from '../../api/up-down.js';
import { BerthError, ErrorCodes } from '../../model/errors.js';
import { GO_JSON, GO_TYPE, GoMap, goNilSlice, renderFormat } from '../../ui/docker-format.js';
import { createdAgo, ellipsis, formatPorts, truncateCommand } from '../../ui/format.js';
import { EXIT_OK } from '../exit-codes.js';
import { loadOptions, type GlobalOptions } from '../global.js';

interface PsFlags extends GlobalOptions {
  all?: boolean;
  quiet?: boolean;
  services?: boolean;
  format: string;
  status?: string[];
  filter?: string;
  /** false with --no-trunc */
  trunc?: boolean;
  /** false with --orphans=false */
  orphans?: boolean;
}

/** compose's default `ps` columns. */
export const PS_TABLE = 'table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}';

/** The column names of compose's container formatter, for `table` templates. */
export const PS_HEADERS: Readonly<Record<string, string>> = {
  ID: 'CONTAINER ID',
  Name: 'NAME',
  Project: 'PROJECT',
  Service: 'SERVICE',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Labels: 'LABELS',
};

/**
 * One object per container, with the fields `docker compose ps --format json` prints. Unless noTrunc, the
 * ID is cut to 12 characters, the command to 20 and mount names to 15, as compose's formatter does.
 */
export function psJson(e: PsEntry, now = Date.now(), noTrunc = false): Record<string, unknown> {
  const c = e.container;
  const created = new Date(c.created * 1000);
  return {
    Command: truncateCommand(c.command, { noTrunc }),
    CreatedAt: `${created.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} +0000 UTC`,
    ExitCode: e.exitCode ?? 0,
    Health: e.health ?? '',
    ID: noTrunc ? c.id : c.id.slice(0, 12),
    Image: c.image,
    Labels: Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join(','),
    LocalVolumes: String(c.mounts.filter((m) => m.type === 'volume').length),
    Mounts: c.mounts.map((m) => m.name ?? m.source ?? '').map((m) => (noTrunc ? m : ellipsis(m, 15))).join(','),
    Name: c.name,
    Names: c.name,
    Networks: c.networks.join(','),
    Ports: formatPorts(c.ports),
    Project: e.project,
    // compose prints null (a nil Go slice), not [], for a container without ports, and sorts the others
    // by container port (the engine lists them in no fixed order)
    Publishers: c.ports.length ? [...c.ports].sort((a, b) => a.privatePort - b.privatePort).map((p) => ({ URL: p.ip ?? '', TargetPort: p.privatePort, PublishedPort: p.publicPort ?? 0, Protocol: p.type })) : null,
    RunningFor: createdAgo(c.created * 1000, now),
    Service: e.service,
    Size: '0B',
    State: c.state,
    Status: c.status,
  };
}

/** A container as compose's Go templates see it: its fields, `.Label "key"`, and `{{json .}}` as psJson. */
export function psRow(e: PsEntry, now = Date.now(), noTrunc = false): Record<string | symbol, unknown> {
  const fields = psJson(e, now, noTrunc);
  const labels = e.container.labels;
  return {
    [GO_TYPE]: '*formatter.ContainerContext',
    // compose marshals the row with encoding/json, which escapes <, > and & (its "->" of Ports is "-\u003e")
    [GO_JSON]: () => new GoMap(fields, {}),
    ...fields,
    // a container without ports has a nil slice: "[]" in a template, null in JSON
    Publishers: fields.Publishers ?? goNilSlice(),
    Label: (name: string) => labels[name] ?? '',
  };
}

/** compose's --filter KEY=VAL: only status, as more --status values. */
export function parsePsFilter(filter: string | undefined): string[] {
  if (filter === undefined || filter === '') return [];
  const eq = filter.indexOf('=');
  if (eq < 0) throw new BerthError(ErrorCodes.USAGE, 'arguments to --filter should be in form KEY=VAL');
  const key = filter.slice(0, eq);
  if (key === 'status') return [filter.slice(eq + 1)];
  if (key === 'source') throw new BerthError(ErrorCodes.USAGE, 'not implemented');
  throw new BerthError(ErrorCodes.USAGE, `unknown filter ${key}`);
}

export async function psCommand(services: string[], o: PsFlags): Promise<number> {
  const status = [...(o.status ?? []), ...parsePsFilter(o.filter)];
  const noTrunc = o.trunc === false;
  const entries = await ps({ project: loadOptions(o), all: o.all, services, status, orphans: o.orphans !== false });
  let out: string;
  if (o.quiet) out = entries.map((e) => `${e.container.id}\n`).join('');
  // compose prints the names joined by newlines and one more newline: a blank line when there are none
  else if (o.services) out = `${[...new Set(entries.map((e) => e.service))].join('\n')}\n`;
  else {
    const now = Date.now();
    out = renderFormat(o.format || 'table', entries.map((e) => psRow(e, now, noTrunc)), { defaultTable: PS_TABLE, headers: PS_HEADERS });
  }
  process.stdout.write(out);
  return EXIT_OK;
}
