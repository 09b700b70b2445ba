// The com.docker.compose.* labels of a service container.
import { serviceConfigHash } from '../../config/hash.js';
import { COMPOSE_COMPAT_VERSION, Labels } from '../../model/labels.js';
import type { ServiceConfig } from '../../model/types.js';
import type { ContainerSpecInput } from './input.js';

export function dependsOnLabel(service: ServiceConfig): string {
  return Object.entries(service.depends_on ?? {})
    .map(([name, d]) => `${name}:${d.condition}:${d.restart ?? false}`)
    .sort()
    .join(',');
}

export function containerLabels(input: ContainerSpecInput): Record<string, string> {
  const { project, serviceName, number } = input;
  const service = project.services[serviceName];
  const labels: Record<string, string> = {
    ...(service.labels ?? {}),
    [Labels.configHash]: serviceConfigHash(service),
    [Labels.containerNumber]: String(number),
    [Labels.dependsOn]: dependsOnLabel(service),
    [Labels.oneoff]: 'False',
    [Labels.project]: project.name,
    [Labels.workingDir]: project.meta.workingDir,
    [Labels.configFiles]: project.meta.composeFiles.join(','),
    [Labels.service]: serviceName,
    [Labels.version]: COMPOSE_COMPAT_VERSION,
  };
  if (input.imageId) labels[Labels.image] = input.imageId;
  return labels;
}
