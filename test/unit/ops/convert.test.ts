// convert.ts: service config → Engine API requests. Golden create requests for representative services are
// kept as JSON under fixtures/convert/ (review a changed golden file like code: it is what the engine receives);
// the rules compose 2.26 follows that are easy to get wrong have their own assertions. The e2e differential
// test (test/e2e/differential.test.ts) checks the same requests against compose-ref on a real engine.
import { describe, expect, it } from 'vitest';
import type { Mount } from '../../../src/engine/types.js';
import type { Project, ServiceConfig } from '../../../src/model/types.js';
import {
  createRequest,
  endpointSettings,
  fileArchive,
  networkCreateRequest,
  postCreateCopies,
  serviceMounts,
  serviceNetworks,
  volumeCreateRequest,
  type ContainerSpecInput,
} from '../../../src/ops/convert.js';

const golden = (name: string) => `../../../fixtures/convert/${name}.json`;
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

function project(services: Record<string, ServiceConfig>, extra: Partial<Project> = {}): Project {
  return {
    name: 'shop',
    services,
    networks: { default: { name: 'shop_default' } },
    volumes: {},
    ...extra,
    meta: {
      workingDir: '/srv/shop',
      composeFiles: ['/srv/shop/compose.yaml'],
      environment: { TOKEN: 'from-env' },
      disabledServices: {},
      profiles: [],
      warnings: [],
      ...(extra.meta ?? {}),
    },
  };
}

const input = (p: Project, serviceName: string, more: Partial<ContainerSpecInput> = {}): ContainerSpecInput => ({
  project: p,
  serviceName,
  number: 1,
  name: `${p.name}-${serviceName}-1`,
  imageId: 'sha256:0123',
  ...more,
});

/** The labels that change with every hash or compose version are checked elsewhere. */
function stable(req: ReturnType<typeof createRequest>) {
  const labels = { ...(req.Labels ?? {}) };
  expect(labels['com.docker.compose.config-hash']).toMatch(/^[0-9a-f]{64}$/);
  labels['com.docker.compose.config-hash'] = '<hash>';
  return { ...req, Labels: labels };
}

// Shapes as the loader prints them (`berth config --format json`): sizes as byte strings, long syntax.
const networksProject = project(
  {
    web: {
      image: 'busybox:local',
      command: ['httpd', '-f'],
      environment: { MODE: 'prod', BARE: null },
      hostname: 'web-host',
      ports: [{ mode: 'ingress', host_ip: '127.0.0.1', target: 80, published: '8080', protocol: 'tcp' }],
      expose: ['9000', '9001/udp'],
      networks: {
        front: { aliases: ['www'], ipv4_address: '10.213.1.10', priority: 10 },
        back: { priority: 100 },
        extra: null,
      },
      links: ['db', 'db:database'],
      external_links: ['legacy:old'],
      mac_address: '02:42:0a:00:00:01',
    },
    db: { image: 'busybox:local', networks: { back: null } },
    sidecar: { image: 'busybox:local', network_mode: 'service:web', ipc: 'service:web', pid: 'container:other', volumes_from: ['web:ro', 'container:legacy:ro'] },
  },
  {
    networks: {
      front: { name: 'shop_front', ipam: { config: [{ subnet: '10.213.1.0/24', gateway: '10.213.1.1', ip_range: '10.213.1.128/25', aux_addresses: { r: '10.213.1.5' } }] } },
      back: { name: 'shop_back', internal: true, driver: 'bridge', driver_opts: { 'com.docker.network.bridge.enable_icc': 'true' }, labels: { tier: 'back' }, ipam: {} },
      extra: { name: 'shared', external: true },
    },
  },
);

const filesProject = project(
  {
    app: {
      image: 'busybox:local',
      read_only: true,
      tmpfs: ['/run', '/scratch:size=1m,mode=1770'],
      volumes: [
        { type: 'volume', source: 'data', target: '/data', volume: {} },
        { type: 'volume', source: 'data', target: '/data-ro', read_only: true, volume: { nocopy: true } },
        { type: 'volume', target: '/anon', volume: {} },
        { type: 'bind', source: '/srv/shop/site', target: '/site', read_only: true, bind: { create_host_path: true } },
        { type: 'bind', source: '/srv/shop/strict', target: '/strict/', bind: { create_host_path: false, propagation: 'rshared' } },
        { type: 'bind', source: '/srv/shop/long', target: '/long' },
        { type: 'tmpfs', target: '/fast', tmpfs: { size: '4194304', mode: 1023 } },
        { type: 'volume', source: 'hostdir', target: '/hostdir', volume: {} },
      ],
      secrets: [
        { source: 'pw', target: '/run/secrets/pw' },
        { source: 'pw', target: 'relative' },
        { source: 'token', target: 'token', mode: 0o400, uid: '1000', gid: '1000' },
      ],
      configs: [{ source: 'conf' }, { source: 'conf', target: '/etc/app.ini' }, { source: 'inline', mode: 0o440 }, { source: 'conf', target: '/data' }],
    },
  },
  {
    volumes: {
      data: { name: 'shop_data', labels: { backup: 'daily' } },
      hostdir: { name: 'shop_hostdir', driver_opts: { type: 'none', device: '/srv/shop/hostdir', o: 'bind' } },
    },
    secrets: { pw: { name: 'shop_pw', file: '/srv/shop/pw.txt' }, token: { name: 'shop_token', environment: 'TOKEN' } },
    configs: { conf: { name: 'shop_conf', file: '/srv/shop/app.ini' }, inline: { name: 'shop_inline', content: 'inline text\n' } },
  },
);

