import type { Engine } from '../engine/types.js';

/** The real engine, loaded on first use: the dockerode stack costs start-up time that `config` never pays. */
export async function connectEngine(options: { host?: string } = {}): Promise<Engine> {
  const { createDockerEngine } = await import('../engine/dockerode/index.js');
  return createDockerEngine(options);
}
