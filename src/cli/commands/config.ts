import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { loadProject, loadYamlModel, serializeConfig } from '../../config/index.js';
import { withoutUnusedResources, type ModelParts } from '../../config/defaults.js';
import { extractVariables } from '../../config/template.js';
import { BerthError, ErrorCodes, NoSuchServiceError } from '../../model/errors.js';
import { serviceConfigHash } from '../../config/hash.js';
import { buildGraph, dependencyEdges, dependencyOrder } from '../../graph/index.js';
import type { Project } from '../../model/types.js';
import { EXIT_OK } from '../exit-codes.js';
import { loadOptions, type GlobalOptions } from '../global.js';

interface ConfigFlags extends GlobalOptions {
  format: string;
  quiet?: boolean;
  services?: boolean;
  volumes?: boolean;
  networks?: boolean;
  images?: boolean;
  profiles?: boolean;
  models?: boolean;
  interpolate?: boolean;
  /** false with --no-env-resolution */
  envResolution?: boolean;
  normalize?: boolean;
  pathResolution?: boolean;
  consistency?: boolean;
  resolveImageDigests?: boolean;
  hash?: string;
  variables?: boolean;
  environment?: boolean;
  output?: string;
}

export async function configCommand(only: string[], o: ConfigFlags): Promise<number> {
  if (o.format !== 'yaml' && o.format !== 'json') throw new BerthError(ErrorCodes.USAGE, `unsupported format "${o.format}": use yaml or json`);
  const base = { ...loadOptions(o), readStdin: () => readFileSync(0, 'utf8') };
  const emit = async (text: string) => {
    if (o.output) await writeFile(o.output, text);
    else process.stdout.write(text);
    return EXIT_OK;
  };
  const lines = (xs: Iterable<string>) => [...xs].map((x) => `${x}\n`).join('');

  if (o.variables) {
    if (only.length) process.stderr.write('service filtering is not applied when --variables is set\n');
    const vars = extractVariables(loadYamlModel(base));
    const sorted = Object.fromEntries(Object.keys(vars).sort().map((k) => [k, vars[k]]));
    if (o.format === 'json') {
      const goNames = Object.fromEntries(
        Object.entries(sorted).map(([k, v]) => [k, { Name: v.name, DefaultValue: v.default_value, PresenceValue: v.presence_value, Required: v.required }]),
      );
      return emit(`${JSON.stringify(goNames, null, 4)}\n`);
    }
    const lower = Object.fromEntries(
      Object.entries(sorted).map(([k, v]) => [k, { name: v.name, defaultvalue: v.default_value, presencevalue: v.presence_value, required: v.required }]),
    );
    return emit(stringify(lower, { indent: 4, lineWidth: 0 }));
  }

  const interpolate = o.interpolate !== false;
  if (!interpolate && only.length) process.stderr.write('service filtering is not applied when --no-interpolate is set\n');
  const loaded = await loadProject({
    ...base,
    interpolate,
    resolveEnvironment: o.envResolution !== false,
    normalize: o.normalize !== false,
    resolvePaths: o.pathResolution !== false,
    consistency: o.consistency !== false,
    services: only,
  });
  for (const w of loaded.meta.warnings) process.stderr.write(`WARN[0000] ${w}\n`);
  if (o.environment) {
    return emit(lines(Object.entries(loaded.meta.environment).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`)));
  }
  const filter = interpolate ? only : [];
  for (const s of filter) if (!loaded.services[s]) throw new NoSuchServiceError(s);
  const selected: Project = filter.length ? { ...loaded, services: Object.fromEntries(filter.map((s) => [s, loaded.services[s]])) } : loaded;
  // compose's CLI drops what no service uses even without normalization (its loader, like berth's, keeps it)
  let project = o.normalize === false ? withoutUnused(selected) : selected;
  // compose 2.26 pins digests only with --no-interpolate (its other path dropped the flag); newer compose and
  // berth do it on both
  if (o.resolveImageDigests) project = await (await import('../../api/images.js')).resolveImageDigests({ project });
  if (o.hash !== undefined) {
    // by name, whichever order they were asked in (as compose lists them)
    const names = o.hash === '*' ? Object.keys(project.services) : o.hash.split(',').map((s) => s.trim());
    return emit(lines([...new Set(names)].sort().filter((n) => project.services[n]).map((n) => `${n} ${serviceConfigHash(project.services[n])}`)));
  }
  if (o.quiet) return EXIT_OK;
  if (o.services) return emit(lines(dependencyOrder(buildGraph(dependencyEdges(project.services)))));
  if (o.volumes) return emit(lines(Object.keys(project.volumes)));
  if (o.networks) return emit(lines(Object.keys(project.networks)));
  if (o.models) {
    const models = ((project as unknown as { models?: Record<string, { model?: string }> }).models ?? {});
    return emit(lines(Object.entries(models).map(([k, m]) => m.model ?? k)));
  }
  if (o.images) return emit(lines(Object.entries(project.services).map(([n, s]) => s.image ?? `${project.name}-${n}`)));
  if (o.profiles) return emit(lines([...new Set(Object.values({ ...project.services, ...project.meta.disabledServices }).flatMap((s) => s.profiles ?? []))].sort()));
  return emit(serializeConfig(project, o.format, { escape: interpolate }));
}

function withoutUnused(p: Project): Project {
  const { secrets = {}, configs = {}, ...rest } = p;
  // the model parts as the loader's stages see them (plain trees)
  const kept = withoutUnusedResources({ services: p.services, networks: p.networks, volumes: p.volumes, secrets, configs } as unknown as ModelParts);
  return {
    ...rest,
    networks: kept.networks,
    volumes: kept.volumes,
    ...(Object.keys(kept.secrets).length ? { secrets: kept.secrets } : {}),
    ...(Object.keys(kept.configs).length ? { configs: kept.configs } : {}),
    // the loader's own stage on its own model: what it keeps has the types it was given
  } as unknown as Project;
}
