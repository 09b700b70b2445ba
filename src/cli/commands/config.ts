import { writeFile } from 'node:fs/promises';
import { loadProject, serializeConfig } from '../../config/index.js';
import { BerthError, ErrorCodes } from '../../model/errors.js';
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
  interpolate?: boolean;
  output?: string;
}

export async function configCommand(only: string[], o: ConfigFlags): Promise<number> {
  if (o.format !== 'yaml' && o.format !== 'json') throw new BerthError(ErrorCodes.USAGE, `unsupported format "${o.format}": use yaml or json`);
  const loaded = await loadProject({ ...loadOptions(o), interpolate: o.interpolate !== false });
  for (const s of only) if (!loaded.services[s]) throw new BerthError(ErrorCodes.NO_SUCH_SERVICE, `no such service: ${s}`);
  const project: Project = only.length ? { ...loaded, services: Object.fromEntries(only.map((s) => [s, loaded.services[s]])) } : loaded;
  if (o.quiet) return EXIT_OK;
  let text: string;
  const lines = (xs: Iterable<string>) => [...xs].map((x) => `${x}\n`).join('');
  if (o.services) text = lines(Object.keys(project.services));
  else if (o.volumes) text = lines(Object.keys(project.volumes));
  else if (o.networks) text = lines(Object.keys(project.networks));
  else if (o.images) text = lines(Object.entries(project.services).map(([n, s]) => s.image ?? `${project.name}-${n}`));
  else if (o.profiles) text = lines(new Set(Object.values({ ...project.services, ...project.meta.disabledServices }).flatMap((s) => s.profiles ?? [])));
  else text = serializeConfig(project, o.format);
  if (o.output) await writeFile(o.output, text);
  else process.stdout.write(text);
  return EXIT_OK;
}
