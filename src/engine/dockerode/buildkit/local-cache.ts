// `type=local` cache imports and exports, the client's half (what BuildKit's own client does around a
// solve): the builder only sees a content store on the session (services/content.ts), named
// `local:<directory>`; finding the cache manifest in the directory's index.json before an import, and
// recording the exported one there after an export, happen here.
//
// The directory is an OCI image layout: `oci-layout`, `index.json` (an image index whose manifests name
// the caches by their `org.opencontainers.image.ref.name` annotation, the tag, "latest" unless `tag=` says
// otherwise) and `blobs/<algorithm>/<hex>`. The same layout buildx and compose read and write, so either
// side's cache directory serves the other.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { GrpcServices } from './grpc.js';
import { contentServices, OciLayoutStore, parseDigest } from './services/content.js';

/** A cache import or export as BuildKit's control API takes it (CacheOptionsEntry). */
export interface CacheEntry {
  readonly type: string;
  readonly attrs: Readonly<Record<string, string>>;
}

export interface OciDescriptor {
  readonly mediaType?: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

interface OciIndex {
  schemaVersion?: number;
  mediaType?: string;
  manifests?: OciDescriptor[];
  [key: string]: unknown;
}

export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
/** containerd's full image name annotation, which BuildKit's client looks a tag up by first. */
export const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name';
const INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
/** The key of a solve's exporter response that holds the exported cache manifest's descriptor (JSON). */
export const CACHE_MANIFEST_KEY = 'cache.manifest';
const STORE_PREFIX = 'local:';

/** A local cache that cannot be used, with the builder's reason (the build goes on without it). */
export class LocalCacheError extends Error {}

const errno = (err: unknown) => (err as NodeJS.ErrnoException)?.code;

/** index.json of `dir`, or undefined when the directory has none. */
export async function readOciIndex(dir: string): Promise<OciIndex | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(join(dir, 'index.json'), 'utf8');
  } catch (err) {
    if (errno(err) === 'ENOENT') return undefined;
    throw err;
  }
  let index: unknown;
  try {
    index = JSON.parse(text);
  } catch (err) {
    throw new LocalCacheError(`${join(dir, 'index.json')} is not JSON: ${(err as Error).message}`);
  }
  if (!index || typeof index !== 'object' || Array.isArray(index)) throw new LocalCacheError(`${join(dir, 'index.json')} is not an image index`);
  return index as OciIndex;
}

/** The index entry for `tag`: by full image name first, then by the OCI ref name (as BuildKit's client looks). */
export function findTagged(index: OciIndex, tag: string): OciDescriptor | undefined {
  const manifests = Array.isArray(index.manifests) ? index.manifests : [];
  return manifests.find((m) => m?.annotations?.[ANNOTATION_IMAGE_NAME] === tag) ?? manifests.find((m) => m?.annotations?.[ANNOTATION_REF_NAME] === tag);
}

/** `index` with `descriptor` under `tag`, replacing what had that tag (and no image name) before. */
export function withTagged(index: OciIndex | undefined, descriptor: OciDescriptor, tag: string): OciIndex {
  const out: OciIndex = { ...index, schemaVersion: index?.schemaVersion || 2, mediaType: index?.mediaType || INDEX_MEDIA_TYPE };
  const kept = (Array.isArray(index?.manifests) ? index.manifests : []).filter((m) => m?.annotations?.[ANNOTATION_REF_NAME] !== tag || (m.annotations?.[ANNOTATION_IMAGE_NAME] ?? '') !== '');
  out.manifests = [...kept, { ...descriptor, annotations: { ...descriptor.annotations, [ANNOTATION_REF_NAME]: tag } }];
  return out;
}

/** Writes `data` to `file` through a temporary file in its directory and a rename: never half-written. */
async function writeAtomic(file: string, data: string, mode: number): Promise<void> {
  const temp = join(dirname(file), `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fsp.writeFile(temp, data, { mode, flag: 'wx' });
    await fsp.rename(temp, file);
  } catch (err) {
    await fsp.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}

// index.json updates of one directory, one after the other (services of one run exporting to one directory)
const indexQueue = new Map<string, Promise<unknown>>();

/** Records `descriptor` under `tag` in `dir`'s index.json (and writes `oci-layout`), atomically. */
export async function recordCacheManifest(dir: string, descriptor: OciDescriptor, tag: string): Promise<void> {
  if (!parseDigest(String(descriptor?.digest ?? ''))) throw new LocalCacheError(`the builder's cache manifest has no valid digest: ${JSON.stringify(descriptor)}`);
  const run = async () => {
    await fsp.mkdir(dir, { recursive: true, mode: 0o755 });
    await writeAtomic(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }), 0o644);
    const index = withTagged(await readOciIndex(dir), descriptor, tag);
    await writeAtomic(join(dir, 'index.json'), JSON.stringify(index), 0o644);
  };
  const previous = indexQueue.get(dir) ?? Promise.resolve();
  const next = previous.then(run, run);
  indexQueue.set(dir, next);
  try {
    await next;
  } finally {
    if (indexQueue.get(dir) === next) indexQueue.delete(dir);
  }
}

