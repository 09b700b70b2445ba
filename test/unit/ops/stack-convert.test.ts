// Golden cases for the compose → Swarm translation (ops/stack/convert.ts): a compose file in
// fixtures/stack/<name>.yaml, the ServiceSpecs and network requests berth sends in <name>.json. Review a
// changed golden file like code: it is what the swarm receives. Regenerate with `npx vitest run -u <this file>`.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/config/index.js';
import { convertStack, objectSpec, unsupportedWarnings } from '../../../src/ops/stack/convert.js';
import { normalizeSpec, specDifferences } from '../../../src/ops/stack/spec-diff.js';
import { stackDeploy, stackPlanText } from '../../../src/ops/stack/deploy.js';
import { FakeEngine } from '../../../src/engine/fake/index.js';

const fixtures = resolve(__dirname, '../../../fixtures/stack');

async function load(name: string, extra: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'berth-stack-'));
  writeFileSync(join(dir, 'compose.yaml'), readFileSync(join(fixtures, `${name}.yaml`)));
  for (const [f, c] of Object.entries(extra)) writeFileSync(join(dir, f), c);
  return loadProject({ cwd: dir, projectName: 'st', env: {} });
}

const names = { secrets: { token: 'st_token-0123456789' }, configs: { site: 'st_site-abcdefabcd' } };

describe('compose → swarm translation', () => {
  it('full: every deploy key, mounts, ports, networks, secrets, configs, modes (golden)', async () => {
    const project = await load('full', { 'token.txt': 's3cret' });
    const c = convertStack(project, 'st', names);
    // the golden file holds the specs; the bind source is the only machine-specific value
    const text = JSON.stringify({ services: c.services, networks: c.networks }, null, 2).replaceAll(project.meta.workingDir, '<dir>');
    await expect(text + '\n').toMatchFileSnapshot(join(fixtures, 'full.json'));
  });

  it('x- extensions leave no trace', async () => {
    const c = convertStack(await load('full', { 'token.txt': 'x' }), 'st', names);
    expect(JSON.stringify(c.services)).not.toContain('x-note');
    expect(JSON.stringify(c.services)).not.toContain('ignored');
  });

  it('unsupported and deprecated keys are reported once each, in docker stack deploy\'s words', async () => {
    const project = await load('unsupported');
    expect(unsupportedWarnings(project)).toBe(
      'Ignoring unsupported options: build, links, network_mode, privileged, restart, shm_size\n\n' +
        'Ignoring deprecated options:\n\n' +
        'container_name: Setting the container name is not supported.\n\n' +
        "expose: Exposing ports is unnecessary - services on the same network can access each other's containers on any port.\n\n",
    );
  });

  it('secrets and configs are named by their content', () => {
    const a = objectSpec('st', 'token', { name: 'token', file: 'x' }, 'a'.repeat(64));
    const b = objectSpec('st', 'token', { name: 'token', file: 'x' }, 'b'.repeat(64));
    expect(a.name).toBe('st_token-aaaaaaaaaa');
    expect(b.name).not.toBe(a.name);
    expect(a.labels['com.docker.stack.namespace']).toBe('st');
    expect(objectSpec('st', 'ext', { name: 'shared', external: true }, undefined)).toMatchObject({ name: 'shared', external: true });
  });
});

describe('spec comparison', () => {
  it('engine defaults, network ids and secret ids do not count as changes', () => {
    const desired = { Name: 's', TaskTemplate: { ContainerSpec: { Image: 'i', Secrets: [{ SecretName: 'x', SecretID: 'id1' }] }, Networks: [{ Target: 'st_default', Aliases: ['s'] }] }, UpdateConfig: { Parallelism: 1 } };
    const stored = {
      Name: 's',
      TaskTemplate: { ContainerSpec: { Image: 'i', Isolation: 'default', Privileges: { CredentialSpec: null, SELinuxContext: null }, Secrets: [{ SecretName: 'x', SecretID: 'id2' }] }, Networks: [{ Target: 'netid', Aliases: ['s'] }], ForceUpdate: 0, Runtime: 'container' },
      UpdateConfig: { Parallelism: 1, FailureAction: 'pause' },
    };
    expect(specDifferences(normalizeSpec(stored, (x) => (x === 'netid' ? 'st_default' : x)), normalizeSpec(desired))).toEqual([]);
  });

  it('a real change is named by its path', () => {
    const a = { Name: 's', TaskTemplate: { ContainerSpec: { Image: 'i', Env: ['A=1'] } } };
    const b = { Name: 's', TaskTemplate: { ContainerSpec: { Image: 'i', Env: ['A=2'] } } };
    expect(specDifferences(normalizeSpec(a), normalizeSpec(b))).toEqual(['TaskTemplate.ContainerSpec.Env']);
  });
});

describe('stack deploy against the fake engine', () => {
  it('creates, then keeps everything on a second deploy (no version change), then updates one changed service', async () => {
    const engine = new FakeEngine({ images: ['busybox:local'] });
    const project = await load('unsupported');
    const first = await stackDeploy({ engine, project, stack: 'st' });
    expect(stackPlanText(first.plan)).toBe('create network st_default (missing (network default))\ncreate service st_a (missing (service a))\ncreate service st_b (missing (service b))\n');
    const before = (await engine.listServices({})).map((s) => s.version);
    const second = await stackDeploy({ engine, project, stack: 'st' });
    expect(second.plan.map((s) => s.action)).toEqual(['keep', 'keep']);
    expect((await engine.listServices({})).map((s) => s.version)).toEqual(before);
    const changed = { ...project, services: { ...project.services, b: { ...project.services.b, environment: { X: '1' } } } };
    const third = await stackDeploy({ engine, project: changed, stack: 'st' });
    expect(stackPlanText(third.plan)).toBe('keep service st_a (up to date)\nupdate service st_b (changed: TaskTemplate.ContainerSpec.Env)\n');
  });

  it('a file without services is refused, and --prune removes nothing', async () => {
    const engine = new FakeEngine({ images: ['busybox:local'] });
    await stackDeploy({ engine, project: await load('unsupported'), stack: 'st' });
    const before = (await engine.listServices({})).map((s) => s.spec.Name).sort();
    const empty = { ...(await load('unsupported')), services: {} };
    await expect(stackDeploy({ engine, project: empty, stack: 'st', prune: true })).rejects.toThrow(/no service selected/);
    expect((await engine.listServices({})).map((s) => s.spec.Name).sort()).toEqual(before);
  });

  it('refuses an engine that is not a swarm manager, creating nothing', async () => {
    const engine = new FakeEngine();
    engine.swarmActive = false;
    await expect(stackDeploy({ engine, project: await load('unsupported'), stack: 'st' })).rejects.toThrow(/not a swarm manager/);
    expect(await engine.listNetworks({ labels: ['com.docker.stack.namespace=st'] })).toEqual([]);
  });
});
