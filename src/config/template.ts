// Variable substitution in one string, with compose's rules: $VAR, ${VAR}, ${VAR:-d}, ${VAR-d},
// ${VAR:?msg}, ${VAR?msg}, ${VAR:+alt}, ${VAR+alt}, defaults nested to any depth, `$$` for a literal `$`.
// Shared by the compose-file interpolation and the .env parser, which use the same template dialect.

export type Lookup = (name: string) => string | undefined;

/** A template problem, before the caller knows which file and key it came from. */
export class TemplateError extends Error {
  readonly kind: 'invalid_template' | 'missing_required';
  readonly variable?: string;
  readonly reason?: string;
  constructor(kind: 'invalid_template' | 'missing_required', message: string, variable?: string, reason?: string) {
    super(message);
    this.kind = kind;
    this.variable = variable;
    this.reason = reason;
  }
}

export interface SubstituteOptions {
  /** Called for each variable used without a default that is not set (compose warns about these). */
  onUnset?: (name: string) => void;
}

const NAME_START = /[A-Za-z_]/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
// Two-character operators must be tried before their one-character suffixes.
const OPERATORS = [':-', ':?', ':+', '-', '?', '+'] as const;

export function substitute(template: string, lookup: Lookup, options: SubstituteOptions = {}): string {
  // most strings of a compose file have no `$`: returned as they are, not rebuilt a character at a time
  if (!template.includes('$')) return template;
  let out = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i];
    if (ch !== '$') {
      const dollar = template.indexOf('$', i);
      const end = dollar < 0 ? template.length : dollar;
      out += template.slice(i, end);
      i = end;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(template, i + 2);
      if (end < 0) throw invalidTemplate(template);
      out += evalBraced(template.slice(i + 2, end), template, lookup, options);
      i = end + 1;
    } else if (next !== undefined && NAME_START.test(next)) {
      const name = NAME.exec(template.slice(i + 1))![0];
      const value = lookup(name);
      if (value === undefined) options.onUnset?.(name);
      out += value ?? '';
      i += 1 + name.length;
    } else {
      // a lone `$` (end of string, `$}`, `$ `) is literal, as in compose
      out += '$';
      i++;
    }
  }
  return out;
}

/** Index of the `}` closing a `${` whose body starts at `from`; braces inside defaults nest. */
function closingBrace(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function evalBraced(body: string, template: string, lookup: Lookup, options: SubstituteOptions): string {
  const m = NAME.exec(body);
  if (!m) throw invalidTemplate(template);
  const name = m[0];
  const rest = body.slice(name.length);
  const value = lookup(name);
  if (rest === '') {
    if (value === undefined) options.onUnset?.(name);
    return value ?? '';
  }
  const op = OPERATORS.find((o) => rest.startsWith(o));
  if (!op) throw invalidTemplate(template);
  // the argument is itself a template, evaluated only when it is used
  const arg = () => substitute(rest.slice(op.length), lookup, options);
  const set = value !== undefined;
  const nonEmpty = set && value !== '';
  switch (op) {
    case ':-':
      return nonEmpty ? value : arg();
    case '-':
      return set ? value : arg();
    case ':+':
      return nonEmpty ? arg() : '';
    case '+':
      return set ? arg() : '';
    case ':?':
    case '?': {
      if (op === ':?' ? nonEmpty : set) return value!;
      const reason = arg();
      const message = reason
        ? `required variable ${name} is missing a value: ${reason}`
        : `required variable ${name} is missing a value: set ${name} in the environment or .env`;
      throw new TemplateError('missing_required', message, name, reason);
    }
  }
}

function invalidTemplate(template: string): TemplateError {
  return new TemplateError(
    'invalid_template',
    `Invalid template: ${JSON.stringify(template)}: escape a literal $ as $$`,
  );
}

/** The operator of a `${...}` body: the earliest one after the variable name (`VAR?a:-b` → `?`). */
export function braceOperator(body: string): (typeof OPERATORS)[number] | undefined {
  const m = NAME.exec(body);
  const rest = m ? body.slice(m[0].length) : body;
  return OPERATORS.find((o) => rest.startsWith(o));
}

export interface VariableUse {
  name: string;
  default_value: string;
  presence_value: string;
  required: boolean;
}

/** Variables a tree refers to (`config --variables`), with their default, presence value and requiredness. */
export function extractVariables(tree: unknown, out: Record<string, VariableUse> = {}): Record<string, VariableUse> {
  if (typeof tree === 'string') scanVariables(tree, out);
  else if (Array.isArray(tree)) for (const v of tree) extractVariables(v, out);
  else if (tree !== null && typeof tree === 'object') for (const [k, v] of Object.entries(tree)) {
    scanVariables(k, out);
    extractVariables(v, out);
  }
  return out;
}

function scanVariables(s: string, out: Record<string, VariableUse>): void {
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '$') continue;
    const next = s[i + 1];
    if (next === '$') {
      i++;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(s, i + 2);
      if (end < 0) return;
      const body = s.slice(i + 2, end);
      const m = NAME.exec(body);
      if (m) {
        const op = braceOperator(body);
        const arg = op ? body.slice(m[0].length + op.length) : '';
        const use: VariableUse = { name: m[0], default_value: '', presence_value: '', required: false };
        if (op === ':-' || op === '-') use.default_value = arg;
        else if (op === ':+' || op === '+') use.presence_value = arg;
        else if (op === ':?' || op === '?') use.required = true;
        out[m[0]] = use;
        if (arg) scanVariables(arg, out);
      }
      i = end;
    } else if (next !== undefined && NAME_START.test(next)) {
      const name = NAME.exec(s.slice(i + 1))![0];
      out[name] ??= { name, default_value: '', presence_value: '', required: false };
      i += name.length;
    }
  }
}
