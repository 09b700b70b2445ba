// prepareImages' decisions on the fake engine: which images are pulled, built, or refused, per pull policy
// and up's --build / --no-build / --pull.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../../src/config/index.js';
import { FakeEngine } from '../../../src/engine/fake/index.js';
import type { Project } from '../../../src/model/types.js';
import { parsePullPolicy, prepareImages, type ImageOptions } from '../../../src/ops/images.js';
import { observe } from '../../../src/ops/observe.js';

async function project(yaml: string): Promise<Project> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-images-'));
  await writeFile(join(dir, 'compose.yaml'), yaml);
  await writeFile(join(dir, 'Dockerfile'), 'FROM busybox:local\n');
  return loadProject({ cwd: dir, projectName: 'p', env: {} });
}

async function prepare(engine: FakeEngine, p: Project, options: ImageOptions = {}) {
  const observed = await observe(engine, p, Object.keys(p.services));
  engine.calls.length = 0;
  const ids = await prepareImages(engine, p, Object.keys(p.services), observed.images, options);
  return { ids, pulled: engine.callsTo('pullImage').map((c) => c.args[0]), built: engine.callsTo('buildImage').map((c) => (c.args[1] as { tags: string[] }).tags[0]) };
}

describe('parsePullPolicy', () => {
  it('knows compose policies, the refresh forms, and rejects the rest', () => {
    expect(parsePullPolicy(undefined)).toEqual({ kind: 'missing' });
    expect(parsePullPolicy('if_not_present')).toEqual({ kind: 'missing' });
    expect(parsePullPolicy('daily')).toEqual({ kind: 'refresh', maxAgeMs: 86_400_000 });
    expect(parsePullPolicy('weekly')).toEqual({ kind: 'refresh', maxAgeMs: 7 * 86_400_000 });
    expect(parsePullPolicy('every_1h30m')).toEqual({ kind: 'refresh', maxAgeMs: 5_400_000 });
    expect(parsePullPolicy('every_2d')).toEqual({ kind: 'refresh', maxAgeMs: 2 * 86_400_000 });
    expect(() => parsePullPolicy('sometimes', 'web')).toThrow(/service "web": invalid pull_policy "sometimes"/);
    expect(() => parsePullPolicy('every_')).toThrow(/invalid pull_policy/);
  });
});

describe('prepareImages', () => {
  it('pulls what is missing, leaves what is present, builds an unnamed build service', async () => {
    const p = await project('services:\n  a:\n    image: reg/a:1\n  b:\n    image: busybox:local\n  c:\n    build: .\n');
    const engine = new FakeEngine({ images: ['busybox:local'], remoteImages: ['reg/a:1'] });
    const r = await prepare(engine, p);
    expect(r.pulled).toEqual(['reg/a:1']);
    expect(r.built).toEqual(['p-c']);
    expect(r.ids['p-c']).toMatch(/^sha256:/);
    // everything present now: nothing to do
    const again = await prepare(engine, p);
    expect([again.pulled, again.built]).toEqual([[], []]);
    expect(again.ids['p-c']).toBe(r.ids['p-c']);
  });

  it('a buildable image whose pull fails is built instead; an unbuildable one fails', async () => {
    const p = await project('services:\n  a:\n    image: reg/a:1\n    build: .\n');
    const engine = new FakeEngine({ images: ['busybox:local'] });
    const events: string[] = [];
    const r = await prepare(engine, p, { onEvent: (e) => e.type === 'message' && events.push(e.text) });
    expect(r.pulled).toEqual(['reg/a:1']);
    expect(r.built).toEqual(['reg/a:1']);
    expect(events.join()).toMatch(/building it instead/);
    const q = await project('services:\n  a:\n    image: reg/a:1\n');
    await expect(prepare(new FakeEngine(), q)).rejects.toThrow(/service "a": .*pull access denied/);
  });

  it('--build rebuilds, --no-build refuses a missing image, pull_policy build always builds', async () => {
    const p = await project('services:\n  a:\n    build: .\n  b:\n    image: reg/b:1\n    pull_policy: build\n    build: .\n');
    const engine = new FakeEngine({ images: ['p-a', 'reg/b:1'] });
    expect((await prepare(engine, p)).built).toEqual(['reg/b:1']);
    expect((await prepare(engine, p, { build: true })).built.sort()).toEqual(['p-a', 'reg/b:1']);
    await expect(prepare(new FakeEngine(), p, { noBuild: true })).rejects.toThrow(/image p-a is not present locally and it is not built and --no-build was given/);
  });

  it('never refuses a missing image; always and --pull always pull a present one; refresh pulls an old one', async () => {
    const never = await project('services:\n  a:\n    image: reg/a:1\n    pull_policy: never\n');
    await expect(prepare(new FakeEngine({ remoteImages: ['reg/a:1'] }), never)).rejects.toThrow(/pull_policy is never/);

    const always = await project('services:\n  a:\n    image: reg/a:1\n    pull_policy: always\n  b:\n    image: reg/b:1\n');
    const engine = new FakeEngine({ images: ['reg/a:1', 'reg/b:1'], remoteImages: ['reg/a:1', 'reg/b:1'] });
    expect((await prepare(engine, always)).pulled).toEqual(['reg/a:1']);
    expect((await prepare(engine, always, { pull: 'always' })).pulled.sort()).toEqual(['reg/a:1', 'reg/b:1']);
    expect((await prepare(engine, always, { pull: 'never' })).pulled).toEqual([]);

    const hourly = await project('services:\n  a:\n    image: reg/a:1\n    pull_policy: every_1h\n');
    const e2 = new FakeEngine({ images: ['reg/a:1'], remoteImages: ['reg/a:1'] });
    expect((await prepare(e2, hourly)).pulled).toEqual([]);
    expect((await prepare(e2, hourly, { now: () => Date.now() + 3_600_001 })).pulled).toEqual(['reg/a:1']);
  });
});
