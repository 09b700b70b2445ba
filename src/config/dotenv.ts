// The .env / env_file dialect compose reads: KEY=VALUE (or KEY: VALUE) lines, an optional `export `
// prefix, `#` comments, single-quoted literals, double-quoted values with escapes that may span lines,
// and ${VAR} expansion in unquoted and double-quoted values. A bare `KEY` line inherits KEY from the
// lookup environment and is absent when the lookup does not have it.

import { ConfigError, ErrorCodes } from '../model/errors.js';
import { diskResources, type ResourceLoader } from './files.js';
import { substitute, TemplateError, type Lookup } from './template.js';

/** A .env problem; `line` is 1-based and counts physical lines. */
export class DotenvError extends Error {
  readonly line?: number;
  /** The file, once known: errors are raised while parsing text and given their file by parseDotenvTexts. */
  readonly file?: string;
  /** The message without file and line, for callers that report those as a position. */
  readonly reason: string;
  constructor(message: string, line?: number, file?: string) {
    super(`${file === undefined ? '' : `${file}: `}${line === undefined ? '' : `line ${line}: `}${message}`);
    this.line = line;
    this.file = file;
    this.reason = message;
  }
}

export interface DotenvOptions {
  /** The OS environment: consulted first when expanding ${VAR} and for bare KEY lines. */
  lookup?: Lookup;
  /** Values already known (earlier files); visible to expansion after the lookup. */
  vars?: Readonly<Record<string, string>>;
}

// Letters of any script, digits and the punctuation compose accepts in variable names.
const KEY_CHAR = /^[\p{L}\p{N}_.\-[\]]$/u;

export function parseDotenv(text: string, options: DotenvOptions = {}): Record<string, string> {
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const result: Record<string, string> = {};
  const lookup: Lookup = (name) => options.lookup?.(name) ?? result[name] ?? options.vars?.[name];
  // line numbers are counted from positions: a statement may start mid-line, after a quoted value
  const lineAt = (i: number) => countNewlines(src, 0, i) + 1;
  let pos = 0;
  while (pos < src.length) {
    const eol = indexOrEnd(src, '\n', pos);
    const raw = src.slice(pos, eol);
    const trimmed = raw.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) {
      pos = eol + 1;
      continue;
    }
    const startLine = lineAt(pos);
    let body = trimmed;
    const exported = /^export[ \t]+/.exec(body);
    if (exported) body = body.slice(exported[0].length);
    const bodyStart = eol - body.length;

    const sep = body.search(/[=:]/);
    if (sep < 0) {
      // bare KEY: inherit from the lookup, or stay absent
      const key = checkKey(body.trim(), body, startLine);
      const inherited = options.lookup?.(key);
      if (inherited !== undefined) result[key] = inherited;
      pos = eol + 1;
      continue;
    }
    const key = checkKey(body.slice(0, sep).trim(), body, startLine);
    let vstart = bodyStart + sep + 1;
    while (src[vstart] === ' ' || src[vstart] === '\t') vstart++;
    const quote = src[vstart];
    let value: string;
    let next: number;
    if (quote === '"' || quote === "'") {
      const close = closingQuote(src, vstart + 1, quote);
      // compose's message goes on with the value's text; not berth's: a value that never ends is often a
      // secret half pasted, and the message lands in terminals and CI logs. The key and the column say where.
      if (close < 0) {
        const column = vstart - src.lastIndexOf('\n', vstart - 1);
        throw new DotenvError(`unterminated quoted value of ${key}: the ${quote} at column ${column} is never closed (close it)`, startLine);
      }
      const inner = src.slice(vstart + 1, close);
      // a backslash escapes the quote in both kinds; single-quoted values keep every other backslash as is
      value = quote === "'" ? inner.replaceAll("\\'", "'") : expand(unescapeDouble(inner), lookup, startLine);
      // what follows the closing quote is read as the next statement, as compose's parser reads it: a
      // comment there is skipped, `A='x' B=y` sets B too, and `A='it''s'` fails on the key "'s'"
      next = close + 1;
    } else {
      let v = src.slice(vstart, eol);
      // only " #" starts an inline comment (a tab before # does not, in compose's parser)
      const comment = v.indexOf(' #');
      if (comment >= 0) v = v.slice(0, comment);
      value = expand(v.trimEnd(), lookup, startLine);
      next = eol + 1;
    }
    result[key] = value;
    pos = next;
  }
  return result;
}

function indexOrEnd(s: string, ch: string, from: number): number {
  const i = s.indexOf(ch, from);
  return i < 0 ? s.length : i;
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s[i] === '\n') n++;
  return n;
}

function checkKey(key: string, lineText: string, line: number): string {
  for (const ch of key) {
    if (/\s/.test(ch)) throw new DotenvError('key cannot contain a space', line);
    if (!KEY_CHAR.test(ch)) {
      throw new DotenvError(`unexpected character ${JSON.stringify(ch)} in variable name ${JSON.stringify(lineText.split('\n')[0])}`, line);
    }
  }
  return key;
}

function closingQuote(s: string, from: number, quote: string): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === quote) return i;
  }
  return -1;
}

const ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"',
};

/**
 * Resolves backslash escapes of a double-quoted value into a template: an escaped `\$` becomes `$$` so
 * that expansion keeps it literal. Unknown escapes (`\x`, `\u`, `\ `) are kept verbatim, as compose does.
 */
