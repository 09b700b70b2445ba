// Relative paths in a raw service or model, made absolute against the directory of the file (or included
// project) that wrote them, so that `extends: {file}` and `include:` keep their meaning after merging.

import path from 'node:path';
import { isMap } from './merge.js';

type Tree = Record<string, unknown>;

function isRemote(p: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(p) || p.startsWith('git@') || p.startsWith('github.com/') || /^[a-z-]+:[^/\\]/i.test(p);
}

function abs(p: unknown, dir: string): unknown {
  if (typeof p !== 'string' || p === '' || isRemote(p) || p.startsWith('~') || path.isAbsolute(p) || /^[A-Za-z]:[\\/]/.test(p)) return p;
  return path.resolve(dir, p);
}

function rebaseVolume(v: unknown, dir: string): unknown {
  if (typeof v === 'string') {
    const i = v.indexOf(':');
    if (i > 0 && (v.startsWith('.') || v.startsWith('/'))) return `${String(abs(v.slice(0, i), dir))}${v.slice(i)}`;
    return v;
  }
  if (isMap(v) && v.type === 'bind') return { ...v, source: abs(v.source, dir) };
  return v;
}

export function rebaseService(svc: unknown, dir: string): unknown {
  if (!isMap(svc)) return svc;
  const out: Tree = { ...svc };
  if (typeof out.build === 'string') out.build = abs(out.build, dir);
  else if (isMap(out.build)) out.build = { ...out.build, context: abs(out.build.context ?? '.', dir) };
  const envFile = (e: unknown) => (isMap(e) ? { ...e, path: abs(e.path, dir) } : abs(e, dir));
  if (out.env_file !== undefined) out.env_file = Array.isArray(out.env_file) ? out.env_file.map(envFile) : envFile(out.env_file);
  if (out.label_file !== undefined) out.label_file = Array.isArray(out.label_file) ? out.label_file.map((f) => abs(f, dir)) : abs(out.label_file, dir);
  if (Array.isArray(out.volumes)) out.volumes = out.volumes.map((v) => rebaseVolume(v, dir));
  if (isMap(out.extends) && typeof out.extends.file === 'string') out.extends = { ...out.extends, file: abs(out.extends.file, dir) };
  if (isMap(out.develop) && Array.isArray(out.develop.watch)) {
    out.develop = { ...out.develop, watch: out.develop.watch.map((w) => (isMap(w) ? { ...w, path: abs(w.path, dir) } : w)) };
  }
  return out;
}

/** A whole included model: services plus secrets/configs files. */
export function rebaseModel(model: Tree, dir: string): Tree {
  const out: Tree = { ...model };
  if (isMap(out.services)) out.services = Object.fromEntries(Object.entries(out.services).map(([k, s]) => [k, rebaseService(s, dir)]));
  for (const kind of ['secrets', 'configs']) {
    if (!isMap(out[kind])) continue;
    out[kind] = Object.fromEntries(
      Object.entries(out[kind] as Tree).map(([k, r]) => [k, isMap(r) && typeof r.file === 'string' ? { ...r, file: abs(r.file, dir) } : r]),
    );
  }
  return out;
}
