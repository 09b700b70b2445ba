// containerd.services.content.v1.Content over OCI image layout directories: how the builder reads and
// writes a `type=local` cache on the client's disk. BuildKit's local cache importer/exporter opens the
// session's content store named `local:<dir>` (the store id travels in the `buildkit-attachable-store-id`
// metadata of every call) and uses it as a containerd content store: Info/Read for an import, Write (with
// a STAT/WRITE/COMMIT dialogue) for an export. Blobs live at `<dir>/blobs/<algorithm>/<hex>`, as in an OCI
// layout (and containerd's local store, which buildx uses), so a directory written by compose or buildx
// is read here and the other way round; index.json is the client's business (../local-cache.ts).
//
// Invariants: a blob file only ever holds bytes whose digest is its name. A write goes to a temporary
// file under `<dir>/ingest/`, hashed as it is written, and is renamed into blobs/ only when its commit's
// size and digest check out; a refused, aborted or broken write removes its temporary file. Digests are
// checked against their algorithm's form before they become paths (no `..` or `/` can get through).
// Labels (containerd's per-blob metadata) are kept in memory for the session: an OCI layout has no place
// for them and nothing of a cache depends on them.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { GrpcError, GrpcStatus, type GrpcCall, type GrpcServerCall, type GrpcServices } from '../grpc.js';
import { codec, requestMessage, type MessageCodec } from './codec.js';

/** The metadata naming the store a call is for (BuildKit's session/content GRPCHeaderID). */
export const STORE_ID_HEADER = 'buildkit-attachable-store-id';
const SERVICE = '/containerd.services.content.v1.Content/';
export const CONTENT_PATHS = {
  info: `${SERVICE}Info`,
  update: `${SERVICE}Update`,
  list: `${SERVICE}List`,
  delete: `${SERVICE}Delete`,
  read: `${SERVICE}Read`,
  status: `${SERVICE}Status`,
  listStatuses: `${SERVICE}ListStatuses`,
  write: `${SERVICE}Write`,
  abort: `${SERVICE}Abort`,
} as const;

// gRPC codes containerd's errdefs map to (grpc.ts names only the ones the other services use)
const ALREADY_EXISTS = 6;
const FAILED_PRECONDITION = 9;
const OUT_OF_RANGE = 11;

/** WriteAction of content.proto. */
export const WriteAction = { STAT: 0, WRITE: 1, COMMIT: 2 } as const;

// a Read answers in messages of this size: the builder's gRPC client takes up to 4 MB a message
const READ_CHUNK = 1024 * 1024;
// List answers in blocks of this many infos, as containerd's server does
const LIST_BLOCK = 100;

const ALGORITHMS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export interface ParsedDigest {
  readonly algorithm: string;
  readonly hex: string;
}

/** `sha256:<64 lower-case hex>` (or sha384/sha512), else undefined: what may become a blob's path. */
export function parseDigest(digest: string): ParsedDigest | undefined {
  const colon = digest.indexOf(':');
  if (colon < 0) return undefined;
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = ALGORITHMS[algorithm];
  if (length === undefined || hex.length !== length || !/^[0-9a-f]+$/.test(hex)) return undefined;
  return { algorithm, hex };
}

function digestOrFail(digest: string): ParsedDigest {
  const d = parseDigest(digest);
  if (!d) throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, `${JSON.stringify(digest)} failed validation`);
  return d;
}

interface Timestamp {
  seconds: number;
  nanos: number;
}
const timestamp = (ms: number): Timestamp => ({ seconds: Math.floor(ms / 1000), nanos: Math.floor((ms % 1000) * 1e6) });

interface Info {
  digest: string;
  size: number;
  created_at?: Timestamp;
  updated_at?: Timestamp;
  labels: Record<string, string>;
}
interface Status {
  started_at?: Timestamp;
  updated_at?: Timestamp;
  ref: string;
  offset: number;
  total: number;
  expected: string;
}
interface WriteRequest {
  action: number;
  ref: string;
  total: number;
  expected: string;
  offset: number;
  data: Uint8Array;
  labels: Record<string, string>;
}
interface WriteResponse {
  action: number;
  started_at?: Timestamp;
  updated_at?: Timestamp;
  offset: number;
  total: number;
  digest: string;
}

