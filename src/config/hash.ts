// The config hash stored in com.docker.compose.config-hash, computed exactly as docker compose 2.26 does it:
// sha256 of the service's JSON with build, pull_policy, scale and deploy.replicas left out (so changing
// those never recreates a container). Being compose's own hash, a stack made by either tool is up to date
// for the other.
import { nodeCrypto } from '../model/crypto.js';
import type { ServiceConfig } from '../model/types.js';
import { composeServiceJson } from './serialize.js';

// Hashes already known for a service object: the project cache stores them with the project, so a no-op
// command neither serializes every service again nor loads node:crypto. Keyed by the object itself, so a
// service changed afterwards (a copy) is hashed afresh.
const known = new WeakMap<ServiceConfig, string>();

export function serviceConfigHash(service: ServiceConfig): string {
  const hit = known.get(service);
  if (hit !== undefined) return hit;
  const { build: _b, pull_policy: _p, scale: _s, ...rest } = service;
  let shaped: ServiceConfig = rest;
  if (rest.deploy && typeof rest.deploy === 'object' && 'replicas' in rest.deploy) {
    const { replicas: _r, ...deploy } = rest.deploy as Record<string, unknown>;
    shaped = { ...rest, deploy };
  }
  const hash = nodeCrypto().createHash('sha256').update(composeServiceJson(shaped)).digest('hex');
  known.set(service, hash);
  return hash;
}

/** Records hashes computed earlier for these very service objects (see `known`). */
export function rememberConfigHashes(services: Readonly<Record<string, ServiceConfig>>, hashes: Readonly<Record<string, string>>): void {
  for (const [name, service] of Object.entries(services)) {
    const hash = hashes[name];
    if (typeof hash === 'string') known.set(service, hash);
  }
}
