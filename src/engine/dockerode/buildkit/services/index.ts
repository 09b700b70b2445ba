// The session services berth offers a BuildKit build besides file sync: secrets, ssh forwarding and
// registry auth. One call gives the services for one build and a `close` that releases what they hold
// (ssh agents berth started); the session (../session.ts) exposes the paths and calls `close` at its end.
import type { BuildSecret, BuildSshAgent } from '../../../types.js';
import type { DockerConfigFile } from '../../registry-auth.js';
import type { GrpcServices } from '../grpc.js';
import { authServices } from './auth.js';
import { secretsServices } from './secrets.js';
import { sshServices } from './ssh.js';

export interface BuildServicesOptions {
  readonly secrets?: readonly BuildSecret[];
  readonly ssh?: readonly BuildSshAgent[];
  /** The Docker CLI config for registry credentials; read from $DOCKER_CONFIG when absent. */
  readonly dockerConfig?: () => Promise<DockerConfigFile>;
  readonly env?: NodeJS.ProcessEnv;
}

export interface BuildServices {
  readonly services: GrpcServices;
  close(): Promise<void>;
}

export async function buildServices(o: BuildServicesOptions): Promise<BuildServices> {
  const secrets = await secretsServices(o.secrets ?? []);
  const ssh = await sshServices(o.ssh ?? [], o.env);
  return { services: { ...authServices(o.dockerConfig), ...secrets, ...ssh.services }, close: ssh.close };
}
