// Swarm-mode calls (services, tasks, nodes, secrets, configs) over the same request/response channel as the
// container calls. Kept apart from engine.ts so that file's container half stays as it is.
import type { NodeInfo, ServiceInfo, ServiceSpec, ServiceWriteOptions, SwarmObjectCreateRequest, SwarmObjectInfo, SwarmState, TaskInfo } from '../types.js';
import type { HttpCall } from './http.js';
import { encodeAuthHeader, readDockerConfig, registryOf, resolveAuth } from './registry-auth.js';

type Json = Record<string, any>;
export type Dial = <T = Json>(o: HttpCall) => Promise<T>;

const enc = encodeURIComponent;

function filters(f: { labels?: readonly string[]; names?: readonly string[]; services?: readonly string[] }): Record<string, unknown> {
  const out: Record<string, string[]> = {};
  if (f.labels?.length) out.label = [...f.labels];
  if (f.names?.length) out.name = [...f.names];
  if (f.services?.length) out.service = [...f.services];
  return Object.keys(out).length ? { filters: out } : {};
}

function toService(s: Json): ServiceInfo {
  return {
    id: String(s.ID),
    version: Number(s.Version?.Index ?? 0),
    spec: s.Spec as ServiceSpec,
    ...(s.PreviousSpec ? { previousSpec: s.PreviousSpec as ServiceSpec } : {}),
    ...(s.UpdateStatus ? { updateStatus: s.UpdateStatus } : {}),
    createdAt: String(s.CreatedAt ?? ''),
    updatedAt: String(s.UpdatedAt ?? ''),
  };
}

function toTask(t: Json): TaskInfo {
  return {
    id: String(t.ID),
    serviceId: String(t.ServiceID ?? ''),
    nodeId: String(t.NodeID ?? ''),
    ...(t.Slot !== undefined ? { slot: Number(t.Slot) } : {}),
    desiredState: String(t.DesiredState ?? ''),
    state: String(t.Status?.State ?? ''),
    message: String(t.Status?.Message ?? ''),
    ...(t.Status?.Err ? { error: String(t.Status.Err) } : {}),
    ...(t.Status?.ContainerStatus?.ContainerID ? { containerId: String(t.Status.ContainerStatus.ContainerID) } : {}),
    image: String(t.Spec?.ContainerSpec?.Image ?? ''),
    timestamp: String(t.Status?.Timestamp ?? ''),
    ...(t.Version?.Index !== undefined ? { specVersion: Number(t.Version.Index) } : {}),
    ...(t.Spec ? { spec: t.Spec } : {}),
  };
}

function toNode(n: Json): NodeInfo {
  return {
    id: String(n.ID),
    hostname: String(n.Description?.Hostname ?? ''),
    addr: String(n.Status?.Addr ?? ''),
    state: String(n.Status?.State ?? ''),
    availability: String(n.Spec?.Availability ?? ''),
    role: String(n.Spec?.Role ?? ''),
  };
}

const toObject = (o: Json): SwarmObjectInfo => ({ id: String(o.ID), name: String(o.Spec?.Name ?? ''), labels: o.Spec?.Labels ?? {} });

/** The X-Registry-Auth header for the spec's image, as `docker service create --with-registry-auth` sends it. */
async function authHeaders(spec: ServiceSpec, options?: ServiceWriteOptions): Promise<Record<string, string> | undefined> {
  if (!options?.withRegistryAuth) return undefined;
  const image = String((spec.TaskTemplate as Json | undefined)?.ContainerSpec?.Image ?? '');
  const auth = await resolveAuth(await readDockerConfig(), registryOf(image));
  return auth ? { 'X-Registry-Auth': encodeAuthHeader(auth) } : undefined;
}

function warningsOf(r: Json | undefined): { warnings?: string[] } {
  const w: string[] = Array.isArray(r?.Warnings) ? r.Warnings.filter((x: unknown) => x) : [];
  return w.length ? { warnings: w } : {};
}

export class SwarmCalls {
  constructor(private readonly dial: Dial) {}

  async swarmState(): Promise<SwarmState> {
    const i = await this.dial({ path: '/info', method: 'GET', ok: [200] });
    return { localNodeState: String(i.Swarm?.LocalNodeState ?? 'inactive'), controlAvailable: !!i.Swarm?.ControlAvailable, nodeId: String(i.Swarm?.NodeID ?? '') };
  }

  async listServices(f: { labels?: readonly string[]; names?: readonly string[] }): Promise<ServiceInfo[]> {
    const list = await this.dial<Json[]>({ path: '/services', method: 'GET', ok: [200], query: filters(f) });
    const all = (list ?? []).map(toService);
    // the engine's name filter matches prefixes; exact names only
    return f.names?.length ? all.filter((s) => f.names!.includes(s.spec.Name)) : all;
  }

  async inspectService(idOrName: string): Promise<ServiceInfo | undefined> {
    try {
      return toService(await this.dial({ path: `/services/${enc(idOrName)}`, method: 'GET', ok: [200], query: { insertDefaults: 'false' } }));
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404 || /not found|404/i.test(String((err as Error).message))) return undefined;
      throw err;
    }
  }

  async createService(spec: ServiceSpec, options?: ServiceWriteOptions): Promise<{ id: string; warnings?: string[] }> {
    const headers = await authHeaders(spec, options);
    const r = await this.dial({ path: '/services/create', method: 'POST', ok: [200, 201], body: spec, ...(headers ? { headers } : {}) });
    return { id: String(r.ID), ...warningsOf(r) };
  }

  async updateService(id: string, version: number, spec: ServiceSpec, options?: ServiceWriteOptions): Promise<{ warnings?: string[] }> {
    const headers = await authHeaders(spec, options);
    const r = await this.dial({ path: `/services/${enc(id)}/update`, method: 'POST', ok: [200], query: { version }, body: spec, ...(headers ? { headers } : {}) });
    return warningsOf(r);
  }

  async removeService(idOrName: string): Promise<void> {
    await this.dial({ path: `/services/${enc(idOrName)}`, method: 'DELETE', ok: [200, 204] });
  }

  async listTasks(f: { services?: readonly string[]; labels?: readonly string[] }): Promise<TaskInfo[]> {
    const list = await this.dial<Json[]>({ path: '/tasks', method: 'GET', ok: [200], query: filters(f) });
    return (list ?? []).map(toTask);
  }

  async listNodes(): Promise<NodeInfo[]> {
    const list = await this.dial<Json[]>({ path: '/nodes', method: 'GET', ok: [200] });
    return (list ?? []).map(toNode);
  }

  async listObjects(kind: 'secrets' | 'configs', f: { labels?: readonly string[] }): Promise<SwarmObjectInfo[]> {
    const list = await this.dial<Json[]>({ path: `/${kind}`, method: 'GET', ok: [200], query: filters(f) });
    return (list ?? []).map(toObject);
  }

  async createObject(kind: 'secrets' | 'configs', r: SwarmObjectCreateRequest): Promise<{ id: string }> {
    const res = await this.dial({ path: `/${kind}/create`, method: 'POST', ok: [200, 201], body: { Name: r.Name, Labels: r.Labels ?? {}, Data: r.Data.toString('base64') } });
    return { id: String(res.ID) };
  }

  async removeObject(kind: 'secrets' | 'configs', idOrName: string): Promise<void> {
    await this.dial({ path: `/${kind}/${enc(idOrName)}`, method: 'DELETE', ok: [200, 204] });
  }
}
