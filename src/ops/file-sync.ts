// Sync of changed host files into running containers through the Engine API, as compose's tar syncer does it:
// a path that exists is packed (a directory with everything below it), a path that is gone is deleted in the
// container. Per container and batch: at most ONE exec (`rm -rf` of every deleted path) and ONE
// PUT /containers/{id}/archive of one tar holding every copied file, extracted at "/" with copyUIDGID, so
// the entries keep the host file's mode and uid/gid, and the engine chowns them to the container's `user:`
// when it has one (compose sends the same headers and flag).
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import pLimit from 'p-limit';
import { pack, type Header } from 'tar-stream';
import type { Engine } from '../engine/types.js';
import { errnoCode } from './errno.js';

export interface SyncMapping {
  readonly hostPath: string;
  /** Absolute path in the container. */
  readonly containerPath: string;
}

export interface PackedBatch {
  /** undefined when nothing is to be copied. */
  readonly tar: Buffer | undefined;
  /** Number of files, links and directories in the tar. */
  readonly entries: number;
  /** Container paths to delete (their host paths are gone). */
  readonly deleted: readonly string[];
}

interface Entry {
  readonly header: Partial<Header> & { name: string };
  readonly hostPath?: string;
}

/**
 * Pack the batch. `keep(hostPath)` decides about paths found while walking a copied directory (the watch
 * rule's ignores); the mapped paths themselves were already matched.
 */
export async function packBatch(mappings: readonly SyncMapping[], keep: (hostPath: string) => boolean = () => true, owner?: { readonly uid: number; readonly gid: number }): Promise<PackedBatch> {
  const entries = new Map<string, Entry>();
  const deleted = new Set<string>();
  const visit = async (hostPath: string, containerPath: string, top: boolean): Promise<void> => {
    let st;
    try {
      st = await lstat(hostPath);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        if (top) deleted.add(containerPath);
        return;
      }
      throw err;
    }
    const name = containerPath.replace(/^\/+/, '');
    const base = { name, mode: st.mode & 0o7777, uid: owner?.uid ?? st.uid, gid: owner?.gid ?? st.gid, mtime: st.mtime };
    if (st.isSymbolicLink()) {
      entries.set(name, { header: { ...base, type: 'symlink', linkname: await readlink(hostPath) } });
    } else if (st.isDirectory()) {
      entries.set(name, { header: { ...base, type: 'directory' } });
      const children = await readdir(hostPath);
      await Promise.all(children.filter((c) => keep(join(hostPath, c))).map((c) => visit(join(hostPath, c), posix.join(containerPath, c), false)));
    } else if (st.isFile()) {
      entries.set(name, { header: { ...base, type: 'file', size: st.size }, hostPath });
    }
  };
  await Promise.all(mappings.map((m) => visit(m.hostPath, m.containerPath, true)));
  // a path both deleted and (re)created in one batch: the newest state wins, which is what exists now
  for (const d of deleted) if (entries.has(d.replace(/^\/+/, ''))) deleted.delete(d);
  if (!entries.size) return { tar: undefined, entries: 0, deleted: [...deleted] };

  const ordered = [...entries.values()].sort((a, b) => (a.header.name < b.header.name ? -1 : a.header.name > b.header.name ? 1 : 0));
  const read = pLimit(32);
  const contents = await Promise.all(ordered.map((e) => (e.hostPath ? read(() => readFile(e.hostPath!).catch(() => undefined)) : undefined)));
  const p = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    p.on('data', (c: unknown) => chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c))));
    p.on('end', () => resolve());
    p.on('error', reject);
  });
  let count = 0;
  ordered.forEach((e, i) => {
    if (e.header.type === 'file') {
      const body = contents[i];
      if (!body) return; // vanished between stat and read: the next batch deletes it
      p.entry({ ...e.header, size: body.length }, body);
    } else {
      p.entry(e.header);
    }
    count++;
  });
  p.finalize();
  await done;
  return { tar: Buffer.concat(chunks), entries: count, deleted: [...deleted] };
}

/**
 * The owner a service's `user:` gives synced files when it is numeric ("1000" or "1000:1000"). The engine's
 * copyUIDGID resolves the user through the HOST's passwd database (engine 20.10 fails the whole upload with
 * `getent unable to find entry "1000:1000"`), so for numeric users berth writes the owner into the tar
 * headers itself and uploads without copyUIDGID: the same result compose gets where the engine manages.
 */
export function numericOwner(user: string | undefined): { uid: number; gid: number } | undefined {
  const m = user ? /^(\d+)(?::(\d+))?$/.exec(user) : null;
  return m ? { uid: Number(m[1]), gid: Number(m[2] ?? 0) } : undefined;
}

/** Apply a packed batch to one container: one delete exec, then one archive upload. */
export async function applyBatch(engine: Engine, containerId: string, batch: PackedBatch, copyUIDGID = true): Promise<void> {
  if (batch.deleted.length) {
    const id = await engine.createExec(containerId, { Cmd: ['rm', '-rf', ...batch.deleted], AttachStdout: false, AttachStderr: true });
    const io = await engine.startExec(id, { tty: false });
    const err: Buffer[] = [];
    if (io) for await (const chunk of io.output) err.push(chunk.data);
    for (let i = 0; ; i++) {
      const info = await engine.inspectExec(id);
      if (!info.running && info.exitCode !== null) {
        if (info.exitCode !== 0) throw new Error(`deleting ${batch.deleted.length} path(s) failed (exit ${info.exitCode}): ${Buffer.concat(err).toString('utf8').trim()}`);
        break;
      }
      await new Promise((r) => setTimeout(r, Math.min(5 * (i + 1), 50)));
    }
  }
  if (batch.tar) await engine.putArchive(containerId, '/', batch.tar, { copyUIDGID });
}
