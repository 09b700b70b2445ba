// BuildKit's side of the build ops: which builder (compose's DOCKER_BUILDKIT rule), the keys the engine's
// build API cannot pass (clear errors naming service and key), compose's labels and step names, and the
// directories the session serves (ignore file choice, inline Dockerfile).
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Project } from '../../../src/model/types.js';
import { buildKitDirs, serviceStepName } from '../../../src/ops/build-kit.js';
import { builderFromEnv, buildSpec } from '../../../src/ops/build-spec.js';
import { buildServices } from '../../../src/ops/build.js';
import type { Engine } from '../../../src/engine/types.js';

function project(build: Record<string, unknown>): Project {
  return {
    name: 'shop',
    services: { web: { build: { context: '/srv/shop', ...build } } as never },
    networks: {},
    volumes: {},
    meta: { workingDir: '/srv/shop', composeFiles: ['/srv/shop/compose.yaml'], environment: {}, disabledServices: {}, profiles: [], warnings: [] },
  } as unknown as Project;
}

describe('builder choice and build keys', () => {
  it.each([
    [{}, 'buildkit'],
    [{ DOCKER_BUILDKIT: '1' }, 'buildkit'],
    [{ DOCKER_BUILDKIT: '0' }, 'classic'],
    [{ DOCKER_BUILDKIT: 'false' }, 'classic'],
  ])('DOCKER_BUILDKIT %j → %s', (env, builder) => expect(builderFromEnv(env)).toBe(builder));

  it.each([
    ['privileged', true, 'build.privileged needs the security.insecure entitlement'],
    ['entitlements', ['network.host'], 'build.entitlements needs BuildKit entitlements'],
    ['platforms', ['linux/amd64', 'linux/arm64'], 'build.platforms builds several platforms at once'],
  ])('BuildKit: build.%s is refused, naming the service and key', (key, value, message) => {
    expect(() => buildSpec(project({ [key]: value }), 'web', {}, 'buildkit')).toThrow(`service "web": ${message}`);
  });

  it('BuildKit: additional_contexts become directories, service images and image references; URLs are refused', () => {
    const spec = buildSpec(project({ additional_contexts: { extra: '/abs/extra', rel: 'rel', base: 'service:web', img: 'docker-image://alpine:3' } }), 'web', {}, 'buildkit');
    expect(spec.additionalContexts).toEqual({ extra: { dir: '/abs/extra' }, rel: { dir: expect.stringMatching(/\/rel$/) }, base: { service: 'web', image: 'shop-web' }, img: { image: 'alpine:3' } });
    expect(() => buildSpec(project({ additional_contexts: { x: 'service:nope' } }), 'web', {}, 'buildkit')).toThrow('service "web": build.additional_contexts.x refers to undefined service nope');
    expect(() => buildSpec(project({ additional_contexts: { x: 'https://h/r.git' } }), 'web', {}, 'buildkit')).toThrow('build.additional_contexts.x https://h/r.git is a URL');
    expect(() => buildSpec(project({ additional_contexts: { x: '/d' } }), 'web', {}, 'classic')).toThrow('build.additional_contexts needs BuildKit');
  });

  it('labels BuildKit images as compose does (project, service, version), classic ones with the builder', () => {
    expect(buildSpec(project({ labels: { a: 'b' } }), 'web', {}, 'buildkit').labels).toEqual({
      a: 'b',
      'com.docker.compose.project': 'shop',
      'com.docker.compose.service': 'web',
      'com.docker.compose.version': '2.26.1',
    });
    expect(buildSpec(project({}), 'web', {}, 'classic').labels).toEqual({ 'com.docker.compose.image.builder': 'classic' });
  });

  it.each([
    ['[internal] load .dockerignore', '[web internal] load .dockerignore'],
    ['[2/3] RUN make', '[web 2/3] RUN make'],
    ['[base 1/2] FROM busybox', '[web base 1/2] FROM busybox'],
    ['exporting to image', '[web] exporting to image'],
  ])('step name %s → %s', (name, shown) => expect(serviceStepName('web', name)).toBe(shown));
});

