// YAML → plain tree, keeping a source map so that every later stage can point at file:line:col.

import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { ConfigError, ErrorCodes, type SourcePosition } from '../model/errors.js';
import { findExcessDepth, MAX_YAML_DEPTH } from './yaml-depth.js';
import { fastParseYaml } from './yaml-fast.js';

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

/** `!reset`: the key is removed from what earlier files (or an extended service) defined. */
export class ResetTag {
  toJSON(): null {
    return null;
  }
}
export const RESET = new ResetTag();
/** `!override`: the value replaces what earlier files defined instead of being merged with it. */
export class OverrideTag {
  constructor(readonly value: unknown) {}
  toJSON(): unknown {
    return this.value;
  }
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

// Guards against "billion laughs" documents while leaving room for heavy anchor use in real files:
// every node reached through an alias counts, so exponential expansion stops early. Nodes written out in the
// file do not count (their number is bounded by its size): a 15 MB file of plain services has more than a
// million, and was refused as an alias bomb when they did.
export const MAX_ALIAS_NODES = 1_000_000;

/**
 * Runs `fn` with process.env replaced by a plain copy. The yaml library reads process.env.LOG_TOKENS for
 * every token it parses, and each read of the real process.env is a call into the C++ environment: for a
 * 1 MB file that was a second of the load. The parse is synchronous, so nothing else sees the copy.
 */
function withPlainEnv<T>(fn: () => T): T {
  const real = process.env;
  process.env = { ...real };
  try {
    return fn();
  } finally {
    process.env = real;
  }
}

/** A single-document file (the common case); several documents are merged in order by parseYamlDocuments. */
export function parseYaml(text: string, file: string): ParsedFile {
  const docs = parseYamlDocuments(text, file);
  return docs[docs.length - 1];
}

/** Every YAML document of a file, in order; later documents override earlier ones like override files. */
export function parseYamlDocuments(text: string, file: string): ParsedFile[] {
  // the common shape, without the library's document (yaml-fast.ts); positions come from the library only
  // when an error asks for one. It nests far less than the depth limit below, or gives up.
  const fast = fastParseYaml(text);
  if (fast !== undefined) return [lazyFileView(text, file, fast)];
  return parseWithLibrary(text, file);
}

/** parseYamlDocuments through the yaml library's document (every shape, every error, positions). */
export function parseWithLibrary(text: string, file: string, maxAliasNodes = MAX_ALIAS_NODES): ParsedFile[] {
  // before the yaml library recurses into it (see yaml-depth.ts)
  const tooDeep = findExcessDepth(text);
  if (tooDeep) {
    let line = 1;
    let lineStart = 0;
    for (let nl = text.indexOf('\n'); nl >= 0 && nl < tooDeep.offset; nl = text.indexOf('\n', nl + 1)) {
      line++;
      lineStart = nl + 1;
    }
    throw new ConfigError(ErrorCodes.YAML_SYNTAX, `invalid YAML: exceeded max depth of ${MAX_YAML_DEPTH}: nest less deeply`, {
      position: { file, line, col: tooDeep.offset - lineStart + 1 },
    });
  }
  const lineCounter = new LineCounter();
  const docs = withPlainEnv(() => parseAllDocuments(text, {
    lineCounter,
    merge: false,
    uniqueKeys: false,
    prettyErrors: false,
    // no keepSourceTokens: positions come from node ranges, and the CST tokens it keeps doubled the memory of a large file
    keepSourceTokens: false,
    // ahead of the core int tag, which would otherwise claim `0440` first
    customTags: (tags) => [LEGACY_OCTAL, ...tags],
  }));
  const pos = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  const list = Array.isArray(docs) ? docs : [docs];
  const out: ParsedFile[] = [];
  for (const doc of list) {
    const first = doc.errors[0];
    if (first) {
      const message =
        first.code === 'TAB_AS_INDENT'
          ? 'invalid YAML: found a tab character that violates indentation: indent with spaces'
          : `invalid YAML: ${first.message.split('\n')[0]}: fix the syntax`;
      throw new ConfigError(ErrorCodes.YAML_SYNTAX, message, { position: pos(first.pos[0]) });
    }
    const budget = { nodes: 0, max: maxAliasNodes };
    let data = toTree(doc as Document, doc.contents as Node | null, [], pos, budget, new Set());
    if (data === null || data === undefined) data = {};
    if (typeof data !== 'object' || Array.isArray(data) || data instanceof ResetTag || data instanceof OverrideTag) {
      throw new ConfigError(ErrorCodes.SCHEMA, 'top-level object must be a mapping', { position: pos(0), keyPath: '(root)' });
    }
    out.push(fileView(doc as Document, data as Record<string, unknown>, file, pos));
  }
  if (out.length === 0) out.push(fileView(undefined, {}, file, pos));
  return out;
}

/**
 * YAML node → plain tree. Keys must be strings (compose rejects `123:`), duplicate keys are errors naming
 * both lines, `<<` merge keys are applied (explicit keys win, earlier merged maps win over later ones),
 * `!reset` / `!override` become markers for the merge stage, and alias expansion is bounded.
 */
function toTree(
  doc: Document,
  node: Node | null | undefined,
  path: (string | number)[],
  pos: (offset: number) => SourcePosition,
  budget: { nodes: number; max: number },
  resolving: Set<Node>,
  ignoreTag = false,
): unknown {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    const target = resolveAlias(doc, node);
    if (!target) throw new ConfigError(ErrorCodes.YAML_SYNTAX, `unknown anchor ${node.source}`, { position: pos(node.range?.[0] ?? 0) });
    if (resolving.has(target)) {
      throw new ConfigError(ErrorCodes.YAML_SYNTAX, `alias *${node.source} refers to itself: break the cycle`, { position: pos(node.range?.[0] ?? 0) });
    }
    resolving.add(target);
    try {
      return toTree(doc, target, path, pos, budget, resolving);
    } finally {
      resolving.delete(target);
    }
  }
  if (resolving.size > 0 && ++budget.nodes > budget.max) {
    throw new ConfigError(ErrorCodes.YAML_SYNTAX, 'document expands to too many nodes (alias bomb?): simplify the anchors', {
      position: pos(node.range?.[0] ?? 0),
    });
  }
  const tag = ignoreTag ? undefined : (node as { tag?: string }).tag;
  if (tag === '!reset') return RESET;
  if (tag === '!override') return new OverrideTag(toTree(doc, node, path, pos, budget, resolving, true));
  if (isScalar(node)) return node.value;
  // `path` is one stack for the whole walk (pushed and popped, copied only into an error's message)
  if (isSeq(node)) {
    return node.items.map((item, i) => {
      path.push(i);
      const v = toTree(doc, item as Node, path, pos, budget, resolving);
      path.pop();
      return v;
    });
  }
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    const keyLines = new Map<string, number>();
    const merged: Record<string, unknown>[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const keyValue = isScalar(keyNode) ? keyNode.value : keyNode;
      if (isScalar(keyNode) && keyValue === '<<' && keyNode.source === '<<') {
        const sources = isSeq(pair.value) ? (pair.value.items as Node[]) : [pair.value as Node];
        for (const src of sources) {
          const m = toTree(doc, src, path, pos, budget, resolving);
          if (m === null || typeof m !== 'object' || Array.isArray(m)) {
            throw new ConfigError(ErrorCodes.YAML_SYNTAX, 'merge key << must refer to a mapping', { position: pos(src?.range?.[0] ?? 0) });
          }
          merged.push(m as Record<string, unknown>);
        }
        continue;
      }
      if (typeof keyValue !== 'string') {
        throw new ConfigError(ErrorCodes.SCHEMA, `non-string key in ${formatKeyPath(path) || 'top-level'}: ${describeKey(keyValue)}: quote it`, {
          position: pos(keyNode?.range?.[0] ?? 0),
          keyPath: formatKeyPath(path),
        });
      }
      // offsets, not lines: a line is a search in the line index, wanted only for the message
      const at = keyNode!.range?.[0] ?? 0;
      const seenAt = keyLines.get(keyValue);
      if (seenAt !== undefined) {
        const line = pos(at).line;
        const seen = pos(seenAt).line;
        throw new ConfigError(ErrorCodes.YAML_SYNTAX, `duplicate key ${JSON.stringify(keyValue)}: line ${line}: mapping key ${JSON.stringify(keyValue)} already defined at line ${seen}: remove or rename one of them`, {
          position: pos(keyNode!.range?.[0] ?? 0),
          keyPath: formatKeyPath([...path, keyValue]),
        });
      }
      keyLines.set(keyValue, at);
      path.push(keyValue);
      out[keyValue] = toTree(doc, pair.value as Node | null, path, pos, budget, resolving);
      path.pop();
    }
    if (merged.length === 0) return out;
    const result: Record<string, unknown> = {};
    for (let i = merged.length - 1; i >= 0; i--) Object.assign(result, merged[i]);
    return Object.assign(result, out);
  }
  return null;
}

