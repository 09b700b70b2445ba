// `extends:` in services: a service starts from another (in the same file or another file, recursively), its
// own keys merged over the base's; paths of a base from another directory are rebased first.
import path from 'node:path';
import { ConfigError, ErrorCodes, type SourcePosition } from '../model/errors.js';
import type { ResourceLoader } from './files.js';
import { interpolateTree } from './interpolate.js';
import { isMap, mergeKeepingMarkers, mergeService } from './merge.js';
import { formatKeyPath, parseYamlDocuments, type KeyPath } from './parse.js';
import { rebaseService } from './paths.js';

type Tree = Record<string, unknown>;

export interface ExtendsContext {
  file: string;
  /** The load's resource loader: extended files are read through it. */
  files: ResourceLoader;
  dir: string;
  env: Readonly<Record<string, string | undefined>>;
  interpolate: boolean;
  warnings: string[];
  locate?: (p: KeyPath) => SourcePosition | undefined;
}

/** Resolves `extends` in every service of one file's model (same file, or another file, recursively). */
export function applyExtends(tree: Tree, ctx: ExtendsContext, stack: string[] = []): Tree {
  if (!isMap(tree.services)) return tree;
  const services = tree.services;
  if (!Object.values(services).some((s) => isMap(s) && s.extends !== undefined)) return tree;
  const done = new Map<string, Tree>();
  const loadOther = (file: string): Tree => {
    if (!ctx.files.pathExists(file)) throw new ConfigError(ErrorCodes.EXTENDS_FILE_NOT_FOUND, `extended file ${file} not found: check extends.file`);
    const docs = parseYamlDocuments(ctx.files.readText(file), file);
    const trees = docs.map((d) => (ctx.interpolate ? interpolateTree(d.data, { lookup: (n) => ctx.env[n], positionOf: d.positionOf }) : d.data));
    let merged: Tree = {};
    for (const t of trees) merged = mergeKeepingMarkers(merged, t);
    return merged;
  };
  const resolve = (name: string, chain: string[]): Tree => {
    const cached = done.get(name);
    if (cached) return cached;
    const svc = services[name];
    const self = (isMap(svc) ? svc : {}) as Tree;
    if (self.extends === undefined) return self;
    const at: KeyPath = ['services', name, 'extends'];
    const err = (message: string, code: string = ErrorCodes.CONSISTENCY) =>
      new ConfigError(code, message, { position: ctx.locate?.(at), keyPath: formatKeyPath(at), service: name });
    const ext = typeof self.extends === 'string' ? { service: self.extends } : isMap(self.extends) ? self.extends : {};
    if (typeof ext.service !== 'string' || ext.service === '') throw err(`extends.${name}.service is required: name the service to extend`, ErrorCodes.SCHEMA);
    const key = `${ctx.file}#${name}`;
    if (chain.includes(key)) throw err(`circular reference with extends: ${[...chain, key].join(' -> ')}`);
    let base: Tree;
    if (ext.file !== undefined && ext.file !== null) {
      const file = path.resolve(ctx.dir, String(ext.file));
      const other = loadOther(file);
      if (!isMap(other.services) || !(ext.service in other.services)) {
        throw err(`cannot extend service "${ext.service}" in ${file}: service not found`);
      }
      const otherKey = `${file}#${ext.service}`;
      if ([...chain, key].includes(otherKey)) throw err(`circular reference with extends: ${[...chain, key, otherKey].join(' -> ')}`);
      const resolved = applyExtends(other, { ...ctx, file, dir: path.dirname(file) }, [...chain, key]);
      const svcs = resolved.services as Tree;
      base = (isMap(svcs[ext.service]) ? svcs[ext.service] : {}) as Tree;
      if (path.dirname(file) !== ctx.dir) base = rebaseService(base, path.dirname(file)) as Tree;
    } else {
      if (!(ext.service in services)) throw err(`cannot extend service "${ext.service}": service not found`);
      if (ext.service === name || chain.includes(`${ctx.file}#${ext.service}`)) {
        throw err(`circular reference with extends: ${[...chain, key, `${ctx.file}#${ext.service}`].join(' -> ')}`);
      }
      base = resolve(ext.service, [...chain, key]);
    }
    const own: Tree = { ...self };
    delete own.extends;
    const merged = mergeService(base, own);
    delete merged.extends;
    done.set(name, merged);
    return merged;
  };
  const out: Tree = {};
  for (const name of Object.keys(services)) out[name] = isMap(services[name]) && (services[name] as Tree).extends !== undefined ? resolve(name, stack) : services[name];
  return { ...tree, services: out };
}
