// moby.buildkit.secrets.v1.Secrets: the builder asks for a secret by id when a step mounts it
// (`RUN --mount=type=secret,id=…`); berth answers from compose's `build.secrets` sources. The value is read
// from its file at the moment it is asked for (as BuildKit's own file store does) and only ever travels on
// the session: it is never logged, printed or written to disk.
import { promises as fsp } from 'node:fs';
import type { BuildSecret } from '../../../types.js';
import { GrpcError, GrpcStatus, type GrpcServices } from '../grpc.js';
import { codec, unary } from './codec.js';

export const GET_SECRET_PATH = '/moby.buildkit.secrets.v1.Secrets/GetSecret';

/** BuildKit's own limit (secretsprovider.MaxSecretSize): the builder refuses larger secrets. */
export const MAX_SECRET_SIZE = 500 * 1024;

interface GetSecretRequest {
  ID: string;
  annotations: Record<string, string>;
}
interface GetSecretResponse {
  data: Uint8Array;
}
const request = codec<GetSecretRequest>('moby.buildkit.secrets.v1.GetSecretRequest');
const response = codec<GetSecretResponse>('moby.buildkit.secrets.v1.GetSecretResponse');

/**
 * Checks every file source before the build starts (a missing or oversized file fails the build up front,
 * as compose's secret store does), then serves the secrets. A later id wins over an earlier one.
 */
export async function secretsServices(secrets: readonly BuildSecret[]): Promise<GrpcServices> {
  if (secrets.length === 0) return {};
  const byId = new Map<string, BuildSecret>();
  for (const s of secrets) {
    if (!s.id) throw new Error('build secret without an id');
    if ('file' in s) {
      let size: number;
      try {
        size = (await fsp.stat(s.file)).size;
      } catch (err) {
        throw new Error(`secret "${s.id}": cannot read ${s.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      if (size > MAX_SECRET_SIZE) throw new Error(`secret "${s.id}": ${s.file} is ${size} bytes, more than BuildKit's limit of ${MAX_SECRET_SIZE}`);
    }
    byId.set(s.id, s);
  }
  return {
    [GET_SECRET_PATH]: (call) =>
      unary(call, request, response, async ({ ID }) => {
        const s = byId.get(ID);
        if (!s) throw new GrpcError(GrpcStatus.NOT_FOUND, `secret ${ID} not found`);
        const data = 'file' in s ? await readSecretFile(s.id, s.file) : Buffer.from(s.value, 'utf8');
        if (data.length > MAX_SECRET_SIZE) throw new GrpcError(GrpcStatus.INVALID_ARGUMENT, `invalid secret size ${data.length}`);
        return { data };
      }),
  };
}

async function readSecretFile(id: string, file: string): Promise<Buffer> {
  try {
    return await fsp.readFile(file);
  } catch (err) {
    // the path is the user's own configuration, the content is not echoed
    throw new GrpcError(GrpcStatus.NOT_FOUND, `secret ${id}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}
