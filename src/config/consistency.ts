// Cross-references the schema cannot check: depends_on targets, network and volume references, cycles.

import { ConfigError, ErrorCodes } from '../model/errors.js';
import { formatKeyPath, type KeyPath } from './parse.js';
import { isMap } from './merge.js';
import type { Locator } from './validate.js';

type Tree = Record<string, unknown>;

export interface ConsistencyInput {
  /** Enabled services, canonical form. */
  services: Record<string, Tree>;
  /** Services disabled by profiles: they exist, so depending on them is not "undefined". */
  disabled: Record<string, unknown>;
  networks: Record<string, unknown>;
  volumes: Record<string, unknown>;
  secrets?: Record<string, unknown>;
  configs?: Record<string, unknown>;
  /** The merged services before canonicalization, to point at the entry as the user wrote it. */
  raw: Record<string, unknown>;
  locate: Locator;
}

export function checkConsistency(input: ConsistencyInput): void {
  const { services, locate } = input;
  const err = (code: string, path: KeyPath, message: string, service: string, at?: KeyPath) =>
    new ConfigError(code, message, { position: at ? locate(at, true) : locate(path), keyPath: formatKeyPath(path), service });

  for (const [name, svc] of Object.entries(services)) {
    if (svc.image === undefined && svc.build === undefined) {
      throw err(
        ErrorCodes.CONSISTENCY,
        ['services', name],
        `service "${name}" has neither an image nor a build context specified: add image: or build:`,
        name,
      );
    }
    if (isMap(svc.depends_on)) {
      for (const dep of Object.keys(svc.depends_on)) {
        if (!(dep in services) && !(dep in input.disabled)) {
          throw err(
            ErrorCodes.UNKNOWN_DEPENDENCY,
            ['services', name, 'depends_on'],
            `service "${dep}" is not defined (${name} depends on it); define it or remove the dependency`,
            name,
            dependencyEntry(name, dep, input.raw),
          );
        }
      }
    }
    if (isMap(svc.develop) && Array.isArray(svc.develop.watch)) {
      svc.develop.watch.forEach((t, i) => {
        // sync actions copy into the container: they need somewhere to copy to (compose-go's validate)
        if (isMap(t) && (t.target === undefined || t.target === '') && t.action !== 'rebuild' && t.action !== 'restart') {
          throw err(ErrorCodes.CONSISTENCY, ['services', name, 'develop', 'watch', i], `services.${name}.develop.watch: target is required for non-rebuild actions (action ${String(t.action)})`, name);
        }
      });
    }
    if (isMap(svc.networks)) {
      for (const net of Object.keys(svc.networks)) {
        if (net !== 'default' && !(net in input.networks)) {
          throw err(
            ErrorCodes.CONSISTENCY,
            ['services', name, 'networks', net],
            `service "${name}" refers to undefined network ${net}: define it under the top-level networks`,
            name,
          );
        }
      }
    }
    if (Array.isArray(svc.volumes)) {
      svc.volumes.forEach((v, i) => {
        if (isMap(v) && v.type === 'volume' && typeof v.source === 'string' && v.source !== '' && !(v.source in input.volumes)) {
          throw err(
            ErrorCodes.CONSISTENCY,
            ['services', name, 'volumes', i],
            `service "${name}" refers to undefined volume ${v.source}: define it under the top-level volumes`,
            name,
          );
        }
      });
    }
  }
  const cycle = findCycle(services);
  if (cycle) {
    throw err(
      ErrorCodes.DEPENDENCY_CYCLE,
      ['services', cycle[0], 'depends_on'],
      `dependency cycle detected: ${cycle.join(' -> ')}; remove one of these depends_on entries`,
      cycle[0],
    );
  }
}

/** Where the entry naming `dep` is: a list item (`- db`) or a mapping key (`db: {...}`). */
function dependencyEntry(service: string, dep: string, raw: Record<string, unknown>): KeyPath {
  const base = ['services', service, 'depends_on'];
  const list = isMap(raw[service]) ? (raw[service] as Tree).depends_on : undefined;
  if (Array.isArray(list)) {
    const i = list.indexOf(dep);
    return i >= 0 ? [...base, i] : base;
  }
  return [...base, dep];
}

/** The first cycle found by DFS in service order, as `a -> b -> a`. */
export function findCycle(services: Record<string, Tree>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    const deps = isMap(services[name]?.depends_on) ? Object.keys(services[name].depends_on as Tree) : [];
    for (const d of deps) {
      if (!(d in services)) continue;
      const found = visit(d);
      if (found) return found;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(services)) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}

/**
 * Checks on top-level resources that compose makes while loading, before canonical form: conflicting
 * `external` settings, the legacy `external.name` (a warning, or an error when `name` is also set).
 */
export function checkResourceDefinitions(model: Record<string, unknown>, locate: Locator, warnings: string[]): void {
  for (const kind of ['networks', 'volumes', 'secrets', 'configs']) {
    const all = model[kind];
    if (!isMap(all)) continue;
    for (const [key, r] of Object.entries(all)) {
      if (!isMap(r)) continue;
      const at: KeyPath = [kind, key];
      const fail = (message: string) => new ConfigError(ErrorCodes.CONSISTENCY, message, { position: locate(at), keyPath: formatKeyPath(at) });
      const external = r.external;
      if (isMap(external)) {
        if (r.name !== undefined && external.name !== undefined && r.name !== external.name) {
          throw fail(`${kind}.${key}: name and external.name conflict; only use name`);
        }
        if (external.name !== undefined) warnings.push(`${kind}.${key}: external.name is deprecated. Please set name and external: true`);
      }
      if (external === true || isMap(external)) {
        for (const attr of kind === 'networks' ? ['driver', 'driver_opts'] : kind === 'volumes' ? ['driver', 'driver_opts', 'labels'] : []) {
          if (r[attr] !== undefined) {
            throw fail(`${kind}.${key}: conflicting parameters "external" and "${attr}" specified: an external resource is created outside compose`);
          }
        }
      }
    }
  }
}
