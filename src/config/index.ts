// The config loader: discover → parse → interpolate → include (include.ts), extends (extends.ts) → merge →
// validate → canonical → defaults → Project.
// Pure: reads files, never talks to Docker, never prints (warnings go to project.meta.warnings).

import { readFileSync } from 'node:fs';
import { diskResources, type ResourceLoader } from './files.js';
import path from 'node:path';
import { ConfigError, ErrorCodes } from '../model/errors.js';
import type { FileObjectConfig, ModelConfig, NetworkConfig, Project, ServiceConfig, VolumeConfig } from '../model/types.js';
import { canonicalResource, canonicalService, dropEmptyStrings, type CanonicalContext } from './canonical.js';
import { checkConsistency, checkResourceDefinitions } from './consistency.js';
import { applyDefaults, applyProfiles, type ModelParts } from './defaults.js';
import { discoverFiles } from './discover.js';
import { envFileError, readDotenvFiles, readEnvFiles } from './dotenv.js';
import { applyExtends } from './extends.js';
import { applyIncludes } from './include.js';
import { interpolateTree } from './interpolate.js';
import { isMap, mergeComposeFiles } from './merge.js';
import { locateIn, parseYamlDocuments, type KeyPath, type ParsedFile } from './parse.js';
import { checkProjectName, resolveProjectName } from './project-name.js';
import { validateSchema } from './validate.js';
import { workingDirectory } from './working-directory.js';

export { projectToConfigObject } from './serialize.js';
export { serializeConfig } from './serialize-config.js';
export { workingDirectory } from './working-directory.js';

/** A compose file given by content instead of a path (stdin, tests, the API). */
export interface ConfigSource {
  /** Shown in errors; relative names are resolved against the working directory. */
  name: string;
  content: string;
}

export interface LoadOptions {
  cwd?: string;
  /** -f (repeatable), relative to cwd; `-` reads standard input. */
  files?: readonly string[];
  /** Files given by content; replaces discovery and `files`. */
  configFiles?: readonly ConfigSource[];
  /** -p */
  projectName?: string;
  /** --project-directory */
  projectDirectory?: string;
  /** OS environment, default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** --env-file (default: COMPOSE_ENV_FILES, else <project dir>/.env if it exists). */
  envFiles?: readonly string[];
  /** Read <project dir>/.env when no env file is given (default true; COMPOSE_DISABLE_ENV_FILE turns it off). */
  dotenv?: boolean;
  /** --profile */
  profiles?: readonly string[];
  /** Services named on the command line: their profiles are enabled. */
  services?: readonly string[];
  /** default true */
  interpolate?: boolean;
  /** default true: default network, `<project>_` names, implicit dependencies. */
  normalize?: boolean;
  /** default true */
  resolvePaths?: boolean;
  /**
   * default true, as `docker compose` loads: env_file and label_file are read into environment and labels,
   * then dropped from the model. false keeps them (paths resolved), as compose-go's loader does by default.
   */
  discardEnvFiles?: boolean;
  /**
   * default true. false (`config --no-env-resolution`, compose-go's WithoutEnvironmentResolution): env_file
   * entries are kept as written (paths resolved) and not read, and a bare `environment` key stays unset.
   */
  resolveEnvironment?: boolean;
  /** default true: schema validation. */
  validate?: boolean;
  /** default true: cross-reference checks (undefined networks, missing image...). */
  consistency?: boolean;
  /** default true: a project with no name from -p, env or `name:` is named after its directory. */
  projectNameFromDirectory?: boolean;
  /** How `-` is read (default: file descriptor 0). */
  readStdin?: () => string;
  /**
   * Every file the load reads, and every existence check, goes through this (default: the disk). The project
   * cache passes a recording loader to learn which files a project depends on.
   */
  resources?: ResourceLoader;
}

type Tree = Record<string, unknown>;

interface Source {
  file: string;
  docs: ParsedFile[];
}

