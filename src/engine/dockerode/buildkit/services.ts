// The session services besides file sync (secrets, ssh forwarding, registry auth) a build's request needs.
// File sync is always served (build.ts). Registry auth is always offered (the builder asks per registry it
// pulls from); secrets and ssh only when the build has some. `close` releases what the services hold (ssh
// agents berth started for key files) once the build is over.
import type { BuildKitRequest } from '../../types.js';
import type { DockerConfigFile } from '../registry-auth.js';
import type { GrpcServices } from './grpc.js';
import { authServices } from './services/auth.js';
import { secretsServices } from './services/secrets.js';
import { sshServices } from './services/ssh.js';

export interface SessionServices {
  readonly services: GrpcServices;
  close(): Promise<void>;
}

export interface SessionServicesOptions {
  /** The Docker CLI config for registry credentials; read from $DOCKER_CONFIG when absent. */
  readonly dockerConfig?: () => Promise<DockerConfigFile>;
  /** For SSH_AUTH_SOCK. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Checks the secrets' files and the ssh sources up front (a wrong path fails before the build starts). */
export async function sessionServices(request: Pick<BuildKitRequest, 'secrets' | 'ssh'>, o: SessionServicesOptions = {}): Promise<SessionServices> {
  const secrets = await secretsServices(request.secrets ?? []);
  const ssh = await sshServices(request.ssh ?? [], o.env);
  return { services: { ...authServices(o.dockerConfig), ...secrets, ...ssh.services }, close: ssh.close };
}
