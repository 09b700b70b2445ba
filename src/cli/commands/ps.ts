import { ps, type PsEntry } from '../../api/up-down.js';
import { BerthError, ErrorCodes } from '../../model/errors.js';
import { createdAgo, formatPorts, truncateCommand } from '../../ui/format.js';
import { renderTable } from '../../ui/table.js';
import { EXIT_OK } from '../exit-codes.js';
import { loadOptions, type GlobalOptions } from '../global.js';

interface PsFlags extends GlobalOptions {
  all?: boolean;
  quiet?: boolean;
  services?: boolean;
  format: string;
  status?: string[];
}

/** One object per container, with the fields `docker compose ps --format json` prints. */
export function psJson(e: PsEntry, now = Date.now()): Record<string, unknown> {
  const c = e.container;
  const created = new Date(c.created * 1000);
  return {
    Command: JSON.stringify(c.command),
    CreatedAt: `${created.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} +0000 UTC`,
    ExitCode: e.exitCode ?? 0,
    Health: e.health ?? '',
    ID: c.id.slice(0, 12),
    Image: c.image,
    Labels: Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join(','),
    LocalVolumes: String(c.mounts.filter((m) => m.type === 'volume').length),
    Mounts: c.mounts.map((m) => m.name ?? m.source ?? '').join(','),
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

export async function psCommand(services: string[], o: PsFlags): Promise<number> {
  if (!['table', 'json'].includes(o.format)) throw new BerthError(ErrorCodes.USAGE, `unsupported format "${o.format}": use table or json`);
  const entries = await ps({ project: loadOptions(o), all: o.all, services, status: o.status });
  let out: string;
  if (o.quiet) out = entries.map((e) => `${e.container.id}\n`).join('');
  else if (o.services) out = [...new Set(entries.map((e) => e.service))].map((s) => `${s}\n`).join('');
  else if (o.format === 'json') out = entries.map((e) => `${JSON.stringify(psJson(e))}\n`).join('');
  else {
    const now = Date.now();
    out = renderTable(
      ['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS'],
      entries.map((e) => [e.container.name, e.container.image, truncateCommand(e.container.command), e.service, createdAgo(e.container.created * 1000, now), e.container.status, formatPorts(e.container.ports)]),
    );
  }
  process.stdout.write(out);
  return EXIT_OK;
}
