// The config loader: discover → parse → interpolate → merge → validate → canonical → defaults → Project.
// Pure: reads files, never talks to Docker, never prints (warnings go to project.meta.warnings).

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, ErrorCodes } from '../model/errors.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { canonicalResource, canonicalService, dropEmptyStrings, type CanonicalContext } from './canonical.js';
import { checkConsistency } from './consistency.js';
import { applyDefaults, applyProfiles, type ModelParts } from './defaults.js';
import { discoverFiles } from './discover.js';
import { DotenvError, readDotenvFiles } from './dotenv.js';
import { interpolateTree } from './interpolate.js';
import { isMap, mergeComposeFiles } from './merge.js';
import { locateIn, parseYaml, type KeyPath, type ParsedFile } from './parse.js';
import { resolveProjectName } from './project-name.js';
import { validateSchema } from './validate.js';

export { projectToConfigObject, serializeConfig } from './serialize.js';

export interface LoadOptions {
  cwd?: string;
  /** -f (repeatable), relative to cwd. */
  files?: readonly string[];
  /** -p */
  projectName?: string;
  /** --project-directory */
  projectDirectory?: string;
  /** OS environment, default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** --env-file (default: <project dir>/.env if it exists). */
  envFiles?: readonly string[];
  /** --profile */
  profiles?: readonly string[];
  /** default true */
  interpolate?: boolean;
  /** default true: default network, `<project>_` names, unused resources dropped. */
  normalize?: boolean;
  /** default true */
  resolvePaths?: boolean;
}

type Tree = Record<string, unknown>;

export async function loadProject(options: LoadOptions = {}): Promise<Project> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const osEnv = options.env ?? process.env;
  const warnings: string[] = [];

  // .env is read before discovery because it may set COMPOSE_FILE; compose looks for it in the
  // project directory, or the first -f file's directory, or the working directory
  const envDir = options.projectDirectory
    ? path.resolve(cwd, options.projectDirectory)
    : options.files && options.files.length > 0
      ? path.dirname(path.resolve(cwd, options.files[0]))
      : cwd;
  const env = loadEnvironment(cwd, envDir, options.envFiles, osEnv);

  const discovered = discoverFiles({ cwd, files: options.files, env, projectDirectory: options.projectDirectory });
  warnings.push(...discovered.warnings);
  const projectDir = discovered.projectDir;

  const parsed: ParsedFile[] = discovered.files.map((file) => parseYaml(readFileSync(file, 'utf8'), file));
  const unset = new Set<string>();
  const trees = parsed.map((p) =>
    options.interpolate === false
      ? p.data
      : interpolateTree(p.data, { lookup: (name) => env[name], positionOf: p.positionOf, onUnset: (n) => unset.add(n) }),
  );
  for (const name of unset) warnings.push(`The "${name}" variable is not set. Defaulting to a blank string.`);

  const merged = mergeComposeFiles(trees);
  const locate = (p: KeyPath, key?: boolean) => locateIn(parsed, p, key);
  if ('version' in merged) {
    warnings.push('the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion');
    delete merged.version;
  }
  dropEmptyStrings(merged);
  validateSchema(merged, locate);

  const name = resolveProjectName({ explicit: options.projectName, env, fromFile: merged.name, projectDir });
  const ctx: CanonicalContext = { projectDir, env, resolvePaths: options.resolvePaths !== false, positionOf: (p) => locate(p) };

  const rawServices = isMap(merged.services) ? merged.services : {};
  const services: Record<string, Tree> = {};
  for (const [svcName, svc] of Object.entries(rawServices)) services[svcName] = canonicalService(svcName, svc as Tree, ctx);
  const resources = (kind: 'networks' | 'volumes' | 'secrets' | 'configs'): Record<string, Tree> => {
    const all = isMap(merged[kind]) ? merged[kind] : {};
    return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, canonicalResource(kind, v, ctx)]));
  };
  let parts: ModelParts = {
    services,
    networks: resources('networks'),
    volumes: resources('volumes'),
    secrets: resources('secrets'),
    configs: resources('configs'),
  };

  const profiles = options.profiles ?? (env.COMPOSE_PROFILES ? env.COMPOSE_PROFILES.split(',').map((s) => s.trim()).filter(Boolean) : []);
  const { enabled, disabled } = applyProfiles(parts.services, profiles);
  checkConsistency({ services: enabled, disabled, networks: parts.networks, volumes: parts.volumes, raw: rawServices, locate });
  parts = { ...parts, services: enabled };
  if (options.normalize !== false) parts = applyDefaults(name, parts);

  const extensions = Object.fromEntries(Object.entries(merged).filter(([k]) => k.startsWith('x-')));
  const environment = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const project: Project = {
    name,
    services: parts.services as Record<string, ServiceConfig>,
    networks: parts.networks as Project['networks'],
    volumes: parts.volumes as Project['volumes'],
    ...(Object.keys(parts.secrets).length > 0 ? { secrets: parts.secrets as Project['secrets'] } : {}),
    ...(Object.keys(parts.configs).length > 0 ? { configs: parts.configs as Project['configs'] } : {}),
    // top-level x-* keys are carried on the project object so `config` can print them
    ...extensions,
    meta: {
      workingDir: projectDir,
      composeFiles: discovered.files,
      environment,
      disabledServices: disabled,
      profiles,
      warnings,
    },
  };
  return project;
}

/** The project environment: env files (in order), then the OS environment, which wins. */
function loadEnvironment(
  cwd: string,
  envDir: string,
  envFiles: readonly string[] | undefined,
  osEnv: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  let files: string[];
  if (envFiles && envFiles.length > 0) {
    files = envFiles.map((f) => path.resolve(cwd, f));
    for (const f of files) {
      if (!existsSync(f)) throw new ConfigError(ErrorCodes.CONFIG_NOT_FOUND, `couldn't find env file: ${f}: check the --env-file path`);
    }
  } else {
    const dotenv = path.join(envDir, '.env');
    files = existsSync(dotenv) ? [dotenv] : [];
  }
  let fromFiles: Record<string, string> = {};
  try {
    fromFiles = readDotenvFiles(files, (name) => osEnv[name]);
  } catch (err) {
    if (err instanceof DotenvError) {
      throw new ConfigError(ErrorCodes.INTERPOLATION, `${err.message}: fix the env file`, { cause: err });
    }
    throw err;
  }
  const env: Record<string, string | undefined> = { ...fromFiles };
  for (const [k, v] of Object.entries(osEnv)) if (v !== undefined) env[k] = v;
  return env;
}
