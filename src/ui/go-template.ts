// A subset of Go's text/template, enough for the `--format` templates docker and compose users write:
// text, actions with pipelines (`{{.A.B | lower}}`), fields and methods with arguments (`{{.Label "x"}}`),
// variables (`$x := ...`, `$`), functions (Go's builtins and docker's json/split/join/title/lower/upper/
// pad/truncate), if/else if/else, range (with else, `$i, $v :=`), with, comments and trim markers.
// Error messages follow Go's wording and positions ("template: :1:12: executing "" at <.Foo>: ...") because
// scripts and users compare them with what the docker CLI prints.
//
// Data model (Go values in JS): string, number (an integer prints as an int), boolean, null (Go nil),
// undefined (an invalid value: a missing map key, printed "<no value>"), arrays (slices), GoMap (maps: keys
// printed and marshalled sorted) and plain objects (structs: fields in declaration order; a function-valued
// property is a method, called with the template's arguments).

/** The Go type name a struct reports in errors ("*formatter.ContainerContext"). */
export const GO_TYPE = Symbol('goType');
/** A struct's own JSON (Go's MarshalJSON): a function returning the value `json` marshals instead. */
export const GO_JSON = Symbol('goJson');

/** A Go map: printed as map[k:v ...] and marshalled with keys sorted; a missing key is "<no value>". */
export class GoMap {
  /** methods: a named map type's methods, found before its keys (docker's header map has Label). */
  constructor(
    readonly entries: Readonly<Record<string, unknown>>,
    readonly methods: Readonly<Record<string, (...args: any[]) => unknown>> = {},
  ) {}
}

const NIL = Symbol('nilSlice');

/** A nil Go slice: printed "[]" like an empty one, but marshalled as null. */
export function goNilSlice(): unknown[] {
  return Object.assign([], { [NIL]: true });
}

/** A failure to parse or to execute a template; the message is Go's. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

// ------------------------------------------------------------------------------------------------ lexer

type TokKind = 'text' | 'open' | 'close' | 'field' | 'var' | 'ident' | 'string' | 'number' | 'char' | 'bool' | 'nil' | 'dot' | 'pipe' | 'lparen' | 'rparen' | 'declare' | 'assign' | 'comma' | 'space' | 'eof';

interface Token {
  kind: TokKind;
  value: string;
  pos: number;
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

function lineOf(text: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text[i] === '\n') n++;
  return n;
}

function lex(text: string): Token[] {
  const toks: Token[] = [];
  let i = 0;
  const fail = (pos: number, msg: string): never => {
    throw new TemplateError(`template: :${lineOf(text, pos)}: ${msg}`);
  };
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      toks.push({ kind: 'text', value: text.slice(i), pos: i });
      break;
    }
    let textEnd = open;
    let j = open + 2;
    const trimLeft = text[j] === '-' && /[ \t\r\n]/.test(text[j + 1] ?? '');
    if (trimLeft) {
      j += 2;
      while (textEnd > i && /[ \t\r\n]/.test(text[textEnd - 1])) textEnd--;
    }
    if (textEnd > i) toks.push({ kind: 'text', value: text.slice(i, textEnd), pos: i });
    // a comment: {{/* ... */}}
    while (/[ \t\r\n]/.test(text[j] ?? '') && trimLeft) j++;
    if (text.startsWith('/*', j)) {
      const endC = text.indexOf('*/', j + 2);
      if (endC < 0) fail(open, 'unclosed comment');
      let k = endC + 2;
      let trimRight = false;
      if (text.startsWith(' -}}', k)) {
        trimRight = true;
        k += 4;
      } else if (text.startsWith('}}', k)) k += 2;
      else fail(open, 'comment ends before closing delimiter');
      i = k;
      if (trimRight) while (i < text.length && /[ \t\r\n]/.test(text[i])) i++;
      continue;
    }
    toks.push({ kind: 'open', value: '{{', pos: open });
    // inside an action
    let closed = false;
    while (j < text.length) {
      const c = text[j];
      if (text.startsWith(' -}}', j) || (c === '-' && text.startsWith('-}}', j) && /[ \t\r\n]/.test(text[j - 1] ?? ''))) {
        const at = c === '-' ? j : j + 1;
        toks.push({ kind: 'close', value: '}}', pos: at });
        j = at + 3;
        while (j < text.length && /[ \t\r\n]/.test(text[j])) j++;
        closed = true;
        break;
      }
      if (text.startsWith('}}', j)) {
        toks.push({ kind: 'close', value: '}}', pos: j });
        j += 2;
        closed = true;
        break;
      }
      if (c === '\n' || c === ' ' || c === '\t' || c === '\r') {
        const s = j;
        while (j < text.length && /[ \t\r\n]/.test(text[j]) && !text.startsWith(' -}}', j)) j++;
        if (j === s) {
          j++;
        }
        toks.push({ kind: 'space', value: ' ', pos: s });
        continue;
      }
      if (c === '|') { toks.push({ kind: 'pipe', value: c, pos: j++ }); continue; }
      if (c === '(') { toks.push({ kind: 'lparen', value: c, pos: j++ }); continue; }
      if (c === ')') { toks.push({ kind: 'rparen', value: c, pos: j++ }); continue; }
      if (c === ',') { toks.push({ kind: 'comma', value: c, pos: j++ }); continue; }
      if (c === ':' && text[j + 1] === '=') { toks.push({ kind: 'declare', value: ':=', pos: j }); j += 2; continue; }
      if (c === '=') { toks.push({ kind: 'assign', value: '=', pos: j++ }); continue; }
      if (c === '"') {
        const s = j++;
        while (j < text.length && text[j] !== '"') {
          if (text[j] === '\\') j++;
          if (text[j] === '\n') fail(s, 'unterminated quoted string');
          j++;
        }
        if (j >= text.length) fail(s, 'unterminated quoted string');
        j++;
        toks.push({ kind: 'string', value: unquote(text.slice(s, j)), pos: s });
        continue;
      }
      if (c === '`') {
        const e = text.indexOf('`', j + 1);
        if (e < 0) fail(j, 'unterminated raw quoted string');
        toks.push({ kind: 'string', value: text.slice(j + 1, e), pos: j });
        j = e + 1;
        continue;
      }
      if (c === "'") {
        const s = j++;
        while (j < text.length && text[j] !== "'") {
          if (text[j] === '\\') j++;
          j++;
        }
        if (j >= text.length) fail(s, 'unterminated character constant');
        j++;
        const ch = unquote(`"${text.slice(s + 1, j - 1)}"`);
        toks.push({ kind: 'char', value: String(ch.codePointAt(0) ?? 0), pos: s });
        continue;
      }
      if (c === '$') {
        const s = j++;
        while (j < text.length && /[\p{L}\p{N}_]/u.test(text[j])) j++;
        toks.push({ kind: 'var', value: text.slice(s, j), pos: s });
        continue;
      }
      if (c === '.') {
        if (/[\p{L}_]/u.test(text[j + 1] ?? '')) {
          const s = j++;
          while (j < text.length && /[\p{L}\p{N}_]/u.test(text[j])) j++;
          toks.push({ kind: 'field', value: text.slice(s + 1, j), pos: s });
          continue;
        }
        if (!/[0-9]/.test(text[j + 1] ?? '')) {
          toks.push({ kind: 'dot', value: '.', pos: j++ });
          continue;
        }
      }
      if (/[0-9+\-.]/.test(c)) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(text.slice(j));
        const lit = m?.[0] ?? '';
        if (!lit || lit === '+' || lit === '-' || lit === '.') fail(j, `bad number syntax: "${c}"`);
        toks.push({ kind: 'number', value: lit, pos: j });
        j += lit.length;
        continue;
      }
      if (/[\p{L}_]/u.test(c)) {
        const s = j;
        while (j < text.length && /[\p{L}\p{N}_]/u.test(text[j])) j++;
        const w = text.slice(s, j);
        toks.push({ kind: w === 'true' || w === 'false' ? 'bool' : w === 'nil' ? 'nil' : 'ident', value: w, pos: s });
        continue;
      }
      const cp = c.codePointAt(0) ?? 0;
      fail(j, `bad character U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`);
    }
    if (!closed) fail(open, 'unclosed action');
    i = j;
  }
  toks.push({ kind: 'eof', value: '', pos: text.length });
  return toks;
}

