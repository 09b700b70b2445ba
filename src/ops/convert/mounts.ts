// Volumes and mounts: project volume create requests, and a service's Binds and Mounts.
import type { Mount, VolumeCreateRequest } from '../../engine/types.js';
import { COMPOSE_COMPAT_VERSION, Labels } from '../../model/labels.js';
import type { Project, ServiceVolume } from '../../model/types.js';
import { fileObjectTarget, fileRefs } from './files.js';
import type { ContainerSpecInput } from './input.js';
import { volumeName } from './networks.js';
import { bytes } from './values.js';

/** The volume create request compose sends for a project volume (labels included). */
export function volumeCreateRequest(project: Project, key: string): VolumeCreateRequest {
  const vol = project.volumes[key];
  return {
    Name: volumeName(project, key),
    Driver: vol.driver,
    DriverOpts: vol.driver_opts ? { ...vol.driver_opts } : undefined,
    Labels: { ...(vol.labels ?? {}), [Labels.project]: project.name, [Labels.version]: COMPOSE_COMPAT_VERSION, [Labels.volume]: key },
  };
}

// ---- mounts

/** The short-syntax string compose gives the Binds API: `src:dst:rw|ro[,selinux][,propagation][,nocopy]`. */
function bindString(source: string, v: ServiceVolume): string {
  const opts = [v.read_only ? 'ro' : 'rw'];
  if (v.bind?.selinux) opts.push(v.bind.selinux);
  if (v.bind?.propagation) opts.push(v.bind.propagation);
  if (v.volume?.nocopy) opts.push('nocopy');
  return `${source}:${v.target}:${opts.join(',')}`;
}

/** Permission bits of a tmpfs; a string is octal, as file modes are read elsewhere ("1777"). */
function tmpfsMode(mode: number | string | undefined): number | undefined {
  if (typeof mode === 'string') return /^[0-7]+$/.test(mode) ? parseInt(mode, 8) : undefined;
  return mode || undefined;
}

const cleanTarget = (t: string): string => (t.length > 1 ? t.replace(/\/+$/, '') : t);

function volumeMount(project: Project, v: ServiceVolume): Mount {
  const target = cleanTarget(v.target);
  const base = { Target: target, ReadOnly: v.read_only || undefined, Consistency: v.consistency || undefined };
  switch (v.type) {
    case 'volume':
      return {
        Type: 'volume',
        ...base,
        Source: v.source ? volumeName(project, v.source) : undefined,
        VolumeOptions: v.volume ? { NoCopy: v.volume.nocopy || undefined, Subpath: v.volume.subpath || undefined } : undefined,
      };
    case 'tmpfs':
      return { Type: 'tmpfs', ...base, TmpfsOptions: v.tmpfs ? { SizeBytes: bytes(v.tmpfs.size), Mode: tmpfsMode(v.tmpfs.mode) } : undefined };
    default:
      return {
        Type: v.type,
        ...base,
        Source: v.source,
        BindOptions: v.bind ? { Propagation: v.bind.propagation || undefined } : undefined,
      };
  }
}

/**
 * Binds and Mounts the way compose splits them: a bind that may create its host path (short syntax, or
 * `create_host_path: true`) goes through the Binds API, which creates a missing path; every other mount through
 * Mounts. Keyed by target: a later volume replaces an earlier one, secrets and configs never replace a volume.
 * File secrets and configs are read-only binds; environment/content ones are copied in after create
 * (postCreateCopies).
 */
export function serviceMounts(input: Pick<ContainerSpecInput, 'project' | 'serviceName' | 'inheritVolumes'>): { binds: string[]; mounts: Mount[] } {
  const { project, serviceName } = input;
  const service = project.services[serviceName];
  const byTarget = new Map<string, { bind?: string; mount?: Mount }>();
  const inherited = new Map((input.inheritVolumes ?? []).map((v) => [cleanTarget(v.target), v.name]));

  for (const v of service.volumes ?? []) {
    const target = cleanTarget(v.target);
    // a recreate re-mounts the old container's anonymous volume instead of making a new one
    if (v.type === 'volume' && !v.source && inherited.has(target)) {
      byTarget.set(target, { mount: { Type: 'volume', Source: inherited.get(target), Target: target, ReadOnly: v.read_only || undefined } });
      continue;
    }
    // a named volume whose driver binds a host path behaves as a bind for compose (`o: bind`)
    const projectVolume = v.type === 'volume' && v.source ? project.volumes[v.source] : undefined;
    if (projectVolume?.driver_opts?.o === 'bind') {
      byTarget.set(target, { bind: bindString(volumeName(project, v.source!), v) });
      continue;
    }
    if (v.type === 'bind' && v.bind?.create_host_path) {
      byTarget.set(target, { bind: bindString(v.source ?? '', v) });
      continue;
    }
    byTarget.set(target, { mount: volumeMount(project, v) });
  }
  // image-declared volumes of the old container that the service does not mention are inherited too
  for (const [target, name] of inherited) {
    if (!byTarget.has(target)) byTarget.set(target, { mount: { Type: 'volume', Source: name, Target: target } });
  }

  for (const kind of ['secrets', 'configs'] as const) {
    const defined = project[kind] ?? {};
    for (const ref of fileRefs(service, kind)) {
      const def = defined[ref.source];
      if (!def || def.external || def.environment || def.content !== undefined || !def.file) continue;
      const target = fileObjectTarget(kind, ref);
      if (byTarget.has(target)) continue;
      byTarget.set(target, { mount: { Type: 'bind', Source: def.file, Target: target, ReadOnly: true } });
    }
  }

  const binds: string[] = [];
  const mounts: Mount[] = [];
  for (const { bind, mount } of byTarget.values()) {
    if (bind) binds.push(bind);
    if (mount) mounts.push(mount);
  }
  return { binds, mounts };
}