const resourcesProject = project({
  limited: {
    image: 'busybox:local',
    init: true,
    stop_signal: 'SIGUSR1',
    stop_grace_period: '1500ms',
    user: '1000:1000',
    working_dir: '/tmp',
    tty: true,
    stdin_open: true,
    domainname: 'example.test',
    labels: { 'com.example.role': 'limited' },
    restart: 'always',
    deploy: {
      resources: { limits: { cpus: 0.1, memory: '67108864', pids: 64 }, reservations: { memory: '16777216', devices: [{ capabilities: ['gpu'], count: 'all', driver: 'nvidia' }] } },
      restart_policy: { condition: 'any', max_attempts: 3 },
    },
    mem_limit: '1073741824',
    cpu_shares: 512,
    cpuset: '0',
    pids_limit: 10,
    shm_size: '33554432',
    oom_score_adj: 200,
    ulimits: { nproc: 256, nofile: { soft: 1024, hard: 2048 } },
    sysctls: { 'net.core.somaxconn': '1024' },
    cap_add: ['NET_ADMIN'],
    cap_drop: ['MKNOD'],
    devices: [
      { source: '/dev/null', target: '/dev/nothing', permissions: 'r' },
      { source: '/dev/zero', target: '/dev/zero', permissions: 'rwm' },
      { source: '/dev/full', target: '/dev/f', permissions: 'rwm' },
    ],
    device_cgroup_rules: ['c 1:3 mr'],
    blkio_config: { weight: 300, device_read_bps: [{ path: '/dev/sda', rate: '1mb' }], device_write_iops: [{ path: '/dev/sda', rate: '100' }] },
    security_opt: ['no-new-privileges:true', 'systempaths=unconfined'],
    group_add: ['100'],
    ipc: 'shareable',
    cgroup: 'private',
    extra_hosts: ['db.example=10.0.0.5', 'v6=::1'],
    dns: ['10.0.0.53'],
    dns_search: ['example.test'],
    dns_opt: ['ndots:2'],
    logging: { driver: 'json-file', options: { 'max-size': '1m' } },
    healthcheck: { test: ['CMD', 'true'], interval: '2s', timeout: '1500ms', retries: 5, start_period: '10s' },
  },
});

describe('createRequest golden requests', () => {
  it('networks, ports, links and namespaces', async () => {
    const ids = (s: string) => (s === 'web' ? 'c0ffee' : undefined);
    await expect(json(stable(createRequest(input(networksProject, 'web'))))).toMatchFileSnapshot(golden('networks-web'));
    await expect(json(stable(createRequest(input(networksProject, 'sidecar', { serviceContainer: ids }))))).toMatchFileSnapshot(golden('networks-sidecar'));
  });

  it('volumes, binds, tmpfs, secrets and configs', async () => {
    await expect(json(stable(createRequest(input(filesProject, 'app'))))).toMatchFileSnapshot(golden('files-app'));
  });

  it('resources, process settings, healthcheck, logging', async () => {
    await expect(json(stable(createRequest(input(resourcesProject, 'limited'))))).toMatchFileSnapshot(golden('resources-limited'));
  });

  it('network and volume create requests', async () => {
    await expect(
      json({
        front: networkCreateRequest(networksProject, 'front'),
        back: networkCreateRequest(networksProject, 'back'),
        plain: networkCreateRequest(project({}), 'default'),
        data: volumeCreateRequest(filesProject, 'data'),
        hostdir: volumeCreateRequest(filesProject, 'hostdir'),
      }),
    ).toMatchFileSnapshot(golden('resources-create'));
  });
});