// yaml's Alias.resolve walks the whole document on every call; an index per document keeps many aliases linear
const anchorIndex = new WeakMap<Document, Map<string, { at: number; node: Node }[]>>();

function resolveAlias(doc: Document, alias: Node & { source: string }): Node | undefined {
  let index = anchorIndex.get(doc);
  if (!index) {
    const built = new Map<string, { at: number; node: Node }[]>();
    // a plain walk: the library's visit() allocates a frozen ancestor path for every node
    const walk = (n: unknown): void => {
      if (!n || typeof n !== 'object') return;
      if (isPair(n)) {
        walk(n.key);
        walk(n.value);
        return;
      }
      const anchor = (n as { anchor?: string }).anchor;
      if (anchor && !isAlias(n)) {
        const list = built.get(anchor) ?? [];
        list.push({ at: (n as Node).range?.[0] ?? 0, node: n as Node });
        built.set(anchor, list);
      }
      if (isMap(n) || isSeq(n)) for (const item of n.items) walk(item);
    };
    walk(doc.contents);
    anchorIndex.set(doc, built);
    index = built;
  }
  const at = alias.range?.[0] ?? Number.MAX_SAFE_INTEGER;
  // the latest definition before the alias wins (anchors may be redefined)
  let found: Node | undefined;
  for (const entry of index.get(alias.source) ?? []) if (entry.at < at) found = entry.node;
  return found;
}