const T = 'containerd.services.content.v1.';
const infoRequest = codec<{ digest: string }>(`${T}InfoRequest`);
const infoResponse = codec<{ info: Info }>(`${T}InfoResponse`);
const updateRequest = codec<{ info?: Info; update_mask?: { paths: string[] } }>(`${T}UpdateRequest`);
const updateResponse = codec<{ info: Info }>(`${T}UpdateResponse`);
const listRequest = codec<{ filters: string[] }>(`${T}ListContentRequest`);
const listResponse = codec<{ info: Info[] }>(`${T}ListContentResponse`);
const deleteRequest = codec<{ digest: string }>(`${T}DeleteContentRequest`);
const empty = codec<Record<string, never>>('google.protobuf.Empty');
const readRequest = codec<{ digest: string; offset: number; size: number }>(`${T}ReadContentRequest`);
const readResponse = codec<{ offset: number; data: Uint8Array }>(`${T}ReadContentResponse`);
const statusRequest = codec<{ ref: string }>(`${T}StatusRequest`);
const statusResponse = codec<{ status: Status }>(`${T}StatusResponse`);
const listStatusesRequest = codec<{ filters: string[] }>(`${T}ListStatusesRequest`);
const listStatusesResponse = codec<{ statuses: Status[] }>(`${T}ListStatusesResponse`);
const writeRequest = codec<WriteRequest>(`${T}WriteContentRequest`);
const writeResponse = codec<WriteResponse>(`${T}WriteContentResponse`);
const abortRequest = codec<{ ref: string }>(`${T}AbortRequest`);

/** A write in progress: its temporary file, the hash of what it holds so far. */
interface Ingest {
  readonly ref: string;
  readonly temp: string;
  readonly file: fsp.FileHandle;
  readonly startedAt: number;
  updatedAt: number;
  algorithm: string;
  hash: Hash;
  offset: number;
  total: number;
  expected: string;
  aborted: boolean;
}

export interface OciLayoutStoreOptions {
  /** An import's store only answers reads; an export's also takes writes and deletes. */
  readonly writable: boolean;
}

/** One OCI layout directory as a containerd content store (blobs only; index.json is not touched). */
export class OciLayoutStore {
  private readonly labels = new Map<string, Record<string, string>>();
  private readonly ingests = new Map<string, Ingest>();

  constructor(
    readonly dir: string,
    readonly options: OciLayoutStoreOptions,
  ) {}

  blobPath(d: ParsedDigest): string {
    return join(this.dir, 'blobs', d.algorithm, d.hex);
  }

