// The file sync service of a BuildKit session (moby.filesync.v1.FileSync/DiffCopy): the builder asks for a
// directory by name (`dir-name` metadata) with include/exclude patterns, berth answers with fsutil's wire
// protocol as the sender:
//   1. one STAT packet per entry of the filtered tree, in Go's walk order (parents first, siblings sorted by
//      name), then an empty STAT packet; the n-th STAT (counting every entry) has id n;
//   2. the builder compares the stats with what it kept from the last transfer of this session's shared key
//      and sends a REQ packet for each regular file whose data it needs;
//   3. berth sends that file's content as DATA packets with the file's id, closed by an empty DATA packet;
//   4. the builder sends FIN when it has everything; berth answers FIN and ends the call.
// So an unchanged file is stat'ed but never read, and an excluded directory is never even listed (unless an
// exception pattern names something inside it). Stats carry Go's os.FileMode bits, mtime in nanoseconds and
// uid/gid 0 (the docker CLI and compose reset owners, so a COPY's result does not depend on who runs it).
import dockerignore from '@balena/dockerignore';
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync, type BigIntStats, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { GrpcError, GrpcStatus, type GrpcCall, type GrpcServerCall, type GrpcServices } from './grpc.js';
import { int64, protoType } from './proto.js';

// A CommonJS module typed as an ES default export (as in ops/build-context.ts).
const ignore = ((dockerignore as { default?: unknown }).default ?? dockerignore) as typeof dockerignore.default;

export interface SyncedDir {
  /** The directory on disk; absent for a directory made only of `files`. */
  readonly path?: string;
  /** berth's own exclude patterns (.dockerignore syntax), on top of what the builder asks; for files on disk only. */
  readonly excludes?: readonly string[];
  /** Files at the directory's root that exist only in memory (an inline Dockerfile), shadowing any on disk. */
  readonly files?: Readonly<Record<string, Uint8Array>>;
}

/** One transfer of a directory to the builder. */
export interface FileSyncTransfer {
  readonly dir: string;
  /** Every path whose stat was sent. */
  readonly listed: string[];
  /** Paths whose content the builder asked for and got. */
  readonly read: string[];
  /** File content bytes sent. */
  dataBytes: number;
  /** Every byte sent on the call: stats, data, framing. */
  wireBytes: number;
}

export const FILESYNC_DIFFCOPY = '/moby.filesync.v1.FileSync/DiffCopy';

const PACKET = { STAT: 0, REQ: 1, DATA: 2, FIN: 3, ERR: 4 } as const;
// fsutil sends 32 kB; the receiver takes any size (the engine's gRPC client accepts messages up to 4 MB) and
// fewer, larger messages cost less on both sides
const CHUNK = 512 * 1024;
const PARALLEL_FILES = 4;
// Files up to this size are read in one synchronous call: the asynchronous open, read and close are three
// thread-pool round trips, each longer than reading such a file, and most files of a context are small
const SMALL_FILE = 64 * 1024;
// STAT packets per write: up to ~700 of them (a write per packet cost ~15 µs each on the HTTP/2 stream). The
// builder diffs the stats against its copy of the last transfer as they arrive and asks for a changed file
// at once, so a walk that takes a while (one the pre-walk did not do) also writes what it has every
// STAT_FLUSH_MS and yields to the event loop (the write only leaves on the loop's next turn): the builder's
// diff and the changed file's transfer overlap the rest of the walk instead of following it.
const STAT_BATCH = 32 * 1024;
const STAT_FLUSH_MS = 2;

