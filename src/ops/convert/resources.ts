// HostConfig resource fields: memory, CPU, block IO, devices, ulimits.
import type { BlkioLimit, BlkioWeight, DeviceMapping, ListOrDict, ServiceConfig } from '../../model/types.js';
import { parseByteSize } from '../../model/units.js';
import { bytes, dict, list, micros, nanoCpus, nonEmpty, num } from './values.js';

// ---- resources

function blkioRates(v: readonly BlkioLimit[] | undefined): { Path: string; Rate: number }[] | undefined {
  if (!v?.length) return undefined;
  return v.map((d) => ({ Path: d.path, Rate: parseByteSize(d.rate) }));
}

function blkioWeights(v: readonly BlkioWeight[] | undefined): { Path: string; Weight: number }[] | undefined {
  if (!v?.length) return undefined;
  return v.map((d) => ({ Path: d.path, Weight: num(d.weight) ?? 0 }));
}

function deviceMapping(d: DeviceMapping): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  return { PathOnHost: d.source ?? '', PathInContainer: d.target || d.source || '', CgroupPermissions: d.permissions || 'rwm' };
}

/** HostConfig resource fields: the service's own keys, then deploy.resources limits/reservations over them. */
export function resources(service: ServiceConfig): Record<string, unknown> {
  const s = service;
  const r: Record<string, unknown> = {
    CgroupParent: s.cgroup_parent,
    Memory: bytes(s.mem_limit),
    MemorySwap: s.memswap_limit === undefined ? undefined : parseByteSize(s.memswap_limit),
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
  const blkio = s.blkio_config;
  if (blkio) {
    r.BlkioWeight = num(blkio.weight) || undefined;
    r.BlkioWeightDevice = blkioWeights(blkio.weight_device);
    r.BlkioDeviceReadBps = blkioRates(blkio.device_read_bps);
    r.BlkioDeviceReadIOps = blkioRates(blkio.device_read_iops);
    r.BlkioDeviceWriteBps = blkioRates(blkio.device_write_bps);
    r.BlkioDeviceWriteIOps = blkioRates(blkio.device_write_iops);
  }
  const deploy = service.deploy?.resources;
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
      Options: optionMap(d.options),
    }));
    if (requests.length) r.DeviceRequests = requests;
  }
  const devices = (s.devices ?? []).map(deviceMapping);
  if (devices.length) r.Devices = devices;
  const ulimits = Object.entries(s.ulimits ?? {})
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

/** A device request's options: a map, or `KEY=VALUE` entries (the loader keeps either as written). */
function optionMap(v: ListOrDict | undefined): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isEntryList(v)) return dict(v);
  return Object.fromEntries(v.map((e) => (e.includes('=') ? [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] : [e, ''])));
}

const isEntryList = (v: ListOrDict): v is readonly string[] => Array.isArray(v);