describe('createRequest rules', () => {
  it('orders networks by priority then name and attaches only the first at create', () => {
    const web = networksProject.services.web;
    expect(serviceNetworks(web)).toEqual(['back', 'front', 'extra']);
    const req = createRequest(input(networksProject, 'web'));
    expect(req.HostConfig.NetworkMode).toBe('shop_back');
    expect(Object.keys(req.NetworkingConfig?.EndpointsConfig ?? {})).toEqual(['shop_back']);
    const front = endpointSettings(networksProject, 'web', 'front', 'shop-web-1');
    expect(front.Aliases).toEqual(['shop-web-1', 'web', 'www']);
    expect(front.IPAMConfig).toEqual({ IPv4Address: '10.213.1.10' });
    // a network listed without a config gets no IPAM section, as compose sends it
    expect(endpointSettings(networksProject, 'web', 'extra', 'shop-web-1').IPAMConfig).toBeUndefined();
  });

  it('takes the container MAC address from the primary network config when it has one (compose 2.26)', () => {
    // primary network "back" has a config without mac_address: compose 2.26 drops the service-level address
    expect(createRequest(input(networksProject, 'web')).MacAddress).toBeUndefined();
    const p = project({ a: { image: 'x', mac_address: '02:42:00:00:00:09', networks: { default: null } } });
    expect(createRequest(input(p, 'a')).MacAddress).toBe('02:42:00:00:00:09');
    const q = project({ a: { image: 'x', mac_address: '02:42:00:00:00:09', networks: { default: { mac_address: '02:42:00:00:00:10' } } } });
    expect(createRequest(input(q, 'a')).MacAddress).toBe('02:42:00:00:00:10');
  });

  it('resolves service: references to the container id, or the first container name without one', () => {
    const withId = createRequest(input(networksProject, 'sidecar', { serviceContainer: () => 'c0ffee' }));
    expect(withId.HostConfig.NetworkMode).toBe('container:c0ffee');
    expect(withId.HostConfig.IpcMode).toBe('container:c0ffee');
    expect(withId.HostConfig.PidMode).toBe('container:other');
    // compose 2.26 drops the mode of a service reference; a container: reference keeps it
    expect(withId.HostConfig.VolumesFrom).toEqual(['c0ffee', 'legacy:ro']);
    expect(withId.NetworkingConfig).toBeUndefined();
    const noId = createRequest(input(networksProject, 'sidecar'));
    expect(noId.HostConfig.NetworkMode).toBe('container:shop-web-1');
  });

  it('builds links as compose does, for every container of the linked service', () => {
    const p = project({ web: { image: 'x', links: ['db:database'] }, db: { image: 'x', scale: 2 } });
    expect(createRequest(input(p, 'web', { number: 3, name: 'shop-web-3' })).HostConfig.Links).toEqual([
      'shop-db-1:database',
      'shop-db-1:db-3',
      'shop-db-1:shop-db-3',
      'shop-db-2:database',
      'shop-db-2:db-3',
      'shop-db-2:shop-db-3',
    ]);
  });

  it('without networks a container joins the default network, and gets network mode none when there is none', () => {
    const p = project({ a: { image: 'x' } });
    expect(createRequest(input(p, 'a')).HostConfig.NetworkMode).toBe('shop_default');
    const q = project({ a: { image: 'x' } }, { networks: {} });
    expect(createRequest(input(q, 'a')).HostConfig.NetworkMode).toBe('none');
    expect(createRequest(input(q, 'a')).NetworkingConfig).toBeUndefined();
  });

  it('splits Binds from Mounts the way compose does, keyed by target', () => {
    const { binds, mounts } = serviceMounts({ project: filesProject, serviceName: 'app' });
    expect(binds).toEqual(['/srv/shop/site:/site:ro', 'shop_hostdir:/hostdir:rw']);
    const byTarget = Object.fromEntries(mounts.map((m) => [m.Target, m]));
    expect(byTarget['/strict']).toEqual({ Type: 'bind', Source: '/srv/shop/strict', Target: '/strict', BindOptions: { Propagation: 'rshared' } });
    expect(byTarget['/long']).toEqual({ Type: 'bind', Source: '/srv/shop/long', Target: '/long' });
    expect(byTarget['/fast']).toEqual({ Type: 'tmpfs', Target: '/fast', TmpfsOptions: { SizeBytes: 4194304, Mode: 1023 } });
    expect(byTarget['/anon']).toEqual({ Type: 'volume', Target: '/anon', VolumeOptions: {} });
    // file secrets and configs: read-only binds at /run/secrets/<name>, /run/secrets/<relative>, /<name>, target
    expect(byTarget['/run/secrets/pw']).toEqual({ Type: 'bind', Source: '/srv/shop/pw.txt', Target: '/run/secrets/pw', ReadOnly: true });
    expect(byTarget['/run/secrets/relative']?.Source).toBe('/srv/shop/pw.txt');
    expect(byTarget['/conf']?.Source).toBe('/srv/shop/app.ini');
    expect(byTarget['/etc/app.ini']?.ReadOnly).toBe(true);
    // a config never replaces a volume at the same target; environment/content objects are not mounted
    expect(byTarget['/data']?.Type).toBe('volume');
    expect(byTarget['/run/secrets/token']).toBeUndefined();
    expect(byTarget['/inline']).toBeUndefined();
  });

  it('re-mounts inherited anonymous volumes instead of creating new ones', () => {
    const { mounts } = serviceMounts({ project: filesProject, serviceName: 'app', inheritVolumes: [{ name: 'abc123', target: '/anon' }, { name: 'img456', target: '/from-image' }] });
    const byTarget: Record<string, Mount> = Object.fromEntries(mounts.map((m) => [m.Target, m]));
    expect(byTarget['/anon']).toEqual({ Type: 'volume', Source: 'abc123', Target: '/anon' });
    expect(byTarget['/from-image']).toEqual({ Type: 'volume', Source: 'img456', Target: '/from-image' });
  });

  it('maps restart and deploy.restart_policy, deploy limits over service limits, cpus as compose float32', () => {
    const req = createRequest(input(resourcesProject, 'limited'));
    const hc = req.HostConfig as Record<string, unknown>;
    expect(hc.RestartPolicy).toEqual({ Name: 'always', MaximumRetryCount: 3 });
    expect(hc.Memory).toBe(67108864);
    expect(hc.NanoCpus).toBe(100000000);
    expect(hc.PidsLimit).toBe(64);
    expect(hc.MemoryReservation).toBe(16777216);
    expect(hc.Ulimits).toEqual([
      { Name: 'nofile', Soft: 1024, Hard: 2048 },
      { Name: 'nproc', Soft: 256, Hard: 256 },
    ]);
    expect(hc.ExtraHosts).toEqual(['db.example:10.0.0.5', 'v6:::1']);
    expect(hc.MaskedPaths).toEqual([]);
    expect(hc.SecurityOpt).toEqual(['no-new-privileges:true']);
    // Go truncates Duration.Seconds() to an int
    expect(req.StopTimeout).toBe(1);
  });
});

