// Label keys and object names shared with docker compose, so each tool can manage the other's stacks.
export const Labels = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  containerNumber: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  configHash: 'com.docker.compose.config-hash',
  version: 'com.docker.compose.version',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  environmentFile: 'com.docker.compose.project.environment_file',
  dependsOn: 'com.docker.compose.depends_on',
  image: 'com.docker.compose.image',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
  replace: 'com.docker.compose.replace',
} as const;

/** The compose version berth claims in labels; compose reads nothing from it but prints it in `ls`. */
export const COMPOSE_COMPAT_VERSION = '2.26.1';

/**
 * What joins project, service and number in the names compose gives: "-", or "_" in compose's compatibility
 * mode (`--compatibility`, COMPOSE_COMPATIBILITY), compose v1's names. Like compose's api.Separator it is
 * process-wide: the CLI sets it once, before any command runs; nothing else changes it.
 */
let separator: '-' | '_' = '-';
export function setNameSeparator(value: '-' | '_'): void {
  separator = value;
}
export function nameSeparator(): '-' | '_' {
  return separator;
}

export function containerName(project: string, service: string, number: number): string {
  return [project, service, number].join(separator);
}

/** The image a service runs: its `image:`, or the name compose gives a built one, `<project>-<service>`. */
export function serviceImage(project: { readonly name: string; readonly services: Readonly<Record<string, { readonly image?: string }>> }, serviceName: string): string {
  return project.services[serviceName].image ?? `${project.name}${separator}${serviceName}`;
}

export function projectFilter(project: string): string {
  return `${Labels.project}=${project}`;
}