function unquote(q: string): string {
  const body = q.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, e: string) => {
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    if (e in simple) return simple[e];
    if (/^[xuU]/.test(e)) return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]{3}$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return e;
  });
}

// ------------------------------------------------------------------------------------------------ parser

type Operand =
  | { t: 'field'; pos: number; names: string[] }
  | { t: 'chain'; pos: number; base: Operand; names: string[] }
  | { t: 'var'; pos: number; name: string; names: string[] }
  | { t: 'ident'; pos: number; name: string }
  | { t: 'dot'; pos: number }
  | { t: 'string'; pos: number; value: string; raw: string }
  | { t: 'number'; pos: number; value: number; raw: string }
  | { t: 'bool'; pos: number; value: boolean }
  | { t: 'nil'; pos: number }
  | { t: 'pipe'; pos: number; pipe: Pipeline };

interface Command {
  pos: number;
  args: Operand[];
}

interface Pipeline {
  pos: number;
  decl: string[];
  assign: boolean;
  cmds: Command[];
}

type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pos: number; pipe: Pipeline }
  | { t: 'if' | 'with' | 'range'; pos: number; pipe: Pipeline; list: Node[]; elseList?: Node[] }
  | { t: 'break' | 'continue'; pos: number };

class Parser {
  private i = 0;
  private vars: string[][] = [['$']];
  constructor(private readonly toks: Token[], private readonly text: string) {}

  fail(pos: number, msg: string): never {
    throw new TemplateError(`template: :${lineOf(this.text, pos)}: ${msg}`);
  }
  peek(skipSpace = true): Token {
    let k = this.i;
    while (skipSpace && this.toks[k].kind === 'space') k++;
    return this.toks[k];
  }
  next(skipSpace = true): Token {
    while (skipSpace && this.toks[this.i].kind === 'space') this.i++;
    return this.toks[this.i++];
  }

