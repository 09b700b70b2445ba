// `include:` (compose-spec include): each entry loads as a project of its own, with its own directory and
// environment, and its resources join the including model (a clash with a different definition is an error).
import path from 'node:path';
import { ConfigError, ErrorCodes, type SourcePosition } from '../model/errors.js';
import { readEnvFiles } from './dotenv.js';
import { applyExtends } from './extends.js';
import type { ResourceLoader } from './files.js';
import { interpolateTree } from './interpolate.js';
import { isMap, mergeComposeFiles } from './merge.js';
import { formatKeyPath, parseYamlDocuments, type KeyPath } from './parse.js';
import { rebaseModel } from './paths.js';

type Tree = Record<string, unknown>;

export interface IncludeContext {
  projectDir: string;
  /** The load's resource loader: included files and their env files are read through it. */
  files: ResourceLoader;
  env: Readonly<Record<string, string | undefined>>;
  interpolate: boolean;
  chain: string[];
  warnings: string[];
  locate: (p: KeyPath) => SourcePosition | undefined;
}

/** `include:` entries load as projects of their own (own directory and env), then join this model. */
export function applyIncludes(tree: Tree, ctx: IncludeContext): Tree {
  if (tree.include === undefined) return tree;
  const out: Tree = { ...tree };
  delete out.include;
  const entries = Array.isArray(tree.include) ? tree.include : [];
  entries.forEach((entry, i) => {
    const at: KeyPath = ['include', i];
    const e = typeof entry === 'string' ? { path: [entry] } : isMap(entry) ? entry : {};
    const paths = (Array.isArray(e.path) ? e.path : e.path !== undefined ? [e.path] : []).map((p) => path.resolve(ctx.projectDir, String(p)));
    if (paths.length === 0) throw new ConfigError(ErrorCodes.SCHEMA, 'include entry has no path: add path:', { position: ctx.locate(at), keyPath: formatKeyPath(at) });
    for (const p of paths) {
      if (ctx.chain.includes(p)) {
        throw new ConfigError(ErrorCodes.CONSISTENCY, `include cycle detected: ${[...ctx.chain, p].join(' -> ')}: remove one of the includes`, {
          position: ctx.locate(at),
          keyPath: formatKeyPath(at),
        });
      }
      if (!ctx.files.pathExists(p)) {
        throw new ConfigError(ErrorCodes.INCLUDE_NOT_FOUND, `included file ${p} not found: check the include path`, { position: ctx.locate(at), keyPath: formatKeyPath(at) });
      }
    }
    const dir = e.project_directory !== undefined ? path.resolve(ctx.projectDir, String(e.project_directory)) : path.dirname(paths[0]);
    const envFiles = e.env_file !== undefined ? (Array.isArray(e.env_file) ? e.env_file : [e.env_file]).map((f) => path.resolve(ctx.projectDir, String(f))) : [path.join(dir, '.env')];
    const fileEnv = readEnvFiles(envFiles.filter((f) => ctx.files.pathExists(f)), (n) => ctx.env[n], ctx.files);
    const env = { ...fileEnv, ...Object.fromEntries(Object.entries(ctx.env).filter(([, v]) => v !== undefined)) };
    const trees: Tree[] = [];
    for (const p of paths) {
      for (const doc of parseYamlDocuments(ctx.files.readText(p), p)) {
        let t = ctx.interpolate ? interpolateTree(doc.data, { lookup: (n) => env[n], positionOf: doc.positionOf }) : doc.data;
        t = applyIncludes(t, { ...ctx, projectDir: dir, env, chain: [...ctx.chain, p], locate: doc.positionOf });
        t = applyExtends(t, { file: p, files: ctx.files, dir: path.dirname(p), env, interpolate: ctx.interpolate, warnings: ctx.warnings, locate: doc.positionOf });
        trees.push(t);
      }
    }
    const included = rebaseModel(mergeComposeFiles(trees), dir);
    for (const kind of ['services', 'networks', 'volumes', 'secrets', 'configs', 'models']) {
      if (!isMap(included[kind])) continue;
      const mine: Tree = isMap(out[kind]) ? { ...(out[kind] as Tree) } : {};
      for (const [k, v] of Object.entries(included[kind] as Tree)) {
        if (k in mine && JSON.stringify(mine[k]) !== JSON.stringify(v)) {
          throw new ConfigError(ErrorCodes.CONSISTENCY, `${kind}.${k} conflicts with imported resource from ${paths[0]}: rename one of them`, {
            position: ctx.locate([kind, k]),
            keyPath: `${kind}.${k}`,
          });
        }
        mine[k] = v;
      }
      out[kind] = mine;
    }
  });
  return out;
}
