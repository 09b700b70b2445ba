// The loader's only door to the disk: the pipeline receives a ResourceLoader (LoadOptions.resources) and
// every stage reads through it, so that a load can list what it depended on. recordingResources() gives one
// that keeps each answer the file system gave (a file's text, whether a path exists or is a file); the project
// cache (api/project-cache.ts) reuses a project only while every one of those answers is still the same, so a
// read that bypassed the loader it was given would make it serve a stale project.
import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { ConfigError, ErrorCodes } from '../model/errors.js';

export type FileFact =
  | { readonly kind: 'text'; readonly path: string; readonly value: string }
  | { readonly kind: 'exists' | 'isFile' | 'isSymlink'; readonly path: string; readonly value: boolean }
  /** '' when the path could not be resolved. */
  | { readonly kind: 'realpath'; readonly path: string; readonly value: string };

/** What the config pipeline may ask of the file system; nothing else in config/ touches the disk. */
export interface ResourceLoader {
  /** A file's text (UTF-8, checked); a loop, a directory or no permission is a ConfigError naming it. */
  readText(path: string): string;
  /** Whether something is at the path; a symlink loop is an error, not "nothing there". */
  pathExists(path: string): boolean;
  /** An existing regular file (or a link to one). */
  isFile(path: string): boolean;
  /** The path itself is a symbolic link (not followed). */
  isSymlink(path: string): boolean;
  /** The path with every link resolved, or undefined when that fails (a dangling link). */
  realPath(path: string): string | undefined;
}

/** A loader that also keeps every answer it gave, in order: what a load depended on. */
export interface RecordingResourceLoader extends ResourceLoader {
  readonly facts: readonly FileFact[];
}

/**
 * A file that exists but cannot be read as one, said the way compose says it (`open …: too many levels of
 * symbolic links`, `read …: is a directory`); undefined for other errors.
 */
function unreadable(path: string, err: unknown): ConfigError | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return new ConfigError(ErrorCodes.FILE_UNREADABLE, `open ${path}: too many levels of symbolic links: fix or remove the link`);
  if (code === 'EISDIR') return new ConfigError(ErrorCodes.FILE_UNREADABLE, `read ${path}: is a directory: name a file`);
  if (code === 'EACCES') return new ConfigError(ErrorCodes.FILE_UNREADABLE, `open ${path}: permission denied: make it readable`);
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A file's text. Invalid UTF-8 is an error at its position (compose: "invalid leading UTF-8 octet"), never
 * rewritten to U+FFFD, which would silently change a value; a symlink loop, a directory or a file not ours
 * to read is a ConfigError naming it.
 */
function readText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw unreadable(path, err) ?? err;
  }
  let value: string;
  try {
    value = utf8.decode(bytes);
  } catch {
    throw invalidUtf8(path, bytes);
  }
  return value;
}

/** The offset of the first byte that does not belong to a well-formed UTF-8 sequence; -1 when all do. */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

function invalidUtf8(path: string, bytes: Buffer): ConfigError {
  const at = Math.max(firstInvalidUtf8(bytes), 0);
  const lineStart = bytes.lastIndexOf(0x0a, at - 1) + 1;
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < at; i = bytes.indexOf(0x0a, i + 1)) line++;
  // the column in characters: the line's valid prefix, decoded
  const col = bytes.subarray(lineStart, at).toString('utf8').length + 1;
  const byte = bytes[at]?.toString(16).padStart(2, '0') ?? '';
  const leading = bytes[at] >= 0xc2 && bytes[at] <= 0xf4;
  const what = leading ? 'an incomplete or malformed UTF-8 sequence' : 'an invalid leading UTF-8 octet';
  return new ConfigError(ErrorCodes.INVALID_UTF8, `${what} (byte 0x${byte}): the file must be UTF-8: save it as UTF-8`, { position: { file: path, line, col } });
}

/** Whether something is at the path; a symlink loop is an error (compose's), not "nothing there". */
function pathExists(path: string): boolean {
  let value: boolean;
  try {
    statSync(path);
    value = true;
  } catch (err) {
    const loop = (err as NodeJS.ErrnoException).code === 'ELOOP' ? unreadable(path, err) : undefined;
    if (loop) throw loop;
    value = false;
  }
  return value;
}

/** An existing regular file (or a link to one). */
function isFile(path: string): boolean {
  let value: boolean;
  try {
    value = statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch (err) {
    throw unreadable(path, err) ?? err;
  }
  return value;
}

const lstatLink = (path: string) => lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
const realOrEmpty = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return '';
  }
};

/** The path itself is a symbolic link (not followed). */
function isSymlink(path: string): boolean {
  return lstatLink(path);
}

/** The path with every link resolved, or undefined when that fails (a dangling link). */
function realPath(path: string): string | undefined {
  return realOrEmpty(path) || undefined;
}

/** Whether the file system still gives the answer recorded in `fact`. */
export function factHolds(fact: FileFact): boolean {
  switch (fact.kind) {
    case 'text':
      try {
        return readFileSync(fact.path, 'utf8') === fact.value;
      } catch {
        return false;
      }
    case 'exists':
      return existsSync(fact.path) === fact.value;
    case 'isFile':
      return (statSync(fact.path, { throwIfNoEntry: false })?.isFile() ?? false) === fact.value;
    case 'isSymlink':
      return lstatLink(fact.path) === fact.value;
    case 'realpath':
      return realOrEmpty(fact.path) === fact.value;
  }
}

/** The disk as it is, nothing kept. */
export const diskResources: ResourceLoader = { readText, pathExists, isFile, isSymlink, realPath };

/** Reads through `base` (the disk by default) and keeps each answer as a FileFact. */
export function recordingResources(base: ResourceLoader = diskResources): RecordingResourceLoader {
  const facts: FileFact[] = [];
  return {
    facts,
    readText(path) {
      const value = base.readText(path);
      facts.push({ kind: 'text', path, value });
      return value;
    },
    pathExists(path) {
      const value = base.pathExists(path);
      facts.push({ kind: 'exists', path, value });
      return value;
    },
    isFile(path) {
      const value = base.isFile(path);
      facts.push({ kind: 'isFile', path, value });
      return value;
    },
    isSymlink(path) {
      const value = base.isSymlink(path);
      facts.push({ kind: 'isSymlink', path, value });
      return value;
    },
    realPath(path) {
      const value = base.realPath(path);
      facts.push({ kind: 'realpath', path, value: value ?? '' });
      return value;
    },
  };
}