/** A DATA packet's header (type, ID, and the data field's tag and length), the data itself sent after it. */
function dataHeader(id: number, length: number): Buffer {
  const bytes: number[] = [0x08, PACKET.DATA, 0x18];
  const varint = (n: number) => {
    while (n >= 0x80) {
      bytes.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    bytes.push(n);
  };
  varint(id);
  bytes.push(0x22);
  varint(length);
  return Buffer.from(bytes);
}

// Go's os.FileMode type and permission-extra bits
const GO_MODE = { dir: 2 ** 31, symlink: 2 ** 27, device: 2 ** 26, namedPipe: 2 ** 25, setuid: 2 ** 23, setgid: 2 ** 22, charDevice: 2 ** 21, sticky: 2 ** 20 };

export function goFileMode(s: Pick<Stats, 'mode' | 'isDirectory' | 'isSymbolicLink' | 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice'>): number {
  let m = s.mode & 0o777;
  if (s.mode & 0o4000) m += GO_MODE.setuid;
  if (s.mode & 0o2000) m += GO_MODE.setgid;
  if (s.mode & 0o1000) m += GO_MODE.sticky;
  if (s.isDirectory()) m += GO_MODE.dir;
  else if (s.isSymbolicLink()) m += GO_MODE.symlink;
  else if (s.isFIFO()) m += GO_MODE.namedPipe;
  else if (s.isCharacterDevice()) m += GO_MODE.device + GO_MODE.charDevice;
  else if (s.isBlockDevice()) m += GO_MODE.device;
  return m;
}

/** gRPC metadata values the builder percent-encoded (`<key>-encoded: true`) are decoded. */
function option(metadata: Record<string, string[]>, key: string): string[] {
  const values = metadata[key] ?? [];
  if (metadata[`${key}-encoded`]?.[0] !== 'true') return values;
  return values.map((v) => {
    try {
      return decodeURIComponent(v.replace(/\+/g, ' '));
    } catch {
      return v;
    }
  });
}

/** Patterns as fsutil reads them: cleaned, anchored at the root. */
function cleanPatterns(patterns: readonly string[]): string[] {
  return patterns
    .map((p) => {
      const neg = p.startsWith('!');
      let body = (neg ? p.slice(1) : p).trim().replace(/\/+$/, '').replace(/^\.\//, '');
      if (body.length > 1 && body.startsWith('/')) body = body.slice(1);
      return neg ? `!${body}` : body;
    })
    .filter((p) => p !== '' && p !== '!');
}

interface Matcher {
  matches(path: string): boolean;
  /** For an excluded dir: whether an exception could re-include something below it. */
  exceptionInside(dir: string): boolean;
}

function excludeMatcher(patterns: readonly string[]): Matcher | undefined {
  const cleaned = cleanPatterns(patterns);
  if (!cleaned.length) return undefined;
  const ig = ignore().add(cleaned);
  const exceptions = cleaned.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return {
    matches: (path) => ig.ignores(path),
    exceptionInside: (dir) => exceptions.some((e) => e.includes('**') || `${e}/`.startsWith(`${dir}/`) || globPrefixMatches(e, dir)),
  };
}

/** Whether the first components of a glob pattern match every component of `dir` (so it may match below). */
function globPrefixMatches(pattern: string, dir: string): boolean {
  const p = pattern.split('/');
  const d = dir.split('/');
  if (p.length <= d.length) return false;
  if (!/[*?[]/.test(p.slice(0, d.length).join('/'))) return false;
  return ignore().add(p.slice(0, d.length).join('/')).ignores(dir);
}

/** fsutil's include patterns: a path is in when it, or a parent of it, matches; a dir is walked when it may hold a match. */
function includeMatcher(patterns: readonly string[]): { includes(path: string): boolean; mayHoldMatch(dir: string): boolean } | undefined {
  const cleaned = cleanPatterns(patterns).filter((p) => !p.startsWith('!'));
  if (!cleaned.length) return undefined;
  const ig = ignore().add(cleaned);
  return {
    includes: (path) => ig.ignores(path),
    mayHoldMatch: (dir) => cleaned.some((p) => p.includes('**') || p.startsWith(`${dir}/`) || globPrefixMatches(p, dir)),
  };
}

type Int64 = ReturnType<typeof int64>;

/** fsutil's Stat message as the walk makes it (int64 fields as protobufjs's {low, high}). */
export interface StatFields {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  size: Int64;
  modTime: Int64;
  linkname?: string;
  devmajor?: Int64;
  devminor?: Int64;
}

const varint32Size = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);

function varint64Size(v: Int64): number {
  let lo = v.low >>> 0;
  let hi = v.high >>> 0;
  let n = 1;
  while (hi !== 0 || lo > 127) {
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
    n++;
  }
  return n;
}

function writeVarint32(buf: Buffer, at: number, n: number): number {
  n >>>= 0;
  while (n > 127) {
    buf[at++] = (n & 127) | 128;
    n >>>= 7;
  }
  buf[at++] = n;
  return at;
}

function writeVarint64(buf: Buffer, at: number, v: Int64): number {
  let lo = v.low >>> 0;
  let hi = v.high >>> 0;
  while (hi !== 0 || lo > 127) {
    buf[at++] = (lo & 127) | 128;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[at++] = lo;
  return at;
}

/**
 * Packet{type: STAT, stat} encoded directly: the bytes protobufjs's encoder gives for the same object (every
 * field the object has is written, in field order; a test compares them), without its writer's allocations.
 * The walk sends one per entry, and encoding them was half of a warm transfer's CPU.
 */
export function encodeStatPacket(stat: StatFields): Buffer {
  const pathBytes = Buffer.byteLength(stat.path);
  const linkBytes = stat.linkname === undefined ? 0 : Buffer.byteLength(stat.linkname);
  // path (1), mode (2), uid (3), gid (4), size (5), modTime (6), linkname (7), devmajor (8), devminor (9)
  let inner = 1 + varint32Size(pathBytes) + pathBytes + 1 + varint32Size(stat.mode >>> 0) + 1 + varint32Size(stat.uid >>> 0) + 1 + varint32Size(stat.gid >>> 0);
  inner += 1 + varint64Size(stat.size) + 1 + varint64Size(stat.modTime);
  if (stat.linkname !== undefined) inner += 1 + varint32Size(linkBytes) + linkBytes;
  if (stat.devmajor !== undefined) inner += 1 + varint64Size(stat.devmajor);
  if (stat.devminor !== undefined) inner += 1 + varint64Size(stat.devminor);
  // type (1) = STAT, stat (2)
  const buf = Buffer.allocUnsafe(2 + 1 + varint32Size(inner) + inner);
  let at = 0;
  buf[at++] = 0x08;
  buf[at++] = PACKET.STAT;
  buf[at++] = 0x12;
  at = writeVarint32(buf, at, inner);
  buf[at++] = 0x0a;
  at = writeVarint32(buf, at, pathBytes);
  at += buf.write(stat.path, at, 'utf8');
  buf[at++] = 0x10;
  at = writeVarint32(buf, at, stat.mode);
  buf[at++] = 0x18;
  at = writeVarint32(buf, at, stat.uid);
  buf[at++] = 0x20;
  at = writeVarint32(buf, at, stat.gid);
  buf[at++] = 0x28;
  at = writeVarint64(buf, at, stat.size);
  buf[at++] = 0x30;
  at = writeVarint64(buf, at, stat.modTime);
  if (stat.linkname !== undefined) {
    buf[at++] = 0x3a;
    at = writeVarint32(buf, at, linkBytes);
    at += buf.write(stat.linkname, at, 'utf8');
  }
  if (stat.devmajor !== undefined) {
    buf[at++] = 0x40;
    at = writeVarint64(buf, at, stat.devmajor);
  }
  if (stat.devminor !== undefined) {
    buf[at++] = 0x48;
    at = writeVarint64(buf, at, stat.devminor);
  }
  return buf;
}

interface Entry {
  path: string;
  full?: string;
  stat: StatFields;
  regular: boolean;
  /** A regular file's size when stat'ed. */
  size?: number;
  content?: Uint8Array;
  /** Its STAT packet, when a pre-walk already encoded it. */
  packet?: Buffer;
}

/**
 * What a pre-walk of a directory learnt (listings, lstats, their Stat messages and packets, by absolute
 * path): the call's walk reads it instead of asking the file system again. Only lstat results are kept, so a
 * followed symlink (followpaths) is always stat'ed afresh.
 */
interface WalkCache {
  readonly dirs: Map<string, string[]>;
  readonly stats: Map<string, BigIntStats>;
  readonly entries: Map<string, { readonly stat: StatFields; readonly packet: Buffer }>;
}

function statMessage(path: string, s: BigIntStats, linkname: string | undefined): StatFields {
  const mode = goFileMode({
    mode: Number(s.mode),
    isDirectory: () => s.isDirectory(),
    isSymbolicLink: () => s.isSymbolicLink(),
    isFIFO: () => s.isFIFO(),
    isCharacterDevice: () => s.isCharacterDevice(),
    isBlockDevice: () => s.isBlockDevice(),
  });
  return {
    path,
    mode,
    uid: 0,
    gid: 0,
    size: s.isDirectory() ? int64(0n) : int64(s.size),
    modTime: int64(s.mtimeNs),
    ...(linkname !== undefined ? { linkname } : {}),
    ...(s.isCharacterDevice() || s.isBlockDevice() ? { devmajor: int64((s.rdev >> 8n) & 0xfffn), devminor: int64((s.rdev & 0xffn) | ((s.rdev >> 12n) & 0xfff00n)) } : {}),
  };
}

/**
 * Walk one synced directory as the builder asked, calling `emit` per entry in Go's walk order. Directories
 * that are excluded (and hold no exception) or cannot hold an included path are never opened.
 */
async function walk(dir: SyncedDir, metadata: Record<string, string[]>, emit: (e: Entry) => Promise<void> | undefined, cache?: WalkCache): Promise<void> {
  const asked = excludeMatcher(option(metadata, 'exclude-patterns'));
  const own = dir.excludes?.length ? excludeMatcher(dir.excludes) : undefined;
  const followPaths = cleanPatterns(option(metadata, 'followpaths'));
  // followpaths (what the Dockerfile frontend asks the Dockerfile and .dockerignore by) limit the transfer
  // like include patterns, and symlinks among them are followed
  const include = includeMatcher([...option(metadata, 'include-patterns'), ...followPaths]);
  const follow = new Set(followPaths);
  const virtual = dir.files ?? {};
  // hard links, as fsutil sends them: the first path of an inode is a file, later ones link to it (size 0)
  const inodes = new Map<string, string>();

  // directories whose stat waits for a first entry below them (they are walked only for an exception or an
  // include pattern inside, and are sent only when something inside is)
  const pending: Entry[] = [];
  // emit returns a promise only when the sender must wait (its buffer is full): no await, no microtask
  // round trip, per entry otherwise
  const flush = async () => {
    for (const e of pending.splice(0)) {
      const wait = emit(e);
      if (wait) await wait;
    }
  };

  // `inside`: a directory an include pattern matched is being walked, so everything below it is included too
  // (no pattern needs asking again per entry)
  const visit = async (rel: string, full: string | undefined, inside: boolean): Promise<void> => {
    const names = new Set<string>();
    // The walk's file system calls are synchronous: one thread-pool round trip per entry made a tree of a few
    // thousand files take most of a second, as long as what BuildKit does with it (Go's walk makes direct
    // system calls too). File contents are read asynchronously.
    if (full !== undefined) {
      let listed = cache?.dirs.get(full);
      if (!listed) {
        listed = readdirSync(full);
        cache?.dirs.set(full, listed);
      }
      for (const n of listed) names.add(n);
    }
    if (rel === '') for (const n of Object.keys(virtual)) names.add(n);
    const sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of sorted) {
      const path = rel ? `${rel}/${name}` : name;
      const content = rel === '' ? virtual[name] : undefined;
      const excluded = !!asked?.matches(path) || (content === undefined && !!own?.matches(path));
      const included = inside || !include || include.includes(path);
      if (content !== undefined) {
        if (excluded || !included) continue;
        if (pending.length) await flush();
        const size = BigInt(content.length);
        const wait = emit({ path, regular: true, content, stat: { path, mode: 0o644, uid: 0, gid: 0, size: int64(size), modTime: int64(0n) } });
        if (wait) await wait;
        continue;
      }
      // a name no include pattern can reach (nor anything below it) is not even stat'ed: the Dockerfile
      // frontend's small transfers (the Dockerfile, .dockerignore) would otherwise stat the whole root
      if (!included && !include!.mayHoldMatch(path)) continue;
      // below the root, `full` is already joined and clean
      const abs = rel === '' ? join(full!, name) : `${full!}/${name}`;
      const lstat = cache?.stats.get(abs) ?? lstatSync(abs, { bigint: true });
      cache?.stats.set(abs, lstat);
      let s = lstat;
      let linkname: string | undefined;
      if (s.isSymbolicLink()) {
        if (follow.has(path)) {
          try {
            s = statSync(abs, { bigint: true });
          } catch {
            // a dangling link stays a link
          }
        }
        if (s.isSymbolicLink()) linkname = readlinkSync(abs);
      }
      if (s.isSocket()) continue;
      if (s.isDirectory()) {
        const known = cache?.entries.get(abs);
        const entry: Entry = known ? { path, full: abs, regular: false, stat: known.stat, packet: known.packet } : { path, full: abs, regular: false, stat: statMessage(path, s, undefined) };
        if (!excluded && included) {
          if (pending.length) await flush();
          const wait = emit(entry);
          if (wait) await wait;
          await visit(path, abs, !!include);
          continue;
        }
        const descend = excluded ? !!(asked?.matches(path) ? asked.exceptionInside(path) : own?.exceptionInside(path)) : !!include?.mayHoldMatch(path);
        if (!descend) continue;
        pending.push(entry);
        const depth = pending.length;
        await visit(path, abs, false);
        // nothing inside was sent: the directory is not either
        if (pending.length >= depth) pending.splice(depth - 1);
        continue;
      }
      if (excluded || !included) continue;
      if (pending.length) await flush();
      let wait: Promise<void> | undefined;
      if (s.isFile() && s.nlink > 1n) {
        const key = `${s.dev}:${s.ino}`;
        const first = inodes.get(key);
        if (first !== undefined) {
          wait = emit({ path, full: abs, regular: true, stat: { ...statMessage(path, s, first), size: int64(0n) } });
          if (wait) await wait;
          continue;
        }
        inodes.set(key, path);
      }
      // the pre-walk's message holds for the lstat it was made from (a followed link was stat'ed afresh)
      const known = s === lstat ? cache?.entries.get(abs) : undefined;
      wait = emit(
        known
          ? { path, full: abs, regular: s.isFile(), size: Number(s.size), stat: known.stat, packet: known.packet }
          : { path, full: abs, regular: s.isFile(), size: Number(s.size), stat: statMessage(path, s, linkname) },
      );
      if (wait) await wait;
    }
  };
  await visit('', dir.path, false);
}

export interface FileSyncOptions {
  /**
   * Directories walked ahead of the builder's call, once `start` resolves (the build's request is out): the
   * builder spends tens of milliseconds before it asks for the context (the frontend, the Dockerfile, the
   * metadata of the base images), during which berth is idle; the walk (~9 ms for 300 entries) is done then
   * instead of after its call. The pre-walk lists the whole tree (berth's own excludes applied) and stops at
   * the directory's first call; the calls' walks (with the builder's patterns) then read its listings, lstats
   * and encoded stats instead of the file system's for up to PREWALK_FRESH_MS. Stats are those of a moment
   * earlier, as the docker CLI's are those of the moment its walk passes them; file contents are read when
   * asked, as always.
   */
  readonly prewalk?: { readonly dirs: readonly string[]; readonly start: Promise<unknown> };
}

// a pre-walk's bounds: it yields to the event loop after this long, and gives up past this many entries
const PREWALK_SLICE_MS = 2;
const PREWALK_MAX_ENTRIES = 20_000;
const STOP = Symbol('stop');
// how long what a pre-walk learnt answers the directory's calls: the builder asks for the context within a
// second of the build's start unless it pulls a base image first; later calls walk afresh
const PREWALK_FRESH_MS = 1000;

/** A pre-walk of `dir` (no builder patterns, berth's own excludes applied) filling `cache`; `stopped()` ends it. */
async function prewalkDir(dir: SyncedDir, cache: WalkCache, stopped: () => boolean): Promise<void> {
  let count = 0;
  let slice = performance.now();
  try {
    await walk(
      dir,
      {},
      (e) => {
        if (stopped() || ++count > PREWALK_MAX_ENTRIES) throw STOP;
        if (e.full !== undefined && !e.content) cache.entries.set(e.full, { stat: e.stat, packet: encodeStatPacket(e.stat) });
        if (performance.now() - slice < PREWALK_SLICE_MS) return undefined;
        // a call that arrives meanwhile (the Dockerfile's) is answered without waiting for the whole walk
        return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
          slice = performance.now();
        });
      },
      cache,
    );
  } catch {
    // stopped, or a file system error the call's own walk meets again and reports
  }
}