  /** The top-level list; `stop` names the keywords that end a nested list. */
  parseList(stop: readonly string[], depth: number): { nodes: Node[]; ended: string; pos: number } {
    const nodes: Node[] = [];
    for (;;) {
      const tk = this.next(false);
      if (tk.kind === 'eof') {
        if (stop.length) this.fail(tk.pos, 'unexpected EOF');
        return { nodes, ended: '', pos: tk.pos };
      }
      if (tk.kind === 'text') {
        nodes.push({ t: 'text', text: tk.value });
        continue;
      }
      // open
      const kw = this.peek();
      if (kw.kind === 'ident' && KEYWORDS.has(kw.value)) {
        this.next();
        switch (kw.value) {
          case 'end':
          case 'else':
            if (!stop.includes(kw.value)) this.fail(kw.pos, `unexpected {{${kw.value}}}`);
            if (kw.value === 'end') this.expectClose('end');
            return { nodes, ended: kw.value, pos: kw.pos };
          case 'if':
          case 'with':
          case 'range':
            nodes.push(this.parseControl(kw.value, kw.pos, depth));
            continue;
          case 'break':
          case 'continue':
            if (depth === 0) this.fail(kw.pos, `{{${kw.value}}} outside {{range}}`);
            this.expectClose(kw.value);
            nodes.push({ t: kw.value, pos: kw.pos });
            continue;
          default:
            this.fail(kw.pos, `{{${kw.value}}} is not supported by this formatter`);
        }
      }
      const pipe = this.parsePipeline('command', true);
      nodes.push({ t: 'action', pos: pipe.pos, pipe });
    }
  }

  expectClose(context: string): void {
    const tk = this.next();
    if (tk.kind !== 'close') this.fail(tk.pos, `unexpected ${describe(tk)} in ${context}`);
  }

  parseControl(kind: 'if' | 'with' | 'range', pos: number, depth: number): Node {
    this.vars.push([...this.vars[this.vars.length - 1]]);
    const pipe = this.parsePipeline(kind, kind === 'range' ? 2 : 1);
    const inner = kind === 'range' ? depth + 1 : depth;
    const body = this.parseList(['end', 'else'], inner);
    let elseList: Node[] | undefined;
    if (body.ended === 'else') {
      // `{{else if ...}}` / `{{else with ...}}`: a nested control that shares the {{end}}
      const nx = this.peek();
      if ((kind === 'if' && nx.kind === 'ident' && nx.value === 'if') || (kind === 'with' && nx.kind === 'ident' && nx.value === 'with')) {
        this.next();
        elseList = [this.parseControl(kind, nx.pos, depth)];
      } else {
        this.expectClose('else');
        elseList = this.parseList(['end'], depth).nodes;
      }
    }
    this.vars.pop();
    return { t: kind, pos, pipe, list: body.nodes, elseList };
  }

  /** decl: how many variables a declaration may name (range takes two). */
  parsePipeline(context: string, decl: boolean | number): Pipeline {
    const start = this.peek();
    const p: Pipeline = { pos: start.pos, decl: [], assign: false, cmds: [] };
    // $x := / $x = / $i, $v :=
    if (decl && start.kind === 'var') {
      const save = this.i;
      const names: string[] = [];
      let ok = false;
      for (;;) {
        const v = this.next();
        if (v.kind !== 'var') break;
        names.push(v.value);
        const sep = this.next();
        if (sep.kind === 'declare' || sep.kind === 'assign') {
          ok = true;
          p.assign = sep.kind === 'assign';
          break;
        }
        if (sep.kind !== 'comma' || context !== 'range' || names.length >= 2) break;
      }
      if (ok) {
        p.decl = names;
        if (!p.assign) this.vars[this.vars.length - 1].push(...names);
        else for (const n of names) if (!this.hasVar(n)) this.fail(start.pos, `undefined variable "${n}"`);
      } else this.i = save;
    }
    for (;;) {
      const cmd = this.parseCommand();
      p.cmds.push(cmd);
      const tk = this.next();
      if (tk.kind === 'close' || tk.kind === 'rparen') {
        if (tk.kind === 'rparen' && context !== 'paren') this.fail(tk.pos, `unexpected right paren`);
        if (tk.kind === 'close' && context === 'paren') this.fail(tk.pos, 'unclosed left paren');
        break;
      }
      if (tk.kind !== 'pipe') this.fail(tk.pos, `unexpected ${describe(tk)} in ${context}`);
    }
    if (!p.cmds.length || p.cmds.some((c) => !c.args.length)) this.fail(start.pos, `missing value for ${context}`);
    return p;
  }

  hasVar(name: string): boolean {
    return this.vars[this.vars.length - 1].includes(name);
  }

  parseCommand(): Command {
    const first = this.peek();
    const cmd: Command = { pos: first.pos, args: [] };
    for (;;) {
      const tk = this.peek(false);
      if (tk.kind === 'space') {
        this.next(false);
        continue;
      }
      if (tk.kind === 'close' || tk.kind === 'pipe' || tk.kind === 'rparen' || tk.kind === 'eof') break;
      const op = this.parseOperand();
      cmd.args.push(op);
      // operands must be separated by spaces
      const after = this.peek(false);
      if (!['space', 'close', 'pipe', 'rparen', 'eof'].includes(after.kind)) this.fail(after.pos, `unexpected ${describe(after)} in operand`);
    }
    return cmd;
  }

