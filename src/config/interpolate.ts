// Interpolation of every string of a compose tree, then the type casts compose applies to the few
// fields whose YAML value may legitimately be a string only because it came from a variable
// (`replicas: ${N}`, `tty: ${TTY}`): the schema validates the casted value.

import { ConfigError, ErrorCodes, type SourcePosition } from '../model/errors.js';
import { BYTE_SIZE_HINT, parseByteSize } from '../model/units.js';
import { formatKeyPath, OverrideTag, ResetTag, type KeyPath } from './parse.js';
import { substitute, TemplateError, type Lookup } from './template.js';

export { substitute, TemplateError, type Lookup } from './template.js';

export type CastType = 'int' | 'float' | 'bool' | 'bytes' | 'mode';

/**
 * Paths (dot-separated, `*` = any one key or list index) whose string values are cast after
 * interpolation; the list follows the spec's typed fields that users commonly set from variables.
 */
export const COMPOSE_CASTS: Readonly<Record<string, CastType>> = {
  'services.*.configs.*.mode': 'mode',
  'services.*.secrets.*.mode': 'mode',
  'services.*.cpu_count': 'int',
  'services.*.cpu_percent': 'float',
  'services.*.cpu_period': 'int',
  'services.*.cpu_quota': 'int',
  'services.*.cpu_rt_period': 'int',
  'services.*.cpu_rt_runtime': 'int',
  'services.*.cpus': 'float',
  'services.*.cpu_shares': 'int',
  'services.*.init': 'bool',
  'services.*.deploy.replicas': 'int',
  'services.*.deploy.update_config.parallelism': 'int',
  'services.*.deploy.update_config.max_failure_ratio': 'float',
  'services.*.deploy.rollback_config.parallelism': 'int',
  'services.*.deploy.rollback_config.max_failure_ratio': 'float',
  'services.*.deploy.restart_policy.max_attempts': 'int',
  'services.*.deploy.placement.max_replicas_per_node': 'int',
  'services.*.healthcheck.retries': 'int',
  'services.*.healthcheck.disable': 'bool',
  'services.*.oom_kill_disable': 'bool',
  'services.*.oom_score_adj': 'int',
  'services.*.pids_limit': 'int',
  'services.*.ports.*.target': 'int',
  'services.*.privileged': 'bool',
  'services.*.read_only': 'bool',
  'services.*.scale': 'int',
  'services.*.stdin_open': 'bool',
  'services.*.tty': 'bool',
  'services.*.ulimits.*': 'int',
  'services.*.ulimits.*.hard': 'int',
  'services.*.ulimits.*.soft': 'int',
  'services.*.volumes.*.read_only': 'bool',
  'services.*.volumes.*.volume.nocopy': 'bool',
  'services.*.volumes.*.tmpfs.size': 'bytes',
  'services.*.depends_on.*.required': 'bool',
  'services.*.depends_on.*.restart': 'bool',
  'networks.*.external': 'bool',
  'networks.*.internal': 'bool',
  'networks.*.attachable': 'bool',
  'networks.*.enable_ipv6': 'bool',
  'volumes.*.external': 'bool',
  'secrets.*.external': 'bool',
  'configs.*.external': 'bool',
};

export interface InterpolateOptions {
  lookup: Lookup;
  /** Path patterns → cast; defaults to COMPOSE_CASTS. */
  casts?: Readonly<Record<string, CastType>>;
  /** Where a key path is in the source, for error messages. */
  positionOf?: (path: KeyPath) => SourcePosition | undefined;
  /** Collects variables that were used unset without a default. */
  onUnset?: (name: string) => void;
}

