// Golden plan tests (fake engine state → plan text) for the cases of issue 4.
import { describe, expect, it } from 'vitest';
import { Labels } from '../../../src/model/labels.js';
import { observe } from '../../../src/ops/observe.js';
import { reconcile } from '../../../src/ops/reconcile.js';
import { up } from '../../../src/ops/up.js';
import { fakeEngine, plan, project } from './plan-helpers.js';

const stack = `
services:
  db:
    image: busybox:local
    healthcheck: { test: ["CMD", "true"], interval: 1s }
    volumes: [data:/data, /anon]
  api:
    image: busybox:local
    environment: { A: "1" }
    depends_on: { db: { condition: service_healthy } }
  web:
    image: busybox:local
    depends_on: { api: { condition: service_started, restart: true } }
  worker:
    image: busybox:local
    depends_on: [db]
volumes:
  data:
`;

async function upStack(yaml = stack) {
  const engine = fakeEngine();
  const p = await project(yaml);
  await up(engine, p);
  engine.clearCalls();
  return { engine, p };
}

describe('golden plans', () => {
  it('fresh project: networks and volumes, then containers in dependency order, waits where a condition asks', async () => {
    expect(await plan(fakeEngine(), await project(stack))).toBe(`create network p_default (missing)
create volume p_data (missing)
create container p-db-1 (no container)
start container p-db-1 (created)
create container p-api-1 (no container)
wait for p-db-1 healthy (dependents need db healthy)
start container p-api-1 (created)
create container p-worker-1 (no container)
start container p-worker-1 (created)
create container p-web-1 (no container)
start container p-web-1 (created)
`);
  });

  it('nothing changed: every object kept, with its reason', async () => {
    const { engine, p } = await upStack();
    expect(await plan(engine, p)).toBe(`keep network p_default (exists)
keep volume p_data (exists)
keep container p-db-1 (up to date)
keep container p-api-1 (up to date)
keep container p-worker-1 (up to date)
keep container p-web-1 (up to date)
`);
  });

  it('environment of one service changed: only it is recreated, and its restart: true dependents restarted', async () => {
    const { engine } = await upStack();
    const changed = await project(stack.replace('A: "1"', 'A: "2"'));
    const text = await plan(engine, changed);
    const id = (await engine.inspectContainer('p-api-1'))!.id.slice(0, 12);
    expect(text).toBe(`create container ${id}_p-api-1 (recreate: config changed)
stop container p-api-1 (replaced)
remove container p-api-1 (replaced)
rename container ${id}_p-api-1 to p-api-1 (takes the old name)
wait for p-db-1 healthy (dependents need db healthy)
start container p-api-1 (recreated)
restart container p-web-1 (depends on api with restart: true, and api is recreated)
keep network p_default (exists)
keep volume p_data (exists)
keep container p-db-1 (up to date)
keep container p-worker-1 (up to date)
keep container p-web-1 (up to date)
`);
  });

  it('image changed: the services running that image are recreated', async () => {
    const { engine, p } = await upStack('services:\n  a:\n    image: busybox:local\n  b:\n    image: busybox:other\n');
    engine.addImage('busybox:other', 'sha256:' + 'e'.repeat(64));
    const id = (await engine.inspectContainer('p-b-1'))!.id.slice(0, 12);
    expect(await plan(engine, p)).toBe(`create container ${id}_p-b-1 (recreate: image changed)
stop container p-b-1 (replaced)
remove container p-b-1 (replaced)
rename container ${id}_p-b-1 to p-b-1 (takes the old name)
start container p-b-1 (recreated)
keep network p_default (exists)
keep container p-a-1 (up to date)
`);
  });

  it('scale 3 → 1 removes the highest numbers; 1 → 3 numbers on from the highest', async () => {
    const { engine } = await upStack('services:\n  w:\n    image: busybox:local\n    scale: 3\n');
    const one = await project('services:\n  w:\n    image: busybox:local\n    scale: 1\n');
    expect(await plan(engine, one)).toBe(`stop container p-w-2 (scale 3 → 1)
remove container p-w-2 (scale 3 → 1)
stop container p-w-3 (scale 3 → 1)
remove container p-w-3 (scale 3 → 1)
keep network p_default (exists)
keep container p-w-1 (up to date)
`);
    const small = await upStack('services:\n  w:\n    image: busybox:local\n');
    expect(await plan(small.engine, small.p, { scale: { w: 3 } })).toBe(`create container p-w-2 (scale 1 → 3)
start container p-w-2 (created)
create container p-w-3 (scale 1 → 3)
start container p-w-3 (created)
keep network p_default (exists)
keep container p-w-1 (up to date)
`);
  });

  it('orphans: a warning without --remove-orphans, stop and remove with it', async () => {
    const { engine } = await upStack('services:\n  a:\n    image: busybox:local\n  old:\n    image: busybox:local\n');
    const p = await project('services:\n  a:\n    image: busybox:local\n');
    expect(await plan(engine, p)).toBe(`keep network p_default (exists)
keep container p-a-1 (up to date)
warning: Found orphan containers ([p-old-1]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.
`);
    expect(await plan(engine, p, { removeOrphans: true })).toBe(`stop container p-old-1 (orphan: service old is not in the project (--remove-orphans))
remove container p-old-1 (orphan: service old is not in the project (--remove-orphans))
keep network p_default (exists)
keep container p-a-1 (up to date)
`);
  });

  it('--force-recreate recreates everything, carrying anonymous volumes over', async () => {
    const { engine, p } = await upStack('services:\n  db:\n    image: busybox:local\n    volumes: [data:/data, /anon]\nvolumes:\n  data:\n');
    const id = (await engine.inspectContainer('p-db-1'))!.id.slice(0, 12);
    expect(await plan(engine, p, { forceRecreate: true })).toBe(`create container ${id}_p-db-1 (recreate: forced (--force-recreate); keeps anonymous volume at /anon)
stop container p-db-1 (replaced)
remove container p-db-1 (replaced)
rename container ${id}_p-db-1 to p-db-1 (takes the old name)
start container p-db-1 (recreated)
keep network p_default (exists)
keep volume p_data (exists)
`);
  });

  it('-V renews anonymous volumes: the recreate keeps none', async () => {
    const { engine, p } = await upStack('services:\n  db:\n    image: busybox:local\n    volumes: [/anon]\n');
    const text = await plan(engine, p, { forceRecreate: true, renewAnonVolumes: true });
    expect(text).toMatch(/create container \w{12}_p-db-1 \(recreate: forced \(--force-recreate\)\)\n/);
    expect(text).not.toMatch(/keeps anonymous/);
  });

  it('--no-recreate keeps a changed container and says why', async () => {
    const { engine } = await upStack();
    const changed = await project(stack.replace('A: "1"', 'A: "2"'));
    expect(await plan(engine, changed, { noRecreate: true })).toBe(`keep network p_default (exists)
keep volume p_data (exists)
keep container p-db-1 (up to date)
keep container p-api-1 (config changed, kept (--no-recreate))
keep container p-worker-1 (up to date)
keep container p-web-1 (up to date)
`);
  });

  it('a missing network is created and the containers on it recreated', async () => {
    const { engine, p } = await upStack('services:\n  a:\n    image: busybox:local\n');
    const id = (await engine.inspectContainer('p-a-1'))!.id.slice(0, 12);
    const text = await plan(engine, p, {}, (o) => ({ ...o, networks: { ...o.networks, p_default: undefined } }));
    expect(text).toBe(`create network p_default (missing)
create container ${id}_p-a-1 (recreate: network p_default is missing)
stop container p-a-1 (replaced)
remove container p-a-1 (replaced)
rename container ${id}_p-a-1 to p-a-1 (takes the old name)
start container p-a-1 (recreated)
`);
  });

  it('a stopped container is started, not recreated', async () => {
    const { engine, p } = await upStack('services:\n  a:\n    image: busybox:local\n');
    await engine.stopContainer('p-a-1');
    expect(await plan(engine, p)).toBe(`start container p-a-1 (exited)
keep network p_default (exists)
`);
  });

  it('named services plus their dependencies only; --no-deps only the named', async () => {
    const p = await project(stack);
    expect(await plan(fakeEngine(), p, { services: ['api'] })).toBe(`create network p_default (missing)
create volume p_data (missing)
create container p-db-1 (no container)
start container p-db-1 (created)
create container p-api-1 (no container)
wait for p-db-1 healthy (dependents need db healthy)
start container p-api-1 (created)
`);
    expect(await plan(fakeEngine(), p, { services: ['api'], noDeps: true })).toBe(`create network p_default (missing)
create container p-api-1 (no container)
start container p-api-1 (created)
`);
  });

  it('a service sharing the network namespace of a recreated service is recreated too', async () => {
    const yaml = 'services:\n  a:\n    image: busybox:local\n    environment: [X=1]\n  b:\n    image: busybox:local\n    network_mode: "service:a"\n';
    const { engine } = await upStack(yaml);
    const text = await plan(engine, await project(yaml.replace('X=1', 'X=2')));
    expect(text).toMatch(/create container \w{12}_p-b-1 \(recreate: shares a namespace or volumes with a, which is recreated\)/);
  });

  it('creates follow the dependency order (as compose creates), not the starts: the first start of a chain waits for one create only', async () => {
    const p = await project(stack);
    const ops = reconcile(p, await observe(fakeEngine(), p, Object.keys(p.services))).ops;
    const after = (id: string) => ops.find((o) => o.id === id)!.after;
    expect(after('create:p-db-1')).toEqual(['network:default', 'volume:data']);
    expect(after('start:p-db-1')).toEqual(['create:p-db-1']);
    // api needs db healthy to start, but is created as soon as db's container exists, while db starts
    expect(after('create:p-api-1')).toEqual(['network:default', 'create:p-db-1']);
    expect(after('create:p-web-1')).toEqual(['network:default', 'create:p-api-1']);
    expect(after('create:p-worker-1')).toEqual(['network:default', 'create:p-db-1']);
  });

  it('the executed plan really leaves a fake engine matching the file (second plan is a no-op)', async () => {
    const { engine } = await upStack();
    const changed = await project(stack.replace('A: "1"', 'A: "2"'));
    await up(engine, changed);
    const after = await plan(engine, changed);
    expect(after.split('\n').filter(Boolean).every((l) => l.startsWith('keep '))).toBe(true);
    const api = (await engine.listContainers({ all: true, labels: [`${Labels.service}=api`] }))[0];
    expect(api.name).toBe('p-api-1');
  });
});