describe('buildKitDirs', () => {
  it('serves the Dockerfile dir by the file name, and takes <Dockerfile>.dockerignore over .dockerignore', async () => {
    const root = await mkdtemp(join(tmpdir(), 'b21a-dirs-'));
    await mkdir(join(root, 'docker'));
    await writeFile(join(root, '.dockerignore'), 'generic\n');
    await writeFile(join(root, 'docker', 'app.Dockerfile'), 'FROM x\n');
    await writeFile(join(root, 'docker', 'app.Dockerfile.dockerignore'), 'specific\n/abs/\n');
    const base = { service: 'web', image: 'i', context: root, args: {}, labels: {}, noCache: false, pull: false, extraHosts: [], tags: [], cacheFrom: [], secrets: [], ssh: [], inlineCache: false, warnings: [] };
    const dirs = await buildKitDirs({ ...base, dockerfile: 'docker/app.Dockerfile' });
    expect(dirs.dockerfile).toBe('app.Dockerfile');
    expect(dirs.dockerfileDir).toEqual({ path: join(root, 'docker') });
    // the ignore file itself stays readable: the builder's frontend reads it too
    expect(dirs.context).toEqual({ path: root, excludes: ['specific', 'abs', '!.dockerignore'] });

    const plain = await buildKitDirs({ ...base, dockerfile: 'Dockerfile' });
    expect(plain.context.excludes).toEqual(['generic', '!.dockerignore']);

    const inline = await buildKitDirs({ ...base, dockerfile: 'Dockerfile', dockerfileInline: 'FROM busybox\n' });
    expect(inline.dockerfile).toBe('Dockerfile');
    expect(Buffer.from(inline.dockerfileDir.files!.Dockerfile!).toString()).toBe('FROM busybox\n');
  });
});

describe('buildServices with additional_contexts service: references', () => {
  const twoServices = (contexts: Record<string, Record<string, string>>): Project =>
    ({
      name: 'shop',
      services: Object.fromEntries(['app', 'base', 'tool'].map((s) => [s, { build: { context: '/srv/shop', dockerfile_inline: 'FROM scratch\n', additional_contexts: contexts[s] } }])),
      networks: {},
      volumes: {},
      meta: { workingDir: '/srv/shop', composeFiles: ['/srv/shop/compose.yaml'], environment: {}, disabledServices: {}, profiles: [], warnings: [] },
    }) as unknown as Project;
  // an engine that records what it was asked to build, and what named contexts each build had
  const recorder = () => {
    const built: { tag: string; named: unknown }[] = [];
    const engine = {
      buildImageKit: async (r: { tags: readonly string[]; namedContexts?: unknown }) => {
        built.push({ tag: r.tags[0]!, named: r.namedContexts });
        return { id: `sha256:${r.tags[0]}`, transfers: [] };
      },
    } as unknown as Engine;
    return { built, engine };
  };

  it('builds the referenced service first, even when not asked for, and passes its image', async () => {
    const { built, engine } = recorder();
    await buildServices(engine, twoServices({ app: { base: 'service:base' }, base: { t: 'service:tool' } }), ['app'], { builder: 'buildkit' });
    expect(built.map((b) => b.tag)).toEqual(['shop-tool', 'shop-base', 'shop-app']);
    expect(built[2]!.named).toEqual({ base: { image: 'shop-base' } });
  });

  it('refuses a cycle of references instead of leaving services unbuilt', async () => {
    const { built, engine } = recorder();
    await expect(buildServices(engine, twoServices({ app: { b: 'service:base' }, base: { a: 'service:app' } }), ['app'], { builder: 'buildkit' })).rejects.toThrow(/build order cycle through additional_contexts service: references/);
    expect(built).toEqual([]);
  });
});
