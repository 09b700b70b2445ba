// The file sync sender (engine/dockerode/buildkit/filesync.ts) driven as BuildKit's receiver drives it:
// stats in Go's walk order with fsutil's ids, data only for requested ids, FIN answered, excluded
// directories never listed, followpaths limiting the transfer, in-memory files (an inline Dockerfile).
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileSyncServices, FILESYNC_DIFFCOPY, goFileMode, type FileSyncTransfer, type SyncedDir } from '../../../src/engine/dockerode/buildkit/filesync.js';
import type { GrpcServerCall, GrpcServices } from '../../../src/engine/dockerode/buildkit/grpc.js';
import { protoType } from '../../../src/engine/dockerode/buildkit/proto.js';

interface Packet {
  type?: number;
  stat?: { path: string; mode: number; size?: number; linkname?: string };
  ID?: number;
  data?: Uint8Array;
}

/** Run one DiffCopy: the receiver's side answers each empty STAT with REQs for `want`, then FIN. */
async function diffCopy(dirs: Record<string, SyncedDir>, metadata: Record<string, string[]>, want: (stats: Packet[]) => string[], services?: GrpcServices) {
  const Packet = await protoType('fsutil.types.Packet');
  const sent: Packet[] = [];
  const inbox: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  const post = (p: Record<string, unknown>) => {
    inbox.push(Packet.encode(Packet.fromObject(p)).finish());
    wake?.();
  };
  let transfer: FileSyncTransfer | undefined;
  let status: { code: number; message?: string } | undefined;
  const stats: Packet[] = [];
  let pendingData = new Set<number>();
  let finSent = false;
  const call: GrpcServerCall = {
    path: FILESYNC_DIFFCOPY,
    metadata,
    async *messages() {
      for (;;) {
        while (inbox.length) yield inbox.shift()!;
        if (finSent && !inbox.length) return;
        await new Promise<void>((r) => (wake = r));
      }
    },
    send(m) {
      const p = Packet.toObject(Packet.decode(m), { enums: Number, longs: Number }) as Packet;
      sent.push(p);
      const type = p.type ?? 0;
      if (type === 0 && p.stat) stats.push(p);
      else if (type === 0) {
        // end of stats: ask for what the receiver wants, by id (the n-th stat)
        const ids = want(stats).map((path) => stats.findIndex((s) => s.stat!.path === path));
        pendingData = new Set(ids);
        for (const id of ids) post({ type: 1, ID: id });
        if (!ids.length) post({ type: 3 });
      } else if (type === 2 && !(p.data?.length)) {
        pendingData.delete(p.ID ?? 0);
        if (!pendingData.size) post({ type: 3 });
      } else if (type === 3) {
        finSent = true;
        wake?.();
      }
    },
    sendParts(parts) {
      this.send(Buffer.concat(parts.map((x) => Buffer.from(x))));
    },
    end(s) {
      status = s;
    },
    writable: () => Promise.resolve(),
    bytesSent: 0,
  };
  if (services) {
    await services[FILESYNC_DIFFCOPY]!(call);
    return { sent, stats: stats.map((s) => s.stat!), transfer: undefined as unknown as FileSyncTransfer, status };
  }
  await fileSyncServices(dirs, (t) => (transfer = t))[FILESYNC_DIFFCOPY]!(call);
  return { sent, stats: stats.map((s) => s.stat!), transfer: transfer!, status };
}

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'b21a-fs-'));
  const files: Record<string, string> = {
    'Dockerfile': 'FROM scratch\n',
    'a/b': 'in a\n',
    'a.txt': 'beside a\n',
    'node_modules/pkg/index.js': 'never listed\n',
    'node_modules/keep/readme': 'kept by an exception\n',
    'logs/x.log': 'dropped\n',
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  await symlink('a.txt', join(root, 'link'));
});

describe('FileSync DiffCopy sender', () => {
  it('sends stats in Go walk order (a, a/b, a.txt), ids counted over every entry, data only for requested files', async () => {
    const r = await diffCopy({ context: { path: root } }, { 'dir-name': ['context'], 'exclude-patterns': ['node_modules', 'logs'] }, () => ['a.txt']);
    expect(r.stats.map((s) => s.path)).toEqual(['Dockerfile', 'a', 'a/b', 'a.txt', 'link']);
    const dir = r.stats[1]!;
    // Go's ModeDir bit over the permission bits
    expect(dir.mode - (dir.mode & 0o777)).toBe(2 ** 31);
    expect(r.stats[4]!.linkname).toBe('a.txt');
    expect(r.stats[4]!.mode & 2 ** 27).toBeTruthy();
    // the data of id 3 (a.txt) only, then its empty DATA, then FIN
    const data = r.sent.filter((p) => p.type === 2);
    expect(data.map((p) => [p.ID, Buffer.from(p.data ?? []).toString()])).toEqual([
      [3, 'beside a\n'],
      [3, ''],
    ]);
    expect(r.sent.at(-1)!.type).toBe(3);
    expect(r.transfer.read).toEqual(['a.txt']);
    expect(r.transfer.dataBytes).toBe(9);
  });

  it('never lists an excluded directory, unless an exception names something inside it', async () => {
    const r = await diffCopy({ context: { path: root, excludes: ['node_modules', '!node_modules/keep'] } }, { 'dir-name': ['context'] }, () => []);
    const paths = r.stats.map((s) => s.path);
    expect(paths).toContain('node_modules/keep/readme');
    // the parent is sent before what is re-included below it, its excluded sibling not at all
    expect(paths.indexOf('node_modules')).toBeLessThan(paths.indexOf('node_modules/keep'));
    expect(paths.filter((p) => p.includes('pkg'))).toEqual([]);
    expect(r.transfer.listed).toEqual(paths);
  });

  it('followpaths limit the transfer (the Dockerfile frontend reads the Dockerfile by them) and follow symlinks', async () => {
    const r = await diffCopy({ dockerfile: { path: root } }, { 'dir-name': ['dockerfile'], followpaths: ['Dockerfile', 'Dockerfile.dockerignore', 'link'] }, () => ['Dockerfile', 'link']);
    expect(r.stats.map((s) => s.path)).toEqual(['Dockerfile', 'link']);
    // followed: a regular file with the target's size
    expect(r.stats[1]!.linkname ?? '').toBe('');
    expect(r.stats[1]!.size).toBe(9);
    expect(r.transfer.read).toEqual(['Dockerfile', 'link']);
  });

  it('serves in-memory files (an inline Dockerfile) and refuses an unknown dir', async () => {
    const r = await diffCopy({ dockerfile: { files: { Dockerfile: Buffer.from('FROM busybox\n') } } }, { 'dir-name': ['dockerfile'], followpaths: ['Dockerfile'] }, () => ['Dockerfile']);
    expect(r.stats).toEqual([expect.objectContaining({ path: 'Dockerfile', mode: 0o644, size: 13 })]);
    expect(Buffer.from(r.sent.find((p) => p.type === 2)!.data!).toString()).toBe('FROM busybox\n');
    await expect(diffCopy({}, { 'dir-name': ['context'] }, () => [])).rejects.toThrow(/no access allowed to dir "context"/);
  });
});