  async info(digest: string): Promise<Info> {
    const d = digestOrFail(digest);
    let st;
    try {
      st = await fsp.stat(this.blobPath(d));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
        throw new GrpcError(GrpcStatus.NOT_FOUND, `content digest ${digest}: not found`);
      }
      throw err;
    }
    if (!st.isFile()) throw new GrpcError(GrpcStatus.NOT_FOUND, `content digest ${digest}: not found`);
    return { digest, size: st.size, created_at: timestamp(st.birthtimeMs || st.mtimeMs), updated_at: timestamp(st.mtimeMs), labels: { ...this.labels.get(digest) } };
  }

  async update(info: Info | undefined, paths: readonly string[]): Promise<Info> {
    if (!info) throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, 'update without info');
    const current = await this.info(info.digest);
    const incoming = info.labels ?? {};
    let labels: Record<string, string> = { ...current.labels };
    if (paths.length === 0) labels = { ...incoming };
    for (const p of paths) {
      if (p === 'labels') labels = { ...incoming };
      else if (p.startsWith('labels.')) {
        const key = p.slice('labels.'.length);
        if (key in incoming) labels[key] = incoming[key]!;
        else delete labels[key];
      } else throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, `cannot update ${JSON.stringify(p)} field on content info ${info.digest}`);
    }
    this.labels.set(info.digest, labels);
    return { ...current, labels: { ...labels } };
  }

  /** Every blob, in directory order per algorithm. */
  async *walk(): AsyncGenerator<Info> {
    for (const algorithm of Object.keys(ALGORITHMS)) {
      let names: string[];
      try {
        names = (await fsp.readdir(join(this.dir, 'blobs', algorithm))).sort();
      } catch {
        continue;
      }
      for (const hex of names) {
        const digest = `${algorithm}:${hex}`;
        if (!parseDigest(digest)) continue;
        try {
          yield await this.info(digest);
        } catch (err) {
          if (!(err instanceof GrpcError && err.code === GrpcStatus.NOT_FOUND)) throw err;
        }
      }
    }
  }

  async delete(digest: string): Promise<void> {
    const d = digestOrFail(digest);
    if (!this.options.writable) throw new GrpcError(GrpcStatus.PERMISSION_DENIED, `content store ${this.dir} is only imported from`);
    try {
      await fsp.unlink(this.blobPath(d));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new GrpcError(GrpcStatus.NOT_FOUND, `content digest ${digest}: not found`);
      throw err;
    }
    this.labels.delete(digest);
  }

  /** The bytes [offset, offset+size) of a blob (to its end when size <= 0 or past it), in chunks. */
  async *read(digest: string, offset: number, size: number): AsyncGenerator<{ offset: number; data: Buffer }> {
    const { size: blobSize } = await this.info(digest);
    const start = Math.max(0, offset);
    if (start > blobSize) throw new GrpcError(OUT_OF_RANGE, `read past object length ${blobSize} bytes`);
    const length = size <= 0 || start + size > blobSize ? blobSize - start : size;
    if (length === 0) return;
    const stream = createReadStream(this.blobPath(digestOrFail(digest)), { start, end: start + length - 1, highWaterMark: READ_CHUNK });
    let at = start;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        yield { offset: at, data: chunk };
        at += chunk.length;
      }
    } finally {
      stream.destroy();
    }
  }

  status(ref: string): Status {
    const i = this.ingests.get(ref);
    if (!i) throw new GrpcError(GrpcStatus.NOT_FOUND, `status for ref ${JSON.stringify(ref)}: not found`);
    return ingestStatus(i);
  }

  statuses(filters: readonly string[]): Status[] {
    const match = compileFilters(filters);
    return [...this.ingests.values()].filter((i) => match((path) => (path[0] === 'ref' && path.length === 1 ? i.ref : path[0] === 'expected' && path.length === 1 ? i.expected : undefined))).map(ingestStatus);
  }

  /** Aborts a write in progress: its stream fails and its temporary file goes. */
  async abort(ref: string): Promise<void> {
    const i = this.ingests.get(ref);
    if (!i) throw new GrpcError(GrpcStatus.NOT_FOUND, `ref ${JSON.stringify(ref)}: not found`);
    i.aborted = true;
    await this.dropIngest(i);
  }

  /** Starts a write; only one stream at a time may write a ref (the builder retries UNAVAILABLE). */
  async openIngest(ref: string, total: number, expected: string): Promise<Ingest> {
    if (!this.options.writable) throw new GrpcError(GrpcStatus.PERMISSION_DENIED, `content store ${this.dir} is only imported from`);
    if (this.ingests.has(ref)) throw new GrpcError(GrpcStatus.UNAVAILABLE, `ref ${ref} locked: unavailable`);
    const algorithm = expected ? digestOrFail(expected).algorithm : 'sha256';
    const ingestDir = join(this.dir, 'ingest');
    // the directory itself too: an export's is only made once the builder writes to it
    await fsp.mkdir(ingestDir, { recursive: true, mode: 0o755 });
    // a name of its own per write: two sessions exporting into one directory never share a temporary file
    const temp = join(ingestDir, `${createHash('sha256').update(ref).digest('hex').slice(0, 16)}-${randomBytes(6).toString('hex')}`);
    const file = await fsp.open(temp, 'wx', 0o600);
    const now = Date.now();
    const ingest: Ingest = { ref, temp, file, startedAt: now, updatedAt: now, algorithm, hash: createHash(algorithm), offset: 0, total, expected, aborted: false };
    this.ingests.set(ref, ingest);
    return ingest;
  }

  /** Appends at the ingest's offset (an offset of 0 on a started write starts it over). */
  async writeIngest(i: Ingest, offset: number, data: Uint8Array): Promise<void> {
    if (i.aborted) throw new GrpcError(GrpcStatus.NOT_FOUND, `ref ${i.ref}: aborted`);
    if (offset > 0 && offset !== i.offset) throw new GrpcError(OUT_OF_RANGE, `write @${offset} must occur at current offset ${i.offset}`);
    if (offset === 0 && i.offset > 0) {
      await i.file.truncate(0);
      i.hash = createHash(i.algorithm);
      i.offset = 0;
    }
    if (data.length === 0) return;
    const { bytesWritten } = await i.file.write(data, 0, data.length, i.offset);
    if (bytesWritten !== data.length) throw new GrpcError(15, `wrote ${bytesWritten} of ${data.length} bytes`);
    i.hash.update(data);
    i.offset += data.length;
    i.updatedAt = Date.now();
  }

  /** The digest of what the ingest holds so far. */
  ingestDigest(i: Ingest): string {
    return `${i.algorithm}:${i.hash.copy().digest('hex')}`;
  }

  /**
   * Checks size and digest, then moves the temporary file to its blob path. Refused (and the temporary
   * file removed) when the bytes are not what the commit says; a blob that is already there is
   * ALREADY_EXISTS, as containerd's store answers, which the builder takes as success.
   */
  async commitIngest(i: Ingest, total: number, expected: string, labels: Record<string, string>): Promise<string> {
    try {
      if (i.aborted) throw new GrpcError(GrpcStatus.NOT_FOUND, `ref ${i.ref}: aborted`);
      if (total > 0 && total !== i.offset) throw new GrpcError(FAILED_PRECONDITION, `unexpected commit size ${i.offset}, expected ${total}`);
      const actual = `${i.algorithm}:${i.hash.digest('hex')}`;
      if (expected && expected !== actual) throw new GrpcError(FAILED_PRECONDITION, `unexpected commit digest ${actual}, expected ${expected}`);
      const target = this.blobPath(digestOrFail(actual));
      await i.file.sync();
      await i.file.close();
      await fsp.mkdir(join(this.dir, 'blobs', i.algorithm), { recursive: true, mode: 0o755 });
      // blobs are immutable: read-only, as containerd's store leaves them (a cache directory is meant to be
      // shared by whoever builds from it, so others may read)
      await fsp.chmod(i.temp, 0o444);
      try {
        await fsp.link(i.temp, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new GrpcError(ALREADY_EXISTS, `content ${actual}: already exists`);
        // a file system without hard links: rename (which would replace a blob of the same bytes)
        if ((err as NodeJS.ErrnoException).code !== 'EPERM' && (err as NodeJS.ErrnoException).code !== 'ENOTSUP') throw err;
        await fsp.rename(i.temp, target);
      }
      if (Object.keys(labels).length) this.labels.set(actual, { ...labels });
      return actual;
    } finally {
      await this.dropIngest(i);
    }
  }

  /** Closes and removes an ingest's temporary file (after its blob was linked, or when it failed). */
  async dropIngest(i: Ingest): Promise<void> {
    if (this.ingests.get(i.ref) === i) this.ingests.delete(i.ref);
    await i.file.close().catch(() => undefined);
    await fsp.rm(i.temp, { force: true }).catch(() => undefined);
    // the ingest directory is left only while some write uses it
    await fsp.rmdir(join(this.dir, 'ingest')).catch(() => undefined);
  }

  /** Ends every write in progress (the session is over). */
  async close(): Promise<void> {
    await Promise.all([...this.ingests.values()].map((i) => this.dropIngest(i)));
  }
}

