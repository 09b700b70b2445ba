// Sessions: everything a Stack creates carries a session label (and the pid that made it), so objects left
// behind by a test process that died can be found and removed later: `berth down --session <id>`, or
// `prune()` for every session whose process is gone.
import type { Engine } from '../engine/types.js';
import { alive } from './lock.js';
import { Labels } from '../model/labels.js';
import type { Project } from '../model/types.js';

export const SessionLabels = {
  session: 'dev.berth.session',
  pid: 'dev.berth.session.pid',
} as const;

/** The project with the session labels on every service, network and volume berth would create. */
export function withSessionLabels(project: Project, session: string, pid = process.pid): Project {
  const labels = { [SessionLabels.session]: session, [SessionLabels.pid]: String(pid) };
  return {
    ...project,
    services: Object.fromEntries(Object.entries(project.services).map(([k, s]) => [k, { ...s, labels: { ...(s.labels ?? {}), ...labels } }])),
    networks: Object.fromEntries(Object.entries(project.networks).map(([k, n]) => [k, n.external ? n : { ...n, labels: { ...(n.labels ?? {}), ...labels } }])),
    volumes: Object.fromEntries(Object.entries(project.volumes).map(([k, v]) => [k, v.external ? v : { ...v, labels: { ...(v.labels ?? {}), ...labels } }])),
  };
}

export interface PruneOptions {
  /** Remove this session's objects; without it, those of every session whose process is no longer alive. */
  readonly session?: string;
  /** Also remove the sessions' volumes (named and anonymous). Default true: sessions are throwaway stacks. */
  readonly volumes?: boolean;
}

export interface PruneResult {
  readonly containers: readonly string[];
  readonly networks: readonly string[];
  readonly volumes: readonly string[];
}

/** Remove what sessions left behind. Only objects labelled with a berth session (and a compose project) are touched. */
export async function prune(engine: Engine, options: PruneOptions = {}): Promise<PruneResult> {
  const filter = { labels: [options.session ? `${SessionLabels.session}=${options.session}` : SessionLabels.session, Labels.project] };
  const dead = (labels: Readonly<Record<string, string>>) => options.session !== undefined || !alive(Number(labels[SessionLabels.pid] ?? 0));
  const containers = (await engine.listContainers({ ...filter, all: true })).filter((c) => dead(c.labels));
  await Promise.all(containers.map((c) => engine.removeContainer(c.id, { force: true, volumes: options.volumes ?? true }).catch(() => undefined)));
  const networks = (await engine.listNetworks(filter)).filter((n) => dead(n.labels));
  const removedNetworks: string[] = [];
  await Promise.all(
    networks.map(async (n) => {
      for (let i = 0; i < 10; i++) {
        try {
          await engine.removeNetwork(n.id);
          removedNetworks.push(n.name);
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 100 * (i + 1)));
        }
      }
    }),
  );
  const volumes = options.volumes ?? true ? (await engine.listVolumes(filter)).filter((v) => dead(v.labels)) : [];
  await Promise.all(volumes.map((v) => engine.removeVolume(v.name, { force: true }).catch(() => undefined)));
  return { containers: containers.map((c) => c.name), networks: removedNetworks, volumes: volumes.map((v) => v.name) };
}
