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

export function containerName(project: string, service: string, number: number): string {
  return `${project}-${service}-${number}`;
}

export function projectFilter(project: string): string {
  return `${Labels.project}=${project}`;
}
