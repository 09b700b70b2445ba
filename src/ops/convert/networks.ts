// Networks: engine names, the order a service joins them, endpoint settings, links and create requests.
import type { EndpointSettings, NetworkCreateRequest } from '../../engine/types.js';
import { COMPOSE_COMPAT_VERSION, Labels, nameSeparator } from '../../model/labels.js';
import type { IpamPool, Project, ServiceConfig } from '../../model/types.js';
import { containerNameOf, serviceScale } from './input.js';
import { list } from './values.js';

// ---- names

/** Engine network name of a project network key. */
export function networkName(project: Project, key: string): string {
  return project.networks[key]?.name ?? `${project.name}_${key}`;
}

export function volumeName(project: Project, key: string): string {
  return project.volumes[key]?.name ?? `${project.name}_${key}`;
}

// ---- networks

/** The service's networks in the order compose connects them: by priority (highest first), then name. */
export function serviceNetworks(service: ServiceConfig): string[] {
  const nets = service.networks ?? {};
  return Object.keys(nets).sort((a, b) => (nets[b]?.priority ?? 0) - (nets[a]?.priority ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Engine links of a container, as compose builds them: for each `links:` entry, every container of the linked
 * service under the alias, `<service>-<n>` and `<project>-<service>-<n>` (n being this container's number, as
 * compose does), then `external_links` as written. The linked containers exist before this one: links imply
 * depends_on.
 */
export function serviceLinks(project: Project, serviceName: string, number: number): string[] {
  const service = project.services[serviceName];
  const links: string[] = [];
  for (const raw of list(service.links) ?? []) {
    const [target, alias] = raw.split(':');
    const linkName = alias ?? target;
    for (let n = 1; n <= serviceScale(project.services[target]); n++) {
      const name = containerNameOf(project, target, n);
      const sep = nameSeparator();
      links.push(`${name}:${linkName}`, `${name}:${target}${sep}${number}`, `${name}:${[project.name, target, number].join(sep)}`);
    }
  }
  for (const raw of list(service.external_links) ?? []) {
    const [target, alias] = raw.split(':');
    links.push(`${target}:${alias ?? target}`);
  }
  return links;
}

/**
 * One endpoint's settings. IPAMConfig is present (possibly empty) whenever the service gives the network a
 * config, as compose sends it; the links go to every endpoint, as compose does.
 */
export function endpointSettings(project: Project, serviceName: string, key: string, containerName: string): EndpointSettings {
  const service = project.services[serviceName];
  const net = service.networks?.[key] ?? undefined;
  const aliases = [containerName, serviceName, ...(net?.aliases ?? [])];
  const number = Number(/[-_](\d+)$/.exec(containerName)?.[1] ?? 1);
  const links = serviceLinks(project, serviceName, number);
  const settings: { -readonly [K in keyof EndpointSettings]: EndpointSettings[K] } = { Aliases: aliases };
  if (links.length) settings.Links = links;
  if (net) {
    settings.IPAMConfig = {
      IPv4Address: net.ipv4_address || undefined,
      IPv6Address: net.ipv6_address || undefined,
      LinkLocalIPs: net.link_local_ips ? [...net.link_local_ips] : undefined,
    };
    if (net.driver_opts) settings.DriverOpts = { ...net.driver_opts };
  }
  return settings;
}

/** The network create request compose sends for a project network (labels included). */
export function networkCreateRequest(project: Project, key: string): NetworkCreateRequest {
  const net = project.networks[key];
  const config = net.ipam?.config ?? [];
  // compose sends an IPAM section only when the file sets an IPAM driver or pools
  const ipam =
    net.ipam && (net.ipam.driver || config.length)
      ? {
          Driver: net.ipam.driver || undefined,
          Config: config.length ? config.map(ipamPool) : undefined,
          Options: net.ipam.options ? { ...net.ipam.options } : undefined,
        }
      : undefined;
  return {
    Name: networkName(project, key),
    Driver: net.driver,
    Options: net.driver_opts ? { ...net.driver_opts } : undefined,
    IPAM: ipam,
    Internal: net.internal || undefined,
    Attachable: net.attachable || undefined,
    EnableIPv6: net.enable_ipv6,
    CheckDuplicate: true,
    Labels: { ...(net.labels ?? {}), [Labels.network]: key, [Labels.project]: project.name, [Labels.version]: COMPOSE_COMPAT_VERSION },
  };
}

function ipamPool(c: IpamPool): Record<string, unknown> {
  const names: Record<string, string> = { subnet: 'Subnet', gateway: 'Gateway', ip_range: 'IPRange', aux_addresses: 'AuxiliaryAddresses' };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (v !== undefined && v !== null) out[names[k] ?? k] = v;
  return out;
}
