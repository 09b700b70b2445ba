// Schema validation against the official compose-spec JSON schema (vendored in <root>/schema), with
// ajv's error list reduced to the one most specific problem, reported at its place in the files.

import type { ErrorObject } from 'ajv';
import { ConfigError, ErrorCodes, type SourcePosition } from '../model/errors.js';
// precompiled at build time by scripts/build-schema.mjs (ajv standalone code): nothing is compiled at run time
import validate from './generated/compose-schema.js';
import { formatKeyPath, type KeyPath } from './parse.js';

export interface Locator {
  /** Position of the value at path. */
  (path: KeyPath, key?: boolean): SourcePosition | undefined;
}

export function validateSchema(model: Record<string, unknown>, locate: Locator): void {
  if (validate(model)) return;
  const error = mostSpecific(validate.errors ?? []);
  if (!error) throw new ConfigError(ErrorCodes.SCHEMA, 'invalid compose file: fix it against the compose specification');
  const path = pointerToPath(error.instancePath);
  if (error.keyword === 'additionalProperties') {
    const extra = String((error.params as { additionalProperty: string }).additionalProperty);
    const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    const close = suggestion(extra, allowed);
    const hint = close ? `did you mean '${close}'?` : path.length === 0 ? 'remove it, or prefix it with x- to keep it as an extension' : 'remove it or fix its spelling';
    throw new ConfigError(ErrorCodes.SCHEMA, `additional property '${extra}' is not allowed: ${hint}`, {
      position: locate([...path, extra], true),
      keyPath: rootOr(path),
      service: serviceOf(path),
    });
  }
  throw new ConfigError(ErrorCodes.SCHEMA, describe(error), {
    position: locate(path),
    keyPath: rootOr(path),
    service: serviceOf(path),
  });
}

/** The key path, or `(root)` for the top level, as compose names it. */
function rootOr(path: KeyPath): string {
  return path.length ? formatKeyPath(path) : '(root)';
}

function serviceOf(path: KeyPath): string | undefined {
  return path[0] === 'services' && typeof path[1] === 'string' ? path[1] : undefined;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

// Among errors at the same depth, the earlier keyword is the more useful message.
// A value failing minimum/maximum/pattern/format already has the type those check, so a type error at the
// same place comes from another oneOf branch: the range or pattern error is the real one.
const KEYWORD_RANK = ['additionalProperties', 'required', 'minimum', 'maximum', 'pattern', 'format', 'type', 'enum', 'const'];

/** The deepest error wins (an unknown key counts one level below its object); combinators lose ties. */
function mostSpecific(errors: readonly ErrorObject[]): ErrorObject | undefined {
  const depth = (e: ErrorObject) => pointerToPath(e.instancePath).length + (e.keyword === 'additionalProperties' ? 1 : 0);
  const rank = (e: ErrorObject) => {
    const i = KEYWORD_RANK.indexOf(e.keyword);
    return i < 0 ? KEYWORD_RANK.length : i;
  };
  return [...errors].sort((a, b) => depth(b) - depth(a) || rank(a) - rank(b))[0];
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      const types = String(p.type).split(',');
      return `must be ${types.map((t) => (t === 'integer' ? 'an integer' : t === 'array' || t === 'object' ? `an ${t === 'array' ? 'array' : 'object'}` : `a ${t}`)).join(' or ')}: fix its value`;
    }
    case 'required':
      return `missing required property '${String(p.missingProperty)}': add it`;
    case 'minimum':
      return `must be greater than or equal to ${String(p.limit)}: fix its value`;
    case 'maximum':
      return `must be less than or equal to ${String(p.limit)}: fix its value`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}: fix its value`;
    default:
      return `${e.message ?? 'is invalid'}: fix it against the compose specification`;
  }
}

/** A known key within edit distance 2, for typos like `imagee`. */
function suggestion(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
