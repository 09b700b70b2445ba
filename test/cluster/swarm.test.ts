// Issue 18, multi-node suite (`npm run test:cluster`): berth stack deploy on a real three-node swarm, every
// node a dockerd in its own network namespace. Spreading, self-healing (a killed container, a killed node
// daemon), a start-first rolling update sampled throughout, and an automatic rollback. Timings are printed
// and summarised in docs/swarm.md.
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, projectDir } from '../helpers/e2e.js';
import { dockerAt, swarmPossible, swarmUp, type Swarm } from '../helpers/swarm.js';

const possible = swarmPossible();
if (!possible.ok) console.warn(`skipping the cluster suite: ${possible.reason}`);

/** GET on a node's socket, parsed: the samples must be cheaper than a docker CLI process each. */
function api(socket: string, path: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket.replace(/^unix:\/\//, ''), path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${path}: ${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The routing mesh (ingress-published ports reachable on every node, VIPs) needs the kernel's IPVS, which this
 * machine lacks; only that feature is skipped, with the reason printed. Services use `mode: host` ports and
 * `endpoint_mode: dnsrr` instead.
 */
const ipvs = existsSync('/proc/net/ip_vs');
if (!ipvs) console.warn('skipping the routing-mesh test: the kernel has no IPVS (/proc/net/ip_vs missing), so swarm has no ingress routing mesh and no VIPs; use mode: host ports, endpoint_mode: dnsrr and tasks.<service> names');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const file = (version: string, health = '["CMD", "true"]', replicas = 3) => `
services:
  api:
    image: busybox:local
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
    environment: {VERSION: "${version}"}
    healthcheck: {test: ${health}, interval: 1s, timeout: 1s, retries: 1, start_period: 0s}
    stop_grace_period: 2s
    deploy:
      replicas: ${replicas}
      endpoint_mode: dnsrr
      restart_policy: {condition: any, delay: 1s}
      update_config: {parallelism: 1, delay: 1s, order: start-first, failure_action: rollback, monitor: 4s}
      rollback_config: {parallelism: 0, order: start-first}
`;

describe.skipIf(!possible.ok)('berth stack on a three-node swarm', () => {
  let swarm: Swarm;
  let dir = '';
  const stack = 'clu';
  const service = `${stack}_api`;
  const nodeSocket = new Map<string, string>();
  const b = (...args: string[]) => berth(['stack', '-H', swarm.manager, ...args], { cwd: dir });
  const runningTasks = async () => {
    const tasks: any[] = await api(swarm.manager, `/tasks?filters=${encodeURIComponent(JSON.stringify({ service: [service], 'desired-state': ['running'] }))}`);
    return tasks.filter((t) => t.Status?.State === 'running');
  };
  const waitFor = async (what: string, ok: () => Promise<boolean>, timeoutMs = 120_000) => {
    const start = Date.now();
    while (!(await ok())) {
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await sleep(250);
    }
    return Date.now() - start;
  };

  beforeAll(async () => {
    const t0 = Date.now();
    swarm = await swarmUp(3, `/tmp/${process.env.SWARM_PREFIX ?? 'b18'}-cluster-suite`);
    console.log(`cluster up (3 dockerd nodes, swarm init, 2 joins, image load): ${Date.now() - t0} ms`);
    for (const s of swarm.nodes) nodeSocket.set((await api(s, '/info')).Swarm.NodeID, s);
    dir = await projectDir({ 'compose.yaml': file('1') });
  });
  afterAll(async () => {
    await swarm?.down();
  });

  it('replicas spread over the nodes', async () => {
    const t0 = Date.now();
    const r = await b('deploy', '-c', 'compose.yaml', '--detach=false', stack);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    console.log(`deploy --detach=false, 3 replicas converged: ${Date.now() - t0} ms`);
    const nodes = new Set((await runningTasks()).map((t) => t.NodeID));
    expect(nodes.size).toBe(3);
  });

  it("a task's killed container is replaced", async () => {
    const [victim] = await runningTasks();
    const socket = nodeSocket.get(victim.NodeID)!;
    const t0 = Date.now();
    expect((await dockerAt(socket, ['kill', victim.Status.ContainerStatus.ContainerID])).code).toBe(0);
    await waitFor('the replacement', async () => {
      const tasks = await runningTasks();
      return tasks.length === 3 && !tasks.some((t) => t.ID === victim.ID);
    });
    console.log(`killed container → 3 running tasks again: ${Date.now() - t0} ms`);
  });

  it('a start-first rolling update never drops below the replica count', async () => {
    await writeFile(join(dir, 'compose.yaml'), file('2'));
    const samples: number[] = [];
    const t0 = Date.now();
    const deploy = b('deploy', '-c', 'compose.yaml', stack);
    let done = false;
    const finished = deploy.then(() => waitFor('the update', async () => (await api(swarm.manager, `/services/${service}`)).UpdateStatus?.State === 'completed')).finally(() => (done = true));
    while (!done) {
      samples.push((await runningTasks()).length);
      await sleep(150);
    }
    await finished;
    expect((await deploy).code).toBe(0);
    const tasks = await runningTasks();
    expect(tasks.length).toBe(3);
    expect(tasks.every((t) => t.Spec.ContainerSpec.Env.includes('VERSION=2'))).toBe(true);
    console.log(`rolling update (start-first, 3 replicas): ${Date.now() - t0} ms, ${samples.length} samples, running tasks min ${Math.min(...samples)} max ${Math.max(...samples)}`);
    expect(samples.length).toBeGreaterThan(10);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(3);
    // start-first, shown by the task history: in every slot the old task was shut down only after its
    // successor was running (Status.Timestamp is the time of a task's latest state)
    const all: any[] = await api(swarm.manager, `/tasks?filters=${encodeURIComponent(JSON.stringify({ service: [service] }))}`);
    for (const slot of [1, 2, 3]) {
      const inSlot = all.filter((t) => t.Slot === slot);
      const successor = inSlot.find((t) => t.Spec.ContainerSpec.Env.includes('VERSION=2') && t.Status.State === 'running');
      const replaced = inSlot.filter((t) => t.Spec.ContainerSpec.Env.includes('VERSION=1') && t.Status.State === 'shutdown').sort((a, b) => b.Status.Timestamp.localeCompare(a.Status.Timestamp))[0];
      expect(successor && replaced, `slot ${slot}: an old and a new task`).toBeTruthy();
      expect(Date.parse(replaced.Status.Timestamp)).toBeGreaterThanOrEqual(Date.parse(successor.Status.Timestamp));
    }
  });

  it('an update whose new tasks fail their healthcheck rolls back by itself', async () => {
    const before = (await api(swarm.manager, `/services/${service}`)).Spec.TaskTemplate.ContainerSpec;
    await writeFile(join(dir, 'compose.yaml'), file('3', '["CMD", "false"]'));
    const t0 = Date.now();
    const r = await b('deploy', '-c', 'compose.yaml', '--detach=false', stack);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/rollback_completed/);
    const s = await api(swarm.manager, `/services/${service}`);
    expect(s.UpdateStatus.State).toBe('rollback_completed');
    expect(s.Spec.TaskTemplate.ContainerSpec.Env).toEqual(before.Env);
    expect(s.Spec.TaskTemplate.ContainerSpec.Healthcheck.Test).toEqual(['CMD', 'true']);
    await waitFor('3 healthy tasks of the old spec', async () => {
      const tasks = await runningTasks();
      return tasks.length === 3 && tasks.every((t) => t.Spec.ContainerSpec.Env.includes('VERSION=2'));
    });
    console.log(`failing update → rollback_completed and 3 old tasks running: ${Date.now() - t0} ms`);
  });

  it.skipIf(!ipvs)('routing mesh: an ingress port answers on a node that runs no task of the service', async () => {
    await writeFile(join(dir, 'mesh.yaml'), `
services:
  web:
    image: busybox:local
    command: ["httpd", "-f", "-p", "8080"]
    ports: ["18080:8080"]
    deploy: {replicas: 1, placement: {constraints: ["node.role == manager"]}}
`);
    expect((await b('deploy', '-c', 'mesh.yaml', '--detach=false', 'mesh')).code).toBe(0);
    // node 2's address on the cluster bridge (scripts/swarm-cluster.sh: <subnet>.0.<n>); the task runs on node 1
    const subnet = process.env.SWARM_SUBNET ?? '10.218';
    const r = await dockerAt(swarm.manager, ['run', '--rm', '--network', 'host', 'busybox:local', 'nc', '-z', '-w', '3', `${subnet}.0.2`, '18080']);
    expect(r.code).toBe(0);
    expect((await b('rm', 'mesh')).code).toBe(0);
  });

  it("a node's daemon killed → its tasks run elsewhere", async () => {
    // a worker: the manager is the only one, and the swarm needs it
    const worker = [...nodeSocket.entries()].find(([, s]) => s !== swarm.manager)!;
    const [nodeId, socket] = worker;
    const onIt = (await runningTasks()).filter((t) => t.NodeID === nodeId).length;
    expect(onIt).toBeGreaterThan(0);
    const pid = Number(readFileSync(join(socket.replace(/^unix:\/\//, '').replace(/docker\.sock$/, ''), 'docker.pid'), 'utf8'));
    const t0 = Date.now();
    process.kill(pid, 'SIGKILL');
    const down = await waitFor('the node to be marked down', async () => (await api(swarm.manager, `/nodes/${nodeId}`)).Status.State === 'down');
    await waitFor('3 tasks on the other nodes', async () => {
      const tasks = await runningTasks();
      return tasks.length === 3 && tasks.every((t) => t.NodeID !== nodeId);
    });
    console.log(`killed node daemon (${onIt} task(s) on it) → node down after ${down} ms, 3 tasks running elsewhere after ${Date.now() - t0} ms`);
  });
});