function ingestStatus(i: Ingest): Status {
  return { started_at: timestamp(i.startedAt), updated_at: timestamp(i.updatedAt), ref: i.ref, offset: i.offset, total: i.total, expected: i.expected };
}

/**
 * containerd's filter syntax, the part a content store's fields need: filters are OR-ed, each a
 * comma-separated AND of `field`, `field==value`, `field!=value` or `field~=regexp`; a field is a dotted
 * path whose parts may be double-quoted (`labels."a.b"`), a value may be double-quoted.
 */
export function compileFilters(filters: readonly string[]): (field: (path: string[]) => string | undefined) => boolean {
  const parsed = filters.filter((f) => f.trim() !== '').map(parseFilter);
  if (parsed.length === 0) return () => true;
  return (field) => parsed.some((clauses) => clauses.every((c) => c(field)));
}

type Clause = (field: (path: string[]) => string | undefined) => boolean;

function parseFilter(filter: string): Clause[] {
  const clauses: Clause[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, `filter ${JSON.stringify(filter)}: ${why}`);
  };
  const quoted = (): string => {
    let out = '';
    i++; // the opening quote
    while (i < filter.length && filter[i] !== '"') {
      if (filter[i] === '\\' && i + 1 < filter.length) i++;
      out += filter[i++];
    }
    if (filter[i] !== '"') fail('unterminated quote');
    i++;
    return out;
  };
  while (i <= filter.length) {
    const path: string[] = [];
    for (;;) {
      if (filter[i] === '"') path.push(quoted());
      else {
        const m = /^[A-Za-z0-9_\-/]+/.exec(filter.slice(i));
        if (!m) fail(`a field name expected at ${i}`);
        path.push(m![0]);
        i += m![0].length;
      }
      if (filter[i] !== '.') break;
      i++;
    }
    const op = /^(==|!=|~=)/.exec(filter.slice(i))?.[0];
    let value = '';
    if (op) {
      i += 2;
      if (filter[i] === '"') value = quoted();
      else {
        const end = filter.indexOf(',', i);
        value = filter.slice(i, end < 0 ? filter.length : end);
        i += value.length;
      }
    }
    const re = op === '~=' ? safeRegExp(value, fail) : undefined;
    clauses.push((field) => {
      const v = field(path);
      if (!op) return v !== undefined;
      if (v === undefined) return op === '!=';
      return op === '==' ? v === value : op === '!=' ? v !== value : re!.test(v);
    });
    if (i >= filter.length) break;
    if (filter[i] !== ',') fail(`"," expected at ${i}`);
    i++;
  }
  return clauses;
}

