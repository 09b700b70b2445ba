// YAML → plain tree, keeping a source map so that every later stage can point at file:line:col.

import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ConfigError, ErrorCodes, type SourcePosition } from '../model/errors.js';

export type KeyPath = readonly (string | number)[];

/** `services.web.ports[0].published`: the one spelling of key paths in messages and `keyPath`. */
export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

export interface ParsedFile {
  /** As given to the loader (absolute when discovered). */
  readonly file: string;
  readonly data: Record<string, unknown>;
  /** Position of the node at `path`, or of its nearest ancestor present in this file; undefined if none. */
  positionOf(path: KeyPath): SourcePosition | undefined;
  /** Position of the mapping key that ends `path` (for "unknown key" errors), falling back to positionOf. */
  keyPositionOf(path: KeyPath): SourcePosition | undefined;
  /** Whether `path` exists literally in this file (not through a merge key). */
  has(path: KeyPath): boolean;
}

// Go's yaml.v3 (compose) still reads `0440` as octal, a YAML 1.1 habit file modes rely on; YAML 1.2 would
// read decimal 440.
const LEGACY_OCTAL = {
  identify: (value: unknown) => typeof value === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:int',
  test: /^0[0-7]+$/,
  resolve: (src: string) => parseInt(src, 8),
};

// Guards against "billion laughs" documents while leaving room for heavy anchor use in real files.
const MAX_ALIAS_COUNT = 10_000;

export function parseYaml(text: string, file: string): ParsedFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    merge: true,
    uniqueKeys: true,
    prettyErrors: false,
    keepSourceTokens: true,
    // ahead of the core int tag, which would otherwise claim `0440` first
    customTags: (tags) => [LEGACY_OCTAL, ...tags],
  });
  const pos = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  const first = doc.errors[0];
  if (first) {
    const message =
      first.code === 'DUPLICATE_KEY'
        ? `duplicate key ${duplicateKeyName(text, first.pos[0])}: remove or rename one of them`
        : `invalid YAML: ${first.message.split('\n')[0]}: fix the syntax`;
    throw new ConfigError(ErrorCodes.YAML_SYNTAX, message, { position: pos(first.pos[0]) });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw new ConfigError(ErrorCodes.YAML_SYNTAX, `invalid YAML: ${(err as Error).message}`, { position: pos(0) });
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(ErrorCodes.SCHEMA, 'top-level object must be a mapping', { position: pos(0) });
  }

  const locate = (path: KeyPath): { node: Node | null; key?: Node; exact: boolean } => {
    let node = doc.contents as Node | null;
    let key: Node | undefined;
    for (let i = 0; i < path.length; i++) {
      const target = node && isAlias(node) ? (node.resolve(doc as Document) as Node | undefined) ?? null : node;
      const seg = path[i];
      let child: Node | null | undefined;
      let childKey: Node | undefined;
      if (isMap(target)) {
        const pair = target.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (pair) {
          child = pair.value as Node | null;
          childKey = pair.key as Node;
        }
      } else if (isSeq(target) && typeof seg === 'number') {
        child = target.items[seg] as Node | undefined;
      }
      if (child === undefined) return { node: target, key, exact: false };
      // a key with no value (`web:`) has a null node: point at the key then
      node = child ?? (childKey as Node) ?? null;
      key = childKey;
    }
    return { node, key, exact: true };
  };
  const nodePos = (node: Node | null | undefined): SourcePosition | undefined =>
    node?.range ? pos(node.range[0]) : undefined;

  return {
    file,
    data: data as Record<string, unknown>,
    positionOf: (path) => nodePos(locate(path).node) ?? pos(0),
    keyPositionOf: (path) => {
      const found = locate(path);
      return (found.exact ? nodePos(found.key) : undefined) ?? nodePos(found.node) ?? pos(0);
    },
    has: (path) => locate(path).exact,
  };
}

function duplicateKeyName(text: string, offset: number): string {
  const m = /^[^:\n]*/.exec(text.slice(offset));
  return JSON.stringify((m?.[0] ?? '').trim());
}

/** Finds the position of `path` in the last file that defines it (later files override earlier ones). */
export function locateIn(files: readonly ParsedFile[], path: KeyPath, key = false): SourcePosition | undefined {
  for (let i = files.length - 1; i >= 0; i--) {
    if (files[i].has(path)) return key ? files[i].keyPositionOf(path) : files[i].positionOf(path);
  }
  // no file has the whole path: report the deepest ancestor found, preferring later files
  for (let n = path.length - 1; n >= 0; n--) {
    const prefix = path.slice(0, n);
    for (let i = files.length - 1; i >= 0; i--) if (files[i].has(prefix)) return files[i].positionOf(prefix);
  }
  return files[0]?.positionOf([]);
}
