// The session's content store for type=local caches (containerd.services.content.v1.Content over an OCI
// layout directory) and the client's index.json work around it, called over a real HTTP/2 connection with
// gRPC framing (test/helpers/grpc-h2.ts), with the messages and the metadata BuildKit's content proxy sends.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { needsBuildRoute, solveRequest } from '../../../src/engine/dockerode/buildkit/control.js';
import { ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME, CACHE_MANIFEST_KEY, findTagged, localCaches, recordCacheManifest, resolveLocalImport, withTagged } from '../../../src/engine/dockerode/buildkit/local-cache.js';
import { GrpcDeframer, grpcFrame, GrpcStatus } from '../../../src/engine/dockerode/buildkit/grpc.js';
import { codec } from '../../../src/engine/dockerode/buildkit/services/codec.js';
import { compileFilters, CONTENT_PATHS, contentServices, OciLayoutStore, parseDigest, STORE_ID_HEADER, WriteAction } from '../../../src/engine/dockerode/buildkit/services/content.js';
import { callGrpc, openStream, serveGrpc, type GrpcTestServer } from '../../helpers/grpc-h2.js';

const T = 'containerd.services.content.v1.';
const infoReq = codec<{ digest: string }>(`${T}InfoRequest`);
const infoRes = codec<{ info: { digest: string; size: number; labels: Record<string, string> } }>(`${T}InfoResponse`);
const readReq = codec<{ digest: string; offset?: number; size?: number }>(`${T}ReadContentRequest`);
const readRes = codec<{ offset: number; data: Uint8Array }>(`${T}ReadContentResponse`);
const writeReq = codec<{ action: number; ref?: string; total?: number; expected?: string; offset?: number; data?: Uint8Array; labels?: Record<string, string> }>(`${T}WriteContentRequest`);
const writeRes = codec<{ action: number; offset: number; total: number; digest: string }>(`${T}WriteContentResponse`);
const listReq = codec<{ filters: string[] }>(`${T}ListContentRequest`);
const listRes = codec<{ info: { digest: string; size: number }[] }>(`${T}ListContentResponse`);
const updateReq = codec<{ info: { digest: string; labels: Record<string, string> }; update_mask?: { paths: string[] } }>(`${T}UpdateRequest`);
const updateRes = codec<{ info: { digest: string; labels: Record<string, string> } }>(`${T}UpdateResponse`);
const deleteReq = codec<{ digest: string }>(`${T}DeleteContentRequest`);
const statusReq = codec<{ ref: string }>(`${T}StatusRequest`);
const statusRes = codec<{ status: { ref: string; offset: number; total: number; expected: string } }>(`${T}StatusResponse`);
const listStatusesReq = codec<{ filters: string[] }>(`${T}ListStatusesRequest`);
const listStatusesRes = codec<{ statuses: { ref: string; offset: number }[] }>(`${T}ListStatusesResponse`);
const abortReq = codec<{ ref: string }>(`${T}AbortRequest`);

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const ALREADY_EXISTS = 6;
const FAILED_PRECONDITION = 9;
const OUT_OF_RANGE = 11;

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'bk-content-'));
});

/** Every file under `dir`, relative, sorted. */
function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

function putBlob(dir: string, data: Buffer | string): string {
  const d = sha256(data);
  mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(path.join(dir, 'blobs', 'sha256', d.slice(7)), data);
  return d;
}