/** Files → parsed documents, environment and project name: the part shared by every load. */
function prepare(options: LoadOptions) {
  const osEnv = options.env ?? process.env;
  const cwd = path.resolve(options.cwd ?? workingDirectory(osEnv));
  const warnings: string[] = [];
  const files = options.resources ?? diskResources;
  const givenFiles = options.files && options.files.length > 0 ? options.files : undefined;
  // a bad -p is reported before anything is looked for, as compose checks it when it reads its flags
  if (options.projectName) checkProjectName(options.projectName);

  // .env is read before discovery because it may set COMPOSE_FILE; compose looks for it in the
  // project directory, or the first -f file's directory, or the working directory
  const firstFile = options.configFiles?.[0]?.name ?? givenFiles?.[0];
  const envDir = options.projectDirectory
    ? path.resolve(cwd, options.projectDirectory)
    : firstFile && firstFile !== '-'
      ? path.dirname(path.resolve(cwd, firstFile))
      : cwd;
  const envFiles = options.envFiles ?? (osEnv.COMPOSE_ENV_FILES ? osEnv.COMPOSE_ENV_FILES.split(',').filter(Boolean) : undefined);
  const dotenv = options.dotenv !== false && !truthy(osEnv.COMPOSE_DISABLE_ENV_FILE);
  const env = loadEnvironment(cwd, envDir, envFiles, osEnv, files, dotenv);
  // compose makes PWD (the working directory) visible to interpolation even when the shell did not export it
  if (env.PWD === undefined) env.PWD = cwd;

  let sources: { file: string; text: string }[];
  let projectDir: string;
  if (options.configFiles) {
    sources = options.configFiles.map((f) => ({ file: f.name, text: f.content }));
    projectDir = options.projectDirectory ? path.resolve(cwd, options.projectDirectory) : cwd;
  } else if (givenFiles?.includes('-')) {
    const read = options.readStdin ?? (() => readFileSync(0, 'utf8'));
    const others = givenFiles.filter((f) => f !== '-');
    const rest = others.length ? discoverFiles({ cwd, files: others, env, resources: files }).files : [];
    sources = givenFiles.map((f) => (f === '-' ? { file: '-', text: read() } : { file: rest[others.indexOf(f)], text: files.readText(rest[others.indexOf(f)]) }));
    projectDir = options.projectDirectory ? path.resolve(cwd, options.projectDirectory) : givenFiles[0] === '-' ? cwd : path.dirname(rest[0]);
  } else {
    const discovered = discoverFiles({ cwd, files: givenFiles, env, projectDirectory: options.projectDirectory, resources: files });
    warnings.push(...discovered.warnings);
    projectDir = discovered.projectDir;
    sources = discovered.files.map((file) => ({ file, text: files.readText(file) }));
  }
  // the working directory's .env may have pointed at files elsewhere (COMPOSE_FILE): the project
  // directory's own .env then adds what is not set yet, expanded with what is
  const projectDotenv = path.join(projectDir, '.env');
  if (!envFiles && dotenv && projectDir !== envDir && files.pathExists(projectDotenv)) {
    for (const [k, v] of Object.entries(readEnvFiles([projectDotenv], (n) => env[n], files))) if (env[k] === undefined) env[k] = v;
  }
  const parsed: Source[] = sources.map((s) => ({ file: s.file, docs: parseYamlDocuments(s.text, s.file) }));
  const allDocs = parsed.flatMap((p) => p.docs);
  checkNotEmpty(parsed);
  const locate = (p: KeyPath, key?: boolean) => locateIn(allDocs, p, key);

  // the name first: COMPOSE_PROJECT_NAME is visible to interpolation everywhere else
  let fromFile: string | undefined;
  for (const doc of allDocs) {
    const n = doc.data.name;
    if (n === undefined || n === null) continue;
    if (typeof n !== 'string') {
      throw new ConfigError(ErrorCodes.SCHEMA, 'must be a string: fix its value', { position: doc.positionOf(['name']), keyPath: 'name' });
    }
    fromFile = options.interpolate === false ? n : interpolateTree({ name: n }, { lookup: (k) => env[k], positionOf: () => doc.positionOf(['name']) }).name;
  }
  const name = resolveProjectName({
    explicit: options.projectName,
    env,
    fromFile,
    projectDir,
    fromDirectory: options.projectNameFromDirectory !== false,
  });
  const interpolationEnv: Record<string, string | undefined> = { ...env };
  if (interpolationEnv.COMPOSE_PROJECT_NAME === undefined || options.projectName) interpolationEnv.COMPOSE_PROJECT_NAME = name;
  return { cwd, env: interpolationEnv, warnings, projectDir, parsed, allDocs, locate, name, files };
}