/**
 * The FileSync service over `dirs` (by the builder's names: "context", "dockerfile", named contexts). Each
 * transfer is reported to `onTransfer` once it has ended (successfully or not).
 */
export function fileSyncServices(dirs: Readonly<Record<string, SyncedDir>>, onTransfer?: (t: FileSyncTransfer) => void, options: FileSyncOptions = {}): GrpcServices {
  const prewalks = new Map<string, { cache: WalkCache; stop: boolean; started: number }>();
  const pre = options.prewalk;
  if (pre) {
    for (const name of pre.dirs) {
      const dir = dirs[name];
      if (!dir?.path) continue;
      const state = { cache: { dirs: new Map(), stats: new Map(), entries: new Map() } as WalkCache, stop: false, started: Infinity };
      prewalks.set(name, state);
      // a turn of the event loop after `start`: what `start` waited for is written first
      void pre.start.then(
        () =>
          new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
            state.started = performance.now();
            return prewalkDir(dir, state.cache, () => state.stop);
          }),
        () => undefined,
      );
    }
  }
  return {
    [FILESYNC_DIFFCOPY]: async (call: GrpcCall) => {
      const c = call as GrpcServerCall;
      const Packet = await protoType('fsutil.types.Packet');
      const name = option(call.metadata, 'dir-name')[0] ?? '';
      const dir = dirs[name];
      if (!dir) throw new GrpcError(GrpcStatus.NOT_FOUND, `no access allowed to dir "${name}"`);
      // the pre-walk (if any) stops where it is; the directory's calls read what it learnt while it is fresh
      const prewalk = prewalks.get(name);
      if (prewalk) prewalk.stop = true;
      const cache = prewalk && performance.now() - prewalk.started < PREWALK_FRESH_MS ? prewalk.cache : undefined;
      const transfer: FileSyncTransfer = { dir: name, listed: [], read: [], dataBytes: 0, wireBytes: 0 };
      // STAT packets, many and small, are queued and written a batch at a time; whatever is sent after them
      // (an ERR, DATA, FIN) is written after the queue
      let batch: Uint8Array[] = [];
      let batchBytes = 0;
      let lastFlush = performance.now();
      const flushStats = (): Promise<void> | undefined => {
        if (!batch.length) return undefined;
        const messages = batch;
        batch = [];
        batchBytes = 0;
        if (c.sendBatch) c.sendBatch(messages);
        else for (const m of messages) call.send(m);
        return c.writable ? c.writable() : undefined;
      };
      // a batch the walk filled: sent, then the walk waits a turn of the event loop (see STAT_BATCH_FIRST)
      const flushWalked = async (): Promise<void> => {
        await flushStats();
        lastFlush = performance.now();
        await new Promise<void>((resolve) => setImmediate(resolve));
      };
      const queueStat = (stat?: StatFields, encoded?: Uint8Array): Promise<void> | undefined => {
        const m = encoded ?? (stat ? encodeStatPacket(stat) : Packet.encode({ type: PACKET.STAT }).finish());
        batch.push(m);
        batchBytes += 5 + m.length;
        return stat && (batchBytes >= STAT_BATCH || performance.now() - lastFlush >= STAT_FLUSH_MS) ? flushWalked() : undefined;
      };
      const send = async (packet: Record<string, unknown>) => {
        await flushStats();
        call.send(Packet.encode(Packet.fromObject(packet)).finish());
        if (c.writable) await c.writable();
      };
      // file content: encoded by hand, so that the chunk is written as read rather than copied twice
      const sendData = async (id: number, data: Uint8Array) => {
        if (c.sendParts) c.sendParts([dataHeader(id, data.length), data]);
        else call.send(Packet.encode(Packet.fromObject({ type: PACKET.DATA, ID: id, data })).finish());
        if (c.writable) await c.writable();
      };
      const files = new Map<number, Entry>();
      let nextId = 0;
      let walkError: unknown;
      const walked = walk(
        dir,
        call.metadata,
        (e) => {
          const id = nextId++;
          if (e.regular) files.set(id, e);
          transfer.listed.push(e.path);
          return queueStat(e.stat, e.packet);
        },
        cache,
      )
        .then(() => {
          queueStat();
          return flushStats();
        })
        .catch(async (err: unknown) => {
          walkError = err;
          await send({ type: PACKET.ERR, data: Buffer.from(err instanceof Error ? err.message : String(err)) }).catch(() => undefined);
        });

      // requested files are sent a few at a time (as fsutil does: many small files are mostly open/close
      // latency); their chunks may interleave, each DATA packet names its file
      const inFlight = new Set<Promise<void>>();
      let sendError: unknown;
      const settled = async () => {
        await Promise.all(inFlight);
        if (sendError) throw sendError;
      };
      const sendFile = async (id: number, e: Entry) => {
        transfer.read.push(e.path);
        if (e.content) {
          for (let at = 0; at < e.content.length; at += CHUNK) {
            const data = e.content.subarray(at, at + CHUNK);
            transfer.dataBytes += data.length;
            await sendData(id, data);
          }
        } else if ((e.size ?? 0) <= SMALL_FILE) {
          const data = readFileSync(e.full!);
          // (it may have grown since it was stat'ed)
          for (let at = 0; at < data.length; at += CHUNK) {
            const chunk = data.subarray(at, at + CHUNK);
            transfer.dataBytes += chunk.length;
            await sendData(id, chunk);
          }
        } else {
          const handle = await open(e.full!, 'r');
          try {
            // a buffer one byte larger than the size stat'ed: a file that did not change since is read in
            // one call that also shows its end; a large one goes in chunks
            const size = e.size ?? 0;
            for (;;) {
              const buf = Buffer.allocUnsafe(Math.min(CHUNK, size + 1));
              const { bytesRead } = await handle.read(buf, 0, buf.length, null);
              if (bytesRead === 0) break;
              transfer.dataBytes += bytesRead;
              await sendData(id, buf.subarray(0, bytesRead));
              if (bytesRead < buf.length && buf.length > size) break;
            }
          } finally {
            await handle.close();
          }
        }
        await send({ type: PACKET.DATA, ID: id });
      };
      try {
        for await (const raw of call.messages()) {
          // read as decoded: unset fields are the message's defaults (type 0, ID 0, empty data)
          const p = Packet.decode(raw) as { type?: number; ID?: number; data?: Uint8Array };
          const type = p.type ?? 0;
          if (type === PACKET.ERR) throw new GrpcError(GrpcStatus.UNKNOWN, `error from receiver: ${Buffer.from(p.data ?? []).toString()}`);
          if (type === PACKET.REQ) {
            const id = p.ID ?? 0;
            const e = files.get(id);
            if (!e) throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, `invalid file id ${id}`);
            files.delete(id);
            if (inFlight.size >= PARALLEL_FILES) await Promise.race(inFlight);
            if (sendError) throw sendError;
            const sending: Promise<void> = sendFile(id, e)
              .catch((err: unknown) => {
                sendError ??= err;
              })
              .finally(() => inFlight.delete(sending));
            inFlight.add(sending);
          } else if (type === PACKET.FIN) {
            await walked;
            await settled();
            await send({ type: PACKET.FIN });
            break;
          }
        }
        await walked;
        await settled();
        if (walkError) throw walkError;
      } finally {
        transfer.wireBytes = c.bytesSent ?? 0;
        onTransfer?.(transfer);
      }
    },
  };
}
