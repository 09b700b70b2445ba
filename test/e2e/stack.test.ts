// Issue 18, single-node suite (the CI one): berth stack deploy|ls|ps|services|rm against a real one-node swarm
// (scripts/swarm-cluster.sh up 1: a dockerd in its own network namespace; the main engine is never touched),
// with docker stack deploy as the differential oracle.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, describeEngine, projectDir } from '../helpers/e2e.js';
import { dockerAt, swarmPossible, swarmUp, type Swarm } from '../helpers/swarm.js';

const possible = swarmPossible();
if (!possible.ok) {
  if (process.env.CI) throw new Error(`stack suite cannot run in CI: ${possible.reason}`);
  console.warn(`skipping the stack suite: ${possible.reason}`);
}

const compose = (env: string, withDb = true) => `
services:
  web:
    image: busybox:local
    command: ["sh", "-c", "exec sleep 600"]
    stop_grace_period: 1s
    environment: {MODE: "${env}"}
    secrets: [token]
    deploy:
      replicas: 2
      endpoint_mode: dnsrr
      update_config: {parallelism: 1, delay: 0s, order: start-first}
      restart_policy: {condition: any, delay: 1s}
      resources: {limits: {memory: 64M}}
    healthcheck: {test: ["CMD", "true"], interval: 1s, timeout: 1s, retries: 2}
${withDb ? `  db:
    image: busybox:local
    command: ["sh", "-c", "exec sleep 600"]
    stop_grace_period: 1s
    volumes: [data:/data]
    deploy: {placement: {constraints: ["node.role == manager"]}, labels: {tier: db}}
volumes:
  data: {}
` : ''}secrets:
  token: {file: ./token.txt}
`;

/**
 * The fields the differential compares, each a path in `docker service inspect`'s Spec. The test also asserts
 * that the two specs, normalised, are equal as a whole, so a field missing from this list cannot hide a
 * difference. Normalised: the stack name in Name/labels/network names, network ids (mapped to names), secret
 * ids, and secret names (berth's carry a content hash: <stack>_<key>-<sha256 prefix>).
 */
const COMPARED = [
  'Name', 'Labels', 'TaskTemplate.ContainerSpec.Image', 'TaskTemplate.ContainerSpec.Labels', 'TaskTemplate.ContainerSpec.Args',
  'TaskTemplate.ContainerSpec.Command', 'TaskTemplate.ContainerSpec.Env', 'TaskTemplate.ContainerSpec.Mounts', 'TaskTemplate.ContainerSpec.Healthcheck',
  'TaskTemplate.ContainerSpec.StopGracePeriod', 'TaskTemplate.ContainerSpec.Secrets', 'TaskTemplate.ContainerSpec.DNSConfig', 'TaskTemplate.ContainerSpec.Privileges',
  'TaskTemplate.ContainerSpec.Isolation', 'TaskTemplate.Resources', 'TaskTemplate.RestartPolicy', 'TaskTemplate.Placement', 'TaskTemplate.Networks',
  'TaskTemplate.ForceUpdate', 'TaskTemplate.Runtime', 'Mode', 'UpdateConfig', 'RollbackConfig', 'EndpointSpec',
];