/** What a local import resolves to: the entry the builder gets (with `digest`), or why it is skipped. */
export type ResolvedImport = { readonly entry: CacheEntry; readonly dir: string } | { readonly skipped: string };

/**
 * A `type=local` import: the cache manifest's digest from `digest=` or, by `tag=` (default latest), from
 * the directory's index.json; the blob must be in the directory. A directory without a usable cache is
 * skipped with a warning, as BuildKit's client does; `src=` missing, or an empty tag, is an error.
 */
export async function resolveLocalImport(entry: CacheEntry, cwd: string = process.cwd()): Promise<ResolvedImport> {
  if (!entry.attrs.src) throw new LocalCacheError('local cache importer requires src');
  const dir = resolve(cwd, entry.attrs.src);
  const skip = (why: string): ResolvedImport => ({ skipped: `local cache import at ${dir} skipped: ${why}` });
  try {
    if (!(await fsp.stat(dir)).isDirectory()) return skip('not a directory');
  } catch (err) {
    return skip(`not found (${errno(err) ?? (err as Error).message})`);
  }
  let digest = entry.attrs.digest ?? '';
  if (!digest) {
    const tag = entry.attrs.tag ?? 'latest';
    if (tag === '') throw new LocalCacheError('local cache importer requires either explicit digest, "latest" tag or custom tag on index.json');
    let index: OciIndex | undefined;
    try {
      index = await readOciIndex(dir);
    } catch (err) {
      return skip((err as Error).message);
    }
    if (!index) return skip('no index.json');
    const found = findTagged(index, tag);
    if (!found) return skip(`no digest found for tag ${tag}`);
    digest = String(found.digest ?? '');
  }
  const parsed = parseDigest(digest);
  if (!parsed) return skip(`digest ${JSON.stringify(digest)} is not valid`);
  try {
    if (!(await fsp.stat(join(dir, 'blobs', parsed.algorithm, parsed.hex))).isFile()) return skip(`digest ${digest} unavailable`);
  } catch {
    return skip(`digest ${digest} unavailable`);
  }
  return { entry: { type: 'local', attrs: { ...entry.attrs, src: dir, digest } }, dir };
}

export interface LocalCaches {
  /** The imports for the solve: local ones resolved (with digest and an absolute src), unusable ones left out. */
  readonly imports: CacheEntry[];
  /** The exports for the solve: local ones with an absolute dest (made when the builder first writes). */
  readonly exports: CacheEntry[];
  /** Local imports that were left out, and why. */
  readonly warnings: string[];
  /** The content store, when a cache is local; for the build's session. */
  readonly services: GrpcServices;
  /** After a successful solve: the exported cache manifest into each local export's index.json. */
  finish(exporterResponse: Readonly<Record<string, string>>): Promise<void>;
  /** Removes what writes the builder left unfinished. */
  close(): Promise<void>;
}

/**
 * The local caches of one build: other types pass through unchanged. A directory that is both imported
 * and exported is one writable store (the builder names it by the same id).
 */
export async function localCaches(imports: readonly CacheEntry[], exports: readonly CacheEntry[], cwd: string = process.cwd()): Promise<LocalCaches> {
  const stores = new Map<string, OciLayoutStore>();
  const tags = new Map<string, string>();
  const warnings: string[] = [];
  const outExports: CacheEntry[] = [];
  for (const e of exports) {
    if (e.type !== 'local') {
      outExports.push(e);
      continue;
    }
    if (!e.attrs.dest) throw new LocalCacheError('local cache exporter requires dest');
    // made when the builder writes its first blob (or the index): a build that fails before leaves nothing
    const dir = resolve(cwd, e.attrs.dest);
    stores.set(STORE_PREFIX + dir, new OciLayoutStore(dir, { writable: true }));
    tags.set(dir, e.attrs.tag ?? 'latest');
    outExports.push({ type: 'local', attrs: { ...e.attrs, dest: dir } });
  }
  const outImports: CacheEntry[] = [];
  for (const i of imports) {
    if (i.type !== 'local') {
      outImports.push(i);
      continue;
    }
    const r = await resolveLocalImport(i, cwd);
    if ('skipped' in r) {
      warnings.push(r.skipped);
      continue;
    }
    if (!stores.has(STORE_PREFIX + r.dir)) stores.set(STORE_PREFIX + r.dir, new OciLayoutStore(r.dir, { writable: false }));
    outImports.push(r.entry);
  }
  const content = stores.size ? contentServices(stores) : undefined;
  return {
    imports: outImports,
    exports: outExports,
    warnings,
    services: content?.services ?? {},
    async finish(response) {
      if (tags.size === 0) return;
      const json = response[CACHE_MANIFEST_KEY];
      if (!json) throw new LocalCacheError('the builder reported no cache manifest for the local cache export');
      let descriptor: OciDescriptor;
      try {
        descriptor = JSON.parse(json) as OciDescriptor;
      } catch {
        throw new LocalCacheError(`the builder's cache manifest is not JSON: ${json.slice(0, 200)}`);
      }
      for (const [dir, tag] of tags) await recordCacheManifest(dir, descriptor, tag);
    },
    close: async () => content?.close(),
  };
}
