// `pre_start` hooks (Compose Specification; docker/compose pkg/compose/pre_start.go, compose 5.x): init
// containers run to completion, in declared order, before a service's container starts. Each one is an
// ephemeral container of the hook's image (the loader gives it the service's image when it names none), with
// the service's environment plus its own, the service's volumes (volumes_from the container about to start)
// and networks, labelled with the project, the service and com.docker.compose.hook=pre_start. They run once
// per service, and only when no container of the service is running (a first up, a recreate, a stopped
// stack), not before each replica (per_replica: true is refused, as compose refuses it). A failing hook stops
// the service's start and its dependents; its container is kept for `docker logs`, and removed by the next run
// of the hooks or by down. A successful hook's container is removed.
import type { Engine } from '../engine/types.js';
import { ErrorCodes, OperationError } from '../model/errors.js';
import { COMPOSE_COMPAT_VERSION, Labels, projectFilter, serviceImage } from '../model/labels.js';
import type { Project, ServiceHook } from '../model/types.js';
import { networkName, serviceNetworks } from './convert.js';
import { outputTail } from './hooks.js';

export const HOOK_LABEL = 'com.docker.compose.hook';

/** A pre_start hook as the loader gives it (canonicalHook): command a list, environment a map. */
export type PreStartHook = ServiceHook;

export function preStartHooks(project: Project, service: string): readonly PreStartHook[] {
  return project.services[service]?.pre_start ?? [];
}

const envList = (env: Readonly<Record<string, string | null>> | undefined): string[] => {
  if (!env) return [];
  return Object.entries(env).map(([k, v]) => (v === null || v === undefined ? k : `${k}=${String(v)}`));
};

/** Runs the service's pre_start hooks in order; `anchor` is the container about to start (its volumes are shared). */
export async function runPreStart(engine: Engine, project: Project, service: string, anchor: string): Promise<void> {
  const hooks = preStartHooks(project, service);
  hooks.forEach((h, i) => {
    if (h.per_replica === true || h.per_replica === 'true') {
      throw new OperationError(ErrorCodes.HOOK_FAILED, `service "${service}" pre_start[${i}]: per_replica is not yet supported; remove per_replica or set it to false`, { service });
    }
  });
  // a failed run's container, kept for inspection, goes now
  const stale = await engine.listContainers({ all: true, labels: [projectFilter(project.name), `${Labels.service}=${service}`, `${HOOK_LABEL}=pre_start`] });
  await Promise.all(stale.map((c) => engine.removeContainer(c.id, { force: true, volumes: true }).catch(() => undefined)));
  for (const [i, hook] of hooks.entries()) await runOne(engine, project, service, anchor, i, hook);
}

async function runOne(engine: Engine, project: Project, service: string, anchor: string, index: number, hook: PreStartHook): Promise<void> {
  const svc = project.services[service];
  const networks = svc.network_mode ? [] : serviceNetworks(svc);
  const privileged = hook.privileged === true || hook.privileged === 'true';
  const { id } = await engine.createContainer({
    // no name: the engine makes one, as for compose's hook containers
    name: '',
    Image: hook.image ?? serviceImage(project, service),
    Cmd: hook.command ? [...hook.command] : undefined,
    User: hook.user || undefined,
    WorkingDir: hook.working_dir || undefined,
    Env: [...envList(svc.environment), ...envList(hook.environment)],
    Labels: { [Labels.project]: project.name, [Labels.service]: service, [Labels.version]: COMPOSE_COMPAT_VERSION, [HOOK_LABEL]: 'pre_start' },
    HostConfig: {
      Privileged: privileged || undefined,
      VolumesFrom: [anchor],
      NetworkMode: svc.network_mode ?? (networks.length ? networkName(project, networks[0]) : undefined),
    },
  });
  try {
    // API 1.41 takes one network at create time; the hook reaches the others too (its depends_on services)
    for (const key of networks.slice(1)) await engine.connectNetwork(networkName(project, key), id, {});
    const exited = engine.waitContainer(id, 'next-exit');
    await engine.startContainer(id);
    const { exitCode } = await exited;
    if (exitCode === 0) {
      await engine.removeContainer(id, { volumes: true }).catch(() => undefined);
      return;
    }
    const logs = await engine.containerLogs(id).catch(() => '');
    const tail = outputTail(logs);
    throw new OperationError(
      ErrorCodes.HOOK_FAILED,
      `service "${service}" pre_start[${index}] exited with code ${exitCode}${tail ? `: ${tail}` : ''} (hook container ${id.slice(0, 12)} retained for inspection)`,
      { service },
    );
  } catch (err) {
    // a container that never ran is no use to inspect
    if (!(err instanceof OperationError)) await engine.removeContainer(id, { force: true, volumes: true }).catch(() => undefined);
    throw err;
  }
}
