// A nesting-depth check that runs on the raw text before the yaml library builds anything. The library
// recurses once per level and keeps every node: 0.5 MB of `[` cost 1.6 s and ~370 MB before failing with
// "Maximum call stack size exceeded", and 1 MB ran the process out of heap. compose (go-yaml, then Go's
// JSON) refuses a document nested deeper than 10,000 levels, counting block and flow collections together
// with the top-level mapping as level 1; this check draws the line at the same place.
//
// It is a scanner, not a parser: it knows just enough YAML (quoted scalars, comments, block scalars, plain
// scalars that contain `[` or `:`) not to count brackets that are text. Where it is unsure (a plain scalar
// continued on a deeper line) it may count one level too many, never thousands, so it cannot refuse a file
// a real parser would nest less than 10,000 deep by any meaningful margin.

export const MAX_YAML_DEPTH = 10_000;

export interface DepthExceeded {
  /** Offset of the character that opened the level past the limit. */
  readonly offset: number;
}

const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const DASH = 45;
const QUESTION = 63;
const COLON = 58;
const COMMA = 44;
const SQUOTE = 39;
const DQUOTE = 34;
const BACKSLASH = 92;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;
const PIPE = 124;
const GT = 62;
const AMP = 38;
const BANG = 33;

const isBlank = (c: number): boolean => c === SPACE || c === TAB;
const isBreakOrEnd = (c: number): boolean => Number.isNaN(c) || c === NL || c === CR;

/** The first place `text` nests deeper than `limit` levels, or undefined when it does not. */
export function findExcessDepth(text: string, limit = MAX_YAML_DEPTH): DepthExceeded | undefined {
  const n = text.length;
  // columns of the open block collections, innermost last
  const indents: number[] = [];
  let flow = 0;
  let i = 0;

  /** Skips a quoted scalar starting at `i` (the quote); returns the offset after the closing quote. */
  const skipQuoted = (at: number): number => {
    const q = text.charCodeAt(at);
    let j = at + 1;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (q === DQUOTE && c === BACKSLASH) {
        j += 2;
        continue;
      }
      if (c === q) {
        if (q === SQUOTE && text.charCodeAt(j + 1) === SQUOTE) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    return n;
  };

  const toLineEnd = (at: number): number => {
    const nl = text.indexOf('\n', at);
    return nl < 0 ? n : nl;
  };

  /**
   * Scans flow content from `at` until the flow collections opened so far are closed; returns the offset
   * after it, or a DepthExceeded.
   */
  const scanFlow = (at: number, base: number): number | DepthExceeded => {
    let j = at;
    // whether the next character starts a token (quotes and comments only open there)
    let tokenStart = true;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === LBRACKET || c === LBRACE) {
        flow++;
        if (base + flow > limit) return { offset: j };
        j++;
        tokenStart = true;
        continue;
      }
      if (c === RBRACKET || c === RBRACE) {
        flow--;
        j++;
        if (flow === 0) return j;
        tokenStart = false;
        continue;
      }
      if (tokenStart && (c === SQUOTE || c === DQUOTE)) {
        j = skipQuoted(j);
        tokenStart = false;
        continue;
      }
      if (c === HASH && tokenStart) {
        j = toLineEnd(j);
        continue;
      }
      tokenStart = isBlank(c) || c === NL || c === CR || c === COMMA || c === COLON;
      j++;
    }
    return n;
  };

  while (i < n) {
    // one line of block context: indentation first
    const lineStart = i;
    while (i < n && text.charCodeAt(i) === SPACE) i++;
    const c0 = text.charCodeAt(i);
    if (isBreakOrEnd(c0) || c0 === HASH || c0 === TAB) {
      i = toLineEnd(i) + 1;
      continue;
    }
    const col = i - lineStart;
    if (col === 0 && (text.startsWith('---', i) || text.startsWith('...', i) || c0 === 37 /* % directive */)) {
      const c3 = text.charCodeAt(i + 3);
      if (c0 === 37 || isBreakOrEnd(c3) || isBlank(c3)) {
        indents.length = 0;
        flow = 0;
        i = c0 === 37 ? toLineEnd(i) + 1 : i + 3;
        if (c0 === 37) continue;
      }
    }
    while (indents.length > 0 && indents[indents.length - 1] > col) indents.pop();
    const open = (at: number, column: number): DepthExceeded | undefined => {
      if (indents.length === 0 || indents[indents.length - 1] < column) {
        indents.push(column);
        if (indents.length > limit) return { offset: at };
      }
      return undefined;
    };
    const lineIndent = col;
    let valueStart = true;
    // a key may begin here (line start, after `- ` or `? `), so a mapping may open; not after `key: `
    let canOpen = true;
    // column and offset of a scalar that opens a mapping if `: ` follows it (it is a key)
    let keyCol = -1;
    let keyAt = 0;
    // the rest of the line, token by token
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === NL) {
        i++;
        break;
      }
      if (isBlank(c) || c === CR) {
        i++;
        continue;
      }
      if (c === HASH) {
        i = toLineEnd(i);
        continue;
      }
      if (!valueStart) {
        // inside a plain scalar: only `: ` (a key ends) and ` #` (a comment) matter
        if (c === COLON && (isBlank(text.charCodeAt(i + 1)) || isBreakOrEnd(text.charCodeAt(i + 1)))) {
          if (keyCol >= 0) {
            const exceeded = open(keyAt, keyCol);
            if (exceeded) return exceeded;
            keyCol = -1;
          }
          valueStart = true;
          canOpen = false;
          i++;
          continue;
        }
        i++;
        while (i < n) {
          const d = text.charCodeAt(i);
          if (d === NL || d === COLON || (d === HASH && isBlank(text.charCodeAt(i - 1)))) break;
          i++;
        }
        continue;
      }
      const next = text.charCodeAt(i + 1);
      if ((c === DASH || c === QUESTION) && (isBlank(next) || isBreakOrEnd(next))) {
        const exceeded = open(i, i - lineStart);
        if (exceeded) return exceeded;
        canOpen = true;
        i++;
        continue;
      }
      if (c === COLON && (isBlank(next) || isBreakOrEnd(next))) {
        canOpen = false;
        i++;
        continue;
      }
      if (c === LBRACKET || c === LBRACE) {
        const result = scanFlow(i, indents.length);
        if (typeof result !== 'number') return result;
        i = result;
        valueStart = false;
        continue;
      }
      if (c === SQUOTE || c === DQUOTE) {
        if (canOpen) {
          keyCol = i - lineStart;
          keyAt = i;
        }
        i = skipQuoted(i);
        valueStart = false;
        continue;
      }
      if (c === AMP || c === BANG || c === 42 /* * alias */) {
        while (i < n && !isBlank(text.charCodeAt(i)) && !isBreakOrEnd(text.charCodeAt(i))) i++;
        continue;
      }
      if (c === PIPE || c === GT) {
        // a block scalar: its lines are those indented deeper than the line that introduced it
        i = toLineEnd(i) + 1;
        while (i < n) {
          let j = i;
          while (j < n && text.charCodeAt(j) === SPACE) j++;
          const d = text.charCodeAt(j);
          if (!isBreakOrEnd(d) && j - i <= lineIndent) break;
          i = toLineEnd(j) + 1;
        }
        break;
      }
      // a plain scalar (or key) begins here
      if (canOpen) {
        keyCol = i - lineStart;
        keyAt = i;
      }
      valueStart = false;
      i++;
    }
  }
  return undefined;
}
