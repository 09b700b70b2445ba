import { createHash } from 'node:crypto';
import type { ServiceConfig } from './types.js';

/** JSON with object keys sorted, so equal configs hash equally whatever order they were written in. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * The config hash stored in `com.docker.compose.config-hash`. Like compose, it leaves out what does not
 * shape the container itself (build, pull policy, scale, replicas, depends_on, profiles), so changing those
 * never recreates a container.
 */
export function serviceConfigHash(service: ServiceConfig): string {
  const { build: _b, pull_policy: _p, scale: _s, depends_on: _d, profiles: _pr, ...rest } = service;
  let shaped: Record<string, unknown> = rest;
  if (rest.deploy && typeof rest.deploy === 'object') {
    const { replicas: _r, ...deploy } = rest.deploy as Record<string, unknown>;
    shaped = { ...rest, deploy };
  }
  return createHash('sha256').update(stableJson(shaped)).digest('hex');
}