/** A file using every key the translation covers that both tools accept (docker's schema has no inline content). */
const rich = `
services:
  app:
    image: busybox:local
    entrypoint: ["sh", "-c"]
    command: ["exec sleep 600"]
    hostname: app-host
    user: "0"
    working_dir: /tmp
    environment: {B: "2", A: "1"}
    labels: {tier: app}
    stop_grace_period: 1s
    stop_signal: SIGINT
    init: true
    cap_add: [NET_ADMIN]
    dns: [10.0.0.53]
    extra_hosts: ["db.local:10.0.0.9"]
    healthcheck: {test: ["CMD", "true"], interval: 2s, timeout: 1s, retries: 2, start_period: 1s}
    ports: [{target: 81, published: 18081, mode: host}, {target: 82, published: 18082, protocol: udp, mode: host}]
    volumes: [data:/data, "/tmp:/host:ro", {type: tmpfs, target: /scratch, tmpfs: {size: 65536}}]
    networks: {front: {aliases: [application]}, default: {}}
    secrets: [token, {source: token, target: /etc/token, mode: 0400}]
    configs: [site, {source: site, target: /etc/site.conf}]
    x-ignored: {anything: 1}
    deploy:
      mode: replicated
      replicas: 0
      endpoint_mode: dnsrr
      labels: {team: core}
      placement: {constraints: ["node.role == manager"], preferences: [{spread: node.id}], max_replicas_per_node: 2}
      resources: {limits: {cpus: "0.5", memory: 64M, pids: 50}, reservations: {cpus: "0.1", memory: 16M}}
      restart_policy: {condition: on-failure, delay: 2s, max_attempts: 3, window: 5s}
      update_config: {parallelism: 2, delay: 1s, failure_action: rollback, monitor: 3s, max_failure_ratio: 0.25, order: start-first}
      rollback_config: {parallelism: 1, delay: 1s, failure_action: continue, order: stop-first}
  everywhere:
    image: busybox:local
    command: ["sh", "-c", "exec sleep 600"]
    deploy: {mode: global, placement: {constraints: ["node.labels.none == x"]}}
  once:
    image: busybox:local
    command: ["true"]
    restart: "no"
    deploy: {mode: replicated-job, replicas: 0}
networks:
  front: {attachable: true, labels: {purpose: front}}
volumes:
  data: {labels: {keep: "yes"}}
secrets:
  token: {file: ./token.txt}
configs:
  site: {file: ./token.txt}
`;

const get = (o: any, path: string) => path.split('.').reduce((x, k) => (x == null ? x : x[k]), o);