function safeRegExp(source: string, fail: (why: string) => never): RegExp {
  try {
    return new RegExp(source);
  } catch {
    return fail(`bad regular expression ${JSON.stringify(source)}`);
  }
}

const infoField = (info: Info) => (path: string[]) => {
  if (path.length === 1 && path[0] === 'digest') return info.digest;
  if (path.length === 1 && path[0] === 'size') return String(info.size);
  if (path[0] === 'labels' && path.length >= 2) return info.labels[path.slice(1).join('.')];
  return undefined;
};

/** The store a call names in its metadata. */
function storeOf(stores: ReadonlyMap<string, OciLayoutStore>, call: GrpcCall): OciLayoutStore {
  const id = call.metadata[STORE_ID_HEADER]?.[0];
  if (id === undefined) throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, `request lacks metadata "${STORE_ID_HEADER}"`);
  const store = stores.get(id);
  if (!store) throw new GrpcError(GrpcStatus.NOT_FOUND, `unknown store ${id}`);
  return store;
}

/** A unary call whose store is chosen by the call's metadata. */
function unaryOn<Req extends object, Res extends object>(
  stores: ReadonlyMap<string, OciLayoutStore>,
  req: MessageCodec<Req>,
  res: MessageCodec<Res>,
  answer: (store: OciLayoutStore, request: Req) => Promise<Res>,
) {
  return async (call: GrpcCall): Promise<void> => {
    const bytes = await requestMessage(call);
    const reply = await res.encode(await answer(storeOf(stores, call), await req.decode(bytes ?? new Uint8Array())));
    call.send(reply);
  };
}

/** The request of a server-streaming call (the request side is one message, read to its end). */
async function single<Req extends object>(call: GrpcCall, req: MessageCodec<Req>): Promise<Req> {
  return req.decode((await requestMessage(call)) ?? new Uint8Array());
}

const waitWritable = async (call: GrpcCall) => {
  const c = call as Partial<GrpcServerCall>;
  if (c.writable) await c.writable();
};