describe('Content service over an OCI layout directory', () => {
  let exportDir: string;
  let importDir: string;
  let server: GrpcTestServer;
  let close: () => Promise<void>;
  const EXPORT = () => ({ [STORE_ID_HEADER]: `local:${exportDir}` });
  const IMPORT = () => ({ [STORE_ID_HEADER]: `local:${importDir}` });

  beforeEach(async () => {
    await server?.close();
    await close?.();
    exportDir = mkdtempSync(path.join(root, 'export-'));
    importDir = mkdtempSync(path.join(root, 'import-'));
    const stores = new Map([
      [`local:${exportDir}`, new OciLayoutStore(exportDir, { writable: true })],
      [`local:${importDir}`, new OciLayoutStore(importDir, { writable: false })],
    ]);
    const content = contentServices(stores);
    close = content.close;
    server = await serveGrpc(content.services);
  });
  afterAll(async () => {
    await server?.close();
    await close?.();
  });

  /** The write dialogue of containerd's content proxy: STAT, WRITE chunks, COMMIT; one answer each. */
  async function writeBlob(data: Buffer, o: { ref?: string; expected?: string; total?: number; chunk?: number; metadata?: Record<string, string> } = {}) {
    const { stream, close: end } = openStream(server.url, CONTENT_PATHS.write, o.metadata ?? EXPORT());
    const answers: { action: number; offset: number; total: number; digest: string }[] = [];
    try {
      stream.write(await writeReq.encode({ action: WriteAction.STAT, ref: o.ref ?? 'layer-1', total: o.total ?? data.length, expected: o.expected ?? sha256(data) }));
      // a refused write ends the call early: the client then ends its side, as gRPC's client does
      const early = async () => (stream.end(), { answers, status: await stream.status() });
      let reply = await stream.read();
      if (!reply) return early();
      answers.push(await writeRes.decode(reply));
      const chunk = o.chunk ?? data.length;
      for (let off = 0; off < data.length; off += chunk) {
        stream.write(await writeReq.encode({ action: WriteAction.WRITE, offset: off, data: data.subarray(off, off + chunk) }));
        reply = await stream.read();
        if (!reply) return early();
        answers.push(await writeRes.decode(reply));
      }
      stream.write(await writeReq.encode({ action: WriteAction.COMMIT, offset: data.length, total: o.total ?? data.length, expected: o.expected ?? sha256(data) }));
      reply = await stream.read();
      if (reply) answers.push(await writeRes.decode(reply));
      stream.end();
      return { answers, status: await stream.status() };
    } finally {
      end();
    }
  }

  it('writes a blob in chunks, verified and committed under blobs/sha256, nothing left in ingest/', async () => {
    const data = Buffer.from('x'.repeat(300_000) + 'layer content');
    const { answers, status } = await writeBlob(data, { chunk: 100_000 });
    expect(status.code).toBe(0);
    expect(answers.map((a) => a.offset)).toEqual([0, 100_000, 200_000, 300_000, data.length, data.length]);
    expect(answers.at(-1)).toMatchObject({ action: WriteAction.COMMIT, digest: sha256(data) });
    expect(files(exportDir)).toEqual([`blobs/sha256/${sha256(data).slice(7)}`]);
    expect(readFileSync(path.join(exportDir, 'blobs/sha256', sha256(data).slice(7)))).toEqual(data);
    // immutable: read-only for everyone, as containerd leaves blobs
    expect(statSync(path.join(exportDir, 'blobs/sha256', sha256(data).slice(7))).mode & 0o777).toBe(0o444);
    const info = await callGrpc(server.url, CONTENT_PATHS.info, [await infoReq.encode({ digest: sha256(data) })], EXPORT());
    expect(info.code).toBe(0);
    expect((await infoRes.decode(info.messages[0])).info).toMatchObject({ digest: sha256(data), size: data.length });
  });

  it('refuses a blob whose bytes do not match its digest and leaves nothing behind', async () => {
    const data = Buffer.from('the real bytes');
    const { status } = await writeBlob(data, { expected: sha256('other bytes') });
    expect(status.code).toBe(FAILED_PRECONDITION);
    expect(status.message).toContain(`unexpected commit digest ${sha256(data)}`);
    expect(files(exportDir)).toEqual([]);
    expect(existsSync(path.join(exportDir, 'ingest'))).toBe(false);
  });

  it('refuses a commit whose size is not the bytes written', async () => {
    const { status } = await writeBlob(Buffer.from('12345'), { total: 6, expected: '' });
    expect(status.code).toBe(FAILED_PRECONDITION);
    expect(status.message).toContain('unexpected commit size 5, expected 6');
    expect(files(exportDir)).toEqual([]);
  });

  it('stores a blob without an expected digest under the digest of its bytes', async () => {
    const data = Buffer.from('no expectation');
    const { answers, status } = await writeBlob(data, { expected: '' });
    expect(status.code).toBe(0);
    expect(answers.at(-1)!.digest).toBe(sha256(data));
    expect(files(exportDir)).toEqual([`blobs/sha256/${sha256(data).slice(7)}`]);
  });

  it('answers ALREADY_EXISTS when the expected blob is there (the builder takes that as written)', async () => {
    const data = Buffer.from('already here');
    putBlob(exportDir, data);
    const { answers, status } = await writeBlob(data);
    expect(answers).toEqual([]);
    expect(status.code).toBe(ALREADY_EXISTS);
    expect(files(exportDir)).toEqual([`blobs/sha256/${sha256(data).slice(7)}`]);
  });

  it('drops a write whose stream ends before its commit, and refuses a write at a wrong offset', async () => {
    const { stream, close: end } = openStream(server.url, CONTENT_PATHS.write, EXPORT());
    stream.write(await writeReq.encode({ action: WriteAction.STAT, ref: 'half', total: 10 }));
    await stream.read();
    stream.write(await writeReq.encode({ action: WriteAction.WRITE, offset: 0, data: Buffer.from('12345') }));
    expect((await writeRes.decode((await stream.read())!)).offset).toBe(5);
    // the ingest is visible while the write is open
    const st = await callGrpc(server.url, CONTENT_PATHS.status, [await statusReq.encode({ ref: 'half' })], EXPORT());
    expect((await statusRes.decode(st.messages[0])).status).toMatchObject({ ref: 'half', offset: 5, total: 10 });
    const all = await callGrpc(server.url, CONTENT_PATHS.listStatuses, [await listStatusesReq.encode({ filters: ['ref==half'] })], EXPORT());
    expect((await listStatusesRes.decode(all.messages[0])).statuses.map((s) => s.ref)).toEqual(['half']);
    expect(files(exportDir)).toHaveLength(1); // the temporary file under ingest/
    stream.write(await writeReq.encode({ action: WriteAction.WRITE, offset: 7, data: Buffer.from('x') }));
    expect(await stream.read()).toBeUndefined();
    stream.end();
    expect((await stream.status()).code).toBe(OUT_OF_RANGE);
    end();
    await expect.poll(() => files(exportDir)).toEqual([]);
    const gone = await callGrpc(server.url, CONTENT_PATHS.status, [await statusReq.encode({ ref: 'half' })], EXPORT());
    expect(gone.code).toBe(GrpcStatus.NOT_FOUND);
  });

  it('aborts an open write (its file goes) and locks a ref to one writer at a time', async () => {
    const { stream, close: end } = openStream(server.url, CONTENT_PATHS.write, EXPORT());
    try {
      stream.write(await writeReq.encode({ action: WriteAction.WRITE, ref: 'r1', offset: 0, data: Buffer.from('abc') }));
      expect((await writeRes.decode((await stream.read())!)).offset).toBe(3);
      const second = await callGrpc(server.url, CONTENT_PATHS.write, [await writeReq.encode({ action: WriteAction.STAT, ref: 'r1' })], EXPORT());
      expect(second.code).toBe(GrpcStatus.UNAVAILABLE);
      const abort = await callGrpc(server.url, CONTENT_PATHS.abort, [await abortReq.encode({ ref: 'r1' })], EXPORT());
      expect(abort.code).toBe(0);
      expect(files(exportDir)).toEqual([]);
      stream.write(await writeReq.encode({ action: WriteAction.COMMIT, offset: 3 }));
      expect(await stream.read()).toBeUndefined();
      stream.end();
      expect((await stream.status()).code).toBe(GrpcStatus.NOT_FOUND);
      expect(files(exportDir)).toEqual([]);
      const again = await callGrpc(server.url, CONTENT_PATHS.abort, [await abortReq.encode({ ref: 'r1' })], EXPORT());
      expect(again.code).toBe(GrpcStatus.NOT_FOUND);
    } finally {
      end();
    }
  });

  it('reads a blob whole, by range, in chunks of at most 1 MiB, and refuses a read past its end', async () => {
    const data = Buffer.alloc(2_500_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    const d = putBlob(importDir, data);
    const whole = await callGrpc(server.url, CONTENT_PATHS.read, [await readReq.encode({ digest: d })], IMPORT());
    expect(whole.code).toBe(0);
    const parts = await Promise.all(whole.messages.map((m) => readRes.decode(m)));
    expect(parts.map((p) => p.offset)).toEqual([0, 1_048_576, 2_097_152]);
    // compared by digest: a deep equality of megabytes is slow
    expect(sha256(Buffer.concat(parts.map((p) => p.data)))).toBe(d);
    const range = await callGrpc(server.url, CONTENT_PATHS.read, [await readReq.encode({ digest: d, offset: 1000, size: 24 })], IMPORT());
    expect(Buffer.from((await readRes.decode(range.messages[0])).data)).toEqual(data.subarray(1000, 1024));
    // offset+size past the end: what there is (the proxy's ReadAt asks for a whole buffer)
    const tail = await callGrpc(server.url, CONTENT_PATHS.read, [await readReq.encode({ digest: d, offset: data.length - 3, size: 100 })], IMPORT());
    expect(Buffer.from((await readRes.decode(tail.messages[0])).data)).toEqual(data.subarray(data.length - 3));
    const past = await callGrpc(server.url, CONTENT_PATHS.read, [await readReq.encode({ digest: d, offset: data.length + 1 })], IMPORT());
    expect(past.code).toBe(OUT_OF_RANGE);
    const missing = await callGrpc(server.url, CONTENT_PATHS.read, [await readReq.encode({ digest: sha256('absent') })], IMPORT());
    expect(missing).toMatchObject({ code: GrpcStatus.NOT_FOUND, messages: [] });
  });

  it('chooses the store by the buildkit-attachable-store-id metadata and checks digests before they become paths', async () => {
    const d = putBlob(importDir, 'in the import dir');
    expect((await callGrpc(server.url, CONTENT_PATHS.info, [await infoReq.encode({ digest: d })], IMPORT())).code).toBe(0);
    expect((await callGrpc(server.url, CONTENT_PATHS.info, [await infoReq.encode({ digest: d })], EXPORT())).code).toBe(GrpcStatus.NOT_FOUND);
    const none = await callGrpc(server.url, CONTENT_PATHS.info, [await infoReq.encode({ digest: d })]);
    expect(none.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(none.message).toContain(STORE_ID_HEADER);
    const unknown = await callGrpc(server.url, CONTENT_PATHS.info, [await infoReq.encode({ digest: d })], { [STORE_ID_HEADER]: 'local:/elsewhere' });
    expect(unknown).toMatchObject({ code: GrpcStatus.NOT_FOUND, message: 'unknown store local:/elsewhere' });
    // a digest is a path only when it has its algorithm's exact form
    writeFileSync(path.join(root, 'outside'), 'secret-ish');
    for (const bad of ['sha256:../../outside', `sha256:${'A'.repeat(64)}`, 'md5:abc', 'sha256', '']) {
      const r = await callGrpc(server.url, CONTENT_PATHS.read, [await readReq.encode({ digest: bad })], IMPORT());
      expect(r.code, bad).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(r.messages).toEqual([]);
    }
    expect(parseDigest(`sha512:${'a'.repeat(128)}`)).toEqual({ algorithm: 'sha512', hex: 'a'.repeat(128) });
  });

  it('an import-only store refuses writes and deletes', async () => {
    const w = await writeBlob(Buffer.from('nope'), { metadata: IMPORT() });
    expect(w.status.code).toBe(GrpcStatus.PERMISSION_DENIED);
    const d = putBlob(importDir, 'kept');
    const del = await callGrpc(server.url, CONTENT_PATHS.delete, [await deleteReq.encode({ digest: d })], IMPORT());
    expect(del.code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(files(importDir)).toEqual([`blobs/sha256/${d.slice(7)}`]);
  });

  it('lists blobs (with filters), updates labels in memory, deletes from a writable store', async () => {
    const a = putBlob(exportDir, 'blob a');
    const b = putBlob(exportDir, 'blob bb');
    writeFileSync(path.join(exportDir, 'blobs/sha256/not-a-digest'), 'x');
    const list = await callGrpc(server.url, CONTENT_PATHS.list, [await listReq.encode({ filters: [] })], EXPORT());
    const infos = (await Promise.all(list.messages.map((m) => listRes.decode(m)))).flatMap((r) => r.info);
    expect(infos.map((i) => [i.digest, i.size]).sort()).toEqual([[a, 6], [b, 7]].sort());
    const upd = await callGrpc(server.url, CONTENT_PATHS.update, [await updateReq.encode({ info: { digest: a, labels: { 'containerd.io/gc.ref': 'x', keep: 'y' } } })], EXPORT());
    expect((await updateRes.decode(upd.messages[0])).info.labels).toEqual({ 'containerd.io/gc.ref': 'x', keep: 'y' });
    const one = await callGrpc(server.url, CONTENT_PATHS.update, [await updateReq.encode({ info: { digest: a, labels: {} }, update_mask: { paths: ['labels.keep'] } })], EXPORT());
    expect((await updateRes.decode(one.messages[0])).info.labels).toEqual({ 'containerd.io/gc.ref': 'x' });
    const filtered = await callGrpc(server.url, CONTENT_PATHS.list, [await listReq.encode({ filters: ['labels."containerd.io/gc.ref"==x'] })], EXPORT());
    expect((await Promise.all(filtered.messages.map((m) => listRes.decode(m)))).flatMap((r) => r.info.map((i) => i.digest))).toEqual([a]);
    const del = await callGrpc(server.url, CONTENT_PATHS.delete, [await deleteReq.encode({ digest: b })], EXPORT());
    expect(del.code).toBe(0);
    expect(existsSync(path.join(exportDir, 'blobs/sha256', b.slice(7)))).toBe(false);
    const delAgain = await callGrpc(server.url, CONTENT_PATHS.delete, [await deleteReq.encode({ digest: b })], EXPORT());
    expect(delAgain.code).toBe(GrpcStatus.NOT_FOUND);
  });
});

describe('containerd filters', () => {
  const fields: Record<string, string> = { digest: 'sha256:ab', size: '12', 'labels.a.b': 'v 1' };
  const at = (p: string[]) => fields[p.join('.')];
  it.each([
    [[], true],
    [['digest==sha256:ab'], true],
    [['digest!=sha256:ab'], false],
    [['digest~=^sha256:a'], true],
    [['size==12,digest==sha256:zz'], false],
    [['size==13', 'digest==sha256:ab'], true],
    [['labels."a.b"=="v 1"'], true],
    [['labels."a.b"'], true],
    [['labels.other'], false],
  ] as [string[], boolean][])('%j → %s', (filters, expected) => {
    expect(compileFilters(filters)(at)).toBe(expected);
  });
  it('refuses a malformed filter', () => {
    expect(() => compileFilters(['labels."open'])).toThrow(/unterminated quote/);
    expect(() => compileFilters(['digest~=('])).toThrow(/bad regular expression/);
  });
});

describe('local cache directories (index.json)', () => {
  // index.json as buildx/BuildKit's client leaves it after `--cache-to type=local,dest=…` (one cache, tag latest)
  const manifest = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256('cache manifest'), size: 14 };
  const buildxIndex = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ ...manifest, annotations: { [ANNOTATION_REF_NAME]: 'latest' } }],
  };

  it('finds a tag by image name first, then by ref name', () => {
    const other = { mediaType: 'x', digest: sha256('other'), size: 1, annotations: { [ANNOTATION_IMAGE_NAME]: 'latest', [ANNOTATION_REF_NAME]: 'v1' } };
    expect(findTagged(buildxIndex, 'latest')).toEqual(buildxIndex.manifests[0]);
    expect(findTagged({ manifests: [buildxIndex.manifests[0], other] }, 'latest')).toEqual(other);
    expect(findTagged(buildxIndex, 'v2')).toBeUndefined();
    expect(findTagged({}, 'latest')).toBeUndefined();
  });

  it('replaces the entry of the same tag, keeps the others and named images', () => {
    const named = { mediaType: 'x', digest: sha256('img'), size: 3, annotations: { [ANNOTATION_IMAGE_NAME]: 'docker.io/a/b:latest', [ANNOTATION_REF_NAME]: 'latest' } };
    const v1 = { mediaType: 'x', digest: sha256('v1'), size: 2, annotations: { [ANNOTATION_REF_NAME]: 'v1' } };
    const next = { mediaType: manifest.mediaType, digest: sha256('new'), size: 3 };
    expect(withTagged({ ...buildxIndex, manifests: [...buildxIndex.manifests, named, v1] }, next, 'latest')).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [named, v1, { ...next, annotations: { [ANNOTATION_REF_NAME]: 'latest' } }],
    });
    expect(withTagged(undefined, next, 'v9')).toEqual({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ ...next, annotations: { [ANNOTATION_REF_NAME]: 'v9' } }] });
  });

  it('resolves an import by tag (default latest) or digest, and skips a directory without a usable cache', async () => {
    const dir = mkdtempSync(path.join(root, 'cache-'));
    putBlob(dir, 'cache manifest');
    writeFileSync(path.join(dir, 'index.json'), JSON.stringify(buildxIndex));
    expect(await resolveLocalImport({ type: 'local', attrs: { src: dir } })).toEqual({ dir, entry: { type: 'local', attrs: { src: dir, digest: manifest.digest } } });
    // a relative src is against the given directory (the working directory, as buildx takes it)
    expect(await resolveLocalImport({ type: 'local', attrs: { src: path.basename(dir) } }, root)).toMatchObject({ dir, entry: { attrs: { src: dir } } });
    expect(await resolveLocalImport({ type: 'local', attrs: { src: dir, digest: manifest.digest, tag: 'ignored' } })).toMatchObject({ entry: { attrs: { digest: manifest.digest } } });
    expect(await resolveLocalImport({ type: 'local', attrs: { src: dir, tag: 'v2' } })).toEqual({ skipped: `local cache import at ${dir} skipped: no digest found for tag v2` });
    expect(await resolveLocalImport({ type: 'local', attrs: { src: dir, digest: sha256('absent') } })).toEqual({ skipped: `local cache import at ${dir} skipped: digest ${sha256('absent')} unavailable` });
    expect(await resolveLocalImport({ type: 'local', attrs: { src: path.join(dir, 'nope') } })).toMatchObject({ skipped: expect.stringContaining('not found (ENOENT)') });
    const empty = mkdtempSync(path.join(root, 'empty-'));
    expect(await resolveLocalImport({ type: 'local', attrs: { src: empty } })).toMatchObject({ skipped: expect.stringContaining('no index.json') });
    writeFileSync(path.join(empty, 'index.json'), '{not json');
    expect(await resolveLocalImport({ type: 'local', attrs: { src: empty } })).toMatchObject({ skipped: expect.stringContaining('is not JSON') });
    await expect(resolveLocalImport({ type: 'local', attrs: {} })).rejects.toThrow('local cache importer requires src');
    await expect(resolveLocalImport({ type: 'local', attrs: { src: dir, tag: '' } })).rejects.toThrow(/requires either explicit digest/);
  });

  it('records an export atomically: oci-layout and index.json, no temporary file left, an unwritable directory fails whole', async () => {
    const dir = mkdtempSync(path.join(root, 'record-'));
    writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ ...buildxIndex, manifests: [{ ...buildxIndex.manifests[0], annotations: { [ANNOTATION_REF_NAME]: 'old' } }] }));
    await recordCacheManifest(dir, manifest, 'latest');
    expect(JSON.parse(readFileSync(path.join(dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8'));
    expect(index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations[ANNOTATION_REF_NAME])).toEqual(['old', 'latest']);
    expect(readdirSync(dir).sort()).toEqual(['index.json', 'oci-layout']);
    // concurrent records of one directory (services of one run) all land
    await Promise.all(['t1', 't2', 't3'].map((t) => recordCacheManifest(dir, manifest, t)));
    const tags = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')).manifests.map((m: { annotations: Record<string, string> }) => m.annotations[ANNOTATION_REF_NAME]);
    expect(tags).toEqual(['old', 'latest', 't1', 't2', 't3']);
    await expect(recordCacheManifest(dir, { digest: '../x', size: 1 }, 'latest')).rejects.toThrow(/no valid digest/);
    if (process.getuid?.() !== 0) {
      const ro = mkdtempSync(path.join(root, 'ro-'));
      chmodSync(ro, 0o555);
      await expect(recordCacheManifest(ro, manifest, 'latest')).rejects.toThrow();
      expect(readdirSync(ro)).toEqual([]);
    }
  });

  it('localCaches: local entries resolved for the solve, others passed through, the content store served, finish() records the manifest', async () => {
    const src = mkdtempSync(path.join(root, 'src-'));
    putBlob(src, 'cache manifest');
    writeFileSync(path.join(src, 'index.json'), JSON.stringify(buildxIndex));
    const dest = path.join(root, 'dest-new', 'nested');
    const caches = await localCaches(
      [
        { type: 'registry', attrs: { ref: '127.0.0.1:5000/c:cache' } },
        { type: 'local', attrs: { src } },
        { type: 'local', attrs: { src: path.join(root, 'never-made') } },
      ],
      [{ type: 'local', attrs: { dest, mode: 'max' } }, { type: 'inline', attrs: {} }],
    );
    try {
      expect(caches.imports).toEqual([
        { type: 'registry', attrs: { ref: '127.0.0.1:5000/c:cache' } },
        { type: 'local', attrs: { src, digest: manifest.digest } },
      ]);
      expect(caches.exports).toEqual([{ type: 'local', attrs: { dest, mode: 'max' } }, { type: 'inline', attrs: {} }]);
      expect(caches.warnings).toEqual([expect.stringContaining(`local cache import at ${path.join(root, 'never-made')} skipped: not found`)]);
      // not made before the builder writes: a build failing early leaves nothing
      expect(existsSync(dest)).toBe(false);
      expect(Object.keys(caches.services).sort()).toEqual(Object.values(CONTENT_PATHS).sort());
      const server = await serveGrpc(caches.services);
      try {
        const info = await callGrpc(server.url, CONTENT_PATHS.info, [await infoReq.encode({ digest: manifest.digest })], { [STORE_ID_HEADER]: `local:${src}` });
        expect(info.code).toBe(0);
        // the import's store is read-only; the export's takes the builder's blobs
        const w = await callGrpc(server.url, CONTENT_PATHS.write, [await writeReq.encode({ action: WriteAction.COMMIT, ref: 'm', offset: 0, data: Buffer.from('cache manifest') })], { [STORE_ID_HEADER]: `local:${dest}` });
        expect(w.code).toBe(0);
      } finally {
        await server.close();
      }
      await expect(caches.finish({})).rejects.toThrow(/no cache manifest/);
      await caches.finish({ [CACHE_MANIFEST_KEY]: JSON.stringify(manifest) });
      expect(JSON.parse(readFileSync(path.join(dest, 'index.json'), 'utf8')).manifests).toEqual([{ ...manifest, annotations: { [ANNOTATION_REF_NAME]: 'latest' } }]);
      // and that directory imports back
      expect(await resolveLocalImport({ type: 'local', attrs: { src: dest } })).toMatchObject({ entry: { attrs: { digest: manifest.digest } } });
    } finally {
      await caches.close();
    }
    const none = await localCaches([{ type: 'registry', attrs: { ref: 'r' } }], []);
    expect(none.services).toEqual({});
    await none.finish({});
    await expect(localCaches([], [{ type: 'local', attrs: {} }])).rejects.toThrow('local cache exporter requires dest');
  });
});