/** The merged raw model, before interpolation and normalization (compose's "yaml model" stage). */
export function loadYamlModel(options: LoadOptions = {}): Record<string, unknown> {
  const prep = prepare({ ...options, interpolate: false });
  const trees = prep.parsed.flatMap((src) =>
    src.docs.map((doc) => applyExtends(doc.data, { file: src.file, files: prep.files, dir: prep.projectDir, env: prep.env, interpolate: false, warnings: prep.warnings })),
  );
  return mergeComposeFiles(trees);
}

export async function loadProject(options: LoadOptions = {}): Promise<Project> {
  return loadProjectSync(options);
}

export function loadProjectSync(options: LoadOptions = {}): Project {
  const { env, warnings, projectDir, parsed, locate, name, files } = prepare(options);
  const interpolate = options.interpolate !== false;
  const unset = new Set<string>();
  const trees: Tree[] = [];
  for (const src of parsed) {
    const dir = src.file === '-' || !path.isAbsolute(src.file) ? projectDir : path.dirname(src.file);
    for (const doc of src.docs) {
      let tree = interpolate
        ? interpolateTree(doc.data, { lookup: (n) => env[n], positionOf: doc.positionOf, onUnset: (n) => unset.add(n) })
        : doc.data;
      tree = applyIncludes(tree, { projectDir, files, env, interpolate, chain: [src.file], warnings, locate: doc.positionOf });
      tree = applyExtends(tree, { file: src.file, files, dir, env, interpolate, warnings, locate: doc.positionOf });
      trees.push(tree);
    }
  }
  for (const n of unset) warnings.push(`The "${n}" variable is not set. Defaulting to a blank string.`);

  const merged = mergeComposeFiles(trees);
  if ('version' in merged) {
    warnings.push('the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion');
    delete merged.version;
  }
  dropEmptyStrings(merged);
  if (options.validate !== false) validateSchema(merged, locate);
  checkResourceDefinitions(merged, locate, warnings);

  const ctx: CanonicalContext = {
    projectDir,
    files,
    env,
    resolvePaths: options.resolvePaths !== false,
    keepUnparsable: !interpolate,
    discardEnvFiles: options.discardEnvFiles !== false,
    resolveEnvironment: options.resolveEnvironment !== false,
    positionOf: (p) => locate(p),
  };

  const rawServices = isMap(merged.services) ? merged.services : {};
  const services: Record<string, Tree> = {};
  for (const [svcName, svc] of Object.entries(rawServices)) services[svcName] = canonicalService(svcName, (svc ?? {}) as Tree, ctx);
  const resources = (kind: 'networks' | 'volumes' | 'secrets' | 'configs' | 'models'): Record<string, Tree> => {
    const all = isMap(merged[kind]) ? merged[kind] : {};
    return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, canonicalResource(kind, v, ctx, warnings)]));
  };
  let parts: ModelParts = {
    services,
    networks: resources('networks'),
    volumes: resources('volumes'),
    secrets: resources('secrets'),
    configs: resources('configs'),
  };
  const models = resources('models');

  const profiles = options.profiles ?? (env.COMPOSE_PROFILES ? env.COMPOSE_PROFILES.split(',').map((s) => s.trim()).filter(Boolean) : []);
  const { enabled, disabled } = applyProfiles(parts.services, profiles, options.services ?? []);
  if (options.consistency !== false) {
    checkConsistency({ services: enabled, disabled, networks: parts.networks, volumes: parts.volumes, secrets: parts.secrets, configs: parts.configs, raw: rawServices, locate });
  }
  parts = { ...parts, services: enabled };
  if (options.normalize !== false) parts = applyDefaults(name, parts);

  const extensions = Object.fromEntries(Object.entries(merged).filter(([k]) => k.startsWith('x-')));
  const environment = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const project: Project = {
    name,
    services: typedModel<ServiceConfig>(parts.services),
    networks: typedModel<NetworkConfig>(parts.networks),
    volumes: typedModel<VolumeConfig>(parts.volumes),
    ...(Object.keys(parts.secrets).length > 0 ? { secrets: typedModel<FileObjectConfig>(parts.secrets) } : {}),
    ...(Object.keys(parts.configs).length > 0 ? { configs: typedModel<FileObjectConfig>(parts.configs) } : {}),
    ...(Object.keys(models).length > 0 ? { models: typedModel<ModelConfig>(models) } : {}),
    // top-level x-* keys are carried on the project object so `config` can print them
    ...extensions,
    meta: {
      workingDir: projectDir,
      composeFiles: parsed.map((p) => p.file),
      environment,
      disabledServices: disabled,
      profiles,
      warnings,
      ...(options.normalize === false ? { normalized: false } : {}),
    },
  };
  return project;
}

