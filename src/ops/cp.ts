// `cp`: files between a service container and the host, with docker cp's naming rule: copying onto an
// existing directory puts the source inside it under its own name; onto anything else (a missing path, a
// file) gives the copy the destination's name. "-" streams a tar archive on stdin/stdout instead.
import { promises as fsp } from 'node:fs';
import { basename, dirname, posix, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
// tar-fs is imported where a copy needs it: every command loads this module through the API
import type { Headers } from 'tar-fs';
import type { ContainerSummary, Engine } from '../engine/types.js';
import { ErrorCodes, OperationError } from '../model/errors.js';
import { noopSink, type EventSink } from '../model/events.js';
import { Labels } from '../model/labels.js';
import { projectContainers } from './inspect.js';

export interface CpOptions {
  readonly service: string;
  /** The path inside the container. */
  readonly containerPath: string;
  /** The host path, or "-" for a tar stream. */
  readonly hostPath: string;
  readonly direction: 'from-container' | 'to-container';
  /** Container number; default 1. With `all`, every container of the service (to-container only). */
  readonly index?: number;
  readonly all?: boolean;
  /** -a: keep uid/gid. */
  readonly archive?: boolean;
  /** -L: follow a symlink at the source. */
  readonly followLink?: boolean;
  readonly stdin?: NodeJS.ReadableStream;
  readonly onEvent?: EventSink;
  readonly stdout?: NodeJS.WritableStream;
  /**
   * A dry run: the engine is a dry run already (it records the copy into a container); this keeps a copy out
   * of a container from writing on the host. The source is still looked up, so a wrong path fails as it would.
   */
  readonly dryRun?: boolean;
}

const DIR_BIT = 2 ** 31;

async function targets(engine: Engine, project: string, o: CpOptions): Promise<ContainerSummary[]> {
  const list = await projectContainers(engine, project, { services: [o.service], all: true });
  const chosen = o.all && o.direction === 'to-container' ? list : list.filter((c) => Number(c.labels[Labels.containerNumber]) === (o.index ?? 1));
  if (!chosen.length) throw new OperationError(ErrorCodes.NO_CONTAINERS, `no container found for service "${o.service}"`, { service: o.service });
  return chosen;
}

/** Rename the archive's top entry (`from`) to `to`, keeping everything below it. */
function renameTop(name: string, from: string, to: string): string {
  const n = name.replace(/^\.\//, '');
  if (n === from) return to;
  if (n.startsWith(`${from}/`)) return `${to}${n.slice(from.length)}`;
  return n;
}

export async function cp(engine: Engine, project: string, o: CpOptions): Promise<void> {
  const containers = await targets(engine, project, o);
  // compose's progress: "<container> copy <from> to <to>  Copying … Copied", one line per container
  const emit = o.onEvent ?? noopSink;
  const label = (name: string) => (o.direction === 'from-container' ? `copy ${name}:${o.containerPath} to ${o.hostPath}` : `copy ${o.hostPath} to ${name}:${o.containerPath}`);
  const copying = containers.slice(0, o.direction === 'from-container' ? 1 : containers.length);
  for (const c of copying) emit({ type: 'resource', kind: 'copy', name: c.name, status: 'working', text: 'Copying', label: label(c.name) });
  await copyFiles(engine, containers, o);
  for (const c of copying) emit({ type: 'resource', kind: 'copy', name: c.name, status: 'done', text: 'Copied', label: label(c.name) });
}

async function copyFiles(engine: Engine, containers: readonly ContainerSummary[], o: CpOptions): Promise<void> {
  if (o.direction === 'from-container') {
    const c = containers[0];
    let path = o.containerPath;
    if (o.followLink) {
      const s = await engine.statPath(c.id, path);
      if (s?.linkTarget) path = posix.resolve(posix.dirname(path), s.linkTarget);
    }
    if (o.dryRun) {
      if (!(await engine.statPath(c.id, path))) throw new OperationError(ErrorCodes.ENGINE_NOT_FOUND, `Could not find the file ${path} in container ${c.name}`);
      return;
    }
    const { stat: src, tar } = await engine.getArchive(c.id, path);
    if (o.hostPath === '-') {
      await pipeline(Readable.from(tar), o.stdout ?? process.stdout);
      return;
    }
    const dest = resolve(o.hostPath);
    const destStat = await fsp.stat(dest).catch(() => undefined);
    const into = destStat?.isDirectory() ? dest : dirname(dest);
    const newName = destStat?.isDirectory() ? src.name : basename(dest);
    if (!destStat && o.hostPath.endsWith('/')) throw new OperationError(ErrorCodes.COPY_PATH, `destination directory ${o.hostPath} does not exist`);
    await fsp.mkdir(into, { recursive: true });
    const { extract } = await import('tar-fs');
    const options = {
      // without -a the files belong to whoever runs berth, as with docker cp
      // tar-fs reads `chown` (its types lack it): off, it leaves ownership to the process's user
      chown: !!o.archive,
      map: (h: Headers) => ({ ...h, name: renameTop(h.name, src.name, newName) }),
    };
    await pipeline(Readable.from(tar), extract(into, options));
    return;
  }

  // host → container
  let body: Buffer;
  let destDir: string;
  const first = containers[0];
  const destStat = await engine.statPath(first.id, o.containerPath);
  const destIsDir = !!destStat && (destStat.mode & DIR_BIT) !== 0;
  if (o.hostPath === '-') {
    body = await collect(o.stdin ?? process.stdin);
    if (!destIsDir) throw new OperationError(ErrorCodes.COPY_PATH, `destination "${o.service}:${o.containerPath}" must be a directory`);
    destDir = o.containerPath;
  } else {
    const src = resolve(o.hostPath);
    const srcStat = await fsp.stat(src).catch(() => undefined);
    if (!srcStat) throw new OperationError(ErrorCodes.COPY_PATH, `could not find the file ${o.hostPath} in the host`);
    const name = basename(src);
    const newName = destIsDir ? name : posix.basename(o.containerPath);
    destDir = destIsDir ? o.containerPath : posix.dirname(o.containerPath);
    const { pack } = await import('tar-fs');
    body = await collect(
      pack(dirname(src), {
        entries: [name],
        dereference: !!o.followLink,
        map: (h) => ({ ...h, name: renameTop(h.name, name, newName), ...(o.archive ? {} : { uid: 0, gid: 0 }) }),
      }),
    );
  }
  for (const c of containers) await engine.putArchive(c.id, destDir, body, { copyUIDGID: o.archive });
}

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk instanceof Uint8Array ? chunk : String(chunk)));
  return Buffer.concat(parts);
}