describe('postCreateCopies and fileArchive', () => {
  it('lists environment and content secrets and configs with their targets and modes', () => {
    expect(postCreateCopies(filesProject, 'app')).toEqual([
      { path: '/run/secrets/token', content: 'from-env', mode: 0o400, uid: 1000, gid: 1000, copyUIDGID: true },
      { path: '/inline', content: 'inline text\n', mode: 0o440, uid: 0, gid: 0, copyUIDGID: false },
    ]);
  });

  it('fails like compose when the environment variable is not set', () => {
    const p = project({ a: { image: 'x', secrets: [{ source: 's' }] } }, { secrets: { s: { name: 'shop_s', environment: 'NOPE' } } });
    expect(() => postCreateCopies(p, 'a')).toThrow(/environment variable "NOPE" required by secret "s" is not set/);
  });

  it('writes a valid one-file ustar archive relative to /', () => {
    const tar = fileArchive({ path: '/run/secrets/token', content: 'from-env', mode: 0o400, uid: 1000, gid: 1000 }, new Date(1_700_000_000_000));
    expect(tar.length % 512).toBe(0);
    expect(tar.length).toBe(512 + 512 + 1024);
    const field = (offset: number, length: number) => tar.subarray(offset, offset + length).toString('utf8').replace(/\0.*$/s, '');
    expect(field(0, 100)).toBe('run/secrets/token');
    expect(parseInt(field(100, 8), 8)).toBe(0o400);
    expect(parseInt(field(108, 8), 8)).toBe(1000);
    expect(parseInt(field(124, 12), 8)).toBe(8);
    expect(parseInt(field(136, 12), 8)).toBe(1_700_000_000);
    expect(field(257, 6)).toBe('ustar');
    // checksum: the header's bytes with the checksum field counted as blanks
    const copy = Buffer.from(tar.subarray(0, 512));
    copy.fill(0x20, 148, 156);
    expect(parseInt(field(148, 8), 8)).toBe(copy.reduce((a, b) => a + b, 0));
    expect(tar.subarray(512, 520).toString()).toBe('from-env');
  });

  it('splits a long path into the ustar prefix', () => {
    const path = `/${'d'.repeat(80)}/${'e'.repeat(60)}/file.txt`;
    const tar = fileArchive({ path, content: '', mode: 0o444, uid: 0, gid: 0 });
    const field = (offset: number, length: number) => tar.subarray(offset, offset + length).toString('utf8').replace(/\0.*$/s, '');
    expect(`${field(345, 155)}/${field(0, 100)}`).toBe(path.slice(1));
  });
});
