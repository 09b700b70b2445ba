// The build context: the files of the context directory that .dockerignore does not exclude, packed as a
// tar stream for POST /build. Docker's client-side semantics (the CLI and compose's classic builder):
//  - patterns are cleaned like Go's filepath.Clean and anchored at the context root ("/x" = "x");
//  - a path is excluded when the last pattern matching it, or one of its parent directories, is not a "!"
//    exception;
//  - an excluded directory is not descended into unless an exception pattern names a path under it (the
//    exception's text starts with "dir/"), so a large ignored node_modules is never listed, stat'ed or read;
//  - the Dockerfile and .dockerignore are always sent (the CLI appends "!" exceptions for them); the engine
//    drops them again before COPY when the ignore file lists them.
// The walk happens before any file is read: tar-fs then packs exactly the listed entries.
import dockerignore from '@balena/dockerignore';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pack } from 'tar-fs';
import { errnoCode } from './errno.js';

// A CommonJS module (module.exports = factory) typed as an ES default export: under NodeNext the default
// import is the factory at run time, while TypeScript sees a namespace holding it as `default` (and a bundle
// may hand either). The factory is whichever of the two is a function.
type IgnoreFactory = typeof dockerignore.default;
const isIgnoreFactory = (v: unknown): v is IgnoreFactory => typeof v === 'function';
function ignoreFactoryOf(mod: unknown): IgnoreFactory {
  if (isIgnoreFactory(mod)) return mod;
  if (mod !== null && typeof mod === 'object' && 'default' in mod && isIgnoreFactory(mod.default)) return mod.default;
  throw new Error('@balena/dockerignore exports no factory');
}
export const ignore: IgnoreFactory = ignoreFactoryOf(dockerignore);

/** .dockerignore lines as Docker reads them: comments and blanks dropped, paths cleaned and made relative. */
export function parseDockerignore(text: string): string[] {
  const out: string[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw) => {
      // "#" only starts a comment in the first column (before trimming), as in Docker's reader
      if (raw.startsWith('#')) return;
      let pattern = raw.trim();
      if (pattern === '') return;
      const invert = pattern.startsWith('!');
      if (invert) pattern = pattern.slice(1).trim();
      if (pattern !== '') {
        pattern = cleanPath(pattern);
        if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
      }
      out.push(invert ? `!${pattern}` : pattern);
    });
  return out;
}

/** Go's filepath.Clean on a slash path: no duplicate or trailing slashes, "." and ".." resolved lexically. */
function cleanPath(p: string): string {
  const cleaned = posix.normalize(p);
  if (cleaned === '/' || cleaned === '.' || cleaned === './') return cleaned === './' ? '.' : cleaned;
  return cleaned.replace(/\/+$/, '');
}

export interface ContextMatcher {
  /** Whether a context-relative slash path is excluded. */
  excluded(path: string): boolean;
  /** Whether some exception pattern names a path inside this (excluded) directory. */
  exceptionInside(dir: string): boolean;
}

export function contextMatcher(patterns: readonly string[]): ContextMatcher {
  const ig = ignore().add([...patterns]);
  const exceptions = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return {
    excluded: (path) => patterns.length > 0 && ig.ignores(path),
    exceptionInside: (dir) => exceptions.some((e) => `${e}/`.startsWith(`${dir}/`)),
  };
}

/**
 * Context-relative slash paths to send, parents before children, siblings in byte order (as Go's
 * filepath.Walk). An excluded directory is listed only when re-included; files re-included below an
 * excluded directory are listed without it (the engine creates the parents).
 */
export async function walkContext(root: string, matcher: ContextMatcher): Promise<string[]> {
  const out: string[] = [];
  const visit = async (rel: string): Promise<void> => {
    const entries = await readdir(rel ? join(root, rel) : root, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of entries) {
      const path = rel ? `${rel}/${d.name}` : d.name;
      const excluded = matcher.excluded(path);
      if (d.isDirectory()) {
        if (!excluded) out.push(path);
        if (!excluded || matcher.exceptionInside(path)) await visit(path);
        continue;
      }
      // sockets cannot be archived; Docker skips them too
      if (excluded || d.isSocket()) continue;
      out.push(path);
    }
  };
  await visit('');
  return out;
}

