// A fast path for the plain shape most compose files have: block mappings and sequences, single-line plain and
// quoted scalars, single-line flow collections, comments, anchors, aliases and `<<` merge keys. It builds the
// same plain tree parse.ts's toTree builds from the yaml library's document, without building the document:
// for a 5 MB file the library's CST and node objects cost ~2.5 s and ~450 MB, this walk a tenth of that.
//
// Invariant: it returns a tree only where the yaml library (with parse.ts's options) would give exactly that
// tree and no error. Anything it does not recognise with certainty (tags, block scalars, multi-line scalars,
// explicit keys, directives, several documents, tabs, CR, unusual characters, non-string or duplicate keys,
// unknown or self-referring aliases, alias expansion near the alias-bomb limit, ...) makes it give up
// (`undefined`), and the caller parses with the library, which then also produces the errors and their
// positions. It never reports an error itself. test/unit/config/yaml-fast.test.ts checks it against the library.

const NL = 10;
const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const DQUOTE = 34;
const SQUOTE = 39;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;
const COMMA = 44;
const AMP = 38;
const STAR = 42;
const BACKSLASH = 92;
const DOT = 46;

class GiveUp {}
const GIVE_UP = new GiveUp();
function giveUp(): never {
  throw GIVE_UP;
}

// Everything outside these is left to the library: tabs, CR, control characters, NEL, U+2028/9, BOM,
// surrogates (a lone one is possible in text given by content), DEL.
const UNUSUAL = /[^\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]/;

// parse.ts's MAX_ALIAS_NODES (nodes reached through aliases): at or past it the library path decides (and refuses)
const ALIAS_NODE_LIMIT = 1_000_000;
// Nesting this path follows: far below yaml-depth.ts's 10,000, so that a tree from here never needs that check
// (which may count a level or two more than a parser): deeper files take the checked library path
const DEPTH_LIMIT = 1_000;

const IN_PROGRESS = Symbol('anchor in progress');
interface Anchored {
  value: unknown;
  /** Nodes toTree counts when it expands this anchor (its subtree, aliases in it expanded). */
  nodes: number;
}

// YAML 1.2 core schema as parse.ts configures it (LEGACY_OCTAL ahead of the core tags), in the library's order
const LEGACY_OCTAL = /^0[0-7]+$/;
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** A plain scalar's value as the library resolves it (parse.ts's tags, in their order). */
export function resolvePlain(s: string): unknown {
  if (s.length === 0) return null;
  const c = s.charCodeAt(0);
  // the first character rules out most tags: n/N (null), t/T/f/F (bool) and ~ can only be those; every
  // other tag starts with a digit, a sign or a dot; anything else is a string
  if (c === 110 || c === 78 || c === 126) return NULL.test(s) ? null : s;
  if (c === 116 || c === 84 || c === 102 || c === 70) return BOOL.test(s) ? s[0] === 't' || s[0] === 'T' : s;
  if (!(c >= 48 && c <= 57) && c !== 43 && c !== DASH && c !== DOT) return s;
  if (LEGACY_OCTAL.test(s)) return parseInt(s, 8);
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === 't' || s[0] === 'T';
  if (INT_OCT.test(s)) return parseInt(s.substring(2), 8);
  if (INT.test(s)) return parseInt(s, 10);
  if (INT_HEX.test(s)) return parseInt(s.substring(2), 16);
  if (FLOAT_NAN.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (FLOAT_EXP.test(s)) return parseFloat(s);
  if (FLOAT.test(s)) return parseFloat(s);
  return s;
}

const DQ_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029', ' ': ' ', '"': '"', '/': '/', '\\': '\\',
};

