// Helpers for end-to-end tests: run the built CLI, make unique project names, clean up by label.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, inject } from 'vitest';
import { createDockerEngine } from '../../src/engine/dockerode/index.js';
import { projectFilter } from '../../src/model/labels.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const berthBin = join(repoRoot, 'bin', 'berth.js');

/** `describe` when an engine answers, `describe.skip` otherwise (global setup fails first in CI). */
export const describeEngine: typeof describe = (inject('engineAvailable') ? describe : describe.skip) as typeof describe;

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(cmd: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: { ...process.env, CI: '', NO_COLOR: '1', ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 110_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    // a child that exits without reading its stdin must not fail the test with EPIPE
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

export function berth(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return run(process.execPath, ['--', berthBin, ...args], options);
}

export function composeRef(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return run('compose-ref', args, options);
}

export function docker(args: readonly string[]): Promise<RunResult> {
  return run('docker', args);
}

export function uniqueProject(prefix: string): string {
  return `berth-e2e-${prefix}-${randomBytes(3).toString('hex')}`;
}

/** A temporary project directory holding the given files. */
export async function projectDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-e2e-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolvePromise(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export interface Leftovers {
  readonly containers: string[];
  readonly networks: string[];
  readonly volumes: string[];
}

/** What the engine still holds with the project's label. */
export async function leftovers(project: string): Promise<Leftovers> {
  const engine = createDockerEngine();
  const filter = { labels: [projectFilter(project)] };
  const [c, n, v] = await Promise.all([engine.listContainers({ ...filter, all: true }), engine.listNetworks(filter), engine.listVolumes(filter)]);
  return { containers: c.map((x) => x.name).sort(), networks: n.map((x) => x.name).sort(), volumes: v.map((x) => x.name).sort() };
}

/** Remove everything labelled with the project, whatever state a failed test left it in. */
export async function cleanup(project: string, dir?: string): Promise<void> {
  const engine = createDockerEngine();
  const filter = { labels: [projectFilter(project)] };
  const containers = await engine.listContainers({ ...filter, all: true });
  await Promise.all(containers.map((c) => engine.removeContainer(c.id, { force: true, volumes: true }).catch(() => undefined)));
  const networks = await engine.listNetworks(filter);
  await Promise.all(networks.map((n) => engine.removeNetwork(n.id).catch(() => undefined)));
  const volumes = await engine.listVolumes(filter);
  await Promise.all(volumes.map((v) => engine.removeVolume(v.name, { force: true }).catch(() => undefined)));
  // images the project built (berth and compose label them with the project), the ones a rebuild left
  // untagged included: a test that builds the same tag twice must not leave the first image behind
  const images = await run('docker', ['images', '-a', '-q', '--no-trunc', '--filter', `label=${projectFilter(project)}`]);
  const ids = [...new Set(images.stdout.split('\n').filter(Boolean))];
  await Promise.all(ids.map((id) => engine.removeImage(id, { force: true }).catch(() => undefined)));
  if (dir) await rm(dir, { recursive: true, force: true });
}