describe('golden plans: lifecycle hooks', () => {
  const hooked = `
services:
  db:
    image: busybox:local
    pre_start:
      - command: [migrate]
    post_start:
      - command: [warm]
      - command: [check]
    pre_stop:
      - command: [flush]
    scale: 2
  web:
    image: busybox:local
    environment: { A: "1" }
    depends_on: { db: { condition: service_started, restart: true } }
    pre_stop:
      - command: [drain]
`;

  it('a fresh up: pre_start once for the service, post_start with every start', async () => {
    expect(await plan(fakeEngine(), await project(hooked))).toBe(`create network p_default (missing)
create container p-db-1 (no container)
start container p-db-1 with 1 pre_start and 2 post_start hooks (created)
create container p-db-2 (no container)
start container p-db-2 with 2 post_start hooks (created)
create container p-web-1 (no container)
start container p-web-1 (created)
`);
  });

  it('a recreate: pre_stop with the stop of the replaced container; no pre_start while a replica runs', async () => {
    const engine = fakeEngine();
    // the fake's pre_start containers exit 0 as soon as they start
    const start = engine.startContainer.bind(engine);
    engine.startContainer = async (id) => {
      await start(id);
      const c = (await engine.listContainers({ all: true })).find((x) => x.id === id);
      if (c?.labels['com.docker.compose.hook'] === 'pre_start') engine.exit(id, 0);
    };
    await up(engine, await project(hooked));
    const id = (await engine.inspectContainer('p-web-1'))!.id.slice(0, 12);
    // db scaled up (its running replicas kept: no pre_start), web recreated (its pre_stop with the stop)
    expect(await plan(engine, await project(hooked.replace('A: "1"', 'A: "2"').replace('scale: 2', 'scale: 3')))).toBe(`create container p-db-3 (scale 2 → 3)
start container p-db-3 with 2 post_start hooks (created)
create container ${id}_p-web-1 (recreate: config changed)
stop container p-web-1 with 1 pre_stop hook (replaced)
remove container p-web-1 (replaced)
rename container ${id}_p-web-1 to p-web-1 (takes the old name)
start container p-web-1 (recreated)
keep network p_default (exists)
keep container p-db-1 (up to date)
keep container p-db-2 (up to date)
`);
  });
});
