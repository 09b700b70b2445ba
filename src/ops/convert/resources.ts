// HostConfig resource fields: memory, CPU, block IO, devices, ulimits.
import type { Dict, ServiceConfig } from '../../model/types.js';
import { parseByteSize } from '../../model/units.js';
import { bytes, list, micros, nanoCpus, nonEmpty, num } from './values.js';

// ---- resources

interface DeployResources {
  readonly limits?: { readonly cpus?: number | string; readonly memory?: number | string; readonly pids?: number };
  readonly reservations?: {
    readonly memory?: number | string;
    readonly devices?: readonly { capabilities?: string[]; count?: number | string; device_ids?: string[]; driver?: string; options?: Dict<string> }[];
  };
}

function blkioDevices(v: unknown, key: 'Weight' | 'Rate'): { Path: string; Weight?: number; Rate?: number }[] | undefined {
  if (!Array.isArray(v) || !v.length) return undefined;
  return v.map((d: Record<string, unknown>) => {
    const path = String(d.path ?? d.Path);
    const value = d[key.toLowerCase()] ?? d[key];
    return key === 'Weight' ? { Path: path, Weight: num(value) ?? 0 } : { Path: path, Rate: parseByteSize(value as string | number) };
  });
}

function deviceMapping(d: unknown): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  if (typeof d === 'string') {
    const [src, dst, perm] = d.split(':');
    return { PathOnHost: src, PathInContainer: dst || src, CgroupPermissions: perm || 'rwm' };
  }
  const o = d as { source?: string; target?: string; permissions?: string };
  return { PathOnHost: o.source ?? '', PathInContainer: o.target || o.source || '', CgroupPermissions: o.permissions || 'rwm' };
}

/** HostConfig resource fields: the service's own keys, then deploy.resources limits/reservations over them. */
export function resources(service: ServiceConfig): Record<string, unknown> {
  const s = service as Record<string, unknown>;
  const r: Record<string, unknown> = {
    CgroupParent: s.cgroup_parent,
    Memory: bytes(s.mem_limit),
    MemorySwap: s.memswap_limit === undefined ? undefined : parseByteSize(s.memswap_limit as string | number),
    MemorySwappiness: num(s.mem_swappiness) || undefined,
    MemoryReservation: bytes(s.mem_reservation),
    OomKillDisable: s.oom_kill_disable,
    CpuCount: num(s.cpu_count) || undefined,
    CpuPeriod: num(s.cpu_period) || undefined,
    CpuQuota: num(s.cpu_quota) || undefined,
    CpuRealtimePeriod: micros(s.cpu_rt_period) || undefined,
    CpuRealtimeRuntime: micros(s.cpu_rt_runtime) || undefined,
    CpuShares: num(s.cpu_shares) || undefined,
    NanoCpus: nanoCpus(s.cpus),
    CpuPercent: num(s.cpu_percent) ? Math.trunc(Number(s.cpu_percent) * 100) : undefined,
    CpusetCpus: s.cpuset,
    DeviceCgroupRules: nonEmpty(list(s.device_cgroup_rules)),
    PidsLimit: num(s.pids_limit) || undefined,
  };
  const blkio = s.blkio_config as Record<string, unknown> | undefined;
  if (blkio) {
    r.BlkioWeight = num(blkio.weight) || undefined;
    r.BlkioWeightDevice = blkioDevices(blkio.weight_device, 'Weight');
    r.BlkioDeviceReadBps = blkioDevices(blkio.device_read_bps, 'Rate');
    r.BlkioDeviceReadIOps = blkioDevices(blkio.device_read_iops, 'Rate');
    r.BlkioDeviceWriteBps = blkioDevices(blkio.device_write_bps, 'Rate');
    r.BlkioDeviceWriteIOps = blkioDevices(blkio.device_write_iops, 'Rate');
  }
  const deploy = (service.deploy as { resources?: DeployResources } | undefined)?.resources;
  if (deploy?.limits) {
    r.Memory = bytes(deploy.limits.memory) ?? r.Memory;
    r.NanoCpus = nanoCpus(deploy.limits.cpus) ?? r.NanoCpus;
    if ((num(deploy.limits.pids) ?? 0) > 0) r.PidsLimit = num(deploy.limits.pids);
  }
  if (deploy?.reservations) {
    // CPU reservations are a swarm notion; compose maps only memory and devices
    r.MemoryReservation = bytes(deploy.reservations.memory) ?? r.MemoryReservation;
    const requests = (deploy.reservations.devices ?? []).map((d) => ({
      Driver: d.driver ?? '',
      Count: d.count === 'all' ? -1 : (num(d.count) ?? 0),
      DeviceIDs: d.device_ids ? [...d.device_ids] : undefined,
      Capabilities: [d.capabilities ? [...d.capabilities] : []],
      Options: d.options ? { ...d.options } : undefined,
    }));
    if (requests.length) r.DeviceRequests = requests;
  }
  const devices = Array.isArray(s.devices) ? s.devices.map(deviceMapping) : [];
  if (devices.length) r.Devices = devices;
  const ulimits = Object.entries((s.ulimits as Dict<number | string | { soft?: number; hard?: number }> | undefined) ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, u]) => {
      const single = typeof u === 'object' ? 0 : Number(u);
      const soft = typeof u === 'object' && u.soft ? u.soft : single;
      const hard = typeof u === 'object' && u.hard ? u.hard : single;
      return { Name: name, Soft: soft, Hard: hard };
    });
  if (ulimits.length) r.Ulimits = ulimits;
  for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k];
  return r;
}