describe('FileSync hard links', () => {
  it('sends a second path of an inode as a link to the first, with no data', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'b21a-hl-'));
    await writeFile(join(dir, 'a'), 'shared\n');
    await link(join(dir, 'a'), join(dir, 'b'));
    const r = await diffCopy({ context: { path: dir } }, { 'dir-name': ['context'] }, () => ['a']);
    expect(r.stats).toEqual([expect.objectContaining({ path: 'a', size: 7 }), expect.objectContaining({ path: 'b', linkname: 'a' })]);
    expect(r.stats[1]!.size ?? 0).toBe(0);
  });
});

describe('goFileMode', () => {
  const fake = (mode: number, kind: 'dir' | 'file' | 'link' | 'fifo') => ({
    mode,
    isDirectory: () => kind === 'dir',
    isSymbolicLink: () => kind === 'link',
    isFIFO: () => kind === 'fifo',
    isCharacterDevice: () => false,
    isBlockDevice: () => false,
  });
  it("maps unix modes to Go's os.FileMode bits", () => {
    expect(goFileMode(fake(0o40755, 'dir'))).toBe(2 ** 31 + 0o755);
    expect(goFileMode(fake(0o100644, 'file'))).toBe(0o644);
    expect(goFileMode(fake(0o120777, 'link'))).toBe(2 ** 27 + 0o777);
    expect(goFileMode(fake(0o10644, 'fifo'))).toBe(2 ** 25 + 0o644);
    expect(goFileMode(fake(0o104755, 'file'))).toBe(2 ** 23 + 0o755);
  });

  describe('pre-walk (FileSyncOptions.prewalk)', () => {
    // the pre-walk runs a turn of the event loop after `start`, in slices; 50 ms is ample for this tree
    const prewalked = async (dirs: Record<string, SyncedDir>) => {
      const services = fileSyncServices(dirs, undefined, { prewalk: { dirs: ['context'], start: Promise.resolve() } });
      await new Promise((r) => setTimeout(r, 50));
      return services;
    };
    const calls: [string, Record<string, string[]>][] = [
      ['whole tree', { 'dir-name': ['context'] }],
      ['exclude patterns with an exception', { 'dir-name': ['context'], 'exclude-patterns': ['node_modules', '!node_modules/keep', 'logs'] }],
      ['followpaths (a symlink followed)', { 'dir-name': ['context'], followpaths: ['a', 'link'] }],
      ['include patterns', { 'dir-name': ['context'], 'include-patterns': ['a/*', 'Dockerfile'] }],
    ];
    for (const [what, metadata] of calls) {
      it(`answers a call (${what}) with the bytes a fresh walk sends`, async () => {
        const dirs = { context: { path: root, excludes: ['logs'] } };
        // the receiver asks for every regular file listed
        const want = (stats: Packet[]) => stats.filter((p) => p.stat!.mode < 2 ** 27).map((p) => p.stat!.path);
        const fresh = await diffCopy(dirs, metadata, want);
        const pre = await diffCopy(dirs, metadata, want, await prewalked(dirs));
        expect(pre.sent).toEqual(fresh.sent);
        expect(pre.stats.length).toBeGreaterThan(0);
        expect(pre.status?.code ?? 0).toBe(0);
      });
    }
    it('the calls read what it listed while it is fresh (an entry made after it is not sent); a directory without one walks afresh', async () => {
      const dirs = { context: { path: root }, other: { path: root } };
      const services = await prewalked(dirs);
      await writeFile(join(root, 'late.txt'), 'made after the pre-walk\n');
      try {
        const pre = await diffCopy(dirs, { 'dir-name': ['context'] }, () => [], services);
        expect(pre.stats.map((s) => s.path)).not.toContain('late.txt');
        expect(pre.stats.map((s) => s.path)).toContain('a.txt');
        const fresh = await diffCopy(dirs, { 'dir-name': ['other'] }, () => [], services);
        expect(fresh.stats.map((s) => s.path)).toContain('late.txt');
      } finally {
        await rm(join(root, 'late.txt'));
      }
    });
  });
});