describe('the Solve request with local caches', () => {
  const base = { tags: ['p-web'], dockerfile: 'Dockerfile', context: { path: '/c' }, dockerfileDir: { path: '/c' }, sessionName: 'web', sharedKey: 'k' };
  it('carries resolved local imports (in the request and the frontend\'s cache-imports) and exports beside registry and inline ones', () => {
    const r = solveRequest({
      ref: 'r',
      session: 's',
      request: {
        ...base,
        cacheFrom: ['reg/web:cache'],
        cacheImports: [{ type: 'local', attrs: { src: 'c' } }],
        buildArgs: { BUILDKIT_INLINE_CACHE: '1' },
        // the local entries as compose wrote them (relative): the resolved ones below replace them
        cacheExports: [{ type: 'registry', attrs: { ref: 'reg/web:c2' } }, { type: 'local', attrs: { dest: 'd', mode: 'max' } }],
      },
      localCaches: { imports: [{ type: 'local', attrs: { src: '/abs/c', digest: 'sha256:' + 'a'.repeat(64) } }], exports: [{ type: 'local', attrs: { dest: '/abs/d', mode: 'max' } }] },
    });
    const imports = [
      { Type: 'registry', Attrs: { ref: 'reg/web:cache' } },
      { Type: 'local', Attrs: { src: '/abs/c', digest: 'sha256:' + 'a'.repeat(64) } },
    ];
    expect(r.Cache).toEqual({
      Imports: imports,
      Exports: [{ Type: 'inline', Attrs: {} }, { Type: 'registry', Attrs: { ref: 'reg/web:c2' } }, { Type: 'local', Attrs: { dest: '/abs/d', mode: 'max' } }],
    });
    expect(JSON.parse(r.FrontendAttrs['cache-imports']!)).toEqual(imports);
  });
  it('a build with a local cache takes the control API even with host-gateway (only it serves the content store)', () => {
    const gw = { ...base, extraHosts: ['h:host-gateway'] };
    expect(needsBuildRoute(gw)).toBe(true);
    expect(needsBuildRoute({ ...gw, cacheImports: [{ type: 'local', attrs: { src: '/c' } }] })).toBe(false);
    expect(needsBuildRoute({ ...gw, cacheExports: [{ type: 'local', attrs: { dest: '/c' } }] })).toBe(false);
  });
});

describe('GrpcDeframer with messages of megabytes (a content write)', () => {
  it('joins a message from many chunks, headers cut across chunks, the ones after it intact', () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
    const wire = Buffer.concat([grpcFrame(Buffer.from('a')), grpcFrame(big), grpcFrame(Buffer.from('tail'))]);
    const d = new GrpcDeframer();
    const out: Uint8Array[] = [];
    // 16 kB chunks, as HTTP/2 delivers them, shifted by 3 bytes so that frame headers straddle chunks
    out.push(...d.push(wire.subarray(0, 3)));
    for (let at = 3; at < wire.length; at += 16384) out.push(...d.push(wire.subarray(at, at + 16384)));
    expect(out.map((m) => m.length)).toEqual([1, big.length, 4]);
    expect(sha256(Buffer.from(out[1]!))).toBe(sha256(big));
    expect(Buffer.from(out[2]!).toString()).toBe('tail');
    expect(d.empty).toBe(true);
  });
});