/** The Write dialogue: every request message gets one answer; a COMMIT ends the call. */
async function write(store: OciLayoutStore, call: GrpcCall): Promise<void> {
  let ingest: Ingest | undefined;
  let committed = false;
  try {
    for await (const bytes of call.messages()) {
      const m = await writeRequest.decode(bytes);
      if (!ingest) {
        if (!m.ref) throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, 'first message must have a reference');
        if (m.expected) {
          digestOrFail(m.expected);
          if (await exists(store, m.expected)) throw new GrpcError(ALREADY_EXISTS, `blob with expected digest ${m.expected} exists`);
        }
        ingest = await store.openIngest(m.ref, m.total, m.expected);
      } else if (m.expected) {
        digestOrFail(m.expected);
        if (await exists(store, m.expected)) throw new GrpcError(ALREADY_EXISTS, `blob with expected digest ${m.expected} exists`);
      }
      if (m.expected) ingest.expected = m.expected;
      if (m.total > 0) ingest.total = m.total;
      const answer: WriteResponse = { action: m.action, offset: ingest.offset, total: 0, digest: '' };
      if (m.action === WriteAction.STAT) {
        Object.assign(answer, { digest: store.ingestDigest(ingest), total: ingest.total, started_at: timestamp(ingest.startedAt), updated_at: timestamp(ingest.updatedAt) });
      } else if (m.action === WriteAction.WRITE || m.action === WriteAction.COMMIT) {
        await store.writeIngest(ingest, m.offset, m.data);
        answer.offset = ingest.offset;
        if (m.action === WriteAction.COMMIT) {
          committed = true;
          answer.digest = await store.commitIngest(ingest, ingest.total, ingest.expected, m.labels ?? {});
        } else answer.digest = store.ingestDigest(ingest);
      } else throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, `unknown write action ${m.action}`);
      call.send(await writeResponse.encode(answer));
      if (committed) return;
    }
  } finally {
    // a stream that ends (or fails) before its commit leaves nothing behind
    if (ingest && !committed) await store.dropIngest(ingest);
  }
}

async function exists(store: OciLayoutStore, digest: string): Promise<boolean> {
  try {
    await store.info(digest);
    return true;
  } catch (err) {
    if (err instanceof GrpcError && err.code === GrpcStatus.NOT_FOUND) return false;
    throw err;
  }
}

export interface ContentServices {
  readonly services: GrpcServices;
  /** Ends the writes still in progress, removing their temporary files. */
  close(): Promise<void>;
}

/** The Content service over `stores` (store id, e.g. `local:/abs/dir` → its directory). */
export function contentServices(stores: ReadonlyMap<string, OciLayoutStore>): ContentServices {
  const services: GrpcServices = {
    [CONTENT_PATHS.info]: unaryOn(stores, infoRequest, infoResponse, async (s, r) => ({ info: await s.info(r.digest) })),
    [CONTENT_PATHS.update]: unaryOn(stores, updateRequest, updateResponse, async (s, r) => {
      if (r.info) digestOrFail(r.info.digest);
      return { info: await s.update(r.info, r.update_mask?.paths ?? []) };
    }),
    [CONTENT_PATHS.list]: async (call) => {
      const r = await single(call, listRequest);
      const store = storeOf(stores, call);
      const match = compileFilters(r.filters);
      let block: Info[] = [];
      const flush = async () => {
        call.send(await listResponse.encode({ info: block }));
        block = [];
        await waitWritable(call);
      };
      for await (const info of store.walk()) {
        if (!match(infoField(info))) continue;
        block.push(info);
        if (block.length >= LIST_BLOCK) await flush();
      }
      if (block.length) await flush();
    },
    [CONTENT_PATHS.delete]: unaryOn(stores, deleteRequest, empty, async (s, r) => {
      await s.delete(r.digest);
      return {};
    }),
    [CONTENT_PATHS.read]: async (call) => {
      const r = await single(call, readRequest);
      const store = storeOf(stores, call);
      for await (const chunk of store.read(r.digest, r.offset, r.size)) {
        call.send(await readResponse.encode(chunk));
        await waitWritable(call);
      }
    },
    [CONTENT_PATHS.status]: unaryOn(stores, statusRequest, statusResponse, async (s, r) => ({ status: s.status(r.ref) })),
    [CONTENT_PATHS.listStatuses]: unaryOn(stores, listStatusesRequest, listStatusesResponse, async (s, r) => ({ statuses: s.statuses(r.filters) })),
    [CONTENT_PATHS.write]: async (call) => write(storeOf(stores, call), call),
    [CONTENT_PATHS.abort]: unaryOn(stores, abortRequest, empty, async (s, r) => {
      await s.abort(r.ref);
      return {};
    }),
  };
  return { services, close: async () => void (await Promise.all([...stores.values()].map((s) => s.close()))) };
}