/**
 * The one place where the loader's trees become the typed model (src/model/types.ts). What makes it hold: the
 * merged tree passed schema validation (only spec keys, each of a type the spec allows), interpolation cast the
 * fields listed in COMPOSE_CASTS, and canonical.ts brought every key with several written forms to the one the
 * type gives (long syntax, byte counts as strings, Go durations); defaults.ts named every network, volume,
 * secret and config. Loaded with `validate: false`, `interpolate: false` or `normalize: false` (only `config`
 * does, to print) the tree may fall short of the types; such a project is printed, never run.
 * test/unit/model/schema-coverage.test.ts keeps the types covering the schema.
 */
function typedModel<T>(trees: Readonly<Record<string, Tree>>): Readonly<Record<string, T>> {
  return trees as unknown as Readonly<Record<string, T>>;
}

/**
 * Files that together say nothing (empty, whitespace or comments only, `{}`) are an error, as compose's
 * "empty compose file": a truncated file must never read as "the project has no services", which
 * `up --remove-orphans` would act on by removing the whole stack. A file with only `name:`, networks or
 * `services: {}` is not empty (compose loads it; `up` then finds no service to run).
 */
function checkNotEmpty(parsed: readonly Source[]): void {
  if (parsed.some((src) => src.docs.some((doc) => Object.keys(doc.data).length > 0))) return;
  const files = parsed.map((p) => p.file);
  if (files.length === 1) {
    throw new ConfigError(ErrorCodes.EMPTY_FILE, "empty compose file: it defines nothing: write the project's services into it", { position: { file: files[0], line: 1, col: 1 } });
  }
  throw new ConfigError(ErrorCodes.EMPTY_FILE, `empty compose file: ${files.join(', ')} define nothing: write the project's services into them`);
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && ['1', 'true', 'yes', 'y', 'on'].includes(v.toLowerCase());
}

/** The project environment: env files (in order), then the OS environment, which wins. */
function loadEnvironment(
  cwd: string,
  envDir: string,
  envFiles: readonly string[] | undefined,
  osEnv: Readonly<Record<string, string | undefined>>,
  resources: ResourceLoader,
  dotenv = true,
): Record<string, string | undefined> {
  let files: string[];
  if (envFiles && envFiles.length > 0) {
    files = envFiles.map((f) => path.resolve(cwd, f));
    for (const f of files) {
      if (!resources.pathExists(f)) throw new ConfigError(ErrorCodes.PROJECT_ENV_FILE, `couldn't find env file: ${f}: check the --env-file path`);
    }
  } else {
    const dotenvFile = path.join(envDir, '.env');
    files = dotenv && resources.pathExists(dotenvFile) ? [dotenvFile] : [];
  }
  let fromFiles: Record<string, string> = {};
  try {
    fromFiles = readDotenvFiles(files, (name) => osEnv[name], resources);
  } catch (err) {
    // the project's own .env: compose exits 1 for it, not 15 as for the compose files (PROJECT_ENV_FILE)
    throw envFileError(err, ErrorCodes.PROJECT_ENV_FILE);
  }
  const env: Record<string, string | undefined> = { ...fromFiles };
  for (const [k, v] of Object.entries(osEnv)) if (v !== undefined) env[k] = v;
  return env;
}