export interface ContextSource {
  /** Absolute context directory. */
  readonly context: string;
  /** The Dockerfile: relative to the context or absolute; ignored when `dockerfileInline` is given. */
  readonly dockerfile: string;
  readonly dockerfileInline?: string;
}

export interface ContextArchive {
  /** The tar stream; nothing is read from disk before it is consumed. */
  readonly stream: Readable;
  /** The Dockerfile's path inside the archive, the `dockerfile` parameter of the build. */
  readonly dockerfile: string;
  /** What is sent: context-relative paths, plus any file berth adds. */
  readonly entries: readonly string[];
}

const toSlash = (p: string) => p.split(sep).join('/');

/**
 * Plan and open the archive of one build. A Dockerfile outside the context, or given inline, is added under
 * a name derived from its content and appended to the archive's .dockerignore (as the Docker CLI does), so the
 * engine removes it again before COPY: it neither shows up in the image nor changes COPY's cache key.
 */
export async function contextArchive(source: ContextSource): Promise<ContextArchive> {
  const root = resolve(source.context);
  let ignoreText: string | undefined;
  try {
    ignoreText = await readFile(join(root, '.dockerignore'), 'utf8');
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  const patterns = ignoreText === undefined ? [] : parseDockerignore(ignoreText);

  let injected: { name: string; content: Buffer } | undefined;
  let dockerfile: string;
  if (source.dockerfileInline !== undefined) {
    const content = Buffer.from(source.dockerfileInline);
    injected = { name: `.dockerfile.${createHash('sha256').update(content).digest('hex').slice(0, 12)}`, content };
    dockerfile = injected.name;
  } else {
    const abs = isAbsolute(source.dockerfile) ? source.dockerfile : join(root, source.dockerfile);
    const rel = relative(root, abs);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      const content = await readFile(abs);
      injected = { name: `.dockerfile.${createHash('sha256').update(content).digest('hex').slice(0, 12)}`, content };
      dockerfile = injected.name;
    } else {
      dockerfile = toSlash(rel);
    }
  }

  const base = contextMatcher(patterns);
  const keep: string[] = [];
  if (base.excluded('.dockerignore')) keep.push('!.dockerignore');
  if (!injected && base.excluded(dockerfile)) keep.push(`!${dockerfile}`);
  const matcher = keep.length ? contextMatcher([...patterns, ...keep]) : base;
  let entries = await walkContext(root, matcher);

  const extra: { name: string; content: Buffer }[] = [];
  if (injected) {
    entries = entries.filter((e) => e !== '.dockerignore');
    extra.push(injected, { name: '.dockerignore', content: Buffer.from(`${ignoreText ?? ''}\n${injected.name}\n`) });
  }

  // engine boundary: this stream is the body of the engine's build request (build.ts pipes it to engine.build).
  // tar-fs packs with a streamx stream that Node reads like a Readable, but its tar-stream typings predate
  // Node 20's Readable, so the type is restated here.
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- engine boundary: see above
  const stream = pack(root, {
    entries,
    // every path to send is in `entries` already: tar-fs must not add a directory's children again
    ignore: () => true,
    // fifos and devices are skipped rather than failing the build
    strict: false,
    // owned by root in the image, as compose's classic builder sends it (its ChownOpts), whoever runs berth
    map: (header) => {
      // uname and gname are tar-fs header fields its types leave out
      const owned = { ...header, uid: 0, gid: 0, uname: '', gname: '' };
      return owned;
    },
    finalize: false,
    finish: (p) => {
      // a fixed mtime keeps the archive byte-identical from one build to the next
      for (const f of extra) p.entry({ name: f.name, size: f.content.length, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, f.content);
      p.finalize();
    },
  }) as unknown as Readable;
  return { stream, dockerfile, entries: [...entries, ...extra.map((f) => f.name)] };
}