(possible.ok ? describeEngine : describe.skip)('berth stack on a one-node swarm', () => {
  let swarm: Swarm;
  let dir = '';
  const stack = `b${Date.now().toString(36)}`;
  const oracle = `${stack}d`;
  const b = (...args: string[]) => berth(['stack', '-H', swarm.manager, ...args], { cwd: dir });
  const d = (...args: string[]) => dockerAt(swarm.manager, args);
  const inspect = async (name: string) => JSON.parse((await d('service', 'inspect', name)).stdout)[0];
  const versions = async (s: string) => {
    const out = (await d('service', 'ls', '--filter', `label=com.docker.stack.namespace=${s}`, '--format', '{{.Name}}')).stdout.trim().split('\n').filter(Boolean).sort();
    return Object.fromEntries(await Promise.all(out.map(async (n) => [n, (await inspect(n)).Version.Index as number])));
  };

  beforeAll(async () => {
    swarm = await swarmUp(1, `/tmp/${process.env.SWARM_PREFIX ?? 'b18'}-cluster-e2e`);
    dir = await projectDir({ 'compose.yaml': compose('one'), 'token.txt': 'first' });
  }, 120_000);
  afterAll(async () => {
    await swarm?.down();
  }, 120_000);

  it('deploy --detach=false converges; ls, services and ps show the stack; docker stack sees it too', async () => {
    const r = await b('deploy', '-c', 'compose.yaml', '--detach=false', stack);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Creating secret ${stack}_token-[0-9a-f]{10}\\nCreating network ${stack}_default\\nCreating service ${stack}_web\\nCreating service ${stack}_db\\n`));
    expect((await b('ls')).stdout).toMatch(new RegExp(`^NAME\\s+SERVICES\\n${stack}\\s+2\\n`));
    const services = (await b('services', stack)).stdout;
    expect(services).toMatch(new RegExp(`${stack}_web\\s+replicated\\s+2/2\\s+busybox:local`));
    expect(services).toMatch(new RegExp(`${stack}_db\\s+replicated\\s+1/1\\s+busybox:local`));
    const ps = (await b('ps', stack)).stdout;
    expect(ps.match(/Running\s+Running/g)?.length).toBe(3);
    // interoperable labels: docker's own stack commands see berth's stack
    expect((await d('stack', 'services', stack, '--format', '{{.Name}}')).stdout.trim().split('\n').sort()).toEqual([`${stack}_db`, `${stack}_web`]);
  });

  it('differential: docker stack deploy of the same file gives the same service specs, field by field', async () => {
    const r = await d('stack', 'deploy', '--resolve-image', 'never', '-c', join(dir, 'compose.yaml'), oracle);
    expect(r.code).toBe(0);
    const nets = new Map<string, string>((await d('network', 'ls', '--no-trunc', '--format', '{{.ID}} {{.Name}}')).stdout.trim().split('\n').map((l) => l.split(' ') as [string, string]));
    const normal = (spec: any, s: string) =>
      JSON.parse(
        JSON.stringify(spec, (k, v) => (k === 'SecretID' ? undefined : k === 'Target' && nets.has(v) ? nets.get(v) : v))
          .replaceAll(new RegExp(`${s}_token(-[0-9a-f]{10})?`, 'g'), 'STACK_token')
          .replaceAll(`${s}_`, 'STACK_')
          .replaceAll(`"${s}"`, '"STACK"'),
      );
    for (const svc of ['web', 'db']) {
      const ours = normal((await inspect(`${stack}_${svc}`)).Spec, stack);
      const theirs = normal((await inspect(`${oracle}_${svc}`)).Spec, oracle);
      for (const field of COMPARED) expect({ field, value: get(ours, field) }).toEqual({ field, value: get(theirs, field) });
      expect(ours).toEqual(theirs);
    }
    console.log(`differential compared ${COMPARED.length} fields per service: ${COMPARED.join(', ')}`);
  });

  it('differential, every translated key: the same specs from berth and from docker stack deploy', async () => {
    await writeFile(join(dir, 'rich.yaml'), rich);
    const ours = `${stack}r`;
    const theirs = `${stack}s`;
    const r1 = await b('deploy', '-c', 'rich.yaml', ours);
    expect(r1.code).toBe(0);
    const r2 = await d('stack', 'deploy', '--resolve-image', 'never', '-c', join(dir, 'rich.yaml'), theirs);
    expect(r2.code).toBe(0);
    const nets = new Map<string, string>((await d('network', 'ls', '--no-trunc', '--format', '{{.ID}} {{.Name}}')).stdout.trim().split('\n').map((l) => l.split(' ') as [string, string]));
    const normal = (spec: any, s: string) =>
      JSON.parse(
        JSON.stringify(spec, (k, v) => (k === 'SecretID' || k === 'ConfigID' ? undefined : k === 'Target' && nets.has(v) ? nets.get(v) : v))
          .replaceAll(new RegExp(`${s}_(token|site)(-[0-9a-f]{10})?`, 'g'), 'STACK_$1')
          .replaceAll(`${s}_`, 'STACK_')
          .replaceAll(`"${s}"`, '"STACK"'),
      );
    // docker sorts secret and config references by name only, with an unstable sort: two references to one
    // secret come in either order, so both sides are put in (name, target) order
    const byTarget = (spec: any) => {
      const c = spec.TaskTemplate.ContainerSpec;
      for (const k of ['Secrets', 'Configs']) c[k]?.sort((x: any, y: any) => JSON.stringify([x.SecretName ?? x.ConfigName, x.File.Name]).localeCompare(JSON.stringify([y.SecretName ?? y.ConfigName, y.File.Name])));
      return spec;
    };
    for (const svc of ['app', 'everywhere', 'once']) {
      const a = byTarget(normal((await inspect(`${ours}_${svc}`)).Spec, ours));
      const z = byTarget(normal((await inspect(`${theirs}_${svc}`)).Spec, theirs));
      expect({ svc, spec: a }).toEqual({ svc, spec: z });
    }
    expect((await b('rm', ours)).code).toBe(0);
    expect((await d('stack', 'rm', theirs)).code).toBe(0);
  });

  it('idempotence: a second deploy changes nothing (docker stack deploy bumps every version)', async () => {
    const before = await versions(stack);
    const r = await b('deploy', '-c', 'compose.yaml', stack);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/Updating|Creating/);
    expect(await versions(stack)).toEqual(before);
    const plan = await b('deploy', '-c', 'compose.yaml', '--dry-run', stack);
    expect(plan.stdout).toBe(`keep service ${stack}_web (up to date)\nkeep service ${stack}_db (up to date)\n`);

    const theirsBefore = await versions(oracle);
    expect((await d('stack', 'deploy', '--resolve-image', 'never', '-c', join(dir, 'compose.yaml'), oracle)).code).toBe(0);
    const theirsAfter = await versions(oracle);
    console.log(`version index, unchanged file: berth ${JSON.stringify(before)} → ${JSON.stringify(await versions(stack))}; docker stack deploy ${JSON.stringify(theirsBefore)} → ${JSON.stringify(theirsAfter)}`);
    for (const n of Object.keys(theirsBefore)) expect(theirsAfter[n]).toBeGreaterThan(theirsBefore[n]);
    expect((await d('stack', 'rm', oracle)).code).toBe(0);
  });

  it('a changed service gets exactly one update; the others keep their version', async () => {
    const before = await versions(stack);
    await writeFile(join(dir, 'compose.yaml'), compose('two'));
    const plan = await b('deploy', '-c', 'compose.yaml', '--dry-run', stack);
    expect(plan.stdout).toBe(`update service ${stack}_web (changed: TaskTemplate.ContainerSpec.Env)\nkeep service ${stack}_db (up to date)\n`);
    const r = await b('deploy', '-c', 'compose.yaml', '--detach=false', stack);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/Updating service/g)?.length).toBe(1);
    const after = await versions(stack);
    expect(after[`${stack}_db`]).toBe(before[`${stack}_db`]);
    expect(after[`${stack}_web`]).toBeGreaterThan(before[`${stack}_web`]);
    expect((await inspect(`${stack}_web`)).Spec.TaskTemplate.ContainerSpec.Env).toEqual(['MODE=two']);
  });

  it('a changed secret rolls the service onto a new secret; the old one is removed', async () => {
    const oldName = (await inspect(`${stack}_web`)).Spec.TaskTemplate.ContainerSpec.Secrets[0].SecretName;
    await writeFile(join(dir, 'token.txt'), 'second');
    const r = await b('deploy', '-c', 'compose.yaml', '--detach=false', stack);
    expect(r.code).toBe(0);
    const newName = (await inspect(`${stack}_web`)).Spec.TaskTemplate.ContainerSpec.Secrets[0].SecretName;
    expect(newName).not.toBe(oldName);
    const secrets = (await d('secret', 'ls', '--format', '{{.Name}}')).stdout.trim().split('\n');
    expect(secrets).toContain(newName);
    expect(secrets).not.toContain(oldName);
    // the running tasks read the new content
    const taskIds = (await d('service', 'ps', '-q', '--filter', 'desired-state=running', `${stack}_web`)).stdout.trim().split('\n');
    expect(taskIds.length).toBe(2);
    for (const t of taskIds) {
      const container = (await d('inspect', '--format', '{{.Status.ContainerStatus.ContainerID}}', t)).stdout.trim();
      expect((await d('exec', container, 'cat', '/run/secrets/token')).stdout).toBe('second');
    }
  });

  it('--prune removes services no longer in the file; rm removes the rest', async () => {
    await writeFile(join(dir, 'compose.yaml'), compose('two', false));
    const r = await b('deploy', '-c', 'compose.yaml', '--prune', stack);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Removing service ${stack}_db`);
    expect(Object.keys(await versions(stack))).toEqual([`${stack}_web`]);
    const rm = await b('rm', stack);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toContain(`Removing service ${stack}_web`);
    expect(Object.keys(await versions(stack))).toEqual([]);
    expect((await d('secret', 'ls', '-q', '--filter', `label=com.docker.stack.namespace=${stack}`)).stdout.trim()).toBe('');
    // the node's copy of the overlay network goes once the last task's endpoint has left it
    let nets = '';
    for (let i = 0; i < 40; i++) {
      nets = (await d('network', 'ls', '-q', '--filter', `label=com.docker.stack.namespace=${stack}`)).stdout.trim();
      if (!nets) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(nets).toBe('');
  });
});