  parseOperand(): Operand {
    const tk = this.next(false);
    let op: Operand;
    switch (tk.kind) {
      case 'field':
        op = { t: 'field', pos: tk.pos, names: [tk.value] };
        break;
      case 'var':
        if (!this.hasVar(tk.value)) this.fail(tk.pos, `undefined variable "${tk.value}"`);
        op = { t: 'var', pos: tk.pos, name: tk.value, names: [] };
        break;
      case 'ident':
        if (KEYWORDS.has(tk.value)) this.fail(tk.pos, `unexpected <${tk.value}> in command`);
        if (!(tk.value in BUILTINS)) this.fail(tk.pos, `function "${tk.value}" not defined`);
        op = { t: 'ident', pos: tk.pos, name: tk.value };
        break;
      case 'dot':
        op = { t: 'dot', pos: tk.pos };
        break;
      case 'string':
        op = { t: 'string', pos: tk.pos, value: tk.value, raw: this.text.slice(tk.pos, this.rawEnd(tk)) };
        break;
      case 'char':
        op = { t: 'number', pos: tk.pos, value: Number(tk.value), raw: this.text.slice(tk.pos, this.rawEnd(tk)) };
        break;
      case 'number': {
        const n = Number(tk.value.replace(/_/g, ''));
        if (Number.isNaN(n)) this.fail(tk.pos, `bad number syntax: "${tk.value}"`);
        op = { t: 'number', pos: tk.pos, value: n, raw: tk.value };
        break;
      }
      case 'bool':
        op = { t: 'bool', pos: tk.pos, value: tk.value === 'true' };
        break;
      case 'nil':
        op = { t: 'nil', pos: tk.pos };
        break;
      case 'lparen':
        op = { t: 'pipe', pos: tk.pos, pipe: this.parsePipeline('paren', false) };
        break;
      default:
        this.fail(tk.pos, `unexpected ${describe(tk)} in operand`);
    }
    // .A.B on a variable or a parenthesised pipeline
    while (this.peek(false).kind === 'field') {
      const f = this.next(false);
      if (op.t === 'field' || op.t === 'var') op.names.push(f.value);
      else if (op.t === 'pipe') op = { t: 'chain', pos: op.pos, base: op, names: [f.value] };
      else if (op.t === 'chain') op.names.push(f.value);
      else this.fail(f.pos, `unexpected . after term "${operandString(op)}"`);
    }
    return op;
  }

  private rawEnd(_tk: Token): number {
    const nextTok = this.toks[this.i];
    return nextTok ? nextTok.pos : this.text.length;
  }
}

function describe(tk: Token): string {
  switch (tk.kind) {
    case 'close':
      return '"}}"';
    case 'eof':
      return 'EOF';
    case 'rparen':
      return '")"';
    case 'lparen':
      return '"("';
    case 'string':
      return `quoted string`;
    default:
      return `"${tk.value}"`;
  }
}

function operandString(op: Operand): string {
  switch (op.t) {
    case 'field':
      return op.names.map((n) => `.${n}`).join('');
    case 'var':
      return op.name + op.names.map((n) => `.${n}`).join('');
    case 'chain':
      return operandString(op.base) + op.names.map((n) => `.${n}`).join('');
    case 'ident':
      return op.name;
    case 'dot':
      return '.';
    case 'string':
    case 'number':
      return op.raw.trim();
    case 'bool':
      return String(op.value);
    case 'nil':
      return 'nil';
    case 'pipe':
      return `(${pipelineString(op.pipe)})`;
  }
}

function commandString(c: Command): string {
  return c.args.map(operandString).join(' ');
}

function pipelineString(p: Pipeline): string {
  const decl = p.decl.length ? `${p.decl.join(', ')} ${p.assign ? '=' : ':='} ` : '';
  return decl + p.cmds.map(commandString).join(' | ');
}

// ------------------------------------------------------------------------------------------------ values

/** Go's type name of a value, for error messages. */
export function goTypeName(v: unknown): string {
  if (v === null) return 'nil';
  if (v === undefined) return 'invalid';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (Array.isArray(v)) return v.every((x) => typeof x === 'string') ? '[]string' : '[]interface {}';
  if (v instanceof GoMap) return 'map[string]string';
  if (typeof v === 'function') return 'func';
  if (typeof v === 'object') return (v as Record<symbol, string>)[GO_TYPE] ?? 'struct';
  return typeof v;
}

function isStruct(v: unknown): v is Record<string | symbol, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoMap);
}

