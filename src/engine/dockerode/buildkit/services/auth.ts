// moby.filesync.v1.Auth: registry credentials for the builder, which pulls FROM images and imports/exports
// registry caches itself and asks the session for credentials per registry host. Answered from the Docker
// CLI configuration (auths and credential helpers), like every other pull berth makes (registry-auth.ts).
//
// Client-side token signing (GetTokenAuthority/VerifyTokenAuthority, then FetchToken) is not offered: the
// builder takes "Unavailable" as "fetch tokens yourself with the Credentials answer", which is what the
// Docker CLI's config path amounts to as well.
import { readDockerConfig, resolveAuth, type DockerConfigFile } from '../../registry-auth.js';
import { GrpcError, GrpcStatus, type GrpcServices } from '../grpc.js';
import { codec, unary } from './codec.js';

export const CREDENTIALS_PATH = '/moby.filesync.v1.Auth/Credentials';
export const FETCH_TOKEN_PATH = '/moby.filesync.v1.Auth/FetchToken';
export const GET_TOKEN_AUTHORITY_PATH = '/moby.filesync.v1.Auth/GetTokenAuthority';
export const VERIFY_TOKEN_AUTHORITY_PATH = '/moby.filesync.v1.Auth/VerifyTokenAuthority';

interface CredentialsRequest {
  Host: string;
}
interface CredentialsResponse {
  Username: string;
  Secret: string;
}
const credentialsRequest = codec<CredentialsRequest>('moby.filesync.v1.CredentialsRequest');
const credentialsResponse = codec<CredentialsResponse>('moby.filesync.v1.CredentialsResponse');
const tokenAuthorityRequest = codec<{ Host: string }>('moby.filesync.v1.GetTokenAuthorityRequest');
const tokenAuthorityResponse = codec<{ PublicKey: Uint8Array }>('moby.filesync.v1.GetTokenAuthorityResponse');
const verifyRequest = codec<{ Host: string }>('moby.filesync.v1.VerifyTokenAuthorityRequest');
const verifyResponse = codec<{ Signed: Uint8Array }>('moby.filesync.v1.VerifyTokenAuthorityResponse');
const fetchTokenRequest = codec<{ Host: string }>('moby.filesync.v1.FetchTokenRequest');
const fetchTokenResponse = codec<{ Token: string }>('moby.filesync.v1.FetchTokenResponse');

/** Docker Hub's hosts, which the CLI files under docker.io (registry-auth.ts's key for it). */
const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** `config` is read once, on the first question: a build that pulls nothing never reads it. */
export function authServices(config: () => Promise<DockerConfigFile> = () => readDockerConfig()): GrpcServices {
  let loaded: Promise<DockerConfigFile> | undefined;
  const noAuthority = () => {
    throw new GrpcError(GrpcStatus.UNAVAILABLE, 'client side tokens disabled');
  };
  return {
    [CREDENTIALS_PATH]: (call) =>
      unary(call, credentialsRequest, credentialsResponse, async ({ Host }) => {
        loaded ??= config();
        const registry = HUB_HOSTS.has(Host) ? 'docker.io' : Host;
        const auth = await resolveAuth(await loaded, registry);
        // no credentials is an empty answer (anonymous pull), not an error
        if (!auth) return { Username: '', Secret: '' };
        if (auth.identitytoken) return { Username: '', Secret: auth.identitytoken };
        return { Username: auth.username ?? '', Secret: auth.password ?? '' };
      }),
    [GET_TOKEN_AUTHORITY_PATH]: (call) => unary(call, tokenAuthorityRequest, tokenAuthorityResponse, noAuthority),
    [VERIFY_TOKEN_AUTHORITY_PATH]: (call) => unary(call, verifyRequest, verifyResponse, noAuthority),
    // only asked after GetTokenAuthority gave a key, which berth never does
    [FETCH_TOKEN_PATH]: (call) =>
      unary(call, fetchTokenRequest, fetchTokenResponse, () => {
        throw new GrpcError(GrpcStatus.UNIMPLEMENTED, 'berth fetches no tokens for the builder');
      }),
  };
}
