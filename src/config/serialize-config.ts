// `docker compose config` output. Apart from serialize.ts because of the YAML writer: config hashes need
// serialize.ts in every `up`, the YAML library only here.
import { stringify } from 'yaml';
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
  // YAML 1.1 quoting makes "y", "on", "no"... quoted strings, as Go's yaml.v3 writes them
  return stringify(configObject(project, 'yaml', escape), { indent: 2, lineWidth: 0, version: '1.1' });
}