function fileView(doc: Document | undefined, data: Record<string, unknown>, file: string, pos: (offset: number) => SourcePosition): ParsedFile {
  const locate = (path: KeyPath): { node: Node | null; key?: Node; exact: boolean } => {
    let node = (doc?.contents ?? null) as Node | null;
    let key: Node | undefined;
    for (let i = 0; i < path.length; i++) {
      const target = node && isAlias(node) ? (resolveAlias(doc as Document, node) ?? null) : node;
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
  const nodePos = (node: Node | null | undefined): SourcePosition | undefined => (node?.range ? pos(node.range[0]) : undefined);

  return {
    file,
    data,
    positionOf: (path) => nodePos(locate(path).node) ?? pos(0),
    keyPositionOf: (path) => {
      const found = locate(path);
      return (found.exact ? nodePos(found.key) : undefined) ?? nodePos(found.node) ?? pos(0);
    },
    has: (path) => locate(path).exact,
  };
}

/**
 * The fast path's tree with the positions of the library's document, parsed the first time one is asked for
 * (only errors ask): the happy path of a large file never builds the document.
 */
function lazyFileView(text: string, file: string, data: Record<string, unknown>): ParsedFile {
  let full: ParsedFile | undefined;
  const located = (): ParsedFile => (full ??= parseWithLibrary(text, file)[0]);
  return {
    file,
    data,
    positionOf: (path) => located().positionOf(path),
    keyPositionOf: (path) => located().keyPositionOf(path),
    has: (path) => located().has(path),
  };
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

/**
 * A non-string key as the one-line message shows it: numbers, booleans and null as written; binary (`!!binary`)
 * by its size, and anything else with control characters escaped, so the error stays one line.
 */
function describeKey(key: unknown): string {
  if (key instanceof Uint8Array) return `!!binary (${key.length} bytes)`;
  const text = String(key);
  // eslint-disable-next-line no-control-regex -- control characters are what is looked for
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text) ? JSON.stringify(text) : text;
}