export function interpolateTree<T>(tree: T, options: InterpolateOptions): T {
  const casts = Object.entries(options.casts ?? COMPOSE_CASTS).map(([pattern, type], order) => ({ parts: pattern.split('.'), type, order }));
  // patterns by length, then by last segment: every string of the file asks, and most paths match no pattern
  // in length or in last key
  type Cast = (typeof casts)[number];
  const byLength = new Map<number, { byLast: Map<string, Cast[]>; anyLast: Cast[] }>();
  for (const c of casts) {
    let g = byLength.get(c.parts.length);
    if (!g) byLength.set(c.parts.length, (g = { byLast: new Map(), anyLast: [] }));
    const last = c.parts[c.parts.length - 1];
    if (last === '*') g.anyLast.push(c);
    else g.byLast.set(last, [...(g.byLast.get(last) ?? []), c]);
  }
  const fits = (c: Cast, path: KeyPath) => c.parts.every((p, i) => p === '*' || p === String(path[i]));
  const castFor = (path: KeyPath): CastType | undefined => {
    const g = byLength.get(path.length);
    if (!g) return undefined;
    // the first pattern in the table's order wins, as when they were tried in order
    let found: Cast | undefined;
    const byLast = g.byLast.get(String(path[path.length - 1]));
    if (byLast) for (const c of byLast) if (fits(c, path)) { found = c; break; }
    for (const c of g.anyLast) if ((!found || c.order < found.order) && fits(c, path)) { found = c; break; }
    return found?.type;
  };

  const substituteOptions = { onUnset: options.onUnset };
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === 'string') {
      let out: string;
      try {
        out = substitute(value, options.lookup, substituteOptions);
      } catch (err) {
        if (err instanceof TemplateError) throw toConfigError(err, path, options);
        throw err;
      }
      const cast = castFor(path);
      return cast ? castValue(out, cast, path, options) : out;
    }
    // numbers, booleans and null (most of what is not a string) before the class checks
    if (value === null || typeof value !== 'object') return value;
    if (value instanceof OverrideTag) return new OverrideTag(walk(value.value, path));
    if (value instanceof ResetTag) return value;
    // one path stack for the whole walk: errors copy it (formatKeyPath, positionOf) before it changes.
    // Collections are copied only where something in them changed: in a large file most strings have no `$`,
    // and copying every node was most of this stage's time and garbage. Nothing mutates the trees given here
    // (merge copies what it changes, and unicity copies the whole model).
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        path.push(i);
        const r = walk(v, path);
        path.pop();
        if (out) out.push(r);
        else if (r !== v && !(Number.isNaN(r) && Number.isNaN(v))) {
          out = value.slice(0, i);
          out.push(r);
        }
      }
      return out ?? value;
    }
    if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value);
      const src = value as Record<string, unknown>;
      let out: Record<string, unknown> | undefined;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        const v = src[k];
        path.push(k);
        const r = walk(v, path);
        path.pop();
        if (out) out[k] = r;
        else if (r !== v && !(Number.isNaN(r) && Number.isNaN(v))) {
          out = {};
          for (let j = 0; j < i; j++) out[keys[j]] = src[keys[j]];
          out[k] = r;
        }
      }
      return out ?? value;
    }
    return value;
  };
  return walk(tree, []) as T;
}

function toConfigError(err: TemplateError, path: KeyPath, options: InterpolateOptions): ConfigError {
  const keyPath = formatKeyPath(path);
  const position = options.positionOf?.(path);
  if (err.kind === 'missing_required') {
    return new ConfigError(ErrorCodes.MISSING_REQUIRED_VARIABLE, err.message, { position, keyPath, cause: err });
  }
  return new ConfigError(ErrorCodes.INTERPOLATION, `invalid interpolation format: ${err.message}`, { position, keyPath, cause: err });
}

const TRUE = new Set(['y', 'yes', 'true', 'on']);
const FALSE = new Set(['n', 'no', 'false', 'off']);

function castValue(value: string, type: CastType, path: KeyPath, options: InterpolateOptions): unknown {
  const fail = (what: string, hint = 'set a valid value') =>
    new ConfigError(ErrorCodes.SCHEMA, `${JSON.stringify(value)} is not ${what}: ${hint}`, {
      position: options.positionOf?.(path),
      keyPath: formatKeyPath(path),
    });
  switch (type) {
    case 'int':
      if (!/^[-+]?\d+$/.test(value.trim())) throw fail('an integer');
      return Number(value.trim());
    case 'float': {
      const n = Number(value.trim());
      if (value.trim() === '' || Number.isNaN(n)) throw fail('a number');
      return n;
    }
    case 'bool': {
      const v = value.trim().toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      throw fail('a boolean');
    }
    case 'mode':
      // file modes written as strings are octal, as compose reads them ("0440", "555")
      if (!/^[0-7]+$/.test(value.trim())) throw fail('an octal file mode');
      return parseInt(value.trim(), 8);
    case 'bytes':
      try {
        return parseByteSize(value);
      } catch {
        throw fail('a byte size', BYTE_SIZE_HINT);
      }
  }
}
