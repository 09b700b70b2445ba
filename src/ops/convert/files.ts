// Secrets and configs: where they land, and the files copied into a container after create.
import { OperationError, ErrorCodes } from '../../model/errors.js';
import type { Dict, FileObjectConfig, Project, ServiceConfig, ServiceFileRef } from '../../model/types.js';

/** Where a service's secret or config lands in the container. */
export function fileObjectTarget(kind: 'secrets' | 'configs', ref: { source: string; target?: string }): string {
  const base = kind === 'secrets' ? '/run/secrets/' : '/';
  if (!ref.target) return base + ref.source;
  return ref.target.startsWith('/') ? ref.target : base + ref.target;
}

/** The secrets or configs a service uses (the loader gives the long form: `{ source }` for a bare name). */
export function fileRefs(service: ServiceConfig, kind: 'secrets' | 'configs'): readonly ServiceFileRef[] {
  return service[kind] ?? [];
}

// ---- secrets and configs copied in after create

export interface PostCreateCopy {
  /** Absolute path of the file in the container. */
  readonly path: string;
  readonly content: string;
  /** Permission bits (0o444 unless the service sets `mode`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** compose asks the engine to copy ownership when uid or gid is set. */
  readonly copyUIDGID: boolean;
}

function fileMode(mode: number | string | undefined): number {
  if (mode === undefined || mode === null || mode === '') return 0o444;
  return typeof mode === 'number' ? mode : parseInt(mode, 8);
}

/**
 * Files compose writes into a container before starting it: secrets from `environment:` (and `content:`),
 * configs from `environment:` or `content:`. The executor uploads each with
 * `engine.putArchive(id, '/', fileArchive(copy), { copyUIDGID: copy.copyUIDGID })` after create and before
 * every start (compose injects them in its start step, so a restarted container gets them again).
 * Throws when a referenced environment variable is not set, as compose does.
 */
export function postCreateCopies(project: Project, serviceName: string): PostCreateCopy[] {
  const service = project.services[serviceName];
  const out: PostCreateCopy[] = [];
  for (const kind of ['secrets', 'configs'] as const) {
    const defined: Dict<FileObjectConfig> = project[kind] ?? {};
    for (const ref of fileRefs(service, kind)) {
      const def = defined[ref.source];
      if (!def || def.external) continue;
      let content: string | undefined;
      if (def.environment) {
        const value = project.meta.environment[def.environment];
        if (value === undefined) {
          throw new OperationError(ErrorCodes.SECRET_SOURCE_UNSET, `environment variable "${def.environment}" required by ${kind.slice(0, -1)} "${ref.source}" is not set`, { service: serviceName });
        }
        content = value;
      } else if (def.content !== undefined) {
        content = def.content;
      }
      // compose skips an empty config (nothing to write) but writes an empty secret
      if (content === undefined || (kind === 'configs' && content === '')) continue;
      out.push({
        path: fileObjectTarget(kind, ref),
        content,
        mode: fileMode(ref.mode),
        uid: Number(ref.uid ?? 0) || 0,
        gid: Number(ref.gid ?? 0) || 0,
        copyUIDGID: !!(ref.uid || ref.gid),
      });
    }
  }
  return out;
}

/** A one-file ustar archive for the engine's archive upload, extracted at `/` (the path is made relative). */
export function fileArchive(copy: Pick<PostCreateCopy, 'path' | 'content' | 'mode' | 'uid' | 'gid'>, mtime: Date = new Date()): Buffer {
  const body = Buffer.from(copy.content, 'utf8');
  const name = copy.path.replace(/^\/+/, '');
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) => header.write(text, offset, Math.min(length, Buffer.byteLength(text)), 'utf8');
  const octal = (n: number, length: number) => `${Math.trunc(n).toString(8).padStart(length - 1, '0')}\0`;
  let nameField = name;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    // ustar splits long paths at a slash: prefix (155) + name (100)
    const cut = name.lastIndexOf('/', 155);
    prefix = name.slice(0, cut);
    nameField = name.slice(cut + 1);
  }
  put(nameField, 0, 100);
  put(octal(copy.mode & 0o7777, 8), 100, 8);
  put(octal(copy.uid, 8), 108, 8);
  put(octal(copy.gid, 8), 116, 8);
  put(octal(body.length, 12), 124, 12);
  put(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 12);
  put('        ', 148, 8); // checksum computed with blanks in its own field
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put(prefix, 345, 155);
  let sum = 0;
  for (const b of header) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
  return Buffer.concat([header, body, pad, Buffer.alloc(1024)]);
}
