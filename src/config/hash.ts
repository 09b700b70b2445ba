// The config hash stored in com.docker.compose.config-hash, computed exactly as docker compose 2.26 does it:
// sha256 of the service's JSON with build, pull_policy, scale and deploy.replicas left out (so changing
// those never recreates a container). Being compose's own hash, a stack made by either tool is up to date
// for the other.
import { createHash } from 'node:crypto';
import type { ServiceConfig } from '../model/types.js';
import { composeServiceJson } from './serialize.js';

export function serviceConfigHash(service: ServiceConfig): string {
  const { build: _b, pull_policy: _p, scale: _s, ...rest } = service;
  let shaped: ServiceConfig = rest;
  if (rest.deploy && typeof rest.deploy === 'object' && 'replicas' in rest.deploy) {
    const { replicas: _r, ...deploy } = rest.deploy as Record<string, unknown>;
    shaped = { ...rest, deploy };
  }
  return createHash('sha256').update(composeServiceJson(shaped)).digest('hex');
}