/** Go's fmt %v of a value. */
export function goPrint(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goPrintInner).join(' ')}]`;
  if (v instanceof GoMap) return `map[${Object.keys(v.entries).sort().map((k) => `${k}:${goPrintInner(v.entries[k])}`).join(' ')}]`;
  if (isStruct(v)) return `{${Object.keys(v).filter((k) => typeof v[k] !== 'function').map((k) => goPrintInner(v[k])).join(' ')}}`;
  return String(v);
}

function goPrintInner(v: unknown): string {
  return v === undefined ? '<nil>' : goPrint(v);
}

function formatFloat(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  // Go's %v for float64: shortest representation, exponent form below 1e-4 or from 1e21
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    const [m, e] = n.toExponential().split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}

/** Go's json.Marshal with HTML escaping off (docker's `json` function). */
export function goJson(v: unknown): string {
  return marshal(v, false);
}

/**
 * encoding/json's output: struct fields in order, map keys sorted, U+2028/2029 escaped; a struct with its own
 * MarshalJSON is marshalled with json.Marshal, which escapes <, > and & whatever the outer encoder says.
 */
function marshal(v: unknown, escapeHTML: boolean): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') {
    let s = JSON.stringify(v).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
    if (escapeHTML) s = s.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
    return s;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return (v as unknown as Record<symbol, unknown>)[NIL] ? 'null' : `[${v.map((x) => marshal(x, escapeHTML)).join(',')}]`;
  const obj = (keys: string[], get: (k: string) => unknown) => `{${keys.map((k) => `${marshal(k, escapeHTML)}:${marshal(get(k), escapeHTML)}`).join(',')}}`;
  if (v instanceof GoMap) return obj(Object.keys(v.entries).sort(), (k) => v.entries[k]);
  if (isStruct(v)) {
    const own = v[GO_JSON];
    if (typeof own === 'function') return marshal((own as () => unknown).call(v), true);
    return obj(Object.keys(v).filter((k) => typeof v[k] !== 'function'), (k) => v[k]);
  }
  return JSON.stringify(v) ?? 'null';
}

/** Go's truth: zero values (and empty collections) are false; structs are true. */
function truth(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoMap) return Object.keys(v.entries).length > 0;
  return true;
}

// ------------------------------------------------------------------------------------------------ functions

class FnError extends Error {}

function wantString(v: unknown): string {
  if (typeof v !== 'string') throw new FnError(`wrong type for value; expected string; got ${goTypeName(v)}`);
  return v;
}
function wantInt(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new FnError(`wrong type for value; expected int; got ${goTypeName(v)}`);
  return v;
}
function wantStrings(v: unknown): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new FnError(`wrong type for value; expected []string; got ${goTypeName(v)}`);
  return v;
}

function compareBasic(a: unknown, b: unknown, op: string): boolean {
  const kind = (x: unknown) => (typeof x === 'number' ? 'number' : typeof x === 'string' ? 'string' : typeof x === 'boolean' ? 'bool' : 'other');
  if (kind(a) === 'other' || kind(b) === 'other') {
    if (op === 'eq' && (a === null || b === null)) return a === b;
    throw new FnError(`invalid type for comparison`);
  }
  if (kind(a) !== kind(b)) throw new FnError('incompatible types for comparison');
  if (kind(a) === 'bool' && op !== 'eq') throw new FnError('invalid type for comparison');
  const x = a as number | string;
  const y = b as number | string;
  switch (op) {
    case 'eq':
      return x === y;
    case 'lt':
      return x < y;
    default:
      return false;
  }
}

/** Go's fmt.Sprint: a space between operands when neither is a string. */
function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += goPrint(a);
  });
  return out;
}

/** Go's fmt.Sprintf for the verbs templates use: %v %s %d %q %t %f %x %X %c %%, with flags and width. */
export function sprintf(format: string, args: unknown[]): string {
  let ai = 0;
  return format.replace(/%([-+# 0]*)(\d+|\*)?(?:\.(\d+))?([a-zA-Z%])/g, (whole, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (ai >= args.length) return `%!${verb}(MISSING)`;
    const a = args[ai++];
    let s: string;
    switch (verb) {
      case 'v':
        s = flags.includes('+') && isStruct(a) ? `{${Object.keys(a).filter((k) => typeof a[k] !== 'function').map((k) => `${k}:${goPrintInner(a[k])}`).join(' ')}}` : goPrint(a);
        break;
      case 's':
        s = typeof a === 'string' || Array.isArray(a) ? goPrint(a) : `%!s(${goTypeName(a)}=${goPrint(a)})`;
        if (prec !== undefined && typeof a === 'string') s = [...s].slice(0, Number(prec)).join('');
        break;
      case 'q':
        s = typeof a === 'string' ? JSON.stringify(a) : `%!q(${goTypeName(a)}=${goPrint(a)})`;
        break;
      case 'd':
        s = typeof a === 'number' && Number.isInteger(a) ? (flags.includes('+') && a >= 0 ? '+' : '') + String(a) : `%!d(${goTypeName(a)}=${goPrint(a)})`;
        break;
      case 'f':
      case 'F':
        s = typeof a === 'number' ? a.toFixed(prec === undefined ? 6 : Number(prec)) : `%!f(${goTypeName(a)}=${goPrint(a)})`;
        break;
      case 't':
        s = typeof a === 'boolean' ? String(a) : `%!t(${goTypeName(a)}=${goPrint(a)})`;
        break;
      case 'x':
      case 'X': {
        const hex = typeof a === 'number' ? a.toString(16) : typeof a === 'string' ? Buffer.from(a, 'utf8').toString('hex') : goPrint(a);
        s = verb === 'X' ? hex.toUpperCase() : hex;
        break;
      }
      case 'c':
        s = typeof a === 'number' ? String.fromCodePoint(a) : `%!c(${goTypeName(a)}=${goPrint(a)})`;
        break;
      default:
        return `%!${verb}(${goTypeName(a)}=${goPrint(a)})`;
    }
    const w = width === undefined ? 0 : Number(width);
    const len = [...s].length;
    if (len < w) {
      const pad = (flags.includes('0') && !flags.includes('-') && verb !== 's' ? '0' : ' ').repeat(w - len);
      s = flags.includes('-') ? s + pad : pad === '' ? s : s.startsWith('-') && pad[0] === '0' ? `-${pad}${s.slice(1)}` : pad + s;
    }
    void whole;
    return s;
  }) + (ai < args.length ? `%!(EXTRA ${args.slice(ai).map((a) => `${goTypeName(a)}=${goPrint(a)}`).join(', ')})` : '');
}

type Fn = (...args: unknown[]) => unknown;

/** Fixed-arity functions check their argument count as Go's reflection call does. */
const ARITY: Record<string, number> = { not: 1, len: 1, html: -1, js: -1, urlquery: -1, json: 1, split: 2, join: 2, title: 1, lower: 1, upper: 1, pad: 3, truncate: 2 };

const BUILTINS: Record<string, Fn> = {
  and: (...a) => a.find((x) => !truth(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truth(x)) ?? a[a.length - 1],
  not: (a) => !truth(a),
  len: (a) => {
    if (typeof a === 'string') return Buffer.byteLength(a, 'utf8');
    if (Array.isArray(a)) return a.length;
    if (a instanceof GoMap) return Object.keys(a.entries).length;
    throw new FnError(`len of type ${goTypeName(a)}`);
  },
  index: (item, ...keys) => {
    let v = item;
    for (const k of keys) {
      if (Array.isArray(v) || typeof v === 'string') {
        const n = wantInt(k);
        const len = typeof v === 'string' ? Buffer.byteLength(v) : v.length;
        if (n < 0 || n >= len) throw new FnError(`index out of range: ${n}`);
        v = typeof v === 'string' ? Buffer.from(v)[n] : v[n];
      } else if (v instanceof GoMap) {
        v = v.entries[wantString(k)];
        if (v === undefined) v = '';
      } else if (v === null || v === undefined) throw new FnError('index of untyped nil');
      else throw new FnError(`can't index item of type ${goTypeName(v)}`);
    }
    return v;
  },
  slice: (item, ...idx) => {
    const n = idx.map(wantInt);
    if (typeof item === 'string') return item.slice(n[0] ?? 0, n[1] ?? item.length);
    if (Array.isArray(item)) return item.slice(n[0] ?? 0, n[1] ?? item.length);
    throw new FnError(`can't slice item of type ${goTypeName(item)}`);
  },
  print: (...a) => sprint(a),
  println: (...a) => `${a.map(goPrint).join(' ')}\n`,
  printf: (f, ...a) => sprintf(wantString(f), a),
  eq: (a, ...b) => {
    if (!b.length) throw new FnError('missing argument for comparison');
    return b.some((x) => compareBasic(a, x, 'eq'));
  },
  ne: (a, b) => !compareBasic(a, b, 'eq'),
  lt: (a, b) => compareBasic(a, b, 'lt'),
  le: (a, b) => compareBasic(a, b, 'lt') || compareBasic(a, b, 'eq'),
  gt: (a, b) => !(compareBasic(a, b, 'lt') || compareBasic(a, b, 'eq')),
  ge: (a, b) => !compareBasic(a, b, 'lt'),
  html: (...a) => sprint(a).replace(/[&<>"'\0]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;', '\0': '\uFFFD' })[c]!),
  js: (...a) => sprint(a).replace(/[\\'"<>&=\n\r\t]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!),
  urlquery: (...a) => encodeURIComponent(sprint(a)).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  call: (f, ...a) => {
    if (typeof f !== 'function') throw new FnError(`non-function of type ${goTypeName(f)}`);
    return (f as Fn)(...a);
  },
  // docker's functions (docker/cli templates package)
  json: (v) => goJson(v),
  split: (s, sep) => {
    const str = wantString(s);
    const p = wantString(sep);
    return p === '' ? [...str] : str.split(p);
  },
  join: (a, sep) => wantStrings(a).join(wantString(sep)),
  // Go's strings.Title: the first letter of every word (after a non-letter/digit) upper-cased
  title: (s) => wantString(s).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, pre: string, c: string) => pre + c.toUpperCase()),
  lower: (s) => wantString(s).toLowerCase(),
  upper: (s) => wantString(s).toUpperCase(),
  pad: (s, pre, post) => {
    const str = wantString(s);
    return str === '' ? '' : ' '.repeat(wantInt(pre)) + str + ' '.repeat(wantInt(post));
  },
  // byte length, as Go slices the string
  truncate: (s, n) => {
    const str = wantString(s);
    const len = wantInt(n);
    const bytes = Buffer.from(str, 'utf8');
    return bytes.length < len ? str : bytes.subarray(0, len).toString('utf8');
  },
};

/** docker's header functions: a table header keeps the column's name through json/lower/join/... */
const HEADER_OVERRIDES: Record<string, Fn> = {
  json: (v) => v,
  split: (v) => v,
  join: (v) => v,
  title: (v) => v,
  lower: (v) => v,
  upper: (v) => v,
  truncate: (v) => v,
};

// ------------------------------------------------------------------------------------------------ execution

class ExecError extends Error {}
const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

interface ExecOptions {
  readonly header?: boolean;
}

class Exec {
  private out = '';
  private scopes: Map<string, unknown>[] = [];
  private readonly fns: Record<string, Fn>;
  constructor(private readonly text: string, root: unknown, opts: ExecOptions) {
    this.scopes.push(new Map([['$', root]]));
    this.fns = opts.header ? { ...BUILTINS, ...HEADER_OVERRIDES } : BUILTINS;
  }

  result(): string {
    return this.out;
  }

  fail(pos: number, context: string, msg: string): never {
    const before = this.text.slice(0, pos);
    const nl = before.lastIndexOf('\n');
    const col = nl < 0 ? pos : pos - nl - 1;
    const ctx = context.length > 20 ? `${context.slice(0, 20)}...` : context;
    throw new ExecError(`template: :${lineOf(this.text, pos)}:${col}: executing "" at <${ctx}>: ${msg}`);
  }

  run(nodes: Node[], dot: unknown): void | typeof BREAK | typeof CONTINUE {
    for (const n of nodes) {
      switch (n.t) {
        case 'text':
          this.out += n.text;
          break;
        case 'action': {
          const v = this.pipeline(n.pipe, dot);
          if (!n.pipe.decl.length) this.out += this.printable(v, n.pipe);
          break;
        }
        case 'break':
          return BREAK;
        case 'continue':
          return CONTINUE;
        case 'if':
        case 'with': {
          this.scopes.push(new Map());
          try {
            const v = this.pipeline(n.pipe, dot);
            const r = truth(v) ? this.run(n.list, n.t === 'with' ? v : dot) : n.elseList ? this.run(n.elseList, dot) : undefined;
            if (r) return r;
          } finally {
            this.scopes.pop();
          }
          break;
        }
        case 'range': {
          this.scopes.push(new Map());
          try {
            const decl = n.pipe.decl;
            const v = this.pipeline({ ...n.pipe, decl: [] }, dot);
            let items: [unknown, unknown][];
            if (Array.isArray(v)) items = v.map((x, i) => [i, x]);
            else if (v instanceof GoMap) items = Object.keys(v.entries).sort().map((k) => [k, v.entries[k]]);
            else if (typeof v === 'number' && Number.isInteger(v)) items = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
            else if (v === null || v === undefined) items = [];
            else this.fail(n.pipe.pos, pipelineString(n.pipe), `range can't iterate over ${goPrint(v)}`);
            if (!items.length) {
              if (n.elseList) {
                const r = this.run(n.elseList, dot);
                if (r) return r;
              }
              break;
            }
            for (const [k, x] of items) {
              const scope = this.scopes[this.scopes.length - 1];
              if (decl.length === 1) scope.set(decl[0], x);
              if (decl.length === 2) {
                scope.set(decl[0], k);
                scope.set(decl[1], x);
              }
              const r = this.run(n.list, x);
              if (r === BREAK) break;
            }
          } finally {
            this.scopes.pop();
          }
          break;
        }
      }
    }
    return undefined;
  }

  printable(v: unknown, p: Pipeline): string {
    if (typeof v === 'function') this.fail(p.pos, pipelineString(p), "can't print a function");
    return goPrint(v);
  }

  lookupVar(name: string): unknown {
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i].has(name)) return this.scopes[i].get(name);
    return undefined;
  }

  setVar(name: string, v: unknown, assign: boolean): void {
    if (assign) {
      for (let i = this.scopes.length - 1; i >= 0; i--) {
        if (this.scopes[i].has(name)) {
          this.scopes[i].set(name, v);
          return;
        }
      }
    }
    this.scopes[this.scopes.length - 1].set(name, v);
  }

  pipeline(p: Pipeline, dot: unknown): unknown {
    let v: unknown = NO_FINAL;
    for (const c of p.cmds) v = this.command(c, dot, v);
    for (const d of p.decl) this.setVar(d, v, p.assign);
    return v;
  }

  command(c: Command, dot: unknown, final: unknown): unknown {
    const [first, ...rest] = c.args;
    if (first.t === 'ident') return this.callFunction(first.name, c, dot, rest, final);
    if (first.t === 'field') return this.fieldChain(dot, dot, first.names, first, c, rest, final);
    if (first.t === 'var') {
      const base = this.lookupVar(first.name);
      if (!first.names.length) {
        this.noArgs(c, rest, final);
        return base;
      }
      return this.fieldChain(dot, base, first.names, first, c, rest, final);
    }
    if (first.t === 'chain') {
      const base = this.pipeline(first.base.t === 'pipe' ? first.base.pipe : { pos: first.pos, decl: [], assign: false, cmds: [] }, dot);
      return this.fieldChain(dot, base, first.names, first, c, rest, final);
    }
    this.noArgs(c, rest, final);
    return this.operand(first, dot);
  }

  noArgs(c: Command, rest: Operand[], final: unknown): void {
    if (rest.length || final !== NO_FINAL) this.fail(c.pos, operandString(c.args[0]), `can't give argument to non-function ${operandString(c.args[0])}`);
  }

  operand(op: Operand, dot: unknown): unknown {
    switch (op.t) {
      case 'dot':
        return dot;
      case 'string':
        return op.value;
      case 'number':
        return op.value;
      case 'bool':
        return op.value;
      case 'nil':
        return null;
      case 'var':
        return op.names.length ? this.fieldChain(dot, this.lookupVar(op.name), op.names, op, undefined, [], NO_FINAL) : this.lookupVar(op.name);
      case 'field':
        return this.fieldChain(dot, dot, op.names, op, undefined, [], NO_FINAL);
      case 'chain':
        return this.fieldChain(dot, this.operand(op.base, dot), op.names, op, undefined, [], NO_FINAL);
      case 'pipe':
        return this.pipeline(op.pipe, dot);
      case 'ident':
        return this.callFunction(op.name, { pos: op.pos, args: [op] }, dot, [], NO_FINAL);
    }
  }

  fieldChain(dot: unknown, receiver: unknown, names: string[], node: Operand, c: Command | undefined, rest: Operand[], final: unknown): unknown {
    let v = receiver;
    const ctx = operandString(node);
    for (let i = 0; i < names.length; i++) {
      const last = i === names.length - 1;
      v = this.field(dot, v, names[i], node.pos, ctx, last ? rest : [], last ? final : NO_FINAL);
    }
    void c;
    return v;
  }

  field(dot: unknown, receiver: unknown, name: string, pos: number, ctx: string, args: Operand[], final: unknown): unknown {
    const hasArgs = args.length > 0 || final !== NO_FINAL;
    if (receiver === undefined) return undefined;
    if (receiver === null) this.fail(pos, ctx, `nil pointer evaluating interface {}.${name}`);
    if (receiver instanceof GoMap && Object.hasOwn(receiver.methods, name)) {
      const f = receiver.methods[name];
      const values = args.map((a) => this.operand(a, dot));
      if (final !== NO_FINAL) values.push(final);
      if (values.length !== f.length) this.fail(pos, ctx, `wrong number of args for ${name}: want ${f.length} got ${values.length}`);
      return f(...values);
    }
    if (receiver instanceof GoMap) {
      if (hasArgs) this.fail(pos, ctx, `${name} is not a method but has arguments`);
      return receiver.entries[name];
    }
    if (isStruct(receiver) && name in receiver) {
      const f = receiver[name];
      if (typeof f === 'function') {
        const values = args.map((a) => this.operand(a, dot));
        if (final !== NO_FINAL) values.push(final);
        if (values.length !== f.length) this.fail(pos, ctx, `wrong number of args for ${name}: want ${f.length} got ${values.length}`);
        try {
          return (f as Fn).apply(receiver, values);
        } catch (err) {
          this.fail(pos, ctx, `error calling ${name}: ${(err as Error).message}`);
        }
      }
      if (hasArgs) this.fail(pos, ctx, `${name} has arguments but cannot be invoked as function`);
      return f;
    }
    this.fail(pos, ctx, `can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  callFunction(name: string, c: Command, dot: unknown, rest: Operand[], final: unknown): unknown {
    const fn = this.fns[name];
    const ctx = commandString(c);
    // and/or evaluate lazily
    if (name === 'and' || name === 'or') {
      const all = [...rest];
      if (!all.length && final === NO_FINAL) this.fail(c.pos, ctx, `wrong number of args for ${name}: want at least 1 got 0`);
      let v: unknown;
      for (const a of all) {
        v = this.operand(a, dot);
        if (name === 'and' ? !truth(v) : truth(v)) return v;
      }
      if (final !== NO_FINAL) v = final;
      return v;
    }
    const values = rest.map((a) => this.argument(a, dot, name));
    if (final !== NO_FINAL) values.push(final);
    const arity = ARITY[name];
    if (arity !== undefined && arity >= 0 && values.length !== arity) this.fail(c.pos, ctx, `wrong number of args for ${name}: want ${arity} got ${values.length}`);
    try {
      return fn(...values);
    } catch (err) {
      if (err instanceof FnError && err.message.startsWith('wrong type for value')) {
        // Go reports the argument whose type is wrong
        const bad = rest.find((a, i) => values[i] !== undefined && isWrongType(name, i, values[i]));
        this.fail(bad?.pos ?? c.pos, bad ? operandString(bad) : ctx, err.message);
      }
      this.fail(c.pos, ctx, `error calling ${name}: ${(err as Error).message}`);
    }
  }

  argument(a: Operand, dot: unknown, _fn: string): unknown {
    return this.operand(a, dot);
  }
}

const NO_FINAL = Symbol('noFinal');

function isWrongType(fn: string, i: number, v: unknown): boolean {
  const types: Record<string, string[]> = { split: ['s', 's'], join: ['a', 's'], title: ['s'], lower: ['s'], upper: ['s'], pad: ['s', 'i', 'i'], truncate: ['s', 'i'], printf: ['s'] };
  const t = types[fn]?.[i];
  if (t === 's') return typeof v !== 'string';
  if (t === 'i') return typeof v !== 'number' || !Number.isInteger(v);
  if (t === 'a') return !Array.isArray(v);
  return false;
}

/** A parsed template. */
export class GoTemplate {
  private constructor(private readonly text: string, private readonly nodes: Node[]) {}

  /** Parse Go template text; a TemplateError with Go's message when it is malformed. */
  static parse(text: string): GoTemplate {
    const toks = lex(text);
    const parser = new Parser(toks, text);
    const { nodes } = parser.parseList([], 0);
    return new GoTemplate(text, nodes);
  }

  /** Run the template on data; a TemplateError with Go's message when execution fails. */
  execute(data: unknown, options: ExecOptions = {}): string {
    const ex = new Exec(this.text, data, options);
    try {
      ex.run(this.nodes, data);
    } catch (err) {
      if (err instanceof ExecError) throw Object.assign(new TemplateError(err.message), { partial: ex.result() });
      throw err;
    }
    return ex.result();
  }

  /**
   * docker's table header: the template run on the header map with header functions, an error ending it
   * where it occurred (docker ignores the error and keeps what was written).
   */
  executeHeader(header: unknown): string {
    const ex = new Exec(this.text, header, { header: true });
    try {
      ex.run(this.nodes, header);
    } catch (err) {
      if (!(err instanceof ExecError)) throw err;
    }
    return ex.result();
  }
}
