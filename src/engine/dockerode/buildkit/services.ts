// The session services besides file sync (secrets, ssh forwarding, registry auth) a build's request needs.
// File sync is always served (build.ts); each further service adds its gRPC paths here.
import type { BuildKitRequest } from '../../types.js';
import type { GrpcServices } from './grpc.js';

export async function sessionServices(_request: BuildKitRequest): Promise<GrpcServices> {
  return {};
}
