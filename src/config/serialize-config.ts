// `docker compose config` output. Apart from serialize.ts because of the YAML writer: config hashes need
// serialize.ts in every `up`, the YAML library only here.
import { Document, visit } from 'yaml';
import type { Project } from '../model/types.js';
import { configObject, type Format } from './serialize.js';

/** `escape: false` (with --no-interpolate) prints `${VAR}` as written instead of `$${VAR}`. */
export function serializeConfig(project: Project, format: Format, options: { escape?: boolean } = {}): string {
  const escape = options.escape !== false;
  if (format === 'json') {
    // Go's encoder escapes these HTML-sensitive characters; same JSON value, same bytes as compose
    return JSON.stringify(configObject(project, 'json', escape), null, 2)
      .replaceAll('&', '\\u0026')
      .replaceAll('<', '\\u003c')
      .replaceAll('>', '\\u003e');
  }
  // Quoting as Go's yaml.v3 quotes: a string that would read back as another type ("y", "on", "1", "1e3",
  // "null", a date, or empty) in double quotes; any other string that cannot be plain ("*.pyc", "@x", "a: b")
  // in single quotes, the emitter's next choice. The writer runs with the YAML 1.2 core schema so that it
  // quotes for type reasons only strings that Go quotes too ("." stays plain; YAML 1.1's reading of it as a
  // number is not Go's).
  const doc = new Document(configObject(project, 'yaml', escape));
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && (readsAsOtherType(node.value) || NOT_PRINTABLE.test(node.value))) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ indent: 2, lineWidth: 0, singleQuote: true });
}

// outside YAML's printable set (a tab, control characters, a BOM): only double quotes can escape them
const NOT_PRINTABLE = /[^\n\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]|\uFEFF/u;
const GO_NULL = new Set(['', '~', 'null', 'Null', 'NULL']);
// yaml.v3 quotes YAML 1.1 booleans too, so that older readers do not take them for booleans
const GO_BOOL = new Set(['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF']);
const GO_INT = /^[-+]?(?:0[bB][01]+|0[oO]?[0-7]+|0[xX][0-9a-fA-F]+|[0-9]+)$/;
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const GO_SPECIAL_FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const GO_BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const GO_TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?)?)?$/;

/** A string that Go's yaml.v3 would resolve to another type if printed plain (its resolve(), plus old booleans). */
function readsAsOtherType(s: string): boolean {
  if (GO_NULL.has(s) || GO_BOOL.has(s)) return true;
  if (s.includes('\n')) return false;
  const plain = s.replaceAll('_', '');
  return GO_INT.test(plain) || GO_FLOAT.test(plain) || GO_SPECIAL_FLOAT.test(s) || GO_BASE60.test(s) || GO_TIMESTAMP.test(s);
}
