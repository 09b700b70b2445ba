// Issue 6 acceptance, push: built images reach a real registry under their name and build.tags; services
// without a build section or an image name are skipped; failures stop the command unless ignored; the
// auth registry takes a good login and refuses bad credentials with one line naming it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, cleanup, docker, projectDir, uniqueProject } from '../helpers/e2e.js';
import { AUTH_REGISTRY, REGISTRY, REGISTRY_PASSWORD, REGISTRY_USER, describeRegistry, dockerConfig, progressEvents, registryTags, removeImages } from '../helpers/registry.js';

describeRegistry('berth push against a real registry', () => {
  const project = uniqueProject('push');
  let dir = '';
  const p = (args: string[], env: NodeJS.ProcessEnv = {}) => berth(['-p', project, ...args], { cwd: dir, env });
  const inline = (text: string) => `      dockerfile_inline: "FROM busybox:local\\nRUN echo ${text} > /version\\n"\n`;

  beforeAll(async () => {
    dir = await projectDir({
      'compose.yaml': [
        'services:',
        `  app:\n    image: ${REGISTRY}/${project}/app:1\n    build:\n${inline('app')}      tags: ["${REGISTRY}/${project}/app:extra"]\n    depends_on: [base]`,
        `  base:\n    image: ${REGISTRY}/${project}/base:1\n    build:\n${inline('base')}`,
        `  plain:\n    image: busybox:local`,
        `  unnamed:\n    build:\n${inline('unnamed')}`,
        `  unbuilt:\n    image: ${REGISTRY}/${project}/unbuilt:1\n    build:\n${inline('unbuilt')}`,
        `  private:\n    image: ${AUTH_REGISTRY}/${project}/private:1\n    build:\n${inline('private')}`,
        '',
      ].join('\n'),
    });
    const b = await p(['build', '-q', 'app', 'base', 'private']);
    if (b.code !== 0) throw new Error(`build failed: ${b.stderr}`);
  });
  afterAll(async () => {
    await cleanup(project, dir);
    await removeImages(project);
  });

  it('pushes the named service under its image name and every build tag; the others are skipped', async () => {
    const r = await p(['--progress', 'json', 'push', 'app', 'plain']);
    expect(r.code, r.stderr).toBe(0);
    expect(await registryTags(`${project}/app`)).toEqual(['1', 'extra']);
    // without --include-deps the dependency stays home
    expect(await registryTags(`${project}/base`)).toEqual([]);
    const events = progressEvents(r.stderr);
    expect(events.filter((e) => e.status === 'Pushed' && e.kind === 'image' && e.name.includes('/app:')).map((e) => e.name).sort()).toEqual([
      `${REGISTRY}/${project}/app:1`,
      `${REGISTRY}/${project}/app:extra`,
    ]);
    expect(events.find((e) => e.name === 'plain')?.status).toBe('Skipped');

    const deps = await p(['--progress', 'quiet', 'push', '--include-deps', 'app']);
    expect(deps.code, deps.stderr).toBe(0);
    expect(await registryTags(`${project}/base`)).toEqual(['1']);

    // what was pushed is what berth pulls back
    await docker(['rmi', `${REGISTRY}/${project}/base:1`]);
    expect((await p(['--progress', 'quiet', 'pull', 'base'])).code).toBe(0);
    expect((await docker(['run', '--rm', `${REGISTRY}/${project}/base:1`, 'cat', '/version'])).stdout.trim()).toBe('base');
  });

  it('a missing image fails the push; --ignore-push-failures pushes the rest and warns', async () => {
    const r = await p(['--progress', 'quiet', 'push', 'unbuilt']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(`service "unbuilt": push ${REGISTRY}/${project}/unbuilt:1: no such image (build or tag it first)`);
    const ignored = await p(['--progress', 'plain', 'push', '--ignore-push-failures', 'unbuilt', 'unnamed', 'base']);
    expect(ignored.code).toBe(0);
    expect(ignored.stderr).toMatch(/WARN.*Pushing unbuilt: push .*no such image/);
    expect(ignored.stderr).toMatch(/Service unnamed\s+Skipped/);
    expect(ignored.stderr).toMatch(new RegExp(`Image ${REGISTRY}/${project}/base:1\\s+Pushed`));
  });

  it('the auth registry: a good login pushes; bad credentials give one line naming the registry', async () => {
    const bad = await dockerConfig({ [AUTH_REGISTRY]: { user: REGISTRY_USER, password: 'not-the-password' } });
    const refused = await p(['--progress', 'quiet', 'push', 'private'], { DOCKER_CONFIG: bad });
    expect(refused.code).not.toBe(0);
    const lines = refused.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^service "private": registry ${AUTH_REGISTRY} refused to push ${AUTH_REGISTRY}/${project}/private:1: .*(unauthorized|authentication required)`));

    const good = await dockerConfig({ [AUTH_REGISTRY]: { user: REGISTRY_USER, password: REGISTRY_PASSWORD } });
    const ok = await p(['--progress', 'quiet', 'push', '-q', 'private'], { DOCKER_CONFIG: good });
    expect(ok.code, ok.stderr).toBe(0);
    const tags = await fetch(`http://127.0.0.1:${AUTH_REGISTRY.split(':')[1]}/v2/${project}/private/tags/list`, {
      headers: { authorization: `Basic ${Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64')}` },
    });
    expect(((await tags.json()) as { tags: string[] }).tags).toEqual(['1']);
  });
});
