// export, commit, volumes: commands of newer compose (docker/compose main; compose 2.26 has none of them),
// with its flags and output.
import { createWriteStream, promises as fsp } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import * as api from '../../api/runtime.js';
import { BerthError, ErrorCodes } from '../../model/errors.js';
import { GO_JSON, GoMap, renderFormat } from '../../ui/docker-format.js';
import { EXIT_OK } from '../exit-codes.js';
import { loadOptions, progressFor, type GlobalOptions } from '../global.js';
import { parseIndex } from './logs.js';

interface Flags extends GlobalOptions {
  index?: string;
  output?: string;
  pause?: boolean;
  message?: string;
  author?: string;
  change?: string[];
  quiet?: boolean;
  format?: string;
}

/** The docker CLI's check of -o: its directory exists, and it is not something other than a file. */
async function validateOutputPath(path: string): Promise<void> {
  const dir = dirname(path);
  if (dir !== '.' && !(await fsp.stat(dir).catch(() => undefined))) throw new BerthError(ErrorCodes.USAGE, `failed to export container: invalid output path: directory "${dir}" does not exist`);
  const st = await fsp.stat(path).catch(() => undefined);
  if (st && !st.isFile() && !st.isDirectory()) throw new BerthError(ErrorCodes.USAGE, `failed to export container: invalid output path: "${path}" must be a directory or a regular file`);
}

export async function exportCommand(service: string, o: Flags): Promise<number> {
  if (!o.output && process.stdout.isTTY) throw new BerthError(ErrorCodes.USAGE, 'output option is required when exporting to terminal');
  if (o.output) await validateOutputPath(o.output);
  const progress = await progressFor(o);
  try {
    const { container, tar } = await api.exportContainer({ project: loadOptions(o), service, index: parseIndex(o.index), onEvent: progress.onEvent, dryRun: o.dryRun });
    const done = () => progress.onEvent({ type: 'resource', kind: 'container', name: container, status: 'done', text: 'Exported', service });
    // a dry run writes no file and no tar to stdout
    if (o.dryRun) {
      done();
      return EXIT_OK;
    }
    if (!o.output) {
      await pipeline(Readable.from(tar), process.stdout, { end: false });
      done();
      return EXIT_OK;
    }
    // written whole or not at all (a temporary file renamed), readable by its owner only, as compose writes it
    const tmp = join(dirname(o.output), `.${basename(o.output)}.${process.pid}.tmp`);
    try {
      await pipeline(Readable.from(tar), createWriteStream(tmp, { mode: 0o600 }));
      await fsp.rename(tmp, o.output);
      done();
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  } finally {
    await progress.done();
  }
  return EXIT_OK;
}

export async function commitCommand(service: string, reference: string | undefined, o: Flags): Promise<number> {
  const progress = await progressFor(o);
  try {
    await api.commit({ project: loadOptions(o), service, index: parseIndex(o.index), reference, comment: o.message, author: o.author, changes: o.change, pause: o.pause !== false, onEvent: progress.onEvent, dryRun: o.dryRun });
  } finally {
    await progress.done();
  }
  return EXIT_OK;
}

/** docker's volume formatter: default columns and column names. */
export const VOLUME_TABLE = 'table {{.Driver}}\t{{.Name}}';
export const VOLUME_HEADERS: Readonly<Record<string, string>> = {
  ID: 'ID',
  Name: 'VOLUME NAME',
  Group: 'GROUP',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  Availability: 'AVAILABILITY',
  Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS',
  Links: 'LINKS',
  Size: 'SIZE',
  Status: 'STATUS',
};

export async function volumesCommand(services: string[], o: Flags): Promise<number> {
  const list = await api.volumes({ project: loadOptions(o), services });
  if (o.quiet) {
    process.stdout.write(list.map((v) => `${v.name}\n`).join(''));
    return EXIT_OK;
  }
  const rows = list.map((v) => {
    // the engine's list carries no usage data and no cluster volume: docker prints N/A for those
    const fields = {
      Availability: 'N/A',
      Driver: v.driver,
      Group: 'N/A',
      Labels: Object.entries(v.labels).map(([k, val]) => `${k}=${val}`).sort().join(','),
      Links: 'N/A',
      Mountpoint: v.mountpoint ?? '',
      Name: v.name,
      Scope: v.scope ?? 'local',
      Size: 'N/A',
      Status: 'N/A',
    };
    return { [GO_JSON]: () => new GoMap(fields), ...fields, Label: (name: string) => v.labels[name] ?? '' };
  });
  process.stdout.write(renderFormat(o.format || 'table', rows, { defaultTable: VOLUME_TABLE, headers: VOLUME_HEADERS }));
  return EXIT_OK;
}
