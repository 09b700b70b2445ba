// The test registries of scripts/local-registry.sh: an open one and one with htpasswd auth, on loopback.
// Outside CI a missing registry skips the registry tests (with a notice); in CI it fails them.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, inject } from 'vitest';
import { docker, type RunResult } from './e2e.js';

const port = process.env.REGISTRY_PORT ?? '5000';
const authPort = process.env.REGISTRY_AUTH_PORT ?? '5001';
/** Registry hosts as image references name them. */
export const REGISTRY = `localhost:${port}`;
export const AUTH_REGISTRY = `localhost:${authPort}`;
/** Fixture credentials of the auth registry (scripts/local-registry.sh defaults). */
export const REGISTRY_USER = process.env.REGISTRY_USER ?? 'berth';
export const REGISTRY_PASSWORD = process.env.REGISTRY_PASSWORD ?? 'berth-secret';

async function answers(p: string): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${p}/v2/`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

const inCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const registriesUp = (await answers(port)) && (await answers(authPort));
if (!registriesUp && inCI) throw new Error(`no test registry answers on 127.0.0.1:${port} and :${authPort}; scripts/setup-test-env.sh starts them (scripts/local-registry.sh)`);
if (!registriesUp && inject('engineAvailable')) process.stderr.write(`registry tests skipped: start the test registries with bash scripts/local-registry.sh\n`);

/** `describe` when the engine and both test registries answer. */
export const describeRegistry: typeof describe = (inject('engineAvailable') && registriesUp ? describe : describe.skip) as typeof describe;

/** A DOCKER_CONFIG directory whose config.json holds these `auths` (registry → user, password). */
export async function dockerConfig(auths: Record<string, { user: string; password: string }>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-dockercfg-'));
  const entries = Object.fromEntries(Object.entries(auths).map(([host, a]) => [host, { auth: Buffer.from(`${a.user}:${a.password}`).toString('base64') }]));
  await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: entries }, null, 2));
  return dir;
}

/** Tags a registry repository holds (open registry), [] when it has none. */
export async function registryTags(repo: string, registryPort = port): Promise<string[]> {
  const res = await fetch(`http://127.0.0.1:${registryPort}/v2/${repo}/tags/list`);
  if (!res.ok) return [];
  const body = (await res.json()) as { tags?: string[] | null };
  return [...(body.tags ?? [])].sort();
}

/** Label a test puts on what it builds, so that images it left untagged can be found again. */
export const TEST_IMAGE_LABEL = 'berth.e2e.project';

/**
 * Remove every local image whose repository contains `fragment` (a test's unique project name), tagged or
 * left untagged by a later pull or build, and every image labelled TEST_IMAGE_LABEL=fragment.
 */
export async function removeImages(fragment: string): Promise<void> {
  const list = await docker(['images', '--format', '{{.Repository}} {{.Tag}} {{.ID}}']);
  const refs = list.stdout
    .split('\n')
    .map((l) => l.split(' '))
    .filter(([repo]) => repo?.includes(fragment))
    .map(([repo, tag, id]) => (tag === '<none>' ? id : `${repo}:${tag}`));
  const labelled = (await docker(['images', '-q', '--filter', `label=${TEST_IMAGE_LABEL}=${fragment}`])).stdout.split('\n').filter(Boolean);
  const all = [...new Set([...refs, ...labelled])];
  if (all.length) await docker(['rmi', '-f', ...all]);
}

/** Image id of a local image, '' when missing. */
export async function imageId(ref: string): Promise<string> {
  const r = await docker(['image', 'inspect', '-f', '{{.Id}}', ref]);
  return r.code === 0 ? r.stdout.trim() : '';
}

/** Events of a `--progress json` run (stderr), resource events only. */
export function progressEvents(stderr: string): { id: string; kind: string; name: string; service?: string; state: string; status: string; detail?: string }[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.type === 'resource') as never;
}

/** Run a command with stdin text; a child that exits without reading stdin is not an error (no EPIPE). */
export function exec(cmd: string, args: readonly string[], input = '', env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}