function unescapeDouble(inner: string): string {
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i];
    if (ch === '$') {
      out += '$';
      continue;
    }
    if (ch !== '\\' || i + 1 >= inner.length) {
      out += ch;
      continue;
    }
    const next = inner[i + 1];
    if (next === '$') {
      out += '$$';
      i++;
    } else if (next === '0') {
      // `\0` and up to three digits, read as Go's UnquoteChar reads `\NNN`: exactly three octal digits (at
      // most 377) make one character; any other form loses its 0 and keeps the rest (`\012` → `\12`), as
      // compose's parser does
      const digits = /^\d{0,3}/.exec(inner.slice(i + 2))![0];
      out += /^[0-7]{3}$/.test(digits) && parseInt(digits, 8) <= 255 ? String.fromCharCode(parseInt(digits, 8)) : `\\${digits}`;
      i += 1 + digits.length;
    } else if (next in ESCAPES) {
      out += ESCAPES[next];
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}

function expand(value: string, lookup: Lookup, line: number): string {
  try {
    return substitute(value, lookup);
  } catch (err) {
    if (err instanceof TemplateError) throw new DotenvError(err.message, line);
    throw err;
  }
}

/** Expands one raw value as the parser does (`vars` = values parsed so far, `lookup` = OS env). */
export function expandDotenvValue(value: string, vars: Readonly<Record<string, string>>, lookup?: Lookup): string {
  return substitute(value, (name) => lookup?.(name) ?? vars[name]);
}

/**
 * env_file `format: raw`: the `docker run --env-file` dialect. A line is KEY=VALUE taken as written (no
 * quotes, escapes or expansion; the value keeps its spaces), `#` starts a comment line only at the line's
 * start, a bare KEY inherits from the lookup environment, and a key may not contain white space.
 */
export function parseRawEnv(text: string, lookup?: Lookup): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((rawLine, i) => {
    const line = rawLine.trimStart();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (/\s/.test(key)) throw new DotenvError(`variable '${key}' contains whitespaces`, i + 1);
    if (key === '') throw new DotenvError(`no variable name on line '${line}'`, i + 1);
    if (eq >= 0) result[key] = line.slice(eq + 1);
    else {
      const inherited = lookup?.(key);
      if (inherited !== undefined) result[key] = inherited;
    }
  });
  return result;
}

/** The env_file formats: compose's own dialect (unset or empty) and `raw`. */
export const ENV_FILE_FORMATS = ['raw'] as const;

export interface DotenvFile {
  readonly file: string;
  /** undefined: compose's dialect; `raw`: see parseRawEnv. */
  readonly format?: string;
}

/**
 * Reads env files in order; later files win, and earlier values are visible to expansion in later
 * ones. Keys starting with a digit are dropped, as compose drops them when reading files.
 */
export function readDotenvFiles(
  files: readonly (string | DotenvFile)[],
  lookup?: Lookup,
  /** The load's resource loader; the disk itself only for callers outside a load (tests, tools). */
  resources: Pick<ResourceLoader, 'readText'> = diskResources,
): Record<string, string> {
  const texts = files.map((f) => {
    const { file, format } = typeof f === 'string' ? { file: f, format: undefined } : f;
    try {
      return { file, format, text: resources.readText(file) };
    } catch (err) {
      // a loop, a directory, invalid UTF-8: already one message naming the file (and the position)
      if (err instanceof ConfigError) throw err;
      throw new DotenvError(`cannot read env file ${file}: ${(err as Error).message}`);
    }
  });
  return parseDotenvTexts(texts, lookup);
}

/** readDotenvFiles on contents already in memory (file names are used in error messages). */
export function parseDotenvTexts(texts: readonly { file: string; text: string; format?: string }[], lookup?: Lookup): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { file, text, format } of texts) {
    let parsed: Record<string, string>;
    try {
      if (format === undefined || format === '') parsed = parseDotenv(text, { lookup, vars: env });
      else if (format === 'raw') parsed = parseRawEnv(text, (name) => lookup?.(name) ?? env[name]);
      else throw new DotenvError(`unsupported env_file format ${JSON.stringify(format)}: use ${ENV_FILE_FORMATS.map((f) => JSON.stringify(f)).join(', ')} or leave format out`);
    } catch (err) {
      if (err instanceof DotenvError) throw new DotenvError(err.reason, err.line, file);
      throw err;
    }
    for (const [k, v] of Object.entries(parsed)) if (!/^\d/.test(k)) env[k] = v;
  }
  return env;
}

/** A DotenvError as the one-line ConfigError every bad input gives, at file:line:1 when the line is known. */
export function envFileError(err: unknown, code: string = ErrorCodes.ENV_FILE_SYNTAX): unknown {
  if (!(err instanceof DotenvError)) return err;
  if (err.file !== undefined && err.line !== undefined) {
    return new ConfigError(code, `${err.reason}: fix the env file`, { position: { file: err.file, line: err.line, col: 1 }, cause: err });
  }
  return new ConfigError(code, `${err.message}: fix the env file`, { cause: err });
}

/** readDotenvFiles, its errors as ConfigError. */
export function readEnvFiles(files: Parameters<typeof readDotenvFiles>[0], lookup: Parameters<typeof readDotenvFiles>[1], resources: ResourceLoader): Record<string, string> {
  try {
    return readDotenvFiles(files, lookup, resources);
  } catch (err) {
    throw envFileError(err);
  }
}