function clone(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = clone(v[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k in v as Record<string, unknown>) out[k] = clone((v as Record<string, unknown>)[k]);
  return out;
}

/** Anchor and alias names this path reads: letters, digits, `_`, `-`, `.` (others are left to the library). */
const isNameChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === DASH || c === DOT;

const isPlainMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The tree of a single-document compose file whose top level is a block mapping, or undefined when the file is
 * not of the shape this path knows (the caller then uses the yaml library).
 */
export function fastParseYaml(text: string): Record<string, unknown> | undefined {
  if (UNUSUAL.test(text)) return undefined;
  try {
    return new FastParser(text).parseDocument();
  } catch (err) {
    // a stack overflow on deep nesting included: the library path decides
    if (err === GIVE_UP || err instanceof RangeError) return undefined;
    throw err;
  }
}

class FastParser {
  private i = 0;
  /** Nodes parsed, as toTree counts them, aliases expanded (an anchor's share is what an alias of it adds). */
  private nodes = 0;
  /** Nodes reached through aliases: the alias-bomb budget. */
  private expanded = 0;
  private depth = 0;
  /** Whether the value just parsed was written as a sequence (`<<: [*a, *b]` merges each item). */
  private wasSeq = false;
  private readonly anchors = new Map<string, Anchored | typeof IN_PROGRESS>();
  private readonly n: number;

  constructor(private readonly text: string) {
    this.n = text.length;
  }

  parseDocument(): Record<string, unknown> {
    const { text } = this;
    let start = this.nextContent(0, true);
    if (start < 0) giveUp();
    // one leading `---` (alone on its line) is allowed
    if ((text.startsWith('---', start) || text.startsWith('...', start)) && this.isSpaceOrEnd(start + 3)) {
      if (text[start] === '.' || !this.restIsBlank(start + 3)) giveUp();
      start = this.nextContent(this.lineAfter(start), false);
      if (start < 0) giveUp();
    }
    const indent = this.indentAt(start);
    const c = text.charCodeAt(start + indent);
    if (c === DASH && this.isSpaceOrEnd(start + indent + 1)) giveUp();
    this.i = start + indent;
    this.count();
    const root = this.blockMap(indent);
    if (this.nextContent(this.i, false) >= 0) giveUp();
    return root;
  }

  private enter(): void {
    if (++this.depth > DEPTH_LIMIT) giveUp();
  }

  private count(k = 1): void {
    this.nodes += k;
  }

  private isSpaceOrEnd(at: number): boolean {
    return at >= this.n || this.text.charCodeAt(at) === SPACE || this.text.charCodeAt(at) === NL;
  }

  private restIsBlank(at: number): boolean {
    const { text, n } = this;
    while (at < n && text.charCodeAt(at) === SPACE) at++;
    return at >= n || text.charCodeAt(at) === NL;
  }

  private lineAfter(at: number): number {
    const nl = this.text.indexOf('\n', at);
    return nl < 0 ? this.n : nl + 1;
  }

  private indentAt(lineStart: number): number {
    let k = lineStart;
    while (k < this.n && this.text.charCodeAt(k) === SPACE) k++;
    return k - lineStart;
  }

  /**
   * The start of the next line (from the line starting at `at`) with content other than a comment, or -1.
   * Document markers end the fast path (several documents, or `...`).
   */
  private nextContent(at: number, first: boolean): number {
    const { text, n } = this;
    while (at < n) {
      let k = at;
      while (k < n && text.charCodeAt(k) === SPACE) k++;
      const c = text.charCodeAt(k);
      if (k >= n) return -1;
      if (c === NL || c === HASH) {
        at = this.lineAfter(k);
        continue;
      }
      if (k === at && (c === DASH || c === DOT) && !first && (text.startsWith('---', k) || text.startsWith('...', k)) && this.isSpaceOrEnd(k + 3)) giveUp();
      return at;
    }
    return -1;
  }

  /** After an inline value: only blanks and a comment may follow on its line; moves to the next line. */
  private endLine(): void {
    const { text, n } = this;
    let k = this.i;
    const from = k;
    while (k < n && text.charCodeAt(k) === SPACE) k++;
    if (k < n) {
      const c = text.charCodeAt(k);
      if (c === HASH && k > from) k = this.lineAfter(k) - 1;
      else if (c !== NL) giveUp();
    }
    this.i = k >= n ? n : k + 1;
  }

  /** A block mapping whose keys start at column `indent`; `i` is at its first key. Leaves `i` at a line start. */
  private blockMap(indent: number): Record<string, unknown> {
    const { text } = this;
    this.enter();
    const out: Record<string, unknown> = {};
    let merged: Record<string, unknown>[] | undefined;
    for (;;) {
      const key = this.key();
      const value = this.mapValue(indent);
      if (key === null) {
        // `<<`: a mapping, or a sequence of mappings, merged in (explicit keys win, earlier maps win)
        if (this.wasSeq) {
          // toTree walks the sequence's items, not the sequence
          this.nodes--;
          for (const m of value as unknown[]) {
            if (!isPlainMap(m)) giveUp();
            (merged ??= []).push(m);
          }
        } else {
          if (!isPlainMap(value)) giveUp();
          (merged ??= []).push(value);
        }
      } else {
        if (Object.prototype.hasOwnProperty.call(out, key)) giveUp();
        out[key] = value;
      }
      const next = this.nextContent(this.i, false);
      if (next < 0) {
        this.i = this.n;
        break;
      }
      const ind = this.indentAt(next);
      if (ind > indent) giveUp();
      if (ind < indent) {
        this.i = next;
        break;
      }
      this.i = next + ind;
      const c = text.charCodeAt(this.i);
      if (c === DASH && this.isSpaceOrEnd(this.i + 1)) giveUp();
    }
    this.depth--;
    if (!merged) return out;
    const result: Record<string, unknown> = {};
    for (let k = merged.length - 1; k >= 0; k--) Object.assign(result, merged[k]);
    return Object.assign(result, out);
  }

  /** A block mapping key at `i` (string), or null for a plain `<<`; leaves `i` after the `:`. */
  private key(): string | null {
    const { text, n } = this;
    const start = this.i;
    const c = text.charCodeAt(start);
    if (c === DQUOTE || c === SQUOTE) {
      const key = c === DQUOTE ? this.doubleQuoted() : this.singleQuoted();
      if (text.charCodeAt(this.i) !== COLON || !this.isSpaceOrEnd(this.i + 1)) giveUp();
      if (key === '__proto__' || this.i - start > 1000) giveUp();
      this.i++;
      return key;
    }
    this.checkPlainStart(c, start);
    let k = start;
    for (;;) {
      if (k >= n) giveUp();
      const ch = text.charCodeAt(k);
      if (ch === NL) giveUp();
      if (ch === COLON && this.isSpaceOrEnd(k + 1)) break;
      if (ch === HASH && text.charCodeAt(k - 1) === SPACE) giveUp();
      k++;
    }
    if (k === start || text.charCodeAt(k - 1) === SPACE || k - start > 1000) giveUp();
    const raw = text.slice(start, k);
    this.i = k + 1;
    if (raw === '<<') return null;
    if (raw === '__proto__' || typeof resolvePlain(raw) !== 'string') giveUp();
    return raw;
  }

  /** Characters that cannot start a plain scalar, or start something this path leaves to the library. */
  private checkPlainStart(c: number, at: number): void {
    switch (c) {
      case DASH:
      case 63: // ?
      case COLON:
        if (this.isSpaceOrEnd(at + 1)) giveUp();
        break;
      case COMMA:
      case LBRACKET:
      case RBRACKET:
      case LBRACE:
      case RBRACE:
      case HASH:
      case AMP:
      case STAR:
      case 33: // !
      case 124: // |
      case 62: // >
      case 37: // %
      case 64: // @
      case 96: // `
      case DQUOTE:
      case SQUOTE:
      case SPACE:
      case NL:
        giveUp();
    }
    if (Number.isNaN(c)) giveUp();
  }

  /** The value after a block mapping key's `:` (at `i`). Leaves `i` at a line start. */
  private mapValue(indent: number): unknown {
    return this.blockValue(indent, true);
  }

  /**
   * A value after `key:` or `-`: inline on this line, or a block collection on the next lines (deeper, or a
   * sequence at the mapping's own column when `seqAtSameIndent`), or null. Leaves `i` at a line start.
   */
  private blockValue(indent: number, seqAtSameIndent: boolean): unknown {
    const { text, n } = this;
    this.wasSeq = false;
    while (this.i < n && text.charCodeAt(this.i) === SPACE) this.i++;
    let c = text.charCodeAt(this.i);
    let anchor: string | undefined;
    if (c === AMP) {
      anchor = this.anchorName();
      if (this.anchors.get(anchor) === IN_PROGRESS) giveUp();
      this.anchors.set(anchor, IN_PROGRESS);
      while (this.i < n && text.charCodeAt(this.i) === SPACE) this.i++;
      c = text.charCodeAt(this.i);
      if (c === AMP || c === STAR) giveUp();
    }
    const before = this.nodes;
    let value: unknown;
    if (this.i >= n || c === NL || c === HASH) {
      if (c === HASH && text.charCodeAt(this.i - 1) !== SPACE) giveUp();
      this.i = this.i >= n ? n : this.lineAfter(this.i);
      value = this.indentedBlock(indent, seqAtSameIndent);
    } else {
      if (!seqAtSameIndent && anchor === undefined && this.compactMapAhead()) {
        // `- key: value`: a mapping whose column is that of its first key
        const col = this.i - (text.lastIndexOf('\n', this.i - 1) + 1);
        this.count();
        value = this.blockMap(col);
        this.wasSeq = false;
      } else {
        value = this.inlineValue(false);
        this.endLine();
      }
    }
    if (anchor !== undefined) this.anchors.set(anchor, { value, nodes: this.nodes - before });
    return value;
  }

  /** Whether the inline content at `i` is `key: …` (a compact mapping in a sequence item). */
  private compactMapAhead(): boolean {
    const { text, n } = this;
    const c = text.charCodeAt(this.i);
    if (c === DQUOTE || c === SQUOTE) {
      // a quoted scalar followed by `:` would be a key; leave that rare shape to the library
      const end = text.indexOf(String.fromCharCode(c), this.i + 1);
      const nl = text.indexOf('\n', this.i);
      if (end < 0 || (nl >= 0 && end > nl)) giveUp();
      let k = end + 1;
      while (k < n && text.charCodeAt(k) === SPACE) k++;
      if (text.charCodeAt(k) === COLON) {
        if (c === DQUOTE && text.lastIndexOf('\\', end) > this.i) giveUp();
        return true;
      }
      return false;
    }
    if (c === LBRACKET || c === LBRACE || c === STAR) return false;
    for (let k = this.i; k < n; k++) {
      const ch = text.charCodeAt(k);
      if (ch === NL) return false;
      if (ch === COLON && this.isSpaceOrEnd(k + 1)) return true;
      if (ch === HASH && text.charCodeAt(k - 1) === SPACE) return false;
    }
    return false;
  }

  /** A block node starting on the next content line (`i` is at a line start), or null. */
  private indentedBlock(indent: number, seqAtSameIndent: boolean): unknown {
    const { text } = this;
    const next = this.nextContent(this.i, false);
    if (next < 0) {
      this.i = this.n;
      this.count();
      return null;
    }
    const ind = this.indentAt(next);
    const at = next + ind;
    const isItem = text.charCodeAt(at) === DASH && this.isSpaceOrEnd(at + 1);
    if (ind > indent || (ind === indent && seqAtSameIndent && isItem)) {
      this.i = at;
      this.count();
      if (isItem) {
        const seq = this.blockSeq(ind);
        this.wasSeq = true;
        return seq;
      }
      const map = this.blockMap(ind);
      this.wasSeq = false;
      return map;
    }
    // an empty value: the next line belongs to an outer collection
    this.i = next;
    this.count();
    return null;
  }

  /** A block sequence whose `-` are at column `indent`; `i` is at its first `-`. Leaves `i` at a line start. */
  private blockSeq(indent: number): unknown[] {
    const { text } = this;
    this.enter();
    const out: unknown[] = [];
    for (;;) {
      this.i++;
      const c = text.charCodeAt(this.i);
      if (c === SPACE) {
        let k = this.i;
        while (text.charCodeAt(k) === SPACE) k++;
        // `- - x`: a compact nested sequence
        if (text.charCodeAt(k) === DASH && this.isSpaceOrEnd(k + 1)) giveUp();
      }
      out.push(this.blockValue(indent, false));
      const next = this.nextContent(this.i, false);
      if (next < 0) {
        this.i = this.n;
        break;
      }
      const ind = this.indentAt(next);
      if (ind > indent) giveUp();
      const at = next + ind;
      if (ind < indent || !(text.charCodeAt(at) === DASH && this.isSpaceOrEnd(at + 1))) {
        this.i = next;
        break;
      }
      this.i = at;
    }
    this.depth--;
    return out;
  }

  private anchorName(): string {
    const { text, n } = this;
    const start = ++this.i;
    while (this.i < n) {
      const c = text.charCodeAt(this.i);
      if (c === SPACE || c === NL) break;
      if (!isNameChar(c)) giveUp();
      this.i++;
    }
    if (this.i === start) giveUp();
    return text.slice(start, this.i);
  }

  /** An alias at `i` (`*name`): a copy of the anchored value, as toTree builds one per alias. */
  private alias(inFlow: boolean): unknown {
    const { text, n } = this;
    const start = ++this.i;
    while (this.i < n) {
      const c = text.charCodeAt(this.i);
      if (c === SPACE || c === NL) break;
      if (c === COMMA || c === RBRACKET || c === RBRACE) {
        if (inFlow) break;
        giveUp();
      }
      if (!isNameChar(c)) giveUp();
      this.i++;
    }
    if (this.i === start) giveUp();
    const entry = this.anchors.get(text.slice(start, this.i));
    if (entry === undefined || entry === IN_PROGRESS) giveUp();
    this.count(entry.nodes);
    this.expanded += entry.nodes;
    if (this.expanded >= ALIAS_NODE_LIMIT) giveUp();
    return clone(entry.value);
  }

  /** A scalar, alias or flow collection on the current line; `i` ends after it. */
  private inlineValue(inFlow: boolean): unknown {
    const { text, n } = this;
    const c = text.charCodeAt(this.i);
    this.wasSeq = false;
    switch (c) {
      case DQUOTE:
        this.count();
        return this.doubleQuoted();
      case SQUOTE:
        this.count();
        return this.singleQuoted();
      case LBRACKET: {
        const seq = this.flowSeq();
        this.wasSeq = true;
        return seq;
      }
      case LBRACE:
        return this.flowMap();
      case STAR:
        return this.alias(inFlow);
    }
    this.checkPlainStart(c, this.i);
    const start = this.i;
    let k = start;
    let end = start;
    while (k < n) {
      const ch = text.charCodeAt(k);
      if (ch === NL) break;
      if (ch === SPACE) {
        if (text.charCodeAt(k + 1) === HASH) break;
      } else {
        if (ch === COLON) {
          // `a: b: c`, or a `:` a flow scalar might read as a key
          if (inFlow || this.isSpaceOrEnd(k + 1)) giveUp();
        } else if (inFlow && (ch === COMMA || ch === RBRACKET || ch === RBRACE)) {
          break;
        } else if (inFlow && (ch === LBRACKET || ch === LBRACE)) {
          giveUp();
        }
        end = k + 1;
      }
      k++;
    }
    this.i = end;
    this.count();
    return resolvePlain(text.slice(start, end));
  }

  /** A double-quoted scalar on one line; `i` ends after the closing quote. */
  private doubleQuoted(): string {
    const { text, n } = this;
    const start = this.i + 1;
    let k = start;
    let out = '';
    let from = start;
    for (;;) {
      if (k >= n) giveUp();
      const ch = text.charCodeAt(k);
      if (ch === DQUOTE) break;
      if (ch === NL) giveUp();
      if (ch === BACKSLASH) {
        const esc = DQ_ESCAPES[text[k + 1]];
        if (esc === undefined) giveUp();
        out += text.slice(from, k) + esc;
        k += 2;
        from = k;
        continue;
      }
      k++;
    }
    this.i = k + 1;
    return from === start ? text.slice(start, k) : out + text.slice(from, k);
  }

  /** A single-quoted scalar on one line; `i` ends after the closing quote. */
  private singleQuoted(): string {
    const { text, n } = this;
    const start = this.i + 1;
    let k = start;
    let doubled = false;
    for (;;) {
      if (k >= n) giveUp();
      const ch = text.charCodeAt(k);
      if (ch === NL) giveUp();
      if (ch === SQUOTE) {
        if (text.charCodeAt(k + 1) !== SQUOTE) break;
        doubled = true;
        k += 2;
        continue;
      }
      k++;
    }
    this.i = k + 1;
    const raw = text.slice(start, k);
    return doubled ? raw.replace(/''/g, "'") : raw;
  }

  private skipFlowSpace(): number {
    const { text, n } = this;
    while (this.i < n && text.charCodeAt(this.i) === SPACE) this.i++;
    const c = text.charCodeAt(this.i);
    // flow collections on several lines, and comments inside them, are left to the library
    if (this.i >= n || c === NL || c === HASH) giveUp();
    return c;
  }

  /** After a flow item: `,` then another item, or the closing bracket. Returns true at the end. */
  private flowSeparator(close: number): boolean {
    const c = this.skipFlowSpace();
    if (c === close) {
      this.i++;
      return true;
    }
    if (c !== COMMA) giveUp();
    this.i++;
    // `[a, ]`: a trailing comma, or `[a, , b]`
    const d = this.skipFlowSpace();
    if (d === close || d === COMMA) giveUp();
    return false;
  }

  private flowSeq(): unknown[] {
    this.count();
    this.enter();
    this.i++;
    const out: unknown[] = [];
    if (this.skipFlowSpace() === RBRACKET) {
      this.i++;
    } else {
      do out.push(this.inlineValue(true));
      while (!this.flowSeparator(RBRACKET));
    }
    this.depth--;
    return out;
  }

  private flowMap(): Record<string, unknown> {
    const { text } = this;
    this.count();
    this.enter();
    this.i++;
    const out: Record<string, unknown> = {};
    if (this.skipFlowSpace() === RBRACE) {
      this.i++;
      this.depth--;
      return out;
    }
    for (;;) {
      const c = text.charCodeAt(this.i);
      let key: string;
      if (c === DQUOTE || c === SQUOTE) {
        key = c === DQUOTE ? this.doubleQuoted() : this.singleQuoted();
        if (this.skipFlowSpace() !== COLON) giveUp();
        this.i++;
      } else {
        this.checkPlainStart(c, this.i);
        const start = this.i;
        let k = start;
        for (;;) {
          const ch = text.charCodeAt(k);
          if (k >= this.n || ch === NL || ch === COMMA || ch === LBRACKET || ch === RBRACKET || ch === LBRACE || ch === RBRACE || ch === HASH) giveUp();
          if (ch === COLON) {
            if (text.charCodeAt(k + 1) !== SPACE) giveUp();
            break;
          }
          k++;
        }
        if (text.charCodeAt(k - 1) === SPACE) giveUp();
        key = text.slice(start, k);
        if (key === '<<' || typeof resolvePlain(key) !== 'string') giveUp();
        this.i = k + 1;
      }
      if (key === '__proto__' || Object.prototype.hasOwnProperty.call(out, key)) giveUp();
      const d = this.skipFlowSpace();
      if (d === COMMA || d === RBRACE) giveUp();
      out[key] = this.inlineValue(true);
      if (this.flowSeparator(RBRACE)) {
        this.wasSeq = false;
        this.depth--;
        return out;
      }
    }
  }
}
