// `docker compose config` output. Apart from serialize.ts because of the YAML writer: config hashes need
// serialize.ts in every `up`, the YAML library only here.
import { Document, parse, visit } from 'yaml';
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
  // Quoting as Go's yaml.v3 quotes: a string that would read back as another type under YAML 1.1 ("y", "on",
  // "1", "1e3", "null") in double quotes; any other string that cannot be plain ("*.pyc", "@x", "a: b") in
  // single quotes, which is the emitter's next choice when a plain scalar is not allowed.
  const doc = new Document(configObject(project, 'yaml', escape), { version: '1.1' });
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && readsAsOtherType(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ indent: 2, lineWidth: 0, singleQuote: true });
}

function readsAsOtherType(s: string): boolean {
  if (s === '') return true;
  if (s.includes('\n')) return false;
  try {
    return typeof parse(s, { version: '1.1' }) !== 'string';
  } catch {
    return false;
  }
}
