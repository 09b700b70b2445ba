// A local swarm for the stack tests: scripts/swarm-cluster.sh up N, torn down by down. Each node is a dockerd
// in its own network namespace; the main engine is never touched. Needs root (namespaces, a bridge).
import { join } from 'node:path';
import { repoRoot, run } from './e2e.js';

export interface Swarm {
  readonly manager: string;
  readonly nodes: readonly string[];
  readonly dir: string;
  down(): Promise<void>;
}

const script = join(repoRoot, 'scripts', 'swarm-cluster.sh');

export async function swarmUp(nodes: number, dir: string): Promise<Swarm> {
  const r = await run('bash', [script, 'up', String(nodes), dir], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`swarm-cluster.sh up ${nodes} failed:\n${r.stdout}${r.stderr}`);
  const vars = Object.fromEntries(r.stdout.trim().split('\n').map((l) => { const i = l.indexOf('='); return [l.slice(0, i), l.slice(i + 1).replace(/^"|"$/g, '')]; }));
  return {
    manager: vars.SWARM_MANAGER,
    nodes: vars.SWARM_NODES.split(' '),
    dir,
    down: async () => {
      const d = await run('bash', [script, 'down', dir], { timeoutMs: 120_000 });
      if (d.code !== 0) throw new Error(`swarm-cluster.sh down failed:\n${d.stderr}`);
    },
  };
}

/** Is this process able to make network namespaces (root)? The reason is printed when a suite skips. */
export function swarmPossible(): { ok: boolean; reason: string } {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'the swarm tests start dockerd in network namespaces, which needs root' };
  return { ok: true, reason: '' };
}

export const dockerAt = (host: string, args: readonly string[]) => run('docker', ['-H', host, ...args], { timeoutMs: 110_000 });
